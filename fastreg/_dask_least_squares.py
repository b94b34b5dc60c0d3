# fastreg._dask_least_squares: least squares on Dask collections. LinearRegression, Ridge
# and PolynomialRegression take one map-reduce of the sufficient statistics (the compiled
# statistics pass on every block, combined in block order) and the exact solve of
# fastreg._exact on the client; Lasso and ElasticNet take the same statistics and the
# coordinate descent of fastreg._enet on the Gram matrix. The in-memory fits' own
# checks, penalty mapping, solvers and warnings are used throughout.
#
# Design decisions:
#   a. DaskRows is the data fastreg._exact asks for when the Gram alone is not enough:
#      a refinement step's residual products (one more pass) and, for the stable solve
#      on the data, R of the QR factorisation of the weighted centred [X | y] (each
#      block's R, then the stacked Rs factored again, in block order): the solutions
#      of least squares and of the SVD on R are those on the data, and the client never
#      holds more than a (d + 1)-square triangle per block.
#   b. Iterative least squares (solver "lbfgs", "gd", "fista" and the names mapped to
#      them) hands DaskData to the compiled solver, as in memory; PolynomialRegression
#      fits Dask collections by the exact solves only (its iterative fit standardises
#      its own copy of the design matrix, which a cluster does not hold).
#   c. Lasso and ElasticNet run coordinate descent on the Gram matrix of the statistics
#      (the in-memory default whenever n_samples >= n_features), whatever `precompute`
#      says: the columns of X are not on the client.
import warnings

import numpy as np
from sklearn.base import clone

from fastreg import _base, _kernels
from fastreg._dask_passes import DaskData, kernel_array
from fastreg._enet import gram_system
from fastreg._enet_fit import _check_finite_system
from fastreg._exact import (
    _residual_products,
    _weighted_centred_copy,
    solve_least_squares,
    solve_nonnegative,
    squared_objective_from_statistics,
)
from fastreg._problem import Penalty, Problem, SolverOptions
from fastreg._validation import check_bool, check_option, check_precompute
from fastreg._validation_dask import check_dask_fit_data


class BlockDesign:
    """The estimator's design matrix of a block (polynomial features), as a picklable map.

    Parameters
    ----------
    estimator : fastreg regressor
        Its ``_design_matrix`` maps a block.
    attributes : dict
        The fitted attributes ``_design_matrix`` needs (``poly_features_``).
    """

    def __init__(self, estimator, attributes):
        self.estimator = clone(estimator)
        for name, value in attributes.items():
            setattr(self.estimator, name, value)

    def __call__(self, X):
        """The design matrix of the block ``X``.

        Parameters
        ----------
        X : ndarray of shape (n_block, n_features)
            A block of rows.

        Returns
        -------
        design : ndarray of shape (n_block, n_design_features)
        """
        return self.estimator._design_matrix(X, fitting=False)[0]


def _block_data(X, y, sample_weight, design):
    if design is not None:
        X = design(X)
    X = kernel_array(X)
    Y = kernel_array(np.reshape(y, (X.shape[0], -1)), X.dtype)
    s = None if sample_weight is None else kernel_array(sample_weight, X.dtype)
    return X, Y, s


def block_residual_products(X, y, sample_weight, design, coef, x_mean, y_mean, fit_intercept,
                            n_threads=1):  # fmt: skip
    """One block's ``X_c^T S r_c`` (n_features, n_targets), as fastreg._exact forms it.

    Parameters
    ----------
    X, y, sample_weight : ndarray
        The block's rows, targets and weights (or None).
    design : callable or None
        Maps the block to the design matrix.
    coef : ndarray of shape (n_targets, n_features)
        The coefficients of the residual.
    x_mean, y_mean : ndarray
        The means the rows and targets are centred by.
    fit_intercept : bool
        Whether they are centred.
    n_threads : int, default=1
        Unused (the products are NumPy's).

    Returns
    -------
    products : ndarray of shape (n_features, n_targets)
    """
    data = _block_data(X, y, sample_weight, design)
    return _residual_products(data, coef, x_mean, y_mean, fit_intercept)


def block_centred_factor(X, y, sample_weight, design, statistics, fit_intercept, n_threads=1):
    """R of the QR factorisation of one block's weighted centred ``[X | y]``.

    Parameters
    ----------
    X, y, sample_weight : ndarray
        The block's rows, targets and weights (or None).
    design : callable or None
        Maps the block to the design matrix.
    statistics : fastreg._statistics.Statistics
        The whole data's statistics (its means centre the block).
    fit_intercept : bool
        Whether the block is centred.
    n_threads : int, default=1
        Unused.

    Returns
    -------
    R : ndarray of shape (min(n_block, n_features + n_targets), n_features + n_targets)
    """
    A, B = _weighted_centred_copy(_block_data(X, y, sample_weight, design), statistics,
                                  fit_intercept)  # fmt: skip
    return np.linalg.qr(np.hstack([A, B]), mode="r")


def _sum_in_order(*parts):
    total = np.array(parts[0], dtype=np.float64)
    for part in parts[1:]:
        total += part
    return total


def _stacked_factor(*parts):
    return np.linalg.qr(np.vstack(parts), mode="r")


class DaskRows:
    """The rows of a Dask fit as fastreg._exact reads them (decision a).

    Parameters
    ----------
    data : DaskData
        The persisted blocks, targets and weights (one target).
    design : callable or None
        Maps a block to the design matrix.
    n_features : int
        Columns of the design matrix.
    """

    def __init__(self, data, design, n_features):
        self.data = data
        self.design = design
        self.n_features = n_features

    def of_targets(self, targets):
        """These rows with the given targets (a Dask fit has one: itself).

        Parameters
        ----------
        targets : ndarray of int
            Target indices, ``[0]``.

        Returns
        -------
        DaskRows
        """
        if list(np.ravel(targets)) != [0]:
            raise ValueError(f"a Dask fit has one target, not the targets {targets}")
        return self

    def residual_products(self, coef, x_mean, y_mean, fit_intercept):
        """``X_c^T S r_c`` over every block, summed in block order (one pass).

        Parameters
        ----------
        coef : ndarray of shape (1, n_features)
            Coefficients.
        x_mean, y_mean : ndarray
            The centring means.
        fit_intercept : bool
            Whether the data are centred.

        Returns
        -------
        products : ndarray of shape (n_features, 1)
        """
        arguments = (self.design, coef, x_mean, y_mean, fit_intercept)
        size = self.n_features * coef.shape[0]
        return self.data.map_reduce(block_residual_products, arguments, _sum_in_order, size)

    def weighted_centred_factor(self, statistics, fit_intercept):
        """R of the weighted centred ``[X | y]`` of every block (one pass).

        Parameters
        ----------
        statistics : fastreg._statistics.Statistics
            The data's statistics.
        fit_intercept : bool
            Whether the data are centred.

        Returns
        -------
        R : ndarray of shape (k, n_features + 1)
            Upper triangular, ``k <= n_features + 1``.
        """
        width = self.n_features + statistics.n_targets
        arguments = (self.design, statistics, fit_intercept)
        return self.data.map_reduce(
            block_centred_factor, arguments, _stacked_factor, width * width
        )


def _probe_design(estimator, X):
    """The design map of the blocks (None: the rows) and the fitted design attributes."""
    probe = np.zeros((1, X.shape[1]), dtype=X.dtype)
    design_of_probe, attributes = estimator._design_matrix(probe, fitting=True)
    design = None if design_of_probe is probe else BlockDesign(estimator, attributes)
    return design, design_of_probe.shape[1], attributes


def fit_least_squares(estimator, X, y, sample_weight):
    """Fit LinearRegression, Ridge or PolynomialRegression on Dask collections.

    Parameters
    ----------
    estimator : fastreg regressor
        The estimator being fitted (its fitted attributes are set).
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        Training data.
    y : dask array, dask Series or array-like of shape (n_samples,)
        Targets.
    sample_weight : dask array, array-like, float or None
        Weights.

    Returns
    -------
    estimator : object
    """
    name = type(estimator).__name__
    params = estimator._check_common_params()
    penalty = estimator._check_penalty_params()
    positive = check_bool(getattr(estimator, "positive", False), "positive")
    if hasattr(estimator, "copy_X"):
        check_bool(estimator.copy_X, "copy_X")
    X, y, sample_weight = check_dask_fit_data(estimator, X, y, sample_weight, y_numeric=True)
    estimator._check_solver_support(params["solver"], positive, params["fit_intercept"], False)
    design, width, attributes = _probe_design(estimator, X)
    data = DaskData(X, y, sample_weight, check_y=True)
    total_weight = data.summarise()[1]
    penalties = estimator._target_penalties(total_weight, 1, penalty)
    method = estimator._resolve_method(params["solver"], penalties, positive)
    if method in ("exact", "data"):
        coef, intercept, curve, solver_used = _exact_fit(
            name, data, design, width, params, penalties, positive, method
        )
        n_iter = 1
    elif design is not None:
        raise NotImplementedError(
            f"{name} fits Dask collections by the exact solves only: use solver='auto', "
            f"'cholesky', 'svd' or 'lstsq' (got solver={params['solver']!r})."
        )
    else:
        l2, l1, scale = penalties[0]
        options = SolverOptions(
            solver=method,
            penalty=Penalty(l2, l1, positive),
            fit_intercept=params["fit_intercept"],
            learning_rate=params["learning_rate"],
            max_iter=params["max_iter"],
            tol=params["tol"],
            n_threads=1,  # the passes run on the workers, with the workers' threads
        )
        coef0, intercept0 = estimator._start_point(
            1, X.shape[1], params["fit_intercept"], params["warm_start"]
        )
        coef, intercept, curve, n_iter = _base.run_solver(
            estimator,
            Problem(_kernels.LOSS_SQUARED, data, None),
            options,
            scale=scale,
            coef_init=coef0,
            intercept_init=intercept0,
            verbose=params["verbose"],
        )
        solver_used = method
    for key, value in attributes.items():
        setattr(estimator, key, value)
    estimator.coef_ = coef[0].astype(X.dtype)
    estimator.intercept_ = X.dtype.type(intercept[0])
    estimator.n_iter_ = int(n_iter)
    estimator.loss_curve_ = curve
    estimator._record_solver(params["solver"], solver_used, positive, False)
    return estimator


def _exact_fit(name, data, design, width, params, penalties, positive, method):
    """The exact solve of fastreg._exact on the map-reduced statistics."""
    fit_intercept = params["fit_intercept"]
    alphas = np.array([l2 * scale / 2.0 for l2, _, scale in penalties])
    stats = data.statistics(design, width)
    rows = DaskRows(data, design, width)
    with np.errstate(all="ignore"):  # overflow is reported below, as in memory
        solution = None
        if np.all(np.isfinite(stats.x_mean)) and np.all(np.isfinite(stats.y_mean)):
            if positive:
                solution = solve_nonnegative(
                    stats, alphas, fit_intercept=fit_intercept, data=rows,
                    dtype=data.dtype, stable=method == "data",
                )  # fmt: skip
            else:
                solution = solve_least_squares(
                    stats, alphas, fit_intercept=fit_intercept, data=rows, dtype=data.dtype,
                    method="lstsq" if method == "data" else "auto",
                )  # fmt: skip
        if solution is not None:
            objectives = squared_objective_from_statistics(
                stats, solution.coef, solution.intercept, alphas, fit_intercept
            )
    finite = solution is not None and all(
        np.all(np.isfinite(v)) for v in (solution.coef, solution.intercept, objectives)
    )
    if not finite:
        raise ValueError(
            f"{name}: the least-squares solution or its objective is not finite: the "
            f"data's values (or their squares) overflow {data.dtype}; rescale X and y "
            "(for example with sklearn.preprocessing.StandardScaler)."
        )
    return solution.coef, solution.intercept, np.array([objectives[0]]), solution.method


def fit_elastic_net(estimator, X, y, sample_weight):
    """Fit Lasso or ElasticNet on Dask collections: statistics, then coordinate descent.

    Parameters
    ----------
    estimator : fastreg Lasso or ElasticNet
        The estimator being fitted (its fitted attributes are set).
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        Training data.
    y : dask array, dask Series or array-like of shape (n_samples,)
        Targets.
    sample_weight : dask array, array-like, float or None
        Weights.

    Returns
    -------
    estimator : object
    """
    name = type(estimator).__name__
    params = estimator._check_common_params()
    alpha, l1_ratio = estimator._penalty_params()
    precompute = check_precompute(estimator.precompute)
    check_bool(estimator.copy_X, "copy_X")
    positive = check_bool(estimator.positive, "positive")
    selection = check_option(estimator.selection, "selection", ("cyclic", "random"))
    if params["solver"] not in ("auto", "cd"):
        raise NotImplementedError(
            f"{name} fits Dask collections by coordinate descent on the statistics: use "
            f"solver='auto' or 'cd' (got solver={params['solver']!r})."
        )
    if isinstance(precompute, np.ndarray):
        raise ValueError(
            f"{name} computes the Gram matrix of Dask collections on the cluster: leave "
            "precompute='auto' (or True/False) instead of passing a Gram matrix."
        )
    if alpha == 0:
        warnings.warn(
            "With alpha=0, this algorithm does not converge well. You are advised to "
            "use the LinearRegression estimator",
            UserWarning,
            stacklevel=5,
        )
    X, y, sample_weight = check_dask_fit_data(estimator, X, y, sample_weight, y_numeric=True)
    data = DaskData(X, y, sample_weight, check_y=True)
    data.summarise()  # the value checks (finiteness, weights), as in memory
    with np.errstate(over="ignore", invalid="ignore"):  # reported just below
        system = gram_system(data.statistics(), params["fit_intercept"])
    _check_finite_system(system, name)
    coef0, _ = estimator._start_point(1, X.shape[1], params["fit_intercept"], params["warm_start"])
    settings = dict(params, alpha=alpha, l1_ratio=l1_ratio, positive=positive)
    n_threads = _base.effective_n_threads(params["n_jobs"])
    fits = estimator._fit_coordinate_descent(system, coef0, settings, selection, n_threads)
    estimator._store(fits, X.dtype, 1, params["fit_intercept"])
    return estimator
