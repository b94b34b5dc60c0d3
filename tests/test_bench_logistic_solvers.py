# tests/test_bench_logistic_solvers.py: runs `python -m bench.logistic_solvers --quick` itself
# and checks its JSON: every solver name of both libraries on every problem, with finite
# times, and every fit at the best objective to the bench's tolerance.
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_logistic_solvers_bench_runs_and_reaches_the_best_objective(tmp_path):
    out = tmp_path / "rows.json"
    # The checkout's bench package, the installed fastreg (the root goes last on sys.path).
    launcher = (
        "import runpy, sys; "
        f"sys.path.append({str(ROOT)!r}); "
        "runpy.run_module('bench.logistic_solvers', run_name='__main__', alter_sys=True)"
    )
    done = subprocess.run(
        [sys.executable, "-c", launcher, "--quick", "--json", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(out.read_text())
    seen = {(r["problem"].split()[0], r["library"], r["solver"]) for r in rows}
    for library in ("fastreg", "sklearn"):
        for solver in ("lbfgs", "newton-cholesky", "newton-cg", "liblinear"):
            assert ("binary", library, solver) in seen
    assert all(r["seconds"] > 0 and r["n_iter"] >= 1 for r in rows)
    fastreg_rows = [r for r in rows if r["library"] == "fastreg"]
    # liblinear's objective penalises the intercept: it is not the others' minimiser.
    assert all(abs(r["excess"]) < 1e-9 for r in fastreg_rows if r["solver"] != "liblinear")
    assert "newton-cholesky" in done.stdout
