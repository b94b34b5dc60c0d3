# fastreg._validation: checks of estimator parameters and of sample weights, run at the
# start of fit before any data is touched, each failing with an error that names the
# parameter and the accepted values.
import numbers

import numpy as np
from sklearn.utils import check_array

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
