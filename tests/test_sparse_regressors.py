# The regressors on scipy.sparse X: LinearRegression, Ridge, PolynomialRegression, Lasso
# and ElasticNet give on a sparse X (both dtypes, both index widths, awkward structure,
# every format) the fit of its dense copy, through the Gram from sparse products while
# it fits and the iterative solvers on the CSR rows past that; the caller's X is never
# modified; the collinear (stable) path and positive=True work without a dense copy.
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model
from sklearn.exceptions import ConvergenceWarning
from sparse_data import INDEX_DTYPES, arrays_of, assert_unchanged, random_csr

from fastreg import (
    ElasticNet,
    Lasso,
    LinearRegression,
    PolynomialRegression,
    Ridge,
    _sparse_least_squares,
)
from fastreg._linear import _SOLVER_METHODS

# (estimator, parameters) on the exact / coordinate-descent default paths and on the
# iterative solvers the estimators also name.
CASES = [
    (LinearRegression, {}),
    (LinearRegression, {"fit_intercept": False}),
    (LinearRegression, {"positive": True}),
    (LinearRegression, {"solver": "lstsq"}),
    (Ridge, {"alpha": 0.7}),
    (Ridge, {"alpha": 0.7, "solver": "lstsq"}),
    (Ridge, {"alpha": 0.7, "solver": "lbfgs", "tol": 1e-12, "max_iter": 20000}),
    (Ridge, {"alpha": 0.7, "solver": "fista", "tol": 1e-12, "max_iter": 20000}),
    (Ridge, {"alpha": 0.7, "positive": True}),
    (PolynomialRegression, {"degree": 2, "alpha": 0.1}),
    (PolynomialRegression, {"degree": 2, "interaction_only": True}),
    (Lasso, {"alpha": 0.01, "tol": 1e-10, "max_iter": 20000}),
    (Lasso, {"alpha": 0.01, "positive": True, "tol": 1e-10, "max_iter": 20000}),
    (Lasso, {"alpha": 0.01, "fit_intercept": False, "tol": 1e-10, "max_iter": 20000}),
    (Lasso, {"alpha": 0.01, "solver": "fista", "tol": 1e-12, "max_iter": 20000}),
    (ElasticNet, {"alpha": 0.01, "l1_ratio": 0.4, "tol": 1e-10, "max_iter": 20000}),
    (ElasticNet, {"alpha": 0.01, "l1_ratio": 0.4, "selection": "random", "random_state": 0}),
]


def regression(rng, n=240, d=10, dtype=np.float64, index_dtype=np.int32, targets=1):
    X = random_csr(rng, n, d, 0.3, dtype, index_dtype, awkward=True)
    W = rng.standard_normal((d, targets))
    Y = X @ W + 0.1 * rng.standard_normal((n, targets)) + 2.0
    return X, (Y[:, 0] if targets == 1 else Y)


def fit_quietly(model, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, **kwargs)


def dense_twin(X):
    """The dense copy, summing repeated entries in float64 as the sparse products do."""
    return X.astype(np.float64).toarray().astype(X.dtype)


def case_id(case):
    cls, params = case
    return cls.__name__ + "".join(f"-{k}={v}" for k, v in params.items())


@pytest.mark.parametrize("index_dtype", INDEX_DTYPES, ids=["int32", "int64"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_sparse_fit_equals_dense_fit(rng, case, dtype, index_dtype):
    cls, params = case
    X, y = regression(rng, dtype=dtype, index_dtype=index_dtype)
    weights = rng.uniform(0.5, 2.0, X.shape[0])
    before = arrays_of(X)
    if dtype == np.float32 and "tol" in params and cls in (Ridge,):
        params = dict(params, tol=1e-5)
    a = fit_quietly(cls(**params), X, y, sample_weight=weights)
    b = fit_quietly(cls(**params), dense_twin(X), y, sample_weight=weights)
    rtol = 1e-8 if dtype == np.float64 else 1e-3
    assert a.coef_.dtype == b.coef_.dtype == dtype
    assert a.coef_.shape == b.coef_.shape
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=rtol, atol=rtol)
    pa, pb = a.predict(X), b.predict(dense_twin(X))
    assert isinstance(pa, np.ndarray) and pa.dtype == pb.dtype and pa.shape == pb.shape
    np.testing.assert_allclose(pa, pb, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(a.score(X, y), b.score(dense_twin(X), y), rtol=rtol)
    assert_unchanged(X, before)


@pytest.mark.parametrize("cls", [LinearRegression, Ridge, Lasso])
def test_two_dimensional_targets(rng, cls):
    X, Y = regression(rng, targets=3)
    params = {"alpha": 0.01} if cls is Lasso else {}
    a = cls(**params).fit(X, Y)
    b = cls(**params).fit(X.toarray(), Y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.predict(X), b.predict(X.toarray()), rtol=1e-8, atol=1e-10)


@pytest.mark.filterwarnings("ignore::scipy.sparse.SparseEfficiencyWarning")
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "lil", "dok"])
@pytest.mark.parametrize("cls", [LinearRegression, Ridge, ElasticNet])
def test_every_format_and_the_caller_unchanged(rng, cls, fmt):
    X, y = regression(rng)
    X = sparse.csr_matrix(X).asformat(fmt)
    before = arrays_of(X)
    a = cls().fit(X, y)
    b = cls().fit(X.toarray(), y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-10)
    assert_unchanged(X, before)


def test_collinear_columns_take_the_stable_path_without_a_dense_copy(rng):
    X, _ = regression(rng, d=8)
    X = sparse.hstack([X, X[:, :3]], format="csr")  # three exactly repeated columns
    y = X @ rng.standard_normal(X.shape[1]) + 1.0
    a = LinearRegression().fit(X, y)
    b = LinearRegression().fit(X.toarray(), y)
    reference = linear_model.LinearRegression().fit(X.toarray(), y)
    assert a.method_ == "lstsq"
    np.testing.assert_allclose(a.coef_, reference.coef_, rtol=1e-9, atol=1e-11)  # minimum norm
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-9, atol=1e-11)


def test_large_means_keep_their_digits(rng):
    # A nearly dense column of large mean: the rank-one centring cancels digits that the
    # refinement passes (residuals from X @ w) win back.
    n = 400
    X = random_csr(rng, n, 6, 0.4, np.float64, np.int32)
    X = sparse.hstack([X, sparse.csr_array(1e4 + rng.standard_normal((n, 1)))], format="csr")
    y = X @ np.arange(1.0, 8.0) + 0.01 * rng.standard_normal(n)
    a = LinearRegression().fit(X, y)
    b = LinearRegression().fit(X.toarray(), y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-9)
    # the intercept b = mean(y) - mu.w cancels |mu||w| ~ 7e4 down to ~3
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=0, atol=1e-12 * 7e4 * 1e2)


def test_wide_sparse_x_takes_the_iterative_path(rng, monkeypatch):
    monkeypatch.setattr(_sparse_least_squares, "SPARSE_GRAM_MAX_FEATURES", 20)
    X = random_csr(rng, 200, 60, 0.1, np.float64, np.int32, awkward=True)
    y = X @ rng.standard_normal(60) + 0.5
    ridge = Ridge(alpha=0.5, tol=1e-12, max_iter=20000).fit(X, y)
    exact = Ridge(alpha=0.5).fit(X.toarray(), y)
    assert ridge.method_ == "lbfgs" and exact.method_ == "cholesky"
    np.testing.assert_allclose(ridge.coef_, exact.coef_, rtol=1e-7, atol=1e-9)
    positive = Ridge(alpha=0.5, positive=True, tol=1e-12, max_iter=50000).fit(X, y)
    assert positive.method_ == "fista" and np.all(positive.coef_ >= 0)
    lasso = Lasso(alpha=0.001).fit(X, y)
    dense = Lasso(alpha=0.001, tol=1e-12, max_iter=100000).fit(X.toarray(), y)
    # scikit-learn's duality-gap rule holds at the FISTA solution: gap <= tol var(y)
    assert lasso.dual_gap_ <= 1e-4 * np.var(y)
    assert 0 <= lasso.dual_gap_
    np.testing.assert_allclose(lasso.predict(X), dense.predict(X.toarray()), atol=0.05)


def test_matches_scikit_learn_on_sparse(rng):
    X, y = regression(rng, d=15)
    ours = Ridge(alpha=1.0).fit(X, y)
    theirs = linear_model.Ridge(alpha=1.0, solver="lsqr", tol=1e-14).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8)
    ours = Ridge(alpha=1.0, fit_intercept=False).fit(X, y)
    theirs = linear_model.Ridge(alpha=1.0, solver="cholesky", fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10)
    lasso = Lasso(alpha=0.02, tol=1e-10).fit(X, y)
    reference = linear_model.Lasso(alpha=0.02, tol=1e-10, max_iter=100000).fit(X, y)
    np.testing.assert_allclose(lasso.coef_, reference.coef_, rtol=1e-6, atol=1e-8)


def test_polynomial_features_stay_sparse(rng):
    X, y = regression(rng, d=6)
    model = PolynomialRegression(degree=2).fit(X, y)
    assert sparse.issparse(model.poly_features_.transform(X))
    dense = PolynomialRegression(degree=2).fit(X.toarray(), y)
    np.testing.assert_allclose(model.coef_, dense.coef_, rtol=1e-8, atol=1e-10)


def test_precomputed_gram_with_sparse_x(rng):
    X, y = regression(rng)
    gram = (X.T @ X).toarray()
    a = Lasso(alpha=0.01, precompute=gram, fit_intercept=False).fit(X, y)
    b = Lasso(alpha=0.01, fit_intercept=False).fit(X.toarray(), y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-10)
    with pytest.raises(ValueError, match="did not pass validation"):
        Lasso(alpha=0.01, precompute=2 * gram + 1, fit_intercept=False).fit(X, y)


# scikit-learn's Ridge takes neither an intercept on sparse X with these nor "svd" at all
_NO_SPARSE_INTERCEPT = ("cholesky", "saga", "svd")


@pytest.mark.parametrize("solver", sorted(_SOLVER_METHODS))
def test_every_ridge_solver_name_fits_sparse_like_dense(rng, solver):
    X, y = regression(rng)
    weights = rng.uniform(0.5, 2.0, X.shape[0])
    params = {"alpha": 0.5, "solver": solver, "tol": 1e-12, "max_iter": 50000}
    if solver in _NO_SPARSE_INTERCEPT:
        with pytest.raises(ValueError, match=f"solver='{solver}' does not support fitting"):
            Ridge(**params).fit(X, y)
        theirs = linear_model.Ridge(alpha=0.5, solver=solver)
        with pytest.raises(ValueError, match=f"solver='{solver}' does not support fitting"):
            theirs.fit(X, y)
        params["fit_intercept"] = False
        if solver == "svd":
            with pytest.raises(TypeError, match="SVD solver does not support sparse"):
                Ridge(**params).fit(X, y)
            return
    if solver == "gd":
        params["max_iter"] = 2000  # fixed steps: the same steps on both
    a = fit_quietly(Ridge(**params), X, y, sample_weight=weights)
    b = fit_quietly(Ridge(**params), dense_twin(X), y, sample_weight=weights)
    assert a.method_ == b.method_
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("solver", ["auto", "cd", "fista", "gd"])
def test_every_lasso_solver_name_fits_sparse_like_dense(rng, solver):
    X, y = regression(rng)
    params = {"alpha": 0.02, "solver": solver, "tol": 1e-12, "max_iter": 50000}
    if solver == "gd":
        params["max_iter"] = 2000
    a = fit_quietly(ElasticNet(l1_ratio=0.7, **params), X, y)
    b = fit_quietly(ElasticNet(l1_ratio=0.7, **params), dense_twin(X), y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(a.dual_gap_, b.dual_gap_, rtol=1e-6, atol=1e-15)
