# fastreg._logistic_docs: the parameter and attribute sections of the classifiers'
# docstrings (fastreg._logistic fills them in), kept apart so the estimator module stays
# short. The solver table here is the one README shows.

SOLVER_TABLE = """
        ================== ============================================================
        solver             fastreg method (same objective as scikit-learn's solver)
        ================== ============================================================
        "lbfgs"            L-BFGS in C
        "newton-cg"        small models: Newton-Cholesky; else L-BFGS
        "newton-cholesky"  Newton steps on the Hessian from statistics passes,
                           Cholesky solve and line search (fast when d is small)
        "sag"              L-BFGS (L2 or no penalty)
        "saga"             L2: L-BFGS; an L1 term: small models: proximal Newton
                           with coordinate descent on the quadratic model, else FISTA
        "liblinear"        liblinear's objective (the intercept is the penalised
                           weight of a constant column ``intercept_scaling``), by
                           the methods of "newton-cg" (L2) or "saga" (L1); two
                           classes only
        "auto"             fastreg: L-BFGS if smooth, FISTA with an L1 term
        "gd"               fastreg: fixed-step proximal gradient descent
                           (``learning_rate``)
        "fista"            fastreg: accelerated proximal gradient with backtracking
        ================== ============================================================

        A small model has K (d + 1) <= 256 parameters (K = 1 for two classes).
        scikit-learn's rules hold for its names, with its messages: "lbfgs",
        "newton-cg", "newton-cholesky" and "sag" take only ``l1_ratio=0`` (or no
        penalty), elastic net needs "saga", "liblinear" needs a penalty and two
        classes. fastreg's names take every penalty. ``random_state`` never matters:
        every method is deterministic."""

PENALTY_DOC = """
    penalty : {"l1", "l2", "elasticnet", None}, default="deprecated"
        Deprecated as in scikit-learn 1.8 (a FutureWarning when set): use
        ``l1_ratio=0`` for "l2", ``l1_ratio=1`` for "l1", ``0 < l1_ratio < 1`` for
        "elasticnet" and ``C=np.inf`` for None. When set it decides the penalty, with
        scikit-learn's warnings about inconsistent ``l1_ratio`` and ``C``."""

C_DOC = """
    C : float, default=1.0
        Inverse regularisation strength, > 0; ``numpy.inf`` means no penalty."""

L1_RATIO_DOC = """
    l1_ratio : float, default=0.0
        Share of the L1 penalty, in [0, 1] (0: L2 only, 1: L1 only). None is
        deprecated as in scikit-learn 1.8 (a FutureWarning) and means 0."""

DUAL_DOC = """
    dual : bool, default=False
        scikit-learn's liblinear dual formulation. The dual of the L2 problem has the
        same minimiser, so ``dual=True`` is accepted with solver="liblinear" and an L2
        penalty and changes nothing; elsewhere it raises scikit-learn's error."""

TOL_DOC = """
    tol : float, default=1e-4
        Training stops when the largest absolute entry of the (minimum-norm sub)gradient
        of the objective divided by ``C`` times the weight sum, intercept included, is
        <= tol (scikit-learn's lbfgs test); otherwise a ConvergenceWarning is issued.
        For "liblinear", "sag" and "saga", whose tol is relative in scikit-learn, the
        bound is tightened to be at least as strict as liblinear's test (tol times the
        start gradient's norm, times the smaller class's share of the samples)."""

FIT_INTERCEPT_DOC = """
    fit_intercept : bool, default=True
        Whether to fit (unpenalised) intercepts."""

INTERCEPT_SCALING_DOC = """
    intercept_scaling : float, default=1
        With solver="liblinear" and ``fit_intercept=True``, the value of the constant
        column whose (penalised) weight times intercept_scaling is the intercept, as in
        scikit-learn: it changes the minimiser there. Every other solver leaves the
        intercept unpenalised, so it has no effect (any value > 0 is accepted)."""

CLASS_WEIGHT_DOC = """
    class_weight : dict, "balanced" or None, default=None
        Weights per class, multiplied into the sample weights; "balanced" uses
        ``n_samples / (n_classes * np.bincount(y))``."""

RANDOM_STATE_DOC = """
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility with scikit-learn; every fastreg method is
        deterministic, so it has no effect."""

SOLVER_DOC = """
    solver : str, default="{default}"
        One of scikit-learn's names or fastreg's own:{table}"""

MAX_ITER_DOC = """
    max_iter : int, default=100
        Maximum number of iterations (Newton steps for "newton-cholesky", epochs for
        "gd"); 0 returns the start point with a ConvergenceWarning."""

VERBOSE_DOC = """
    verbose : int, default=0
        When > 0, print the iteration, objective and elapsed seconds about every 0.5 s,
        and a summary line at the end."""

WARM_START_DOC = """
    warm_start : bool, default=False
        Start from the previous solution when refitting on data of the same shape and
        classes."""

N_JOBS_DOC = """
    n_jobs : int, default=None
        Threads of the compiled kernels. None uses the OpenMP thread limit (all cores
        unless ``OMP_NUM_THREADS`` or threadpoolctl limit it); -1 all cores. Results
        are bitwise identical for any thread count.{deprecation}"""

N_JOBS_DEPRECATION = """ As scikit-learn 1.8 does, LogisticRegression
        warns (FutureWarning) when it is set, since scikit-learn's has no effect."""

LEARNING_RATE_DOC = """
    learning_rate : "auto" or float, default="auto"
        Step size of "gd" (first step of "fista") on the per-sample averaged objective
        (the objective divided by the sum of the sample weights, so a given value means
        the same at any number of rows). "auto" derives it from a Lipschitz bound."""

FASTREG_PARAMS_DOC = """
    **fastreg_params : dict
        fastreg's additions to scikit-learn's parameters, keyword only: just
        ``learning_rate`` ("auto" or float, default "auto"), the step size of "gd"
        (first step of "fista") on the per-sample averaged objective (the objective
        divided by the sum of the sample weights, so a value means the same at any
        number of rows); "auto" derives it from a Lipschitz bound. It appears in
        ``get_params()`` only when it is not "auto", so scikit-learn code that rebuilds
        a LogisticRegression from ``get_params()`` keeps working, while ``clone``,
        ``set_params`` and grid searches carry it."""

ATTRIBUTES_DOC = """Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape ({rows}, n_features)
        Coefficients, in the dtype of the training data (float64 with
        solver="liblinear", as scikit-learn's; a scipy.sparse matrix after
        ``sparsify()``).
    intercept_ : ndarray of shape ({rows},)
        Intercepts (zeros when ``fit_intercept=False``).
    n_iter_ : ndarray of shape (1,), int32
        Number of solver iterations run, as scikit-learn reports it.
    loss_curve_ : ndarray of shape (n_iter_[0],)
        The objective above after each iteration, in that objective's scale
        (``sum_i s_i logloss_i`` when ``C=inf``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names."""


def logistic_parameters():
    """The Parameters section of LogisticRegression (scikit-learn's order, then fastreg's)."""
    return "".join(
        [
            PENALTY_DOC,
            C_DOC,
            L1_RATIO_DOC,
            DUAL_DOC,
            TOL_DOC,
            FIT_INTERCEPT_DOC,
            INTERCEPT_SCALING_DOC,
            CLASS_WEIGHT_DOC,
            RANDOM_STATE_DOC,
            SOLVER_DOC.format(default="lbfgs", table=SOLVER_TABLE),
            MAX_ITER_DOC,
            VERBOSE_DOC,
            WARM_START_DOC,
            N_JOBS_DOC.format(deprecation=N_JOBS_DEPRECATION),
            FASTREG_PARAMS_DOC,
        ]
    )


def softmax_parameters():
    """The Parameters section of SoftmaxRegression."""
    table = SOLVER_TABLE.replace(
        """        "liblinear"        liblinear's objective (intercept penalised as the weight
                           of a constant column ``intercept_scaling``): FISTA with L1,
                           else L-BFGS; two classes only
""",
        "",
    )
    return "".join(
        [
            C_DOC,
            L1_RATIO_DOC,
            FIT_INTERCEPT_DOC,
            CLASS_WEIGHT_DOC,
            SOLVER_DOC.format(default="auto", table=table),
            LEARNING_RATE_DOC,
            MAX_ITER_DOC,
            TOL_DOC,
            WARM_START_DOC,
            RANDOM_STATE_DOC,
            VERBOSE_DOC,
            N_JOBS_DOC.format(deprecation=""),
        ]
    )
