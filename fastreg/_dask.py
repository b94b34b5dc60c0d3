# fastreg._dask: fitting on Dask collections, the entry point fastreg._base routes to
# when X is a dask array or DataFrame. The estimator says, through the same methods its
# in-memory fit uses (parameter checks, penalty mapping, start point, design matrix),
# what to minimise; this module runs it where the data are (fastreg._dask_passes) and
# stores the same fitted attributes. Predictions on Dask input: fastreg._dask_predict.
#
# Design decisions:
#   a. Iterative fits (logistic and softmax regression; least squares with an iterative
#      solver) hand DaskData to the compiled solver through fastreg._base.run_solver:
#      the same solver, objective, start point, tolerance and warnings as in memory.
#   b. Least squares with the exact solve (solver "auto" or "lstsq" of LinearRegression,
#      Ridge and PolynomialRegression) is one map-reduce of the sufficient statistics and
#      the solve on them on the client; `solve_on_statistics` is the one place that knows
#      how an estimator solves on statistics.
#   c. Labels are encoded on the workers: one pass over y and the weights gives the
#      classes, their counts and the weight checks; the class indices and the class
#      weights are then block functions of y (fastreg._validation_dask).
import functools

import numpy as np
import scipy.linalg
from sklearn.base import clone, is_classifier

from fastreg import _kernels
from fastreg._base import resolve_solver, run_solver
from fastreg._dask_passes import DaskData
from fastreg._problem import Penalty, Problem, SolverOptions
from fastreg._validation import check_class_weight
from fastreg._validation_dask import (
    block_class_index,
    block_class_weights,
    block_label_counts,
    block_weight_facts,
    check_dask_class_labels,
    check_dask_fit_data,
    check_weight_facts,
)


def fit(estimator, X, y, sample_weight):
    """Fit ``estimator`` on Dask collections (its fitted attributes are set).

    Parameters
    ----------
    estimator : fastreg estimator
        The estimator being fitted.
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        Training data.
    y : dask array, dask Series or array-like of shape (n_samples,)
        Targets.
    sample_weight : dask array, array-like, float or None
        Weights.

    Returns
    -------
    estimator : object
        The fitted estimator.
    """
    if is_classifier(estimator):
        return _fit_classifier(estimator, X, y, sample_weight)
    return _fit_regressor(estimator, X, y, sample_weight)


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


def _iterative_options(estimator, params, penalty):
    return SolverOptions(
        solver=resolve_solver(params["solver"], penalty, type(estimator).__name__),
        penalty=penalty,
        fit_intercept=params["fit_intercept"],
        learning_rate=params["learning_rate"],
        max_iter=params["max_iter"],
        tol=params["tol"],
        n_threads=1,  # the passes run on the workers; fastreg._dask_passes, decision d
    )


def _fit_regressor(estimator, X, y, sample_weight):
    import dask

    params = estimator._check_common_params()
    penalty_params = estimator._check_penalty_params()
    X, y, sample_weight = check_dask_fit_data(estimator, X, y, sample_weight, y_numeric=True)
    probe = np.zeros((1, X.shape[1]), dtype=X.dtype)
    design_of_probe, attributes = estimator._design_matrix(probe, fitting=True)
    design = None if design_of_probe is probe else BlockDesign(estimator, attributes)
    X, y, sample_weight = dask.persist(X, y, sample_weight)
    data = DaskData(X, y, sample_weight, check_y=True)
    total_weight = data.summarise()[1]
    l2, l1, scale = estimator._averaged_penalty(total_weight, **penalty_params)
    solution = solve_on_statistics(estimator, params, data, design, design_of_probe, l2, l1)
    if solution is not None:
        coef, intercept, objective = solution
        loss_curve, n_iter = np.array([scale * objective]), 1
    elif design is not None:
        raise NotImplementedError(
            f"{type(estimator).__name__} fits Dask collections by the exact solve only: "
            f"use solver='auto' or 'lstsq' (got solver={params['solver']!r})."
        )
    else:
        coef0, intercept0 = estimator._start_point(
            1, X.shape[1], params["fit_intercept"], params["warm_start"]
        )
        coef, intercept, loss_curve, n_iter = run_solver(
            estimator,
            Problem(_kernels.LOSS_SQUARED, data, None),
            _iterative_options(estimator, params, Penalty(l2, l1)),
            scale=scale,
            coef_init=coef0,
            intercept_init=intercept0,
            verbose=params["verbose"],
        )
    for name, value in attributes.items():
        setattr(estimator, name, value)
    estimator.coef_ = coef[0].astype(X.dtype)
    estimator.intercept_ = X.dtype.type(intercept[0])
    estimator.n_iter_ = n_iter
    estimator.loss_curve_ = loss_curve
    return estimator


def solve_on_statistics(estimator, params, data, design, design_of_probe, l2, l1):
    """The solve the in-memory estimator does on the sufficient statistics, or None.

    The one place that knows which estimators solve least squares exactly, and how:
    LinearRegression, Ridge and PolynomialRegression with solver "auto" or "lstsq"
    (a Cholesky factorisation of the penalised Gram matrix). Any other estimator or
    solver iterates with the fused pass (None is returned).

    Parameters
    ----------
    estimator : fastreg regressor
        The estimator being fitted.
    params : dict
        Its checked common parameters.
    data : DaskData
        The rows, targets and weights.
    design : callable or None
        The block map to the design matrix (None: the rows themselves).
    design_of_probe : ndarray of shape (1, n_design_features)
        The design of one row (its width).
    l2, l1 : float
        The penalty of the averaged objective G.

    Returns
    -------
    solution : tuple or None
        ``(coef (1, p), intercept (1,), G at the solution)``.
    """
    if "lstsq" not in estimator._solvers or params["solver"] not in ("auto", "lstsq") or l1 > 0:
        return None
    statistics = data.statistics(design, design_of_probe.shape[1])
    return _ridge_on_statistics(statistics, l2, params["fit_intercept"])


def _ridge_on_statistics(statistics, l2, fit_intercept):
    # G = (1/S) sum s r^2 / 2 + l2/2 ||w||^2 is minimal where (gram + S l2 I) w = xty,
    # with the centred statistics when the intercept is fitted (b = mu_y - mu_x w) and
    # the raw ones otherwise. The system is scaled to a unit diagonal before Cholesky
    # (columns of very different scales); a singular system (collinear columns, no
    # penalty) gets the minimum-norm solution, as numpy.linalg.lstsq gives.
    S = statistics.sum_weights
    if fit_intercept:
        gram, xty, yty = statistics.gram, statistics.xty[:, 0], statistics.yty[0, 0]
    else:
        gram, xty, yty = statistics.uncentred()
        xty, yty = xty[:, 0], yty[0, 0]
    system = gram + (S * l2) * np.eye(gram.shape[0])
    diagonal = np.diag(system)
    try:
        if not np.all(diagonal > 0):
            raise np.linalg.LinAlgError("a column without variance")
        scale = 1.0 / np.sqrt(diagonal)
        factor = scipy.linalg.cho_factor(system * np.outer(scale, scale))
        pivots = np.abs(np.diag(factor[0]))
        if pivots.min() <= np.sqrt(np.finfo(np.float64).eps) * pivots.max():
            raise np.linalg.LinAlgError("numerically singular")
        coef = scale * scipy.linalg.cho_solve(factor, scale * xty)
    except np.linalg.LinAlgError:
        coef = np.linalg.lstsq(system, xty, rcond=None)[0]
    intercept = statistics.y_mean[0] - statistics.x_mean @ coef if fit_intercept else 0.0
    residual = max(yty - 2.0 * coef @ xty + coef @ gram @ coef, 0.0)
    objective = residual / (2.0 * S) + 0.5 * l2 * (coef @ coef)
    return coef.reshape(1, -1), np.array([intercept]), objective


def _label_pass(y, sample_weight):
    import dask

    y_blocks = list(y.to_delayed().ravel())
    s_blocks = [None] * len(y_blocks)
    if sample_weight is not None:
        s_blocks = list(sample_weight.to_delayed().ravel())
    counts = dask.delayed(block_label_counts, pure=True)
    facts = dask.delayed(block_weight_facts, pure=True)
    parts = [(counts(y_b, s_b), facts(s_b)) for y_b, s_b in zip(y_blocks, s_blocks, strict=True)]
    return dask.compute(*parts)


def _fit_classifier(estimator, X, y, sample_weight):
    import dask
    import dask.array as da

    name = type(estimator).__name__
    params = estimator._check_common_params()
    penalty_params = estimator._check_penalty_params()
    class_weight = check_class_weight(estimator.class_weight)
    X, y, sample_weight = check_dask_fit_data(estimator, X, y, sample_weight, y_numeric=False)
    X, y, sample_weight = dask.persist(X, y, sample_weight)
    blocks = _label_pass(y, sample_weight)
    check_weight_facts([facts for _, facts in blocks], X.dtype)
    classes, per_class = check_dask_class_labels(
        name, [counts for counts, _ in blocks], class_weight, sample_weight is not None
    )
    index_of = functools.partial(block_class_index, classes=classes, dtype=X.dtype)
    y_index = y.map_blocks(index_of, dtype=X.dtype)
    if per_class is not None:
        weights_of = functools.partial(block_class_weights, per_class=per_class, dtype=X.dtype)
        if sample_weight is None:
            sample_weight = y_index.map_blocks(weights_of, None, dtype=X.dtype)
        else:
            sample_weight = da.map_blocks(weights_of, y_index, sample_weight, dtype=X.dtype)
    multinomial = estimator._multinomial(classes.shape[0])
    n_outputs = classes.shape[0] if multinomial else 1
    data = DaskData(X, y_index, sample_weight)
    total_weight = data.summarise()[1]
    l2, l1, scale = estimator._averaged_penalty(total_weight, **penalty_params)
    coef0, intercept0 = estimator._start_point(
        n_outputs, X.shape[1], params["fit_intercept"], params["warm_start"], classes
    )
    loss = _kernels.LOSS_MULTINOMIAL if multinomial else _kernels.LOSS_LOGISTIC
    coef, intercept, loss_curve, n_iter = run_solver(
        estimator,
        Problem(loss, data, None, n_outputs=n_outputs),
        _iterative_options(estimator, params, Penalty(l2, l1)),
        scale=scale,
        coef_init=coef0,
        intercept_init=intercept0,
        verbose=params["verbose"],
    )
    estimator.classes_ = classes
    estimator.coef_ = coef.astype(X.dtype)
    estimator.intercept_ = intercept.astype(X.dtype)
    estimator.n_iter_ = n_iter
    estimator.loss_curve_ = loss_curve
    return estimator
