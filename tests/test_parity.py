# Parity with scikit-learn: at a tight tol both libraries reach the same minimiser of
# the objectives of the README's table, which `design_objective` below computes from coefficients.
import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn import linear_model as sk
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, make_regression
from sklearn.preprocessing import StandardScaler

from fastreg import (
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
    Ridge,
    SoftmaxRegression,
)

COEF_RTOL = 1e-4
OBJECTIVE_RTOL = 1e-7


def design_objective(model, coef, intercept, X, y):
    """The README's objective for ``model``'s parameters at (coef, intercept).

    Unit sample weights; ``coef`` and ``intercept`` in scikit-learn's shapes.
    """
    X = np.asarray(X, dtype=np.float64)
    W = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    b = np.atleast_1d(np.asarray(intercept, dtype=np.float64))
    Z = X @ W.T + b
    if isinstance(model, (LogisticRegression, SoftmaxRegression)):
        classes = np.unique(y)
        index = np.searchsorted(classes, y)
        if W.shape[0] == 1:
            z = Z[:, 0]
            data_term = np.sum(np.logaddexp(0.0, z) - index * z)
        else:
            data_term = np.sum(logsumexp(Z, axis=1) - Z[np.arange(len(y)), index])
        if np.isinf(model.C):
            return data_term
        rho = model.l1_ratio
        return model.C * data_term + (1 - rho) / 2 * np.sum(W**2) + rho * np.abs(W).sum()
    squares = np.sum((y - Z[:, 0]) ** 2)
    w = W[0]
    if isinstance(model, Lasso):
        return squares / (2 * len(y)) + model.alpha * np.abs(w).sum()
    if isinstance(model, ElasticNet):
        a, rho = model.alpha, model.l1_ratio
        return squares / (2 * len(y)) + a * rho * np.abs(w).sum() + a * (1 - rho) / 2 * w @ w
    if isinstance(model, Ridge):
        return squares + model.alpha * w @ w
    return squares


def _standardised(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _check_parity(ours, theirs, X, y):
    ours.fit(X, y)
    theirs.fit(X, y)
    coef_ours = np.atleast_2d(ours.coef_)
    coef_theirs = np.atleast_2d(theirs.coef_)
    scale = np.abs(coef_theirs).max()
    np.testing.assert_allclose(coef_ours, coef_theirs, rtol=COEF_RTOL, atol=1e-7 * scale)
    np.testing.assert_allclose(
        np.atleast_1d(ours.intercept_),
        np.atleast_1d(theirs.intercept_),
        rtol=COEF_RTOL,
        atol=1e-7 * max(scale, 1.0),
    )
    f_ours = design_objective(ours, ours.coef_, ours.intercept_, X, y)
    f_theirs = design_objective(ours, theirs.coef_, theirs.intercept_, X, y)
    assert f_ours <= f_theirs * (1 + OBJECTIVE_RTOL) + 1e-12
    # The fitted objective is also the last entry of loss_curve_ (to its float rounding).
    np.testing.assert_allclose(ours.loss_curve_[-1], f_ours, rtol=1e-9)
    return coef_ours, coef_theirs


@pytest.mark.parametrize("C", [1.0, 0.05])
def test_logistic_regression_breast_cancer(C):
    X, y = _standardised(load_breast_cancer)
    _check_parity(
        LogisticRegression(C=C, tol=1e-10, max_iter=10_000),
        sk.LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000),
        X,
        y,
    )


def test_softmax_regression_digits():
    X, y = _standardised(load_digits)
    _check_parity(
        SoftmaxRegression(C=0.1, tol=1e-10, max_iter=20_000),
        sk.LogisticRegression(C=0.1, solver="newton-cholesky", tol=1e-12, max_iter=1000),
        X,
        y,
    )


def test_ridge_diabetes():
    X, y = load_diabetes(return_X_y=True)
    _check_parity(
        Ridge(alpha=0.1, tol=1e-10, max_iter=10_000),
        sk.Ridge(alpha=0.1, solver="cholesky"),
        X,
        y,
    )


def test_lasso_diabetes_zeros_match():
    X, y = load_diabetes(return_X_y=True)
    ours, theirs = _check_parity(
        Lasso(alpha=0.5, tol=1e-10, max_iter=100_000),
        sk.Lasso(alpha=0.5, tol=1e-14, max_iter=1_000_000),
        X,
        y,
    )
    zeros = theirs == 0.0
    assert 0 < zeros.sum() < zeros.size
    np.testing.assert_array_equal(ours == 0.0, zeros)


def test_elastic_net_diabetes():
    X, y = load_diabetes(return_X_y=True)
    ours, theirs = _check_parity(
        ElasticNet(alpha=0.005, l1_ratio=0.7, tol=1e-10, max_iter=100_000),
        sk.ElasticNet(alpha=0.005, l1_ratio=0.7, tol=1e-14, max_iter=1_000_000),
        X,
        y,
    )
    np.testing.assert_array_equal(ours == 0.0, theirs == 0.0)


@pytest.mark.parametrize("solver", ["auto", "lstsq"])
def test_linear_regression_synthetic(solver):
    X, y = make_regression(n_samples=300, n_features=12, noise=3.0, bias=7.0, random_state=3)
    X = X * np.linspace(0.5, 3.0, 12) + 1.0  # uneven scales and a non-zero mean
    _check_parity(
        LinearRegression(solver=solver, tol=1e-10, max_iter=10_000),
        sk.LinearRegression(),
        X,
        y,
    )
