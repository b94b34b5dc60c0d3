# tests/test_cv_bench.py: runs bench.cv at its quick size, as a function and as
# `python -m bench.cv`, and checks its rows. It asserts nothing about speed.
import math
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))  # the bench package from the checkout, fastreg as installed

from bench import cv  # noqa: E402


def test_rows_choose_what_sklearn_chooses_and_have_positive_times():
    records = cv.rows("quick", repeats=1, n_threads=1)
    assert [r["estimator"] for r in records] == ["LassoCV", "LogisticRegressionCV", "RidgeCV"]
    for r in records:
        assert math.isfinite(r["fastreg_s"]) and r["fastreg_s"] > 0
        assert math.isfinite(r["sklearn_s"]) and r["sklearn_s"] > 0
        assert r["same_choice"], r
    table = cv.format_rows(records)
    assert "LassoCV" in table and "| yes" in table


def test_command_line_prints_the_table(tmp_path):
    launcher = (
        "import runpy, sys; "
        f"sys.path.append({str(ROOT)!r}); "
        "runpy.run_module('bench.cv', run_name='__main__', alter_sys=True)"
    )
    out = subprocess.run(
        [sys.executable, "-c", launcher, "--size", "quick", "--repeats", "1", "--threads", "1"],
        cwd=tmp_path,  # not the checkout, whose fastreg/ would shadow the installed one
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    assert "RidgeCV" in out and "speedup" in out
