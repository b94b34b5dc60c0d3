# fastreg._dask_predict: predictions and scores on Dask collections. Each prediction
# method is the in-memory one mapped over X's row blocks, lazily: the result is a dask
# array with X's row chunks, computed where the blocks are. score reduces per-block sums
# in block order and returns a number, as scikit-learn's score does.
import copy

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from fastreg._validation_dask import align_with_rows, check_dask_features


def _block_method(X, estimator, method):
    return getattr(estimator, method)(X)


def _for_blocks(estimator):
    """A shallow copy that predicts on unnamed NumPy blocks without a feature-name warning
    (the names were checked on the collection)."""
    local = copy.copy(estimator)
    local.__dict__.pop("feature_names_in_", None)
    return local


def predict_method(estimator, method, X):
    """``estimator.<method>(X)`` on a Dask collection, as a lazy dask array.

    Parameters
    ----------
    estimator : fitted fastreg estimator
        The model.
    method : str
        "predict", "predict_proba", "predict_log_proba" or "decision_function".
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        Samples.

    Returns
    -------
    result : dask array
        The method's result with X's row chunks (1-D or 2-D as in memory).
    """
    check_is_fitted(estimator, "coef_")
    X = check_dask_features(estimator, X, reset=False)
    local = _for_blocks(estimator)
    sample = np.asarray(getattr(local, method)(np.zeros((1, X.shape[1]), dtype=X.dtype)))
    meta = np.empty((0, *sample.shape[1:]), dtype=sample.dtype)
    if sample.ndim == 1:
        return X.map_blocks(
            _block_method, local, method, drop_axis=1, dtype=sample.dtype, meta=meta
        )
    chunks = (X.chunks[0], (sample.shape[1],))
    return X.map_blocks(_block_method, local, method, chunks=chunks, dtype=sample.dtype, meta=meta)


def _block_accuracy(y_pred, y, sample_weight):
    s = np.ones(y.shape[0]) if sample_weight is None else sample_weight.astype(np.float64)
    return np.array([s @ (y_pred == y), s.sum()])


def _block_r2_terms(y_pred, y, sample_weight):
    # [S, S mean, residual sum of squares, the block's own centred sum of squares]
    y = y.astype(np.float64)
    s = np.ones(y.shape[0]) if sample_weight is None else sample_weight.astype(np.float64)
    S = s.sum()
    mean = (s @ y) / S if S > 0 else 0.0
    residual = y - y_pred
    return np.array([S, S * mean, s @ (residual * residual), s @ np.square(y - mean)])


def _r2_from_blocks(parts):
    # Chan et al.'s combination of the blocks' centred sums, in block order.
    S = sum(part[0] for part in parts)
    mean = sum(part[1] for part in parts) / S
    numerator = sum(part[2] for part in parts)
    denominator = sum(
        part[3] + part[0] * (part[1] / part[0] - mean) ** 2 for part in parts if part[0] > 0
    )
    if denominator == 0.0:  # scikit-learn's r2_score with force_finite
        return 1.0 if numerator == 0.0 else 0.0
    return float(1.0 - numerator / denominator)


def score(estimator, X, y, sample_weight=None):
    """Accuracy (classifiers) or R^2 (regressors) on Dask collections, as a float.

    Parameters
    ----------
    estimator : fitted fastreg estimator
        The model.
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        Samples.
    y : dask array, dask Series or array-like of shape (n_samples,)
        True labels or values.
    sample_weight : dask array, array-like or None, default=None
        Weights.

    Returns
    -------
    score : float
        What scikit-learn's score returns for the same data.
    """
    import dask

    y_pred = predict_method(estimator, "predict", X)
    y = align_with_rows(y, y_pred, "y")
    weights = [None] * len(y_pred.chunks[0])
    if sample_weight is not None:
        weights = list(align_with_rows(sample_weight, y_pred, "sample_weight").to_delayed())
    block = _block_accuracy if is_classifier(estimator) else _block_r2_terms
    task = dask.delayed(block, pure=True)
    parts = dask.compute(
        *[
            task(p, t, s)
            for p, t, s in zip(y_pred.to_delayed(), y.to_delayed(), weights, strict=True)
        ]
    )
    if is_classifier(estimator):
        hits, total = np.sum(np.asarray(parts), axis=0)
        return float(hits / total)
    return _r2_from_blocks([np.asarray(part) for part in parts])


def call(estimator, method, X, *args, **kwargs):
    """The Dask version of ``estimator.<method>`` (fastreg._base.dask_routed).

    Parameters
    ----------
    estimator : fitted fastreg estimator
        The model.
    method : str
        A prediction method or "score".
    X : dask array or dask DataFrame
        Samples.
    *args, **kwargs
        The method's further arguments (score: y and sample_weight).

    Returns
    -------
    result : dask array or float
    """
    if method == "score":
        return score(estimator, X, *args, **kwargs)
    return predict_method(estimator, method, X, *args, **kwargs)
