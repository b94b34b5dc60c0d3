# fastreg._path: regularisation paths of the elastic net, lasso_path and enet_path with
# scikit-learn's signatures and return values, and the warm-started path over a
# least-squares system that the cross-validated estimators (fastreg._cv_enet) run per fold.
#
# Design decisions:
#   a. A path is coordinate descent alpha after alpha from the previous solution (warm
#      start), on one system: the Gram matrix from the sufficient statistics (one read of
#      X for the whole path) when n_samples >= n_features, else the columns of X
#      (fastreg._enet.use_gram decides, as for Lasso and ElasticNet).
#   b. The path functions do not centre the data (scikit-learn's paths do not either):
#      the system is built with fit_intercept=False.
#   c. The grid is scikit-learn's: alpha_max = max_j |x_j^T s y| / (S l1_ratio), the
#      smallest alpha with w = 0, down to eps alpha_max in geometric steps.
import numbers
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from fastreg import _base, _enet, _kernels, _sparse_least_squares
from fastreg._cv_params import check_path_data, resolve_alphas
from fastreg._enet import LeastSquaresSystem
from fastreg._validation import (
    check_bool,
    check_fraction,
    check_gram_matrix,
    check_option,
    check_positive_float,
    check_positive_int,
    check_precompute,
    check_real_dtype,
    check_sample_weight,
)

_NOT_CONVERGED = (
    "Objective did not converge. You might want to increase the number of iterations, "
    "check the scale of the features or consider increasing regularisation."
)
_PATH_PARAMS = ("sample_weight", "tol", "max_iter", "random_state", "selection")
_IGNORED_PARAMS = ("X_offset", "X_scale", "do_screening", "n_jobs")


def alpha_grid(xty, sum_weights, l1_ratio, *, eps, n_alphas, positive):
    """scikit-learn's grid of alphas from alpha_max (all coefficients zero) down.

    Parameters
    ----------
    xty : ndarray of shape (n_features,) or (n_features, n_targets)
        ``X^T S y`` of the (centred when fitting an intercept) data.
    sum_weights : float
        S, the weight sum (n_samples without weights).
    l1_ratio : float
        Share of the L1 penalty, in (0, 1].
    eps : float
        ``alpha_min / alpha_max``.
    n_alphas : int
        Length of the grid.
    positive : bool
        Whether the coefficients are constrained to be >= 0.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        Decreasing.
    """
    if l1_ratio == 0:
        raise ValueError(
            "Automatic alpha grid generation is not supported for l1_ratio=0. Please "
            "supply a grid by providing your estimator with the appropriate `alphas=` "
            "argument."
        )
    xty = np.asarray(xty, dtype=np.float64).reshape(len(xty), -1)
    if positive:
        alpha_max = max(0.0, float(np.max(xty))) / (sum_weights * l1_ratio)
    else:
        alpha_max = np.sqrt(np.max(np.sum(xty**2, axis=1))) / (sum_weights * l1_ratio)
    resolution = np.finfo(np.float64).resolution
    if alpha_max <= resolution:
        return np.full(n_alphas, resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def solve_path(
    system,
    alphas,
    l1_ratio,
    coef_init=None,
    *,
    positive=False,
    max_iter=1000,
    tol=1e-4,
    selection="cyclic",
    random_state=None,
    n_threads=1,
    warn=True,
):
    """The warm-started elastic-net path of target 0 of ``system`` over ``alphas``.

    Parameters
    ----------
    system : fastreg._enet.LeastSquaresSystem
        The data (one target is solved: column 0).
    alphas : ndarray of shape (n_alphas,)
        The grid, in the order solved (decreasing for an efficient warm start).
    l1_ratio : float
        Share of the L1 penalty.
    coef_init : ndarray of shape (n_features,) or None, default=None
        Start point of the first alpha.
    positive : bool, default=False
        Constrain the coefficients to be >= 0.
    max_iter : int, default=1000
        Maximum sweeps per alpha.
    tol : float, default=1e-4
        scikit-learn's duality-gap tolerance.
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order.
    random_state : int, RandomState instance or None, default=None
        As in scikit-learn's path, one seed is drawn from it per alpha (for "random").
    n_threads : int, default=1
        Threads of the gap passes on columns.
    warn : bool, default=True
        Issue a ConvergenceWarning for each alpha whose solve did not converge.

    Returns
    -------
    coefs : ndarray of shape (n_features, n_alphas)
        float64 coefficients.
    dual_gaps : ndarray of shape (n_alphas,)
        scikit-learn's dual gaps.
    n_iters : list of int
        Sweeps per alpha.
    """
    rng = check_random_state(random_state)
    n_features = system.x_mean.shape[0]
    coefs = np.empty((n_features, len(alphas)))
    gaps = np.empty(len(alphas))
    n_iters = []
    coef = None if coef_init is None else np.asarray(coef_init, dtype=np.float64)
    for i, alpha in enumerate(alphas):
        seed = rng.randint(0, _enet.SEED_BOUND) if selection == "random" else 0
        solution = _enet.solve_enet(
            system,
            0,
            float(alpha),
            l1_ratio,
            coef,
            positive=positive,
            max_iter=max_iter,
            tol=tol,
            selection=selection,
            seed=seed,
            n_threads=n_threads,
        )
        if solution.status == _kernels.STATUS_INTERRUPTED:
            raise KeyboardInterrupt(f"The path was interrupted at alpha={alpha}.")
        if solution.status == _kernels.STATUS_DIVERGED or not np.all(np.isfinite(solution.coef)):
            raise ValueError(
                "Coordinate descent iterations resulted in non-finite parameter values: "
                "the computation overflows, so rescale X and y (for example with "
                "sklearn.preprocessing.StandardScaler)."
            )
        if warn and not solution.converged:
            warnings.warn(
                f"{_NOT_CONVERGED} Duality gap: {solution.gap_scaled:.6e}, tolerance: "
                f"{solution.tol_scaled:.3e} (alpha={alpha:.6g}, max_iter={max_iter})",
                ConvergenceWarning,
                stacklevel=3,
            )
        coef = solution.coef
        coefs[:, i] = coef
        gaps[i] = solution.dual_gap
        n_iters.append(int(solution.n_iter))
    return coefs, gaps, n_iters


def _path_system(X, y, sample_weight, precompute, Xy, n_threads):
    """The uncentred system of a path: a user's Gram matrix, the statistics, or columns."""
    n, d = X.shape
    Y = y.reshape(n, 1)
    if isinstance(precompute, np.ndarray):
        gram = check_gram_matrix(precompute, d)
        s = np.ones(n) if sample_weight is None else sample_weight.astype(np.float64)
        yd = y.astype(np.float64)
        if Xy is None:
            xty = np.asarray(X.T @ (s * yd))
        else:
            check_real_dtype(Xy, "Xy")
            xty = np.asarray(Xy, dtype=np.float64).reshape(d)
        return LeastSquaresSystem(
            float(np.sum(s)),
            n,
            np.zeros(d),
            np.zeros(1),
            np.array([float(s @ (yd * yd))]),
            gram=gram,
            xty=np.asarray(xty, dtype=np.float64).reshape(d, 1),
        )
    if _sparse_least_squares.is_sparse_data((X,)):
        # no column system for sparse X: its Gram, from sparse products
        return _enet.sparse_system(X, Y, sample_weight, False)
    if _enet.use_gram(precompute, n, d):
        return _enet.statistics_system(X, Y, sample_weight, False, n_threads)
    return _enet.columns_system(X, Y, sample_weight, False, n_threads)


def enet_path(
    X,
    y,
    *,
    l1_ratio=0.5,
    eps=1e-3,
    n_alphas="deprecated",
    alphas="warn",
    precompute="auto",
    Xy=None,
    copy_X=True,
    coef_init=None,
    verbose=False,
    return_n_iter=False,
    positive=False,
    check_input=True,
    **params,
):
    """Elastic-net path by warm-started coordinate descent (scikit-learn's enet_path).

    For each alpha of the grid minimises ``1/(2 S) sum_i s_i (y_i - x_i w)^2 + alpha
    l1_ratio ||w||_1 + alpha (1 - l1_ratio)/2 ||w||^2`` (no intercept: centre the data
    first), starting from the previous alpha's solution. With ``precompute="auto"`` the
    whole path runs on the Gram matrix when ``n_samples >= n_features`` (one read of X).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data (float32 data keep their dtype in ``coefs``). A scipy.sparse X
        (at most 4096 columns) is solved on its Gram matrix from sparse products, never
        densified.
    y : array-like of shape (n_samples,)
        Target values (one target: scikit-learn's 2-D y is the multi-task problem, which
        fastreg does not provide).
    l1_ratio : float, default=0.5
        Share of the L1 penalty, in [0, 1] (0 needs an explicit ``alphas`` array).
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    n_alphas : int, default="deprecated"
        Deprecated as in scikit-learn 1.9 (FutureWarning): the grid length; use ``alphas``.
    alphas : int or array-like, default="warn"
        The grid length (default 100) or the alphas themselves (solved in decreasing
        order). None is deprecated (FutureWarning) and means 100.
    precompute : "auto", bool or array-like of shape (n_features, n_features), \
default="auto"
        Work on the Gram matrix ``X^T X`` (True, or "auto" when n_samples >= n_features)
        or on the columns (False); a Gram matrix may be passed.
    Xy : array-like of shape (n_features,), default=None
        ``X^T y``, used with a precomputed Gram matrix.
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    coef_init : array-like of shape (n_features,), default=None
        Start point of the first alpha.
    verbose : bool or int, default=False
        Print one line per alpha when > 0.
    return_n_iter : bool, default=False
        Also return the sweeps per alpha.
    positive : bool, default=False
        Constrain the coefficients to be >= 0.
    check_input : bool, default=True
        Accepted for compatibility (the input is always checked).
    **params : dict
        ``sample_weight`` (weights of the objective above), ``tol`` (1e-4),
        ``max_iter`` (1000), ``random_state`` and ``selection`` ("cyclic") as for
        ElasticNet; scikit-learn's ``X_offset``, ``X_scale``, ``do_screening`` and
        fastreg's ``n_jobs`` (threads) are accepted.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas of the path.
    coefs : ndarray of shape (n_features, n_alphas)
        Coefficients along the path.
    dual_gaps : ndarray of shape (n_alphas,)
        scikit-learn's dual gap at the end of each solve.
    n_iters : list of int
        Sweeps per alpha (only when ``return_n_iter``).

    See Also
    --------
    lasso_path : the path with l1_ratio=1.
    ElasticNetCV : alpha and l1_ratio chosen by cross-validation along such paths.
    sklearn.linear_model.enet_path : scikit-learn's version, the same path.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import enet_path
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> alphas, coefs, gaps = enet_path(X, [1.0, 2.0, 3.0], alphas=3)
    >>> coefs.shape
    (2, 3)
    """
    unknown = set(params) - set(_PATH_PARAMS) - set(_IGNORED_PARAMS)
    if unknown:
        raise ValueError("Unexpected parameters in params", sorted(unknown))
    grid = resolve_alphas(n_alphas, alphas)
    l1_ratio = check_fraction(l1_ratio, "l1_ratio")
    eps = check_positive_float(eps, "eps")
    positive = check_bool(positive, "positive")
    check_bool(copy_X, "copy_X")
    check_bool(return_n_iter, "return_n_iter")
    precompute = check_precompute(precompute)
    selection = check_option(params.get("selection", "cyclic"), "selection", ("cyclic", "random"))
    tol = float(params.get("tol", 1e-4))
    if not tol >= 0:
        raise ValueError(f"tol must be a non-negative float; got {tol!r}.")
    max_iter = check_positive_int(params.get("max_iter", 1000), "max_iter")
    X, y = check_path_data(X, y)
    sample_weight = check_sample_weight(params.get("sample_weight"), X.shape[0], X.dtype)
    n_threads = _base.effective_n_threads(params.get("n_jobs"))
    with np.errstate(over="ignore", invalid="ignore"):
        system = _path_system(X, y, sample_weight, precompute, Xy, n_threads)
    if isinstance(grid, numbers.Integral):
        xty = system.xty[:, 0] if system.uses_gram else _column_xty(system)
        grid = alpha_grid(
            xty, system.sum_weights, l1_ratio, eps=eps, n_alphas=grid, positive=positive
        )
    if coef_init is not None:
        check_real_dtype(coef_init, "coef_init")
        coef_init = np.asarray(coef_init, dtype=np.float64).reshape(-1)
        if coef_init.shape != (X.shape[1],):
            raise ValueError(
                f"coef_init has shape {coef_init.shape}; it must have one entry per feature "
                f"({X.shape[1]})."
            )
    coefs, gaps, n_iters = solve_path(
        system,
        grid,
        l1_ratio,
        coef_init,
        positive=positive,
        max_iter=max_iter,
        tol=tol,
        selection=selection,
        random_state=params.get("random_state"),
        n_threads=n_threads,
    )
    if verbose:
        for i, alpha in enumerate(grid):
            print(f"Path: {i:03d} out of {len(grid):03d}, alpha={alpha:.6g}, sweeps={n_iters[i]}")
    coefs = coefs.astype(X.dtype)
    if return_n_iter:
        return grid, coefs, gaps, n_iters
    return grid, coefs, gaps


def lasso_path(
    X,
    y,
    *,
    eps=1e-3,
    n_alphas="deprecated",
    alphas="warn",
    precompute="auto",
    Xy=None,
    copy_X=True,
    coef_init=None,
    verbose=False,
    return_n_iter=False,
    positive=False,
    **params,
):
    """Lasso path by warm-started coordinate descent (scikit-learn's lasso_path).

    `enet_path` with ``l1_ratio=1``: for each alpha minimises ``1/(2 S) sum_i s_i (y_i -
    x_i w)^2 + alpha ||w||_1`` (no intercept).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data; a scipy.sparse X as for `enet_path`.
    y : array-like of shape (n_samples,)
        Target values.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    n_alphas : int, default="deprecated"
        Deprecated: the grid length; use ``alphas``.
    alphas : int or array-like, default="warn"
        The grid length (default 100) or the alphas.
    precompute : "auto", bool or array-like, default="auto"
        As in `enet_path`.
    Xy : array-like of shape (n_features,), default=None
        ``X^T y`` with a precomputed Gram matrix.
    copy_X : bool, default=True
        Accepted for compatibility.
    coef_init : array-like of shape (n_features,), default=None
        Start point of the first alpha.
    verbose : bool or int, default=False
        Print one line per alpha when > 0.
    return_n_iter : bool, default=False
        Also return the sweeps per alpha.
    positive : bool, default=False
        Constrain the coefficients to be >= 0.
    **params : dict
        As in `enet_path`.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas of the path.
    coefs : ndarray of shape (n_features, n_alphas)
        Coefficients along the path.
    dual_gaps : ndarray of shape (n_alphas,)
        scikit-learn's dual gaps.
    n_iters : list of int
        Sweeps per alpha (only when ``return_n_iter``).

    See Also
    --------
    enet_path : the elastic-net path.
    LassoCV : alpha chosen by cross-validation along such paths.
    sklearn.linear_model.lasso_path : scikit-learn's version, the same path.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import lasso_path
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> alphas, coefs, gaps = lasso_path(X, [1.0, 2.0, 3.0], alphas=[1.0, 0.1])
    >>> alphas.tolist()
    [1.0, 0.1]
    """
    return enet_path(
        X,
        y,
        l1_ratio=1.0,
        eps=eps,
        n_alphas=n_alphas,
        alphas=alphas,
        precompute=precompute,
        Xy=Xy,
        copy_X=copy_X,
        coef_init=coef_init,
        verbose=verbose,
        return_n_iter=return_n_iter,
        positive=positive,
        **params,
    )


def _column_xty(system):
    """``X^T S y`` of a column system (one pass over X)."""
    y = system.Y[:, 0].astype(np.float64) - system.y_mean[0]
    if system.sample_weight is not None:
        y = y * system.sample_weight
    return system.X.T @ y - system.x_mean * np.sum(y)
