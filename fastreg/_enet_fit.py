# fastreg._enet_fit: the fit of Lasso and ElasticNet (fastreg._coordinate_descent), with
# scikit-learn's parameters, attributes, warnings and answers. The default solver is
# coordinate descent (src_c/solver_cd.c through fastreg._enet), with scikit-learn's
# objective and duality-gap stopping rule; fastreg's own iterative solvers ("fista",
# "gd", "lbfgs") remain available with their own stopping rule.
#
# Design decisions:
#   a. One coordinate-descent solve per target (scikit-learn fits the columns of a 2-D y
#      separately: an L1 penalty on every entry of W, not MultiTaskLasso's).
#   b. The data reach the solver as the Gram matrix (one read of X for the statistics,
#      then O(d^2) per sweep) or as the columns of X; fastreg._enet.use_gram decides.
#   c. X is never modified, so copy_X has nothing to protect; it is accepted and checked.
#   d. Warnings and messages are scikit-learn's where its tests pin them.
import dataclasses
import warnings

import numpy as np
from scipy.sparse import issparse
from sklearn.base import MultiOutputMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from fastreg import _base, _enet, _kernels
from fastreg._base import LinearModelBase, dask_routed, resolve_solver
from fastreg._problem import Penalty, Problem, SolverOptions
from fastreg._validation import (
    check_bool,
    check_gram_matrix,
    check_option,
    check_precompute,
    check_regression_targets,
    check_sample_weight,
    check_unvalidated_input,
    is_dask_collection,
    validate_data_real,
)

try:  # scikit-learn >= 1.8 lets the configuration choose sparse matrices or arrays
    from sklearn.utils._sparse import _align_api_if_sparse
except ImportError:  # pragma: no cover - older scikit-learn

    def _align_api_if_sparse(matrix):
        return matrix


_NOT_CONVERGED = (
    "Objective did not converge. You might want to increase the number of iterations, "
    "check the scale of the features or consider increasing regularisation."
)
_RIDGE_HINT = (
    "Linear regression models with a zero l1 penalization strength are more efficiently "
    "fitted using one of the solvers implemented in sklearn.linear_model.Ridge/RidgeCV "
    "instead."
)
_NON_FINITE = (
    "Coordinate descent iterations resulted in non-finite parameter values. The input "
    "data may contain large values and need to be preprocessed: the computation "
    "overflows, so rescale X and y (for example with sklearn.preprocessing.StandardScaler)."
)


def _check_precomputed_gram(X, gram, x_mean, sample_weight, total_weight, gram_dtype):
    """scikit-learn's spot check of a user's Gram matrix: one off-diagonal entry."""
    n, d = X.shape
    f1 = d // 2
    f2 = min(f1 + 1, d - 1)
    v1 = _column(X, f1) - x_mean[f1]
    v2 = _column(X, f2) - x_mean[f2]
    if sample_weight is not None:  # scikit-learn's weights are rescaled to sum to n
        v1 = v1 * (sample_weight * (n / total_weight))
    expected = float(v1 @ v2)
    actual = float(gram[f1, f2])
    float32 = np.float32 in (X.dtype, gram_dtype)
    if not np.isclose(expected, actual, rtol=1e-4 if float32 else 1e-7, atol=1e-5):
        raise ValueError(
            "Gram matrix passed in via 'precompute' parameter did not pass validation "
            "when a single element was checked - please check that it was computed "
            f"properly. For element ({f1},{f2}) we computed {expected} but the "
            f"user-supplied value was {actual}."
        )


def _column(X, j):
    """Column j of X (dense or sparse) as a float64 vector."""
    if issparse(X):
        return X[:, [j]].toarray().astype(np.float64).ravel()
    return np.asarray(X[:, j], dtype=np.float64)


def _least_squares_system(X, Y, sample_weight, fit_intercept, precompute, check_gram, threads):
    """The solver's data: the statistics, a user's Gram matrix, or the columns of X."""
    n, d = X.shape
    if issparse(X):
        return _sparse_system(X, Y, sample_weight, fit_intercept, precompute, check_gram)
    if isinstance(precompute, np.ndarray):
        gram_dtype = precompute.dtype
        gram = check_gram_matrix(precompute, d)
        x_mean, _, total = _enet.weighted_means(X, Y, sample_weight)
        if fit_intercept and not np.allclose(x_mean, np.zeros(d)):
            warnings.warn(
                "Gram matrix was provided but X was centered to fit intercept: "
                "recomputing Gram matrix.",
                UserWarning,
                stacklevel=5,
            )
            precompute = "auto"
        else:
            if check_gram:
                offset = x_mean if fit_intercept else np.zeros(d)
                _check_precomputed_gram(X, gram, offset, sample_weight, total, gram_dtype)
            # scikit-learn's Gram is that of weights summing to n; the solver's sums S
            return _enet.statistics_system(
                X, Y, sample_weight, fit_intercept, threads, gram=gram * (total / n)
            )
    if _enet.use_gram(precompute, n, d):
        return _enet.statistics_system(X, Y, sample_weight, fit_intercept, threads)
    return _enet.columns_system(X, Y, sample_weight, fit_intercept, threads)


def _sparse_system(X, Y, sample_weight, fit_intercept, precompute, check_gram):
    """The Gram system of a sparse X (the caller checked that its Gram fits)."""
    n, d = X.shape
    if isinstance(precompute, np.ndarray):
        gram = check_gram_matrix(precompute, d)
        s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)
        total = float(np.sum(s))
        x_mean = np.asarray(X.T @ s, dtype=np.float64) / total
        if fit_intercept and not np.allclose(x_mean, np.zeros(d)):
            warnings.warn(
                "Gram matrix was provided but X was centered to fit intercept: "
                "recomputing Gram matrix.",
                UserWarning,
                stacklevel=6,
            )
        else:
            if check_gram:
                offset = x_mean if fit_intercept else np.zeros(d)
                _check_precomputed_gram(X, gram, offset, sample_weight, total, precompute.dtype)
            return _enet.sparse_system(X, Y, sample_weight, fit_intercept, gram=gram * (total / n))
    return _enet.sparse_system(X, Y, sample_weight, fit_intercept)


# Rounds of FISTA (each with a 100x stricter gradient test) that the duality-gap rule may
# take on a sparse X too wide for its Gram.
_GAP_ROUNDS = 6


def _gap_target(y, sample_weight, settings):
    """scikit-learn's gap tolerance in dual_gap_'s scale: tol times the weighted mean of
    the squared (centred) targets."""
    s = np.ones(y.shape[0]) if sample_weight is None else sample_weight.astype(np.float64)
    y = np.asarray(y, dtype=np.float64)
    S = float(np.sum(s))
    if settings["fit_intercept"]:
        y = y - (s @ y) / S
    return settings["tol"] * float(s @ (y * y)) / S


def _check_finite_system(system, name):
    """A clear error when the data's sums overflow (before any solve)."""
    parts = [system.x_mean, system.y_mean, system.yty]
    if system.uses_gram:
        parts += [system.gram, system.xty]
    if not all(np.all(np.isfinite(part)) for part in parts):
        raise ValueError(
            f"{name}: the least-squares sums of the data overflow (they are not finite); "
            "rescale X and y (for example with sklearn.preprocessing.StandardScaler)."
        )


class _ElasticNetBase(MultiOutputMixin, RegressorMixin, LinearModelBase):
    """Lasso and ElasticNet (not public): fit, predict and the shared bookkeeping."""

    _solvers = ("auto", "cd", "fista", "gd", "lbfgs")
    _accepts_sparse = True

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model by minimising the objective in the class docstring.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (float32 data are fitted in float32; X is never modified).
            A scipy.sparse X is converted once to CSR, never densified: coordinate
            descent runs on its Gram (from sparse products) while that has at most 4096
            columns, and "fista" on the CSR rows for wider X.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values; each column of a 2-D y is fitted separately.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative weights, not all zero. None means unit weights.
        check_input : bool, default=True
            When False, X must already be a float32 or float64 ndarray and only its
            shape and dtype are checked (no finiteness check, no conversion).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        state = dict(self.__dict__)
        try:
            if is_dask_collection(X):  # the passes run where the blocks are
                from fastreg import _dask

                return _dask.fit(self, X, y, sample_weight)
            return self._fit_checked(X, y, sample_weight, check_input)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    def _penalty_params(self):
        """(alpha, l1_ratio), checked."""
        raise NotImplementedError

    def _fit_checked(self, X, y, sample_weight, check_input):
        params = self._check_common_params()
        alpha, l1_ratio = self._penalty_params()
        precompute = check_precompute(self.precompute)
        check_bool(self.copy_X, "copy_X")
        positive = check_bool(self.positive, "positive")
        selection = check_option(self.selection, "selection", ("cyclic", "random"))
        check_input = check_bool(check_input, "check_input")
        if alpha == 0:
            warnings.warn(
                "With alpha=0, this algorithm does not converge well. You are advised to "
                "use the LinearRegression estimator",
                UserWarning,
                stacklevel=4,
            )
        if check_input:
            X, y = validate_data_real(
                self,
                X,
                y,
                y_numeric=True,
                order=None,
                multi_output=True,
                accept_sparse=self._accepts_sparse,
            )
        else:
            X, y = check_unvalidated_input(X, y)
            self.n_features_in_ = X.shape[1]
        y = check_regression_targets(y, X.dtype)
        Y = y.reshape(y.shape[0], -1)
        sample_weight = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        n_threads = _base.effective_n_threads(params["n_jobs"])
        coef0, intercept0 = self._start_point(
            Y.shape[1], X.shape[1], params["fit_intercept"], params["warm_start"]
        )
        settings = dict(params, alpha=alpha, l1_ratio=l1_ratio, positive=positive)
        if issparse(X) and not _enet.use_gram(precompute, *X.shape, sparse=True):
            # A sparse X too wide for its Gram: no coordinate descent to run (it reads the
            # Gram or dense columns); FISTA on the CSR rows instead, its dual_gap_ reported.
            # scikit-learn's duality-gap rule is kept by FISTA rounds (_fit_pass_solver).
            if params["solver"] in ("auto", "cd"):
                settings.update(solver="fista", gap_rule=True)
        if settings["solver"] in ("auto", "cd"):
            with np.errstate(over="ignore", invalid="ignore"):  # reported just below
                system = _least_squares_system(
                    X,
                    Y,
                    sample_weight,
                    params["fit_intercept"],
                    precompute,
                    check_input,
                    n_threads,
                )
            _check_finite_system(system, type(self).__name__)
            fits = self._fit_coordinate_descent(system, coef0, settings, selection, n_threads)
        else:
            fits = self._fit_pass_solver(
                X, Y, sample_weight, coef0, intercept0, settings, n_threads
            )
        self._store(fits, X.dtype, y.ndim, params["fit_intercept"])
        return self

    def _fit_coordinate_descent(self, system, coef0, settings, selection, n_threads):
        """One coordinate-descent solve per target; returns the per-target results."""
        name = type(self).__name__
        fits = []
        for k in range(system.n_targets):
            # scikit-learn draws each target's seed from check_random_state(random_state)
            seed = 0
            if selection == "random":
                seed = check_random_state(settings["random_state"]).randint(0, _enet.SEED_BOUND)
            printer = None
            if settings["verbose"]:
                printer = _base._ProgressPrinter(name, 1.0 / system.sum_weights)
            solution = _enet.solve_enet(
                system,
                k,
                settings["alpha"],
                settings["l1_ratio"],
                coef0[k],
                positive=settings["positive"],
                max_iter=settings["max_iter"],
                tol=settings["tol"],
                selection=selection,
                seed=seed,
                n_threads=n_threads,
                progress=printer,
                progress_interval=_base._SIGNAL_CHECK_INTERVAL,
            )
            self._report(solution, system, settings)
            intercept = float(system.y_mean[k] - system.x_mean @ solution.coef)
            fits.append(
                (
                    solution.coef,
                    intercept,
                    solution.dual_gap,
                    solution.n_iter,
                    solution.objective_curve,
                )
            )
        return fits

    def _report(self, solution, system, settings):
        """Turn a coordinate-descent status into scikit-learn's error or warning."""
        if solution.status == _kernels.STATUS_DIVERGED or not np.all(np.isfinite(solution.coef)):
            raise ValueError(_NON_FINITE)
        if solution.status == _kernels.STATUS_INTERRUPTED:
            raise KeyboardInterrupt(
                f"{type(self).__name__}.fit was interrupted after {solution.n_iter} sweeps."
            )
        if settings["verbose"]:
            word = "converged" if solution.converged else "stopped at max_iter"
            print(
                f"[{type(self).__name__}] {word} after {solution.n_iter} sweeps, "
                f"duality gap {solution.dual_gap:.6e}",
                flush=True,
            )
        if not solution.converged:
            message = (
                f"{_NOT_CONVERGED} Duality gap: {solution.gap_scaled:.6e}, "
                f"tolerance: {solution.tol_scaled:.3e} (after max_iter={settings['max_iter']} "
                "sweeps; scale the data, for example with sklearn.preprocessing.StandardScaler)"
            )
            l1_scaled = settings["alpha"] * settings["l1_ratio"] * system.n_samples
            if l1_scaled < np.finfo(np.float64).eps:
                message += "\n" + _RIDGE_HINT
            warnings.warn(message, ConvergenceWarning, stacklevel=5)

    def _fit_pass_solver(self, X, Y, sample_weight, coef0, intercept0, settings, n_threads):
        """fastreg's own solvers on the fused pass, with their optimality stopping rule."""
        alpha, l1_ratio = settings["alpha"], settings["l1_ratio"]
        penalty = Penalty(alpha * (1.0 - l1_ratio), alpha * l1_ratio, settings["positive"])
        options = SolverOptions(
            solver=resolve_solver(settings["solver"], penalty, type(self).__name__),
            penalty=penalty,
            fit_intercept=settings["fit_intercept"],
            learning_rate=settings["learning_rate"],
            max_iter=settings["max_iter"],
            tol=settings["tol"],
            n_threads=n_threads,
        )
        X = X if issparse(X) else np.ascontiguousarray(X)
        fits = []
        for k in range(Y.shape[1]):
            y = np.ascontiguousarray(Y[:, k])
            start = coef0[k : k + 1].copy(), intercept0[k : k + 1].copy()
            target = _gap_target(y, sample_weight, settings) if settings.get("gap_rule") else None
            rounds, total_iter, curves, round_options = 0, 0, [], options
            while True:
                coef, intercept, curve, n_iter = _base.run_solver(
                    self,
                    Problem(_kernels.LOSS_SQUARED, X, y, sample_weight),
                    round_options,
                    scale=1.0,
                    coef_init=start[0],
                    intercept_init=start[1],
                    verbose=settings["verbose"],
                )
                gap = _enet.dual_gap_at(
                    X,
                    y,
                    sample_weight,
                    coef[0],
                    settings["fit_intercept"],
                    alpha,
                    l1_ratio,
                    settings["positive"],
                )
                total_iter += n_iter
                curves.append(curve)
                rounds += 1
                # scikit-learn's duality-gap rule where FISTA stands in for coordinate
                # descent: a 100x stricter gradient test, warm-started, until the gap passes.
                if target is None or gap <= target or rounds >= _GAP_ROUNDS or n_iter == 0:
                    break
                round_options = dataclasses.replace(round_options, tol=round_options.tol * 1e-2)
                start = coef.copy(), intercept.copy()
            fits.append((coef[0], float(intercept[0]), gap, total_iter, np.concatenate(curves)))
        return fits

    def _store(self, fits, dtype, y_ndim, fit_intercept):
        """Fitted attributes in scikit-learn's shapes (1-D y, a one-column y, or several)."""
        coef = np.array([fit[0] for fit in fits], dtype=np.float64)
        intercept = np.array([fit[1] for fit in fits], dtype=np.float64)
        with np.errstate(over="ignore"):  # a gap in y's squared units may pass float32's range
            gaps = np.array([fit[2] for fit in fits], dtype=dtype)
        n_iter = [int(fit[3]) for fit in fits]
        curves = [np.asarray(fit[4], dtype=np.float64) for fit in fits]
        single = len(fits) == 1
        self.coef_ = coef[0].astype(dtype) if single else coef.astype(dtype)
        if not fit_intercept:
            self.intercept_ = 0.0
        elif y_ndim == 1:
            self.intercept_ = dtype.type(intercept[0])
        else:
            self.intercept_ = intercept.astype(dtype)
        self.dual_gap_ = gaps[0] if single else gaps
        self.n_iter_ = n_iter[0] if single else n_iter
        self.loss_curve_ = curves[0] if single else curves

    @property
    def sparse_coef_(self):
        """Sparse representation of the fitted ``coef_`` (CSR, one row per target)."""
        from scipy import sparse

        return _align_api_if_sparse(sparse.csr_array(np.atleast_2d(self.coef_)))

    @dask_routed
    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values (float32 for float32 input to a float32 model).
        """
        X = self._validate_for_predict(X)
        return np.asarray(X @ self.coef_.T) + self.intercept_

    score = dask_routed(RegressorMixin.score)
