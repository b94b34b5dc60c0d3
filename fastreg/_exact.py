# fastreg._exact: the exact solves of weighted (ridge) least squares, on the sufficient
# statistics of one pass over the data (fastreg._statistics), with a backward-stable
# solve on the data itself where the normal equations would lose digits.
#
# Design decisions:
#   a. The default is Cholesky of the ridge-shifted centred Gram G + alpha I (LAPACK
#      dpotrf/dpotrs), its condition estimated from the factor (dpocon) after an exact
#      power-of-two equilibration (column scales 2^k, so the rounding is unchanged and
#      the estimate measures the collinearity, not the units).
#   b. The normal equations lose digits as cond(G) = cond(X)^2 grows. Iterative
#      refinement recovers them: one pass over X gives X_c^T S r for the current
#      residual r (formed from centred rows, in float64 blocks), and
#      G dw = X_c^T S r - alpha w (the factor reused) moves w by
#      pinv(X) r, whose error is ~cond(X) eps, the accuracy of a QR solve on X. Each step
#      contracts the error by ~cond(G) eps, so it is run when cond(G) > REFINE_COND and
#      up to MAX_REFINEMENTS times, stopping once the step is at rounding level.
#   c. When cond(G) eps is too large for that (or G is singular: collinear columns), the
#      solve moves to the data: scipy.linalg.lstsq (minimum norm on rank deficiency, as
#      scikit-learn's LinearRegression) or the SVD (ridge) of sqrt(s)-weighted centred X,
#      a float64 copy of fastreg's own making; the caller's X is never written.
#   d. positive=True: the exact active-set method of Lawson and Hanson on the scaled
#      Gram (Cholesky of the passive block at every change), the same minimiser as
#      scipy.optimize.nnls on the data; ill-conditioned cases go to scipy's nnls on the
#      weighted centred data (augmented by sqrt(alpha) I for ridge).
#   e. Several targets share the statistics and the factor; targets with different
#      alphas share the statistics and get one factor per distinct alpha.
#   f. `data` is the tuple (X, Y, s) in memory, or rows held elsewhere (a Dask cluster's
#      blocks, fastreg._dask_least_squares.DaskRows) that offer the three things asked of the
#      data: `residual_products`, `of_targets` and `weighted_centred_factor` (R of the QR
#      factorisation of the weighted centred [X | Y], on which the least-squares and
#      SVD solutions are those of the data themselves).
#   g. A scipy.sparse X is read only through sparse products (fastreg._sparse_least_squares):
#      refinement passes from X @ w, the stable path on the Gram's eigendecomposition
#      instead of a dense copy, and positive=True on the Gram whatever its condition.
import dataclasses

import numpy as np
import scipy.linalg
import scipy.optimize
from scipy.linalg import lapack

from fastreg import _sparse_least_squares
from fastreg._nnls import nnls_data, nnls_gram

# cond(G) above which the Cholesky solution is refined, and below whose reciprocal the
# solve moves to the data, per data dtype (float32 Grams carry ~1e-9 relative error).
REFINE_COND = {np.float64: 1e3, np.float32: 1e2}
FALLBACK_COND = {np.float64: 1e10, np.float32: 1e6}
MAX_REFINEMENTS = 4


@dataclasses.dataclass
class ExactSolution:
    """Coefficients (n_targets, n_features), intercepts (n_targets,) and how they came."""

    coef: np.ndarray
    intercept: np.ndarray
    method: str  # "cholesky", "lstsq" (the data path) or "nnls"
    refinements: int = 0
    condition: float = 1.0


def _power_of_two_scales(diagonal):
    """Column scales 2^k ~ sqrt(diagonal): equilibration that rounds nothing."""
    scales = np.ones_like(diagonal)
    usable = np.isfinite(diagonal) & (diagonal > 0)
    scales[usable] = np.exp2(np.round(0.5 * np.log2(diagonal[usable])))
    return scales


def _factor(H):
    """Cholesky factor of H and the 1-norm condition estimate; (None, inf) if singular."""
    factor, info = lapack.dpotrf(H, lower=1, clean=1)
    if info != 0:
        return None, np.inf
    anorm = np.max(np.sum(np.abs(H), axis=0)) if H.size else 0.0
    rcond, info = lapack.dpocon(factor, anorm, uplo="L")
    if info != 0 or not rcond > 0:
        return None, np.inf
    return factor, 1.0 / rcond


def _cho_solve(factor, rhs):
    solution, info = lapack.dpotrs(factor, rhs, lower=1)
    if info != 0:  # cannot happen for a factor dpotrf accepted
        raise np.linalg.LinAlgError(f"dpotrs failed with info={info}")
    return solution


def _centred_products(stats, fit_intercept):
    """(G, C) = the Gram and cross products the coefficients solve, float64."""
    if fit_intercept:
        return stats.gram, stats.xty
    gram, xty, _ = stats.uncentred()
    return gram, xty


def _intercepts(stats, coef, fit_intercept):
    if not fit_intercept:
        return np.zeros(coef.shape[0])
    return stats.y_mean - coef @ stats.x_mean


# Rows per block of the residual pass (a float64 temporary of this many rows).
_RESIDUAL_BLOCK = 1 << 15


def _residual_products(data, coef, x_mean, y_mean, fit_intercept):
    """X_c^T S r_c for each target (d, T): one pass over X in float64 row blocks.

    The residual is formed from centred rows, r_c = (y - mu_y) - (x - mu_x) w: its
    rounding is relative to the centred values, where the raw x w + b would round
    relative to |x| |w| (six digits more for a column of mean 1e6 and spread 1).
    """
    if not isinstance(data, tuple):  # rows held elsewhere (decision f)
        return data.residual_products(coef, x_mean, y_mean, fit_intercept)
    if _sparse_least_squares.is_sparse_data(data):  # sparse products, X never densified
        return _sparse_least_squares.residual_products(data, coef, x_mean, y_mean, fit_intercept)
    X, Y, s = data
    n = X.shape[0]
    out = np.zeros((X.shape[1], coef.shape[0]))
    for start in range(0, n, _RESIDUAL_BLOCK):
        rows = slice(start, min(n, start + _RESIDUAL_BLOCK))
        Xb = np.asarray(X[rows], dtype=np.float64)
        Yb = np.asarray(Y[rows], dtype=np.float64)
        if fit_intercept:
            Xb = Xb - x_mean
            Yb = Yb - y_mean
        R = Yb - Xb @ coef.T
        if s is not None:
            R *= np.asarray(s[rows], dtype=np.float64)[:, None]
        out += Xb.T @ R
    return out


def _of_targets(data, targets):
    """The data with only the given columns of Y."""
    if not isinstance(data, tuple):
        return data.of_targets(targets)
    return data[0], data[1][:, targets], data[2]


def _weighted_centred_copy(data, stats, fit_intercept):
    """sqrt(s) (X - mu_x) and sqrt(s) (Y - mu_y) as new float64 arrays."""
    if not isinstance(data, tuple):  # its R factor: the same solutions (decision f)
        factor = data.weighted_centred_factor(stats, fit_intercept)
        return factor[:, : stats.n_features], factor[:, stats.n_features :]
    X, Y, s = data
    A = np.array(X, dtype=np.float64)  # our own copy
    B = np.array(Y, dtype=np.float64)
    if fit_intercept:
        A -= stats.x_mean
        B -= stats.y_mean
    if s is not None:
        root = np.sqrt(np.asarray(s, dtype=np.float64))
        A *= root[:, None]
        B *= root[:, None]
    return A, B


def _solve_data(data, stats, alphas, fit_intercept):
    """Backward-stable solve on sqrt(s) (X - mu): lstsq for alpha = 0, SVD for ridge."""
    if _sparse_least_squares.is_sparse_data(data):  # no dense copy of a sparse X
        return _sparse_least_squares.solve_eigen(data, stats, alphas, fit_intercept)
    A, B = _weighted_centred_copy(data, stats, fit_intercept)
    coef = np.empty((B.shape[1], A.shape[1]))
    if np.all(alphas == 0):
        # the rank cutoff scikit-learn uses: singular values below eps max(n, d) of the
        # largest are zero (scipy's default, eps alone, keeps rounding-level ones)
        cutoff = np.finfo(np.float64).eps * max(stats.n_samples, A.shape[1])
        coef[:] = scipy.linalg.lstsq(A, B, cond=cutoff, lapack_driver="gelsd")[0].T
        return coef
    U, sigma, Vt = scipy.linalg.svd(A, full_matrices=False, lapack_driver="gesdd")
    UtB = U.T @ B
    cutoff = np.finfo(np.float64).eps * max(stats.n_samples, A.shape[1])
    cutoff *= sigma[0] if sigma.size else 0.0
    for t, alpha in enumerate(alphas):
        if alpha > 0:
            shrink = sigma / (sigma**2 + alpha)
        else:
            shrink = np.where(sigma > cutoff, 1.0 / np.where(sigma > cutoff, sigma, 1.0), 0.0)
        coef[t] = Vt.T @ (shrink * UtB[:, t])
    return coef


def solve_nonnegative(stats, alphas, *, fit_intercept, data, dtype, stable=False):
    """Minimise the same objective as `solve_least_squares` subject to ``W >= 0``.

    Parameters
    ----------
    stats, alphas, fit_intercept, data, dtype
        As for `solve_least_squares`.
    stable : bool, default=False
        Solve on the data (scipy.optimize.nnls) whatever the conditioning.

    Returns
    -------
    ExactSolution
    """
    alphas = np.asarray(alphas, dtype=np.float64)
    G, C = _centred_products(stats, fit_intercept)
    scales = _power_of_two_scales(np.diag(G).copy())
    Gs = G / np.outer(scales, scales)
    coef = np.empty((stats.n_targets, stats.n_features))
    worst, copies = 1.0, None
    for t, alpha in enumerate(alphas):
        H = Gs + np.diag(alpha / scales**2)
        _, cond = _factor(H) if np.all(np.isfinite(H)) else (None, np.inf)
        worst = max(worst, cond)
        on_data = stable or cond > FALLBACK_COND[np.dtype(dtype).type]
        if on_data and not _sparse_least_squares.is_sparse_data(data):
            if copies is None:
                copies = _weighted_centred_copy(data, stats, fit_intercept)
            coef[t] = nnls_data(copies[0], copies[1][:, t], alpha)
        else:
            coef[t] = nnls_gram(H, C[:, t] / scales)[0] / scales
    return ExactSolution(coef, _intercepts(stats, coef, fit_intercept), "nnls", 0, float(worst))


def solve_least_squares(stats, alphas, *, fit_intercept, data, dtype, method="auto"):
    """Minimise ``sum_i s_i ||y_i - W x_i - b||^2 + sum_t alpha_t ||w_t||^2`` exactly.

    Parameters
    ----------
    stats : fastreg._statistics.Statistics
        The statistics of (X, Y, s).
    alphas : ndarray of shape (n_targets,)
        Ridge strength per target (0: ordinary least squares).
    fit_intercept : bool
        Whether the intercepts are fitted (centred statistics) or zero.
    data : tuple (X, Y, sample_weight)
        The data the statistics came from, for refinement and the stable path
        (Y of shape (n_samples, n_targets), all in X's dtype).
    dtype : numpy dtype
        The data's dtype (float32 Grams have larger rounding).
    method : {"auto", "cholesky", "lstsq"}, default="auto"
        "lstsq" goes straight to the stable solve on the data; "auto" and "cholesky"
        take the Gram path with refinement and fall back when it cannot be accurate.

    Returns
    -------
    ExactSolution
    """
    alphas = np.asarray(alphas, dtype=np.float64)
    dtype = np.dtype(dtype).type
    d, T = stats.n_features, stats.n_targets
    products = (stats.gram, stats.xty)
    if method == "lstsq" or not all(np.all(np.isfinite(m)) for m in products):
        # (products that overflow float64 still leave the data's own solve, which LAPACK
        # scales internally)
        coef = _solve_data(data, stats, alphas, fit_intercept)
        return ExactSolution(coef, _intercepts(stats, coef, fit_intercept), "lstsq")
    G, C = _centred_products(stats, fit_intercept)
    scales = _power_of_two_scales(np.diag(G).copy())
    Gs = G / np.outer(scales, scales)
    coef = np.empty((T, d))
    worst, refinements = 1.0, 0
    for alpha in np.unique(alphas):
        targets = np.flatnonzero(alphas == alpha)
        H = Gs + np.diag(alpha / scales**2)
        factor, cond = _factor(H)
        worst = max(worst, cond)
        if factor is None or cond > FALLBACK_COND[dtype]:
            sub = _of_targets(data, targets)
            coef[targets] = _solve_data(sub, stats, alphas[targets], fit_intercept)
            continue
        coef[targets] = (_cho_solve(factor, C[:, targets] / scales[:, None]) / scales[:, None]).T
        # (a sparse X's Gram is centred by a rank-one correction, whose cancellation the
        # condition number does not see: it is always refined)
        if cond <= REFINE_COND[dtype] and not _sparse_least_squares.is_sparse_data(data):
            continue
        for _ in range(MAX_REFINEMENTS):
            W = coef[targets]
            sub = _of_targets(data, targets)
            g = _residual_products(sub, W, stats.x_mean, stats.y_mean[targets], fit_intercept)
            g -= alpha * W.T
            step = (_cho_solve(factor, g / scales[:, None]) / scales[:, None]).T
            coef[targets] = W + step
            refinements += 1
            if np.max(np.abs(step)) <= 4 * np.finfo(np.float64).eps * np.max(np.abs(W)):
                break
    method = "cholesky" if worst <= FALLBACK_COND[dtype] else "lstsq"
    return ExactSolution(
        coef, _intercepts(stats, coef, fit_intercept), method, refinements, float(worst)
    )


def squared_objective_from_statistics(stats, coef, intercept, alphas, fit_intercept):
    """``sum_i s_i (y_it - x_i w_t - b_t)^2 + alpha_t ||w_t||^2`` per target, no pass.

    From the centred statistics: with e_t = b_t - (mu_y - W mu_x)_t, the residual sum
    is yty - 2 w^T xty + w^T G w + S e^2 (uncentred products without an intercept).

    Parameters
    ----------
    stats : fastreg._statistics.Statistics
        The statistics of the data.
    coef : ndarray of shape (n_targets, n_features)
        Coefficients.
    intercept : ndarray of shape (n_targets,)
        Intercepts.
    alphas : ndarray of shape (n_targets,)
        Ridge strengths.
    fit_intercept : bool
        Whether the statistics are used centred.

    Returns
    -------
    values : ndarray of shape (n_targets,)
    """
    if fit_intercept:
        G, C, YY = stats.gram, stats.xty, stats.yty
        offset = intercept - (stats.y_mean - coef @ stats.x_mean)
        extra = stats.sum_weights * offset**2
    else:
        G, C, YY = stats.uncentred()
        extra = np.zeros(coef.shape[0])
    values = np.empty(coef.shape[0])
    for t in range(coef.shape[0]):
        w = coef[t]
        squares = YY[t, t] - 2.0 * (w @ C[:, t]) + w @ G @ w + extra[t]
        values[t] = max(squares, 0.0) + alphas[t] * (w @ w)
    return values
