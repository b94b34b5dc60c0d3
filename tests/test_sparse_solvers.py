# Every solver name of the classifiers on scipy.sparse X: the same answer as on the dense
# copy (Newton's Hessian from sparse products, liblinear's intercept column appended to a
# sparse copy), both dtypes and index widths, awkward structure, the caller's X unchanged;
# and the sparse statistics against their dense twin.
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sparse_data import INDEX_DTYPES, arrays_of, assert_unchanged, random_csr

from fastreg import LogisticRegression, SoftmaxRegression
from fastreg._statistics import statistics, sufficient_statistics

# (solver, l1_ratio): every scikit-learn solver name, with an L1 term where it takes one.
SOLVERS = [
    ("lbfgs", 0.0),
    ("newton-cg", 0.0),
    ("newton-cholesky", 0.0),
    ("sag", 0.0),
    ("saga", 0.0),
    ("saga", 1.0),
    ("saga", 0.5),
    ("liblinear", 0.0),
    ("liblinear", 1.0),
    ("fista", 1.0),
    ("gd", 0.0),
]


def labelled(rng, n=300, d=12, k=2, dtype=np.float64, index_dtype=np.int32):
    X = random_csr(rng, n, d, 0.3, dtype, index_dtype, awkward=True)
    w = rng.standard_normal((k, d))
    y = np.argmax(X @ w.T + 0.5 * rng.standard_normal((n, k)), axis=1)
    if k == 2:
        y = (X @ w[0] + 0.5 * rng.standard_normal(n) > 0).astype(int)
    return X, y


def fit_quietly(model, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, **kwargs)


@pytest.mark.parametrize("index_dtype", INDEX_DTYPES, ids=["int32", "int64"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("solver, l1_ratio", SOLVERS)
def test_every_solver_name_fits_sparse_like_dense(rng, solver, l1_ratio, dtype, index_dtype):
    X, y = labelled(rng, dtype=dtype, index_dtype=index_dtype)
    before = arrays_of(X)
    weights = rng.uniform(0.5, 2.0, X.shape[0])
    tight = 1e-10 if dtype == np.float64 else 1e-5
    params = dict(solver=solver, l1_ratio=l1_ratio, C=0.7, tol=tight, max_iter=20000)
    if solver == "gd":
        params["max_iter"] = 3000  # a fixed number of fixed steps: the same on both
    a = fit_quietly(LogisticRegression(**params), X, y, sample_weight=weights)
    b = fit_quietly(LogisticRegression(**params), X.toarray(), y, sample_weight=weights)
    rtol = 1e-7 if dtype == np.float64 else 2e-3
    assert a.coef_.dtype == b.coef_.dtype and a.coef_.shape == b.coef_.shape
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X.toarray()), atol=rtol)
    assert_unchanged(X, before)


@pytest.mark.parametrize(
    "solver, l1_ratio",
    [("newton-cholesky", 0.0), ("newton-cg", 0.0), ("lbfgs", 0.0), ("saga", 0.0), ("saga", 1.0)],
)
def test_multinomial_solvers_fit_sparse_like_dense(rng, solver, l1_ratio):
    X, y = labelled(rng, k=3)
    params = dict(solver=solver, l1_ratio=l1_ratio, tol=1e-10, max_iter=20000)
    a = fit_quietly(LogisticRegression(**params), X, y)
    b = fit_quietly(LogisticRegression(**params), X.toarray(), y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-7, atol=1e-7)
    c = fit_quietly(SoftmaxRegression(solver="auto", tol=1e-10, max_iter=20000), X, y)
    e = fit_quietly(SoftmaxRegression(solver="auto", tol=1e-10, max_iter=20000), X.toarray(), y)
    np.testing.assert_allclose(c.coef_, e.coef_, rtol=1e-7, atol=1e-7)


def test_liblinear_intercept_scaling_on_sparse(rng):
    X, y = labelled(rng)
    a = LogisticRegression(solver="liblinear", intercept_scaling=3.0, tol=1e-10).fit(X, y)
    b = LogisticRegression(solver="liblinear", intercept_scaling=3.0, tol=1e-10)
    b.fit(X.toarray(), y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-8, atol=1e-9)
    assert a.coef_.dtype == np.float64


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_statistics_equal_the_dense_twin(rng, dtype, weighted):
    X = random_csr(rng, 200, 9, 0.3, dtype, np.int64, awkward=True)
    X.data[:7] += 50.0  # a few large values: means away from zero
    Y = rng.standard_normal((200, 2))
    s = rng.uniform(0.1, 3.0, 200) if weighted else None
    before = arrays_of(X)
    got = sufficient_statistics(X, Y, s)
    # (float64 first: repeated entries add up in float64 in the sparse products)
    want = statistics(X.astype(np.float64).toarray(), Y, s)
    assert got.sum_weights == pytest.approx(want.sum_weights, rel=1e-15)
    for name in ("x_mean", "y_mean", "gram", "xty", "yty"):
        a, b = getattr(got, name), getattr(want, name)
        scale = np.max(np.abs(b))
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13 * scale, err_msg=name)
    np.testing.assert_array_equal(got.gram, got.gram.T)
    assert_unchanged(X, before)


def test_newton_on_a_too_wide_sparse_x_is_a_clear_memory_error(rng):
    X = random_csr(rng, 50, 40_000, 0.001, np.float64, np.int32)
    y = np.arange(50) % 2
    model = LogisticRegression(solver="newton-cholesky")
    with pytest.raises(MemoryError, match=r"40001 x 40001 Hessian .* use solver='lbfgs'"):
        model.fit(X, y)
    assert "coef_" not in vars(model)
    LogisticRegression(solver="lbfgs").fit(X, y)  # the advice works
