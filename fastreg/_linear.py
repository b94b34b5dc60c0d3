# fastreg._linear: the least-squares regressors (LinearRegression, Ridge,
# PolynomialRegression) and the base every regressor shares. Each one only says how its
# parameters map onto the solver's averaged objective G (see fastreg._base); fitting,
# solving and prediction are shared by _LinearRegressorBase. Lasso and ElasticNet live in
# fastreg._coordinate_descent.
import numpy as np
from scipy import sparse
from sklearn.base import RegressorMixin
from sklearn.preprocessing import PolynomialFeatures

from fastreg import _base, _kernels, _sparse_least_squares
from fastreg._base import LinearModelBase, dask_routed, resolve_solver
from fastreg._exact import (
    solve_least_squares,
    solve_nonnegative,
    squared_objective_from_statistics,
)
from fastreg._problem import Penalty, Problem, SolverOptions
from fastreg._statistics import sufficient_statistics
from fastreg._validation import (
    check_alphas,
    check_bool,
    check_common_params,
    check_nonnegative_float,
    check_positive_int,
    check_regression_targets,
    check_sample_weight,
    check_sparse_structure,
    validate_data_real,
)

# scikit-learn's solver names and fastreg's own, mapped to the method that runs (the
# table of the estimators' docstrings and the README). "exact" is the Gram Cholesky with
# refinement and its stable fallback; "data" the stable least-squares solve on X.
_SOLVER_METHODS = {
    "auto": "exact",
    "cholesky": "exact",
    "svd": "data",
    "lstsq": "data",
    "lsqr": "lbfgs",
    "sparse_cg": "lbfgs",
    "sag": "lbfgs",
    "saga": "lbfgs",
    "lbfgs": "lbfgs",
    "gd": "gd",
    "fista": "fista",
}
_EXACT_SOLVERS = tuple(_SOLVER_METHODS)


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
        self.solver_ = solver_used
        return self

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


_FIT_INTERCEPT_DOC = """
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept."""

_COMMON_PARAMETERS_DOC = """
    solver : {solvers}, default="auto"
        How to minimise the objective (scikit-learn's names and fastreg's own){solver_doc}
    learning_rate : "auto" or float, default="auto"
        Step size of "gd" (first step of "fista") on the per-sample averaged objective
        (the objective divided by the sum of the sample weights, so a given value means
        the same at any number of rows). "auto" derives it from a Lipschitz bound.
    max_iter : int, default={max_iter}
        Maximum number of iterations of the iterative solvers (epochs for "gd").
    tol : float, default={tol}
        The iterative solvers stop when the optimality measure of the averaged objective
        (the largest absolute entry of its minimum-norm subgradient, intercept
        included) is <= tol; otherwise a ConvergenceWarning is issued.
    warm_start : bool, default=False
        Iterative solvers: start from the previous solution when refitting on data of
        the same shape (the exact solves have no start point).
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility with scikit-learn. The solvers start from zero and
        reduce in a fixed order, so fits are deterministic and it has no effect.
    verbose : int, default=0
        When > 0, iterative solvers print the epoch, objective and elapsed seconds about
        every 0.5 s, and a summary line at the end.
    n_jobs : int, default=None
        Threads of the compiled kernels. None uses the OpenMP thread limit (all cores
        unless ``OMP_NUM_THREADS`` or threadpoolctl limit it); -1 all cores. Results
        are bitwise identical for any thread count."""

_EXACT_SOLVER_DOC = """:

        ===============================  ==============================================
        solver                           method
        ===============================  ==============================================
        "auto", "cholesky"               exact: one statistics pass, Cholesky of the
                                         (ridge-shifted) centred Gram with refinement
                                         passes when it is ill-conditioned, and the
                                         stable solve on X when even that would lose
                                         digits (collinear or rank-deficient columns);
                                         positive=True: Lawson-Hanson active set on the
                                         Gram
        "svd", "lstsq"                   the stable solve on X: scipy.linalg.lstsq
                                         (minimum norm) or the SVD (ridge) of the
                                         weighted centred X; positive=True:
                                         scipy.optimize.nnls on it
        "lsqr", "sparse_cg", "sag",      fastreg's "lbfgs" (with positive=True,
        "saga", "lbfgs"                  "fista", which honours the bound)
        "gd"                             batch (projected) gradient descent with the
                                         fixed step ``learning_rate``
        "fista"                          accelerated proximal gradient, backtracking
        ===============================  ==============================================

        The exact methods report ``n_iter_ = 1`` and ignore max_iter, tol and
        warm_start; the iterative ones stop by ``tol`` (below)."""

_COPY_X_DOC = """
    copy_X : bool, default=True
        Accepted for compatibility with scikit-learn: X is never modified (the stable
        solve works on a centred copy of its own)."""

_POSITIVE_DOC = """
    positive : bool, default=False
        Constrain the coefficients to be non-negative."""

_REGRESSOR_ATTRIBUTES_DOC = """Attributes
    ----------
    coef_ : ndarray of shape ({shape},) or (n_targets, {shape})
        Coefficients, in the dtype of the training data; one row per target for 2-D y.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept (0.0 when ``fit_intercept=False``).
    n_iter_ : int or ndarray of shape (n_targets,)
        Number of solver iterations run (1 for the exact methods).
    loss_curve_ : ndarray of shape (n_iter_,), or a list of them for 2-D y
        The objective above after each iteration, in that objective's scale (for the
        exact methods, evaluated from the statistics).
    solver_ : str
        The method that ran: "cholesky", "lstsq", "nnls", "gd", "fista" or "lbfgs".
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names."""


def _parameters_doc(max_iter, tol, lstsq, with_fit_intercept=True):
    if lstsq:
        solvers = "{" + ", ".join(f'"{name}"' for name in _EXACT_SOLVERS) + "}"
        solver_doc = _EXACT_SOLVER_DOC
    else:
        solvers = '{"auto", "gd", "fista", "lbfgs"}'
        solver_doc = (
            '.\n        "auto" uses "lbfgs" when the objective is smooth (no L1 term) and '
            '"fista"\n        when it has one. "gd" is plain batch gradient descent with a '
            'fixed step\n        (``learning_rate``); "fista" is accelerated proximal '
            'gradient with\n        backtracking; "lbfgs" is limited-memory BFGS (smooth '
            "objectives only)."
        )
    common = _COMMON_PARAMETERS_DOC.format(
        solvers=solvers, solver_doc=solver_doc, max_iter=max_iter, tol=tol
    )
    extra = (_COPY_X_DOC + _POSITIVE_DOC) if lstsq else ""
    return (_FIT_INTERCEPT_DOC if with_fit_intercept else "") + extra + common


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

    def _check_penalty_params(self):
        return {"alpha": check_alphas(self.alpha)}

    def _target_penalties(self, total_weight, n_targets, penalty):
        alpha = penalty["alpha"]
        if alpha.size not in (1, n_targets):
            raise ValueError(
                f"Ridge: alpha has {alpha.size} values for {n_targets} targets; pass one "
                "alpha, or one per column of y."
            )
        alphas = np.broadcast_to(alpha, (n_targets,))
        return [self._averaged_penalty(total_weight, float(a)) for a in alphas]

    def _averaged_penalty(self, total_weight, alpha):
        # sum s r^2 + alpha ||w||^2 = 2 S G with l2 = alpha / S.
        return alpha / total_weight, 0.0, 2.0 * total_weight


class PolynomialRegression(_LinearRegressorBase):
    """Least squares on polynomial features of the input, as one estimator.

    The features are those of ``sklearn.preprocessing.PolynomialFeatures(degree,
    interaction_only=interaction_only, include_bias=False)``; on them it minimises
    ``sum_i s_i r_i^2 + alpha ||w||^2`` with ``r_i = y_i - phi(x_i) w - b`` (alpha = 0,
    the default, is plain least squares).

    Parameters
    ----------
    degree : int, default=2
        Maximal degree of the polynomial features, >= 1.
    interaction_only : bool, default=False
        Keep only products of distinct features (no powers).
    alpha : float, default=0.0
        L2 penalty strength on the coefficients, >= 0.{params}

    {attributes}
    poly_features_ : sklearn.preprocessing.PolynomialFeatures
        The fitted feature map; ``poly_features_.get_feature_names_out()`` names the
        entries of ``coef_``.

    See Also
    --------
    LinearRegression : The same model on the raw features.
    sklearn.preprocessing.PolynomialFeatures : The feature map.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import PolynomialRegression
    >>> X = np.linspace(-3, 3, 20).reshape(-1, 1)
    >>> y = 0.5 * X.ravel() ** 2 + X.ravel() + 2
    >>> model = PolynomialRegression(degree=2).fit(X, y)
    >>> print(np.round(model.coef_, 6), round(float(model.intercept_), 6))
    [1.  0.5] 2.0
    """

    _solvers = _EXACT_SOLVERS
    _exact = True
    _accepts_sparse = True

    def __init__(
        self,
        degree=2,
        *,
        interaction_only=False,
        alpha=0.0,
        fit_intercept=True,
        copy_X=True,
        positive=False,
        solver="auto",
        learning_rate="auto",
        max_iter=1000,
        tol=1e-6,
        warm_start=False,
        random_state=None,
        verbose=0,
        n_jobs=None,
    ):
        self.degree = degree
        self.interaction_only = interaction_only
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.positive = positive
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    def _check_penalty_params(self):
        check_positive_int(self.degree, "degree")
        if not isinstance(self.interaction_only, (bool, np.bool_)):
            raise TypeError(
                f"interaction_only must be True or False; got {self.interaction_only!r}."
            )
        return {"alpha": check_nonnegative_float(self.alpha, "alpha")}

    def _averaged_penalty(self, total_weight, alpha):
        return alpha / total_weight, 0.0, 2.0 * total_weight

    def _standardise_design(self, design, sample_weight, fit_intercept, l2, l1):
        # Polynomial features are our own array and badly conditioned (x and x^2 are
        # nearly collinear); standardising them is an exact change of variables when
        # there is no penalty, and shifting is exact whenever the intercept is fitted.
        # Both are undone on the coefficients after the solve. Weighted moments, so that
        # weights and repeated rows give the same solver coordinates.
        n_features = design.shape[1]
        if sparse.issparse(design):  # shifting would fill it in: solved as it is
            return np.zeros(n_features), np.ones(n_features)
        shift = np.zeros(n_features)
        stretch = np.ones(n_features)
        s = np.ones(design.shape[0]) if sample_weight is None else sample_weight
        s = s.astype(np.float64) / np.sum(s, dtype=np.float64)
        if fit_intercept:
            shift = (s @ design).astype(design.dtype).astype(np.float64)
            design -= shift.astype(design.dtype)
        if l2 == 0 and l1 == 0:
            spread = np.sqrt(s @ np.square(design, dtype=np.float64))
            usable = np.isfinite(spread) & (spread > 0)
            stretch = np.where(usable, 1.0 / np.where(usable, spread, 1.0), 1.0)
            stretch = stretch.astype(design.dtype).astype(np.float64)
            design *= stretch.astype(design.dtype)
        return shift, stretch

    def _design_matrix(self, X, fitting):
        if fitting:
            features = PolynomialFeatures(
                int(self.degree), interaction_only=bool(self.interaction_only), include_bias=False
            ).fit(X)
        else:
            features = self.poly_features_
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
            if sparse.issparse(X) and not X.has_canonical_format:
                # scikit-learn's sparse expansion multiplies stored entries, so repeated
                # ones must be summed first: on a copy (sparse), never the caller's X
                X = X.copy()
                X.sum_duplicates()
            design = features.transform(X)
            if sparse.issparse(design):  # scikit-learn keeps a sparse X sparse
                design = check_sparse_structure(design.astype(X.dtype), "X")
            else:
                design = np.ascontiguousarray(design, dtype=X.dtype)
        values = design.data if sparse.issparse(design) else design
        if not np.all(np.isfinite(values)):
            raise ValueError(
                f"The degree-{features.degree} polynomial features of X overflow "
                f"{X.dtype}; scale X (for example with sklearn.preprocessing.StandardScaler)."
            )
        return design, {"poly_features_": features}


def _fill_docstrings():
    for cls, max_iter, tol, lstsq in [
        (LinearRegression, 1000, "1e-6", True),
        (Ridge, 1000, "1e-6", True),
        (PolynomialRegression, 1000, "1e-6", True),
    ]:
        if not cls.__doc__:  # stripped under python -OO
            continue
        shape = "n_polynomial_features" if cls is PolynomialRegression else "n_features"
        cls.__doc__ = cls.__doc__.format(
            params=_parameters_doc(max_iter, tol, lstsq),
            attributes=_REGRESSOR_ATTRIBUTES_DOC.format(shape=shape),
        )


_fill_docstrings()
