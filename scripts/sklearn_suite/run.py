"""Run scikit-learn's own linear-model tests against fastreg's estimators.

The installed scikit-learn's test modules are copied into a temporary directory and run
twice: once as they are (which tests pass with scikit-learn on this machine), and once
with every name they import from sklearn.linear_model that fastreg also exports bound to
fastreg's object. The pass rate is over the tests that pass with scikit-learn, construct
or fit a fastreg estimator in the fastreg run (or take one as a parameter), and are not
deselected (deselected.txt, each with its reason). The fastreg run leaves out the tests
that touched no scikit-learn object of a bound name in the scikit-learn run: they cannot
touch a fastreg one. ``--check`` fails below the committed minimum (min_pass_rate.txt) or
when the deselection file names tests that no longer exist.

Usage: python scripts/sklearn_suite/run.py [--check] [--json REPORT] [--tests ID ...]
"""

import argparse
import hashlib
import json
import os
import pathlib
import platform
import shutil
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import suite_classify  # noqa: E402
import suite_report  # noqa: E402
from suite_plugin import fastreg_names  # noqa: E402
from suite_runs import WATCHDOG_GRACE, lay_out, read_record, run_pytest  # noqa: E402

MODULES = [
    "test_base",
    "test_common",
    "test_coordinate_descent",
    "test_logistic",
    "test_ridge",
    "test_sparse_coordinate_descent",
]
ROOT = HERE.parents[1]
DEFAULT_WORKDIR = ROOT / "build" / "sklearn_suite"
PASSING = ("passed", "xpassed")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 below the minimum")
    parser.add_argument("--json", type=pathlib.Path, help="write the report here")
    parser.add_argument(
        "--tests",
        nargs="+",
        metavar="ID",
        help="only these node ids or files (e.g. test_ridge.py::test_ridge_shapes)",
    )
    parser.add_argument(
        "--modules", nargs="+", default=MODULES, help="test modules (default: the six)"
    )
    parser.add_argument(
        "--source-dir",
        type=pathlib.Path,
        help="where the test modules are (default: the installed sklearn/linear_model/tests)",
    )
    parser.add_argument("--deselect", type=pathlib.Path, default=HERE / "deselected.txt")
    parser.add_argument("--minimum", type=pathlib.Path, default=HERE / "min_pass_rate.txt")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per test")
    parser.add_argument(
        "--watchdog-grace",
        type=float,
        default=WATCHDOG_GRACE,
        help="seconds past --timeout before a test that ignores the timeout is killed",
    )
    parser.add_argument(
        "--workdir",
        type=pathlib.Path,
        default=DEFAULT_WORKDIR,
        help="cache and run directories (default: build/sklearn_suite)",
    )
    parser.add_argument("--no-cache", action="store_true", help="rerun scikit-learn too")
    parser.add_argument(
        "--no-prune",
        action="store_true",
        help="run every test that passes with scikit-learn in the fastreg run too, not only "
        "those that touch a bound name (to check that leaving the others out loses none)",
    )
    parser.add_argument("--keep-runs", action="store_true", help="keep the run directories")
    parser.add_argument(
        "--binding",
        choices=["rewrite", "globals"],
        default="rewrite",
        help="rewrite: rebind in the copied files (default); globals: patch each module's "
        "globals after import (misses names used at import time; for comparison)",
    )
    return parser.parse_args(argv)


def _sklearn_cache_key(args, sources, names):
    """Everything the scikit-learn run's outcome depends on, hashed."""
    import numpy
    import scipy
    import sklearn

    digest = hashlib.sha256()
    for part in [
        sklearn.__version__,
        numpy.__version__,
        scipy.__version__,
        platform.python_version(),
        platform.machine(),
        repr(args.tests),
        repr(args.timeout),
        repr(names),
        (HERE / "suite_plugin.py").read_text(),
        (HERE / "suite_runs.py").read_text(),
        *(source.read_text() for source in sources),
    ]:
        digest.update(part.encode())
        digest.update(b"\0")
    return f"sklearn-{sklearn.__version__}-{digest.hexdigest()[:16]}"


def _targets(args):
    return args.tests or [f"{name}.py" for name in args.modules]


def run_sklearn(args, sources, work, names):
    """The scikit-learn run's events (from the cache when it matches)."""
    cache = args.workdir / "cache" / f"{_sklearn_cache_key(args, sources, names)}.jsonl"
    if cache.exists() and not args.no_cache:
        return read_record(cache), 0.0, True
    run_dir = work / "sklearn"
    lay_out(run_dir, sources)
    record = work / "sklearn.jsonl"
    start = time.perf_counter()
    run_pytest(
        run_dir,
        _targets(args),
        record,
        work / "sklearn.log",
        timeout=args.timeout,
        grace=args.watchdog_grace,
        extra_args=["--suite-watch-sklearn"],
    )
    seconds = time.perf_counter() - start
    cache.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(record, cache)
    return read_record(record), seconds, False


def run_fastreg(args, sources, work, keep_keys, names):
    """The fastreg run's events over ``keep_keys``, and the rebindings made."""
    run_dir = work / "fastreg"
    bindings = lay_out(run_dir, sources, bind_names=None if args.binding == "globals" else names)
    keep_file = work / "fastreg-keep.txt"
    keep_file.write_text("".join(f"{key}\n" for key in sorted(keep_keys)))
    record = work / "fastreg.jsonl"
    extra = ["--suite-fastreg", f"--suite-keep={keep_file}"]
    if args.binding == "globals":
        extra.append("--suite-bind-globals")
    start = time.perf_counter()
    if keep_keys:
        run_pytest(
            run_dir,
            _targets(args),
            record,
            work / "fastreg.log",
            timeout=args.timeout,
            grace=args.watchdog_grace,
            extra_args=extra,
        )
    return read_record(record), time.perf_counter() - start, bindings


def main(argv=None):
    args = parse_args(argv)
    started = time.perf_counter()
    import sklearn

    import fastreg

    source_dir = (
        args.source_dir or pathlib.Path(sklearn.__file__).parent / "linear_model" / "tests"
    )
    sources = [source_dir / f"{name}.py" for name in args.modules]
    missing = [str(s) for s in sources if not s.exists()]
    if missing:
        sys.exit(f"sklearn_suite: test modules not found: {missing}")
    deselection = suite_report.read_deselection(args.deselect)
    minimum = suite_report.read_minimum(args.minimum)
    names = fastreg_names()
    args.workdir.mkdir(parents=True, exist_ok=True)
    work = pathlib.Path(tempfile.mkdtemp(prefix="run-", dir=args.workdir))
    try:
        sk_events, sk_seconds, cached = run_sklearn(args, sources, work, names)
        sk_tests = suite_report.outcomes(sk_events)
        deselected = suite_report.match_deselection(deselection, sk_tests)
        # Only what passes with scikit-learn, is not deselected and touches a bound name.
        keep = {
            key
            for key, test in sk_tests.items()
            if test["outcome"] in PASSING
            and key not in deselected
            and (args.no_prune or test["fastreg_used"] or test["bound_params"])
        }
        fr_events, fr_seconds, bindings = run_fastreg(args, sources, work, keep, names)
    finally:
        if not args.keep_runs:
            shutil.rmtree(work, ignore_errors=True)
    fr_tests = suite_report.outcomes(fr_events)
    report = suite_report.build(
        sk_tests=sk_tests,
        fr_tests=fr_tests,
        deselected=deselected,
        deselection=deselection,
        collect_errors={
            "sklearn": [e for e in sk_events if e["event"] == "collect_error"],
            "fastreg": [e for e in fr_events if e["event"] == "collect_error"],
        },
        unbound=suite_report.unbound(fr_events),
        classify=suite_classify.classify,
        versions={
            "sklearn": sklearn.__version__,
            "fastreg": fastreg.__version__,
            "python": platform.python_version(),
        },
        bound_names=names,
        bindings=bindings,
        seconds={
            "sklearn_run": round(sk_seconds, 1),
            "sklearn_run_cached": cached,
            "fastreg_run": round(fr_seconds, 1),
            "total": round(time.perf_counter() - started, 1),
        },
        minimum=minimum,
        binding=args.binding,
        fastreg_run_size=len(keep),
        full_run=set() if args.tests else {f"{name}.py" for name in args.modules},
    )
    suite_report.print_report(report, sys.stdout)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1) + "\n")
        print(f"report written to {args.json}")
    if args.check:
        problems = suite_report.check(report)
        for problem in problems:
            print(f"sklearn_suite --check: FAILED: {problem}")
        if problems:
            return 1
        print(f"sklearn_suite --check: passed (minimum {100 * minimum:.1f} %)")
    return 0


if __name__ == "__main__":
    # The test processes inherit it: set iteration order, and so parametrisations built
    # from sets, is the same in both runs and from one run to the next.
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
