# Nothing lost or changed (inputs never written, a failed fit keeps the previous state),
# determinism across runs and thread counts, eight Python threads fitting at once, and
# Ctrl-C during a long fit.
import _thread
import dataclasses
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from estimator_lists import ALL, CLASSIFIERS
from sklearn.exceptions import ConvergenceWarning

import fastreg
from fastreg import (
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
    PolynomialRegression,
    Ridge,
    SoftmaxRegression,
    _kernels,
)
from fastreg._problem import Problem, SolverOptions


def _data(cls, rng, n_samples=200, n_features=4, dtype=np.float64):
    X = rng.normal(size=(n_samples, n_features))
    w = rng.normal(size=n_features)
    if cls in CLASSIFIERS:
        y = np.digitize(X @ w, [-0.5, 0.5])
    else:
        y = (X @ w + 0.1 * rng.normal(size=n_samples)).astype(dtype)
    return X.astype(dtype), y


def _quiet_fit(model, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, **kwargs)


def _use_every_method(model, X, y):
    model.predict(X)
    model.score(X, y)
    for name in ("predict_proba", "predict_log_proba", "decision_function"):
        if hasattr(model, name):
            getattr(model, name)(X)


# ---- nothing lost or changed ------------------------------------------------------------


def _layouts(array, tmp_path, name):
    """The same values as a C array, a Fortran array, a strided view and memmaps."""
    yield "C-contiguous", np.ascontiguousarray(array)
    yield "Fortran", np.asfortranarray(array)
    wide = np.repeat(array, 2, axis=-1) if array.ndim == 2 else np.repeat(array, 2)
    yield "strided view", wide[..., ::2]
    path = tmp_path / f"{name}.dat"
    disk = np.memmap(path, dtype=array.dtype, mode="w+", shape=array.shape)
    disk[...] = array
    disk.flush()
    del disk
    yield "read-only memmap", np.memmap(path, dtype=array.dtype, mode="r", shape=array.shape)
    yield "writeable memmap", np.memmap(path, dtype=array.dtype, mode="r+", shape=array.shape)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls", ALL)
def test_inputs_are_never_written(cls, dtype, rng, tmp_path):
    X0, y0 = _data(cls, rng, dtype=dtype)
    w0 = rng.uniform(0.5, 2.0, size=X0.shape[0]).astype(dtype)
    for (kind, X), (_, y), (_, w) in zip(
        _layouts(X0, tmp_path, "X"),
        _layouts(y0, tmp_path, "y"),
        _layouts(w0, tmp_path, "w"),
        strict=True,
    ):
        before = [(a, a.tobytes(), a.flags.writeable) for a in (X, y, w)]
        model = _quiet_fit(cls(), X, y, sample_weight=w)
        _use_every_method(model, X, y)
        for array, data, writeable in before:
            assert array.tobytes() == data, kind
            assert array.flags.writeable == writeable, kind
        assert X.dtype == dtype and y.dtype == y0.dtype


def _snapshot(model):
    """Everything an estimator holds, as bytes, plus the identity of each attribute."""
    return pickle.dumps(model), {k: id(v) for k, v in vars(model).items()}


def _interrupting_solve(monkeypatch):
    """Route the estimator's solve through the real bridge with a progress function
    that raises KeyboardInterrupt at its first call (as a pending Ctrl-C would)."""
    real_solve = fastreg._base._solve

    def progress(iteration, objective):
        raise KeyboardInterrupt

    def solve(problem, options, *args):
        options = dataclasses.replace(options, progress=progress, progress_interval=0.0)
        return real_solve(problem, options, *args)

    monkeypatch.setattr(fastreg._base, "_solve", solve)


@pytest.mark.parametrize("warm_start", [False, True])
@pytest.mark.parametrize("cls", ALL)
def test_a_failed_fit_leaves_the_fitted_estimator_as_it_was(cls, warm_start, rng, monkeypatch):
    X, y = _data(cls, rng)
    model = _quiet_fit(cls(warm_start=warm_start), X, y)
    snapshot = _snapshot(model)
    failures = [
        ("NaN in X", lambda: model.fit(np.where(X > 1, np.nan, X), y), ValueError),
        ("other shape with NaN", lambda: model.fit(np.full((5, 7), np.nan), y[:5]), ValueError),
        ("bad sample_weight", lambda: model.fit(X, y, sample_weight=-np.ones(len(y))), ValueError),
        ("overflow", lambda: _quiet_fit(model, X * 1e300, y), ValueError),
    ]
    if cls is not PolynomialRegression:  # its features are standardised: no divergence
        failures.append(
            (
                "divergence",
                lambda: model.set_params(solver="gd", learning_rate=1e8).fit(X * 1e3, y),
                ValueError,
            )
        )
    for name, fail, error in failures:
        try:
            fail()
        except error:
            pass
        else:
            if name != "overflow":  # some estimators fit 1e300-scaled X with a warning
                raise AssertionError(f"{name}: no {error.__name__}")
            model = _quiet_fit(cls(warm_start=warm_start), X, y)
            snapshot = _snapshot(model)
            continue
        model.set_params(solver=cls().solver, learning_rate="auto")
        assert _snapshot(model) == snapshot, name
    _interrupting_solve(monkeypatch)
    params = model.get_params()
    with pytest.raises(KeyboardInterrupt):  # GD with tol=0 runs until interrupted
        model.set_params(solver="gd", tol=0.0, max_iter=10**6).fit(X[:, :3] + 1.0, y)
    model.set_params(**params)
    assert _snapshot(model) == snapshot
    monkeypatch.undo()
    refit = _quiet_fit(model, X, y)
    assert refit is model and model.n_features_in_ == X.shape[1]


# ---- determinism ------------------------------------------------------------------------


def _determinism_cases():
    for cls in (Ridge, Lasso, LogisticRegression, SoftmaxRegression, PolynomialRegression):
        for solver in ("gd", "fista", "lbfgs"):
            if solver == "lbfgs" and cls is Lasso:
                continue
            for dtype in (np.float32, np.float64):
                yield cls, solver, dtype
    for cls in (LinearRegression, ElasticNet):
        yield cls, "auto", np.float64


@pytest.fixture(scope="module")
def big_data():
    # More than 2048 rows: the fused pass is cut into several chunks and threads run.
    rng = np.random.default_rng(12345)
    X = rng.normal(size=(6000, 20))
    w = rng.normal(size=20)
    return X, X @ w + rng.normal(size=6000), np.digitize(X @ w, [-1.0, 1.0])


@pytest.mark.parametrize("cls, solver, dtype", list(_determinism_cases()))
def test_bitwise_identical_across_runs_and_thread_counts(cls, solver, dtype, big_data):
    X, y_reg, y_cls = big_data
    X = X[:, :6] if cls is PolynomialRegression else X
    X = X.astype(dtype)
    y = y_cls if cls in CLASSIFIERS else y_reg.astype(dtype)
    fits = [
        _quiet_fit(cls(solver=solver, n_jobs=n_jobs, random_state=0, max_iter=25), X, y)
        for n_jobs in (1, 2, 1, 2)
    ]
    first = fits[0]
    assert first.n_iter_ > 1 or first.method_ == "cholesky"  # a real iterative or exact fit
    for other in fits[1:]:
        assert other.n_iter_ == first.n_iter_
        for name in ("coef_", "intercept_", "loss_curve_"):
            a, b = np.asarray(getattr(first, name)), np.asarray(getattr(other, name))
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), name


# ---- threads ------------------------------------------------------------------------------


def _thread_jobs(rng):
    jobs = []
    for i, cls in enumerate([*ALL, LogisticRegression]):
        X, y = _data(cls, rng, n_samples=3000, n_features=8)
        jobs.append((cls(max_iter=200, solver="gd" if i % 2 else "auto", n_jobs=1), X, y))
    return jobs


def _fit_result(job):
    model, X, y = job
    # No warnings.catch_warnings here: it is not thread-safe (the test filters instead).
    fitted = pickle.loads(pickle.dumps(model)).fit(X, y)
    return tuple(
        np.asarray(getattr(fitted, n)).tobytes() for n in ("coef_", "intercept_", "loss_curve_")
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_eight_threads_get_the_serial_results(rng):
    jobs = _thread_jobs(rng)
    assert len(jobs) == 8
    serial = [_fit_result(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(2):
            concurrent = list(pool.map(_fit_result, jobs))
            assert concurrent == serial


def test_the_solver_releases_the_gil_so_eight_threads_run_at_once():
    # With a huge switch interval the interpreter never takes the GIL away from a thread
    # running Python code: another thread gets it only when its holder releases it (a
    # blocking call, or the compiled solver's `with nogil`). Each of eight threads runs
    # an endless solve whose progress function (called between iterations, under the
    # GIL) records that its thread is inside the solver, and stops the solve once all
    # eight have been seen inside theirs. If a solve held the GIL while computing, the
    # first thread would keep it except during its own callbacks, which never block, so
    # no other thread would get in; its solve gives up after many iterations and the
    # test fails. Nothing here depends on timing.
    n_threads = 8
    inside = set()
    gave_up = []
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2500, 10))  # n * d > 20000: progress checked every iteration
    y = (X[:, 0] > 0).astype(np.float64)

    def endless_solve(index):
        calls = 0

        def progress(iteration, objective):
            nonlocal calls
            calls += 1
            inside.add(index)
            if len(inside) == n_threads:
                return True
            if calls > 200_000:
                gave_up.append(index)
                return True
            return False

        options = SolverOptions(
            "gd",
            learning_rate=1e-3,
            max_iter=10**9,
            tol=0.0,
            progress=progress,
            progress_interval=0.0,
        )
        problem = Problem(_kernels.LOSS_LOGISTIC, X, y)
        _, _, _, n_iter, status = _kernels.solve(
            problem, options, np.zeros((1, X.shape[1])), np.zeros(1)
        )
        return status, n_iter

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        with ThreadPoolExecutor(max_workers=n_threads) as pool:
            results = list(pool.map(endless_solve, range(n_threads)))
    finally:
        sys.setswitchinterval(previous)
    assert not gave_up, f"threads {gave_up} never saw the others inside the solver"
    assert inside == set(range(n_threads))
    assert all(status == _kernels.STATUS_INTERRUPTED for status, _ in results)


# ---- interrupts -----------------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    import fastreg
    from fastreg import _kernels

    n, d, solver = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    X = np.empty((n, d))
    X[...] = np.sin(np.arange(1, d + 1))[None, :]
    X[::2] *= -1.0
    X[:, 0] += np.arange(n) % 7 - 3.0
    y = (np.arange(n) % 2).astype(np.float64)
    start = time.perf_counter()
    _kernels.loss_gradient(_kernels.LOSS_LOGISTIC, X, y, None, np.zeros((1, d)), np.zeros(1), 1)
    print(f"PASS {time.perf_counter() - start:.4f}", flush=True)
    model = fastreg.LogisticRegression(solver=solver, max_iter=10**7, tol=0.0, verbose=1)
    try:
        model.fit(X, y)
    except KeyboardInterrupt:
        print(f"INTERRUPTED {time.monotonic():.6f}", flush=True)
        model.set_params(max_iter=2, verbose=0)
        import warnings
        warnings.simplefilter("ignore")
        model.fit(X[:1000], y[:1000])
        print(f"REFIT {model.n_iter_[0]}", flush=True)  # n_iter_ has shape (1,)
        sys.exit(0)
    sys.exit(3)
    """
)


@pytest.mark.parametrize(
    "n_samples, n_features, solver",
    [(1_000_000, 100, "auto"), (200_000, 50, "gd")],
    ids=["1e6x100-auto", "2e5x50-gd"],
)
def test_sigint_stops_a_long_fit_in_a_subprocess(n_samples, n_features, solver, tmp_path):
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(n_samples), str(n_features), solver],
        cwd=tmp_path,  # `python -c` puts the working directory first on sys.path
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        pass_line = child.stdout.readline()
        assert pass_line.startswith("PASS"), pass_line + child.stderr.read()
        # An "epoch" line is printed from the solver's progress callback: the fit is
        # inside the compiled solver.
        for line in child.stdout:
            if "epoch" in line:
                break
        else:
            raise AssertionError("the fit never reported progress: " + child.stderr.read())
        time.sleep(0.25)  # back inside the epoch loop, away from the callback
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, out + err
    lines = dict(line.split(maxsplit=1) for line in out.splitlines() if line[:1].isupper())
    latency = float(lines["INTERRUPTED"]) - sent
    pass_seconds = float(pass_line.split()[1])
    print(
        f"\nSIGINT latency {latency:.3f} s ({n_samples} x {n_features}, solver={solver}; "
        f"one pass {pass_seconds:.3f} s, signal check every "
        f"{fastreg._base._SIGNAL_CHECK_INTERVAL} s)"
    )
    assert 0 <= latency < 5.0
    # The latency is one check interval plus one iteration's passes.
    assert pass_seconds + fastreg._base._SIGNAL_CHECK_INTERVAL < 5.0
    assert lines["REFIT"].strip() == "2"


def _long_fit_model():
    return LogisticRegression(solver="gd", max_iter=10**8, tol=0.0)


@pytest.mark.parametrize("how", ["interrupt_main", "os.kill", "raise_signal"])
def test_ctrl_c_in_process_keeps_the_fitted_state_and_the_estimator_usable(how, rng, monkeypatch):
    X, y = _data(LogisticRegression, rng, n_samples=3000, n_features=10)
    model = _quiet_fit(_long_fit_model().set_params(max_iter=50), X, y)
    snapshot = _snapshot(model)
    in_solver = threading.Event()
    real_solve = fastreg._base._solve

    def solve(problem, options, *args):
        def progress(iteration, objective):
            in_solver.set()
            if how == "raise_signal":  # the progress function runs on the main thread
                signal.raise_signal(signal.SIGINT)
            return False

        options = dataclasses.replace(options, progress=progress)
        return real_solve(problem, options, *args)

    def interrupt():
        in_solver.wait()
        if how == "interrupt_main":
            _thread.interrupt_main()
        elif how == "os.kill":
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(fastreg._base, "_solve", solve)
    helper = threading.Thread(target=interrupt, daemon=True)
    helper.start()
    params = model.get_params()
    model.set_params(max_iter=10**8)
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    elapsed = time.monotonic() - start
    helper.join(timeout=10)
    assert elapsed < 30  # a runaway fit would run for hours; this only catches that
    model.set_params(**params)  # the parameters it was fitted with
    assert _snapshot(model) == snapshot  # the fitted state is the previous one
    monkeypatch.undo()
    fresh = _quiet_fit(_long_fit_model().set_params(max_iter=50), X, y)
    _quiet_fit(model, X, y)
    np.testing.assert_array_equal(model.coef_, fresh.coef_)
