# Extreme numerics: badly scaled features, separable classes, huge C, labels near the
# float range. Every fit either converges, or stops with a ConvergenceWarning, or raises
# a ValueError that says what to do; it never leaves NaN/inf in coef_, intercept_ or
# loss_curve_. Probabilities stay in [0, 1] and rows sum to 1.
import re
import warnings

import numpy as np
import pytest
from estimator_lists import ALL, CLASSIFIERS, REGRESSORS
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning

from fastreg import (
    ElasticNet,
    Lasso,
    LogisticRegression,
    Ridge,
    SoftmaxRegression,
)

SOLVERS = ["auto", "gd", "fista", "lbfgs"]
# What an overflow error must say: the cause and the remedy.
OVERFLOW_MESSAGE = "(overflow|too large|not finite|diverged).*(rescale|scale|Lower|StandardScaler)"


def _data(cls, dtype=np.float64, n_samples=120):
    if cls in CLASSIFIERS:
        X, y = make_classification(
            n_samples=n_samples,
            n_features=4,
            n_informative=3,
            n_redundant=0,
            n_classes=3,
            random_state=0,
        )
    else:
        X, y = make_regression(n_samples=n_samples, n_features=4, noise=1.0, random_state=0)
        y = y.astype(dtype)
    return X.astype(dtype), y


def _fit_outcome(model, X, y, *, allow_error=False):
    """Fit; check the invariants; return "converged", "warned" or "error"."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.fit(X, y)
        except ValueError as exc:
            assert allow_error, f"unexpected error: {exc}"
            assert re.search(OVERFLOW_MESSAGE, str(exc)), str(exc)
            assert not hasattr(model, "coef_")
            return "error"
    kinds = {type(w.message) for w in caught}
    assert kinds <= {ConvergenceWarning}, [str(w.message) for w in caught]
    for name in ("coef_", "intercept_", "loss_curve_"):
        value = np.asarray(getattr(model, name), dtype=np.float64)
        assert np.all(np.isfinite(value)), f"{name} = {value}"
    assert model.loss_curve_.shape == (model.n_iter_,)
    if kinds:
        message = str(caught[0].message)
        assert "max_iter" in message and "StandardScaler" in message
        return "warned"
    return "converged"


def _solver_cases():
    for cls in ALL:
        for solver in SOLVERS:
            if solver == "lbfgs" and cls in (Lasso, ElasticNet):
                continue
            yield cls, solver


@pytest.mark.parametrize("scale", [1e6, 1e-6])
@pytest.mark.parametrize("cls, solver", list(_solver_cases()))
def test_badly_scaled_features(cls, solver, scale):
    X, y = _data(cls)
    outcome = _fit_outcome(cls(solver=solver), X * scale, y)
    assert outcome in ("converged", "warned")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls", ALL)
def test_badly_scaled_columns_mixed(cls, dtype):
    # One column in the millions and one in the millionths at once.
    X, y = _data(cls, dtype)
    X = X * np.array([1e6, 1e-6, 1.0, 1.0], dtype=dtype)
    assert _fit_outcome(cls(), X, y) in ("converged", "warned")


def _separable(n_classes):
    rng = np.random.default_rng(0)
    centres = np.array([[6.0, 0.0], [-6.0, 0.0], [0.0, 6.0]])[:n_classes]
    X = np.concatenate([rng.normal(size=(40, 2)) + c for c in centres])
    y = np.repeat(np.arange(n_classes), 40)
    return X, y


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("C", [np.inf, 1e12])
@pytest.mark.parametrize("solver", ["auto", "gd", "fista", "lbfgs"])
@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_separable_classes_without_penalty(cls, solver, C, n_classes):
    X, y = _separable(n_classes)
    model = cls(C=C, solver=solver, max_iter=2000, tol=1e-8)
    assert _fit_outcome(model, X, y) in ("converged", "warned")
    assert model.score(X, y) == 1.0
    proba = model.predict_proba(X)
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_separable_weights_grow_but_stay_finite_with_plain_gd(cls):
    # A fixed step on separable data: the weights grow every epoch (the infimum is not
    # attained); the run ends at max_iter with a warning, never with NaN.
    X, y = _separable(2)
    norms = []
    for max_iter in (50, 500, 5000):
        model = cls(C=np.inf, solver="gd", learning_rate=1.0, max_iter=max_iter, tol=0.0)
        assert _fit_outcome(model, X, y) == "warned"
        assert np.all(np.diff(model.loss_curve_) <= 1e-12 * model.loss_curve_[0])
        norms.append(np.linalg.norm(model.coef_))
    assert norms[0] < norms[1] < norms[2]


@pytest.mark.parametrize("cls", [Ridge, Lasso, ElasticNet, LogisticRegression, SoftmaxRegression])
def test_huge_c_or_tiny_alpha(cls):
    X, y = _data(cls)
    params = {"C": 1e12} if cls in CLASSIFIERS else {"alpha": 1e-12}
    assert _fit_outcome(cls(**params), X, y) in ("converged", "warned")
    params = {"C": 1e-12} if cls in CLASSIFIERS else {"alpha": 1e12}
    model = cls(**params)
    assert _fit_outcome(model, X, y) in ("converged", "warned")
    assert np.max(np.abs(model.coef_)) < 1e-6  # everything penalised away


@pytest.mark.parametrize("y_scale", [1e150, 1e298, 1e300, 1e307])
@pytest.mark.parametrize("cls", REGRESSORS)
def test_labels_at_the_edge_of_the_float_range(cls, y_scale):
    X, y = _data(cls)
    y = y / np.max(np.abs(y)) * y_scale
    _fit_outcome(cls(), X, y, allow_error=True)
    constant = np.full_like(y, y_scale)
    _fit_outcome(cls(), X, constant, allow_error=True)


@pytest.mark.parametrize("cls", REGRESSORS)
def test_squares_of_huge_labels_overflow_with_a_clear_error(cls):
    X, y = _data(cls)
    y = y / np.max(np.abs(y)) * 1e300
    with pytest.raises(ValueError, match="rescale X and y"):
        cls().fit(X, y)


# classifier labels are class indices: only the regressors' y can sit at the limit
@pytest.mark.parametrize(
    ("cls", "where"), [(cls, "X") for cls in ALL] + [(cls, "y") for cls in REGRESSORS]
)
def test_float32_values_near_the_float32_limit(cls, where):
    X, y = _data(cls, np.float32)
    if where == "X":
        X = (X / np.max(np.abs(X)) * np.float32(3e38)).astype(np.float32)
    else:
        y = (y / np.max(np.abs(y)) * np.float32(3e38)).astype(np.float32)
    assert np.all(np.isfinite(X)) and np.all(np.isfinite(y))
    _fit_outcome(cls(), X, y, allow_error=True)


@pytest.mark.parametrize("cls", REGRESSORS)
def test_float64_labels_beyond_float32_are_an_error_for_float32_data(cls):
    X, y = _data(cls, np.float32)
    with pytest.raises(ValueError, match="too large for the data's dtype float32"):
        cls().fit(X, y.astype(np.float64) * 1e300)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls", ALL)
def test_huge_float64_features(cls, dtype):
    X, y = _data(cls, dtype)
    big = 1e300 if dtype == np.float64 else 1e37
    _fit_outcome(cls(), (X * big).astype(dtype), y, allow_error=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_probabilities_for_decision_values_in_the_thousands(cls, dtype):
    X, y = _data(cls, dtype)
    for n_classes in (2, 3):
        keep = y < n_classes
        model = cls(C=np.inf).fit(X[keep], y[keep])
        for factor in (1e3, 1e5, 1e30):
            X_far = (X * dtype(factor)).astype(dtype)
            scores = model.decision_function(X_far)
            assert np.max(np.abs(scores)) > 1000
            proba = model.predict_proba(X_far)
            assert proba.shape == (X.shape[0], n_classes)
            assert np.all(np.isfinite(proba))
            assert np.all((proba >= 0) & (proba <= 1))
            eps = np.finfo(proba.dtype).eps
            np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=4 * eps)
            log_proba = model.predict_log_proba(X_far)
            assert not np.any(np.isnan(log_proba)) and np.all(log_proba <= 0)
            np.testing.assert_array_equal(model.predict(X_far), model.classes_[proba.argmax(1)])
