# tests/test_bench.py: runs the bench command itself on tiny sizes and checks the JSON it
# writes (structure, and that every figure is positive and finite). It asserts nothing
# about speed.
import json
import math
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _positive_finite(x):
    return isinstance(x, int | float) and math.isfinite(x) and x > 0


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    # `python -m bench` from the repository root, except that the root goes at the END of
    # sys.path: the bench package comes from the checkout while fastreg stays the
    # installed one (the source tree's fastreg/ has no compiled module in a wheel install).
    launcher = (
        "import runpy, sys; "
        f"sys.path.append({str(ROOT)!r}); "
        "runpy.run_module('bench', run_name='__main__', alter_sys=True)"
    )
    command = [
        sys.executable,
        "-c",
        launcher,
        "--quick",
        "--sizes",
        "tiny",
        "--threads",
        "1,2",
        "--time-to-solution",
        "--tts-size",
        "tiny",
        "--out",
        str(out),
    ]
    done = subprocess.run(command, cwd=out, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return out, done


def test_bench_writes_json_png_and_table(bench_run):
    out, done = bench_run
    assert (out / "bench.png").stat().st_size > 0
    assert (out / "bench.txt").read_text().strip() in done.stdout
    assert "Epoch throughput" in done.stdout
    assert "Targets" in done.stdout
    assert "done in" in done.stderr  # the progress bar goes to stderr, not stdout
    assert "done in" not in done.stdout


def test_bench_json_structure_and_figures(bench_run):
    out, _ = bench_run
    results = json.loads((out / "bench.json").read_text())
    for key in ("date", "machine", "settings", "bandwidth", "epochs", "fused_pass", "iris"):
        assert key in results
    machine = results["machine"]
    for key in ("cpu_model", "cpu_count", "memory_bytes", "os", "python", "numpy", "blas"):
        assert key in machine
    assert {"simd", "openmp", "compiler"} <= set(machine["fastreg"])

    assert [b["threads"] for b in results["bandwidth"]] == [1, 2]
    assert all(_positive_finite(b["gb_per_s"]) for b in results["bandwidth"])

    # every loss x dtype x thread count of the tiny size
    epochs = results["epochs"]
    assert len(epochs) == 4 * 2 * 2
    assert {r["loss"] for r in epochs} == {"squared", "logistic", "multinomial3", "multinomial10"}
    for r in epochs:
        assert r["size"] == "tiny"
        for figure in (
            r["fastreg"]["epochs_per_s"],
            r["reference"]["epochs_per_s"],
            r["speedup"],
            r["gb_per_s"],
            r["percent_of_bandwidth"],
            r["ceiling_epochs_per_s"],
        ):
            assert _positive_finite(figure), r
        assert r["fastreg"]["epochs"] >= 1
        # fastreg and the reference ran the same first epoch
        assert r["first_epoch_relative_difference"] < 1e-3

    for r in results["fused_pass"]:
        assert _positive_finite(r["passes_per_s"]) and _positive_finite(r["gb_per_s"])

    assert [r["model"] for r in results["iris"]] == ["logistic", "softmax"]
    for r in results["iris"]:
        for key in ("kernel_seconds", "estimator_seconds", "reference_seconds"):
            assert _positive_finite(r[key])

    tts = results["time_to_solution"]
    assert set(tts["solvers"]) == {"fastreg", "sklearn_lbfgs", "sklearn_sgd"}
    assert math.isfinite(tts["best_objective"])
    for solver in tts["solvers"].values():
        assert solver["runs"]
        if solver["reached"]:
            assert _positive_finite(solver["seconds"])

    for target in results["targets"]:
        assert target["met"] in (True, False, None)
        assert target["figure"] and target["target"] > 0
