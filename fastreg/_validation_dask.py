# fastreg._validation_dask: the input checks of fits and predictions on Dask collections
# (the part of fastreg._validation that needs dask). What the client can tell from the
# collections' metadata (dtypes, shapes, feature names, parameters) is checked before
# any work; what needs the values (finiteness, weights, labels) is computed on the
# workers by the block functions here, in the driver's first passes, and turned into the
# same errors the in-memory checks raise.
#
# Design decisions:
#   a. X becomes a dask array of row blocks: one chunk across the columns (the kernels
#      read whole rows), row chunks of known size (a DataFrame's partition lengths are
#      computed once), and y and the weights cut at the same rows, so that block i of
#      each describes the same samples.
#   b. dtypes follow the in-memory rules: float32 and float64 are kept, other real
#      dtypes become float64 lazily; complex, string and object data are refused.
#   c. Feature names come from a DataFrame's columns, through scikit-learn's own checks
#      run on an empty frame with those columns (no data is read for them).
import numbers
import warnings

import numpy as np
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from fastreg._validation import check_real_dtype, check_sample_weight


def _as_dask_array(values, name):
    """A dask DataFrame, Series or array as a dask array with known chunk sizes."""
    if hasattr(values, "to_dask_array"):  # dask DataFrame or Series
        return values.to_dask_array(lengths=True)
    if any(np.isnan(size) for sizes in values.chunks for size in sizes):
        return values.compute_chunk_sizes()
    return values


def _feature_frame(X):
    """Something scikit-learn reads the feature count and names from without data."""
    columns = getattr(X, "columns", None)
    if columns is None:
        return X
    import pandas as pd

    return pd.DataFrame(columns=columns)


def _real_dask_array(X, name):
    check_real_dtype(X, name)
    if X.dtype == object:
        raise TypeError(
            f"{name} has dtype object; fastreg fits real numbers only: convert it first "
            f"(for example {name}.astype(float))."
        )
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    return X


def check_dask_features(estimator, X, *, reset):
    """Check a Dask X's metadata and return it as float row blocks (decision a).

    Parameters
    ----------
    estimator : BaseEstimator
        Sets (``reset``) or checks ``n_features_in_`` and ``feature_names_in_``.
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        The data.
    reset : bool
        True at fit, False at predict.

    Returns
    -------
    X : dask array of shape (n_samples, n_features)
        float32 or float64, one chunk across the columns, known row chunks.
    """
    validate_data(estimator, _feature_frame(X), skip_check_array=True, reset=reset)
    X = _as_dask_array(X, "X")
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2-D dask array or DataFrame for X, got {X.ndim} dimension(s); "
            "reshape it to (n_samples, n_features)."
        )
    n_samples, n_features = X.shape
    if n_samples == 0 or n_features == 0:
        raise ValueError(
            f"Found array with shape {X.shape}: fitting and predicting need at least one "
            "sample and one feature."
        )
    X = _real_dask_array(X, "X")
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    return X


def align_with_rows(values, X, name):
    """``values`` (y or weights) as a 1-D dask array cut at X's row chunks.

    Parameters
    ----------
    values : dask array, dask Series or array-like of shape (n_samples,)
        A column vector (n_samples, 1) is accepted with scikit-learn's warning.
    X : dask array
        The rows (only its first axis is used).
    name : str
        The input's name, for messages.

    Returns
    -------
    values : dask array of shape (n_samples,)
    """
    import dask.array as da

    if hasattr(values, "to_dask_array") or hasattr(values, "__dask_graph__"):
        values = _as_dask_array(values, name)
    else:
        values = np.asarray(values)
        values = da.from_array(values, chunks=(X.chunks[0], *values.shape[1:]))
    if values.ndim == 2 and values.shape[1] == 1:
        warnings.warn(
            f"A column-vector {name} was passed when a 1d array was expected. Please "
            "change the shape of y to (n_samples,), for example using ravel().",
            DataConversionWarning,
            stacklevel=4,
        )
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D of shape (n_samples,); got shape {values.shape}. fastreg "
            "fits one target at a time on Dask collections."
        )
    if values.shape[0] != X.shape[0]:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: X has "
            f"{X.shape[0]} rows and {name} has {values.shape[0]}."
        )
    if values.chunks[0] != X.chunks[0]:
        values = values.rechunk({0: X.chunks[0]})
    return values


def check_dask_fit_data(estimator, X, y, sample_weight, *, y_numeric):
    """The metadata checks of a fit on Dask collections.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator being fitted (its feature count and names are set).
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        Training data.
    y : dask array, dask Series or array-like of shape (n_samples,)
        Targets.
    sample_weight : dask array, array-like, float or None
        Weights; their values are checked on the workers (`block_weight_facts`).
    y_numeric : bool
        Whether y must be numeric (regression).

    Returns
    -------
    X : dask array of shape (n_samples, n_features)
        See `check_dask_features`.
    y : dask array of shape (n_samples,)
        Cut at X's row chunks (regression: in X's dtype).
    sample_weight : dask array of shape (n_samples,) or None
        In X's dtype, cut at X's row chunks; None means unit weights.
    """
    import dask.array as da

    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y is None."
        )
    X = check_dask_features(estimator, X, reset=True)
    y = align_with_rows(y, X, "y")
    if y_numeric:
        y = _real_dask_array(y, "y").astype(X.dtype)
    if sample_weight is None:
        return X, y, None
    if isinstance(sample_weight, numbers.Number):
        check_sample_weight(sample_weight, 1, X.dtype)  # a scalar: its value checked here
        sample_weight = da.full(X.shape[0], sample_weight, chunks=(X.chunks[0],), dtype=X.dtype)
        return X, y, sample_weight
    sample_weight = align_with_rows(sample_weight, X, "sample_weight")
    return X, y, _real_dask_array(sample_weight, "sample_weight").astype(X.dtype)


def block_weight_facts(sample_weight):
    """What the weight checks need from one block: [any < 0, any > 0, sum, all finite].

    Parameters
    ----------
    sample_weight : ndarray of shape (n_block,) or None
        The block's weights.

    Returns
    -------
    facts : ndarray of shape (4,)
        float64.
    """
    if sample_weight is None:
        return np.array([0.0, 1.0, 0.0, 1.0])
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array(
            [
                float(np.any(sample_weight < 0)),
                float(np.any(sample_weight > 0)),
                float(np.sum(sample_weight, dtype=np.float64)),
                float(np.all(np.isfinite(sample_weight))),
            ]
        )


def check_weight_facts(facts, dtype):
    """Raise check_sample_weight's errors from the blocks' `block_weight_facts`.

    Parameters
    ----------
    facts : sequence of ndarray of shape (4,)
        Per block, in block order.
    dtype : numpy dtype
        The data's dtype.
    """
    facts = np.asarray(facts, dtype=np.float64).reshape(-1, 4)
    if not np.all(facts[:, 3]):
        raise ValueError("Input sample_weight contains NaN or infinity; pass finite weights.")
    if np.any(facts[:, 0]):
        raise ValueError("sample_weight must be >= 0; negative weights are not supported.")
    if not np.any(facts[:, 1]):
        raise ValueError("sample_weight must not be all zero: at least one sample needs weight.")
    with np.errstate(over="ignore"):
        total = np.sum(facts[:, 2])
    if not np.isfinite(total):
        raise ValueError(
            f"sample_weight is too large for {np.dtype(dtype).name}: the weights or their sum "
            "overflow; divide the weights by a constant (the minimiser does not change)."
        )


def block_all_finite(values):
    """1.0 when every entry of the block is finite, else 0.0.

    Parameters
    ----------
    values : ndarray
        A block of X or y.

    Returns
    -------
    finite : float
    """
    return float(np.all(np.isfinite(values)))


def check_finite_blocks(flags, name, dtype):
    """Raise scikit-learn's error for non-finite input when a block had any.

    Parameters
    ----------
    flags : sequence of float
        `block_all_finite` of each block.
    name : str
        "X" or "y".
    dtype : numpy dtype
        The input's dtype, for the message.
    """
    if not all(flags):
        raise ValueError(
            f"Input {name} contains NaN or infinity (or a value too large for "
            f"{np.dtype(dtype)!r}); fastreg needs finite values: drop or impute them first."
        )


def block_label_counts(y, sample_weight):
    """One block's distinct labels, their counts and their weight sums.

    Parameters
    ----------
    y : ndarray of shape (n_block,)
        Labels of any type.
    sample_weight : ndarray of shape (n_block,) or None
        The block's weights.

    Returns
    -------
    labels : ndarray of shape (n_labels,)
        Sorted distinct labels.
    counts : ndarray of shape (n_labels,)
        Rows per label.
    weights : ndarray of shape (n_labels,)
        Weight per label (the counts for unit weights), float64.
    """
    labels, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    if sample_weight is None:
        return labels, counts, counts.astype(np.float64)
    weights = np.bincount(inverse.reshape(-1), weights=sample_weight, minlength=len(labels))
    return labels, counts, weights


def check_dask_class_labels(name, label_counts, class_weight, weighted):
    """encode_class_labels's checks from the blocks' `block_label_counts`.

    Parameters
    ----------
    name : str
        The estimator's name, for messages.
    label_counts : sequence of tuple
        `block_label_counts` of each block, in block order.
    class_weight : None, "balanced" or dict
        Checked class weights.
    weighted : bool
        Whether sample weights were passed.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        The sorted distinct labels (at least two).
    per_class : ndarray of shape (n_classes,) or None
        The class weights, None without ``class_weight``.
    """
    labels = np.concatenate([np.asarray(block[0]) for block in label_counts])
    check_classification_targets(labels)
    classes = np.unique(labels)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{name} needs samples of at least 2 classes in the data, but the data "
            f"contains only one class: {classes[0]!r}."
        )
    counts = np.zeros(classes.shape[0], dtype=np.float64)
    weights = np.zeros(classes.shape[0], dtype=np.float64)
    for block_labels, block_counts, block_weights in label_counts:
        index = np.searchsorted(classes, block_labels)
        np.add.at(counts, index, block_counts)
        np.add.at(weights, index, block_weights)
    per_class = None
    if class_weight is not None:
        if isinstance(class_weight, str):  # "balanced": scikit-learn's n / (K count)
            per_class = counts.sum() / (classes.shape[0] * counts)
        else:
            per_class = compute_class_weight(class_weight, classes=classes, y=classes)
        if np.any(per_class < 0) or not np.all(np.isfinite(per_class)):
            raise ValueError("class_weight values must be finite and >= 0.")
        weights = weights * per_class
    if (weighted or class_weight is not None) and np.count_nonzero(weights > 0) < 2:
        raise ValueError(
            f"{name} needs at least 2 classes with positive weight, but after "
            "sample_weight and class_weight only one class has any weight."
        )
    return classes, per_class


def block_class_index(y, classes, dtype):
    """Each label's index in ``classes``, in the data's dtype (the kernels' targets).

    Parameters
    ----------
    y : ndarray of shape (n_block,)
        Labels, all in ``classes``.
    classes : ndarray of shape (n_classes,)
        Sorted labels.
    dtype : numpy dtype
        The data's dtype.

    Returns
    -------
    y_index : ndarray of shape (n_block,)
    """
    return np.searchsorted(classes, y).astype(dtype)


def block_class_weights(y_index, sample_weight, per_class, dtype):
    """Sample weights times the class weights, as encode_class_labels forms them.

    Parameters
    ----------
    y_index : ndarray of shape (n_block,)
        Class indices (`block_class_index`).
    sample_weight : ndarray of shape (n_block,) or None
        The block's weights.
    per_class : ndarray of shape (n_classes,)
        Class weights.
    dtype : numpy dtype
        The data's dtype.

    Returns
    -------
    sample_weight : ndarray of shape (n_block,)
    """
    base = 1.0 if sample_weight is None else sample_weight
    return np.ascontiguousarray(base * per_class[y_index.astype(np.intp)], dtype=dtype)
