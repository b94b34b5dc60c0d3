# The Newton solvers (fastreg._newton): their Hessian from statistics passes against the
# twin's Hessian formed from X, their minimisers against the twin, scikit-learn's
# newton-cholesky and lbfgs and fastreg's L-BFGS / FISTA to tight tolerance, and the
# solvers' on_iteration hook (compiled and twin) against truncated fits.
import dataclasses
import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.datasets import make_classification

from fastreg import LogisticRegression, _kernels, _newton, reference
from fastreg._problem import Penalty, Problem, SolverOptions


def _problem(
    n_classes, *, n_samples=300, n_features=5, dtype=np.float64, shift=0.0, seed=0, weighted=False
):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_features,
        n_redundant=0,
        n_classes=n_classes,
        random_state=seed,
    )
    X = np.ascontiguousarray(X + shift, dtype=dtype)
    weights = None
    if weighted:
        weights = np.random.default_rng(seed).uniform(0.2, 3.0, n_samples).astype(dtype)
    K = 1 if n_classes == 2 else n_classes
    loss = _kernels.LOSS_LOGISTIC if K == 1 else _kernels.LOSS_MULTINOMIAL
    return Problem(loss, X, y.astype(dtype), weights, K), y


def _solve(solve, problem, **options):
    K, d = problem.n_outputs, problem.n_features
    opts = SolverOptions(options.pop("solver", "newton-cholesky"), **options)
    return solve(problem, opts, np.zeros((K, d)), np.zeros(K))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_classes", [2, 4])
def test_hessian_from_statistics_is_the_twins_in_centred_coordinates(n_classes, dtype, rng):
    problem, _ = _problem(n_classes, dtype=dtype, shift=5.0, weighted=True)
    K, d = problem.n_outputs, problem.n_features
    W, b = rng.normal(size=(K, d)), rng.normal(size=K)
    mu = np.average(problem.X.astype(np.float64), axis=0, weights=problem.sample_weight)
    H = _newton.NewtonPasses(problem, 1).hessian(W, b, mu)
    raw = reference.newton_hessian(problem.loss, problem.X, problem.sample_weight, W, b)
    # (w, c) -> (w, b = c - mu.w) per class: H_centred = T^T H_raw T.
    T = np.eye(d + 1)
    T[d, :d] = -mu
    expected = np.einsum("ai,kalb,bj->kilj", T, raw, T)
    tol = 1e-10 if dtype == np.float64 else 2e-5
    np.testing.assert_allclose(H, expected, rtol=tol, atol=tol * np.abs(expected).max())


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_newton_cholesky_matches_twin_and_scikit_learn(n_classes, fit_intercept, weighted):
    problem, y = _problem(n_classes, weighted=weighted)
    S = problem.total_weight()
    C = 0.5
    options = dict(penalty=Penalty(l2=1.0 / (C * S)), fit_intercept=fit_intercept, tol=1e-11)
    W, b, curve, n_iter, status = _solve(_newton.solve, problem, **options)
    W2, b2, _, _, status2 = _solve(reference.newton_cholesky_solve, problem, **options)
    assert status == status2 == _kernels.STATUS_CONVERGED
    assert n_iter < 15 and np.all(np.diff(curve) <= 1e-15)
    np.testing.assert_allclose(W, W2, atol=1e-10)
    np.testing.assert_allclose(b, b2, atol=1e-10)
    theirs = sk.LogisticRegression(
        solver="newton-cholesky", C=C, tol=1e-12, max_iter=200, fit_intercept=fit_intercept
    ).fit(problem.X, y, problem.sample_weight)
    np.testing.assert_allclose(W, theirs.coef_, atol=1e-9)
    np.testing.assert_allclose(b, theirs.intercept_, atol=1e-9)
    lbfgs = _solve(_kernels.solve, problem, solver="lbfgs", max_iter=10_000, **options)
    np.testing.assert_allclose(W, lbfgs[0], atol=1e-8)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_newton_cholesky_without_penalty_matches_scikit_learns_lbfgs(n_classes):
    problem, y = _problem(n_classes, n_samples=400)
    W, b, _, _, status = _solve(_newton.solve, problem, tol=1e-10)
    assert status == _kernels.STATUS_CONVERGED
    theirs = sk.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(problem.X, y)
    np.testing.assert_allclose(W, theirs.coef_, rtol=1e-6, atol=1e-7)
    if n_classes > 2:  # symmetric form, as scikit-learn's
        np.testing.assert_allclose(W.sum(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(b.sum(), 0.0, atol=1e-12)


def test_newton_cholesky_is_indifferent_to_large_column_means():
    # Centred coordinates: a mean of 10^4 leaves the system well conditioned. The raw
    # gradient in W carries the intercept's rounding (~1e-14) times the mean 1e4, so the
    # test asks for 1e-9, not below that floor.
    near, _ = _problem(2, shift=0.0)
    far = dataclasses.replace(near, X=near.X + 1e4)
    options = dict(penalty=Penalty(l2=1e-3), tol=1e-9)
    W0, b0, _, n0, s0 = _solve(_newton.solve, near, **options)
    W1, b1, _, n1, s1 = _solve(_newton.solve, far, **options)
    assert s0 == s1 == _kernels.STATUS_CONVERGED and n1 <= 2 * n0  # scores round at 1e4
    np.testing.assert_allclose(W1, W0, atol=1e-8)
    np.testing.assert_allclose(b1, b0 - 1e4 * W0.sum(axis=1), rtol=1e-9)


@pytest.mark.parametrize("l2", [0.0, 0.002])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_newton_cd_matches_fista_with_an_l1_term(n_classes, l2):
    problem, _ = _problem(n_classes, weighted=True)
    options = dict(penalty=Penalty(l2=l2, l1=0.02), tol=1e-10)
    W, b, _, n_iter, status = _solve(_newton.solve, problem, solver="newton-cd", **options)
    assert status == _kernels.STATUS_CONVERGED and n_iter < 30
    fista = _solve(reference.solve, problem, solver="fista", max_iter=100_000, **options)
    np.testing.assert_allclose(W, fista[0], atol=1e-7)
    np.testing.assert_allclose(b, fista[1], atol=1e-7)
    assert np.array_equal(W == 0, np.abs(fista[0]) < 1e-9) and np.any(W == 0)


def test_newton_solvers_refuse_what_they_cannot_do():
    problem, _ = _problem(2)
    with pytest.raises(ValueError, match="smooth penalty only"):
        _solve(_newton.solve, problem, penalty=Penalty(l1=0.1))
    with pytest.raises(ValueError, match="positivity"):
        _solve(_newton.solve, problem, solver="newton-cd", penalty=Penalty(positive=True))
    squared = dataclasses.replace(problem, loss=_kernels.LOSS_SQUARED)
    with pytest.raises(ValueError, match="logistic and multinomial"):
        _solve(_newton.solve, squared)


def test_newton_cholesky_survives_collinear_columns_without_penalty():
    problem, _ = _problem(2)
    X = np.ascontiguousarray(np.hstack([problem.X, problem.X[:, :1]]))
    collinear = dataclasses.replace(problem, X=X)
    W, _, _, _, status = _solve(_newton.solve, collinear, tol=1e-9)
    assert status == _kernels.STATUS_CONVERGED and np.all(np.isfinite(W))
    single, _, _, _, _ = _solve(_newton.solve, problem, tol=1e-9)
    # Same predictions: the duplicated column's two weights share the original one.
    np.testing.assert_allclose(W[0, 0] + W[0, -1], single[0, 0], rtol=1e-6)


# ---- the on_iteration hook -----------------------------------------------------------------


@pytest.mark.parametrize(
    "solve, solver",
    [
        (_kernels.solve, "lbfgs"),
        (_kernels.solve, "fista"),
        (_kernels.solve, "gd"),
        (reference.solve, "lbfgs"),
        (reference.solve, "gd"),
        (_newton.solve, "newton-cholesky"),
        (_newton.solve, "newton-cd"),
    ],
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_on_iteration_sees_the_iterates_of_truncated_solves(solve, solver, n_classes):
    problem, _ = _problem(n_classes)
    l1 = 0.01 if solver in ("fista", "newton-cd") else 0.0
    seen = []
    options = dict(
        solver=solver,
        penalty=Penalty(l2=0.01, l1=l1),
        tol=0.0,
        max_iter=5,
        learning_rate=0.5 if solver == "gd" else 0.0,
    )
    _, _, _, n_iter, _ = _solve(
        solve, problem, **options, on_iteration=lambda t, W, b: seen.append((t, W, b))
    )
    assert [t for t, _, _ in seen] == list(range(1, n_iter + 1)) and n_iter == 5
    for t, W, b in seen:
        truncated = _solve(solve, problem, **{**options, "max_iter": t})
        np.testing.assert_allclose(W, truncated[0], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(b, truncated[1], rtol=1e-13, atol=1e-15)


def test_an_error_in_on_iteration_is_raised_after_the_solve():
    problem, _ = _problem(2)

    def fail(t, W, b):
        raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        _solve(_kernels.solve, problem, solver="lbfgs", on_iteration=fail)


def test_estimators_newton_routes_converge_in_few_steps():
    X, y = make_classification(n_samples=500, n_features=6, n_redundant=0, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for solver in ("newton-cholesky", "newton-cg", "liblinear"):
            assert LogisticRegression(solver=solver, tol=1e-8).fit(X, y).n_iter_[0] < 12
        l1 = LogisticRegression(solver="liblinear", l1_ratio=1, C=0.1, tol=1e-8).fit(X, y)
        assert l1.n_iter_[0] < 20 and np.any(l1.coef_ == 0)
