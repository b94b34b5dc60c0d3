# fastreg._nnls: non-negative (ridge) least squares on the Gram matrix, the exact solve
# behind positive=True of LinearRegression and Ridge.
#
# Lawson and Hanson's active-set method on min 1/2 w^T H w - c^T w subject to w >= 0,
# with H = X_c^T S X_c + alpha I and c = X_c^T S y_c (power-of-two equilibrated by the
# caller): a feature joins the passive set when its gradient says it should, the
# passive block is re-solved by Cholesky, and a step back to the boundary drops features
# that would turn negative. It ends at the exact minimiser (the KKT conditions hold to
# rounding), the one scipy.optimize.nnls finds on the data, in O(d^3) per change and no
# pass over X.
import numpy as np
import scipy.linalg
import scipy.optimize


def _passive_solution(H, c, passive):
    """The unconstrained minimiser over the passive set (zero elsewhere)."""
    z = np.zeros_like(c)
    if passive.any():
        block = H[np.ix_(passive, passive)]
        try:
            z[passive] = scipy.linalg.cho_solve(scipy.linalg.cho_factor(block), c[passive])
        except np.linalg.LinAlgError:  # a singular passive block: its minimum-norm solution
            z[passive] = scipy.linalg.lstsq(block, c[passive])[0]
    return z


def nnls_gram(H, c, *, max_iter=None):
    """Minimise ``1/2 w^T H w - c^T w`` subject to ``w >= 0``.

    Parameters
    ----------
    H : ndarray of shape (d, d)
        Symmetric positive semi-definite matrix (a Gram, possibly ridge-shifted).
    c : ndarray of shape (d,)
        Linear term.
    max_iter : int or None
        Most changes of the active set (default 3 d, as scipy.optimize.nnls).

    Returns
    -------
    w : ndarray of shape (d,)
        The minimiser.
    n_iter : int
        Changes of the active set performed.
    """
    d = c.shape[0]
    max_iter = 3 * d if max_iter is None else max_iter
    w = np.zeros(d)
    passive = np.zeros(d, dtype=bool)
    # a gradient entry counts as positive above rounding of the products it sums
    tol = 10 * d * np.finfo(np.float64).eps * max(np.max(np.abs(c), initial=0.0), 1e-300)
    n_iter = 0
    while n_iter < max_iter:
        gradient = c - H @ w  # minus the gradient: > 0 where increasing w_j helps
        candidates = ~passive & (gradient > tol)
        if not candidates.any():
            break
        passive[np.argmax(np.where(candidates, gradient, -np.inf))] = True
        while True:
            n_iter += 1
            z = _passive_solution(H, c, passive)
            if np.all(z[passive] > 0) or n_iter >= max_iter:
                w = np.where(passive, np.maximum(z, 0.0), 0.0)
                break
            blocking = np.flatnonzero(passive & (z <= 0))
            ratios = w[blocking] / (w[blocking] - z[blocking])
            step = np.min(ratios)
            w = w + step * (z - w)
            w[blocking[ratios <= step]] = 0.0  # the features that reached the bound
            passive &= w > 0
            w[~passive] = 0.0
    return w, n_iter


def nnls_data(A, b, alpha=0.0):
    """scipy.optimize.nnls on ``[A; sqrt(alpha) I] w = [b; 0]`` (the stable path).

    Parameters
    ----------
    A : ndarray of shape (n, d)
        Weighted, centred data (float64, the caller's own copy).
    b : ndarray of shape (n,)
        Weighted, centred target.
    alpha : float, default=0.0
        Ridge strength.

    Returns
    -------
    w : ndarray of shape (d,)
    """
    if alpha > 0:
        d = A.shape[1]
        A = np.vstack([A, np.sqrt(alpha) * np.eye(d)])
        b = np.concatenate([b, np.zeros(d)])
    return scipy.optimize.nnls(A, b, maxiter=max(3 * A.shape[1], 50))[0]
