# fastreg._validation_params: the checks of estimator parameters, run at the start of fit
# before any data is touched: each names the parameter, says what was wrong and what to
# pass instead. fastreg._validation re-exports them with the data checks.
import numbers

import numpy as np

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
