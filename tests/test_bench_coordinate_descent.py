# tests/test_bench_coordinate_descent.py: runs bench.coordinate_descent on a tiny problem,
# as a function and as `python -m bench.coordinate_descent`, and checks its rows. It
# asserts nothing about speed.
import math
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))  # the bench package from the checkout, fastreg as installed

from bench import coordinate_descent  # noqa: E402


def test_rows_reach_the_target_gap_and_have_positive_times():
    records = coordinate_descent.rows(
        n_samples=2000, n_features=20, repeats=1, n_threads=2, libraries=("fastreg",)
    )
    libraries = {r["library"] for r in records}
    assert {"fastreg", "scikit-learn"} <= libraries
    assert {r["model"] for r in records} == {"Lasso", "ElasticNet"}
    for r in records:
        assert math.isfinite(r["seconds"]) and r["seconds"] > 0
        assert r["speedup_vs_sklearn"] > 0
        if r["library"] in ("fastreg", "scikit-learn"):  # both stop on this very gap
            assert r["reached"] and r["dual_gap"] <= r["target_gap"]
    table = coordinate_descent.format_rows(records)
    assert "fastreg" in table and "scikit-learn" in table


def test_command_line_prints_the_table():
    launcher = (
        "import runpy, sys; "
        f"sys.path.append({str(ROOT)!r}); "
        "runpy.run_module('bench.coordinate_descent', run_name='__main__', alter_sys=True)"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            launcher,
            "--n-samples",
            "500",
            "--n-features",
            "8",
            "--repeats",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=pathlib.Path.home(),
        check=True,
    ).stdout
    assert "equal duality gap" in out and "Lasso" in out and "ElasticNet" in out
