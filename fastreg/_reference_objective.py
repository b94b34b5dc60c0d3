# fastreg._reference_objective: the NumPy twin of the objective G and the penalty
# (src_c/objective.c, penalties.h): its value, the proximal step, the optimality measure
# and the Lipschitz bound. fastreg.reference re-exports what is public here.
import numpy as np
from scipy import sparse

from fastreg._problem import Penalty as _Penalty
from fastreg._reference_passes import _float_array, _loss_entry, loss_gradient


def _total_weight(sample_weight, n_samples):
    """S = sum_i s_i (n_samples for unit weights)."""
    if sample_weight is None:
        return float(n_samples)
    return float(np.sum(np.asarray(sample_weight, dtype=np.float64)))


def objective(loss, X, y, sample_weight, coef, intercept, l2, l1):
    """The averaged objective G(W, b) that the solvers minimise.

    G(W, b) = (1/S) sum_i s_i l_i(W, b) + l2/2 ||W||_F^2 + l1 ||W||_1,  S = sum_i s_i
    (a non-negative fit also requires W >= 0). The intercept is never penalised.

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
    X = X if sparse.issparse(X) else _float_array(X)
    loss_sum, _, _ = loss_gradient(loss, X, y, sample_weight, coef, intercept)
    W = np.asarray(coef, dtype=np.float64)
    S = _total_weight(sample_weight, X.shape[0])
    return loss_sum / S + 0.5 * l2 * float(np.sum(W * W)) + l1 * float(np.sum(np.abs(W)))


# ---- the penalty (src_c/penalties.h) ---------------------------------------------------------

# The penalty kinds the twin knows, as the compiled table names them.
PENALTY_KINDS = ("elastic_net",)


def _check_kind(penalty):
    if penalty.kind not in PENALTY_KINDS:
        raise ValueError(f"unknown penalty kind {penalty.kind!r}")


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


def penalty_prox(W, step, penalty):
    """Proximal step of ``step`` times the non-smooth part of ``penalty`` at W.

    Soft-thresholding by ``step * penalty.l1`` (exact zeros), then the projection onto
    W >= 0 when ``penalty.positive``.

    Parameters
    ----------
    W : ndarray
        Point to move.
    step : float
        Step length (> 0).
    penalty : fastreg._problem.Penalty
        The penalty.

    Returns
    -------
    ndarray
        The proximal point.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import reference
    >>> from fastreg._problem import Penalty
    >>> reference.penalty_prox(np.array([-2.0, 0.5, 3.0]), 1.0, Penalty(l1=1.0, positive=True))
    array([0., 0., 2.])
    """
    _check_kind(penalty)
    out = soft_threshold(W, step * penalty.l1)
    return np.maximum(out, 0.0) if penalty.positive else out


def penalty_violation(W, grad, penalty):
    """Per coefficient, |minimum-norm element| of grad + d(non-smooth part)(W).

    w > 0: |g + l1|; w < 0: |g - l1|; w = 0: max(|g| - l1, 0), or max(-g - l1, 0) under
    the constraint W >= 0 (only a push into w > 0 is a violation). ``grad`` is the
    gradient of the smooth part (loss average plus L2 term).

    Parameters
    ----------
    W : ndarray
        Coefficients.
    grad : ndarray
        Gradient of the smooth part at W, same shape.
    penalty : fastreg._problem.Penalty
        The penalty.

    Returns
    -------
    ndarray
        The violations, W's shape; all 0 exactly at a minimiser.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import reference
    >>> from fastreg._problem import Penalty
    >>> reference.penalty_violation(np.zeros(2), np.array([0.5, -2.0]), Penalty(l1=1.0))
    array([0., 1.])
    """
    _check_kind(penalty)
    l1 = penalty.l1
    at_zero = (
        np.maximum(-grad - l1, 0.0) if penalty.positive else np.maximum(np.abs(grad) - l1, 0.0)
    )
    return np.where(W > 0, np.abs(grad + l1), np.where(W < 0, np.abs(grad - l1), at_zero))


def optimality(coef, grad_coef, grad_intercept, l1, fit_intercept, positive=False):
    """The stopping measure: max-norm of the minimum-norm subgradient of G.

    Per coefficient it is `penalty_violation` (g + l1 sign(w) where w != 0 and
    max(|g| - l1, 0) where w == 0, g being the gradient of the smooth part of G); the
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
    positive : bool, default=False
        Whether W is constrained to be non-negative.

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
    penalty = _Penalty(l1=l1, positive=positive)
    measure = float(np.max(penalty_violation(coef, grad_coef, penalty), initial=0.0))
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
    n = X.shape[0]
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    S = float(np.sum(s))
    if sparse.issparse(X):  # the (d + 1) x (d + 1) Gram from sparse products
        X = sparse.csr_array(X, dtype=np.float64)
        if fit_intercept:
            X = sparse.hstack([X, np.ones((n, 1))], format="csr")
        gram = (X.T @ (X.multiply((s / S)[:, None]))).toarray()
    else:
        X = np.asarray(X, dtype=np.float64)
        if fit_intercept:
            X = np.hstack([X, np.ones((n, 1))])
        gram = (X * (s / S)[:, None]).T @ X
    largest = float(np.linalg.eigvalsh(gram)[-1]) if gram.size else 0.0
    return _loss_entry(loss).curvature * largest + l2
