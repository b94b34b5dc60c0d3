# fastreg._base: what the seven estimators share. Each estimator turns its parameters
# into a Problem and SolverOptions (fastreg._problem) for the solver's averaged objective
#     G(W, b) = (1/S) sum_i s_i l_i + P(W),   S = sum_i s_i   (src_c/fastreg.h),
# with its own documented objective equal to `scale * G`. This module calls the compiled
# solver exactly once per fit, turns its status into a warning or an error, prints
# progress, and keeps a failed fit from changing the estimator. Input checks live in
# fastreg._validation.
#
# Design decisions:
#   a. Every fit validates all parameters, then the data, before any work; fitted
#      attributes are assigned only after the solve succeeded, and a failed fit restores
#      the estimator's previous state (validate_data sets n_features_in_ early).
#   b. X keeps its float dtype (float32 or float64) and a C-contiguous X is never
#      copied; the solver carries its state in float64, cast to X's dtype at the end.
#   c. `_solve` is the single entry point into the solver, so a NumPy twin with the same
#      signature (fastreg.reference.solve) can stand in for it.
#   d. Dask collections are routed here, in one place: fit to fastreg._dask, the
#      prediction methods and score (marked `dask_routed` in the estimators) to
#      fastreg._dask_predict. Dask is imported only when such an input arrives.
import dataclasses
import functools
import os
import sys
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from fastreg import _kernels
from fastreg._validation import check_common_params, is_dask_collection, validate_data_real

_solve = _kernels.solve

# Seconds between two progress lines when verbose.
_PROGRESS_INTERVAL = 0.5
# Seconds between two checks for a pending signal (Ctrl-C) during a solve: the bridge
# runs them in the solver's progress callback, so this bounds the interrupt latency
# (plus the passes of one iteration).
_SIGNAL_CHECK_INTERVAL = 0.1


def effective_n_threads(n_jobs):
    """Number of kernel threads for ``n_jobs``.

    Parameters
    ----------
    n_jobs : int or None
        None: the OpenMP thread limit of the kernels (all cores unless
        ``OMP_NUM_THREADS`` or threadpoolctl say otherwise); -1: all cores; a negative
        ``n``: all cores but ``-n - 1``; a positive int: that many threads.

    Returns
    -------
    n_threads : int
        At least 1 and at most the number of CPUs this process may run on.
    """
    try:
        n_cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n_cpus = os.cpu_count() or 1
    if n_jobs is None:  # OpenMP's current limit: OMP_NUM_THREADS and threadpoolctl set it
        n_threads = int(_kernels.build_info()["max_threads"])
    elif n_jobs < 0:
        n_threads = n_cpus + 1 + n_jobs
    else:
        n_threads = n_jobs
    # More threads than CPUs only adds start-up cost (results do not depend on the
    # count), and the OpenMP runtime crashes when asked for ~10^5 threads.
    return max(1, min(n_threads, n_cpus))


def resolve_solver(solver, penalty, estimator_name):
    """Turn the ``solver`` parameter into the solver that will run.

    Parameters
    ----------
    solver : str
        ``"auto"``, ``"gd"``, ``"fista"``, ``"lbfgs"`` or ``"lstsq"`` (already checked
        against the estimator's own list).
    penalty : fastreg._problem.Penalty
        The penalty of the averaged objective.
    estimator_name : str
        Used in error messages.

    Returns
    -------
    solver : str
        ``"lbfgs"`` for ``"auto"`` with a smooth penalty, ``"fista"`` for ``"auto"``
        with an L1 term or a constraint, otherwise ``solver`` itself.
    """
    if solver == "auto":
        return "lbfgs" if penalty.is_smooth else "fista"
    if solver == "lbfgs" and not penalty.is_smooth:
        what = "an L1 penalty" if penalty.l1 > 0 else "a positivity constraint"
        raise ValueError(
            f"{estimator_name}: solver='lbfgs' handles smooth objectives only, but this "
            f"one has {what}; use solver='fista' (or 'auto', which picks it)."
        )
    return solver


class _ProgressPrinter:
    """Print (epoch, objective, elapsed seconds) lines from the solver's callback."""

    def __init__(self, estimator_name, scale):
        self.estimator_name = estimator_name
        self.scale = scale
        self.start = time.perf_counter()
        self.last_line = self.start

    def elapsed(self):
        return time.perf_counter() - self.start

    def __call__(self, iteration, objective):
        # The solver calls back every _SIGNAL_CHECK_INTERVAL; print at most every
        # _PROGRESS_INTERVAL.
        now = time.perf_counter()
        # iteration 0: a start-up pass (step-size estimate), no objective to show yet
        if iteration == 0 or now - self.last_line < _PROGRESS_INTERVAL:
            return False
        self.last_line = now
        print(
            f"[{self.estimator_name}] epoch {iteration:>8d}  "
            f"objective {self.scale * objective:.8e}  elapsed {self.elapsed():.2f} s",
            file=sys.stdout,
            flush=True,
        )
        return False


def run_solver(
    estimator,
    problem,
    options,
    *,
    scale,
    coef_init,
    intercept_init,
    verbose,
    stacklevel=5,
    solve=None,
    convergence_lead=None,
):
    """Minimise ``scale * G`` with one call to the compiled solver.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator being fitted (for messages only; it is not modified).
    problem : fastreg._problem.Problem
        Data, targets, weights and loss.
    options : fastreg._problem.SolverOptions
        The solver, penalty and stopping rule (``n_threads`` already resolved).
    scale : float
        The estimator's documented objective is ``scale * G``.
    coef_init : ndarray of shape (n_outputs, n_features)
        float64 start point (a private copy: it is overwritten).
    intercept_init : ndarray of shape (n_outputs,)
        float64 start point (a private copy: it is overwritten).
    verbose : int
        Print progress when > 0.
    stacklevel : int, default=5
        ``warnings.warn``'s stacklevel for the ConvergenceWarning (the frames between
        this function and the caller of ``fit``).
    solve : callable or None, default=None
        A solver with the signature of ``fastreg._kernels.solve`` (None: that one).
    convergence_lead : str or None, default=None
        A sentence that opens the ConvergenceWarning (``{n_iter}`` is filled in), for
        estimators whose users match scikit-learn's warning text.

    Returns
    -------
    coef : ndarray of shape (n_outputs, n_features)
        float64 solution.
    intercept : ndarray of shape (n_outputs,)
        float64 solution.
    loss_curve : ndarray of shape (n_iter,)
        ``scale * G`` after each iteration.
    n_iter : int
        Iterations performed.
    """
    name = type(estimator).__name__
    printer = _ProgressPrinter(name, scale) if verbose else None
    options = dataclasses.replace(
        options,
        progress=printer,
        progress_interval=min(_PROGRESS_INTERVAL, _SIGNAL_CHECK_INTERVAL),
    )
    solve = _solve if solve is None else solve
    coef, intercept, curve, n_iter, status = solve(problem, options, coef_init, intercept_init)
    coef = np.asarray(coef, dtype=np.float64)
    intercept = np.asarray(intercept, dtype=np.float64)
    curve = scale * np.asarray(curve, dtype=np.float64)
    finite = np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))
    solver, learning_rate, max_iter, tol = (
        options.solver,
        options.learning_rate,
        options.max_iter,
        options.tol,
    )
    if (status == _kernels.STATUS_DIVERGED or not finite) and n_iter == 0:
        raise ValueError(
            f"{name}: the objective is not finite at the starting point, so the data's "
            "values overflow the computation; rescale X and y (for example with "
            "sklearn.preprocessing.StandardScaler)."
        )
    if status == _kernels.STATUS_DIVERGED or not finite:
        step = "'auto'" if learning_rate <= 0 else f"{learning_rate:g}"
        raise ValueError(
            f"{name} diverged: the objective became non-finite after {n_iter} iterations "
            f"of solver={solver!r} with learning_rate={step}. Lower learning_rate (or use "
            "learning_rate='auto'), or standardise the features (for example with "
            "sklearn.preprocessing.StandardScaler)."
        )
    if status == _kernels.STATUS_INTERRUPTED:
        raise KeyboardInterrupt(f"{name}.fit was interrupted after {n_iter} iterations.")
    if status == _kernels.STATUS_NO_MEMORY:
        raise MemoryError(f"{name}: the solver could not allocate its scratch space.")
    if status not in (_kernels.STATUS_CONVERGED, _kernels.STATUS_MAX_ITER):
        raise RuntimeError(f"{name}: the solver returned the unexpected status {status}.")
    if verbose:
        word = "converged" if status == _kernels.STATUS_CONVERGED else "stopped at max_iter"
        last = curve[-1] if n_iter > 0 else float("nan")
        print(
            f"[{name}] {word} after {n_iter} epochs, objective {last:.8e}, "
            f"elapsed {printer.elapsed():.2f} s",
            file=sys.stdout,
            flush=True,
        )
    if status == _kernels.STATUS_MAX_ITER:
        hint = ", or use the default solver='auto'" if solver == "gd" else ""
        if n_iter >= max_iter:
            what = f"did not converge in max_iter={max_iter} iterations"
            todo = "Increase max_iter, scale"
        else:  # the solver stalled: no step it tried decreased the objective
            what = f"stopped making progress after {n_iter} of max_iter={max_iter} iterations"
            todo = "Scale"
        lead = "" if convergence_lead is None else convergence_lead.format(n_iter=n_iter) + ": "
        warnings.warn(
            f"{lead}{name} {what} of solver={solver!r} without reaching tol={tol:g}. {todo} "
            f"the data (for example with sklearn.preprocessing.StandardScaler){hint}.",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )
    return coef, intercept, curve, int(n_iter)


def lstsq_solve(X, y, sample_weight, alpha, fit_intercept):
    """Exact minimiser of ``sum s_i r_i^2 + alpha ||w||^2`` by ``numpy.linalg.lstsq``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Data.
    y : ndarray of shape (n_samples,)
        Response.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights, None for unit weights.
    alpha : float
        Ridge strength (0 for ordinary least squares).
    fit_intercept : bool
        Whether to fit an intercept (by centring with the weighted means).

    Returns
    -------
    coef : ndarray of shape (n_features,)
        float64 coefficients (minimum-norm when the problem is rank deficient).
    intercept : float
        The intercept (0.0 without ``fit_intercept``).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    s = np.ones(X.shape[0]) if sample_weight is None else sample_weight.astype(np.float64)
    if fit_intercept:
        x_mean = s @ X / s.sum()
        y_mean = s @ y / s.sum()
        X = X - x_mean
        y = y - y_mean
    root = np.sqrt(s)
    A = X * root[:, None]
    rhs = y * root
    if alpha > 0:
        A = np.vstack([A, np.sqrt(alpha) * np.eye(X.shape[1])])
        rhs = np.concatenate([rhs, np.zeros(X.shape[1])])
    coef = np.linalg.lstsq(A, rhs, rcond=None)[0]
    intercept = float(y_mean - x_mean @ coef) if fit_intercept else 0.0
    return coef, intercept


def squared_objective(X, y, sample_weight, coef, intercept, alpha):
    """``sum s_i (y_i - x_i w - b)^2 + alpha ||w||^2`` in float64.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Data.
    y : ndarray of shape (n_samples,)
        Response.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights, None for unit weights.
    coef : ndarray of shape (n_features,)
        Coefficients.
    intercept : float
        Intercept.
    alpha : float
        Ridge strength.

    Returns
    -------
    value : float
        The objective.
    """
    r = np.asarray(y, dtype=np.float64) - np.asarray(X, dtype=np.float64) @ coef - intercept
    s = np.ones(r.shape[0]) if sample_weight is None else sample_weight.astype(np.float64)
    return float(s @ (r * r) + alpha * (coef @ coef))


class LinearModelBase(BaseEstimator):
    """Shared fit bookkeeping of fastreg's estimators (not public).

    Subclasses implement ``_fit(X, y, sample_weight)``, which validates everything,
    solves, and only then assigns the fitted attributes.
    """

    # Solvers accepted by the ``solver`` parameter of this estimator.
    _solvers = ("auto", "gd", "fista", "lbfgs")
    # Whether fit and predict take scipy.sparse X (converted once to CSR by the
    # validation, never densified; the kernels read CSR rows).
    _accepts_sparse = False

    def _check_common_params(self):
        """Validate the parameters every estimator has; return them as a dict."""
        return check_common_params(self, self._solvers)

    def _start_point(self, n_outputs, n_features, fit_intercept, warm_start, classes=None):
        """float64 start point: the previous solution when warm starting, else zeros."""
        coef = np.zeros((n_outputs, n_features), dtype=np.float64)
        intercept = np.zeros(n_outputs, dtype=np.float64)
        if not warm_start or not hasattr(self, "coef_"):
            return coef, intercept
        previous = np.asarray(self.coef_, dtype=np.float64)
        if previous.size != coef.size:  # refitted on data of another shape: start afresh
            return coef, intercept
        previous = previous.reshape(coef.shape)
        if classes is not None and not np.array_equal(getattr(self, "classes_", None), classes):
            return coef, intercept
        coef[...] = previous
        if fit_intercept:
            intercept[...] = np.asarray(self.intercept_, dtype=np.float64).reshape(-1)
        return coef, intercept

    def _fit_keeping_state_on_error(self, X, y, sample_weight):
        """Run ``_fit``; if it raises, put the estimator back as it was."""
        state = dict(self.__dict__)
        try:
            if is_dask_collection(X):  # the passes run where the blocks are (decision d)
                from fastreg import _dask

                return _dask.fit(self, X, y, sample_weight)
            return self._fit(X, y, sample_weight)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    def _validate_for_predict(self, X):
        """Check that the model is fitted and X matches it; return X as float."""
        check_is_fitted(self, "coef_")
        return validate_data_real(
            self, X, reset=False, order=None, accept_sparse=self._accepts_sparse
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self._accepts_sparse
        return tags


def dask_routed(method):
    """Mark a prediction method (or score) as taking Dask collections too (decision d).

    Parameters
    ----------
    method : callable
        ``method(self, X, *args, **kwargs)``, the in-memory implementation.

    Returns
    -------
    routed : callable
        The same method, which hands a Dask X to fastreg._dask_predict.call.
    """

    @functools.wraps(method)
    def routed(self, X, *args, **kwargs):
        if is_dask_collection(X):
            from fastreg import _dask_predict

            return _dask_predict.call(self, method.__name__, X, *args, **kwargs)
        return method(self, X, *args, **kwargs)

    return routed
