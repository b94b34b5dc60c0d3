# fastreg._coordinate_descent: the L1-penalised least-squares regressors, Lasso and
# ElasticNet, drop-ins for scikit-learn's. Each only names its parameters and documents
# them; the fit (coordinate descent on the Gram matrix or on the columns of X, or one of
# fastreg's own solvers) is fastreg._enet_fit._ElasticNetBase.
from fastreg._enet_fit import _ElasticNetBase
from fastreg._validation import check_fraction, check_nonnegative_float

_SHARED_PARAMETERS_DOC = """
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept. If False, the data are assumed to be
        centred.
    precompute : "auto", bool or array-like of shape (n_features, n_features), \
default="auto"
        Whether coordinate descent works on the Gram matrix ``X^T X`` (computed once,
        one read of X, then O(n_features^2) per sweep) or on the columns of X (O(n_samples
        n_features) per sweep, on a column-major copy unless X is F-contiguous). "auto"
        uses the Gram matrix when ``n_samples >= n_features`` and it takes at most 1 GiB.
        A Gram matrix may be passed, in scikit-learn's convention (of the centred X, with
        the sample weights rescaled to sum to n_samples); it is spot-checked, and
        recomputed with a UserWarning when fitting an intercept on uncentred X. Both
        ways take the same steps and give the same answer to rounding. (scikit-learn's
        default is False.) A scipy.sparse X (never densified) always takes the Gram,
        from sparse products, while it has at most 4096 columns; a wider one is fitted
        by FISTA on its CSR rows, in rounds of stricter tolerance until the duality gap
        passes scikit-learn's test below.
    max_iter : int, default=1000
        Maximum number of sweeps over the coordinates (iterations for the other solvers).
    copy_X : bool, default=True
        Accepted for compatibility: fastreg never modifies X.
    tol : float, default=1e-4
        scikit-learn's stopping rule: after a sweep whose largest coefficient change is
        <= ``tol`` times the largest coefficient, the duality gap is computed, and the
        fit stops once it is <= ``tol * ||y - mean(y)||^2 / n_samples`` (weighted by the
        sample weights rescaled to sum to n_samples); otherwise a ConvergenceWarning is
        issued. For solver "fista", "gd" or "lbfgs", fastreg's rule instead: the largest
        entry of the minimum-norm subgradient of the objective is <= ``tol``.
    warm_start : bool, default=False
        Start from the previous solution when refitting on data of the same shape.
    positive : bool, default=False
        Constrain the coefficients to be >= 0.
    random_state : int, RandomState instance or None, default=None
        Seeds the coordinate order when ``selection="random"``: as in scikit-learn, the
        generator's seed is ``check_random_state(random_state).randint(0, 2**31 - 1)``
        per target, so an int gives the same fit every time (and scikit-learn's
        coordinate sequence). Unused for ``selection="cyclic"``.
    selection : {"cyclic", "random"}, default="cyclic"
        Visit the coordinates in order each sweep, or draw each one uniformly at random
        (with the xorshift32 generator of scikit-learn).
    solver : {"auto", "cd", "fista", "gd", "lbfgs"}, default="auto"
        "auto" and "cd" are coordinate descent. fastreg's iterative solvers on passes
        over X are also available, with their own stopping rule (see ``tol``): "fista"
        (accelerated proximal gradient with backtracking), "gd" (proximal gradient
        descent with a fixed step) and "lbfgs" (only without an L1 term or constraint).
        Their ``dual_gap_`` is computed at the returned coefficients.
    learning_rate : "auto" or float, default="auto"
        Step of "gd" (first step of "fista") on the objective above; "auto" derives it
        from a Lipschitz bound. Unused by coordinate descent.
    verbose : int, default=0
        When > 0, print the sweep, objective and elapsed seconds about every 0.5 s, and
        a summary line per target.
    n_jobs : int, default=None
        Threads of the compiled kernels (the Gram matrix, the gap passes over columns,
        the other solvers' passes). None uses the OpenMP thread limit; -1 all cores.
        Results are bitwise identical for any thread count."""

_ATTRIBUTES_DOC = """Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, in the dtype of the training data.
    sparse_coef_ : sparse matrix of shape (1, n_features) or (n_targets, n_features)
        ``coef_`` in CSR form.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept (0.0 when ``fit_intercept=False``).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap of the objective above at the solution, as scikit-learn reports it.
    n_iter_ : int or list of int
        Sweeps (iterations) run per target; 0 when a warm start was already optimal.
    loss_curve_ : ndarray of shape (n_iter_,) or list of ndarray
        The objective above after each sweep (per target for a 2-D y).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names."""


class Lasso(_ElasticNetBase):
    """Least squares with an L1 penalty, by coordinate descent (scikit-learn's Lasso).

    Minimises ``1/(2 sum_i s_i) sum_i s_i r_i^2 + alpha ||w||_1`` with
    ``r_i = y_i - x_i w - b`` (the intercept is not penalised). Coefficients driven to
    zero are exactly zero. For a 2-D y each column is fitted separately.

    Parameters
    ----------
    alpha : float, default=1.0
        L1 penalty strength, >= 0 (0 warns: use LinearRegression).{params}

    {attributes}

    See Also
    --------
    ElasticNet : L1 and L2 penalties.
    Ridge : L2 penalty.
    sklearn.linear_model.Lasso : scikit-learn's version, the same answer.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import Lasso
    >>> model = Lasso(alpha=0.1).fit([[0, 0], [1, 1], [2, 2]], [0, 1, 2])
    >>> print(np.round(model.coef_, 6), round(float(model.intercept_), 6))
    [0.85 0.  ] 0.15
    """

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        precompute="auto",
        copy_X=True,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
        solver="auto",
        learning_rate="auto",
        verbose=0,
        n_jobs=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver
        self.learning_rate = learning_rate
        self.verbose = verbose
        self.n_jobs = n_jobs

    def _penalty_params(self):
        return check_nonnegative_float(self.alpha, "alpha"), 1.0


class ElasticNet(_ElasticNetBase):
    """Least squares with L1 and L2 penalties, by coordinate descent (scikit-learn's
    ElasticNet).

    Minimises ``1/(2 sum_i s_i) sum_i s_i r_i^2 + alpha l1_ratio ||w||_1
    + alpha (1 - l1_ratio)/2 ||w||^2`` with ``r_i = y_i - x_i w - b`` (the intercept is
    not penalised). For a 2-D y each column is fitted separately.

    Parameters
    ----------
    alpha : float, default=1.0
        Overall penalty strength, >= 0 (0 warns: use LinearRegression).
    l1_ratio : float, default=0.5
        Share of the L1 penalty, in [0, 1] (1 is the Lasso, 0 a ridge penalty).{params}

    {attributes}

    See Also
    --------
    Lasso : L1 penalty only.
    Ridge : L2 penalty only.
    sklearn.linear_model.ElasticNet : scikit-learn's version, the same answer.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import ElasticNet
    >>> X = np.array([[-1.0], [0.0], [1.0]])
    >>> model = ElasticNet(alpha=0.5, l1_ratio=0.5).fit(X, [-1.0, 0.0, 1.0])
    >>> print(np.round(model.coef_, 5))
    [0.45455]
    """

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        copy_X=True,
        tol=1e-4,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
        solver="auto",
        learning_rate="auto",
        verbose=0,
        n_jobs=None,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver
        self.learning_rate = learning_rate
        self.verbose = verbose
        self.n_jobs = n_jobs

    def _penalty_params(self):
        return (
            check_nonnegative_float(self.alpha, "alpha"),
            check_fraction(self.l1_ratio, "l1_ratio"),
        )


def _fill_docstrings():
    for cls in (Lasso, ElasticNet):
        if not cls.__doc__:  # stripped under python -OO
            continue
        cls.__doc__ = cls.__doc__.format(params=_SHARED_PARAMETERS_DOC, attributes=_ATTRIBUTES_DOC)


_fill_docstrings()
