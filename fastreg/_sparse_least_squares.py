# fastreg._sparse_least_squares: the pieces of the exact least-squares solves
# (fastreg._exact) and of the elastic net (fastreg._enet) that read a scipy.sparse X,
# through sparse products only: X is never densified and never centred in memory.
#
# Design decisions:
#   a. The statistics come from fastreg._statistics.sparse_sufficient_statistics (the
#      raw products X^T S X and X^T S Y, centred by a rank-one correction). Accuracy is
#      kept as on dense data: the refinement passes of the exact solve form the residual
#      from X itself, r_c = (y - mu_y) - (X w - mu_x.w) with X w a sparse product in
#      float64, and X_c^T S r_c = X^T (S r_c) - mu_x (1^T S r_c), so each step moves w
#      by pinv(X_c) r_c, whatever the Gram lost to cancellation.
#   b. The Gram path runs only while the dense d x d Gram fits comfortably: at most
#      SPARSE_GRAM_MAX_FEATURES columns (a 128 MiB float64 Gram; the exact solve holds
#      about five arrays of that size at once: the sparse product, the Gram, its
#      equilibrated and shifted copies and the Cholesky factor, ~640 MiB at the limit).
#      Past it the estimators take the iterative solvers over the CSR fused pass, whose
#      memory is O(n + nnz + d).
#   c. The stable path of a dense X (lstsq / SVD on the centred data) would need a dense
#      copy; on a sparse X it is the eigendecomposition of the equilibrated Gram instead:
#      eigenvalues below the Gram's rounding level are dropped (minimum norm on rank
#      deficiency, as lstsq), ridge shrinks the rest, and refinement passes on X (a)
#      recover what the squared condition number cost.
import numpy as np
import scipy.linalg
from scipy import sparse

# The widest sparse X whose Gram path is taken (decision b): 4096^2 doubles = 128 MiB.
SPARSE_GRAM_MAX_FEATURES = 4096
# Refinement steps of the eigendecomposition solve (decision c).
_EIGEN_REFINEMENTS = 4


def gram_fits(n_features):
    """Whether the exact (Gram) path takes a sparse X of ``n_features`` columns.

    Parameters
    ----------
    n_features : int
        Columns of X.

    Returns
    -------
    bool
        ``n_features <= SPARSE_GRAM_MAX_FEATURES``.
    """
    return int(n_features) <= SPARSE_GRAM_MAX_FEATURES


def residual_products(data, coef, x_mean, y_mean, fit_intercept):
    """``X_c^T S r_c`` (d, T) for a sparse X: the refinement pass of fastreg._exact.

    Parameters
    ----------
    data : tuple (X, Y, sample_weight)
        Sparse X, dense Y of shape (n_samples, n_targets), weights or None.
    coef : ndarray of shape (n_targets, n_features)
        Current coefficients.
    x_mean, y_mean : ndarray
        Weighted means (used when ``fit_intercept``).
    fit_intercept : bool
        Whether the residual is centred.

    Returns
    -------
    ndarray of shape (n_features, n_targets)
    """
    X, Y, s = data
    Y = np.asarray(Y, dtype=np.float64)
    fitted = np.asarray(X @ coef.T, dtype=np.float64)  # float64: coef is float64
    if fit_intercept:
        R = (Y - y_mean) - (fitted - x_mean @ coef.T)
    else:
        R = Y - fitted
    if s is not None:
        R *= np.asarray(s, dtype=np.float64)[:, None]
    out = np.asarray(X.T @ R, dtype=np.float64)
    if fit_intercept:
        out -= np.outer(x_mean, R.sum(axis=0))
    return out


def cross_products(data, x_mean, y_mean, fit_intercept):
    """``X_c^T S Y_c`` (d, T) of a sparse X (raw products without an intercept)."""
    X, Y, s = data
    Yc = np.asarray(Y, dtype=np.float64)
    if fit_intercept:
        Yc = Yc - y_mean
    sY = Yc if s is None else Yc * np.asarray(s, dtype=np.float64)[:, None]
    out = np.asarray(X.T @ sY, dtype=np.float64)
    if fit_intercept:
        out -= np.outer(x_mean, sY.sum(axis=0))
    return out


def solve_eigen(data, stats, alphas, fit_intercept):
    """The stable solve of a sparse X (decision c): coefficients (T, d).

    Parameters
    ----------
    data : tuple (X, Y, sample_weight)
        Sparse X and the targets it solves for (Y may be a subset of the statistics').
    stats : fastreg._statistics.Statistics
        The statistics of X (only the X parts are read).
    alphas : ndarray of shape (n_targets,)
        Ridge strength per target of ``data``'s Y.
    fit_intercept : bool
        Centred statistics when True.

    Returns
    -------
    coef : ndarray of shape (n_targets, n_features)
    """
    S, mx = stats.sum_weights, stats.x_mean
    G = stats.gram if fit_intercept else stats.gram + S * np.outer(mx, mx)
    diagonal = np.diag(G).copy()
    scales = np.ones_like(diagonal)
    usable = np.isfinite(diagonal) & (diagonal > 0)
    scales[usable] = np.exp2(np.round(0.5 * np.log2(diagonal[usable])))
    Gs = G / np.outer(scales, scales)
    y_mean = np.zeros(data[1].shape[1])
    if fit_intercept:
        Y = np.asarray(data[1], dtype=np.float64)
        s = data[2]
        weights = np.ones(Y.shape[0]) if s is None else np.asarray(s, dtype=np.float64)
        y_mean = (weights @ Y) / S
    rhs = cross_products(data, mx, y_mean, fit_intercept)
    coef = np.empty((rhs.shape[1], G.shape[0]))
    for t, alpha in enumerate(np.asarray(alphas, dtype=np.float64)):
        eigenvalues, V = scipy.linalg.eigh(Gs + np.diag(alpha / scales**2), check_finite=False)
        top = float(np.max(np.abs(eigenvalues), initial=0.0))
        # The Gram's own rounding level: eigenvalues below it carry no information.
        keep = eigenvalues > np.finfo(np.float64).eps * max(G.shape[0], 1) * 10.0 * top
        inverse = np.where(keep, 1.0 / np.where(keep, eigenvalues, 1.0), 0.0)

        def apply(v, V=V, inverse=inverse):  # the pseudo-inverse of the shifted Gram
            return V @ (inverse * (V.T @ (v / scales))) / scales

        w = apply(rhs[:, t])
        for _ in range(_EIGEN_REFINEMENTS):
            sub = (data[0], data[1][:, t : t + 1], data[2])
            g = residual_products(sub, w[None, :], mx, y_mean[t : t + 1], fit_intercept)[:, 0]
            step = apply(g - alpha * w)
            w = w + step
            if np.max(np.abs(step)) <= 4 * np.finfo(np.float64).eps * np.max(np.abs(w)):
                break
        coef[t] = _minimum_norm(w, V[:, ~keep] / scales[:, None])
    return coef


def _minimum_norm(w, null_directions):
    """``w`` without its component in the span of ``null_directions`` (d, k).

    The pseudo-inverse of the equilibrated Gram D^-1 G D^-1 gives the solution of least
    ||D w||, not of least ||w||; the two differ by a vector of G's null space, spanned by
    D^-1 times the dropped eigenvectors. Removing that component leaves X w unchanged
    and gives lstsq's minimum-norm solution (the ridge solution as alpha -> 0).
    """
    if null_directions.shape[1] == 0:
        return w
    basis, _ = np.linalg.qr(null_directions)
    return w - basis @ (basis.T @ w)


def is_sparse_data(data):
    """Whether the data of fastreg._exact are an (X, Y, s) tuple with a sparse X."""
    return isinstance(data, tuple) and sparse.issparse(data[0])
