# tests/test_cv_ridge.py: RidgeCV against scikit-learn's: leave-one-out (tall and wide X,
# weights, several targets, alpha per target, scorers, stored results), the leave-one-out
# errors against brute force, cv folds, and input checks.
import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.model_selection import KFold
from threadpoolctl import threadpool_limits

import fastreg


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # scikit-learn's small BLAS calls slow down tenfold on a busy machine with 2 threads
    with threadpool_limits(limits=1):
        yield


ALPHAS = np.logspace(-3, 3, 13)


@pytest.fixture
def data():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((80, 6)) + 2.0
    W = rng.standard_normal((6, 2))
    Y = X @ W + rng.standard_normal((80, 2)) * [0.5, 4.0] + 1.0
    return X, Y, rng.uniform(0.3, 2.0, 80)


def _compare(ours, theirs, atol=1e-8):
    np.testing.assert_allclose(ours.alpha_, theirs.alpha_)
    np.testing.assert_allclose(ours.best_score_, theirs.best_score_, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=atol)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=atol)


@pytest.mark.parametrize("rows", [80, 5])  # the Gram's eigenbasis, and X X^T's
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("two_targets", [False, True])
def test_leave_one_out_matches_sklearn(data, rows, weighted, fit_intercept, two_targets):
    X, Y, sw = data
    X, Y, sw = X[:rows], Y[:rows], sw[:rows] if weighted else None
    y = Y if two_targets else Y[:, 0]
    params = dict(alphas=ALPHAS, fit_intercept=fit_intercept, store_cv_results=True)
    ours = fastreg.RidgeCV(**params).fit(X, y, sample_weight=sw)
    theirs = sk.RidgeCV(**params).fit(X, y, sample_weight=sw)
    _compare(ours, theirs)
    assert ours.cv_results_.shape == theirs.cv_results_.shape
    np.testing.assert_allclose(ours.cv_results_, theirs.cv_results_, rtol=1e-7, atol=1e-10)


def test_leave_one_out_errors_are_brute_force_refits(data):
    X, Y, _ = data
    y = Y[:, 1]
    model = fastreg.RidgeCV(alphas=[0.5, 5.0], store_cv_results=True).fit(X, y)
    for a, alpha in enumerate([0.5, 5.0]):
        for i in (0, 17, 79):
            keep = np.arange(len(y)) != i
            refit = fastreg.Ridge(alpha=alpha).fit(X[keep], y[keep])
            error = (y[i] - refit.predict(X[i : i + 1])[0]) ** 2
            assert model.cv_results_[i, a] == pytest.approx(error, rel=1e-9)


def test_alpha_per_target_and_scorers(data):
    X, Y, sw = data
    for params in (
        {"alpha_per_target": True},
        {"alpha_per_target": True, "scoring": "neg_mean_absolute_error"},
        {"scoring": "r2", "store_cv_results": True},
    ):
        ours = fastreg.RidgeCV(alphas=ALPHAS, **params).fit(X, Y, sample_weight=sw)
        theirs = sk.RidgeCV(alphas=ALPHAS, **params).fit(X, Y, sample_weight=sw)
        _compare(ours, theirs)
        if "store_cv_results" in params:  # the leave-one-out predictions
            np.testing.assert_allclose(ours.cv_results_, theirs.cv_results_, rtol=1e-9)
    assert ours.alpha_ == theirs.alpha_ and np.shape(ours.alpha_) == ()
    per_target = fastreg.RidgeCV(alphas=ALPHAS, alpha_per_target=True).fit(X, Y)
    assert per_target.alpha_.shape == (2,) and per_target.best_score_.shape == (2,)


@pytest.mark.parametrize("cv", [3, KFold(4, shuffle=True, random_state=0)])
@pytest.mark.parametrize("weighted", [False, True])
def test_cv_folds_match_sklearn(data, cv, weighted):
    X, Y, sw = data
    sw = sw if weighted else None
    for y in (Y[:, 0], Y):
        ours = fastreg.RidgeCV(alphas=np.r_[0.0, ALPHAS], cv=cv).fit(X, y, sample_weight=sw)
        theirs = sk.RidgeCV(alphas=np.r_[0.0, ALPHAS], cv=cv).fit(X, y, sample_weight=sw)
        _compare(ours, theirs)


def test_cv_with_a_scorer_uses_grid_search(data):
    X, Y, _ = data
    ours = fastreg.RidgeCV(alphas=ALPHAS, cv=3, scoring="neg_mean_squared_error").fit(X, Y[:, 0])
    theirs = sk.RidgeCV(alphas=ALPHAS, cv=3, scoring="neg_mean_squared_error").fit(X, Y[:, 0])
    _compare(ours, theirs)


def test_float32_keeps_its_dtype(data):
    X, Y, _ = data
    model = fastreg.RidgeCV().fit(X.astype(np.float32), Y[:, 0].astype(np.float32))
    assert model.coef_.dtype == np.float32
    assert model.predict(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize(
    "params, match",
    [
        ({"alphas": [1.0, 0.0]}, "alphas\\[1\\]"),
        ({"alphas": [1.0, np.inf]}, "alphas"),
        ({"cv": 3, "store_cv_results": True}, "incompatible"),
        ({"cv": 3, "alpha_per_target": True}, "incompatible"),
        ({"gcv_mode": "qr"}, "gcv_mode"),
    ],
)
def test_bad_parameters(data, params, match):
    X, Y, _ = data
    with pytest.raises(ValueError, match=match):
        fastreg.RidgeCV(**params).fit(X, Y[:, 0])


def test_bad_data_leaves_no_state(data):
    X, Y, _ = data
    model = fastreg.RidgeCV()
    with pytest.raises(ValueError, match=r"NaN|infinity"):
        model.fit(np.where(X > 3, np.inf, X), Y[:, 0])
    assert not hasattr(model, "coef_")


@pytest.mark.parametrize("shape", [(50, 10), (10, 50)])
def test_stored_predictions_are_leave_one_out_refits_over_a_wide_range(shape):
    from sklearn.datasets import make_regression
    from sklearn.model_selection import LeaveOneOut, cross_val_predict

    X, Y = make_regression(n_samples=shape[0], n_features=shape[1], n_targets=2, random_state=0)
    sw = np.ones(shape[0])
    sw[::2] = 0.5
    alphas = np.logspace(-5, 7, 5)  # h_i close to 1 at the small alphas of the wide case
    model = fastreg.RidgeCV(alphas=alphas, scoring="neg_mean_squared_error", store_cv_results=True)
    model.fit(X, Y, sample_weight=sw)
    for a, alpha in enumerate(alphas):
        refits = cross_val_predict(
            sk.Ridge(alpha=alpha, solver="svd"),
            X,
            Y,
            cv=LeaveOneOut(),
            params={"sample_weight": sw},
        )
        np.testing.assert_allclose(model.cv_results_[..., a], refits, rtol=1e-9)


def test_folds_of_one_row_score_nan_as_grid_search():
    rng = np.random.RandomState(0)
    X, y, sw = rng.randn(6, 5), rng.randn(6), 1.0 + rng.rand(6)
    ours = fastreg.RidgeCV(alphas=(0.1, 1.0, 10.0), cv=KFold(5)).fit(X, y, sample_weight=sw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # R^2 of one sample and non-finite mean scores
        theirs = sk.RidgeCV(alphas=(0.1, 1.0, 10.0), cv=KFold(5)).fit(X, y, sample_weight=sw)
    assert ours.alpha_ == theirs.alpha_
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-10)


@pytest.mark.parametrize("cv", [None, 3, KFold(4, shuffle=True, random_state=0)])
@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
def test_one_column_target_has_the_shapes_of_ridge(data, cv, scoring):
    # Ridge ravels the coefficients of a one-column 2-D y (and keeps a 1-element
    # intercept); RidgeCV is that Ridge refitted at alpha_, whichever way alpha_ was chosen
    X, Y, _ = data
    y = Y[:, :1]
    model = fastreg.RidgeCV(alphas=ALPHAS, cv=cv, scoring=scoring).fit(X, y)
    refit = fastreg.Ridge(alpha=model.alpha_, solver="svd").fit(X, y)
    assert model.coef_.shape == refit.coef_.shape == (X.shape[1],)
    assert np.shape(model.intercept_) == np.shape(refit.intercept_) == (1,)
    np.testing.assert_allclose(model.coef_, refit.coef_, rtol=1e-10)
    np.testing.assert_allclose(model.intercept_, refit.intercept_, rtol=1e-10)
    assert model.predict(X).shape == refit.predict(X).shape


@pytest.mark.parametrize("shape", [(30, 30), (30, 60)])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_sparse_rank_deficient_limit_is_the_minimum_norm_solution(shape, fit_intercept):
    # At alpha -> 0 a rank-deficient ridge tends to lstsq's minimum-norm solution; the
    # sparse Gram path solves an equilibrated Gram, whose pseudo-inverse alone would give
    # the solution of least *weighted* norm (same fit, other coefficients)
    from scipy import sparse

    rng = np.random.default_rng(7)
    X = rng.standard_normal(shape) * rng.uniform(0.1, 30.0, shape[1])
    y = X @ rng.standard_normal(shape[1]) + 10.0
    mean_x, mean_y = (X.mean(axis=0), y.mean()) if fit_intercept else (np.zeros(shape[1]), 0.0)
    expected = np.linalg.lstsq(X - mean_x, y - mean_y, rcond=None)[0]
    X_sparse = sparse.csr_matrix(X)
    for model in (
        fastreg.RidgeCV(alphas=[1e-16], fit_intercept=fit_intercept),
        fastreg.Ridge(alpha=1e-16, fit_intercept=fit_intercept),
    ):
        model.fit(X_sparse, y)
        np.testing.assert_allclose(model.coef_, expected, rtol=0, atol=1e-10)
        np.testing.assert_allclose(model.intercept_, mean_y - mean_x @ expected, atol=1e-9)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_float32_leave_one_out_errors_keep_float32_accuracy(weighted, fit_intercept):
    # The leave-one-out errors come from the Gram's eigendecomposition with no refinement
    # pass: summed in float32 its rounding, amplified by the conditioning, cost ~1e-4
    rng = np.random.default_rng(1)
    X = (rng.standard_normal((40, 8)) + 5.0).astype(np.float32)
    y = (X @ rng.standard_normal(8) + 3.0 + rng.standard_normal(40)).astype(np.float32)
    sw = rng.uniform(0.5, 3.0, 40).astype(np.float32) if weighted else None
    alphas = [1e-3, 1.0, 1e3]
    model = fastreg.RidgeCV(alphas=alphas, fit_intercept=fit_intercept, store_cv_results=True)
    model.fit(X, y, sample_weight=sw)
    # exact reference: brute-force refits in float64 on the same (float32-valued) data
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    s64 = np.ones(40) if sw is None else sw.astype(np.float64)
    for a, alpha in enumerate(alphas):
        for i in range(40):
            keep = np.arange(40) != i
            refit = sk.Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd")
            refit.fit(X64[keep], y64[keep], sample_weight=s64[keep])
            error = s64[i] * (y64[i] - refit.predict(X64[i : i + 1])[0]) ** 2
            assert model.cv_results_[i, a] == pytest.approx(error, rel=1e-6)
