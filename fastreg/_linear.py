# fastreg._linear: the least-squares regressors (LinearRegression, Ridge,
# PolynomialRegression) and the base every regressor shares. Each one only says how its
# parameters map onto the solver's averaged objective G (see fastreg._base); fitting,
# solving and prediction are shared by _LinearRegressorBase. Lasso and ElasticNet live in
# fastreg._coordinate_descent.
import numpy as np
from sklearn.base import RegressorMixin
from sklearn.preprocessing import PolynomialFeatures

from fastreg import _base, _kernels
from fastreg._base import (
    LinearModelBase,
    dask_routed,
    lstsq_solve,
    resolve_solver,
    squared_objective,
)
from fastreg._problem import Penalty, Problem, SolverOptions
from fastreg._validation import (
    check_nonnegative_float,
    check_positive_int,
    check_regression_targets,
    check_sample_weight,
    validate_data_real,
)


class _LinearRegressorBase(RegressorMixin, LinearModelBase):
    """Squared-loss regression on the solver core (not public)."""

    def fit(self, X, y, sample_weight=None):
        """Fit the model by minimising the objective in the class docstring.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. float32 data is fitted in float32; a C-contiguous float32 or
            float64 array is used without a copy.
        y : array-like of shape (n_samples,)
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
        X, y = validate_data_real(self, X, y, y_numeric=True)
        design, extra_attributes = self._design_matrix(X, fitting=True)
        y = check_regression_targets(y, design.dtype)
        sample_weight = check_sample_weight(sample_weight, design.shape[0], design.dtype)
        problem = Problem(_kernels.LOSS_SQUARED, design, y, sample_weight)
        total_weight = problem.total_weight()
        l2, l1, scale = self._averaged_penalty(total_weight, **penalty)
        options = SolverOptions(
            solver=resolve_solver(params["solver"], Penalty(l2, l1), type(self).__name__),
            penalty=Penalty(l2, l1),
            fit_intercept=params["fit_intercept"],
            learning_rate=params["learning_rate"],
            max_iter=params["max_iter"],
            tol=params["tol"],
            n_threads=_base.effective_n_threads(params["n_jobs"]),
        )
        n_features = design.shape[1]
        shift, stretch = self._standardise_design(
            design, sample_weight, params["fit_intercept"], l2, l1
        )
        if options.solver == "lstsq":
            if l1 > 0:
                raise ValueError(
                    f"{type(self).__name__}: solver='lstsq' cannot handle an L1 penalty."
                )
            coef, intercept = lstsq_solve(
                design, y, sample_weight, l2 * total_weight, params["fit_intercept"]
            )
            objective = squared_objective(
                design, y, sample_weight, coef, intercept, l2 * total_weight
            )
            coef = coef.reshape(1, -1)
            intercept = np.array([intercept])
            loss_curve = np.array([scale / (2.0 * total_weight) * objective])
            n_iter = 1
        else:
            coef0, intercept0 = self._start_point(
                1, n_features, params["fit_intercept"], params["warm_start"]
            )
            # The same point in the solver's coordinates (see _standardise_design).
            intercept0 += coef0[0] @ shift
            coef0 /= stretch
            coef, intercept, loss_curve, n_iter = _base.run_solver(
                self,
                problem,
                options,
                scale=scale,
                coef_init=coef0,
                intercept_init=intercept0,
                verbose=params["verbose"],
            )
        coef = coef * stretch
        intercept = intercept - coef[0] @ shift
        for name, value in extra_attributes.items():
            setattr(self, name, value)
        self.coef_ = coef[0].astype(design.dtype)
        self.intercept_ = design.dtype.type(intercept[0])
        self.n_iter_ = n_iter
        self.loss_curve_ = loss_curve
        return self

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
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted values (float32 for float32 input to a float32 model).
        """
        X = self._validate_for_predict(X)
        design, _ = self._design_matrix(X, fitting=False)
        return design @ self.coef_ + self.intercept_

    score = dask_routed(RegressorMixin.score)


_FIT_INTERCEPT_DOC = """
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept."""

_COMMON_PARAMETERS_DOC = """
    solver : {solvers}, default="auto"
        "auto" uses "lbfgs" when the objective is smooth (no L1 term) and "fista" when
        it has one. "gd" is plain batch gradient descent with a fixed step
        (``learning_rate``); "fista" is accelerated proximal gradient with backtracking;
        "lbfgs" is limited-memory BFGS (smooth objectives only).{lstsq}
    learning_rate : "auto" or float, default="auto"
        Step size of "gd" (first step of "fista") on the per-sample averaged objective
        (the objective divided by the sum of the sample weights, so a given value means
        the same at any number of rows). "auto" derives it from a Lipschitz bound.
    max_iter : int, default={max_iter}
        Maximum number of iterations (epochs for "gd").
    tol : float, default={tol}
        Training stops when the optimality measure of the averaged objective (the
        largest absolute entry of its minimum-norm subgradient, intercept included)
        is <= tol; otherwise a ConvergenceWarning is issued.
    warm_start : bool, default=False
        Start from the previous solution when refitting on data of the same shape.
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility with scikit-learn. The solvers start from zero and
        reduce in a fixed order, so fits are deterministic and it has no effect.
    verbose : int, default=0
        When > 0, print the epoch, objective and elapsed seconds about every 0.5 s, and
        a summary line at the end.
    n_jobs : int, default=None
        Threads of the compiled kernels. None uses the OpenMP thread limit (all cores
        unless ``OMP_NUM_THREADS`` or threadpoolctl limit it); -1 all cores. Results
        are bitwise identical for any thread count."""

_REGRESSOR_ATTRIBUTES_DOC = """Attributes
    ----------
    coef_ : ndarray of shape ({shape},)
        Coefficients, in the dtype of the training data.
    intercept_ : float
        Intercept (0.0 when ``fit_intercept=False``).
    n_iter_ : int
        Number of solver iterations run (1 for "lstsq").
    loss_curve_ : ndarray of shape (n_iter_,)
        The objective above after each iteration, in that objective's scale.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names."""


def _parameters_doc(max_iter, tol, lstsq, with_fit_intercept=True):
    solvers = '{"auto", "gd", "fista", "lbfgs"' + (', "lstsq"}' if lstsq else "}")
    extra = (
        '\n        "lstsq" solves the weighted least-squares problem exactly with\n'
        "        numpy.linalg.lstsq (n_iter_ = 1)."
        if lstsq
        else ""
    )
    common = _COMMON_PARAMETERS_DOC.format(
        solvers=solvers, lstsq=extra, max_iter=max_iter, tol=tol
    )
    return (_FIT_INTERCEPT_DOC if with_fit_intercept else "") + common


class LinearRegression(_LinearRegressorBase):
    """Ordinary least squares fitted by gradient descent (or exactly with "lstsq").

    Minimises ``sum_i s_i r_i^2`` with ``r_i = y_i - x_i w - b`` and sample weights
    ``s_i`` (the same minimiser as scikit-learn's LinearRegression).

    Parameters
    ----------{params}

    {attributes}

    See Also
    --------
    Ridge : Least squares with an L2 penalty.
    PolynomialRegression : Least squares on polynomial features.
    sklearn.linear_model.LinearRegression : scikit-learn's exact solver.

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

    _solvers = ("auto", "gd", "fista", "lbfgs", "lstsq")

    def __init__(
        self,
        *,
        fit_intercept=True,
        solver="auto",
        learning_rate="auto",
        max_iter=1000,
        tol=1e-6,
        warm_start=False,
        random_state=None,
        verbose=0,
        n_jobs=None,
    ):
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    def _averaged_penalty(self, total_weight):
        # sum s r^2 = 2 S G with G = (1/S) sum s r^2 / 2.
        return 0.0, 0.0, 2.0 * total_weight


class Ridge(_LinearRegressorBase):
    """Least squares with an L2 penalty, fitted by gradient descent.

    Minimises ``sum_i s_i r_i^2 + alpha ||w||^2`` with ``r_i = y_i - x_i w - b``
    (the intercept is not penalised; the same minimiser as scikit-learn's Ridge).

    Parameters
    ----------
    alpha : float, default=1.0
        L2 penalty strength, >= 0 (0 gives ordinary least squares).{params}

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

    _solvers = ("auto", "gd", "fista", "lbfgs", "lstsq")

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        solver="auto",
        learning_rate="auto",
        max_iter=1000,
        tol=1e-6,
        warm_start=False,
        random_state=None,
        verbose=0,
        n_jobs=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    def _check_penalty_params(self):
        return {"alpha": check_nonnegative_float(self.alpha, "alpha")}

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
    >>> model = PolynomialRegression(degree=2, solver="lstsq").fit(X, y)
    >>> print(np.round(model.coef_, 6), round(float(model.intercept_), 6))
    [1.  0.5] 2.0
    """

    _solvers = ("auto", "gd", "fista", "lbfgs", "lstsq")

    def __init__(
        self,
        degree=2,
        *,
        interaction_only=False,
        alpha=0.0,
        fit_intercept=True,
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
            design = np.ascontiguousarray(features.transform(X), dtype=X.dtype)
        if not np.all(np.isfinite(design)):
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
