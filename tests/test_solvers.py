# The compiled solvers (src_c/solver_*.c) against exact solutions and scikit-learn: the
# minimiser each one reaches, the zeros FISTA produces, the intercept handling, the stall
# and interrupt paths, and determinism across thread counts. GD's pass-for-pass agreement
# with the NumPy twin lives in test_kernels.py.
import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.linear_model import Lasso, LogisticRegression
from sklearn.preprocessing import StandardScaler

from fastreg import _kernels, reference
from fastreg._problem import Penalty, Problem, SolverOptions

GD, FISTA, LBFGS = "gd", "fista", "lbfgs"
SQUARED, LOGISTIC, MULTINOMIAL = (
    _kernels.LOSS_SQUARED,
    _kernels.LOSS_LOGISTIC,
    _kernels.LOSS_MULTINOMIAL,
)
CONVERGED, MAX_ITER, INTERRUPTED = (
    _kernels.STATUS_CONVERGED,
    _kernels.STATUS_MAX_ITER,
    _kernels.STATUS_INTERRUPTED,
)


def run(
    loss,
    X,
    y,
    sw=None,
    K=1,
    *,
    solver,
    l2=0.0,
    l1=0.0,
    fit_intercept=True,
    learning_rate=-1.0,
    max_iter=100_000,
    tol=1e-10,
    n_threads=1,
    coef=None,
    intercept=None,
    **extra,
):
    coef = np.zeros((K, X.shape[1])) if coef is None else coef
    intercept = np.zeros(K) if intercept is None else intercept
    options = SolverOptions(
        solver=solver,
        penalty=Penalty(l2, l1),
        fit_intercept=fit_intercept,
        learning_rate=learning_rate,
        max_iter=max_iter,
        tol=tol,
        n_threads=n_threads,
        **extra,
    )
    return _kernels.solve(Problem(loss, X, y, sw, n_outputs=K), options, coef, intercept)


def logistic_objective(X, y, w, b, l2):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * w @ w


@pytest.fixture(scope="module")
def breast_cancer_fit():
    """Standardised breast_cancer, C = 1, and scikit-learn's lbfgs fit (fitted once)."""
    X, y = load_breast_cancer(return_X_y=True)
    X, y, C = StandardScaler().fit_transform(X), y.astype(np.float64), 1.0
    return X, y, C, LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)


@pytest.mark.parametrize("solver", [LBFGS, FISTA])
def test_logistic_matches_sklearn_lbfgs(breast_cancer_fit, solver):
    # sklearn minimises C sum logloss + ||w||^2 / 2, i.e. l2 = 1 / (C n) on the average.
    X, y, C, sk = breast_cancer_fit
    l2 = 1 / (C * X.shape[0])
    coef, intercept, curve, n_iter, status = run(LOGISTIC, X, y, solver=solver, l2=l2)
    assert status == CONVERGED and curve.shape == (n_iter,)
    ours = logistic_objective(X, y, coef[0], intercept[0], l2)
    theirs = logistic_objective(X, y, sk.coef_[0], sk.intercept_[0], l2)
    assert ours <= theirs + 1e-14
    assert curve[-1] == pytest.approx(ours, rel=1e-12)
    np.testing.assert_allclose(coef[0], sk.coef_[0], rtol=0, atol=1e-4)
    if solver == LBFGS:  # as many iterations as scipy's L-BFGS-B, give or take
        assert n_iter <= 1.5 * sk.n_iter_[0] + 10


@pytest.mark.parametrize("alpha", [0.1, 1.0])
def test_lasso_matches_sklearn_coordinate_descent(alpha):
    # Squared loss (y - z)^2 / 2 averaged + alpha ||w||_1 is exactly sklearn's Lasso.
    X, y = load_diabetes(return_X_y=True)
    sk = Lasso(alpha=alpha, tol=1e-14, max_iter=1_000_000).fit(X, y)
    coef, intercept, _, n_iter, status = run(SQUARED, X, y, solver=FISTA, l1=alpha)
    assert status == CONVERGED and n_iter < 2000
    assert np.array_equal(coef[0] == 0, sk.coef_ == 0)  # same support, exact zeros
    assert np.abs(coef[0] - sk.coef_).max() <= 1e-4 * np.abs(sk.coef_).max()
    assert intercept[0] == pytest.approx(sk.intercept_, rel=1e-6)


@pytest.fixture(scope="module")
def digits_fit():
    """Standardised digits (first 400 rows), C = 0.1, and scikit-learn's multinomial fit."""
    X, y = load_digits(return_X_y=True)
    X, y, C = StandardScaler().fit_transform(X[:400]), y[:400].astype(np.float64), 0.1
    return X, y, C, LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)


@pytest.mark.parametrize("solver", [LBFGS, FISTA])
def test_multinomial_matches_sklearn(digits_fit, solver):
    X, y, C, sk = digits_fit
    coef, intercept, _, _, status = run(
        MULTINOMIAL, X, y, K=10, solver=solver, l2=1 / (C * X.shape[0]), tol=1e-9
    )
    assert status == CONVERGED
    # softmax is invariant to a shift common to all classes; l2 pins W, not b
    np.testing.assert_allclose(coef, sk.coef_, rtol=0, atol=1e-5)
    np.testing.assert_allclose(
        intercept - intercept.mean(), sk.intercept_ - sk.intercept_.mean(), rtol=0, atol=1e-5
    )


def weighted_ridge(X, y, sw, l2):
    """Exact minimiser of sum s (y - Xw - b)^2 / (2 S) + l2/2 ||w||^2 (normal equations)."""
    X1 = np.hstack([X, np.ones((len(y), 1))])
    A = (X1 * (sw / sw.sum())[:, None]).T @ X1
    A[:-1, :-1] += l2 * np.eye(X.shape[1])
    solution = np.linalg.solve(A, X1.T @ (sw / sw.sum() * y))
    return solution[:-1], solution[-1]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("solver", [GD, FISTA, LBFGS])
def test_weighted_ridge_reaches_normal_equations(rng, solver, dtype):
    n, d, l2 = 400, 5, 0.05
    X = rng.normal(size=(n, d)) * np.linspace(0.5, 3.0, d) + 1.0  # uncentred, unequal scales
    y = X @ rng.normal(size=d) + 3.0 + rng.normal(size=n)
    sw = rng.uniform(0.2, 2.0, size=n)
    w, b = weighted_ridge(X, y, sw, l2)
    tol, atol = (1e-10, 1e-7) if dtype == np.float64 else (1e-4, 1e-3)
    coef, intercept, _, _, status = run(
        SQUARED, X.astype(dtype), y.astype(dtype), sw.astype(dtype), solver=solver, l2=l2, tol=tol
    )
    assert status == CONVERGED
    np.testing.assert_allclose(coef[0], w, rtol=0, atol=atol)
    assert intercept[0] == pytest.approx(b, abs=atol)


@pytest.mark.parametrize("solver", [GD, FISTA, LBFGS])
@pytest.mark.parametrize("loss", [SQUARED, LOGISTIC, MULTINOMIAL])
def test_intercept_only_model(rng, loss, solver):
    # n_features == 0: the optimum is the weighted mean of y / its logit / the log class
    # frequencies (up to a common shift).
    n = 200
    y = {
        SQUARED: rng.normal(2.0, 1.0, n),
        LOGISTIC: (rng.uniform(size=n) < 0.3) * 1.0,
        MULTINOMIAL: rng.integers(0, 3, n) * 1.0,
    }[loss]
    sw = rng.uniform(0.5, 1.5, n)
    K = 3 if loss == MULTINOMIAL else 1
    _, intercept, _, _, status = run(loss, np.empty((n, 0)), y, sw, K=K, solver=solver, tol=1e-12)
    assert status == CONVERGED
    if loss == MULTINOMIAL:
        freq = np.bincount(y.astype(int), weights=sw, minlength=3) / sw.sum()
        p = np.exp(intercept - intercept.max())
        np.testing.assert_allclose(p / p.sum(), freq, atol=1e-10)
    else:
        mean = np.average(y, weights=sw)
        expected = mean if loss == SQUARED else np.log(mean / (1 - mean))
        assert intercept[0] == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("solver", [GD, FISTA, LBFGS])
def test_unfitted_intercept_stays_bit_for_bit(rng, solver):
    X = rng.normal(size=(150, 4))
    y = (X[:, 0] + rng.normal(size=150) > 0) * 1.0
    start = np.array([0.3 + 1e-17])
    _, intercept, _, _, status = run(
        LOGISTIC, X, y, solver=solver, l2=0.01, fit_intercept=False, intercept=start.copy()
    )
    assert status == CONVERGED
    assert intercept[0] == start[0]


@pytest.mark.parametrize("solver", [FISTA, LBFGS])
def test_bitwise_identical_across_threads(rng, solver):
    n = 9000  # several row chunks, so two threads really split the pass
    X = rng.normal(size=(n, 6))
    y = (X @ rng.normal(size=6) + rng.normal(size=n) > 0) * 1.0
    l1 = 0.01 if solver == FISTA else 0.0
    one = run(LOGISTIC, X, y, solver=solver, l2=1e-3, l1=l1, tol=1e-8, n_threads=1)
    two = run(LOGISTIC, X, y, solver=solver, l2=1e-3, l1=l1, tol=1e-8, n_threads=2)
    for a, b in zip(one[:3], two[:3], strict=True):
        assert np.array_equal(a, b)
    assert one[3:] == two[3:]


def test_lbfgs_stops_at_floating_point_resolution(rng):
    # tol = 0 cannot be met in float32; the solver must notice the stall, not spin.
    X = rng.normal(size=(300, 5)).astype(np.float32)
    y = (X @ rng.normal(size=5).astype(np.float32)).astype(np.float32)
    coef, _, curve, n_iter, status = run(
        SQUARED, X, y, solver=LBFGS, l2=0.1, tol=0.0, max_iter=5000
    )
    assert status in (CONVERGED, MAX_ITER) and n_iter < 5000
    assert np.all(np.isfinite(coef)) and curve.shape == (n_iter,)


@pytest.mark.parametrize("solver", [FISTA, LBFGS])
def test_interrupt_returns_the_current_iterate(rng, solver):
    X = rng.normal(size=(100, 3))
    y = (X[:, 0] > 0) * 1.0  # separable: without a penalty the solve never converges
    calls = []

    def progress(iteration, objective):
        calls.append(objective)
        return True

    coef, intercept, curve, n_iter, status = run(
        LOGISTIC,
        X,
        y,
        solver=solver,
        tol=0.0,
        max_iter=10_000,
        progress=progress,
        progress_interval=0.0,
    )
    assert status == INTERRUPTED and len(calls) == 1
    assert curve.shape == (n_iter,) and curve[-1] == calls[0]
    assert np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))


@pytest.mark.parametrize("solver", [GD, FISTA, LBFGS])
def test_interrupt_during_start_up_passes(rng, solver):
    # n d > 20000: the clock is read after every pass, so the first pass already calls
    # back, inside the automatic step-size estimate (GD, FISTA) or before any iteration.
    X = rng.normal(size=(3000, 10))
    y = (X[:, 0] > 0) * 1.0
    calls = []

    def progress(iteration, objective):
        calls.append((iteration, objective))
        return True

    coef, intercept, curve, n_iter, status = run(
        LOGISTIC, X, y, solver=solver, tol=0.0, progress=progress, progress_interval=0.0
    )
    assert status == INTERRUPTED and n_iter == 0 and curve.shape == (0,)
    assert len(calls) == 1 and calls[0][0] == 0 and np.isnan(calls[0][1])
    assert np.all(coef == 0) and np.all(intercept == 0)  # the start point, untouched


def test_lbfgs_rejects_l1(rng):
    X = rng.normal(size=(20, 2))
    with pytest.raises(ValueError):
        run(SQUARED, X, X[:, 0].copy(), solver=LBFGS, l1=0.1)


@pytest.mark.parametrize("solver", [FISTA, LBFGS])
def test_solvers_agree_with_the_twin_minimiser(rng, solver):
    # Same minimiser as the NumPy twin's long GD run, on a weighted elastic net.
    X = rng.normal(size=(250, 4)) + 0.5
    y = (X @ np.array([1.0, -1.0, 0.0, 0.5]) + rng.normal(size=250) > 0.5) * 1.0
    sw = rng.uniform(0.5, 2.0, 250)
    l1 = 0.0 if solver == LBFGS else 0.01
    options = SolverOptions("gd", Penalty(0.02, l1), max_iter=100_000, tol=1e-11)
    W, b, *_ = reference.solve(Problem(LOGISTIC, X, y, sw), options, np.zeros((1, 4)), np.zeros(1))
    coef, intercept, _, _, status = run(LOGISTIC, X, y, sw, solver=solver, l2=0.02, l1=l1)
    assert status == CONVERGED
    np.testing.assert_allclose(coef, W, rtol=0, atol=1e-8)
    np.testing.assert_allclose(intercept, b, rtol=0, atol=1e-8)
    if l1:
        assert np.array_equal(coef == 0, W == 0)


# ---- uncentred features: the solvers optimise in centred coordinates (objective.h, e) ---


def uncentred(loc, n=100, seed=0):
    rs = np.random.RandomState(seed)
    return rs.normal(loc=loc, size=(n, 2)), rs.normal(size=n)


@pytest.mark.parametrize("loc", [100.0, 1e4])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_uncentred_lasso_fista_matches_coordinate_descent(loc, l1_ratio):
    # Before centring FISTA needed > 20,000 iterations at loc=100 and stalled at 1e4.
    from sklearn.linear_model import ElasticNet

    X, y = uncentred(loc)
    alpha = 0.01
    sk = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-15, max_iter=1_000_000).fit(X, y)
    coef, intercept, _, n_iter, status = run(
        SQUARED, X, y, solver=FISTA, l1=alpha * l1_ratio, l2=alpha * (1 - l1_ratio), tol=1e-10
    )
    assert status == CONVERGED and n_iter < 300
    np.testing.assert_allclose(coef[0], sk.coef_, rtol=0, atol=1e-8)
    assert intercept[0] == pytest.approx(sk.intercept_, abs=1e-8 * loc)


@pytest.mark.parametrize("loc", [100.0, 1e4])
@pytest.mark.parametrize("solver", [FISTA, LBFGS])
def test_uncentred_weighted_ridge_reaches_normal_equations(loc, solver):
    X, y = uncentred(loc)
    sw = np.random.RandomState(1).uniform(0.2, 2.0, size=len(y))
    l2 = 1 / 80
    # the normal equations in centred form: the raw ones are too ill-conditioned at 1e4
    mu = np.average(X, axis=0, weights=sw)
    w, c = weighted_ridge(X - mu, y, sw, l2)
    coef, intercept, _, n_iter, status = run(SQUARED, X, y, sw, solver=solver, l2=l2)
    assert status == CONVERGED and n_iter < 300
    np.testing.assert_allclose(coef[0], w, rtol=0, atol=1e-9)
    assert intercept[0] == pytest.approx(c - w @ mu, abs=1e-9 * loc)


def test_lbfgs_uncentred_80_rows_reaches_tol():
    # Used to stop after a failed line search at optimality ~1e-5 and report max_iter.
    X, y = uncentred(1e4)
    coef, intercept, _, n_iter, status = run(
        SQUARED, X[:80], y[:80], solver=LBFGS, l2=1 / 80, learning_rate=0.0, max_iter=10_000
    )
    assert status == CONVERGED and n_iter < 100
    # the minimiser of (1/n) sum r^2/2 + l2/2 ||w||^2: the centred normal equations
    Xr, yr = X[:80], y[:80]
    Xc, yc = Xr - Xr.mean(axis=0), yr - yr.mean()
    w = np.linalg.solve(Xc.T @ Xc / 80 + np.eye(X.shape[1]) / 80, Xc.T @ yc / 80)
    np.testing.assert_allclose(coef[0], w, rtol=1e-7)
    assert intercept[0] == pytest.approx(yr.mean() - Xr.mean(axis=0) @ w, rel=1e-7, abs=1e-9)


def newton_logistic(X, y, l2, iterations=50):
    """Minimiser of mean logloss + l2/2 ||w||^2 by Newton's method on centred features."""
    mu = X.mean(axis=0)
    X1 = np.hstack([X - mu, np.ones((len(y), 1))])
    theta = np.zeros(X1.shape[1])
    reg = np.full(X1.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(X1 @ theta)))
        grad = X1.T @ (p - y) / len(y) + reg * theta
        H = (X1 * (p * (1 - p))[:, None]).T @ X1 / len(y) + np.diag(reg)
        theta -= np.linalg.solve(H, grad)
    w, c = theta[:-1], theta[-1]
    return w, c - w @ mu


@pytest.mark.parametrize("loc", [100.0, 1e4])
@pytest.mark.parametrize("solver", [LBFGS, FISTA])
def test_uncentred_logistic_matches_newton(loc, solver):
    X, y = uncentred(loc)
    y = (y + 0.5 * (X[:, 0] - loc) > 0) * 1.0
    w, b = newton_logistic(X, y, 0.01)
    coef, intercept, _, n_iter, status = run(LOGISTIC, X, y, solver=solver, l2=0.01)
    assert status == CONVERGED and n_iter < 300
    np.testing.assert_allclose(coef[0], w, rtol=0, atol=1e-8)
    assert intercept[0] == pytest.approx(b, abs=1e-8 * loc)


@pytest.mark.parametrize("solver", [FISTA, LBFGS])
def test_uncentred_warm_start(solver):
    # The start point is converted to centred coordinates (c = b + W mu): a warm start at
    # the solution is already optimal, and any other start reaches the same minimiser.
    X, y = uncentred(100.0)
    cold = run(SQUARED, X, y, solver=solver, l2=0.01)
    again = run(
        SQUARED, X, y, solver=solver, l2=0.01, coef=cold[0].copy(), intercept=cold[1].copy()
    )
    assert again[4] == CONVERGED and again[3] <= 1
    np.testing.assert_allclose(again[0], cold[0], rtol=0, atol=1e-12)
    other = run(
        SQUARED,
        X,
        y,
        solver=solver,
        l2=0.01,
        coef=np.array([[3.0, -2.0]]),
        intercept=np.array([50.0]),
    )
    assert other[4] == CONVERGED and other[3] < 300
    np.testing.assert_allclose(other[0], cold[0], rtol=0, atol=1e-9)
    assert other[1][0] == pytest.approx(cold[1][0], abs=1e-7)


@pytest.mark.parametrize("solver", [FISTA, LBFGS])
def test_uncentred_without_intercept_is_not_centred(solver):
    # fit_intercept=False: nothing to absorb the shift, the raw problem is solved as before
    # and the intercept stays bit for bit.
    X, y = uncentred(3.0)
    start = np.array([0.25])
    coef, intercept, _, _, status = run(
        SQUARED, X, y, solver=solver, l2=0.01, fit_intercept=False, intercept=start.copy()
    )
    assert status == CONVERGED and intercept[0] == start[0]
    r = y - start[0]
    w = np.linalg.solve(X.T @ X / len(y) + 0.01 * np.eye(2), X.T @ r / len(y))
    np.testing.assert_allclose(coef[0], w, rtol=0, atol=1e-9)


@pytest.mark.parametrize("solver", [FISTA, LBFGS])
def test_uncentred_bitwise_identical_across_threads(rng, solver):
    n = 9000  # several row chunks: the column means and the passes are split
    X = rng.normal(loc=100.0, size=(n, 6))
    y = ((X - 100.0) @ rng.normal(size=6) + rng.normal(size=n) > 0) * 1.0
    sw = rng.uniform(0.5, 2.0, n)
    l1 = 0.01 if solver == FISTA else 0.0
    one = run(LOGISTIC, X, y, sw, solver=solver, l2=1e-3, l1=l1, tol=1e-8, n_threads=1)
    two = run(LOGISTIC, X, y, sw, solver=solver, l2=1e-3, l1=l1, tol=1e-8, n_threads=2)
    assert one[4] == CONVERGED
    for a, b in zip(one[:3], two[:3], strict=True):
        assert np.array_equal(a, b)
    assert one[3:] == two[3:]


@pytest.mark.parametrize("solver", [FISTA, LBFGS])
@pytest.mark.parametrize("loc", [1.0, 100.0])
def test_uncentred_float32(solver, loc):
    X, y = uncentred(loc, n=400)
    y = y + (X - loc) @ np.array([1.0, -0.5])
    l1 = 0.01 if solver == FISTA else 0.0
    mu = X.mean(axis=0)
    coef64, intercept64, *_ = run(SQUARED, X, y, solver=solver, l2=0.01, l1=l1)
    coef, intercept, _, n_iter, status = run(
        SQUARED,
        X.astype(np.float32),
        y.astype(np.float32),
        solver=solver,
        l2=0.01,
        l1=l1,
        tol=1e-5,
    )
    assert status == CONVERGED and n_iter < 200
    np.testing.assert_allclose(coef, coef64, rtol=0, atol=1e-4)
    # the intercept is only as precise as float32 scores around |mu . w|
    assert intercept[0] + coef[0] @ mu == pytest.approx(intercept64[0] + coef64[0] @ mu, abs=1e-4)
