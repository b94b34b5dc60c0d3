# fastreg._cv_folds: cross-validation folds of least squares from the sufficient
# statistics, what LassoCV, ElasticNetCV and RidgeCV(cv=...) share.
#
# Design decisions:
#   a. When the folds partition the rows (KFold and its kin: the test sets are disjoint,
#      cover every row, and each training set is the complement of its test set), each
#      held-out fold's statistics are computed once (one read of X in all) and the whole
#      data's are their combination; a training fold's are the whole minus its held-out
#      fold (fastreg._statistics.subtract). Other splitters get each fold's statistics
#      from its own rows.
#   b. A contiguous test fold (KFold without shuffling) is read as a slice: no copy.
#   c. The held-out squared error of any (w, b) is a quadratic form in the held-out
#      statistics, so scoring a whole path costs O(d^2) per alpha and no pass over X.
import dataclasses

import numpy as np
from scipy import sparse

from fastreg._statistics import combine, subtract, sufficient_statistics


@dataclasses.dataclass(frozen=True)
class FoldStatistics:
    """The statistics of every fold and of the whole data.

    Parameters
    ----------
    whole : fastreg._statistics.Statistics
        All rows.
    train, test : list of Statistics
        Per fold, the training and the held-out rows.
    """

    whole: object
    train: list
    test: list


def _rows(array, index):
    """``array[index]``, as a view when ``index`` is one increasing run of rows."""
    if array is None:
        return None
    index = np.asarray(index)
    if index.size and index[-1] - index[0] + 1 == index.size and np.all(np.diff(index) == 1):
        return array[int(index[0]) : int(index[-1]) + 1]
    return array[index]


def _is_partition(folds, n_samples):
    """Whether the test sets are disjoint, cover every row, and trains are complements."""
    covered = np.zeros(n_samples, dtype=np.int64)
    for train, test in folds:
        test = np.asarray(test)
        train = np.asarray(train)
        if test.size + train.size != n_samples:
            return False
        in_test = np.zeros(n_samples, dtype=bool)
        in_test[test] = True
        if np.any(in_test[train]) or np.count_nonzero(in_test) != test.size:
            return False
        covered[test] += 1
    return bool(np.all(covered == 1))


def statistics_of_rows(X, Y, sample_weight, index, n_threads):
    """Statistics of the rows ``index`` of (X, Y, s).

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
        Float data (a sparse X stays sparse).
    Y : ndarray of shape (n_samples, n_targets)
        Targets in X's dtype.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights.
    index : array-like of int
        The rows.
    n_threads : int
        Threads of the statistics pass.

    Returns
    -------
    fastreg._statistics.Statistics
    """
    rows = _rows(X, index)
    return sufficient_statistics(
        rows if sparse.issparse(rows) else np.ascontiguousarray(rows),
        _rows(Y, index),
        _rows(sample_weight, index),
        n_threads=n_threads,
    )


def fold_statistics(X, Y, sample_weight, folds, n_threads):
    """The statistics of each fold's training and held-out rows, and of all rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Dense float data.
    Y : ndarray of shape (n_samples, n_targets)
        Targets in X's dtype.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights.
    folds : list of (train, test)
        Index arrays, as a scikit-learn splitter yields them.
    n_threads : int
        Threads of the statistics passes.

    Returns
    -------
    FoldStatistics
    """
    n = X.shape[0]
    test = [statistics_of_rows(X, Y, sample_weight, te, n_threads) for _, te in folds]
    if _is_partition(folds, n):
        whole = test[0]
        for part in test[1:]:
            whole = combine(whole, part)
        train = [subtract(whole, part) for part in test]
    else:
        whole = sufficient_statistics(
            X if sparse.issparse(X) else np.ascontiguousarray(X),
            Y,
            sample_weight,
            n_threads=n_threads,
        )
        train = [statistics_of_rows(X, Y, sample_weight, tr, n_threads) for tr, _ in folds]
    return FoldStatistics(whole, train, test)


def held_out_squared_error(test, coefs, intercepts, target=0):
    """Weighted mean squared error of the models ``(coefs[:, a], intercepts[a])`` on rows.

    With the rows' statistics (means mu_x, mu_y, centred Gram G, cross product c, yty)
    and delta = mu_y - mu_x w - b: ``sum_i s_i r_i^2 = yty - 2 w^T c + w^T G w + S
    delta^2``, divided by S.

    Parameters
    ----------
    test : fastreg._statistics.Statistics
        Statistics of the held-out rows.
    coefs : ndarray of shape (n_features, n_models)
        Coefficients.
    intercepts : ndarray of shape (n_models,)
        Intercepts.
    target : int, default=0
        Which column of Y.

    Returns
    -------
    mse : ndarray of shape (n_models,)
    """
    coefs = np.asarray(coefs, dtype=np.float64)
    delta = test.y_mean[target] - test.x_mean @ coefs - intercepts
    quadratic = np.einsum("jm,jm->m", coefs, test.gram @ coefs)
    sse = test.yty[target, target] - 2.0 * (test.xty[:, target] @ coefs) + quadratic
    sse = sse + test.sum_weights * delta**2
    return np.maximum(sse, 0.0) / test.sum_weights
