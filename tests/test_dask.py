# Fitting on Dask collections: the kernels' FR_CALLER data kind (passes supplied by the
# caller) against the same rows in memory, then the estimators on a LocalCluster of two
# worker processes (one thread each): the same coefficients as the in-memory fit of the
# same data, bitwise the same coefficients whatever the scheduling, lazy predictions,
# the input checks, and a fit that survives a killed worker.
import os
import signal
import threading
import time

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import fastreg
from fastreg import _dask_passes, _kernels
from fastreg._problem import CallerData, Penalty, Problem, SolverOptions

RTOL = 1e-8  # the in-memory fit of the same data, same objective, solver and tol


def relative_gap(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


# ---- the FR_CALLER data kind, with the passes run in this process --------------------


class InMemoryPasses(CallerData):
    """Rows in memory reached only through caller passes, counting them."""

    def __init__(self, X, y, sample_weight=None, fail_at=None):
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.shape, self.dtype = X.shape, X.dtype
        self.passes, self.fail_at = 0, fail_at

    def loss_gradient(self, loss, n_outputs, loss_param, coef, intercept, with_gradient):
        self.passes += 1
        if self.passes == self.fail_at:
            raise RuntimeError("a worker holding blocks was lost for good")
        return _kernels.loss_gradient(
            loss, self.X, self.y, self.sample_weight, coef, intercept, 1, loss_param
        )

    def column_means(self):
        return _kernels.column_means(0, self.X, self.y, self.sample_weight, 1)


def logistic_problem(rng, n=3000, d=6, dtype=np.float64):
    X = (rng.standard_normal((n, d)) + 2.0).astype(dtype)
    y = (X @ rng.standard_normal(d) + rng.standard_normal(n) > 2.0).astype(dtype)
    return X, y, rng.random(n).astype(dtype)


@pytest.mark.parametrize("solver", ["lbfgs", "fista", "gd"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_caller_passes_run_the_in_memory_iterations(rng, solver, dtype):
    X, y, s = logistic_problem(rng, dtype=dtype)
    options = SolverOptions(solver, Penalty(l2=1e-3), tol=1e-9, max_iter=300)
    start = np.zeros((1, X.shape[1])), np.zeros(1)
    dense = _kernels.solve(Problem(_kernels.LOSS_LOGISTIC, X, y, s), options, *map(np.copy, start))
    data = InMemoryPasses(X, y, s)
    caller = _kernels.solve(
        Problem(_kernels.LOSS_LOGISTIC, data, None), options, *map(np.copy, start)
    )
    assert caller[3] == dense[3]  # the same number of iterations
    assert data.passes >= caller[3]  # every pass went through the caller
    assert relative_gap(caller[0], dense[0]) < 1e-10
    assert relative_gap(caller[1], dense[1]) < 1e-10


def test_a_failed_caller_pass_stops_the_solve_and_its_error_is_raised(rng):
    X, y, s = logistic_problem(rng)
    data = InMemoryPasses(X, y, s, fail_at=4)
    options = SolverOptions("lbfgs", Penalty(l2=1e-3), tol=1e-12, max_iter=500)
    with pytest.raises(RuntimeError, match="lost for good"):
        _kernels.solve(
            Problem(_kernels.LOSS_LOGISTIC, data, None), options, np.zeros((1, 6)), np.zeros(1)
        )
    assert data.passes == 4  # no pass after the failed one


def test_the_bridge_checks_what_a_caller_pass_returns(rng):
    class ShortGradient(InMemoryPasses):
        def loss_gradient(self, *args):
            value, grad_coef, grad_intercept = super().loss_gradient(*args)
            return value, grad_coef[:, :-1], grad_intercept

    X, y, _ = logistic_problem(rng)
    options = SolverOptions("lbfgs", Penalty(l2=1e-3))
    with pytest.raises(ValueError, match="returned 5 values for the gradient"):
        _kernels.solve(
            Problem(_kernels.LOSS_LOGISTIC, ShortGradient(X, y), None),
            options,
            np.zeros((1, 6)),
            np.zeros(1),
        )


# ---- estimators on a LocalCluster ------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


def blocks(array, rows=700):
    return da.from_array(array, chunks=(rows, *array.shape[1:]))


@pytest.fixture(scope="module")
def classification():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((3000, 5)) * [1.0, 2.0, 0.5, 1.0, 3.0] + [1.0, -2.0, 0.0, 5.0, 0.5]
    scores = X @ [0.8, -0.4, 1.5, 0.3, -0.2] - 1.0 + rng.logistic(size=3000)
    y = np.digitize(scores, [-1.0, 1.0])  # three classes
    return X, y, rng.uniform(0.5, 2.0, size=3000)


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(11)
    X = rng.standard_normal((2500, 4)) * [1.0, 3.0, 0.3, 2.0] + [2.0, 0.0, -1.0, 4.0]
    y = X @ [1.5, -0.7, 2.0, 0.1] + 3.0 + rng.standard_normal(2500)
    return X, y, rng.uniform(0.5, 2.0, size=2500)


def scheduler(where):
    """The cluster, or Dask's synchronous scheduler for the fits of many passes: the
    passes are the same code there and give bitwise the cluster's result (see
    test_results_do_not_depend_on_scheduling), in a fraction of the time."""
    if where == "cluster":
        return dask.config.set({})
    return dask.config.set(scheduler="synchronous")


BINARY, THREE_CLASSES = "binary", "three classes"
CLASSIFIERS = [  # string labels for the binary problems
    (fastreg.LogisticRegression, {"C": 0.5, "tol": 1e-10}, BINARY, "cluster"),
    (fastreg.LogisticRegression, {"C": 0.5, "tol": 1e-10}, THREE_CLASSES, "synchronous"),
    (
        fastreg.LogisticRegression,
        {"C": np.inf, "tol": 1e-10, "class_weight": "balanced"},
        BINARY,
        "synchronous",
    ),
    (
        fastreg.SoftmaxRegression,
        {"tol": 1e-10, "fit_intercept": False},
        THREE_CLASSES,
        "synchronous",
    ),
    (
        fastreg.LogisticRegression,
        {"C": 0.05, "l1_ratio": 0.5, "solver": "fista", "tol": 1e-7},
        BINARY,
        "synchronous",
    ),
    (fastreg.LogisticRegression, {"C": 0.5, "solver": "sag", "tol": 1e-6}, BINARY, "synchronous"),
    (
        fastreg.LogisticRegression,
        {"solver": "gd", "learning_rate": 0.5, "max_iter": 40},
        BINARY,
        "synchronous",
    ),
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # gd's max_iter
@pytest.mark.parametrize(("cls", "params", "labels", "where"), CLASSIFIERS)
def test_classifiers_match_the_in_memory_fit(client, classification, cls, params, labels, where):
    X, y, s = classification
    if labels == BINARY:
        y = np.where(y == 2, "yes", "no")
    in_memory = cls(**params).fit(X, y, sample_weight=s)
    with scheduler(where):
        on_dask = cls(**params).fit(blocks(X), blocks(y), sample_weight=blocks(s))
    np.testing.assert_array_equal(on_dask.classes_, in_memory.classes_)
    assert on_dask.coef_.shape == in_memory.coef_.shape
    assert relative_gap(on_dask.coef_, in_memory.coef_) < RTOL
    assert relative_gap(on_dask.intercept_ + 1.0, in_memory.intercept_ + 1.0) < RTOL
    assert relative_gap(on_dask.loss_curve_[-1], in_memory.loss_curve_[-1]) < RTOL
    if params.get("solver") == "gd":  # fixed steps: the same iterations, one by one
        assert on_dask.n_iter_ == in_memory.n_iter_
        assert relative_gap(on_dask.loss_curve_, in_memory.loss_curve_) < RTOL


EXACT, ITERATIVE, COORDINATE_DESCENT = "exact", "iterative", "coordinate descent"
REGRESSORS = [
    (fastreg.LinearRegression, {}, EXACT, "cluster"),
    (fastreg.LinearRegression, {"solver": "lstsq"}, EXACT, "cluster"),
    (fastreg.Ridge, {"alpha": 30.0}, EXACT, "cluster"),
    (fastreg.Ridge, {"alpha": 30.0, "solver": "svd"}, EXACT, "cluster"),
    (fastreg.Ridge, {"alpha": 30.0, "fit_intercept": False}, EXACT, "cluster"),
    (fastreg.Ridge, {"alpha": 30.0, "positive": True}, EXACT, "cluster"),
    (fastreg.PolynomialRegression, {"degree": 2, "alpha": 1.0}, EXACT, "cluster"),
    (fastreg.PolynomialRegression, {"degree": 4}, EXACT, "cluster"),  # refined
    (fastreg.Ridge, {"alpha": 3.0, "solver": "lbfgs", "tol": 1e-10}, ITERATIVE, "cluster"),
    (fastreg.Lasso, {"alpha": 0.3, "tol": 1e-8}, COORDINATE_DESCENT, "cluster"),
    (
        fastreg.ElasticNet,
        {"alpha": 0.3, "l1_ratio": 0.8, "tol": 1e-8, "positive": True},
        COORDINATE_DESCENT,
        "cluster",
    ),
]


@pytest.mark.parametrize(("cls", "params", "kind", "where"), REGRESSORS)
def test_regressors_match_the_in_memory_fit(client, regression, cls, params, kind, where):
    # The exact solves on the map-reduced statistics against the same solves in memory
    # (the same method, refinement or fallback), coordinate descent on the Gram matrix
    # against the in-memory default, iterative solvers against the same solver.
    X, y, s = regression
    in_memory = cls(**params).fit(X, y, sample_weight=s)
    with scheduler(where):
        on_dask = cls(**params).fit(blocks(X), blocks(y), sample_weight=blocks(s))
    assert on_dask.coef_.shape == in_memory.coef_.shape
    assert relative_gap(on_dask.coef_, in_memory.coef_) < RTOL
    assert abs(on_dask.intercept_ - in_memory.intercept_) <= RTOL * max(1.0, abs(y).max())
    assert relative_gap(on_dask.loss_curve_[-1], in_memory.loss_curve_[-1]) < RTOL
    if kind == EXACT:
        assert on_dask.n_iter_ == 1
        assert on_dask.method_ == in_memory.method_
    if kind == COORDINATE_DESCENT:
        assert on_dask.n_iter_ == in_memory.n_iter_
        assert on_dask.dual_gap_ == pytest.approx(in_memory.dual_gap_, rel=1e-6, abs=1e-12)


def test_collinear_columns_get_the_minimum_norm_solution(client, regression):
    # A singular Gram matrix sends the exact solve to the data: on Dask, to the R factor
    # of the weighted centred blocks, with the in-memory lstsq's minimum-norm answer.
    X, y, s = regression
    X = np.hstack([X, X[:, :1] * 2.0])
    in_memory = fastreg.LinearRegression().fit(X, y, sample_weight=s)
    on_dask = fastreg.LinearRegression().fit(blocks(X), blocks(y), sample_weight=blocks(s))
    assert in_memory.method_ == on_dask.method_ == "lstsq"
    assert relative_gap(on_dask.coef_, in_memory.coef_) < 1e-7
    assert abs(on_dask.intercept_ - in_memory.intercept_) < 1e-7 * abs(y).max()


def test_float32_stays_float32(client, classification):
    X, y, _ = classification
    X = X.astype(np.float32)
    in_memory = fastreg.LogisticRegression(tol=1e-6).fit(X, y)
    with scheduler("synchronous"):
        on_dask = fastreg.LogisticRegression(tol=1e-6).fit(blocks(X), blocks(y))
    assert on_dask.coef_.dtype == np.float32
    assert relative_gap(on_dask.coef_, in_memory.coef_) < 1e-5


def fit_coefficients(model, X, y, s):
    fitted = model.fit(X, y, sample_weight=s)
    return np.concatenate([np.ravel(fitted.coef_), np.ravel(fitted.intercept_)])


def test_results_do_not_depend_on_scheduling(client, classification, monkeypatch):
    # The same blocks give bitwise the same fit on the cluster and on Dask's synchronous
    # scheduler, and so do they when the workers pre-reduce fixed segments of blocks.
    X, y, s = classification
    Xd, yd, sd = blocks(X, 300), blocks(y == 2, 300), blocks(s, 300)
    model = fastreg.LogisticRegression(C=0.5, tol=1e-8)
    on_cluster = fit_coefficients(model, Xd, yd, sd)
    with dask.config.set(scheduler="synchronous"):
        synchronous = fit_coefficients(model, Xd, yd, sd)
    np.testing.assert_array_equal(on_cluster, synchronous)
    monkeypatch.setattr(_dask_passes, "_GATHER_LIMIT", 40)  # segments of 3 blocks
    segmented = fit_coefficients(model, Xd, yd, sd)
    with dask.config.set(scheduler="synchronous"):
        np.testing.assert_array_equal(segmented, fit_coefficients(model, Xd, yd, sd))
    assert relative_gap(segmented, on_cluster) < RTOL


def test_predictions_are_lazy_and_match_in_memory(client, classification):
    X, y, s = classification
    Xd = blocks(X)
    in_memory = fastreg.LogisticRegression(C=0.5).fit(X, y)
    with scheduler("synchronous"):  # the fit; the predictions run on the cluster
        on_dask = fastreg.LogisticRegression(C=0.5).fit(Xd, blocks(y))
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        lazy = getattr(on_dask, method)(Xd)
        assert isinstance(lazy, da.Array), method
        assert lazy.chunks[0] == Xd.chunks[0]
        expected = getattr(in_memory, method)(X)
        assert lazy.shape == expected.shape and lazy.dtype == expected.dtype
        computed = lazy.compute()
        if method == "predict":
            np.testing.assert_array_equal(computed, expected)
        else:
            np.testing.assert_allclose(computed, expected, rtol=1e-7, atol=1e-9)
    score = on_dask.score(Xd, blocks(y), sample_weight=blocks(s))
    assert isinstance(score, float)
    assert score == pytest.approx(in_memory.score(X, y, sample_weight=s), abs=1e-12)


def test_regressor_predict_and_score(client, regression):
    X, y, s = regression
    in_memory = fastreg.Ridge(alpha=1.0, solver="lstsq").fit(X, y)
    on_dask = fastreg.Ridge(alpha=1.0).fit(blocks(X), blocks(y))
    lazy = on_dask.predict(blocks(X))
    assert isinstance(lazy, da.Array)
    np.testing.assert_allclose(lazy.compute(), in_memory.predict(X), rtol=1e-9)
    for weights in (None, s):
        dask_weights = None if weights is None else blocks(weights)
        score = on_dask.score(blocks(X), blocks(y), sample_weight=dask_weights)
        assert isinstance(score, float)
        assert score == pytest.approx(in_memory.score(X, y, sample_weight=weights), abs=1e-10)


def test_dataframes_give_feature_names(client, regression):
    X, y, _ = regression
    columns = ["a", "b", "c", "d"]
    frame = dd.from_pandas(pd.DataFrame(X, columns=columns), npartitions=4)
    target = dd.from_pandas(pd.Series(y, name="y"), npartitions=4)
    model = fastreg.LinearRegression().fit(frame, target)
    np.testing.assert_array_equal(model.feature_names_in_, columns)
    assert model.n_features_in_ == 4
    pandas_frame = pd.DataFrame(X, columns=columns)
    in_memory = fastreg.LinearRegression(solver="lstsq").fit(pandas_frame, y)
    assert relative_gap(model.coef_, in_memory.coef_) < RTOL
    expected = in_memory.predict(pandas_frame)
    np.testing.assert_allclose(model.predict(frame).compute(), expected, rtol=1e-9)
    renamed = frame.rename(columns={"a": "z"})
    with pytest.raises(ValueError, match="feature names"):
        model.predict(renamed)


def test_bad_input_gets_the_in_memory_errors(client, classification):
    X, y, s = classification
    with_nan = X.copy()
    with_nan[1234, 2] = np.nan
    with pytest.raises(ValueError, match="contains NaN"):
        fastreg.LogisticRegression().fit(blocks(with_nan), blocks(y))
    with pytest.raises(ValueError, match="must be >= 0"):
        fastreg.LogisticRegression().fit(blocks(X), blocks(y), sample_weight=blocks(s - 1.0))
    with pytest.raises(ValueError, match="only one class"):
        fastreg.LogisticRegression().fit(blocks(X), blocks(np.zeros(len(y))))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        fastreg.LogisticRegression().fit(blocks(X), blocks(y[:-5]))
    with pytest.raises(ValueError, match="Complex data not supported"):
        fastreg.Ridge().fit(blocks(X.astype(np.complex128)), blocks(y.astype(float)))
    with pytest.raises(NotImplementedError, match="exact solves only"):
        fastreg.PolynomialRegression(solver="gd").fit(blocks(X), blocks(y.astype(float)))
    with pytest.raises(NotImplementedError, match="solver='newton-cholesky' is not available"):
        fastreg.LogisticRegression(solver="newton-cholesky").fit(blocks(X), blocks(y))
    with pytest.raises(NotImplementedError, match="solver='liblinear' is not available"):
        fastreg.LogisticRegression(solver="liblinear").fit(blocks(X), blocks(y == 1))
    with pytest.raises(NotImplementedError, match="coordinate descent on the statistics"):
        fastreg.Lasso(solver="fista").fit(blocks(X), blocks(y.astype(float)))
    model = fastreg.LogisticRegression().fit(blocks(X), blocks(y))
    with pytest.raises(ValueError, match="features"):
        model.predict(blocks(X[:, :3]))


def test_a_failed_fit_leaves_the_estimator_as_it_was(client, classification, monkeypatch):
    X, y, _ = classification
    model = fastreg.LogisticRegression(tol=1e-10).fit(X[:500], y[:500])
    before = model.coef_.copy()
    original = _dask_passes.DaskData.loss_gradient
    calls = []

    def failing(self, *args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the cluster went away")
        return original(self, *args)

    monkeypatch.setattr(_dask_passes.DaskData, "loss_gradient", failing)
    with pytest.raises(RuntimeError, match="the cluster went away"):
        model.fit(blocks(X), blocks(y))
    assert len(calls) == 3
    np.testing.assert_array_equal(model.coef_, before)
    assert model.n_features_in_ == 5


# ---- a worker killed mid-fit -----------------------------------------------------------


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_fit_survives_a_killed_worker(client, monkeypatch):
    # X and y come from a graph Dask can recompute; one worker process is killed while
    # a pass runs; its nanny starts a new one, the lost blocks are recomputed and the fit
    # ends with bitwise the coefficients of an undisturbed fit. (The module's last test:
    # the cluster it leaves has a new worker.)
    def data():
        X = da.random.RandomState(5).standard_normal((4000, 5), chunks=(500, 5))
        y = (X @ np.array([1.0, -1.0, 0.5, 0.0, 2.0]) > 0.3).astype(np.int64)
        return X, y

    model = fastreg.LogisticRegression(solver="gd", learning_rate=0.5, max_iter=16, tol=0.0)
    undisturbed = fit_coefficients(model, *data(), None)
    pids_before = set(client.run(os.getpid).values())
    original = _dask_passes.DaskData.loss_gradient
    passes, killed = [], []

    def kill_one_worker_during_pass_6(self, *args):
        passes.append(1)
        if len(passes) == 6:
            victim = sorted(pids_before)[0]
            # killed while the pass's tasks are running
            threading.Timer(0.005, os.kill, (victim, signal.SIGKILL)).start()
            killed.append(victim)
        return original(self, *args)

    monkeypatch.setattr(_dask_passes.DaskData, "loss_gradient", kill_one_worker_during_pass_6)
    disturbed = fit_coefficients(model, *data(), None)
    monkeypatch.undo()
    deadline = time.monotonic() + 120
    while len(client.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    pids_after = set(client.run(os.getpid).values())
    assert killed and killed[0] not in pids_after  # the worker was killed and replaced
    assert len(pids_after) == 2
    assert len(passes) > 6
    np.testing.assert_array_equal(disturbed, undisturbed)


def test_blocks_at_odd_addresses_are_aligned_before_the_kernels_read_them(rng):
    # A block deserialised on a worker can start at an odd offset of its message; the
    # kernels' loads from such an address would be undefined behaviour.
    X, y, s = logistic_problem(rng, n=200, d=3)
    raw = np.zeros(X.nbytes + 1, dtype=np.uint8)
    raw[1:] = np.frombuffer(X.tobytes(), dtype=np.uint8)
    odd = np.frombuffer(raw.data, dtype=np.float64, offset=1).reshape(X.shape)
    assert not odd.flags.aligned
    assert _dask_passes.kernel_array(odd).flags.aligned
    point = np.arange(4, dtype=np.float64) / 10.0
    args = (point, _kernels.LOSS_LOGISTIC, 1, 0.0, True)
    np.testing.assert_array_equal(
        _dask_passes.block_loss_gradient(odd, y, s, *args),
        _dask_passes.block_loss_gradient(X, y, s, *args),
    )
