# tests/test_bench_sparse.py: runs `python -m bench.sparse` itself on the tiny problem and
# checks the JSON it writes (every part present, every figure positive and finite). It
# asserts nothing about speed.
import json
import math
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _positive_finite(x):
    return isinstance(x, int | float) and math.isfinite(x) and x > 0


def test_sparse_bench_runs_and_writes_its_records(tmp_path):
    # The checkout's bench package, the installed fastreg (the root goes at the END of
    # sys.path, as in test_bench.py).
    launcher = (
        "import runpy, sys; "
        f"sys.path.append({str(ROOT)!r}); "
        "runpy.run_module('bench.sparse', run_name='__main__', alter_sys=True)"
    )
    command = [sys.executable, "-c", launcher, "--size", "tiny", "--fit-budget", "5"]
    command += ["--out", str(tmp_path)]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = json.loads((tmp_path / "sparse.json").read_text())
    kinds = [r["bench"] for r in rows]
    assert kinds.count("read_bandwidth") == 2 and kinds.count("gradient_layout") == 1
    epochs = [r for r in rows if r["bench"] == "csr_epoch"]
    assert {(r["loss"], r["dtype"]) for r in epochs} == {
        (loss, dtype)
        for loss in ("squared", "logistic", "multinomial3", "multinomial10")
        for dtype in ("float64", "float32")
    }
    for r in epochs:
        assert r["bytes_per_epoch"] > 0 and r["chunks"] >= 1
        assert _positive_finite(r["gb_per_s"]) and _positive_finite(r["percent_of_bandwidth"])
    fits = {r["solver"]: r for r in rows if r["bench"] == "fit"}
    assert {"fastreg", "sklearn_lbfgs"} <= set(fits)
    assert fits["fastreg"]["reached"] and _positive_finite(fits["fastreg"]["seconds"])
    assert math.isfinite(fits["fastreg"]["target_objective"])
    assert "CSR epoch" in done.stdout and "fit" in done.stdout
