# fastreg._reference_passes: the NumPy twin of the kernel layer's stable functions, loss
# table and passes over the data (src_c/scalar.c, losses.h, pass_fused.c,
# pass_moments.c), written to be read. fastreg.reference re-exports what is public here;
# its header explains the twin.
import dataclasses

import numpy as np
from scipy import sparse

LOSS_SQUARED = 0
LOSS_LOGISTIC = 1
LOSS_MULTINOMIAL = 2


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


# ---- the loss table (src_c/losses.h) -------------------------------------------------------


def _squared(Z, y):
    r = Z[:, 0] - y
    return 0.5 * r * r, r[:, None]


def _logistic(Z, y):
    z = Z[:, 0]
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))  # sigmoid(z)
    # max(z, 0) - y z first, so that for y = 1 and large z the z's cancel exactly.
    value = (np.maximum(z, 0.0) - y * z) + np.log1p(e)
    return value, (p - y)[:, None]


def _multinomial(Z, y):
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


@dataclasses.dataclass(frozen=True)
class _Loss:
    """A row of the loss table: what the passes and solvers need of a loss."""

    name: str
    per_class: bool  # n_outputs is the number of classes (else exactly one output)
    curvature: float  # sup over z of the largest eigenvalue of the Hessian in z
    rows: object  # (Z (n, K) float64, y (n,)) -> (losses (n,), derivatives (n, K))


# Curvatures: the squared loss has l'' = 1, the logistic loss l'' = sigmoid (1 - sigmoid)
# <= 1/4, and the multinomial loss has Hessian diag(p) - p p^T, largest eigenvalue <= 1/2.
LOSSES = {
    LOSS_SQUARED: _Loss("squared", False, 1.0, _squared),
    LOSS_LOGISTIC: _Loss("logistic", False, 0.25, _logistic),
    LOSS_MULTINOMIAL: _Loss("multinomial", True, 0.5, _multinomial),
}


def _loss_entry(loss):
    if loss not in LOSSES:
        raise ValueError(f"unknown loss code {loss!r}")
    return LOSSES[loss]


def _row_losses(loss, Z, y):
    """Per-row loss l_i and its derivative dl_i/dz_i for scores Z (n, K) in float64.

    Returns (losses (n,), derivatives (n, K)).
    """
    return _loss_entry(loss).rows(Z, y)


# ---- passes over the data (src_c/pass_fused.c, pass_moments.c) ------------------------------
# Every pass takes a dense X or a scipy.sparse CSR X (read entry by entry, as
# src_c/data_csr.h reads it: `csr_loss_gradient`).


def loss_gradient(loss, X, y, sample_weight, coef, intercept, n_threads=1, loss_param=0.0):
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
    X : ndarray or scipy.sparse CSR matrix of shape (n_samples, n_features)
        Data, float32 or float64 (CSR: see `csr_loss_gradient`).
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
    loss_param : float, default=0.0
        The loss's own parameter (no loss of today has one).

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
    if sparse.issparse(X):
        return csr_loss_gradient(loss, X, y, sample_weight, coef, intercept, loss_param)
    X = _float_array(X)
    dtype = X.dtype
    y = np.asarray(y, dtype=np.float64)
    b = np.asarray(intercept, dtype=dtype).reshape(-1).astype(np.float64)
    W = np.asarray(coef, dtype=dtype).reshape(b.size, X.shape[1])  # K rows, also for d = 0
    entry = _loss_entry(loss)
    if not entry.per_class and W.shape[0] != 1:
        raise ValueError(f"the {entry.name} loss has one output")

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


def column_means(loss, X, y, sample_weight, n_threads=1):
    """Sample-weighted column means: the twin of ``_kernels.column_means``.

    Parameters
    ----------
    loss : int
        Loss code (unused: the means do not depend on it).
    X : ndarray or scipy.sparse CSR matrix of shape (n_samples, n_features)
        Data.
    y : ndarray of shape (n_samples,)
        Targets (unused).
    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights; None means unit weights.
    n_threads : int, default=1
        Accepted for signature compatibility and ignored.

    Returns
    -------
    mu : ndarray of shape (n_features,), float64
        sum_i s_i x_i / S, or zeros when S is not positive and finite.
    total : float
        S = sum_i s_i.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import reference
    >>> mu, S = reference.column_means(0, np.array([[1.0], [3.0]]), np.zeros(2), None)
    >>> mu.tolist(), S
    ([2.0], 2.0)
    """
    s = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
    total = float(np.sum(s))
    if not (total > 0 and np.isfinite(total)):
        return np.zeros(X.shape[1]), total
    if sparse.issparse(X):
        rows, columns, values = _csr_entries(X)
        sums = np.bincount(columns, weights=s[rows] * values, minlength=X.shape[1])
        return sums / total, total
    X = np.asarray(X, dtype=np.float64)
    return (s @ X) / total, total


def scores(X, coef, intercept, n_threads=1):
    """Scores ``X W^T + b`` in float64: the twin of ``_kernels.scores``.

    Parameters
    ----------
    X : ndarray or scipy.sparse CSR matrix of shape (n_samples, n_features)
        Data.
    coef : ndarray of shape (n_outputs, n_features)
        Coefficients W, read in X's dtype as the compiled pass reads them.
    intercept : ndarray of shape (n_outputs,)
        Intercepts b, read in X's dtype.
    n_threads : int, default=1
        Accepted for signature compatibility and ignored.

    Returns
    -------
    ndarray of shape (n_samples, n_outputs), float64

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import reference
    >>> reference.scores(np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]]), np.array([0.5]))
    array([[11.5]])
    """
    if sparse.issparse(X):
        b = np.asarray(intercept, dtype=X.dtype).astype(np.float64)
        W = np.asarray(coef, dtype=X.dtype).astype(np.float64)
        return _csr_scores(X, W) + b
    X = _float_array(X)
    b = np.asarray(intercept, dtype=X.dtype).astype(np.float64)
    W = np.asarray(coef, dtype=X.dtype)
    return (X @ W.T).astype(np.float64) + b


# ---- the CSR pass (src_c/data_csr.h) ---------------------------------------------------------


def _csr_entries(X):
    """The stored entries of a CSR X as (row, column, value) arrays, values in float64.

    Row i owns the entries indptr[i] .. indptr[i + 1] - 1, so the row of each entry is
    its row number repeated by the row's length. Unsorted and repeated columns are kept
    as stored: every entry counts once, so repeats add up.
    """
    X = sparse.csr_array(X) if X.format != "csr" else X
    indptr = np.asarray(X.indptr, dtype=np.int64)
    rows = np.repeat(np.arange(X.shape[0]), np.diff(indptr))
    return rows, np.asarray(X.indices, dtype=np.int64), np.asarray(X.data, dtype=np.float64)


def _csr_scores(X, W):
    """Z = X W^T (n, K) in float64 from the stored entries: z_ik = sum_p v_p W[k, j_p]."""
    rows, columns, values = _csr_entries(X)
    n, K = X.shape[0], W.shape[0]
    return np.stack(
        [np.bincount(rows, weights=values * W[k, columns], minlength=n) for k in range(K)],
        axis=1,
    ).reshape(n, K)


def csr_loss_gradient(loss, X, y, sample_weight, coef, intercept, loss_param=0.0):
    """The fused pass over a CSR X, entry by entry: the twin of the kernels' CSR pass.

    The same sums as `loss_gradient`, read from the stored entries (row i_p, column j_p,
    value v_p) as the compiled CSR pass reads them, without scipy's products:

        z_ik           = b_k + sum_{p in row i} v_p W[k, j_p]
        grad_coef[k, j] = sum_{p with j_p = j} s_{i_p} (dl/dz)_{i_p k} v_p
        grad_intercept = sum_i s_i dl_i/dz_i

    Products are formed in float64 (the compiled pass sums CSR rows in double whatever
    the data dtype); the point is read in X's dtype, as there.

    Parameters
    ----------
    loss : int
        Loss code (see `loss_gradient`).
    X : scipy.sparse matrix or array of shape (n_samples, n_features)
        CSR data (another format is converted), float32 or float64.
    y : ndarray of shape (n_samples,)
        Targets.
    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights; None means unit weights.
    coef : ndarray of shape (n_outputs, n_features)
        Coefficients W, read in X's dtype.
    intercept : ndarray of shape (n_outputs,)
        Intercepts b, read in X's dtype.
    loss_param : float, default=0.0
        The loss's own parameter (no loss of today has one).

    Returns
    -------
    loss_sum : float
    grad_coef : ndarray of shape (n_outputs, n_features), float64
    grad_intercept : ndarray of shape (n_outputs,), float64

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> from fastreg import reference
    >>> X = sparse.csr_array(np.array([[1.0, 0.0], [0.0, 2.0]]))
    >>> loss, g, gb = reference.csr_loss_gradient(
    ...     0, X, np.array([1.0, 3.0]), None, np.ones((1, 2)), np.zeros(1))
    >>> loss, g.tolist(), gb.tolist()
    (0.5, [[0.0, -2.0]], [-1.0])
    """
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    d = X.shape[1]
    y = np.asarray(y, dtype=np.float64)
    b = np.asarray(intercept, dtype=dtype).reshape(-1).astype(np.float64)
    W = np.asarray(coef, dtype=dtype).reshape(b.size, d).astype(np.float64)
    entry = _loss_entry(loss)
    if not entry.per_class and W.shape[0] != 1:
        raise ValueError(f"the {entry.name} loss has one output")
    rows, columns, values = _csr_entries(X)
    Z = _csr_scores(X, W) + b
    row_values, derivatives = _row_losses(loss, Z, y)
    if sample_weight is not None:
        s = np.asarray(sample_weight, dtype=np.float64)
        row_values = s * row_values
        derivatives = derivatives * s[:, None]
    grad_coef = np.stack(
        [
            np.bincount(columns, weights=derivatives[rows, k] * values, minlength=d)
            for k in range(W.shape[0])
        ]
    ).reshape(W.shape)
    return float(np.sum(row_values)), grad_coef, np.sum(derivatives, axis=0)
