# fastreg._validation: every input check of fastreg, in one place: estimator parameters
# (run at the start of fit before any data is touched; they live in
# fastreg._validation_params and are re-exported here), the data X and y, sample weights
# and class labels (the structure of scipy.sparse input: its part
# fastreg._validation_sparse; the classifiers' fast path for plain arrays:
# fastreg._validation_fast). Each failure is an error that names the input and says what
# was wrong and what to do.
import numbers
import sys

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from fastreg._validation_params import (  # noqa: F401 - re-exported: every check in one place
    check_alphas,
    check_bool,
    check_class_weight,
    check_common_params,
    check_fraction,
    check_learning_rate,
    check_n_jobs,
    check_nonnegative_float,
    check_option,
    check_positive_float,
    check_positive_int,
    check_random_state_param,
    check_verbose,
)
from fastreg._validation_sparse import check_sparse_structure, is_sparse


def check_real_dtype(array, name):
    """Reject complex and non-numeric arrays with an error naming ``name``.

    Object arrays pass (their elements may be numbers; the conversion to float decides).

    Parameters
    ----------
    array : array-like
        The input (anything with a ``dtype``, or a sequence).
    name : str
        The input's name, used in the error message.
    """
    dtype = getattr(array, "dtype", None)
    if dtype is None or not isinstance(dtype, np.dtype):
        return
    if dtype.kind == "c":
        raise ValueError(
            f"Complex data not supported: {name} has dtype {dtype}; fastreg fits real numbers "
            f"only (pass {name}.real if the imaginary parts are zero)."
        )
    if dtype.kind in "USVMm":
        raise TypeError(
            f"{name} must hold real numbers, but it has dtype {dtype}; encode non-numeric "
            "values as numbers first (for example with sklearn.preprocessing.OneHotEncoder "
            "for features)."
        )


def check_sample_weight(sample_weight, n_samples, dtype):
    """Validate sample weights: finite, >= 0, not all zero, one per sample.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,), float or None
        The weights; a scalar means the same weight for every sample.
    n_samples : int
        The number of rows of X.
    dtype : numpy dtype
        The dtype of X, which the weights take.

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,) or None
        C-contiguous weights of dtype ``dtype``, or None for unit weights.
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number) and not isinstance(sample_weight, numbers.Real):
        raise ValueError(f"Complex data not supported: sample_weight is {sample_weight!r}.")
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n_samples, sample_weight, dtype=np.float64)
    check_real_dtype(sample_weight, "sample_weight")
    with np.errstate(over="ignore", invalid="ignore"):  # sklearn's finiteness pre-check sums
        sample_weight = check_array(
            sample_weight,
            ensure_2d=False,
            dtype=[np.float64, np.float32],
            order="C",
            input_name="sample_weight",
        )
    if sample_weight.ndim != 1:
        raise ValueError(
            "Sample weights must be 1D array or scalar: sample_weight must be of shape "
            f"(n_samples,); got shape {sample_weight.shape}."
        )
    if sample_weight.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight has {sample_weight.shape[0]} entries but X has {n_samples} "
            "samples; pass one weight per sample."
        )
    if np.any(sample_weight < 0):
        raise ValueError("sample_weight must be >= 0; negative weights are not supported.")
    with np.errstate(over="ignore"):  # an overflow is reported by the sum check below
        sample_weight = np.ascontiguousarray(sample_weight, dtype=dtype)
    if not np.any(sample_weight > 0):
        raise ValueError("sample_weight must not be all zero: at least one sample needs weight.")
    with np.errstate(over="ignore"):
        total = np.sum(sample_weight, dtype=np.float64)
    if not np.isfinite(total):
        raise ValueError(
            f"sample_weight is too large for {np.dtype(dtype).name}: the weights or their sum "
            "overflow; divide the weights by a constant (the minimiser does not change)."
        )
    return sample_weight


def _is_conversion_error(exc):
    """Whether ``exc`` is NumPy failing to turn non-numeric values into floats."""
    text = str(exc)
    return "could not convert" in text or "argument must be a string or a" in text


def _first_non_numeric(named_arrays):
    """Name of the first input that cannot be converted to float64 (or 'X')."""
    for name, array in named_arrays:
        if array is None:
            continue
        try:
            np.asarray(array, dtype=np.float64)
        except (TypeError, ValueError):
            return name
    return named_arrays[0][0]


def validate_data_real(
    estimator,
    X,
    y="no_validation",
    *,
    reset=True,
    y_numeric=False,
    order="C",
    multi_output=False,
    accept_sparse=False,
):
    """``validate_data`` to C-contiguous float32/float64, with clearer errors.

    Complex and non-numeric inputs get an error naming the input and what to do; the
    overflow warnings NumPy emits while scikit-learn sums huge finite values to test
    finiteness are silenced (the values are accepted and handled by the solver). With
    ``accept_sparse``, a scipy.sparse X of any format is checked and converted once to
    CSR by `check_sparse_structure` (never densified, the caller's object untouched).

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator (``n_features_in_`` and ``feature_names_in_`` are set or checked).
    X : array-like of shape (n_samples, n_features)
        The data.
    y : array-like of shape (n_samples,), optional
        The targets; omitted at predict time.
    reset : bool, default=True
        True at fit, False at predict.
    y_numeric : bool, default=False
        Whether y must be numeric (regression).
    order : {"C", None}, default="C"
        Memory layout to enforce (dense X).
    multi_output : bool, default=False
        Whether y may be 2-D (n_samples, n_targets).
    accept_sparse : bool, default=False
        Whether a scipy.sparse X is accepted (as CSR); otherwise it raises scikit-learn's
        TypeError asking for dense data.

    Returns
    -------
    X or (X, y)
        The validated data.
    """
    check_real_dtype(X, "X")
    if accept_sparse and is_sparse(X):
        X = check_sparse_structure(X, "X")
    named = [("X", X)]
    if y_numeric:
        check_real_dtype(y, "y")
        named.append(("y", y))
    check_params = {"dtype": [np.float64, np.float32], "order": order}
    if accept_sparse:
        check_params["accept_sparse"] = "csr"
    if y_numeric:
        check_params["y_numeric"] = True
    if multi_output:
        check_params["multi_output"] = True
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            return validate_data(estimator, X, y, reset=reset, **check_params)
    except (TypeError, ValueError) as exc:
        if not _is_conversion_error(exc):
            raise
        name = _first_non_numeric(named)
        raise type(exc)(
            f"{name} must hold real numbers, but some of its values cannot be converted "
            f"to float ({exc}); encode non-numeric values as numbers first (for example "
            "with sklearn.preprocessing.OneHotEncoder for features)."
        ) from exc


def check_regression_targets(y, dtype):
    """Regression targets as C-contiguous ``dtype``, rejecting values it cannot hold.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Validated numeric targets.
    dtype : numpy dtype
        The data's dtype.

    Returns
    -------
    y : ndarray of shape (n_samples,)
    """
    with np.errstate(over="ignore"):  # an overflow is reported just below
        y = np.ascontiguousarray(y, dtype=dtype)
    if not np.all(np.isfinite(y)):
        raise ValueError(
            f"y has values too large for the data's dtype {dtype}; rescale y or pass float64 data."
        )
    return y


def encode_class_labels(name, y, sample_weight, class_weight, dtype):
    """Class labels as indices; checked sample weights times the class weights.

    Parameters
    ----------
    name : str
        The estimator's name, for messages.
    y : ndarray of shape (n_samples,)
        Labels of any type.
    sample_weight : array-like of shape (n_samples,), float or None
        The sample weights as passed to fit (checked here by `check_sample_weight`).
    class_weight : None, "balanced" or dict
        Checked class weights (see `check_class_weight`).
    dtype : numpy dtype
        The data's dtype, which the weights take.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        The sorted distinct labels (at least two).
    y_index : ndarray of shape (n_samples,)
        Each label's index in ``classes``.
    sample_weight : ndarray of shape (n_samples,) or None
        The weights times the class weights.
    """
    check_classification_targets(y)
    classes, y_index = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{name} needs samples of at least 2 classes in the data, but the data "
            f"contains only one class: {classes[0]!r}."
        )
    sample_weight = check_sample_weight(sample_weight, y.shape[0], dtype)
    if class_weight is not None:
        per_class = compute_class_weight(class_weight, classes=classes, y=y)
        if np.any(per_class < 0) or not np.all(np.isfinite(per_class)):
            raise ValueError("class_weight values must be finite and >= 0.")
        base = 1.0 if sample_weight is None else sample_weight
        sample_weight = np.ascontiguousarray(base * per_class[y_index], dtype=dtype)
    if sample_weight is not None:
        class_totals = np.bincount(y_index, weights=sample_weight, minlength=len(classes))
        if np.count_nonzero(class_totals > 0) < 2:
            raise ValueError(
                f"{name} needs at least 2 classes with positive weight, but after "
                "sample_weight and class_weight only one class has any weight."
            )
    return classes, y_index, sample_weight


# ---- coordinate-descent parameters (Lasso, ElasticNet) ---------------------------------


def check_precompute(value):
    """Check ``precompute``: True, False, ``"auto"`` or a Gram matrix.

    Parameters
    ----------
    value : object
        The parameter value.

    Returns
    -------
    precompute : bool, str or ndarray
        The value, with an array-like turned into a float64 ndarray (its shape is
        checked against the data by `check_gram_matrix`).
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        if value != "auto":
            raise ValueError(
                f"Precompute should be one of True, False, 'auto' or array-like. Got {value!r}"
            )
        return value
    if not hasattr(value, "__array__") and not isinstance(value, (list, tuple)):
        raise TypeError(
            "precompute must be True, False, 'auto' or a Gram matrix (array-like of shape "
            f"(n_features, n_features)); got {value!r} of type {type(value).__name__}."
        )
    check_real_dtype(value, "precompute")
    gram = np.asarray(value)
    # a float32 Gram matrix keeps its dtype until checked: its tolerance is float32's
    return gram if gram.dtype in (np.float32, np.float64) else gram.astype(np.float64)


def check_gram_matrix(gram, n_features):
    """Check a Gram matrix passed as ``precompute`` against the data's width.

    Parameters
    ----------
    gram : ndarray
        The float array from `check_precompute`.
    n_features : int
        Columns of X.

    Returns
    -------
    gram : ndarray of shape (n_features, n_features)
        C-contiguous float64 and finite.
    """
    if gram.shape != (n_features, n_features):
        raise ValueError(
            f"The Gram matrix passed as precompute has shape {gram.shape}, but X has "
            f"{n_features} features; pass X.T @ X of shape ({n_features}, {n_features})."
        )
    if not np.all(np.isfinite(gram)):
        raise ValueError("The Gram matrix passed as precompute contains NaN or infinity.")
    return np.ascontiguousarray(gram, dtype=np.float64)


def check_unvalidated_input(X, y):
    """The few cheap checks of X and y that remain when ``check_input=False``.

    Parameters
    ----------
    X : object
        Must be a 2-D float32 or float64 ndarray.
    y : object
        Converted to X's dtype; 1-D or 2-D with X's number of rows.

    Returns
    -------
    X, y : ndarray
    """
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.dtype not in (np.float32, np.float64):
        raise ValueError(
            "With check_input=False, X must be a 2-D float32 or float64 ndarray; got "
            f"{type(X).__name__}{getattr(X, 'shape', '')} of dtype {getattr(X, 'dtype', None)}. "
            "Pass check_input=True to convert it."
        )
    y = np.asarray(y, dtype=X.dtype)
    if y.ndim not in (1, 2) or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y has shape {y.shape} for X of shape {X.shape}; y must have one row per sample."
        )
    return X, y


# ---- Dask collections (their checks: fastreg._validation_dask) -------------------------


def is_dask_collection(value):
    """Whether ``value`` is a Dask collection (a dask array, DataFrame or Series).

    Dask is never imported here: a value can only be a Dask collection when dask is.

    Parameters
    ----------
    value : object
        An input of fit, predict or score.

    Returns
    -------
    is_dask : bool
    """
    dask = sys.modules.get("dask")
    return dask is not None and dask.is_dask_collection(value)
