# fastreg._dask: fitting on Dask collections, the entry point fastreg._base routes to
# when X is a dask array or DataFrame. The estimator says, through the same methods and
# checks its in-memory fit uses, what to minimise; this module (classifiers) and
# fastreg._dask_least_squares (regressors) run it where the data are
# (fastreg._dask_passes) and store the same fitted attributes. Predictions on Dask input:
# fastreg._dask_predict.
#
# Design decisions:
#   a. Classifiers hand DaskData to the compiled solver through fastreg._base.run_solver:
#      the same solver, objective, start point, tolerance and warnings as in memory.
#      The solvers over the fused pass run on Dask ("lbfgs", the default, and every name
#      that maps to L-BFGS or FISTA); the Newton methods and liblinear's penalised
#      intercept ask for more of the data than the fused pass and are refused clearly.
#   b. Least squares: one map-reduce of the sufficient statistics and the exact solve,
#      or coordinate descent, on the client (fastreg._dask_least_squares).
#   c. Labels are encoded on the workers: one pass over y and the weights gives the
#      classes, their counts and the weight checks; the class indices and the class
#      weights are then block functions of y (fastreg._validation_dask).
import dataclasses
import functools
import warnings

import numpy as np
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning

from fastreg import _dask_least_squares, _kernels, _logistic_options, _newton
from fastreg._base import resolve_solver, run_solver
from fastreg._dask_passes import DaskData
from fastreg._problem import Penalty, Problem, SolverOptions
from fastreg._validation import (
    check_bool,
    check_class_weight,
    check_learning_rate,
    check_n_jobs,
    check_nonnegative_float,
    check_random_state_param,
    check_verbose,
)
from fastreg._validation_dask import (
    block_class_index,
    block_class_weights,
    block_label_counts,
    block_weight_facts,
    check_dask_class_labels,
    check_dask_fit_data,
    check_weight_facts,
)

# The solver names a classifier fits Dask collections with (decision a).
DASK_CLASSIFIER_SOLVERS = ("lbfgs", "newton-cg", "sag", "saga", "auto", "gd", "fista")


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
    if hasattr(estimator, "_fit_coordinate_descent"):  # Lasso, ElasticNet
        return _dask_least_squares.fit_elastic_net(estimator, X, y, sample_weight)
    return _dask_least_squares.fit_least_squares(estimator, X, y, sample_weight)


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


def _check_dask_solver(name, spec, method):
    """Refuse the solvers that need more than the fused pass (decision a)."""
    if spec.solver in DASK_CLASSIFIER_SOLVERS and method not in _newton.METHODS:
        return
    if spec.solver in DASK_CLASSIFIER_SOLVERS:  # a small problem sent to a Newton method
        why = f"it runs {method!r} on a problem this small, which needs"
    else:
        why = "it needs"
    raise NotImplementedError(
        f"{name} fits Dask collections with the solvers over the fused loss and gradient "
        f"pass: 'lbfgs' (the default), 'sag', 'saga' (L2 penalty), 'auto', 'gd' or "
        f"'fista'. solver={spec.solver!r} is not available there: {why} Newton steps on "
        "the data (or liblinear's penalised intercept); fit in memory, or choose "
        "solver='lbfgs'."
    )


def _fit_classifier(estimator, X, y, sample_weight):
    import dask
    import dask.array as da

    name = type(estimator).__name__
    estimator._check_fastreg_params()
    spec = _logistic_options.resolve(estimator, estimator._solvers)
    fit_intercept = check_bool(estimator.fit_intercept, "fit_intercept")
    learning_rate = check_learning_rate(estimator.learning_rate)
    tol = check_nonnegative_float(estimator.tol, "tol")
    warm_start = check_bool(estimator.warm_start, "warm_start")
    check_random_state_param(estimator.random_state)
    verbose = check_verbose(estimator.verbose)
    check_n_jobs(estimator.n_jobs)
    class_weight = check_class_weight(estimator.class_weight)
    if getattr(estimator, "_skl_callbacks", None):
        raise NotImplementedError(
            f"{name}: callbacks are not run on Dask collections; fit in memory to use them, "
            "or remove them with set_callbacks()."
        )
    X, y, sample_weight = check_dask_fit_data(estimator, X, y, sample_weight, y_numeric=False)
    X, y, sample_weight = dask.persist(X, y, sample_weight)
    blocks = _label_pass(y, sample_weight)
    check_weight_facts([facts for _, facts in blocks], X.dtype)
    classes, per_class = check_dask_class_labels(
        name, [counts for counts, _ in blocks], class_weight, sample_weight is not None
    )
    multinomial = estimator._multinomial(classes.shape[0])
    n_outputs = classes.shape[0] if multinomial else 1
    method = _logistic_options.method_for(spec, n_outputs * (X.shape[1] + 1))
    _check_dask_solver(name, spec, method)
    index_of = functools.partial(block_class_index, classes=classes, dtype=X.dtype)
    y_index = y.map_blocks(index_of, dtype=X.dtype)
    if per_class is not None:
        weights_of = functools.partial(block_class_weights, per_class=per_class, dtype=X.dtype)
        if sample_weight is None:
            sample_weight = y_index.map_blocks(weights_of, None, dtype=X.dtype)
        else:
            sample_weight = da.map_blocks(weights_of, y_index, sample_weight, dtype=X.dtype)
    data = DaskData(X, y_index, sample_weight)
    total_weight = data.summarise()[1]
    if np.isinf(spec.C):
        l2, l1, scale = 0.0, 0.0, total_weight
    else:  # C sum s l + (1-r)/2 ||W||^2 + r ||W||_1 = C S G, as in memory
        l2 = (1.0 - spec.l1_share) / (spec.C * total_weight)
        l1 = spec.l1_share / (spec.C * total_weight)
        scale = spec.C * total_weight
    penalty = Penalty(l2, l1)
    options = SolverOptions(
        solver=resolve_solver(method, penalty, name),
        penalty=penalty,
        fit_intercept=fit_intercept,
        learning_rate=learning_rate,
        max_iter=max(spec.max_iter, 1),
        tol=tol,
        n_threads=1,  # the passes run on the workers, with the workers' threads
    )
    coef0, intercept0 = estimator._start_point(
        n_outputs, X.shape[1], fit_intercept, warm_start, classes
    )
    problem = Problem(
        _kernels.LOSS_MULTINOMIAL if multinomial else _kernels.LOSS_LOGISTIC,
        data,
        None,
        n_outputs=n_outputs,
    )
    if spec.solver in _logistic_options.RELATIVE_TOL_SOLVERS and spec.max_iter > 0:
        counts = np.zeros(classes.shape[0])
        for (labels, label_counts, _), _ in blocks:
            np.add.at(counts, np.searchsorted(classes, labels), label_counts)
        options = dataclasses.replace(
            options,
            tol=_logistic_options.relative_tol(problem, options, coef0, intercept0, counts),
        )
    lead = _logistic_options.CONVERGENCE_MESSAGES.get(spec.solver)
    if spec.max_iter == 0:
        coef, intercept, loss_curve, n_iter = coef0, intercept0, np.zeros(0), 0
        warnings.warn(
            f"{(lead or name + ' did not converge').format(n_iter=0)}: max_iter=0 "
            "returns the start point.",
            ConvergenceWarning,
            stacklevel=5,
        )
    else:
        coef, intercept, loss_curve, n_iter = run_solver(
            estimator,
            problem,
            options,
            scale=scale,
            coef_init=coef0,
            intercept_init=intercept0,
            verbose=verbose,
            convergence_lead=lead,
        )
    estimator.classes_ = classes
    estimator.coef_ = np.ascontiguousarray(coef, dtype=X.dtype)
    estimator.intercept_ = np.asarray(intercept, dtype=X.dtype)
    estimator.n_iter_ = np.array([n_iter], dtype=np.int32)
    estimator.loss_curve_ = loss_curve
    return estimator
