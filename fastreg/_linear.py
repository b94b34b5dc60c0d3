# fastreg._linear: the least-squares regressors (LinearRegression, Ridge,
# PolynomialRegression) and the base every regressor shares. Each one only says how its
# parameters map onto the solver's averaged objective G (see fastreg._base); fitting,
# solving and prediction are shared by _LinearRegressorBase. Lasso and ElasticNet live in
# fastreg._coordinate_descent.
import numpy as np
from scipy import sparse
from sklearn.base import RegressorMixin

from fastreg import _base, _kernels, _sparse_least_squares
from fastreg._base import LinearModelBase, dask_routed, resolve_solver
from fastreg._exact import (
    solve_least_squares,
    solve_nonnegative,
    squared_objective_from_statistics,
)
from fastreg._linear_docs import fill_least_squares_docstring
from fastreg._problem import Penalty, Problem, SolverOptions
from fastreg._statistics import sufficient_statistics
from fastreg._validation import (
    check_alphas,
    check_bool,
    check_common_params,
    check_regression_targets,
    check_sample_weight,
    validate_data_real,
)

# scikit-learn's solver names and fastreg's own, mapped to the method that runs (the
# table of the estimators' docstrings and the README). "exact" is the Gram Cholesky with
# refinement and its stable fallback; "data" the stable least-squares solve on X.
# scikit-learn's iterative names get the exact solve: they name algorithms for the same
# minimiser, which the exact solve reaches faster and to the last digits.
_SOLVER_METHODS = {
    "auto": "exact",
    "cholesky": "exact",
    "svd": "data",
    "lstsq": "data",
    "lsqr": "exact",
    "sparse_cg": "exact",
    "sag": "exact",
    "saga": "exact",
    "lbfgs": "lbfgs",
    "gd": "gd",
    "fista": "fista",
}
_EXACT_SOLVERS = tuple(_SOLVER_METHODS)
# scikit-learn's Ridge solvers that do not take positive=True there
_SCIKIT_LEARN_UNBOUNDED_SOLVERS = ("svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga")


class _LinearRegressorBase(RegressorMixin, LinearModelBase):
    """Squared-loss regression on the solver core (not public)."""

    # Whether the exact solves (statistics pass, fastreg._exact) serve this estimator.
    _exact = False
    # Whether a y of shape (n, 1) gives coef_ of shape (n_features,), as Ridge does.
    _squeeze_single_target = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y, sample_weight=None):
        """Fit the model by minimising the objective in the class docstring.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 data is fitted in float32; a C-contiguous float32 or
            float64 array, or a float32/float64 CSR matrix, is used without a copy.
            Other scipy.sparse formats are converted once to CSR, never densified: the
            exact solves read a sparse X through sparse products while its d x d Gram
            fits comfortably (at most 4096 columns), and wider ones are fitted by
            "lbfgs" ("fista" with positive=True) on the CSR rows.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative weights, not all zero. None means unit weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_keeping_state_on_error(X, y, sample_weight)

    def _fit(self, X, y, sample_weight):
        params = self._check_common_params()
        penalty = self._check_penalty_params()
        positive = check_bool(getattr(self, "positive", False), "positive")
        if hasattr(self, "copy_X"):
            check_bool(self.copy_X, "copy_X")
        X, y = validate_data_real(
            self, X, y, y_numeric=True, multi_output=True, accept_sparse=self._accepts_sparse
        )
        self._check_solver_support(
            params["solver"], positive, params["fit_intercept"], sparse.issparse(X)
        )
        design, extra_attributes = self._design_matrix(X, fitting=True)
        y = check_regression_targets(y, design.dtype)
        one_d = y.ndim == 1
        Y = np.ascontiguousarray(y.reshape(y.shape[0], -1))
        sample_weight = check_sample_weight(sample_weight, design.shape[0], design.dtype)
        total_weight = Problem(
            _kernels.LOSS_SQUARED, design, Y[:, 0], sample_weight
        ).total_weight()
        penalties = self._target_penalties(total_weight, Y.shape[1], penalty)
        n_threads = _base.effective_n_threads(params["n_jobs"])
        method = self._resolve_method(params["solver"], penalties, positive)
        if method in ("exact", "data") and sparse.issparse(design):
            method = self._sparse_method(method, design.shape[1], positive)
        if method in ("exact", "data"):
            result = self._fit_exact(
                design, Y, sample_weight, params, penalties, positive, method, n_threads
            )
        else:
            result = self._fit_iterative(
                design, Y, sample_weight, params, penalties, positive, method, n_threads
            )
        coef, intercept, n_iter, curves, solver_used = result
        for name, value in extra_attributes.items():
            setattr(self, name, value)
        dtype = design.dtype
        if one_d:
            self.coef_ = coef[0].astype(dtype)
            self.intercept_ = dtype.type(intercept[0])
            self.n_iter_ = int(n_iter[0])
            self.loss_curve_ = curves[0]
        else:
            squeeze = self._squeeze_single_target and Y.shape[1] == 1
            self.coef_ = (coef[0] if squeeze else coef).astype(dtype)
            self.intercept_ = intercept.astype(dtype)
            self.n_iter_ = np.asarray(n_iter, dtype=np.int64)
            self.loss_curve_ = list(curves)
        self._record_solver(params["solver"], solver_used, positive, sparse.issparse(design))
        return self

    def _check_solver_support(self, solver, positive, fit_intercept, is_sparse):
        """Raise for a solver name that does not take these inputs (none by default)."""

    def _record_solver(self, solver, method, positive, is_sparse):
        """Set ``method_`` (the method that ran) and ``solver_`` (the same by default)."""
        self.method_ = method
        self.solver_ = method

    def _resolve_method(self, solver, penalties, positive):
        """The method for ``solver``: "exact", "data", "gd", "fista" or "lbfgs"."""
        smooth = all(l1 == 0 for _, l1, _ in penalties) and not positive
        if not self._exact:
            name = type(self).__name__
            return resolve_solver(solver, Penalty(0.0, 0.0 if smooth else 1.0), name)
        method = _SOLVER_METHODS[solver]
        if method == "lbfgs" and positive:
            return "fista"  # a solver that honours the bound
        return method

    def _sparse_method(self, method, n_features, positive):
        """The exact methods on a sparse X while its Gram fits, else the iterative ones.

        See fastreg._sparse_least_squares: past SPARSE_GRAM_MAX_FEATURES columns the
        dense Gram would dominate the memory of a fit whose X is O(nnz).
        """
        if _sparse_least_squares.gram_fits(n_features):
            return method
        return "fista" if positive else "lbfgs"

    def _fit_exact(self, design, Y, sample_weight, params, penalties, positive, method, n_threads):
        """Exact solve on the statistics (or the data): coef (T, d), intercept (T,), ..."""
        fit_intercept = params["fit_intercept"]
        alphas = np.array([l2 * scale / 2.0 for l2, _, scale in penalties])
        stats = sufficient_statistics(design, Y, sample_weight, n_threads=n_threads)
        data = (design, Y, sample_weight)
        # Values near the float64 limit overflow the products: that is reported below
        # as an error that says what to do, not as NumPy's warnings.
        with np.errstate(all="ignore"):
            if not (np.all(np.isfinite(stats.x_mean)) and np.all(np.isfinite(stats.y_mean))):
                solution = None
            elif positive:
                solution = solve_nonnegative(
                    stats,
                    alphas,
                    fit_intercept=fit_intercept,
                    data=data,
                    dtype=design.dtype,
                    stable=method == "data",
                )
            else:
                solution = solve_least_squares(
                    stats,
                    alphas,
                    fit_intercept=fit_intercept,
                    data=data,
                    dtype=design.dtype,
                    method="lstsq" if method == "data" else "auto",
                )
            if solution is not None:
                objectives = squared_objective_from_statistics(
                    stats, solution.coef, solution.intercept, alphas, fit_intercept
                )
                cast = solution.coef.astype(design.dtype), solution.intercept.astype(design.dtype)
        finite = solution is not None and all(
            np.all(np.isfinite(v)) for v in (solution.coef, solution.intercept, objectives, *cast)
        )
        if not finite:
            raise ValueError(
                f"{type(self).__name__}: the least-squares solution or its objective is not "
                f"finite: the data's values (or their squares) overflow {design.dtype}; "
                "rescale X and y (for example with sklearn.preprocessing.StandardScaler)."
            )
        curves = [np.array([value]) for value in objectives]
        n_iter = np.ones(Y.shape[1], dtype=np.int64)
        return solution.coef, solution.intercept, n_iter, curves, solution.method

    def _fit_iterative(
        self, design, Y, sample_weight, params, penalties, positive, method, n_threads
    ):
        """One compiled iterative solve per target."""
        fit_intercept = params["fit_intercept"]
        n_targets, n_features = Y.shape[1], design.shape[1]
        l2s = [l2 for l2, _, _ in penalties]
        l1s = [l1 for _, l1, _ in penalties]
        shift, stretch = self._standardise_design(
            design, sample_weight, fit_intercept, max(l2s), max(l1s)
        )
        coef0, intercept0 = self._start_point(
            n_targets, n_features, fit_intercept, params["warm_start"]
        )
        coef = np.empty((n_targets, n_features))
        intercept = np.empty(n_targets)
        n_iter, curves = [], []
        for t, (l2, l1, scale) in enumerate(penalties):
            options = SolverOptions(
                solver=method,
                penalty=Penalty(l2, l1, positive),
                fit_intercept=fit_intercept,
                learning_rate=params["learning_rate"],
                max_iter=params["max_iter"],
                tol=params["tol"],
                n_threads=n_threads,
            )
            problem = Problem(
                _kernels.LOSS_SQUARED, design, np.ascontiguousarray(Y[:, t]), sample_weight
            )
            # The start point in the solver's coordinates (see _standardise_design).
            c0 = coef0[t : t + 1] / stretch
            b0 = intercept0[t : t + 1] + coef0[t] @ shift
            c, b, curve, iters = _base.run_solver(
                self,
                problem,
                options,
                scale=scale,
                coef_init=np.ascontiguousarray(c0),
                intercept_init=np.ascontiguousarray(b0),
                verbose=params["verbose"],
                stacklevel=6,  # one frame more than run_solver's callers: this method
                # scikit-learn's words for its solver, which filters and tests match
                convergence_lead=(
                    "The lbfgs solver did not converge" if params["solver"] == "lbfgs" else None
                ),
            )
            coef[t] = c[0] * stretch
            intercept[t] = b[0] - coef[t] @ shift
            n_iter.append(iters)
            curves.append(curve)
        return coef, intercept, n_iter, curves, method

    def _target_penalties(self, total_weight, n_targets, penalty):
        """``(l2, l1, scale)`` of the averaged objective for each target."""
        return [self._averaged_penalty(total_weight, **penalty)] * n_targets

    def _design_matrix(self, X, fitting):
        """The matrix the linear model sees, and attributes to set when fitting."""
        return X, {}

    def _check_penalty_params(self):
        """Validate the penalty parameters; return them as keyword arguments."""
        return {}

    def _standardise_design(self, design, sample_weight, fit_intercept, l2, l1):
        """Optionally standardise the columns of ``design`` in place.

        Returns ``(shift, stretch)`` such that the solver sees
        ``(design - shift) * stretch``, whose coefficients ``w_s`` and intercept ``b_s``
        give ``w = w_s * stretch`` and ``b = b_s - shift @ w`` for the design itself.
        The default leaves the design alone.
        """
        n_features = design.shape[1]
        return np.zeros(n_features), np.ones(n_features)

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
        design, _ = self._design_matrix(X, fitting=False)
        return np.asarray(design @ self.coef_.T) + self.intercept_

    score = dask_routed(RegressorMixin.score)


class LinearRegression(_LinearRegressorBase):
    """Ordinary least squares, solved exactly from one pass over the data.

    Minimises ``sum_i s_i ||y_i - W x_i - b||^2`` with sample weights ``s_i`` (the same
    minimiser as scikit-learn's LinearRegression, to its accuracy or better): one
    compiled pass gives the centred Gram and cross products, Cholesky solves them,
    refinement passes and a stable fallback keep ill-conditioned designs exact.

    Parameters
    ----------{params}

    {attributes}

    See Also
    --------
    Ridge : Least squares with an L2 penalty.
    PolynomialRegression : Least squares on polynomial features.
    sklearn.linear_model.LinearRegression : scikit-learn's version.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import LinearRegression
    >>> X = np.array([[1.0], [2.0], [3.0]])
    >>> y = 5 * X.ravel() + 3
    >>> model = LinearRegression().fit(X, y)
    >>> print(np.round(model.coef_, 4), round(float(model.intercept_), 4))
    [5.] 3.0
    """

    _solvers = _EXACT_SOLVERS
    _exact = True
    _accepts_sparse = True

    def __init__(
        self,
        *,
        fit_intercept=True,
        copy_X=True,
        tol=1e-6,
        n_jobs=None,
        positive=False,
        solver="auto",
        learning_rate="auto",
        max_iter=1000,
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.tol = tol
        self.n_jobs = n_jobs
        self.positive = positive
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    def _averaged_penalty(self, total_weight):
        # sum s r^2 = 2 S G with G = (1/S) sum s r^2 / 2.
        return 0.0, 0.0, 2.0 * total_weight


class Ridge(_LinearRegressorBase):
    """Least squares with an L2 penalty, solved exactly from one pass over the data.

    Minimises ``sum_i s_i (y_i - x_i w - b)^2 + alpha ||w||^2`` for each target (the
    intercept is not penalised; the same minimiser as scikit-learn's Ridge).

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        L2 penalty strength, >= 0 (0 gives ordinary least squares); an array gives each
        target of a 2-D y its own.{params}

    {attributes}

    See Also
    --------
    LinearRegression : No penalty.
    ElasticNet : L1 and L2 penalties.
    sklearn.linear_model.Ridge : scikit-learn's version.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import Ridge
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> model = Ridge(alpha=1.0).fit(X, y)
    >>> print(np.round(model.coef_, 4))
    [0.8333]
    """

    _solvers = _EXACT_SOLVERS
    _exact = True
    _accepts_sparse = True
    _squeeze_single_target = True

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        copy_X=True,
        max_iter=1000,
        tol=1e-6,
        solver="auto",
        positive=False,
        random_state=None,
        learning_rate="auto",
        warm_start=False,
        verbose=0,
        n_jobs=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.warm_start = warm_start
        self.verbose = verbose
        self.n_jobs = n_jobs

    def _check_common_params(self):
        return check_common_params(self, self._solvers, default_max_iter=1000)

    def _check_solver_support(self, solver, positive, fit_intercept, is_sparse):
        # scikit-learn's names keep the restrictions they have in its Ridge, with its
        # messages, so code that fails there fails here the same way; fastreg's own
        # names carry none.
        if positive and solver in _SCIKIT_LEARN_UNBOUNDED_SOLVERS:
            raise ValueError(
                f"solver='{solver}' does not support positive fitting. Please set the "
                "solver to 'auto' or 'lbfgs', or set `positive=False` (fastreg's "
                "'lstsq' and 'fista' also fit positive=True)."
            )
        if is_sparse and fit_intercept and solver in ("svd", "cholesky", "saga"):
            raise ValueError(
                f"solver='{solver}' does not support fitting the intercept on sparse "
                "data. Please set the solver to 'auto' or 'lsqr', 'sparse_cg', 'sag', "
                "'lbfgs' or set `fit_intercept=False`."
            )
        if is_sparse and solver == "svd":
            raise TypeError(
                "SVD solver does not support sparse inputs currently: use solver='auto' "
                "for a sparse X, or pass X.toarray()."
            )

    def _record_solver(self, solver, method, positive, is_sparse):
        # scikit-learn's Ridge reports the solver name, with "auto" resolved its way
        self.method_ = method
        if solver == "auto":
            solver = "lbfgs" if positive else "sparse_cg" if is_sparse else "cholesky"
        self.solver_ = solver

    def _check_penalty_params(self):
        return {"alpha": check_alphas(self.alpha)}

    def _target_penalties(self, total_weight, n_targets, penalty):
        alpha = penalty["alpha"]
        if alpha.size not in (1, n_targets):
            raise ValueError(
                "Number of targets and number of penalties do not correspond: "
                f"{alpha.size} != {n_targets} (Ridge's alpha has {alpha.size} values for "
                f"{n_targets} targets; pass one alpha, or one per column of y)."
            )
        alphas = np.broadcast_to(alpha, (n_targets,))
        return [self._averaged_penalty(total_weight, float(a)) for a in alphas]

    def _averaged_penalty(self, total_weight, alpha):
        # sum s r^2 + alpha ||w||^2 = 2 S G with l2 = alpha / S.
        return alpha / total_weight, 0.0, 2.0 * total_weight


fill_least_squares_docstring(LinearRegression, _EXACT_SOLVERS)
fill_least_squares_docstring(Ridge, _EXACT_SOLVERS, ridge=True)
