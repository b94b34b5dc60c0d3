# fastreg._cv_params: the parameter and data checks of the regularisation paths and the
# cross-validated elastic nets (what fastreg._validation holds for the other estimators).
import numbers
import warnings

import numpy as np

from fastreg import _sparse_least_squares
from fastreg._validation import check_positive_int, check_real_dtype, check_regression_targets
from fastreg._validation_sparse import check_sparse_structure, is_sparse


def resolve_alphas(n_alphas, alphas):
    """scikit-learn 1.9's reading of the path functions' ``n_alphas`` (deprecated) and
    ``alphas``: the grid length or the sorted grid, with its FutureWarnings."""
    count = 100
    if not (isinstance(n_alphas, str) and n_alphas == "deprecated"):
        warnings.warn(
            "'n_alphas' was deprecated in 1.9 and will be removed in 1.11. 'alphas' now "
            "accepts an integer value which removes the need to pass 'n_alphas'. The "
            "default value of 'alphas' will change from None to 100 in 1.11. Pass an "
            "explicit value to 'alphas' and leave 'n_alphas' to its default value to "
            "silence this warning.",
            FutureWarning,
            stacklevel=4,
        )
        count = check_positive_int(n_alphas, "n_alphas")
    if isinstance(alphas, str) and alphas == "warn":
        return count
    if alphas is None:
        warnings.warn(
            "'alphas=None' is deprecated and will be removed in 1.11, at which point the "
            "default value will be set to 100. Set 'alphas=100' to silence this warning.",
            FutureWarning,
            stacklevel=4,
        )
        return count
    return check_alphas_param(alphas)


def check_alphas_param(alphas):
    """``alphas`` of a path or CV estimator: a grid length (int >= 1) or an array.

    Parameters
    ----------
    alphas : int or array-like of shape (n_alphas,)
        The parameter value.

    Returns
    -------
    int or ndarray of shape (n_alphas,)
        The length, or the grid sorted in decreasing order (float64).
    """
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, (bool, np.bool_)):
        return check_positive_int(alphas, "alphas")
    if isinstance(alphas, (str, bool, np.bool_)) or np.ndim(alphas) != 1:
        raise ValueError(
            "alphas must be a positive int (the number of alphas on the grid) or a 1-D "
            f"array-like of non-negative floats; got {alphas!r}."
        )
    # Entry by entry, with scikit-learn's messages ("alphas[1] == -1, must be >= 0.0."),
    # so that a string among numbers is a TypeError, not silently converted.
    for i, value in enumerate(alphas):
        if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
            raise TypeError(
                f"alphas[{i}] must be an instance of float, not {type(value).__name__}."
            )
        if not np.isfinite(value):
            raise ValueError(f"alphas[{i}] == {value}, must be a finite float.")
        if value < 0:
            raise ValueError(f"alphas[{i}] == {value}, must be >= 0.0.")
    grid = np.asarray(alphas, dtype=np.float64)
    if grid.size == 0:
        raise ValueError("alphas must be a non-empty array of non-negative floats; got [].")
    return np.sort(grid)[::-1]


def check_path_data(X, y):
    """A float X (dense, or sparse as CSR) and a 1-D y, as the path functions take them.

    A sparse X is solved on its Gram (from sparse products, never densified), so it may
    have at most fastreg._sparse_least_squares.SPARSE_GRAM_MAX_FEATURES columns.
    """
    check_real_dtype(X, "X")
    if is_sparse(X):
        X = check_sparse_structure(X, "X")
        values = X.data
    else:
        X = np.asarray(X)
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        values = X
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must be a non-empty 2-D array; got shape {X.shape}.")
    if not np.all(np.isfinite(values)):
        raise ValueError("Input X contains NaN or infinity; remove or impute them first.")
    check_sparse_gram_fits(
        X,
        "fastreg's paths solve it on its Gram matrix",
        "Fit Lasso or ElasticNet per alpha instead (they take wider sparse X by FISTA).",
    )
    check_real_dtype(y, "y")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(
            f"y has shape {y.shape}: fastreg's paths take one target (scikit-learn's 2-D "
            "y is the multi-task elastic net, which fastreg does not provide)."
        )
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but y has {y.shape[0]}; they must match.")
    y = check_regression_targets(y, X.dtype)
    if not np.all(np.isfinite(y)):
        raise ValueError("Input y contains NaN or infinity.")
    return X, y


def check_sparse_gram_fits(
    X,
    how="the cross-validated least-squares estimators solve each fold from its Gram matrix",
    instead="Select features first, or cross-validate fastreg.Ridge / fastreg.Lasso with "
    "GridSearchCV.",
):
    """Reject a sparse X too wide for the fits that solve it on d x d Gram matrices.

    The cross-validated least-squares estimators (the statistics of each fold) and the
    paths do; past fastreg._sparse_least_squares.SPARSE_GRAM_MAX_FEATURES columns those
    Gram matrices would outweigh an X whose size is its stored entries. ``how`` says who
    solves it that way, ``instead`` what to do.
    """
    if is_sparse(X) and not _sparse_least_squares.gram_fits(X.shape[1]):
        limit = _sparse_least_squares.SPARSE_GRAM_MAX_FEATURES
        raise ValueError(
            f"X is sparse with {X.shape[1]} columns; {how} ({X.shape[1]} x {X.shape[1]}), "
            f"which is built for sparse X of at most {limit} columns only. {instead}"
        )
