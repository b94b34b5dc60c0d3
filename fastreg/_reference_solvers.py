# fastreg._reference_solvers: the NumPy twin of the iterative solvers (src_c/solve.c,
# solver_gd.c, solver_fista.c, solver_lbfgs.c). GD follows fastreg.h's iteration
# semantics exactly, so the compiled GD loop and this one agree to rounding; FISTA and
# L-BFGS here are simpler textbook versions that reach the same minimiser.
# fastreg.reference re-exports `solve`.
import math
import time

import numpy as np
from scipy import sparse

from fastreg._reference_objective import lipschitz_constant, optimality, penalty_prox
from fastreg._reference_passes import _float_array, loss_gradient

SOLVER_GD = 0
SOLVER_FISTA = 1
SOLVER_LBFGS = 2
# Names, as the options carry them, and their codes (the compiled solver table's).
SOLVERS = {"gd": SOLVER_GD, "fista": SOLVER_FISTA, "lbfgs": SOLVER_LBFGS}

STATUS_CONVERGED = 0
STATUS_MAX_ITER = 1
STATUS_DIVERGED = 2
STATUS_INTERRUPTED = 3
STATUS_NO_MEMORY = 4


class _Smooth:
    """The smooth part f (loss average + L2 term) of the averaged objective G."""

    def __init__(self, problem, X, l2, fit_intercept):
        self.loss, self.X, self.y = problem.loss, X, problem.y
        self.sample_weight, self.loss_param = problem.sample_weight, problem.loss_param
        self.l2, self.fit_intercept = l2, fit_intercept
        self.S = problem.total_weight()
        # Rounding of a computed f relative to |f|: the data dtype's products set it.
        self.resolution = 16.0 * float(np.finfo(X.dtype).eps)

    def __call__(self, W, b):
        """Return (f, grad_W, grad_b) at (W, b); grad_b is 0 when b is not fitted."""
        loss_sum, gW, gb = loss_gradient(
            self.loss, self.X, self.y, self.sample_weight, W, b, loss_param=self.loss_param
        )
        f = loss_sum / self.S + 0.5 * self.l2 * float(np.sum(W * W))
        gW = gW / self.S + self.l2 * W
        gb = gb / self.S if self.fit_intercept else np.zeros_like(gb)
        return f, gW, gb


def _finite(*values):
    return all(np.all(np.isfinite(v)) for v in values)


class _Progress:
    """Calls progress(iteration, objective) at most every `interval` seconds."""

    def __init__(self, callback, interval, on_iteration=None):
        self.callback, self.interval = callback, interval
        self.on_iteration = on_iteration
        self.last = time.monotonic()

    def completed(self, iteration, W, b):
        """Hand the iterate after ``iteration`` iterations to on_iteration (copies)."""
        if self.on_iteration is not None and iteration > 0:
            self.on_iteration(iteration, np.array(W, dtype=np.float64), np.array(b, dtype=float))

    def stop_requested(self, iteration, value):
        """True when the callback asked to stop (it returned True)."""
        if self.callback is None:
            return False
        now = time.monotonic()
        if now - self.last < self.interval:
            return False
        self.last = now
        return bool(self.callback(iteration, value))


# ---- solvers ---------------------------------------------------------------------------


def _nonsmooth(W, penalty):
    return penalty.l1 * float(np.sum(np.abs(W)))


def _measure(f, W, gW, gb, penalty):
    return optimality(W, gW, gb, penalty.l1, f.fit_intercept, penalty.positive)


def _solve_gd(f, W, b, penalty, step, max_iter, tol, curve, progress):
    """Proximal gradient descent with a fixed step, exactly as in fastreg.h.

    Iteration t evaluates G and its gradient at W_t (recording curve[t - 1] = G(W_t), the
    objective after t steps), stops if W_t is optimal or t == max_iter, and otherwise
    steps W_{t+1} = prox_{step P}(W_t - step grad_W), b_{t+1} = b_t - step grad_b.
    A non-finite objective or gradient at W_t returns W_{t-1}, the last finite iterate.
    """
    fW, gW, gb = f(W, b)
    G = fW + _nonsmooth(W, penalty)
    W_prev, b_prev = W, b
    t = 0
    while True:
        if not _finite(G, gW, gb):
            if t == 0:
                return W, b, 0, STATUS_DIVERGED
            return W_prev, b_prev, t - 1, STATUS_DIVERGED
        if t > 0:
            curve[t - 1] = G
            progress.completed(t, W, b)
        if _measure(f, W, gW, gb, penalty) <= tol:
            return W, b, t, STATUS_CONVERGED
        if t == max_iter:
            return W, b, t, STATUS_MAX_ITER
        if t > 0 and progress.stop_requested(t, G):
            return W, b, t, STATUS_INTERRUPTED
        W_prev, b_prev = W, b
        W = penalty_prox(W - step * gW, step, penalty)
        b = b - step * gb
        fW, gW, gb = f(W, b)
        G = fW + _nonsmooth(W, penalty)
        t += 1


def _solve_fista(f, W, b, penalty, step, max_iter, tol, curve, progress):
    """FISTA (Beck and Teboulle) with backtracking on the step and function-value restart.

    From the extrapolated point V, the step is halved until the quadratic upper bound
        f(W+) <= f(V) + <grad f(V), W+ - V> + ||W+ - V||^2 / (2 step)
    holds for W+ = prox(V - step grad f(V)), up to the rounding of f. When G increases,
    the momentum is reset (O'Donoghue and Candes), which keeps the method monotone near
    the minimiser.
    """
    fW, gW, gb = f(W, b)
    G = fW + _nonsmooth(W, penalty)
    V, c, momentum = W, b, 1.0
    t = 0
    while True:
        if not _finite(G, gW, gb):
            return W, b, t, STATUS_DIVERGED
        if _measure(f, W, gW, gb, penalty) <= tol:
            return W, b, t, STATUS_CONVERGED
        if t == max_iter:
            return W, b, t, STATUS_MAX_ITER
        if t > 0 and progress.stop_requested(t, G):
            return W, b, t, STATUS_INTERRUPTED
        fV, gV, gc = (fW, gW, gb) if V is W else f(V, c)
        while True:
            W_next = penalty_prox(V - step * gV, step, penalty)
            b_next = c - step * gc
            f_next, g_next, gb_next = f(W_next, b_next)
            dW, db = W_next - V, b_next - c
            bound = (
                fV
                + float(np.sum(gV * dW) + np.sum(gc * db))
                + float(np.sum(dW * dW) + np.sum(db * db)) / (2.0 * step)
            )
            slack = f.resolution * abs(fV)  # compare values only beyond their rounding
            if f_next <= bound + slack or not np.isfinite(f_next) or step < 1e-300:
                break
            step *= 0.5
        G_next = f_next + _nonsmooth(W_next, penalty)
        if not _finite(G_next, W_next, b_next):
            return W, b, t, STATUS_DIVERGED
        curve[t] = G_next
        if G_next > G + f.resolution * abs(G):  # restart: drop the momentum
            momentum_next = 1.0
            V, c = W_next, b_next
        else:
            momentum_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * momentum * momentum))
            beta = (momentum - 1.0) / momentum_next
            V, c = W_next + beta * (W_next - W), b_next + beta * (b_next - b)
        momentum = momentum_next
        W, b, G, fW, gW, gb = W_next, b_next, G_next, f_next, g_next, gb_next
        t += 1
        progress.completed(t, W, b)


def _solve_lbfgs(f, W, b, max_iter, tol, curve, progress, memory=10):
    """Textbook L-BFGS (two-loop recursion) with Armijo backtracking, smooth G only.

    The variables are theta = (W, b); with fit_intercept false, grad_b is 0 and b stays.
    A pair (s, y) is kept only when its curvature s.y is positive.
    """
    shape, K = W.shape, b.shape[0]

    def unpack(theta):
        return theta[:-K].reshape(shape), theta[-K:]

    def evaluate(theta):
        value, gW, gb = f(*unpack(theta))
        return value, np.concatenate([gW.ravel(), gb])

    theta = np.concatenate([W.ravel(), b])
    G, g = evaluate(theta)
    pairs = []
    t = 0
    while True:
        if not _finite(G, g):
            return (*unpack(theta), t, STATUS_DIVERGED)
        if float(np.max(np.abs(g), initial=0.0)) <= tol:
            return (*unpack(theta), t, STATUS_CONVERGED)
        if t == max_iter:
            return (*unpack(theta), t, STATUS_MAX_ITER)
        if t > 0 and progress.stop_requested(t, G):
            return (*unpack(theta), t, STATUS_INTERRUPTED)
        # Two-loop recursion: direction = -H g with H the L-BFGS inverse Hessian estimate.
        q = g.copy()
        alphas = []
        for s, yv, rho in reversed(pairs):
            alpha = rho * float(s @ q)
            q -= alpha * yv
            alphas.append(alpha)
        if pairs:
            s, yv, _ = pairs[-1]
            q *= float(s @ yv) / float(yv @ yv)
        else:
            q /= max(1.0, float(np.linalg.norm(g)))  # first step of length <= 1
        for (s, yv, rho), alpha in zip(pairs, reversed(alphas), strict=True):
            q += (alpha - rho * float(yv @ q)) * s
        direction = -q
        slope = float(g @ direction)
        if not slope < 0:  # not a descent direction: forget the memory, go downhill
            pairs.clear()
            direction = -g / max(1.0, float(np.linalg.norm(g)))
            slope = float(g @ direction)
        step = 1.0
        while True:  # Armijo backtracking
            theta_next = theta + step * direction
            G_next, g_next = evaluate(theta_next)
            slack = f.resolution * abs(G)  # compare values only beyond their rounding
            if np.isfinite(G_next) and G_next <= G + 1e-4 * step * slope + slack:
                break
            step *= 0.5
            if step < 1e-20:  # no decrease is representable: rounding floor reached
                return (*unpack(theta), t, STATUS_MAX_ITER)
        if not _finite(G_next, g_next):
            return (*unpack(theta), t, STATUS_DIVERGED)
        s, yv = theta_next - theta, g_next - g
        curvature = float(s @ yv)
        if curvature > 1e-12 * float(np.linalg.norm(s) * np.linalg.norm(yv)):
            pairs.append((s, yv, 1.0 / curvature))
            if len(pairs) > memory:
                pairs.pop(0)
        theta, G, g = theta_next, G_next, g_next
        curve[t] = G
        t += 1
        progress.completed(t, *unpack(theta))


def solve(problem, options, coef, intercept):
    """Minimise the averaged objective G: the twin of ``_kernels.solve``.

    G(W, b) = (1/S) sum_i s_i l_i(W, b) + l2/2 ||W||_F^2 + l1 ||W||_1 (with W >= 0 when
    the penalty is positive), S = sum_i s_i, with b never penalised (and held at its
    start value when the intercept is not fitted). Every solver stops with
    STATUS_CONVERGED as soon as the optimality measure (see `optimality`) at the current
    iterate is <= tol.

    GD follows the iteration semantics of src_c/fastreg.h exactly: iteration t evaluates
    G and its gradient at W_t, stops if W_t is optimal, else steps
    W_{t+1} = prox(W_t - lr grad_W G), b_{t+1} = b_t - lr grad_b G, and
    objective_curve[t] = G(W_{t+1}). A learning_rate <= 0 means the fixed step 1/L with
    L from `lipschitz_constant` (for GD, and as FISTA's first step). The compiled solver
    estimates its automatic step differently (power iteration, then backtracking at the
    start point), so only runs with an explicit learning_rate match pass for pass.

    Parameters
    ----------
    problem : fastreg._problem.Problem
        Data, targets (class indices as floats for the multinomial loss), sample weights
        and loss.
    options : fastreg._problem.SolverOptions
        Solver name ("gd", "fista" or "lbfgs", the last for smooth penalties only),
        penalty, fit_intercept, learning_rate, max_iter, tol, progress; n_threads is
        accepted and ignored.
    coef : ndarray of shape (n_outputs, n_features), float64
        Start point; overwritten with the solution and returned.
    intercept : ndarray of shape (n_outputs,), float64
        Start intercepts; overwritten with the solution and returned.

    Returns
    -------
    coef : ndarray of shape (n_outputs, n_features), float64
        The solution.
    intercept : ndarray of shape (n_outputs,), float64
        The solution's intercepts.
    objective_curve : ndarray of shape (n_iter,), float64
        G after each iteration.
    n_iter : int
        Number of iterations (steps) taken.
    status : int
        STATUS_CONVERGED, STATUS_MAX_ITER, STATUS_DIVERGED or STATUS_INTERRUPTED.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import reference
    >>> from fastreg._problem import Problem, SolverOptions
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> options = SolverOptions("gd", max_iter=10000, tol=1e-10)
    >>> W, b, curve, n_iter, status = reference.solve(
    ...     Problem(0, X, y), options, np.zeros((1, 1)), np.zeros(1))
    >>> np.round(W, 6).tolist(), np.round(b, 6).tolist(), status
    ([[2.0]], [1.0], 0)
    """
    X = problem.X if sparse.issparse(problem.X) else _float_array(problem.X)
    penalty = options.penalty
    b0 = np.array(intercept, dtype=np.float64).reshape(-1)
    W0 = np.array(coef, dtype=np.float64).reshape(b0.size, X.shape[1])  # K rows, also for d = 0
    l1, l2, max_iter, tol = penalty.l1, penalty.l2, options.max_iter, options.tol
    if max_iter < 1 or tol < 0 or l1 < 0 or l2 < 0:
        raise ValueError("need max_iter >= 1, tol >= 0, l1 >= 0 and l2 >= 0")
    if options.solver not in SOLVERS:
        raise ValueError(f"unknown solver {options.solver!r}")
    if options.solver == "lbfgs" and not penalty.is_smooth:
        raise ValueError("the lbfgs solver handles smooth penalties only (no l1, no bound)")
    if penalty.positive:  # start feasible, as the compiled solvers do
        W0 = np.maximum(W0, 0.0)

    f = _Smooth(problem, X, l2, bool(options.fit_intercept))
    curve = np.empty(max_iter)
    tracker = _Progress(
        options.progress, options.progress_interval, getattr(options, "on_iteration", None)
    )
    # A diverging run overflows to inf/NaN; the solvers detect that and stop.
    with np.errstate(over="ignore", invalid="ignore"):
        if options.solver == "lbfgs":
            W, b, n_iter, status = _solve_lbfgs(f, W0, b0, max_iter, tol, curve, tracker)
        else:
            step = options.learning_rate
            if step <= 0:
                step = 1.0 / lipschitz_constant(
                    problem.loss, X, problem.sample_weight, l2, options.fit_intercept
                )
            run = _solve_gd if options.solver == "gd" else _solve_fista
            W, b, n_iter, status = run(f, W0, b0, penalty, step, max_iter, tol, curve, tracker)

    coef_out = coef if isinstance(coef, np.ndarray) and coef.dtype == np.float64 else None
    intercept_out = intercept if isinstance(intercept, np.ndarray) else None
    if coef_out is not None and coef_out.flags.writeable and coef_out.shape == W.shape:
        coef_out[...] = W
    else:
        coef_out = W
    if (
        intercept_out is not None
        and intercept_out.dtype == np.float64
        and intercept_out.flags.writeable
        and intercept_out.shape == b.shape
    ):
        intercept_out[...] = b
    else:
        intercept_out = b
    return coef_out, intercept_out, curve[:n_iter].copy(), int(n_iter), int(status)
