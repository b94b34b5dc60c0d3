# The cross-validated least-squares estimators on scipy.sparse X: the same choice and
# coefficients as on the dense copy (their folds come from the sparse statistics, the
# leave-one-out rows from sparse products), the caller's matrix untouched, and a clear
# error for a sparse X too wide for their Gram matrices.
import warnings

import numpy as np
import pytest
from scipy import sparse

from fastreg import ElasticNetCV, LassoCV, RidgeCV


def _data(n_samples, n_features, n_targets=1, seed=0):
    rng = np.random.default_rng(seed)
    X = sparse.random_array(
        (n_samples, n_features), density=0.3, random_state=seed, format="csr"
    ) * 3.0 + sparse.random_array(
        (n_samples, n_features), density=0.05, random_state=seed + 1, format="csr"
    )
    W = rng.standard_normal((n_features, n_targets))
    Y = X @ W + 0.3 * rng.standard_normal((n_samples, n_targets)) + 2.0
    return X.tocsr(), Y[:, 0] if n_targets == 1 else Y


def _ridge_loo():
    return RidgeCV(alphas=(0.01, 0.1, 1.0, 10.0))


def _ridge_folds():
    return RidgeCV(alphas=(0.01, 0.1, 1.0, 10.0), cv=4)


def _lasso():
    return LassoCV(alphas=20, cv=4, tol=1e-10)


def _enet():
    return ElasticNetCV(l1_ratio=(0.3, 0.9), alphas=15, cv=3, tol=1e-10)


def _lasso_without_gram():
    return LassoCV(alphas=10, cv=3, tol=1e-10, precompute=False)


@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (_ridge_loo, (120, 15)),
        (_ridge_loo, (30, 60)),  # n <= d: the leave-one-out from the rows' Gram
        (_ridge_folds, (120, 15)),
        (_lasso, (120, 15)),
        (_enet, (120, 15)),
        (_lasso_without_gram, (120, 15)),
        (_lasso, (30, 60)),  # n < d: the dense fit sweeps columns, the sparse one its Gram
    ],
)
def test_sparse_equals_dense(make, shape):
    X, y = _data(*shape)
    before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    on_sparse = make().fit(X, y)
    on_dense = make().fit(X.toarray(), y)
    # the same grid point (the grids themselves agree to rounding)
    np.testing.assert_allclose(on_sparse.alpha_, on_dense.alpha_, rtol=1e-12)
    np.testing.assert_allclose(on_sparse.coef_, on_dense.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(on_sparse.intercept_, on_dense.intercept_, rtol=1e-7)
    np.testing.assert_allclose(on_sparse.predict(X), on_dense.predict(X.toarray()), rtol=1e-7)
    for kept, now in zip(before, (X.data, X.indices, X.indptr), strict=True):
        np.testing.assert_array_equal(kept, now)


def test_ridge_cv_leave_one_out_errors_equal_dense_on_two_targets():
    X, Y = _data(80, 10, n_targets=2)
    kwargs = dict(alphas=(0.1, 1.0, 10.0), store_cv_results=True, alpha_per_target=True)
    on_sparse = RidgeCV(**kwargs).fit(X, Y)
    on_dense = RidgeCV(**kwargs).fit(X.toarray(), Y)
    np.testing.assert_allclose(on_sparse.cv_results_, on_dense.cv_results_, rtol=1e-8)
    np.testing.assert_array_equal(on_sparse.alpha_, on_dense.alpha_)


@pytest.mark.parametrize("cls", [RidgeCV, LassoCV])
def test_too_wide_sparse_x_is_a_clear_error(cls):
    X = sparse.random_array((50, 5000), density=0.001, random_state=0, format="csr")
    with pytest.raises(ValueError, match="at most 4096 columns"):
        cls().fit(X, np.arange(50.0))


@pytest.mark.parametrize("gcv_mode", ["auto", "eigen", None])
def test_svd_mode_on_sparse_x_warns_as_scikit_learn_does(gcv_mode):
    X, y = _data(60, 8)
    with pytest.warns(FutureWarning, match="'svd' mode is not supported for sparse X"):
        warned = RidgeCV(alphas=(0.1, 1.0), gcv_mode="svd").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = RidgeCV(alphas=(0.1, 1.0), gcv_mode=gcv_mode).fit(X, y)
        RidgeCV(alphas=(0.1, 1.0), gcv_mode="svd").fit(X.toarray(), y)
    np.testing.assert_array_equal(warned.coef_, quiet.coef_)
