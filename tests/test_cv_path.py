# tests/test_cv_path.py: lasso_path and enet_path against scikit-learn's (same grid, same
# coefficients, gaps and sweeps), on the Gram matrix and on the columns, and their input
# checks.
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from threadpoolctl import threadpool_limits

import fastreg
from fastreg._path import alpha_grid


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # scikit-learn's small BLAS calls slow down tenfold on a busy machine with 2 threads
    with threadpool_limits(limits=1):
        yield


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 9))
    X[:, 1:] += 0.5 * X[:, :-1]
    truth = np.array([2.0, 0, 0, -1.5, 0, 0, 0.5, 0, 0])
    return X, X @ truth + 0.3 * rng.standard_normal(120)


@pytest.mark.parametrize("precompute", ["auto", False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.4])
def test_path_matches_sklearn(data, precompute, l1_ratio):
    X, y = data
    ours = fastreg.enet_path(
        X, y, l1_ratio=l1_ratio, alphas=30, precompute=precompute, return_n_iter=True, tol=1e-8
    )
    theirs = sk.enet_path(
        X, y, l1_ratio=l1_ratio, alphas=30, precompute=precompute, return_n_iter=True, tol=1e-8
    )
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], atol=1e-7)
    assert ours[1].shape == (9, 30)
    assert np.all(ours[2] <= 1e-8 * np.sum(y**2) / len(y))  # the duality-gap rule held
    assert len(ours[3]) == 30


def test_lasso_path_explicit_grid_is_sorted_and_warm_started(data):
    X, y = data
    alphas, coefs, _ = fastreg.lasso_path(X, y, alphas=[0.01, 1.0, 0.1])
    assert alphas.tolist() == [1.0, 0.1, 0.01]
    _, ref, _ = sk.lasso_path(X, y, alphas=[0.01, 1.0, 0.1])
    np.testing.assert_allclose(coefs, ref, atol=1e-6)
    assert np.count_nonzero(coefs[:, 0]) < np.count_nonzero(coefs[:, 2])


def test_positive_path_and_float32(data):
    X, y = data
    _, coefs, _ = fastreg.lasso_path(X, y, alphas=10, positive=True)
    assert np.all(coefs >= 0)
    _, ref, _ = sk.lasso_path(X, y, alphas=10, positive=True)
    np.testing.assert_allclose(coefs, ref, atol=1e-6)
    _, c32, _ = fastreg.lasso_path(X.astype(np.float32), y.astype(np.float32), alphas=10)
    assert c32.dtype == np.float32


def test_precomputed_gram_and_xy(data):
    X, y = data
    ours = fastreg.lasso_path(X, y, alphas=10, precompute=X.T @ X, Xy=X.T @ y)
    theirs = fastreg.lasso_path(X, y, alphas=10)
    np.testing.assert_allclose(ours[1], theirs[1], atol=1e-10)


def test_alpha_max_zeroes_every_coefficient(data):
    X, y = data
    alphas, coefs, _ = fastreg.lasso_path(X, y, alphas=5)
    assert np.all(coefs[:, 0] == 0)
    assert np.any(coefs[:, 1] != 0)
    grid = alpha_grid(X.T @ y, len(y), 1.0, eps=1e-3, n_alphas=5, positive=False)
    np.testing.assert_allclose(grid, alphas)


def test_deprecations_warn_as_sklearn(data):
    X, y = data
    with pytest.warns(FutureWarning, match="n_alphas"):
        a, _, _ = fastreg.lasso_path(X, y, n_alphas=4)
    assert a.shape == (4,)
    with pytest.warns(FutureWarning, match="alphas=None"):
        a, _, _ = fastreg.lasso_path(X, y, alphas=None)
    assert a.shape == (100,)


def test_convergence_warning_when_max_iter_is_too_small(data):
    X, y = data
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(ConvergenceWarning, match="did not converge"):
        fastreg.lasso_path(X, y, alphas=[1e-4], max_iter=1, tol=1e-12)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"alphas": 0}, ValueError, "alphas"),
        ({"alphas": [-1.0]}, ValueError, "must be >= 0.0"),
        ({"alphas": [1.0, "x"]}, TypeError, "must be an instance of float"),
        ({"eps": 0}, ValueError, "eps"),
        ({"l1_ratio": 0.0, "alphas": 5}, ValueError, "l1_ratio=0"),
        ({"selection": "up"}, ValueError, "selection"),
        ({"bogus": 1}, ValueError, "Unexpected"),
        ({"coef_init": np.zeros(3)}, ValueError, "coef_init"),
    ],
)
def test_bad_parameters(data, kwargs, error, match):
    X, y = data
    with pytest.raises(error, match=match):
        fastreg.enet_path(X, y, **kwargs)


def test_bad_data(data):
    X, y = data
    with pytest.raises(ValueError, match="NaN"):
        fastreg.lasso_path(np.where(X > 2, np.nan, X), y)
    with pytest.raises(ValueError, match="one target"):
        fastreg.lasso_path(X, np.c_[y, y])
    with pytest.raises(ValueError, match="samples"):
        fastreg.lasso_path(X, y[:-1])
    wide = sparse.random_array((20, 4097), density=0.01, random_state=0, format="csr")
    with pytest.raises(ValueError, match="at most 4096 columns"):
        fastreg.lasso_path(wide, np.arange(20.0))
    with pytest.raises(ValueError, match="NaN"):
        fastreg.lasso_path(sparse.csr_array(np.where(X > 2, np.nan, X)), y)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
@pytest.mark.parametrize("path", [fastreg.lasso_path, fastreg.enet_path])
@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_x_gives_the_dense_path(data, fmt, path, weighted):
    X, y = data
    X = np.where(np.abs(X - 5.0) > 0.8, X, 0.0)  # about half the entries stored
    params = {"alphas": 12, "tol": 1e-12, "max_iter": 10_000}
    if weighted:
        params["sample_weight"] = np.random.default_rng(2).uniform(0.5, 2.0, X.shape[0])
    X_sparse = sparse.csr_array(X).asformat(fmt)
    before = X_sparse.copy()
    alphas, coefs, gaps = path(X_sparse, y, **params)
    dense_alphas, dense_coefs, _ = path(X, y, **params)
    np.testing.assert_allclose(alphas, dense_alphas, rtol=1e-13)
    np.testing.assert_allclose(coefs, dense_coefs, rtol=1e-9, atol=1e-11)
    assert np.all(gaps <= 1e-10)
    assert (X_sparse != before).nnz == 0  # the caller's matrix untouched
    if not weighted:  # and scikit-learn's path on the same sparse X
        theirs = getattr(sk, path.__name__)(X_sparse, y, alphas=alphas, tol=1e-12)[1]
        np.testing.assert_allclose(coefs, theirs, rtol=1e-6, atol=1e-8)


def test_x_is_not_modified(data):
    X, y = data
    X0, y0 = X.copy(), y.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fastreg.enet_path(X, y, alphas=5)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
