# reference.py: the NumPy twin of fastreg's compiled kernel layer (src_c/ through
# fastreg/_kernels.pyx). Same signatures, same math, written to be read.
#
# This module is where the algorithm is explained. It is also the test oracle (every
# compiled kernel is checked against it) and the benchmark baseline, so each epoch is the
# honest NumPy way: Z = X @ W.T, then the per-row loss and derivative, then R.T @ X, i.e.
# two reads of X, vectorised, no Python loop over rows.
#
# Design decisions:
#   a. Layout as in src_c/fastreg.h: X is (n_samples, n_features); coef is
#      (n_outputs, n_features) and intercept (n_outputs,), n_outputs = 1 for the squared
#      and logistic losses and the number of classes K for the multinomial loss, whose
#      targets are class indices 0..K-1 stored as floats.
#   b. Per-sample losses: squared (y - z)^2 / 2, logistic log(1 + exp(z)) - y z,
#      multinomial logsumexp(z) - z_y. Every one is computed from exp(-|z|) or
#      exp(z - max z), which never overflows.
#   c. Dtypes: matrix products run in the data's dtype (float32 data stays float32, as in
#      the compiled kernels); the per-row losses, derivatives, loss sum and all solver
#      state are float64.
#   d. The solvers minimise the averaged objective
#          G(W, b) = (1/S) sum_i s_i l_i(W, b) + l2/2 ||W||_F^2 + l1 ||W||_1,  S = sum_i s_i
#      and stop when the optimality measure (the max-norm of the minimum-norm
#      subgradient) is <= tol. GD follows fastreg.h's iteration semantics exactly, so the
#      compiled GD loop and this one agree to rounding; FISTA and L-BFGS here are simpler
#      textbook versions that reach the same minimiser.
#   e. n_threads is accepted everywhere and ignored: NumPy's BLAS threads on its own.
import math
import time

import numpy as np

__all__ = [
    "LOSS_LOGISTIC",
    "LOSS_MULTINOMIAL",
    "LOSS_SQUARED",
    "SOLVER_FISTA",
    "SOLVER_GD",
    "SOLVER_LBFGS",
    "STATUS_CONVERGED",
    "STATUS_DIVERGED",
    "STATUS_INTERRUPTED",
    "STATUS_MAX_ITER",
    "STATUS_NO_MEMORY",
    "lipschitz_constant",
    "log1pexp",
    "log_sum_exp",
    "loss_gradient",
    "objective",
    "optimality",
    "sigmoid",
    "soft_threshold",
    "softmax",
    "solve",
]

LOSS_SQUARED = 0
LOSS_LOGISTIC = 1
LOSS_MULTINOMIAL = 2

SOLVER_GD = 0
SOLVER_FISTA = 1
SOLVER_LBFGS = 2

STATUS_CONVERGED = 0
STATUS_MAX_ITER = 1
STATUS_DIVERGED = 2
STATUS_INTERRUPTED = 3
STATUS_NO_MEMORY = 4

_LOSS_NAMES = {LOSS_SQUARED: "squared", LOSS_LOGISTIC: "logistic", LOSS_MULTINOMIAL: "multinomial"}

# Curvature bound of each per-sample loss in the score z: the squared loss has l'' = 1,
# the logistic loss l'' = sigmoid (1 - sigmoid) <= 1/4, and the multinomial loss has
# Hessian diag(p) - p p^T whose largest eigenvalue is <= 1/2.
_CURVATURE_BOUND = {LOSS_SQUARED: 1.0, LOSS_LOGISTIC: 0.25, LOSS_MULTINOMIAL: 0.5}


def _float_array(x):
    """Return x as an ndarray of a float dtype (float32/float64 kept, others -> float64)."""
    x = np.asarray(x)
    if x.dtype in (np.float32, np.float64):
        return x
    return x.astype(np.float64)


# ---- numerically stable scalar functions -------------------------------------------------


def sigmoid(x):
    """Logistic sigmoid 1 / (1 + exp(-x)), elementwise, without overflow.

    With e = exp(-|x|), which lies in (0, 1] and never overflows,
    sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0.

    Parameters
    ----------
    x : array_like
        Input values. float32 stays float32; other dtypes are computed in float64.

    Returns
    -------
    ndarray or scalar
        sigmoid(x), with x's shape (a scalar for scalar input).

    Examples
    --------
    >>> from fastreg import reference
    >>> float(reference.sigmoid(0.0))
    0.5
    >>> float(reference.sigmoid(-1000.0))
    0.0
    """
    x = _float_array(x)
    e = np.exp(-np.abs(x))
    one = x.dtype.type(1)
    out = np.where(x >= 0, one / (one + e), e / (one + e))
    return out[()] if out.ndim == 0 else out


def log1pexp(x):
    """Softplus log(1 + exp(x)), elementwise, without overflow.

    Uses log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)).

    Parameters
    ----------
    x : array_like
        Input values. float32 stays float32; other dtypes are computed in float64.

    Returns
    -------
    ndarray or scalar
        log(1 + exp(x)), with x's shape.

    Examples
    --------
    >>> from fastreg import reference
    >>> float(reference.log1pexp(1000.0))
    1000.0
    """
    x = _float_array(x)
    out = np.maximum(x, x.dtype.type(0)) + np.log1p(np.exp(-np.abs(x)))
    return out[()] if out.ndim == 0 else out


def _row_max(Z):
    """Max over the last axis, with an all -inf (or empty) row mapped to a shift of 0.

    A shift of 0 keeps Z - m at -inf (exp gives 0, log-sum-exp gives -inf) instead of
    producing -inf - (-inf) = NaN.
    """
    m = np.max(Z, axis=-1, initial=-np.inf, keepdims=True)
    return np.where(m == -np.inf, Z.dtype.type(0), m)


def log_sum_exp(Z):
    """Row-wise log(sum_j exp(Z[..., j])) with the max-shift trick.

    log sum exp(z) = m + log sum exp(z - m) with m = max z, so every exponent is <= 0
    and the largest term is exactly 1: no overflow, and no underflow of the whole sum.

    Parameters
    ----------
    Z : array_like, shape (n, k) or (k,)
        Scores. A 1-D Z is one row. float32 stays float32; other dtypes become float64.

    Returns
    -------
    ndarray of shape (n,), or scalar for 1-D Z
        The log-sum-exp of each row (-inf for an empty row).

    Examples
    --------
    >>> from fastreg import reference
    >>> float(reference.log_sum_exp([1000.0, 1000.0]))  # 1000 + log 2
    1000.6931471805599
    """
    Z = _float_array(Z)
    m = _row_max(Z)
    with np.errstate(divide="ignore"):  # log(0) = -inf for an empty or all -inf row
        out = m[..., 0] + np.log(np.sum(np.exp(Z - m), axis=-1))
    return out[()] if out.ndim == 0 else out


def softmax(Z):
    """Row-wise softmax exp(Z[i, j]) / sum_l exp(Z[i, l]), with the max-shift trick.

    Parameters
    ----------
    Z : array_like, shape (n, k) or (k,)
        Scores. A 1-D Z is one row. float32 stays float32; other dtypes become float64.

    Returns
    -------
    ndarray
        Probabilities with Z's shape; each row sums to 1.

    Examples
    --------
    >>> from fastreg import reference
    >>> reference.softmax([1000.0, 0.0]).tolist()
    [1.0, 0.0]
    """
    Z = _float_array(Z)
    E = np.exp(Z - _row_max(Z))
    return E / np.sum(E, axis=-1, keepdims=True)


# ---- the loss and gradient pass ---------------------------------------------------------


def _row_losses(loss, Z, y):
    """Per-row loss l_i and its derivative dl_i/dz_i for scores Z (n, K) in float64.

    Returns (losses (n,), derivatives (n, K)).
    """
    if loss == LOSS_SQUARED:
        r = Z[:, 0] - y
        return 0.5 * r * r, r[:, None]
    if loss == LOSS_LOGISTIC:
        z = Z[:, 0]
        e = np.exp(-np.abs(z))
        p = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))  # sigmoid(z)
        # max(z, 0) - y z first, so that for y = 1 and large z the z's cancel exactly.
        value = (np.maximum(z, 0.0) - y * z) + np.log1p(e)
        return value, (p - y)[:, None]
    if loss == LOSS_MULTINOMIAL:
        n, K = Z.shape
        label = y.astype(np.intp)
        if n and (label.min() < 0 or label.max() >= K):
            raise ValueError(f"multinomial targets must be class indices in [0, {K - 1}]")
        m = np.max(Z, axis=1, keepdims=True)
        E = np.exp(Z - m)
        total = np.sum(E, axis=1)
        rows = np.arange(n)
        # logsumexp(z) - z_y = log(sum exp(z - m)) - (z_y - m): finite for any finite z.
        value = np.log(total) - (Z[rows, label] - m[:, 0])
        derivative = E / total[:, None]  # softmax(z)
        derivative[rows, label] -= 1.0
        return value, derivative
    raise ValueError(f"unknown loss code {loss!r}")


def loss_gradient(loss, X, y, sample_weight, coef, intercept, n_threads=1):
    """Weighted loss sum and its gradient: the twin of ``_kernels.loss_gradient``.

    Computes scores Z = X W^T + b, the per-row losses l_i and derivatives dl_i/dz_i, then

        loss_sum       = sum_i s_i l_i
        grad_coef      = sum_i s_i (dl_i/dz_i) x_i^T   = R^T X,  R_ik = s_i dl_i/dz_ik
        grad_intercept = sum_i s_i dl_i/dz_i

    Parameters
    ----------
    loss : int
        LOSS_SQUARED (l = (y - z)^2 / 2), LOSS_LOGISTIC (l = log(1 + exp(z)) - y z, y in
        {0, 1}) or LOSS_MULTINOMIAL (l = logsumexp(z) - z_y, y = class index as a float).
    X : ndarray of shape (n_samples, n_features)
        Data, float32 or float64.
    y : ndarray of shape (n_samples,)
        Targets.
    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights s_i; None means unit weights.
    coef : ndarray of shape (n_outputs, n_features)
        Coefficients W (n_outputs = 1, or K classes for the multinomial loss). Cast to
        X's dtype, as the compiled kernel reads them in the data's dtype.
    intercept : ndarray of shape (n_outputs,)
        Intercepts b, also cast to X's dtype.
    n_threads : int, default=1
        Accepted for signature compatibility and ignored.

    Returns
    -------
    loss_sum : float
        sum_i s_i l_i.
    grad_coef : ndarray of shape (n_outputs, n_features), float64
        Gradient of loss_sum with respect to coef.
    grad_intercept : ndarray of shape (n_outputs,), float64
        Gradient of loss_sum with respect to intercept.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import reference
    >>> X = np.array([[1.0], [2.0]]); y = np.array([1.0, 3.0])
    >>> loss, g, gb = reference.loss_gradient(0, X, y, None, np.ones((1, 1)), np.zeros(1))
    >>> loss, g.tolist(), gb.tolist()
    (0.5, [[-2.0]], [-1.0])
    """
    X = _float_array(X)
    dtype = X.dtype
    y = np.asarray(y, dtype=np.float64)
    b = np.asarray(intercept, dtype=dtype).reshape(-1).astype(np.float64)
    W = np.asarray(coef, dtype=dtype).reshape(b.size, X.shape[1])  # K rows, also for d = 0
    if loss != LOSS_MULTINOMIAL and W.shape[0] != 1:
        raise ValueError(f"the {_LOSS_NAMES.get(loss, loss)} loss has one output")

    # First read of X; the products run in the data dtype.
    Z = (X @ W.T).astype(np.float64, copy=False) + b
    values, derivatives = _row_losses(loss, Z, y)
    if sample_weight is not None:
        s = np.asarray(sample_weight, dtype=np.float64)
        values = s * values
        derivatives = derivatives * s[:, None]
    loss_sum = float(np.sum(values))
    # Second read of X.
    R = derivatives.astype(dtype, copy=False)
    grad_coef = (R.T @ X).astype(np.float64, copy=False)
    grad_intercept = np.sum(derivatives, axis=0)
    return loss_sum, grad_coef, grad_intercept


def _total_weight(sample_weight, n_samples):
    """S = sum_i s_i (n_samples for unit weights)."""
    if sample_weight is None:
        return float(n_samples)
    return float(np.sum(np.asarray(sample_weight, dtype=np.float64)))


def objective(loss, X, y, sample_weight, coef, intercept, l2, l1):
    """The averaged objective G(W, b) that the solvers minimise.

    G(W, b) = (1/S) sum_i s_i l_i(W, b) + l2/2 ||W||_F^2 + l1 ||W||_1,  S = sum_i s_i.
    The intercept is never penalised.

    Parameters
    ----------
    loss : int
        Loss code (see `loss_gradient`).
    X : ndarray of shape (n_samples, n_features)
        Data.
    y : ndarray of shape (n_samples,)
        Targets.
    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights; None means unit weights.
    coef : ndarray of shape (n_outputs, n_features)
        Coefficients W.
    intercept : ndarray of shape (n_outputs,)
        Intercepts b.
    l2 : float
        L2 penalty strength (>= 0).
    l1 : float
        L1 penalty strength (>= 0).

    Returns
    -------
    float
        G(W, b).

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import reference
    >>> X = np.array([[1.0], [2.0]]); y = np.array([1.0, 3.0])
    >>> reference.objective(0, X, y, None, np.ones((1, 1)), np.zeros(1), 1.0, 0.0)
    0.75
    """
    X = _float_array(X)
    loss_sum, _, _ = loss_gradient(loss, X, y, sample_weight, coef, intercept)
    W = np.asarray(coef, dtype=np.float64)
    S = _total_weight(sample_weight, X.shape[0])
    return loss_sum / S + 0.5 * l2 * float(np.sum(W * W)) + l1 * float(np.sum(np.abs(W)))


# ---- pieces shared by the solvers ------------------------------------------------------


def soft_threshold(W, threshold):
    """Proximal operator of threshold * ||W||_1: sign(W) max(|W| - threshold, 0).

    Parameters
    ----------
    W : ndarray
        Point to shrink.
    threshold : float
        Amount of shrinkage (>= 0).

    Returns
    -------
    ndarray
        The shrunk point; entries with |W| <= threshold become exact zeros.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import reference
    >>> reference.soft_threshold(np.array([-2.0, 0.5, 3.0]), 1.0).tolist()
    [-1.0, 0.0, 2.0]
    """
    if threshold == 0:
        return W
    return np.sign(W) * np.maximum(np.abs(W) - threshold, 0.0)


def optimality(coef, grad_coef, grad_intercept, l1, fit_intercept):
    """The stopping measure: max-norm of the minimum-norm subgradient of G.

    Per coefficient it is g + l1 sign(w) where w != 0 and max(|g| - l1, 0) where w == 0,
    g being the gradient of the smooth part of G (loss average plus L2 term); the
    intercept gradient is included when the intercept is fitted.

    Parameters
    ----------
    coef : ndarray of shape (n_outputs, n_features)
        Current coefficients W.
    grad_coef : ndarray of shape (n_outputs, n_features)
        Gradient of the smooth part of G with respect to W.
    grad_intercept : ndarray of shape (n_outputs,)
        Gradient of G with respect to b.
    l1 : float
        L1 penalty strength.
    fit_intercept : bool
        Whether the intercept is a variable.

    Returns
    -------
    float
        The optimality measure (0 exactly at a minimiser).

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import reference
    >>> reference.optimality(np.array([[0.0, 1.0]]), np.array([[0.5, -2.0]]),
    ...                      np.array([0.1]), 1.0, True)
    1.0
    """
    subgradient = np.where(
        coef != 0,
        grad_coef + l1 * np.sign(coef),
        np.maximum(np.abs(grad_coef) - l1, 0.0),
    )
    measure = float(np.max(np.abs(subgradient), initial=0.0))
    if fit_intercept:
        measure = max(measure, float(np.max(np.abs(grad_intercept), initial=0.0)))
    return measure


def lipschitz_constant(loss, X, sample_weight, l2, fit_intercept):
    """Lipschitz constant L of the gradient of the smooth part of G (the auto step is 1/L).

    With X1 = [X, 1] (the column of ones only when the intercept is fitted), the Hessian
    of the averaged loss is (1/S) X1^T diag(s_i c_i) X1, where c_i bounds the per-sample
    curvature in the score (1 squared, 1/4 logistic, 1/2 multinomial). Hence

        L = c * lambda_max((1/S) X1^T diag(s) X1) + l2,

    computed exactly from the (d + 1) x (d + 1) weighted Gram matrix.

    Parameters
    ----------
    loss : int
        Loss code.
    X : ndarray of shape (n_samples, n_features)
        Data.
    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights; None means unit weights.
    l2 : float
        L2 penalty strength.
    fit_intercept : bool
        Whether the intercept column takes part.

    Returns
    -------
    float
        The Lipschitz constant (> 0 for any nonzero data).

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import reference
    >>> reference.lipschitz_constant(0, np.array([[1.0], [1.0]]), None, 0.0, False)
    1.0
    """
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    S = float(np.sum(s))
    if fit_intercept:
        X = np.hstack([X, np.ones((n, 1))])
    gram = (X * (s / S)[:, None]).T @ X
    largest = float(np.linalg.eigvalsh(gram)[-1]) if gram.size else 0.0
    return _CURVATURE_BOUND[loss] * largest + l2


class _Smooth:
    """The smooth part f = G - l1 ||W||_1 of the averaged objective and its gradient."""

    def __init__(self, loss, X, y, sample_weight, l2, fit_intercept):
        self.loss, self.X, self.y, self.sample_weight = loss, X, y, sample_weight
        self.l2, self.fit_intercept = l2, fit_intercept
        self.S = _total_weight(sample_weight, X.shape[0])
        # Rounding of a computed f relative to |f|: the data dtype's products set it.
        self.resolution = 16.0 * float(np.finfo(X.dtype).eps)

    def __call__(self, W, b):
        """Return (f, grad_W, grad_b) at (W, b); grad_b is 0 when b is not fitted."""
        loss_sum, gW, gb = loss_gradient(self.loss, self.X, self.y, self.sample_weight, W, b)
        f = loss_sum / self.S + 0.5 * self.l2 * float(np.sum(W * W))
        gW = gW / self.S + self.l2 * W
        gb = gb / self.S if self.fit_intercept else np.zeros_like(gb)
        return f, gW, gb


def _finite(*values):
    return all(np.all(np.isfinite(v)) for v in values)


class _Progress:
    """Calls progress(iteration, objective) at most every `interval` seconds."""

    def __init__(self, callback, interval):
        self.callback, self.interval = callback, interval
        self.last = time.monotonic()

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


def _solve_gd(f, W, b, l1, step, max_iter, tol, curve, progress):
    """Proximal gradient descent with a fixed step, exactly as in fastreg.h.

    Iteration t evaluates G and its gradient at W_t (recording curve[t - 1] = G(W_t), the
    objective after t steps), stops if W_t is optimal or t == max_iter, and otherwise
    steps W_{t+1} = prox_{step l1}(W_t - step grad_W), b_{t+1} = b_t - step grad_b.
    A non-finite objective or gradient at W_t returns W_{t-1}, the last finite iterate.
    """
    fW, gW, gb = f(W, b)
    G = fW + l1 * float(np.sum(np.abs(W)))
    W_prev, b_prev = W, b
    t = 0
    while True:
        if not _finite(G, gW, gb):
            if t == 0:
                return W, b, 0, STATUS_DIVERGED
            return W_prev, b_prev, t - 1, STATUS_DIVERGED
        if t > 0:
            curve[t - 1] = G
        if optimality(W, gW, gb, l1, f.fit_intercept) <= tol:
            return W, b, t, STATUS_CONVERGED
        if t == max_iter:
            return W, b, t, STATUS_MAX_ITER
        if t > 0 and progress.stop_requested(t, G):
            return W, b, t, STATUS_INTERRUPTED
        W_prev, b_prev = W, b
        W = soft_threshold(W - step * gW, step * l1)
        b = b - step * gb
        fW, gW, gb = f(W, b)
        G = fW + l1 * float(np.sum(np.abs(W)))
        t += 1


def _solve_fista(f, W, b, l1, step, max_iter, tol, curve, progress):
    """FISTA (Beck and Teboulle) with backtracking on the step and function-value restart.

    From the extrapolated point V, the step is halved until the quadratic upper bound
        f(W+) <= f(V) + <grad f(V), W+ - V> + ||W+ - V||^2 / (2 step)
    holds for W+ = prox(V - step grad f(V)), up to the rounding of f. When G increases,
    the momentum is reset (O'Donoghue and Candes), which keeps the method monotone near
    the minimiser.
    """
    fW, gW, gb = f(W, b)
    G = fW + l1 * float(np.sum(np.abs(W)))
    V, c, momentum = W, b, 1.0
    t = 0
    while True:
        if not _finite(G, gW, gb):
            return W, b, t, STATUS_DIVERGED
        if optimality(W, gW, gb, l1, f.fit_intercept) <= tol:
            return W, b, t, STATUS_CONVERGED
        if t == max_iter:
            return W, b, t, STATUS_MAX_ITER
        if t > 0 and progress.stop_requested(t, G):
            return W, b, t, STATUS_INTERRUPTED
        fV, gV, gc = (fW, gW, gb) if V is W else f(V, c)
        while True:
            W_next = soft_threshold(V - step * gV, step * l1)
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
        G_next = f_next + l1 * float(np.sum(np.abs(W_next)))
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


def solve(
    loss,
    X,
    y,
    sample_weight,
    coef,
    intercept,
    *,
    solver,
    l2,
    l1,
    fit_intercept,
    learning_rate,
    max_iter,
    tol,
    n_threads,
    progress=None,
    progress_interval=0.2,
):
    """Minimise the averaged objective G: the twin of ``_kernels.solve``.

    G(W, b) = (1/S) sum_i s_i l_i(W, b) + l2/2 ||W||_F^2 + l1 ||W||_1, S = sum_i s_i,
    with b never penalised (and held at its start value when fit_intercept is false).
    Every solver stops with STATUS_CONVERGED as soon as the optimality measure (see
    `optimality`) at the current iterate is <= tol.

    GD follows the iteration semantics of src_c/fastreg.h exactly: iteration t evaluates
    G and its gradient at W_t, stops if W_t is optimal, else steps
    W_{t+1} = soft_threshold(W_t - lr grad_W G, lr l1), b_{t+1} = b_t - lr grad_b G, and
    objective_curve[t] = G(W_{t+1}). A learning_rate <= 0 means the fixed step 1/L with
    L from `lipschitz_constant` (for GD, and as FISTA's first step). The compiled solver
    estimates its automatic step differently (power iteration, then backtracking at the
    start point), so only runs with an explicit learning_rate match pass for pass.

    Parameters
    ----------
    loss : int
        LOSS_SQUARED, LOSS_LOGISTIC or LOSS_MULTINOMIAL.
    X : ndarray of shape (n_samples, n_features)
        Data, float32 or float64.
    y : ndarray of shape (n_samples,)
        Targets (class indices as floats for the multinomial loss).
    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights; None means unit weights.
    coef : ndarray of shape (n_outputs, n_features), float64
        Start point; overwritten with the solution (float64 arrays only) and returned.
    intercept : ndarray of shape (n_outputs,), float64
        Start intercepts; overwritten with the solution and returned.
    solver : int
        SOLVER_GD, SOLVER_FISTA or SOLVER_LBFGS (smooth objectives only, l1 == 0).
    l2 : float
        L2 penalty strength (>= 0).
    l1 : float
        L1 penalty strength (>= 0).
    fit_intercept : bool
        Whether the intercept is a variable.
    learning_rate : float
        Fixed step on G for GD, first step for FISTA; <= 0 picks 1/L. Unused by L-BFGS.
    max_iter : int
        Maximum number of iterations (>= 1); iterations are epochs for GD.
    tol : float
        Tolerance on the optimality measure (>= 0).
    n_threads : int
        Accepted for signature compatibility and ignored.
    progress : callable or None, default=None
        progress(iteration, objective), called between iterations at most every
        progress_interval seconds; returning True stops with STATUS_INTERRUPTED.
    progress_interval : float, default=0.2
        Minimum time in seconds between progress calls.

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
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> W, b, curve, n_iter, status = reference.solve(
    ...     0, X, y, None, np.zeros((1, 1)), np.zeros(1), solver=0, l2=0.0, l1=0.0,
    ...     fit_intercept=True, learning_rate=0.0, max_iter=10000, tol=1e-10, n_threads=1)
    >>> np.round(W, 6).tolist(), np.round(b, 6).tolist(), status
    ([[2.0]], [1.0], 0)
    """
    X = _float_array(X)
    b0 = np.array(intercept, dtype=np.float64).reshape(-1)
    W0 = np.array(coef, dtype=np.float64).reshape(b0.size, X.shape[1])  # K rows, also for d = 0
    if max_iter < 1 or tol < 0 or l1 < 0 or l2 < 0:
        raise ValueError("need max_iter >= 1, tol >= 0, l1 >= 0 and l2 >= 0")
    if solver == SOLVER_LBFGS and l1 > 0:
        raise ValueError("the lbfgs solver handles smooth objectives only (l1 == 0)")
    if solver not in (SOLVER_GD, SOLVER_FISTA, SOLVER_LBFGS):
        raise ValueError(f"unknown solver code {solver!r}")

    f = _Smooth(loss, X, y, sample_weight, l2, bool(fit_intercept))
    curve = np.empty(max_iter)
    tracker = _Progress(progress, progress_interval)
    # A diverging run overflows to inf/NaN; the solvers detect that and stop.
    with np.errstate(over="ignore", invalid="ignore"):
        if solver == SOLVER_LBFGS:
            W, b, n_iter, status = _solve_lbfgs(f, W0, b0, max_iter, tol, curve, tracker)
        else:
            step = learning_rate
            if step <= 0:
                step = 1.0 / lipschitz_constant(loss, X, sample_weight, l2, fit_intercept)
            run = _solve_gd if solver == SOLVER_GD else _solve_fista
            W, b, n_iter, status = run(f, W0, b0, l1, step, max_iter, tol, curve, tracker)

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
