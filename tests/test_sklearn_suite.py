# The scikit-learn suite harness (scripts/sklearn_suite/run.py) on tiny inputs: a synthetic
# test module whose tests pass with scikit-learn and fail with fastreg in chosen ways
# (wrong answer, unknown parameter, solver name, missing warning, timeout, a hang that
# ignores the timeout, a crash), so the report's buckets and counts are known exactly;
# two of scikit-learn's own tests, for a well-formed report; the error classifier on
# messages taken from real runs.
import importlib.util
import json
import pathlib
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
HARNESS = ROOT / "scripts" / "sklearn_suite"

pytest.importorskip("pytest_timeout", reason="the harness needs pytest-timeout ([test] extras)")

SYNTHETIC = """
import os
import signal
import time
import warnings

import numpy as np
import pytest
from sklearn import linear_model
from sklearn.linear_model import LinearRegression, Ridge, RidgeClassifierCV
from sklearn.model_selection import cross_val_score

X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 5.0], [1.0, 1.0]])
y = X @ np.array([1.0, 2.0]) + 0.5
# True in the fastreg run only: a test passes with scikit-learn and fails with fastreg in
# the way it chooses, whatever fastreg supports by then.
BOUND = Ridge.__module__.split(".")[0] == "fastreg"
MODULE_LEVEL_RIDGE = Ridge()


def test_passes_in_both_runs():
    np.testing.assert_allclose(LinearRegression().fit(X, y).predict(X), y, atol=1e-3)


def test_fails_with_scikit_learn():
    LinearRegression().fit(X, y)
    raise AssertionError("fails in both runs")


def test_uses_no_estimator():
    assert y.sum() > 0


def test_only_scikit_learn_builds_a_ridge():
    # RidgeClassifierCV (not bound) fits scikit-learn's ridge inside: no fastreg object
    RidgeClassifierCV(alphas=[1.0], cv=2).fit(X, y > 3)


def test_clones_a_module_level_estimator():
    # scikit-learn clones the test's Ridge: the clones are fastreg's in the fastreg run
    assert cross_val_score(MODULE_LEVEL_RIDGE, X, y, cv=2).shape == (2,)


def test_deselected():
    Ridge().fit(X, y)


def test_deselected_by_pattern():
    Ridge().fit(X, y)


@pytest.mark.parametrize("estimator", [Ridge(), LinearRegression()])
def test_parameters_built_at_import_time(estimator):
    assert type(estimator).__module__.startswith("sklearn.")


def test_module_attribute_is_bound():
    linear_model.Ridge().set_params(**({"harness_unknown": 1} if BOUND else {}))


def test_solver_name():
    Ridge(solver="harness-solver" if BOUND else "auto").fit(X, y)


def test_warning_expected():
    with pytest.warns(UserWarning, match="only scikit-learn warns"):
        if not BOUND:
            warnings.warn("only scikit-learn warns", UserWarning)
        Ridge().fit(X, y)


def test_times_out():
    Ridge().fit(X, y)
    if BOUND:
        time.sleep(60)


def test_ignores_the_timeout():
    Ridge().fit(X, y)
    if BOUND:
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
        time.sleep(60)


def test_crashes():
    Ridge().fit(X, y)
    if BOUND:
        os._exit(3)


def test_after_the_crash():
    Ridge().fit(X, y)
"""

DESELECTED = """\
# comment lines and blank lines are ignored

test_synthetic.py::test_deselected  # a reason
test_synthetic.py::test_deselected_by_p*  # another reason
test_synthetic.py::test_that_no_longer_exists  # a stale entry
"""


def run_harness(tmp_path, *args):
    """Run the harness command; return its exit status, its output and its JSON report."""
    report = tmp_path / "report.json"
    command = [
        sys.executable,
        str(HARNESS / "run.py"),
        "--workdir",
        str(tmp_path / "work"),
        "--json",
        str(report),
        "--no-cache",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert report.exists(), done.stdout + done.stderr
    return done.returncode, done.stdout, json.loads(report.read_text())


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("sklearn_suite")
    source = tmp_path / "source"
    source.mkdir()
    (source / "test_synthetic.py").write_text(textwrap.dedent(SYNTHETIC))
    (tmp_path / "deselected.txt").write_text(DESELECTED)
    (tmp_path / "minimum.txt").write_text("# percent\n20.0\n")
    return run_harness(
        tmp_path,
        "--source-dir",
        str(source),
        "--modules",
        "test_synthetic",
        "--deselect",
        str(tmp_path / "deselected.txt"),
        "--minimum",
        str(tmp_path / "minimum.txt"),
        "--timeout",
        "1",
        "--watchdog-grace",
        "1",
        "--check",
    )


def by_name(report):
    return {t["id"].split("::", 1)[1]: t for t in report["tests"]}


def test_synthetic_counts_and_rate(synthetic_run):
    status, _, report = synthetic_run
    tests = by_name(report)
    assert len(tests) == 16
    assert report["statuses"] == {
        "passed": 3,
        "failed": 8,
        "deselected": 2,
        "not passing with scikit-learn": 1,
        "does not use fastreg": 2,
    }
    assert (report["passed"], report["denominator"]) == (3, 11)
    assert report["pass_rate"] == pytest.approx(3 / 11)
    # The fastreg run ran only what passed with scikit-learn and touched a bound name.
    assert report["fastreg_run_size"] == 11
    # Every test passed with scikit-learn except the one that fails with it.
    assert {
        t["sklearn_outcome"] for n, t in tests.items() if n != "test_fails_with_scikit_learn"
    } == {"passed"}
    assert tests["test_passes_in_both_runs"]["status"] == "passed"
    assert tests["test_after_the_crash"]["status"] == "passed"  # the run resumed
    assert tests["test_clones_a_module_level_estimator"]["status"] == "passed"
    assert "Ridge.__init__" in tests["test_clones_a_module_level_estimator"]["fastreg_used"]
    for name in ("test_uses_no_estimator", "test_only_scikit_learn_builds_a_ridge"):
        assert tests[name]["uses_fastreg"] is False
        assert tests[name]["fastreg_outcome"] == "not run"
    assert tests["test_fails_with_scikit_learn"]["fastreg_outcome"] == "not run"
    assert status == 1  # the stale deselection entry fails --check


def test_synthetic_buckets(synthetic_run):
    _, _, report = synthetic_run
    tests = by_name(report)
    expected = {
        # import-time parameters are fastreg's: the tests count though they build nothing
        "test_parameters_built_at_import_time[estimator0]": (
            "wrong answer (assertion error)",
            "test_parameters_built_at_import_time",
        ),
        "test_parameters_built_at_import_time[estimator1]": (
            "wrong answer (assertion error)",
            "test_parameters_built_at_import_time",
        ),
        # `linear_model.Ridge` is fastreg's too
        "test_module_attribute_is_bound": (
            "unknown parameter or attribute",
            "Ridge(harness_unknown=)",
        ),
        "test_solver_name": ("unsupported solver name", "harness-solver"),
        "test_warning_expected": ("message or warning mismatch", "no UserWarning"),
        "test_times_out": ("other", "timeout"),
        "test_ignores_the_timeout": ("other", "timeout"),
        "test_crashes": ("other", "crash"),
    }
    for name, (bucket, sub_reason) in expected.items():
        assert (tests[name]["bucket"], tests[name]["sub_reason"]) == (bucket, sub_reason), name
        assert tests[name]["status"] == "failed"
        assert tests[name]["first_error"]
    assert report["buckets"]["other"] == {"count": 3, "sub_reasons": {"timeout": 2, "crash": 1}}
    assert sum(b["count"] for b in report["buckets"].values()) == 8
    assert tests["test_ignores_the_timeout"]["fastreg_outcome"] == "timeout"
    assert tests["test_crashes"]["fastreg_outcome"] == "crash"
    assert report["unbound_parameters"] == []


def test_synthetic_deselection_and_check(synthetic_run):
    _, output, report = synthetic_run
    tests = by_name(report)
    assert tests["test_deselected"]["deselected_because"] == "a reason"
    assert tests["test_deselected_by_pattern"]["deselected_because"] == "another reason"
    assert [len(entry["ids"]) for entry in report["deselected"]] == [1, 1, 0]
    assert report["stale_deselections"] == ["test_synthetic.py::test_that_no_longer_exists"]
    assert "names tests that no longer exist" in output
    assert "pass rate: 3 / 11 = 27.3 %" in output
    assert "unsupported solver name: 1 (harness-solver 1)" in output
    assert "below the committed minimum" not in output  # 27.3 % meets the 20 % minimum

    suite_report = load_harness_module("suite_report")
    clean = dict(report, stale_deselections=[])
    assert suite_report.check(clean) == []
    assert (
        "below the committed minimum" in suite_report.check(dict(clean, minimum_pass_rate=0.28))[0]
    )


def test_two_of_scikit_learns_tests(tmp_path):
    ids = [
        "test_base.py::test_linear_regression",
        "test_sparse_coordinate_descent.py::test_sparse_coef",
    ]
    status, output, report = run_harness(tmp_path, "--tests", *ids)
    assert status == 0
    assert [t["id"] for t in report["tests"]] == ids
    for test in report["tests"]:
        assert test["sklearn_outcome"] == "passed"
        assert test["uses_fastreg"] is True  # LinearRegression and ElasticNet are bound
        assert test["status"] in ("passed", "failed")
        if test["status"] == "failed":
            assert test["bucket"] in load_harness_module("suite_classify").BUCKETS
            assert test["first_error"]
    passed = sum(t["status"] == "passed" for t in report["tests"])
    assert (report["passed"], report["denominator"]) == (passed, 2)
    assert {"ElasticNet", "LinearRegression"} <= set(report["bound_names"])
    assert ["ElasticNet" in str(report["bindings"]), report["stale_deselections"]] == [True, []]
    assert f"pass rate: {passed} / 2" in output


def load_harness_module(name):
    spec = importlib.util.spec_from_file_location(name, HARNESS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# (error type, first message line, fastreg estimators used) -> (bucket, sub-reason), the
# messages as scikit-learn, NumPy and fastreg print them.
CLASSIFIED = [
    (
        ("ValueError", "solver must be one of 'auto', 'gd', 'fista', 'lbfgs'; got 'saga'.", []),
        ("unsupported solver name", "saga"),
    ),
    (
        (
            "InvalidParameterError",
            "The 'solver' parameter of Ridge must be a str among {'auto', 'svd'}. Got 'x' "
            "instead.",
            [],
        ),
        ("unsupported solver name", "x"),
    ),
    (
        (
            "TypeError",
            "_LogisticBase.__init__() got an unexpected keyword argument 'penalty'",
            ["LogisticRegression.__init__"],
        ),
        ("unknown parameter or attribute", "LogisticRegression(penalty=)"),
    ),
    (
        (
            "TypeError",
            "_LinearRegressorBase.fit() got an unexpected keyword argument 'check_input'",
            ["ElasticNet.__init__", "ElasticNet.fit"],
        ),
        ("unknown parameter or attribute", "ElasticNet.fit(check_input=)"),
    ),
    (
        ("AttributeError", "'Lasso' object has no attribute 'dual_gap_'", ["Lasso.fit"]),
        ("unknown parameter or attribute", "Lasso.dual_gap_"),
    ),
    (
        ("AttributeError", "'int' object has no attribute 'shape'", ["LogisticRegression.fit"]),
        ("other", "AttributeError: 'int' object has no attribute 'shape'"),
    ),
    (
        (
            "TypeError",
            "Sparse data was passed for X, but dense data is required. Use '.toarray()' to "
            "convert to a dense numpy array.",
            ["Ridge.__init__", "Ridge.fit"],
        ),
        ("sparse input rejected", "Ridge"),
    ),
    (
        (
            "ValueError",
            "y should be a 1d array, got an array of shape (10, 2) instead.",
            ["LinearRegression.fit"],
        ),
        ("2-D y rejected", "LinearRegression"),
    ),
    (
        (
            "Failed",
            "DID NOT WARN. No warnings of type (<class 'sklearn.exceptions.ConvergenceWarning'>,)"
            " were emitted.",
            [],
        ),
        ("message or warning mismatch", "no ConvergenceWarning"),
    ),
    (
        ("AssertionError", "Regex pattern did not match.", []),
        ("message or warning mismatch", "error message differs"),
    ),
    (
        ("ConvergenceWarning", "Lasso did not converge in max_iter=5 iterations", []),
        ("message or warning mismatch", "unexpected ConvergenceWarning"),
    ),
    (
        ("AssertionError", "Not equal to tolerance rtol=1e-07, atol=0", []),
        ("wrong answer (assertion error)", "test_example"),
    ),
    (
        ("Failed", "Timeout (>60.0s) from pytest-timeout.", []),
        ("other", "timeout"),
    ),
]


@pytest.mark.parametrize(("error", "expected"), CLASSIFIED)
def test_classifier_on_real_messages(error, expected):
    kind, message, used = error
    test = {
        "nodeid": "test_module.py::test_example[1-2]",
        "outcome": "failed",
        "error": {"type": kind, "message": message, "full_message": message},
        "fastreg_used": used,
    }
    assert load_harness_module("suite_classify").classify(test) == expected


def test_classifier_looks_inside_failed_cross_validation_fits():
    message = (
        "All the 5 fits failed.\nIt is very likely that your model is misconfigured.\n"
        "Traceback (most recent call last):\n  File ...\n"
        "ValueError: solver must be one of 'auto', 'gd'; got 'saga'.\n"
    )
    test = {
        "nodeid": "test_module.py::test_example",
        "outcome": "failed",
        "error": {
            "type": "ValueError",
            "message": message.splitlines()[0],
            "full_message": message,
        },
        "fastreg_used": ["LogisticRegression.fit"],
    }
    assert load_harness_module("suite_classify").classify(test) == (
        "unsupported solver name",
        "saga",
    )
