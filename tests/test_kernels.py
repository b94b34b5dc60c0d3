# Tests of the compiled kernel layer (fastreg._kernels) against its NumPy twin
# (fastreg.reference), and of both against mathematics: finite differences of the loss,
# closed forms evaluated with decimal at 60 digits, linearity in the sample weights, and
# bitwise determinism across thread counts.
import functools
import math
from decimal import Decimal, localcontext

import numpy as np
import pytest

from fastreg import _kernels, reference
from fastreg._problem import Penalty, Problem, SolverOptions

DTYPES = [np.float32, np.float64]
LOSSES = [reference.LOSS_SQUARED, reference.LOSS_LOGISTIC, reference.LOSS_MULTINOMIAL]
LOSS_IDS = ["squared", "logistic", "multinomial"]
N_CLASSES = 3
# More rows than FR_CHUNK_MIN_ROWS (2048): several chunks, so two threads really split work.
BIG = 5000
SMALL = 37  # not a multiple of the 4-row blocks, so the remainder loop runs too
EXTREMES = [40.0, 800.0, 1e4, -40.0, -800.0, -1e4]


def rtol_for(dtype):
    """sqrt(eps) of the data dtype: the agreement promised between kernel and twin."""
    return float(np.sqrt(np.finfo(dtype).eps))


def assert_close(actual, expected, rtol, scale=None):
    """Relative comparison with an absolute floor of rtol * (the largest |expected|)."""
    expected = np.asarray(expected, dtype=np.float64)
    if scale is None:
        scale = float(np.max(np.abs(expected), initial=0.0))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * max(scale, 1e-300))


def readonly(*arrays):
    for a in arrays:
        if a is not None:
            a.setflags(write=False)


def make_problem(rng, loss, n, d, dtype, weighted=False, coef_scale=1.0):
    """Random data, targets drawn from the model, and a random (coef, intercept)."""
    K = N_CLASSES if loss == reference.LOSS_MULTINOMIAL else 1
    X = rng.standard_normal((n, d))
    true_coef = rng.standard_normal((K, d)) / math.sqrt(d)
    scores = X @ true_coef.T + 0.3
    if loss == reference.LOSS_SQUARED:
        y = scores[:, 0] + 0.5 * rng.standard_normal(n)
    elif loss == reference.LOSS_LOGISTIC:
        y = (rng.random(n) < reference.sigmoid(scores[:, 0])).astype(np.float64)
    else:
        p = reference.softmax(scores)
        y = (rng.random((n, 1)) > np.cumsum(p, axis=1)).sum(axis=1).astype(np.float64)
    sample_weight = rng.uniform(0.2, 3.0, n).astype(dtype) if weighted else None
    coef = (coef_scale * rng.standard_normal((K, d)) / math.sqrt(d)).astype(dtype)
    intercept = rng.standard_normal(K).astype(dtype)
    return X.astype(dtype), y.astype(dtype), sample_weight, coef, intercept


# ---- the fused loss + gradient pass -----------------------------------------------------


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("read_only", [False, True], ids=["writeable", "readonly"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("n", [SMALL, BIG])
@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_loss_gradient_matches_twin(rng, loss, n, weighted, dtype, read_only, n_threads):
    X, y, sw, coef, intercept = make_problem(rng, loss, n, 7, dtype, weighted)
    if read_only:
        readonly(X, y, sw, coef, intercept)
    value, grad_coef, grad_intercept = _kernels.loss_gradient(
        loss, X, y, sw, coef, intercept, n_threads
    )
    expected = reference.loss_gradient(loss, X, y, sw, coef, intercept)
    K = coef.shape[0]
    assert isinstance(value, float)
    assert grad_coef.dtype == np.float64 and grad_coef.shape == (K, 7)
    assert grad_intercept.dtype == np.float64 and grad_intercept.shape == (K,)
    rtol = rtol_for(dtype)
    assert_close(value, expected[0], rtol)
    assert_close(grad_coef, expected[1], rtol)
    assert_close(grad_intercept, expected[2], rtol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_loss_gradient_bitwise_identical_across_threads(rng, loss, dtype):
    X, y, sw, coef, intercept = make_problem(rng, loss, BIG + 3, 9, dtype, weighted=True)
    one = _kernels.loss_gradient(loss, X, y, sw, coef, intercept, 1)
    two = _kernels.loss_gradient(loss, X, y, sw, coef, intercept, 2)
    assert one[0] == two[0]
    assert np.array_equal(one[1], two[1])
    assert np.array_equal(one[2], two[2])


def test_build_runs_threads():
    # The n_threads=2 cases above only exercise the parallel path with OpenMP.
    assert _kernels.build_info()["openmp"] is True


def central_difference(func, x, h=1e-6):
    """Central finite-difference gradient of a scalar function of the array x."""
    grad = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        step = h * max(1.0, abs(x[idx]))
        plus, minus = x.copy(), x.copy()
        plus[idx] += step
        minus[idx] -= step
        grad[idx] = (func(plus) - func(minus)) / (2 * step)
    return grad


@pytest.mark.parametrize("implementation", ["compiled", "twin"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_gradient_is_derivative_of_loss(rng, loss, weighted, implementation):
    if implementation == "compiled":

        def loss_gradient(*args):
            return _kernels.loss_gradient(*args, 1)
    else:
        loss_gradient = reference.loss_gradient
    X, y, sw, coef, intercept = make_problem(rng, loss, 40, 4, np.float64, weighted)
    _, grad_coef, grad_intercept = loss_gradient(loss, X, y, sw, coef, intercept)
    fd_coef = central_difference(lambda W: loss_gradient(loss, X, y, sw, W, intercept)[0], coef)
    fd_intercept = central_difference(
        lambda b: loss_gradient(loss, X, y, sw, coef, b)[0], intercept
    )
    assert_close(grad_coef, fd_coef, 1e-6)
    assert_close(grad_intercept, fd_intercept, 1e-6)


# Oracles evaluated in decimal arithmetic at 60 significant digits. Each is written in a
# shifted form so that no digit of the answer cancels away (decimal has no overflow
# worth fearing, but 60 digits cannot hold 1 + exp(-1e4)).
def exact_logistic_loss(z, y=0.0):
    """log(1 + exp(z)) - y z = (max(z, 0) - y z) + log(1 + exp(-|z|))."""
    with localcontext() as ctx:
        ctx.prec = 60
        tail = (1 + Decimal(-abs(z)).exp()).ln()
        if tail == 0:  # 1 + e rounded to 1: log(1 + e) = e to 60 digits
            tail = Decimal(-abs(z)).exp()
        return float(Decimal(max(z, 0.0)) - Decimal(y) * Decimal(z) + tail)


def exact_sigmoid(z):
    with localcontext() as ctx:
        ctx.prec = 60
        return float(1 / (1 + Decimal(-z).exp()))


def exact_log_sum_exp(row, shift=None):
    """log sum_j exp(row_j - shift), shift = max(row) by default."""
    with localcontext() as ctx:
        ctx.prec = 60
        m = Decimal(max(row) if shift is None else shift)
        total = sum((Decimal(float(v)) - m).exp() for v in row)
        tail = total.ln()
        return float(m + tail) if shift is None else float(tail)


def exact_softmax(row):
    with localcontext() as ctx:
        ctx.prec = 60
        m = Decimal(max(row))
        e = [(Decimal(float(v)) - m).exp() for v in row]
        total = sum(e)
        return [float(v / total) for v in e]


def test_exact_helpers_are_exact():
    # The oracles themselves, at values where the answer is known in closed form.
    assert exact_sigmoid(0.0) == 0.5
    assert exact_logistic_loss(0.0) == math.log(2.0)
    assert exact_logistic_loss(40.0, 1.0) == pytest.approx(math.exp(-40.0), rel=1e-15)
    assert exact_log_sum_exp([800.0, 800.0]) == pytest.approx(800 + math.log(2.0), rel=1e-16)
    assert exact_log_sum_exp([0.0, -40.0], shift=0.0) == pytest.approx(math.exp(-40.0))
    assert exact_softmax([1e4, 0.0]) == [1.0, 0.0]


@pytest.mark.parametrize("implementation", ["compiled", "twin"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("z", EXTREMES)
def test_extreme_logistic_scores(z, dtype, implementation):
    # The score z comes from a large coefficient: x = 2, w = z / 2 (exact in float32).
    loss_gradient = (
        (lambda *a: _kernels.loss_gradient(*a, 1))
        if implementation == "compiled"
        else reference.loss_gradient
    )
    X = np.array([[2.0]], dtype=dtype)
    coef = np.array([[z / 2]], dtype=dtype)
    intercept = np.zeros(1, dtype=dtype)
    for label in (0.0, 1.0):
        y = np.array([label], dtype=dtype)
        value, grad_coef, grad_intercept = loss_gradient(
            reference.LOSS_LOGISTIC, X, y, None, coef, intercept
        )
        expected = exact_logistic_loss(z, label)
        assert math.isfinite(value)
        assert value == pytest.approx(expected, rel=1e-14, abs=1e-300)
        derivative = exact_sigmoid(z) - label
        # p - y is formed from p in [0, 1]: exact to an absolute rounding error.
        assert grad_intercept[0] == pytest.approx(derivative, abs=4e-16)
        assert grad_coef[0, 0] == pytest.approx(2 * derivative, abs=8e-16)


@pytest.mark.parametrize("implementation", ["compiled", "twin"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("z", [40.0, 800.0, 1e4])
def test_extreme_multinomial_scores(z, dtype, implementation):
    # Scores (z, 0, -z) from large coefficients; each label, so the true class is the
    # top, the middle and the bottom score in turn.
    loss_gradient = (
        (lambda *a: _kernels.loss_gradient(*a, 1))
        if implementation == "compiled"
        else reference.loss_gradient
    )
    X = np.array([[1.0]], dtype=dtype)
    coef = np.array([[z], [0.0], [-z]], dtype=dtype)
    intercept = np.zeros(3, dtype=dtype)
    scores = [z, 0.0, -z]
    p = exact_softmax(scores)
    for label in range(3):
        y = np.array([label], dtype=dtype)
        value, grad_coef, grad_intercept = loss_gradient(
            reference.LOSS_MULTINOMIAL, X, y, None, coef, intercept
        )
        expected = exact_log_sum_exp(scores, shift=scores[label])
        assert math.isfinite(value), f"loss for scores {scores}, label {label}: {value}"
        # log(sum_k exp(z_k - max)) rounds the sum to 1 + O(eps): absolute accuracy eps.
        assert value == pytest.approx(expected, rel=1e-14, abs=2.3e-16)
        derivative = np.array(p) - np.eye(3)[label]
        np.testing.assert_allclose(grad_intercept, derivative, rtol=0, atol=4e-16)
        np.testing.assert_allclose(grad_coef[:, 0], derivative, rtol=0, atol=4e-16)


@pytest.mark.parametrize("implementation", ["compiled", "twin"])
@pytest.mark.parametrize("z", EXTREMES)
def test_extreme_squared_predictions(z, implementation):
    loss_gradient = (
        (lambda *a: _kernels.loss_gradient(*a, 1))
        if implementation == "compiled"
        else reference.loss_gradient
    )
    X = np.array([[1.0], [1.0]])
    y = np.array([0.0, -z])
    value, grad_coef, grad_intercept = loss_gradient(
        reference.LOSS_SQUARED, X, y, None, np.array([[z]]), np.zeros(1)
    )
    # residuals z and 2z: loss (z^2 + 4 z^2) / 2, derivative sum 3 z
    assert value == 2.5 * z * z
    assert grad_intercept[0] == 3 * z
    assert grad_coef[0, 0] == 3 * z


@pytest.mark.parametrize("implementation", ["compiled", "twin"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_sample_weights_scale_linearly(rng, loss, dtype, implementation):
    loss_gradient = (
        (lambda *a: _kernels.loss_gradient(*a, 2))
        if implementation == "compiled"
        else reference.loss_gradient
    )
    X, y, sw, coef, intercept = make_problem(rng, loss, BIG, 5, dtype, weighted=True)
    base = loss_gradient(loss, X, y, sw, coef, intercept)
    for c in (4.0, 3.0):  # a power of two scales every product exactly
        scaled = loss_gradient(loss, X, y, (c * sw).astype(dtype), coef, intercept)
        rtol = 1e-15 if c == 4.0 else rtol_for(dtype)
        assert_close(scaled[0], c * base[0], rtol)
        assert_close(scaled[1], c * base[1], rtol)
        assert_close(scaled[2], c * base[2], rtol)
    unit = loss_gradient(loss, X, y, np.ones_like(sw), coef, intercept)
    unweighted = loss_gradient(loss, X, y, None, coef, intercept)
    assert unit[0] == pytest.approx(unweighted[0], rel=1e-15)
    np.testing.assert_allclose(unit[1], unweighted[1], rtol=1e-15, atol=0)


@pytest.mark.parametrize("implementation", ["compiled", "twin"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_integer_weights_equal_repeated_rows(rng, loss, dtype, implementation):
    loss_gradient = (
        (lambda *a: _kernels.loss_gradient(*a, 2))
        if implementation == "compiled"
        else reference.loss_gradient
    )
    X, y, _, coef, intercept = make_problem(rng, loss, 2500, 5, dtype)
    counts = rng.integers(0, 4, X.shape[0])
    weighted = loss_gradient(loss, X, y, counts.astype(dtype), coef, intercept)
    repeated = loss_gradient(
        loss, np.repeat(X, counts, axis=0), np.repeat(y, counts), None, coef, intercept
    )
    rtol = rtol_for(dtype)
    for got, expected in zip(weighted, repeated, strict=True):
        assert_close(got, expected, rtol)


# ---- the solver loop ----------------------------------------------------------------------


def solve_args(loss, X, sw, l2=0.01, l1=0.0, learning_rate=None, **options):
    """Keyword arguments of solve(); the default step is 1/L of the twin's bound."""
    if learning_rate is None:
        learning_rate = 1.0 / reference.lipschitz_constant(loss, X, sw, l2, True)
    return (
        dict(
            solver=reference.SOLVER_GD,
            l2=l2,
            l1=l1,
            fit_intercept=True,
            learning_rate=learning_rate,
            max_iter=200,
            tol=0.0,
            n_threads=1,
        )
        | options
    )


def flat_solve(module, loss, X, y, sw, coef, intercept, *, solver, l2, l1, **options):
    """``module.solve`` (compiled or twin) on the Problem and SolverOptions of flat args."""
    problem = Problem(loss, X, y, sw, n_outputs=coef.shape[0])
    name = {code: name for name, code in reference.SOLVERS.items()}[solver]
    options = SolverOptions(solver=name, penalty=Penalty(l2, l1), **options)
    return module.solve(problem, options, coef, intercept)


compiled_solve = functools.partial(flat_solve, _kernels)
twin_solve = functools.partial(flat_solve, reference)


def start_point(loss, d):
    K = N_CLASSES if loss == reference.LOSS_MULTINOMIAL else 1
    return np.zeros((K, d)), np.zeros(K)


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("read_only", [False, True], ids=["writeable", "readonly"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("l1", [0.0, 0.005], ids=["l2", "elasticnet"])
@pytest.mark.parametrize("n", [SMALL, BIG])
@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_gd_matches_twin(rng, loss, n, l1, dtype, read_only, n_threads):
    X, y, sw, _, _ = make_problem(rng, loss, n, 6, dtype, weighted=True)
    if read_only:
        readonly(X, y, sw)
    # Hundreds of epochs on the small problem; on the big one fewer keep the grid fast
    # (test_gd_matches_twin_over_many_epochs runs it long).
    max_iter = 300 if n == SMALL else 40
    args = solve_args(loss, X, sw, l1=l1, n_threads=n_threads, max_iter=max_iter)
    coef, intercept, curve, n_iter, status = compiled_solve(
        loss, X, y, sw, *start_point(loss, 6), **args
    )
    expected = twin_solve(loss, X, y, sw, *start_point(loss, 6), **args)
    assert (n_iter, status) == (max_iter, reference.STATUS_MAX_ITER)
    assert (expected[3], expected[4]) == (max_iter, reference.STATUS_MAX_ITER)
    assert curve.shape == (max_iter,)
    # float64: hundreds of epochs of the same iteration differ only by rounding.
    rtol = 1e-10 if dtype == np.float64 else rtol_for(dtype)
    assert_close(coef, expected[0], rtol)
    assert_close(intercept, expected[1], rtol)
    assert_close(curve, expected[2], rtol)
    if l1 > 0 and dtype == np.float64:
        assert np.array_equal(coef == 0, expected[0] == 0)  # the prox gives exact zeros


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_gd_matches_twin_over_many_epochs(rng, loss):
    X, y, sw, _, _ = make_problem(rng, loss, BIG, 6, np.float64, weighted=True)
    args = solve_args(loss, X, sw, l1=0.002, max_iter=400)
    coef, intercept, curve, _, _ = compiled_solve(loss, X, y, sw, *start_point(loss, 6), **args)
    expected = twin_solve(loss, X, y, sw, *start_point(loss, 6), **args)
    assert_close(coef, expected[0], 1e-10)
    assert_close(intercept, expected[1], 1e-10)
    assert_close(curve, expected[2], 1e-10)


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_gd_stops_at_the_same_iteration_as_twin(rng, loss):
    X, y, sw, _, _ = make_problem(rng, loss, 300, 4, np.float64, weighted=True)
    args = solve_args(loss, X, sw, l2=0.1, l1=0.002, max_iter=5000, tol=1e-7)
    coef, _, curve, n_iter, status = compiled_solve(loss, X, y, sw, *start_point(loss, 4), **args)
    expected = twin_solve(loss, X, y, sw, *start_point(loss, 4), **args)
    assert status == expected[4] == reference.STATUS_CONVERGED
    assert n_iter == expected[3] and 1 < n_iter < 5000
    assert curve.shape == (n_iter,)
    assert_close(coef, expected[0], 1e-10)
    assert_close(curve, expected[2], 1e-10)


@pytest.mark.parametrize("implementation", ["compiled", "twin"])
@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_gd_iteration_semantics(rng, loss, implementation):
    # curve[t] = G(W_{t+1}); with max_iter = 1 that is one prox-gradient step by hand.
    solve = compiled_solve if implementation == "compiled" else twin_solve
    X, y, sw, coef0, intercept0 = make_problem(rng, loss, 50, 3, np.float64, weighted=True)
    l2, l1, lr = 0.05, 0.01, 0.3
    args = solve_args(loss, X, sw, l2=l2, l1=l1, learning_rate=lr, max_iter=1)
    coef, intercept, curve, n_iter, status = solve(
        loss, X, y, sw, coef0.astype(np.float64), intercept0.astype(np.float64), **args
    )
    S = sw.sum()
    _, g, gb = reference.loss_gradient(loss, X, y, sw, coef0, intercept0)
    W1 = reference.soft_threshold(coef0 - lr * (g / S + l2 * coef0), lr * l1)
    b1 = intercept0 - lr * gb / S
    assert (n_iter, status) == (1, reference.STATUS_MAX_ITER)
    np.testing.assert_allclose(coef, W1, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(intercept, b1, rtol=1e-13, atol=1e-15)
    assert curve[0] == pytest.approx(reference.objective(loss, X, y, sw, W1, b1, l2, l1))

    # Started at the minimiser, the solver takes no step at all.
    args = solve_args(loss, X, sw, l2=l2, l1=l1, max_iter=20000, tol=1e-9)
    W, b, *_ = twin_solve(loss, X, y, sw, *start_point(loss, 3), **args)
    coef, intercept, curve, n_iter, status = solve(loss, X, y, sw, W.copy(), b.copy(), **args)
    assert (n_iter, status, curve.shape) == (0, reference.STATUS_CONVERGED, (0,))
    assert np.array_equal(coef, W) and np.array_equal(intercept, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_gd_bitwise_identical_across_threads(rng, loss, dtype):
    X, y, sw, _, _ = make_problem(rng, loss, BIG, 8, dtype, weighted=True)
    args = solve_args(loss, X, sw, l1=0.002, max_iter=50)
    one = compiled_solve(loss, X, y, sw, *start_point(loss, 8), **(args | {"n_threads": 1}))
    two = compiled_solve(loss, X, y, sw, *start_point(loss, 8), **(args | {"n_threads": 2}))
    assert np.array_equal(one[0], two[0])
    assert np.array_equal(one[1], two[1])
    assert np.array_equal(one[2], two[2])
    assert one[3:] == two[3:]


@pytest.mark.parametrize("implementation", ["compiled", "twin"])
def test_gd_reports_divergence(rng, implementation):
    solve = compiled_solve if implementation == "compiled" else twin_solve
    X, y, sw, _, _ = make_problem(rng, reference.LOSS_SQUARED, 100, 3, np.float64)
    args = solve_args(reference.LOSS_SQUARED, X, sw, learning_rate=1e3, max_iter=1000)
    coef, intercept, curve, n_iter, status = solve(
        reference.LOSS_SQUARED, X, y, sw, *start_point(reference.LOSS_SQUARED, 3), **args
    )
    assert status == reference.STATUS_DIVERGED
    assert 0 < n_iter < 1000 and curve.shape == (n_iter,)
    assert np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))
    assert np.all(np.isfinite(curve))


@pytest.mark.parametrize("implementation", ["compiled", "twin"])
def test_progress_callback_can_stop_the_solve(rng, implementation):
    solve = compiled_solve if implementation == "compiled" else twin_solve
    loss = reference.LOSS_LOGISTIC
    X, y, sw, _, _ = make_problem(rng, loss, 100, 3, np.float64)
    seen = []

    def progress(iteration, objective):
        seen.append((iteration, objective))
        return iteration >= 5

    args = solve_args(loss, X, sw, max_iter=100, progress=progress, progress_interval=0.0)
    _, _, curve, n_iter, status = solve(loss, X, y, sw, *start_point(loss, 3), **args)
    # Calls come between iterations, numbered from 1; the solver may read the clock
    # only every few iterations, so the first call can come later than iteration 1.
    iterations = [it for it, _ in seen]
    assert status == reference.STATUS_INTERRUPTED
    assert iterations[0] >= 1 and iterations[-1] >= 5
    assert iterations == sorted(set(iterations))
    assert n_iter == iterations[-1] < 100 and curve.shape == (n_iter,)
    assert seen[-1][1] == curve[-1]  # the objective reported is the current one


SOLVER_CASES = [
    (reference.SOLVER_FISTA, 0.0),
    (reference.SOLVER_FISTA, 0.003),
    (reference.SOLVER_LBFGS, 0.0),
]


@pytest.mark.parametrize("implementation", ["compiled", "twin"])
@pytest.mark.parametrize(("solver", "l1"), SOLVER_CASES, ids=["fista", "fista-l1", "lbfgs"])
@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_solvers_reach_the_gd_minimiser(rng, loss, solver, l1, implementation):
    solve = compiled_solve if implementation == "compiled" else twin_solve
    X, y, sw, _, _ = make_problem(rng, loss, 200, 5, np.float64, weighted=True)
    args = solve_args(loss, X, sw, l2=0.05, l1=l1, max_iter=20000, tol=1e-10)
    W, b, _, _, gd_status = twin_solve(loss, X, y, sw, *start_point(loss, 5), **args)
    assert gd_status == reference.STATUS_CONVERGED
    args |= {"solver": solver, "learning_rate": 0.0, "max_iter": 5000}
    coef, intercept, curve, n_iter, status = solve(loss, X, y, sw, *start_point(loss, 5), **args)
    assert status == reference.STATUS_CONVERGED
    assert curve.shape == (n_iter,)
    np.testing.assert_allclose(coef, W, rtol=1e-7, atol=1e-8)
    # The multinomial loss is invariant to one shift of all intercepts.
    shift = np.mean if loss == reference.LOSS_MULTINOMIAL else (lambda v: 0.0)
    np.testing.assert_allclose(intercept - shift(intercept), b - shift(b), atol=1e-8)
    objective = reference.objective(loss, X, y, sw, W, b, 0.05, l1)
    assert curve[-1] == pytest.approx(objective, rel=1e-12)


def test_twin_constants_mirror_the_bridge():
    names = [n for n in dir(_kernels) if n.startswith(("LOSS_", "SOLVER_", "STATUS_"))]
    shared = [n for n in names if hasattr(reference, n)]
    assert len(shared) >= 11
    for name in shared:
        assert getattr(reference, name) == getattr(_kernels, name), name


@pytest.mark.parametrize("z", [*EXTREMES, 0.0, 1e-20, -3.5])
def test_twin_scalar_functions_against_exact(z):
    assert reference.sigmoid(z) == pytest.approx(exact_sigmoid(z), rel=1e-15, abs=0)
    assert reference.log1pexp(z) == pytest.approx(exact_logistic_loss(z), rel=1e-15, abs=0)
    f32 = reference.sigmoid(np.float32(z))
    assert f32.dtype == np.float32
    assert f32 == pytest.approx(exact_sigmoid(float(np.float32(z))), rel=1e-6, abs=0)


@pytest.mark.parametrize(
    ("y_len", "coef_shape", "intercept_len", "loss", "message"),
    [
        (9, (1, 3), 1, 0, "y has 9 entries"),
        (10, (1, 2), 1, 0, r"coef has shape \(1, 2\)"),
        (10, (0, 3), 0, 0, "at least 1"),
        (10, (2, 3), 1, 2, r"intercept the shape \(1,\)"),
        (10, (2, 3), 2, 1, "exactly one output"),
        (10, (1, 3), 1, 7, "unknown loss"),
    ],
)
def test_bridge_rejects_inconsistent_shapes(y_len, coef_shape, intercept_len, loss, message):
    # C trusts its sizes: the bridge must stop a mismatch before it becomes a bad read.
    X, y = np.ones((10, 3)), np.zeros(y_len)
    coef, intercept = np.zeros(coef_shape), np.zeros(intercept_len)
    with pytest.raises(ValueError, match=message):
        _kernels.loss_gradient(loss, X, y, None, coef, intercept, 1)
    with pytest.raises(ValueError, match=message):
        compiled_solve(
            loss,
            X,
            y,
            None,
            coef,
            intercept,
            solver=0,
            l2=0.0,
            l1=0.0,
            fit_intercept=True,
            learning_rate=0.1,
            max_iter=5,
            tol=0.0,
            n_threads=1,
        )
    with pytest.raises(ValueError, match="sample_weight has 4 entries"):
        _kernels.loss_gradient(0, X, np.zeros(10), np.ones(4), np.zeros((1, 3)), np.zeros(1), 1)


def test_bridge_rejects_outputs_of_the_wrong_size():
    with pytest.raises(ValueError, match="out has 3 entries for 4 inputs"):
        _kernels.sigmoid(np.zeros(4), np.zeros(3))
    with pytest.raises(ValueError, match="out has 1 entries for 2 rows"):
        _kernels.log_sum_exp(np.zeros((2, 3)), np.zeros(1))
    with pytest.raises(ValueError, match="out has shape"):
        _kernels.softmax(np.zeros((2, 3)), np.zeros((2, 2)))


def _misaligned(array):
    """A copy of ``array`` whose data start one byte past an aligned address."""
    raw = np.zeros(array.nbytes + 1, dtype=np.uint8)
    out = np.frombuffer(raw.data, dtype=array.dtype, count=array.size, offset=1)
    out = out.reshape(array.shape)
    out[...] = array
    assert not out.flags.aligned
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bridge_reads_misaligned_arrays_through_an_aligned_copy(dtype):
    # Unaligned loads are undefined behaviour in C: the bridge copies such arrays first.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4)).astype(dtype)
    y = (rng.random(50) > 0.5).astype(dtype)
    coef, intercept = rng.standard_normal((1, 4)), np.zeros(1)
    aligned = _kernels.loss_gradient(1, X, y, None, coef, intercept, 1)
    odd = _kernels.loss_gradient(1, _misaligned(X), _misaligned(y), None, coef, intercept, 1)
    assert aligned[0] == odd[0] and np.array_equal(aligned[1], odd[1])
