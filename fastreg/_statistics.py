# fastreg._statistics: the sufficient statistics of weighted least squares, what every
# least-squares fit (exact solves, coordinate descent on the Gram matrix, cross-validation
# folds, distributed fits) needs of the data: one read of X and Y.
#
# Design decisions:
#   a. Centred, always: the weighted means and the centred Gram X_c^T S X_c, cross
#      product X_c^T S Y_c and Y_c^T S Y_c. Raw products follow without cancellation
#      (X^T S X = gram + S mu mu^T is a sum of positive terms), while the raw sums could
#      never give the centred ones accurately for columns with large means.
#   b. Statistics of disjoint row blocks combine exactly (`combine`, the pairwise update
#      of Chan, Golub and LeVeque) and a block's can be taken back out of the whole
#      (`subtract`: a training fold is the whole minus its held-out fold).
#   c. Every array is float64, whatever the data dtype.
import dataclasses

import numpy as np
from scipy import sparse

from fastreg import _kernels


@dataclasses.dataclass(frozen=True)
class Statistics:
    """Weighted sufficient statistics of least squares for data X, targets Y, weights s.

    Parameters
    ----------
    sum_weights : float
        S = sum_i s_i.
    n_samples : int
        Number of rows.
    x_mean : ndarray of shape (n_features,)
        Weighted column means mu_x = X^T s / S.
    y_mean : ndarray of shape (n_targets,)
        Weighted target means mu_y = Y^T s / S.
    gram : ndarray of shape (n_features, n_features)
        X_c^T diag(s) X_c with X_c = X - mu_x.
    xty : ndarray of shape (n_features, n_targets)
        X_c^T diag(s) Y_c with Y_c = Y - mu_y.
    yty : ndarray of shape (n_targets, n_targets)
        Y_c^T diag(s) Y_c.
    """

    sum_weights: float
    n_samples: int
    x_mean: np.ndarray
    y_mean: np.ndarray
    gram: np.ndarray
    xty: np.ndarray
    yty: np.ndarray

    @property
    def n_features(self) -> int:
        """Number of columns of X."""
        return int(self.x_mean.shape[0])

    @property
    def n_targets(self) -> int:
        """Number of columns of Y."""
        return int(self.y_mean.shape[0])

    def uncentred(self):
        """``(X^T S X, X^T S Y, Y^T S Y)`` rebuilt from the centred statistics.

        Returns
        -------
        gram, xty, yty : ndarray
            The raw weighted products (for a fit without intercept).
        """
        S, mx, my = self.sum_weights, self.x_mean, self.y_mean
        return (
            self.gram + S * np.outer(mx, mx),
            self.xty + S * np.outer(mx, my),
            self.yty + S * np.outer(my, my),
        )


def statistics(X, Y, sample_weight=None):
    """Sufficient statistics of (X, Y, s), computed in float64 by two-pass centring.

    This is the reference implementation (the NumPy twin of the compiled statistics pass).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Data (float32 or float64).
    Y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Targets; a 1-D Y is one target.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights s_i >= 0; None means unit weights.

    Returns
    -------
    Statistics

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg._statistics import statistics
    >>> st = statistics(np.array([[1.0], [3.0]]), np.array([2.0, 6.0]))
    >>> st.x_mean.tolist(), st.gram.tolist(), st.xty.tolist()
    ([2.0], [[2.0]], [[4.0]])
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    Y = Y.reshape(Y.shape[0], -1)
    n = X.shape[0]
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    S = float(np.sum(s))
    x_mean = (s @ X) / S
    y_mean = (s @ Y) / S
    Xc = X - x_mean
    Yc = Y - y_mean
    sXc = Xc * s[:, None]
    return Statistics(S, n, x_mean, y_mean, sXc.T @ Xc, sXc.T @ Yc, (Yc * s[:, None]).T @ Yc)


def combine(a, b):
    """Statistics of the rows of two disjoint blocks, from each block's statistics.

    With S = S_a + S_b and delta = mu_b - mu_a: mu = mu_a + (S_b / S) delta and
    M = M_a + M_b + (S_a S_b / S) delta delta^T for each centred product M.

    Parameters
    ----------
    a, b : Statistics
        The blocks' statistics (same numbers of features and targets).

    Returns
    -------
    Statistics
    """
    S = a.sum_weights + b.sum_weights
    if b.sum_weights == 0:
        return dataclasses.replace(a, n_samples=a.n_samples + b.n_samples)
    if a.sum_weights == 0:
        return dataclasses.replace(b, n_samples=a.n_samples + b.n_samples)
    dx, dy = b.x_mean - a.x_mean, b.y_mean - a.y_mean
    f = a.sum_weights * b.sum_weights / S
    return Statistics(
        S,
        a.n_samples + b.n_samples,
        a.x_mean + (b.sum_weights / S) * dx,
        a.y_mean + (b.sum_weights / S) * dy,
        a.gram + b.gram + f * np.outer(dx, dx),
        a.xty + b.xty + f * np.outer(dx, dy),
        a.yty + b.yty + f * np.outer(dy, dy),
    )


def subtract(whole, part):
    """Statistics of the rows of ``whole`` that are not in ``part``.

    The inverse of `combine`: a training fold's statistics from the whole data's and the
    held-out fold's, without another read of X.

    Parameters
    ----------
    whole, part : Statistics
        ``part`` describes a subset of the rows of ``whole``.

    Returns
    -------
    Statistics
    """
    S = whole.sum_weights - part.sum_weights
    rest_x = (whole.sum_weights * whole.x_mean - part.sum_weights * part.x_mean) / S
    rest_y = (whole.sum_weights * whole.y_mean - part.sum_weights * part.y_mean) / S
    dx, dy = part.x_mean - rest_x, part.y_mean - rest_y
    f = S * part.sum_weights / whole.sum_weights
    return Statistics(
        S,
        whole.n_samples - part.n_samples,
        rest_x,
        rest_y,
        whole.gram - part.gram - f * np.outer(dx, dx),
        whole.xty - part.xty - f * np.outer(dx, dy),
        whole.yty - part.yty - f * np.outer(dy, dy),
    )


def sufficient_statistics(X, Y, sample_weight=None, *, n_threads=1):
    """The statistics the least-squares fits use: one read of X and Y (the compiled pass).

    The compiled statistics pass (src_c/pass_stats.c) gives the same results as
    `statistics`, its NumPy twin, to rounding: blocks of rows are centred on their own
    weighted means and merged with the update of `combine`, so columns with large means
    keep their digits; float32 data has its products summed in float32 within 64-row
    blocks and everything else in float64. Results are bitwise identical for any
    ``n_threads``.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
        float32 or float64 data (C-contiguous data is read in place; anything else is
        converted to a C-contiguous float64 copy first). A sparse X goes to
        `sparse_sufficient_statistics` (never densified).
    Y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Targets, taken in X's dtype; a 1-D Y is one target.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights, taken in X's dtype; None means unit weights.
    n_threads : int, default=1
        Threads of the pass (results do not depend on it).

    Returns
    -------
    Statistics
    """
    if sparse.issparse(X):  # from sparse products (see the section at the end)
        return sparse_sufficient_statistics(X, Y, sample_weight)
    X = np.asarray(X)
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    X = np.ascontiguousarray(X)
    Y = np.asarray(Y)
    Y = np.ascontiguousarray(Y.reshape(Y.shape[0], -1), dtype=X.dtype)
    if sample_weight is not None:
        sample_weight = np.ascontiguousarray(sample_weight, dtype=X.dtype)
    total, mean, gram = _kernels.statistics(X, Y, sample_weight, int(n_threads))
    d = X.shape[1]
    return Statistics(
        total,
        int(X.shape[0]),
        mean[:d].copy(),
        mean[d:].copy(),
        gram[:d, :d].copy(),
        gram[:d, d:].copy(),
        gram[d:, d:].copy(),
    )


# ---- sparse X: the same statistics from scipy.sparse products, X never densified ---------
#
# A sparse X cannot be centred without filling it in, so its centred products come from the
# raw ones by the rank-one correction X_c^T S X_c = X^T S X - S mu mu^T (and likewise for
# X_c^T S Y_c, with Y centred first: it is dense). The correction cancels digits in
# proportion to mu_j^2 / var_j, which for a column stored sparsely (density p, values of
# one size) is about p / (1 - p): small for the columns sparse storage is for, large only
# for nearly dense columns of large mean. What the Gram loses there the exact solves win
# back: their refinement passes (fastreg._exact) form residuals from X itself, through
# the sparse product X @ w, so the solution keeps the accuracy of the data, not the Gram's.
# All products are float64, whatever the data dtype.


def sparse_sufficient_statistics(X, Y, sample_weight=None):
    """`Statistics` of a scipy.sparse X (CSR), from sparse products, never densified.

    Parameters
    ----------
    X : scipy.sparse matrix or array of shape (n_samples, n_features)
        float32 or float64 data (any index dtype; awkward structure is read as given:
        repeated entries add up, explicit zeros count as zeros).
    Y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Targets; a 1-D Y is one target.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights s_i >= 0; None means unit weights.

    Returns
    -------
    Statistics
        The dense d x d Gram and the other products, in float64.
    """
    n, d = X.shape
    Y = np.asarray(Y, dtype=np.float64)
    Y = Y.reshape(n, -1)
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    S = float(np.sum(s))
    X64 = X.astype(np.float64) if X.dtype != np.float64 else X  # a new object: X untouched
    sX = X64.multiply(s[:, None]).tocsr()
    x_mean = np.asarray(sX.sum(axis=0), dtype=np.float64).reshape(d) / S
    y_mean = (s @ Y) / S
    Yc = Y - y_mean
    sYc = Yc * s[:, None]
    raw = (X64.T @ sX).toarray()
    gram = raw - S * np.outer(x_mean, x_mean)
    gram = 0.5 * (gram + gram.T)  # exactly symmetric (the sparse product rounds each half)
    # X_c^T v = X^T v - mu (1^T v); 1^T (S Y_c) vanishes up to rounding
    xty = np.asarray(X64.T @ sYc, dtype=np.float64) - np.outer(x_mean, sYc.sum(axis=0))
    return Statistics(S, int(n), x_mean, y_mean, gram, xty, sYc.T @ Yc)
