# fastreg._reference_coordinate_descent: the NumPy twin of src_c/solver_cd.c, coordinate
# descent for the elastic net on least squares. Same inputs (fastreg._problem.GramData or
# ColumnData, CoordinateDescentOptions), same steps, same stopping rule, same result tuple
# as fastreg._kernels.coordinate_descent; fastreg.reference re-exports it.
#
# The summed objective is P(w) = 1/2 ||y_c - X_c w||_S^2 + l1 ||w||_1 + l2/2 ||w||^2.
# A coordinate step minimises P over w_j alone: with c_j = x_cj^T S r + w_j ||x_cj||_S^2,
#     w_j <- sign(c_j) max(|c_j| - l1, 0) / (||x_cj||_S^2 + l2)      (0 if positive, c_j < 0).
# On the statistics, x_cj^T S r = q_j - (Q w)_j; on the columns it is a dot product with
# the residual r, kept up to date after each step.
import numpy as np

from fastreg._reference_objective import penalty_violation
from fastreg._reference_solvers import (
    STATUS_CONVERGED,
    STATUS_DIVERGED,
    STATUS_INTERRUPTED,
    STATUS_MAX_ITER,
)

_MASK32 = 0xFFFFFFFF


def cd_random(state, count):
    """``count`` draws of xorshift32 (shifts 13, 17, 5) modulo 2**31, from ``state``.

    Parameters
    ----------
    state : int
        Generator state in [0, 2**32); 0 acts as 1.
    count : int
        Number of draws.

    Returns
    -------
    draws : ndarray of shape (count,), dtype uint32
    state : int
        The state after the last draw.
    """
    draws = np.empty(count, dtype=np.uint32)
    for i in range(count):
        state = _next_state(state)
        draws[i] = state % 2**31
    return draws, state


def _next_state(state):
    x = state or 1
    x ^= (x << 13) & _MASK32
    x ^= x >> 17
    x ^= (x << 5) & _MASK32
    return x


def coordinate_coefficient(c, curvature, penalty):
    """The minimiser over one coordinate: ``sign(c) max(|c| - l1, 0) / (curvature + l2)``.

    Parameters
    ----------
    c : float
        The linear term ``x_cj^T S r + w_j ||x_cj||_S^2``.
    curvature : float
        ``||x_cj||_S^2`` (> 0).
    penalty : fastreg._problem.Penalty
        The penalty of the summed objective.

    Returns
    -------
    w_j : float
    """
    if penalty.positive and c < 0:
        return 0.0
    excess = abs(c) - penalty.l1
    if not excess > 0:
        return excess if np.isnan(excess) else 0.0
    return (excess if c > 0 else -excess) / (curvature + penalty.l2)


class _Gram:
    """The statistics' access: what stands for the residual is Qw."""

    def __init__(self, data, w):
        self.Q, self.q = data.gram, data.xty
        self.norm2 = np.diag(self.Q).copy()
        self.yty = float(data.yty)
        self.Qw = self.Q @ w

    def correlation(self, j, w):
        return self.q[j] - self.Qw[j]

    def move(self, j, delta):
        self.Qw += delta * self.Q[j]

    def terms(self, w):
        qw = float(w @ self.q)
        return self.yty + float(w @ self.Qw) - 2.0 * qw, self.yty - qw, self.q - self.Qw


class _Columns:
    """The columns' access: the residual r = y_c - X_c w itself."""

    def __init__(self, data, w):
        X = np.asarray(data.X, dtype=np.float64)
        mean = np.zeros(X.shape[1]) if data.x_mean is None else data.x_mean
        self.Xc = X - mean
        self.yc = np.asarray(data.y, dtype=np.float64) - data.y_mean
        n = X.shape[0]
        s = data.sample_weight
        self.s = np.ones(n) if s is None else np.asarray(s, dtype=np.float64)
        self.norm2 = self.s @ self.Xc**2
        self.yty = float(self.s @ self.yc**2)
        self.r = self.yc - self.Xc @ w

    def correlation(self, j, w):
        return float(self.Xc[:, j] @ (self.s * self.r))

    def move(self, j, delta):
        self.r -= delta * self.Xc[:, j]

    def terms(self, w):
        sr = self.s * self.r
        return float(sr @ self.r), float(sr @ self.yc), self.Xc.T @ sr


def duality_gap(w, penalty, r_norm2, r_y, xtr):
    """The duality gap of P at w, scikit-learn's formulation (see src_c/solver_cd.c).

    Parameters
    ----------
    w : ndarray of shape (n_features,)
        Coefficients.
    penalty : fastreg._problem.Penalty
        The penalty of the summed objective.
    r_norm2, r_y : float
        ``||r||_S^2`` and ``r^T S y_c`` for the residual r at w.
    xtr : ndarray of shape (n_features,)
        ``X_c^T S r``.

    Returns
    -------
    gap : float
    xta : ndarray of shape (n_features,)
        ``X_c^T S r - l2 w`` when ``l1 > 0``, else ``X_c^T S r``.
    dual_norm : float
        The dual norm the screening reads.
    """
    l1, l2 = penalty.l1, penalty.l2
    w_l2 = float(w @ w) if l2 > 0 else 0.0
    if l1 == 0:
        g2 = float(xtr @ xtr)
        if l2 == 0:
            return g2, xtr, g2
        return r_norm2 + 0.5 * l2 * w_l2 - r_y + g2 / (2.0 * l2), xtr, g2
    xta = xtr - l2 * w
    dual_norm = (np.max(xta) if penalty.positive else np.max(np.abs(xta))) if w.size else 0.0
    primal = 0.5 * (r_norm2 + l2 * w_l2) + l1 * np.sum(np.abs(w))
    scale = l1 / dual_norm if dual_norm > l1 else 1.0
    dual = -0.5 * scale**2 * (r_norm2 + l2 * w_l2) + scale * r_y
    return float(primal - dual), xta, float(dual_norm)


def _screen(access, w, penalty, gap, xta, dual_norm, excluded, first):
    """Gap safe screening: the features still active, after zeroing the others."""
    radius = np.sqrt(2.0 * abs(gap)) / penalty.l1
    active = []
    for j in range(w.size):
        if not first and excluded[j]:
            continue
        if first and access.norm2[j] == 0:
            w[j] = 0.0
            excluded[j] = True
            continue
        theta_j = xta[j] / max(penalty.l1, dual_norm)
        if (1.0 - abs(theta_j)) / np.sqrt(access.norm2[j] + penalty.l2) <= radius:
            active.append(j)
            excluded[j] = False
        else:
            if w[j] != 0:
                access.move(j, -w[j])
                w[j] = 0.0
            excluded[j] = True
    return active


def _objective(w, penalty, r_norm2):
    return 0.5 * r_norm2 + penalty.l1 * np.sum(np.abs(w)) + 0.5 * penalty.l2 * float(w @ w)


def _optimality(w, penalty, xta):
    grad = -xta if penalty.l1 > 0 else -xta + penalty.l2 * w
    return float(np.max(penalty_violation(w, grad, penalty), initial=0.0))


def coordinate_descent(data, options, coef):
    """Minimise the summed elastic-net objective by coordinate descent (the twin of
    ``fastreg._kernels.coordinate_descent``).

    Parameters
    ----------
    data : fastreg._problem.GramData or fastreg._problem.ColumnData
        The least-squares data.
    options : fastreg._problem.CoordinateDescentOptions
        Penalty, stopping rule, selection and progress.
    coef : ndarray of shape (n_features,)
        float64 start point, updated in place.

    Returns
    -------
    coef, objective_curve, n_iter, status, gap, tol_scaled, objective, optimality
        As the compiled solver: the solution, P after each sweep, the sweeps done, the
        status code, the last duality gap, ``tol * y_c^T S y_c``, P and the optimality
        measure at the solution.
    """
    penalty = options.penalty
    w = coef
    if penalty.positive:
        np.maximum(w, 0.0, out=w)
    gram = hasattr(data, "gram")
    access = _Gram(data, w) if gram else _Columns(data, w)
    tol = options.tol * access.yty
    screening = options.screening and penalty.l1 > 0
    state = options.seed
    d = w.size

    r_norm2, r_y, xtr = access.terms(w)
    gap, xta, dual_norm = duality_gap(w, penalty, r_norm2, r_y, xtr)
    if (not gram or gap >= 0) and gap <= tol:
        obj = _objective(w, penalty, r_norm2)
        return w, np.zeros(0), 0, STATUS_CONVERGED, gap, tol, obj, _optimality(w, penalty, xta)
    excluded = np.zeros(d, dtype=bool)
    active = list(range(d))
    if screening:
        active = _screen(access, w, penalty, gap, xta, dual_norm, excluded, True)

    curve, status, current = [], STATUS_MAX_ITER, False
    for it in range(options.max_iter):
        w_max = d_w_max = 0.0
        for f in range(len(active)):
            if options.selection == "random":
                state = _next_state(state)
                j = active[(state % 2**31) % len(active)]
            else:
                j = active[f]
            if access.norm2[j] == 0:
                continue
            w_j = w[j]
            c = access.correlation(j, w) + w_j * access.norm2[j]
            w[j] = coordinate_coefficient(c, access.norm2[j], penalty)
            if w[j] != w_j:
                access.move(j, w[j] - w_j)
            d_w_max = max(d_w_max, abs(w[j] - w_j))
            w_max = max(w_max, abs(w[j]))
        r_norm2, r_y, xtr = access.terms(w)
        curve.append(_objective(w, penalty, r_norm2))
        current = False
        if not np.all(np.isfinite(w)) or not np.isfinite(curve[-1]):
            status = STATUS_DIVERGED
            break
        last = it == options.max_iter - 1
        if w_max == 0 or d_w_max / w_max <= options.tol or last:
            gap, xta, dual_norm = duality_gap(w, penalty, r_norm2, r_y, xtr)
            current = True
            if gap <= tol:
                status = STATUS_CONVERGED
                break
            if screening and not last:
                active = _screen(access, w, penalty, gap, xta, dual_norm, excluded, False)
                current = False
        if options.progress is not None and options.progress(it + 1, curve[-1]):
            status = STATUS_INTERRUPTED
            break
    n_iter = len(curve)
    if status == STATUS_DIVERGED:
        return w, np.array(curve), n_iter, status, gap, tol, np.nan, np.nan
    if not current:
        r_norm2, r_y, xtr = access.terms(w)
        gap, xta, _ = duality_gap(w, penalty, r_norm2, r_y, xtr)
    obj = _objective(w, penalty, r_norm2)
    return w, np.array(curve), n_iter, status, gap, tol, obj, _optimality(w, penalty, xta)
