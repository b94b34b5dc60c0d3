# fastreg._validation: every input check of fastreg, in one place: estimator parameters
# (run at the start of fit before any data is touched), the data X and y, sample
# weights and class labels (the structure of scipy.sparse input: its part
# fastreg._validation_sparse). Each failure is an error that names the input and says
# what was wrong and what to do.
import numbers
import sys

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from fastreg._validation_sparse import check_sparse_structure, is_sparse

_INT64_MAX = 2**63 - 1


def _real_scalar(value, name, requirement):
    """``value`` as a float, or a TypeError naming ``name`` and ``requirement``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be {requirement}; got {value!r} of type {type(value).__name__}."
        )
    return float(value)


def check_nonnegative_float(value, name, *, allow_inf=False):
    """Check a real parameter that must be >= 0 (and finite unless ``allow_inf``).

    Parameters
    ----------
    value : object
        The parameter value.
    name : str
        The parameter's name, used in the error message.
    allow_inf : bool, default=False
        Whether ``+inf`` is accepted.

    Returns
    -------
    value : float
        The value as a Python float.
    """
    requirement = "a number >= 0 (numpy.inf allowed)" if allow_inf else "a finite number >= 0"
    value = _real_scalar(value, name, requirement)
    if np.isnan(value) or value < 0 or (np.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be {requirement}; got {value!r}.")
    return value


def check_positive_float(value, name, *, allow_inf=False, hint=""):
    """Check a real parameter that must be > 0 (and finite unless ``allow_inf``).

    Parameters
    ----------
    value : object
        The parameter value.
    name : str
        The parameter's name, used in the error message.
    allow_inf : bool, default=False
        Whether ``+inf`` is accepted.
    hint : str, default=""
        Appended to the error message (what the accepted values mean).

    Returns
    -------
    value : float
        The value as a Python float.
    """
    requirement = "a number > 0 (numpy.inf allowed)" if allow_inf else "a finite number > 0"
    value = _real_scalar(value, name, requirement + hint)
    if np.isnan(value) or value <= 0 or (np.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be {requirement}{hint}; got {value!r}.")
    return value


def check_alphas(value, name="alpha"):
    """Check a penalty strength that may be one number or one per target.

    Parameters
    ----------
    value : object
        A number >= 0, or a 1-D array-like of finite numbers >= 0.
    name : str, default="alpha"
        The parameter's name, used in the error message.

    Returns
    -------
    alphas : ndarray of shape (n_values,)
        float64 values (one entry for a scalar).
    """
    if np.ndim(value) == 0:
        return np.array([check_nonnegative_float(value, name)])
    values = np.asarray(value)
    if values.ndim != 1 or values.size == 0 or values.dtype.kind not in "iuf":
        raise ValueError(
            f"{name} must be a number >= 0 or a 1-D array of them (one per target); got {value!r}."
        )
    values = values.astype(np.float64)
    if not np.all(np.isfinite(values) & (values >= 0)):
        raise ValueError(f"{name} must hold finite numbers >= 0; got {value!r}.")
    return values


def check_fraction(value, name):
    """Check a real parameter in the closed interval [0, 1].

    Parameters
    ----------
    value : object
        The parameter value.
    name : str
        The parameter's name, used in the error message.

    Returns
    -------
    value : float
        The value as a Python float.
    """
    value = _real_scalar(value, name, "a number in [0, 1]")
    if not 0.0 <= value <= 1.0:  # also rejects NaN
        raise ValueError(f"{name} must be a number in [0, 1]; got {value!r}.")
    return value


def check_positive_int(value, name):
    """Check an integer parameter that must be >= 1.

    Parameters
    ----------
    value : object
        The parameter value (a bool or a float such as 10.0 is rejected).
    name : str
        The parameter's name, used in the error message.

    Returns
    -------
    value : int
        The value as a Python int.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an int >= 1; got {value!r} of type {type(value).__name__}."
        )
    if value < 1:
        raise ValueError(f"{name} must be an int >= 1; got {value!r}.")
    if value > _INT64_MAX:
        raise ValueError(f"{name} must be an int <= {_INT64_MAX}; got {value!r}.")
    return int(value)


def check_option(value, name, options):
    """Check a parameter that must be one of a few strings.

    Parameters
    ----------
    value : object
        The parameter value.
    name : str
        The parameter's name, used in the error message.
    options : sequence of str
        The accepted values.

    Returns
    -------
    value : str
        The value.
    """
    if not isinstance(value, str) or value not in options:
        accepted = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {accepted}; got {value!r}.")
    return value


def check_learning_rate(value):
    """Check ``learning_rate``: ``"auto"`` or a finite float > 0.

    Parameters
    ----------
    value : object
        The parameter value.

    Returns
    -------
    step : float
        The step on the averaged objective, or 0.0 for ``"auto"`` (the solver's own
        choice).
    """
    if isinstance(value, str):
        if value != "auto":
            raise ValueError(f"learning_rate must be 'auto' or a float > 0; got {value!r}.")
        return 0.0
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"learning_rate must be 'auto' or a float > 0; got {value!r}.")
    return check_positive_float(value, "learning_rate")


def check_verbose(value):
    """Check ``verbose``: a bool or an int >= 0.

    Parameters
    ----------
    value : object
        The parameter value.

    Returns
    -------
    verbose : int
        The verbosity level.
    """
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if not isinstance(value, numbers.Integral):
        raise TypeError(f"verbose must be an int >= 0 or a bool; got {value!r}.")
    if value < 0:
        raise ValueError(f"verbose must be an int >= 0 or a bool; got {value!r}.")
    return int(value)


def check_n_jobs(value):
    """Check ``n_jobs``: None or a nonzero int.

    Parameters
    ----------
    value : object
        The parameter value.

    Returns
    -------
    n_jobs : int or None
        The value.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"n_jobs must be None or a nonzero int; got {value!r}.")
    if value == 0:
        raise ValueError("n_jobs must be None or a nonzero int; got 0.")
    return int(value)


def check_bool(value, name):
    """Check a parameter that must be a bool.

    Parameters
    ----------
    value : object
        The parameter value (NumPy bools are accepted).
    name : str
        The parameter's name, used in the error message.

    Returns
    -------
    value : bool
        The value.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}.")
    return bool(value)


def check_class_weight(value):
    """Check ``class_weight``: None, ``"balanced"`` or a dict of finite weights >= 0.

    The dict's keys are checked against the classes once y is known (by
    ``sklearn.utils.class_weight.compute_class_weight``).

    Parameters
    ----------
    value : object
        The parameter value.

    Returns
    -------
    value : None, str or dict
        The value, unchanged.
    """
    if value is None or (isinstance(value, str) and value == "balanced"):
        return value
    if not isinstance(value, dict):
        raise ValueError(
            f"class_weight must be None, 'balanced' or a dict {{class label: weight}}; "
            f"got {value!r}."
        )
    for label, weight in value.items():
        if isinstance(weight, (bool, np.bool_)) or not isinstance(weight, numbers.Real):
            raise TypeError(
                f"class_weight[{label!r}] must be a number >= 0; got {weight!r} of type "
                f"{type(weight).__name__}."
            )
        if not (np.isfinite(weight) and weight >= 0):
            raise ValueError(
                f"class_weight[{label!r}] must be a finite number >= 0; got {weight!r}."
            )
    return value


def check_random_state_param(value):
    """Check ``random_state``: None, an int or a ``numpy.random.RandomState``.

    Parameters
    ----------
    value : object
        The parameter value.

    Returns
    -------
    value : object
        The value, unchanged.
    """
    if value is None or isinstance(value, np.random.RandomState):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"random_state must be None, an int or a RandomState; got {value!r}.")
    return value


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
            f"sample_weight must be 1-D of shape (n_samples,); got shape {sample_weight.shape}."
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


def check_common_params(estimator, solvers, default_max_iter=None):
    """Validate the parameters every estimator has; return them as a dict.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator whose parameters are checked.
    solvers : sequence of str
        The values its ``solver`` parameter accepts.
    default_max_iter : int or None, default=None
        When given, ``max_iter=None`` (scikit-learn's Ridge default) means this value.

    Returns
    -------
    params : dict
        ``fit_intercept``, ``solver``, ``learning_rate`` (0.0 for "auto"), ``max_iter``,
        ``tol``, ``warm_start``, ``random_state``, ``verbose`` and ``n_jobs``.
    """
    return {
        "fit_intercept": check_bool(estimator.fit_intercept, "fit_intercept"),
        "solver": check_option(estimator.solver, "solver", solvers),
        "learning_rate": check_learning_rate(estimator.learning_rate),
        "max_iter": check_positive_int(
            default_max_iter
            if estimator.max_iter is None and default_max_iter is not None
            else estimator.max_iter,
            "max_iter",
        ),
        "tol": check_nonnegative_float(estimator.tol, "tol"),
        "warm_start": check_bool(estimator.warm_start, "warm_start"),
        "random_state": check_random_state_param(estimator.random_state),
        "verbose": check_verbose(estimator.verbose),
        "n_jobs": check_n_jobs(estimator.n_jobs),
    }


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
