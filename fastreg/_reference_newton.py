# fastreg._reference_newton: the NumPy twin of the Newton-Cholesky solver
# (fastreg._newton), written as the textbook method: in the raw coordinates (W, b), the
# full Hessian X1^T diag(s h) X1 formed directly from X1 = [X, 1], the Newton system
# solved for its minimum-norm solution (numpy.linalg.lstsq, which also takes care of the
# multinomial loss's singular directions), and Armijo backtracking. It reaches the same
# minimiser by another route; fastreg.reference re-exports `newton_cholesky_solve`.
import numpy as np

from fastreg._reference_passes import LOSS_LOGISTIC, _float_array, loss_gradient, scores

STATUS_CONVERGED = 0
STATUS_MAX_ITER = 1
STATUS_DIVERGED = 2


def newton_hessian(loss, X, sample_weight, coef, intercept):
    """The Hessian of ``sum_i s_i l_i`` in (W, b), formed from X directly.

    Parameters
    ----------
    loss : int
        LOSS_LOGISTIC or LOSS_MULTINOMIAL.
    X : ndarray of shape (n_samples, n_features)
        Data.
    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights; None means unit weights.
    coef : ndarray of shape (K, n_features)
        Coefficients W.
    intercept : ndarray of shape (K,)
        Intercepts b.

    Returns
    -------
    H : ndarray of shape (K, d + 1, K, d + 1)
        Block (k, l) is ``X1^T diag(s h_kl) X1`` with h the loss's curvature in the
        scores: p (1 - p) for the logistic loss, p_k (delta_kl - p_l) for the
        multinomial loss; the last index of a block is the intercept.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import reference
    >>> H = reference.newton_hessian(1, np.array([[1.0], [-1.0]]), None,
    ...                              np.zeros((1, 1)), np.zeros(1))
    >>> H.reshape(2, 2).tolist()
    [[0.5, 0.0], [0.0, 0.5]]
    """
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    Z = scores(X, coef, intercept)
    X1 = np.hstack([X, np.ones((n, 1))])
    if loss == LOSS_LOGISTIC:
        p = 1.0 / (1.0 + np.exp(-Z[:, 0]))
        return ((X1 * (s * p * (1 - p))[:, None]).T @ X1).reshape(1, d + 1, 1, d + 1)
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    K = P.shape[1]
    H = np.empty((K, d + 1, K, d + 1))
    for k in range(K):
        for m in range(K):
            h = P[:, k] * ((k == m) - P[:, m])
            H[k, :, m, :] = (X1 * (s * h)[:, None]).T @ X1
    return H


def newton_cholesky_solve(problem, options, coef, intercept):
    """Textbook Newton with Armijo backtracking: the twin of ``fastreg._newton.solve``.

    Minimises G(W, b) = (1/S) sum_i s_i l_i + l2/2 ||W||^2 (logistic or multinomial
    loss) and stops when max |grad G| <= tol. The multinomial result is returned in the
    symmetric form: the unpenalised parameters (the intercepts; every coefficient when
    l2 = 0) sum to zero over the classes.

    Parameters
    ----------
    problem : fastreg._problem.Problem
        Data, targets, weights and loss.
    options : fastreg._problem.SolverOptions
        Penalty (L2 only), fit_intercept, max_iter, tol.
    coef : ndarray of shape (K, n_features), float64
        Start point.
    intercept : ndarray of shape (K,), float64
        Start intercepts.

    Returns
    -------
    coef, intercept, objective_curve, n_iter, status
        As ``fastreg.reference.solve``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import reference
    >>> from fastreg._problem import Penalty, Problem, SolverOptions
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0.0, 1.0, 0.0, 1.0])
    >>> options = SolverOptions("newton-cholesky", Penalty(l2=0.1), tol=1e-10)
    >>> W, b, curve, n_iter, status = reference.newton_cholesky_solve(
    ...     Problem(1, X, y), options, np.zeros((1, 1)), np.zeros(1))
    >>> status, bool(abs(W[0, 0]) > 0)
    (0, True)
    """
    X = _float_array(problem.X)
    s = problem.sample_weight
    S = problem.total_weight()
    l2, fit_intercept = float(options.penalty.l2), bool(options.fit_intercept)
    W = np.array(coef, dtype=np.float64)
    b = np.array(intercept, dtype=np.float64)
    K, d = W.shape

    def evaluate(W, b):
        value, gW, gb = loss_gradient(problem.loss, X, problem.y, s, W, b)
        G = value / S + 0.5 * l2 * float(np.sum(W * W))
        gb = gb / S if fit_intercept else np.zeros(K)
        return G, gW / S + l2 * W, gb

    moving = np.ones((K, d + 1), dtype=bool)
    moving[:, d] = fit_intercept
    moving = moving.ravel()
    curve = np.empty(options.max_iter)
    G, gW, gb = evaluate(W, b)
    t, status = 0, STATUS_MAX_ITER
    while True:
        if not (np.isfinite(G) and np.all(np.isfinite(gW))):
            status = STATUS_DIVERGED
            break
        if max(np.max(np.abs(gW), initial=0.0), np.max(np.abs(gb))) <= options.tol:
            status = STATUS_CONVERGED
            break
        if t >= options.max_iter:
            break
        g = np.concatenate([gW, gb[:, None]], axis=1).ravel()
        H = newton_hessian(problem.loss, X, s, W, b).reshape(K * (d + 1), -1) / S
        H += np.diag(np.tile(np.r_[np.full(d, l2), 0.0], K))
        step = np.zeros(K * (d + 1))
        step[moving] = np.linalg.lstsq(H[np.ix_(moving, moving)], -g[moving], rcond=None)[0]
        step = step.reshape(K, d + 1)
        dW, db = step[:, :d], step[:, d]
        slope = float(np.sum(gW * dW) + np.sum(gb * db))
        if not slope < 0:
            break
        size, accepted = 1.0, False
        while size > 1e-12:
            G_try, gW_try, gb_try = evaluate(W + size * dW, b + size * db)
            if G_try <= G + 1e-4 * size * slope + 16 * np.finfo(X.dtype).eps * abs(G):
                accepted = True
                break
            size *= 0.5
        if not accepted:
            break
        W, b, G, gW, gb = W + size * dW, b + size * db, G_try, gW_try, gb_try
        curve[t] = G
        t += 1
        if getattr(options, "on_iteration", None) is not None:
            options.on_iteration(t, *_symmetric(W.copy(), b.copy(), l2, fit_intercept))
    W, b = _symmetric(W, b, l2, fit_intercept)
    return W, b, curve[:t].copy(), t, status


def _symmetric(W, b, l2, fit_intercept):
    """Shift the multinomial point so its unpenalised parameters sum to zero."""
    if W.shape[0] > 1 and l2 == 0:
        W -= W.mean(axis=0)
    if W.shape[0] > 1 and fit_intercept:
        b -= b.mean()
    return W, b
