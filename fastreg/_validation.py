# fastreg._validation: checks of estimator parameters and of sample weights, run at the
# start of fit before any data is touched, each failing with an error that names the
# parameter and the accepted values.
import numbers

import numpy as np
from sklearn.utils import check_array, check_scalar


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
    check_scalar(value, name, numbers.Real, min_val=0.0)
    value = float(value)
    if np.isnan(value) or (np.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
    return value


def check_positive_float(value, name, *, allow_inf=False):
    """Check a real parameter that must be > 0 (and finite unless ``allow_inf``).

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
    value = check_nonnegative_float(value, name, allow_inf=allow_inf)
    if value <= 0.0:
        raise ValueError(f"{name} must be > 0, got {value!r}.")
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
    check_scalar(value, name, numbers.Real, min_val=0.0, max_val=1.0)
    value = float(value)
    if np.isnan(value):
        raise ValueError(f"{name} must be in [0, 1], got nan.")
    return value


def check_positive_int(value, name):
    """Check an integer parameter that must be >= 1.

    Parameters
    ----------
    value : object
        The parameter value (a bool is rejected).
    name : str
        The parameter's name, used in the error message.

    Returns
    -------
    value : int
        The value as a Python int.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int >= 1, got {value!r}.")
    check_scalar(value, name, numbers.Integral, min_val=1)
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
    if isinstance(value, bool):
        return int(value)
    check_scalar(value, "verbose", numbers.Integral, min_val=0)
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
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n_samples, sample_weight, dtype=np.float64)
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
    sample_weight = np.ascontiguousarray(sample_weight, dtype=dtype)
    if not np.any(sample_weight > 0):
        raise ValueError("sample_weight must not be all zero: at least one sample needs weight.")
    if not np.isfinite(np.sum(sample_weight, dtype=np.float64)):
        raise ValueError("sample_weight is too large: its sum overflows.")
    return sample_weight
