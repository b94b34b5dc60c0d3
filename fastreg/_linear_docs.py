# fastreg._linear_docs: the shared parts of the least-squares regressors' docstrings
# (parameters, the solver table, attributes), filled into each class once at import so
# the table that says which method a solver name runs is written in one place.

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
    max_iter : int, default=1000
        Maximum number of iterations of the iterative solvers (epochs for "gd").
    tol : float, default=1e-6
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

_SOLVER_TABLE_DOC = """:

        ===============================  ==============================================
        solver                           method
        ===============================  ==============================================
        "auto", "cholesky", "lsqr",      exact: one statistics pass, Cholesky of the
        "sparse_cg", "sag", "saga"       (ridge-shifted) centred Gram with refinement
                                         passes when it is ill-conditioned, and the
                                         stable solve on X when even that would lose
                                         digits (collinear or rank-deficient columns);
                                         positive=True: Lawson-Hanson active set on the
                                         Gram
        "svd", "lstsq"                   the stable solve on X: scipy.linalg.lstsq
                                         (minimum norm) or the SVD (ridge) of the
                                         weighted centred X; positive=True:
                                         scipy.optimize.nnls on it
        "lbfgs"                          limited-memory BFGS (with positive=True,
                                         "fista", which honours the bound)
        "gd"                             batch (projected) gradient descent with the
                                         fixed step ``learning_rate``
        "fista"                          accelerated proximal gradient, backtracking
        ===============================  ==============================================

        scikit-learn's iterative names ("lsqr", "sparse_cg", "sag", "saga") name
        algorithms for the same minimiser, so they get the exact solve, which is both
        faster and more accurate here. A scipy.sparse X wider than 4096 columns (whose
        Gram would outweigh X) is fitted by "lbfgs" ("fista" with positive=True) for
        every exact name. The exact methods report ``n_iter_ = 1`` and ignore max_iter,
        tol and warm_start; the iterative ones stop by ``tol`` (below).{restrictions}"""

_RIDGE_RESTRICTIONS_DOC = """

        As in scikit-learn's Ridge, its solver names keep their restrictions:
        positive=True takes "auto" or "lbfgs" only, a sparse X with fit_intercept=True
        does not take "svd", "cholesky" or "saga", and "svd" takes dense X only
        (ValueError or TypeError, as there). fastreg's own names "lstsq", "gd" and
        "fista" have none of these restrictions."""

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
{solver_attribute}
    method_ : str
        The method that ran: "cholesky", "lstsq", "nnls", "gd", "fista" or "lbfgs".
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names."""


_SOLVER_ATTRIBUTE_DOC = """    solver_ : str
        The same as ``method_``."""

_RIDGE_SOLVER_ATTRIBUTE_DOC = """    solver_ : str
        The solver, named as scikit-learn's Ridge reports it: ``solver`` itself, or for
        "auto": "lbfgs" with positive=True, else "sparse_cg" for a sparse X and
        "cholesky" for a dense one. ``method_`` says which method ran."""


def fill_least_squares_docstring(cls, solver_names, shape="n_features", *, ridge=False):
    """Fill ``{params}`` and ``{attributes}`` of a least-squares regressor's docstring.

    ``solver_names`` are the values its ``solver`` takes; ``ridge`` adds the
    restrictions that scikit-learn's Ridge solver names keep and Ridge's ``solver_``.
    """
    if not cls.__doc__:  # stripped under python -OO
        return
    names = "{" + ", ".join(f'"{name}"' for name in solver_names) + "}"
    table = _SOLVER_TABLE_DOC.format(restrictions=_RIDGE_RESTRICTIONS_DOC if ridge else "")
    params = (
        _FIT_INTERCEPT_DOC
        + _COPY_X_DOC
        + _POSITIVE_DOC
        + _COMMON_PARAMETERS_DOC.format(solvers=names, solver_doc=table)
    )
    solver_attribute = _RIDGE_SOLVER_ATTRIBUTE_DOC if ridge else _SOLVER_ATTRIBUTE_DOC
    attributes = _REGRESSOR_ATTRIBUTES_DOC.format(shape=shape, solver_attribute=solver_attribute)
    cls.__doc__ = cls.__doc__.format(params=params, attributes=attributes)
