# suite_plugin: the pytest plugin loaded into both runs of scikit-learn's test modules.
# It writes one JSON line per event to --suite-record (the runner reads it even after a
# crash), skips what an earlier attempt already ran, and keeps only the tests asked for.
# In the fastreg run (--suite-fastreg) it also records, per test, which fastreg
# estimators were constructed or fitted and which bound functions were called, and it
# provides the objects the rewritten test modules bind their imports to. In the
# scikit-learn run (--suite-watch-sklearn) it records the same for scikit-learn's objects
# of those names, so that the fastreg run can leave out the tests that touch none.
#
# Design decisions:
#   a. A test's key is its function's node id plus the index of every parameter in its
#      parametrisation, not its printed id: parameter ids print the bound estimator
#      (fastreg's repr may differ from scikit-learn's), the indices do not.
#   b. Usage is recorded by wrapping __init__ and fit of every public fastreg class (and
#      the fastreg bases they inherit them from) with functools.wraps, so scikit-learn's
#      get_params, clone and signature inspection see the original signature.
#   c. A test whose parameters hold a fastreg class or instance (built when the module
#      was imported) uses fastreg too, even if it constructs and fits nothing itself.
#   d. Every record is flushed as soon as it is written: a hang or a crash loses at most
#      the test that was running, which the runner then records as such.
import functools
import inspect
import json
import os
import sys
import time
import types
import weakref

import pytest

# fastreg names used by the test that is running ("Ridge.__init__", "lasso_path", ...).
_USED = set()
_BOUND_FUNCTIONS = {}
_RECORD = None
_CURRENT_KEY = None
_INSTRUMENTED = False
# The scikit-learn run: the run directory, and the objects the tests themselves made.
_TEST_DIR = "\0"
_TESTS_OBJECTS = weakref.WeakSet()
# Per item: its key, and its outcome and first error as the phases report them.
_KEY = pytest.StashKey[str]()
_STATE = pytest.StashKey[dict]()


def pytest_addoption(parser):
    group = parser.getgroup("sklearn_suite", "fastreg's scikit-learn suite harness")
    group.addoption("--suite-record", help="JSON-lines file the events are appended to")
    group.addoption("--suite-keep", help="file of test keys to run (one a line); others go")
    group.addoption("--suite-done", help="file of test keys already run (one a line)")
    group.addoption(
        "--suite-fastreg",
        action="store_true",
        help="record fastreg usage per test (the fastreg run)",
    )
    group.addoption(
        "--suite-watch-sklearn",
        action="store_true",
        help="record per test which of scikit-learn's objects of the bound names were "
        "constructed, fitted or called (the scikit-learn run)",
    )
    group.addoption(
        "--suite-bind-globals",
        action="store_true",
        help="bind fastreg names by patching each test module's globals after import "
        "(the alternative to rewriting the copied files; for measuring the difference)",
    )


def _write(record):
    if _RECORD is not None:
        _RECORD.write(json.dumps(record) + "\n")
        _RECORD.flush()


def _read_keys(path):
    if not path:
        return None
    with open(path) as handle:
        return {line.rstrip("\n") for line in handle if line.strip()}


def fastreg_names():
    """Public fastreg names that scikit-learn's linear_model also exports."""
    import sklearn.linear_model

    import fastreg

    return sorted(set(fastreg.__all__) & set(dir(sklearn.linear_model)))


def _note_use(name):
    """Add ``name`` to the running test's usage record."""
    if name not in _USED:
        _USED.add(name)
        # Written at once: a test that then crashes or hangs still counts as using it.
        _write({"event": "used", "key": _CURRENT_KEY, "name": name})


def _recording(function, label):
    """``function`` wrapped so that a call adds ``label(args)`` to the usage record."""

    @functools.wraps(function)
    def recorded(*args, **kwargs):
        _note_use(label(args))
        return function(*args, **kwargs)

    recorded.__suite_original__ = function
    return recorded


def _method_label(method):
    """Usage label of a method call: the instance's class and the method."""
    return lambda args: f"{type(args[0]).__name__}.{method}"


def _function_label(name):
    """Usage label of a function call: its name."""
    return lambda args: name


def _instrument_fastreg():
    """Wrap __init__ and fit of fastreg's public classes; wrap its bound functions."""
    global _INSTRUMENTED
    if _INSTRUMENTED:
        return
    _INSTRUMENTED = True
    import fastreg

    for name in fastreg.__all__:
        obj = getattr(fastreg, name)
        if inspect.isclass(obj):
            for klass in obj.__mro__:
                if not klass.__module__.startswith("fastreg"):
                    continue
                for method in ("__init__", "fit"):
                    function = klass.__dict__.get(method)
                    if function is None or hasattr(function, "__suite_original__"):
                        continue
                    setattr(klass, method, _recording(function, _method_label(method)))
        elif callable(obj):
            _BOUND_FUNCTIONS[name] = _recording(obj, _function_label(name))


def _from_tests(frame):
    """Whether ``frame`` runs code of a test module (the run directory holds only those)."""
    return frame.f_code.co_filename.startswith(_TEST_DIR)


def _watched(function, label, constructor):
    """``function`` of scikit-learn wrapped to record calls that stand for the fastreg run's.

    In the fastreg run only the test module's own names are fastreg's, so what counts here
    is what the test itself does: an object constructed by test code or cloned from such
    an object (it is "the test's"), and a fit of the test's object or called by test code.
    scikit-learn constructing its own estimators inside (RidgeCV its Ridge) does not count.
    """

    @functools.wraps(function)
    def watched(*args, **kwargs):
        caller = sys._getframe(1)
        self = args[0] if args else None
        if constructor:
            ours = _from_tests(caller) or (
                caller.f_code.co_name == "_clone_parametrized"
                and caller.f_locals.get("estimator") in _TESTS_OBJECTS
            )
            if ours or self in _TESTS_OBJECTS:
                _TESTS_OBJECTS.add(self)
                _note_use(label(args))
        elif self in _TESTS_OBJECTS or _from_tests(caller):
            _note_use(label(args))
        return function(*args, **kwargs)

    watched.__suite_original__ = function
    return watched


def _watch_sklearn():
    """Wrap, in scikit-learn, what ``_instrument_fastreg`` wraps in fastreg.

    The scikit-learn run then knows which tests would use fastreg once its names are
    bound (see ``_watched``); only those need the fastreg run. The wrappers record and
    delegate, nothing else.
    """
    global _INSTRUMENTED
    if _INSTRUMENTED:
        return
    _INSTRUMENTED = True
    import sklearn.linear_model

    for name in fastreg_names():
        obj = getattr(sklearn.linear_model, name)
        if inspect.isclass(obj):
            for method in ("__init__", "fit"):
                owner = next((k for k in obj.__mro__ if method in k.__dict__), None)
                function = owner.__dict__[method] if owner else None
                if owner is object or function is None or hasattr(function, "__suite_original__"):
                    continue
                wrapped = _watched(function, _method_label(method), method == "__init__")
                setattr(owner, method, wrapped)
        elif callable(obj):
            setattr(sklearn.linear_model, name, _recording(obj, _function_label(name)))


def fastreg_object(name):
    """The fastreg object a rewritten test module binds ``name`` to."""
    import fastreg

    return _BOUND_FUNCTIONS.get(name) or getattr(fastreg, name)


class _ModuleView(types.ModuleType):
    """A module that shows ``overrides`` and otherwise the attributes of ``real``."""

    def __init__(self, real, overrides):
        super().__init__(real.__name__, real.__doc__)
        self.__dict__["_suite_real"] = real
        self.__dict__.update(overrides)

    def __getattr__(self, name):
        return getattr(self.__dict__["_suite_real"], name)

    def __dir__(self):
        return sorted(set(dir(self.__dict__["_suite_real"])) | set(self.__dict__))


def linear_model_view():
    """``sklearn.linear_model`` as a test module sees it: fastreg's names are fastreg's."""
    import sklearn.linear_model

    overrides = {name: fastreg_object(name) for name in fastreg_names()}
    return _ModuleView(sklearn.linear_model, overrides)


def sklearn_view():
    """``sklearn`` as a test module sees it: ``sklearn.linear_model`` is the view above."""
    import sklearn
    import sklearn.linear_model  # the submodule attribute must exist

    return _ModuleView(sklearn, {"linear_model": linear_model_view()})


def _is_unbound(value, names):
    """Whether ``value`` is scikit-learn's class (or an instance of it) of a fastreg name."""
    klass = value if inspect.isclass(value) else type(value)
    return klass.__module__.startswith("sklearn.") and klass.__name__ in names


def _is_fastreg(value):
    """Whether ``value`` is a fastreg class or an instance of one."""
    klass = value if inspect.isclass(value) else type(value)
    return klass.__module__.split(".")[0] == "fastreg"


def _parameters_where(item, predicate):
    """Parameter names of ``item`` whose value (or an element of it) satisfies ``predicate``."""
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return []
    found = []
    for argname, value in callspec.params.items():
        values = value if isinstance(value, list | tuple) else [value]
        if any(predicate(v) for v in values):
            found.append(argname)
    return found


def item_key(item):
    """Identity of a test that does not depend on how its parameters print."""
    base = f"{item.parent.nodeid}::{getattr(item, 'originalname', item.name)}"
    callspec = getattr(item, "callspec", None)
    if callspec is None or not callspec.indices:
        return base
    indices = ",".join(f"{k}={v}" for k, v in sorted(callspec.indices.items()))
    return f"{base}[{indices}]"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    global _RECORD, _TEST_DIR
    path = config.getoption("--suite-record")
    if path:
        _RECORD = open(path, "a")  # kept open for the whole session
    if config.getoption("--suite-fastreg"):
        _instrument_fastreg()
    elif config.getoption("--suite-watch-sklearn"):
        _TEST_DIR = str(config.rootpath) + os.sep
        _watch_sklearn()


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    # The alternative binding, for measurement only: patch the module's globals once it
    # is imported, before its items are collected (decorators have already run).
    if isinstance(collector, pytest.Module) and collector.config.getoption("--suite-bind-globals"):
        try:
            module = collector.obj
        except Exception:
            module = None
        if module is not None:
            for name in fastreg_names():
                if name in vars(module):
                    setattr(module, name, fastreg_object(name))
            if isinstance(vars(module).get("linear_model"), types.ModuleType):
                module.linear_model = linear_model_view()
    return (yield)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    keep = _read_keys(config.getoption("--suite-keep"))
    done = _read_keys(config.getoption("--suite-done")) or set()
    fastreg_run = config.getoption("--suite-fastreg")
    watching = fastreg_run or config.getoption("--suite-watch-sklearn")
    names = set(fastreg_names()) if watching else set()
    selected, deselected = [], []
    for item in items:
        key = item_key(item)
        item.stash[_KEY] = key
        if (keep is not None and key not in keep) or key in done:
            deselected.append(item)
            continue
        selected.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
    for item in selected:
        record = {"event": "collected", "key": item.stash[_KEY], "nodeid": item.nodeid}
        if fastreg_run:
            record["unbound"] = _parameters_where(item, lambda v: _is_unbound(v, names))
            record["fastreg_params"] = _parameters_where(item, _is_fastreg)
        elif names:  # scikit-learn's objects that the fastreg run replaces
            record["bound_params"] = _parameters_where(item, lambda v: _is_unbound(v, names))
        _write(record)


def pytest_collectreport(report):
    if report.failed:
        _write({"event": "collect_error", "nodeid": report.nodeid, "error": str(report.longrepr)})


def pytest_runtest_logstart(nodeid, location):
    _USED.clear()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    global _CURRENT_KEY
    _CURRENT_KEY = item.stash[_KEY]
    item.stash[_STATE] = {"outcome": None, "error": None, "start": time.perf_counter()}
    _write({"event": "start", "key": item.stash[_KEY], "nodeid": item.nodeid})


def _short_location(entry):
    """``package/module.py:line`` of a traceback entry (a test module: its file name)."""
    path = os.path.realpath(str(entry.path))
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif "/fastreg/" in path:
        path = "fastreg/" + path.rsplit("/fastreg/", 1)[1]
    else:
        path = os.path.basename(path)
    return f"{path}:{entry.lineno + 1}"


def _head_and_tail(message, size=1500):
    """``message``, or its start and end if long (cross-validation puts the error of its
    failed fits at the end)."""
    return message if len(message) <= 2 * size else f"{message[:size]}\n...\n{message[-size:]}"


def _error_details(item, excinfo):
    """Type, first message line and locations of the exception that failed a test."""
    message = str(excinfo.value).strip()
    first_line = next((line for line in message.splitlines() if line.strip()), "")
    test_file = os.path.realpath(str(item.path))
    entries = list(excinfo.traceback)
    in_test = [e for e in entries if os.path.realpath(str(e.path)) == test_file]
    return {
        "type": excinfo.type.__name__,
        "message": first_line[:500],
        "full_message": _head_and_tail(message),
        "test_line": _short_location(in_test[-1]) if in_test else None,
        "raised_at": _short_location(entries[-1]) if entries else None,
    }


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    state = item.stash.get(_STATE, None)
    if state is None:
        return report
    xfailed = report.skipped and hasattr(report, "wasxfail")
    if (report.failed or xfailed) and state["error"] is None and call.excinfo is not None:
        state["error"] = _error_details(item, call.excinfo)
        state["error"]["phase"] = report.when
    if report.when == "call" or report.failed or report.skipped:
        if hasattr(report, "wasxfail"):
            outcome = "xpassed" if report.passed else "xfailed"
        elif report.skipped:
            outcome = "skipped"
        elif report.failed:
            outcome = "failed" if report.when == "call" else "error"
        else:
            outcome = "passed"
        # The first failing phase decides (a teardown error after a pass is an error).
        if state["outcome"] in (None, "passed"):
            state["outcome"] = outcome
    if report.skipped and state["error"] is None:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        state["error"] = {"type": "Skipped", "message": str(reason)[:500], "phase": report.when}
    if report.when == "teardown":  # fixtures (setup and teardown) count as part of the test
        _write(
            {
                "event": "end",
                "key": item.stash[_KEY],
                "nodeid": item.nodeid,
                "outcome": state["outcome"] or "passed",
                "error": state["error"],
                "fastreg_used": sorted(_USED),
                "seconds": round(time.perf_counter() - state["start"], 3),
            }
        )
    return report


def pytest_unconfigure(config):
    global _RECORD
    if _RECORD is not None:
        _RECORD.close()
        _RECORD = None
    sys.stdout.flush()
