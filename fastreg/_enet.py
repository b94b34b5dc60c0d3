# fastreg._enet: the elastic net on least squares beneath the estimators. It builds the
# data coordinate descent reads (the Gram matrix from the sufficient statistics, or the
# columns of X), decides between the two in one place (`use_gram`), and solves for one
# target and one alpha from a given start point (`solve_enet`), which is what a
# regularisation path calls alpha after alpha with warm starts.
#
# Design decisions:
#   a. The solver works on the summed objective P = S G (src_c/fastreg.h, coordinate
#      descent), S the weight sum: the statistics enter unscaled, the penalty is
#      l1 = alpha l1_ratio S, l2 = alpha (1 - l1_ratio) S. scikit-learn's coordinate
#      descent minimises n/S times the same function (it rescales the weights to sum to
#      n), so its duality gap is n/S times ours, its tolerance tol ||y_c||^2 n/S, and its
#      dual_gap_ (its gap divided by n) is our gap divided by S. The test gap <= tol y_c^T
#      S y_c is the same inequality in either scale.
#   b. A system holds everything about the data for every target and every alpha: the
#      statistics are computed once per fit (one read of X), and a path reuses them.
#   c. The columns are read in X's dtype; the means they are centred by, the residual
#      and every sum are float64.
import dataclasses

import numpy as np

from fastreg import _kernels, _sparse_least_squares
from fastreg._problem import ColumnData, CoordinateDescentOptions, GramData, Penalty
from fastreg._reference_coordinate_descent import duality_gap
from fastreg._statistics import sufficient_statistics

# The largest Gram matrix precompute="auto" builds: 1 GiB of float64 (11585 features).
GRAM_MEMORY_BUDGET = 2**30
# scikit-learn draws the generator's seed in [0, 2**31 - 1).
SEED_BOUND = 2**31 - 1


def use_gram(precompute, n_samples, n_features, *, sparse=False):
    """Whether coordinate descent works on the Gram matrix: the one place that decides.

    Parameters
    ----------
    precompute : bool, "auto" or ndarray
        The estimator's ``precompute`` (already checked).
    n_samples, n_features : int
        Shape of X.
    sparse : bool, default=False
        Whether X is sparse. A sparse X has no column system (coordinate descent reads
        dense columns), so it takes the Gram, from sparse products, whenever the Gram
        fits comfortably (fastreg._sparse_least_squares.gram_fits), whatever
        ``precompute`` says; past that the estimators fall back on "fista".

    Returns
    -------
    bool
        True for a Gram array or ``True``; for "auto", when ``n_samples >= n_features``
        and the Gram matrix fits in ``GRAM_MEMORY_BUDGET`` bytes.
    """
    if sparse:
        return _sparse_least_squares.gram_fits(n_features)
    if isinstance(precompute, np.ndarray) or precompute is True:
        return True
    if precompute is False:
        return False
    return n_samples >= n_features and 8 * n_features * n_features <= GRAM_MEMORY_BUDGET


@dataclasses.dataclass(frozen=True)
class LeastSquaresSystem:
    """The data of a least-squares fit as coordinate descent reads it, for all targets.

    Parameters
    ----------
    sum_weights : float
        S = sum_i s_i.
    n_samples : int
        Rows of X.
    x_mean : ndarray of shape (n_features,)
        Weighted column means the data are centred by (zeros without an intercept).
    y_mean : ndarray of shape (n_targets,)
        Weighted target means (zeros without an intercept).
    gram : ndarray of shape (n_features, n_features) or None
        ``X_c^T S X_c`` when the system is the statistics.
    xty : ndarray of shape (n_features, n_targets) or None
        ``X_c^T S Y_c`` when the system is the statistics.
    yty : ndarray of shape (n_targets,)
        ``diag(Y_c^T S Y_c)``.
    X : ndarray of shape (n_samples, n_features) or None
        F-contiguous X when the system is the columns.
    Y : ndarray of shape (n_samples, n_targets) or None
        The targets, in X's dtype, when the system is the columns.
    sample_weight : ndarray of shape (n_samples,) or None
        The weights, in X's dtype (None: unit weights), for the columns.
    """

    sum_weights: float
    n_samples: int
    x_mean: np.ndarray
    y_mean: np.ndarray
    yty: np.ndarray
    gram: np.ndarray | None = None
    xty: np.ndarray | None = None
    X: np.ndarray | None = None
    Y: np.ndarray | None = None
    sample_weight: np.ndarray | None = None

    @property
    def uses_gram(self) -> bool:
        """Whether the solver reads the Gram matrix (else the columns of X)."""
        return self.gram is not None

    @property
    def n_targets(self) -> int:
        """Number of targets."""
        return int(self.y_mean.shape[0])

    def data(self, target):
        """The solver's data for one target: GramData or ColumnData."""
        if self.uses_gram:
            xty = np.ascontiguousarray(self.xty[:, target])
            return GramData(self.gram, xty, float(self.yty[target]))
        y = np.ascontiguousarray(self.Y[:, target])
        return ColumnData(self.X, y, self.sample_weight, self.x_mean, float(self.y_mean[target]))


def gram_system(statistics, fit_intercept):
    """The system of the sufficient statistics (centred when fitting an intercept).

    Parameters
    ----------
    statistics : fastreg._statistics.Statistics
        The statistics of (X, Y, s).
    fit_intercept : bool
        Centred statistics when True, raw products otherwise.

    Returns
    -------
    LeastSquaresSystem
    """
    st = statistics
    if fit_intercept:
        gram, xty, yty, x_mean, y_mean = st.gram, st.xty, st.yty, st.x_mean, st.y_mean
    else:
        gram, xty, yty = st.uncentred()
        x_mean, y_mean = np.zeros(st.n_features), np.zeros(st.n_targets)
    return LeastSquaresSystem(
        float(st.sum_weights),
        int(st.n_samples),
        np.asarray(x_mean, dtype=np.float64),
        np.asarray(y_mean, dtype=np.float64),
        np.ascontiguousarray(np.diag(yty), dtype=np.float64),
        gram=np.ascontiguousarray(gram, dtype=np.float64),
        xty=np.asarray(xty, dtype=np.float64).reshape(st.n_features, st.n_targets),
    )


def weighted_means(X, Y, sample_weight):
    """float64 weighted means of the columns of X and of Y, and the weight sum."""
    if sample_weight is None:
        S = float(X.shape[0])
        return X.mean(axis=0, dtype=np.float64), Y.mean(axis=0, dtype=np.float64), S
    s = np.asarray(sample_weight, dtype=np.float64)
    S = float(np.sum(s))
    x_mean = np.einsum("i,ij->j", s, X, dtype=np.float64) / S
    y_mean = np.einsum("i,ij->j", s, Y, dtype=np.float64) / S
    return x_mean, y_mean, S


def _target_cross_products(X, Y, sample_weight, x_mean, y_mean):
    """``X_c^T S Y_c`` (d, K) and ``diag(Y_c^T S Y_c)`` without centring a copy of X."""
    Yc = np.asarray(Y, dtype=np.float64) - y_mean
    sYc = Yc if sample_weight is None else Yc * np.asarray(sample_weight, np.float64)[:, None]
    # X_c^T v = X^T v - mu (1^T v), in float64 (1^T v vanishes up to rounding)
    xty = X.T @ sYc - np.outer(x_mean, sYc.sum(axis=0))
    return xty, np.einsum("ik,ik->k", sYc, Yc)


def statistics_system(X, Y, sample_weight, fit_intercept, n_threads, gram=None):
    """The Gram system of a dense fit: from the sufficient statistics, or around ``gram``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        float32 or float64 data (C-contiguous is read without a copy).
    Y : ndarray of shape (n_samples, n_targets)
        Targets in X's dtype.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights in X's dtype.
    fit_intercept : bool
        Whether the data are centred.
    n_threads : int
        Threads of the statistics pass.
    gram : ndarray of shape (n_features, n_features) or None, default=None
        A precomputed ``X_c^T S X_c`` (float64, summed scale); then only the cross
        products with Y are computed.

    Returns
    -------
    LeastSquaresSystem
    """
    if gram is None:
        stats = sufficient_statistics(
            np.ascontiguousarray(X), Y, sample_weight, n_threads=n_threads
        )
        return gram_system(stats, fit_intercept)
    x_mean, y_mean, S = weighted_means(X, Y, sample_weight)
    if not fit_intercept:
        x_mean, y_mean = np.zeros_like(x_mean), np.zeros_like(y_mean)
    xty, yty = _target_cross_products(X, Y, sample_weight, x_mean, y_mean)
    return LeastSquaresSystem(
        S, int(X.shape[0]), x_mean, y_mean, yty, gram=np.ascontiguousarray(gram), xty=xty
    )


def columns_system(X, Y, sample_weight, fit_intercept, n_threads=1):
    """The column system of a dense fit: X column-major (a copy unless already so).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        float32 or float64 data.
    Y : ndarray of shape (n_samples, n_targets)
        Targets in X's dtype.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights in X's dtype.
    fit_intercept : bool
        Whether the columns and targets are centred (on the fly; X is never modified).
    n_threads : int, default=1
        Threads of the column-major copy.

    Returns
    -------
    LeastSquaresSystem
    """
    if not X.flags.f_contiguous:
        X = _kernels.column_major(np.ascontiguousarray(X), n_threads)
    x_mean, y_mean, S = weighted_means(X, Y, sample_weight)
    if not fit_intercept:
        x_mean, y_mean = np.zeros_like(x_mean), np.zeros_like(y_mean)
    Yc = np.asarray(Y, dtype=np.float64) - y_mean
    s = np.ones(X.shape[0]) if sample_weight is None else sample_weight.astype(np.float64)
    yty = np.einsum("i,ik,ik->k", s, Yc, Yc)
    return LeastSquaresSystem(
        S,
        int(X.shape[0]),
        x_mean,
        y_mean,
        yty,
        X=X,
        Y=np.asarray(Y),
        sample_weight=sample_weight,
    )


@dataclasses.dataclass(frozen=True)
class EnetSolution:
    """What one coordinate-descent solve returns.

    Parameters
    ----------
    coef : ndarray of shape (n_features,)
        float64 coefficients.
    dual_gap : float
        Duality gap of the averaged objective at ``coef`` (scikit-learn's ``dual_gap_``).
    n_iter : int
        Sweeps done (0 when the start point already passed the test).
    status : int
        A ``fastreg._kernels.STATUS_*`` code.
    objective_curve : ndarray of shape (n_iter,)
        The averaged objective after each sweep.
    objective : float
        The averaged objective at ``coef``.
    gap_scaled, tol_scaled : float
        The gap and the tolerance it was compared with, in scikit-learn's scale (what its
        ConvergenceWarning prints).
    """

    coef: np.ndarray
    dual_gap: float
    n_iter: int
    status: int
    objective_curve: np.ndarray
    objective: float
    gap_scaled: float
    tol_scaled: float

    @property
    def converged(self) -> bool:
        """Whether the duality-gap test passed."""
        return self.status == _kernels.STATUS_CONVERGED


def solve_enet(
    system,
    target,
    alpha,
    l1_ratio,
    coef_init=None,
    *,
    positive=False,
    max_iter=1000,
    tol=1e-4,
    selection="cyclic",
    seed=0,
    screening=True,
    n_threads=1,
    progress=None,
    progress_interval=0.2,
    solver=None,
):
    """Minimise the elastic net of scikit-learn's ElasticNet for one target and one alpha.

    The objective is ``1/(2S) sum_i s_i r_i^2 + alpha l1_ratio ||w||_1 + alpha (1 -
    l1_ratio)/2 ||w||^2`` with the intercept (centring) already in ``system``. Calling it
    alpha after alpha with ``coef_init`` the previous solution is a warm-started path.

    Parameters
    ----------
    system : LeastSquaresSystem
        The data.
    target : int
        Which column of Y.
    alpha : float
        Penalty strength (>= 0).
    l1_ratio : float
        Share of the L1 term, in [0, 1].
    coef_init : array-like of shape (n_features,) or None, default=None
        Start point (zeros when None); not modified.
    positive : bool, default=False
        Constrain the coefficients to be >= 0.
    max_iter : int, default=1000
        Maximum number of sweeps.
    tol : float, default=1e-4
        scikit-learn's tolerance (decision a).
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order.
    seed : int, default=0
        Seed of the "random" order.
    screening : bool, default=True
        Gap safe screening.
    n_threads : int, default=1
        Threads of the gap pass on columns.
    progress : callable or None, default=None
        ``progress(sweep, summed objective)``; returning True stops the solve.
    progress_interval : float, default=0.2
        Seconds between progress calls (and checks for a pending signal).
    solver : callable or None, default=None
        ``fastreg._kernels.coordinate_descent`` (None) or its twin
        ``fastreg.reference.coordinate_descent``.

    Returns
    -------
    EnetSolution
    """
    S = system.sum_weights
    penalty = Penalty(
        l2=alpha * (1.0 - l1_ratio) * S, l1=alpha * l1_ratio * S, positive=bool(positive)
    )
    options = CoordinateDescentOptions(
        penalty=penalty,
        max_iter=int(max_iter),
        tol=float(tol),
        selection=selection,
        seed=int(seed),
        screening=bool(screening),
        n_threads=int(n_threads),
        progress=progress,
        progress_interval=float(progress_interval),
    )
    n_features = system.x_mean.shape[0]
    coef = np.zeros(n_features) if coef_init is None else np.array(coef_init, dtype=np.float64)
    run = _kernels.coordinate_descent if solver is None else solver
    coef, curve, n_iter, status, gap, tol_scaled, objective, _ = run(
        system.data(target), options, coef
    )
    to_sklearn = system.n_samples / S
    return EnetSolution(
        coef=coef,
        dual_gap=gap / S,
        n_iter=n_iter,
        status=status,
        objective_curve=np.asarray(curve) / S,
        objective=objective / S,
        gap_scaled=gap * to_sklearn,
        tol_scaled=tol_scaled * to_sklearn,
    )


def dual_gap_at(X, y, sample_weight, coef, fit_intercept, alpha, l1_ratio, positive):
    """scikit-learn's ``dual_gap_`` at ``coef`` (with its best intercept), by two passes.

    What the estimators report after fastreg's own solvers ("fista", "gd", "lbfgs"),
    whose stopping rule is another.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Data.
    y : ndarray of shape (n_samples,)
        One target.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights.
    coef : ndarray of shape (n_features,)
        Coefficients.
    fit_intercept : bool
        Whether the data are centred.
    alpha, l1_ratio : float
        The penalty.
    positive : bool
        Whether the dual norm is the positive one.

    Returns
    -------
    float
    """
    s = np.ones(X.shape[0]) if sample_weight is None else sample_weight.astype(np.float64)
    S = float(np.sum(s))
    y = np.asarray(y, dtype=np.float64)
    r = y - X @ coef
    if fit_intercept:
        r = r - (s @ r) / S
    sr = s * r
    column_sums = np.asarray(X.T @ s) if _sparse_least_squares.is_sparse_data((X,)) else s @ X
    x_mean = column_sums / S if fit_intercept else 0.0
    xtr = X.T @ sr - x_mean * np.sum(sr)
    yc = y - (s @ y) / S if fit_intercept else y
    penalty = Penalty(alpha * (1 - l1_ratio) * S, alpha * l1_ratio * S, bool(positive))
    gap, _, _ = duality_gap(coef, penalty, float(sr @ r), float(sr @ yc), xtr)
    return gap / S


def sparse_system(X, Y, sample_weight, fit_intercept, gram=None):
    """The Gram system of a scipy.sparse X, from sparse products (X never densified).

    Parameters
    ----------
    X : scipy.sparse matrix of shape (n_samples, n_features)
        CSR data, float32 or float64.
    Y : ndarray of shape (n_samples, n_targets)
        Targets.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights.
    fit_intercept : bool
        Whether the data are centred (implicitly: a rank-one correction of the products).
    gram : ndarray of shape (n_features, n_features) or None, default=None
        A precomputed ``X_c^T S X_c`` (float64, summed scale); then only the means and
        the cross products with Y are computed.

    Returns
    -------
    LeastSquaresSystem
    """
    if gram is None:
        return gram_system(sufficient_statistics(X, Y, sample_weight), fit_intercept)
    n = X.shape[0]
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    S = float(np.sum(s))
    x_mean = np.asarray(X.T @ s, dtype=np.float64) / S
    y_mean = (s @ np.asarray(Y, dtype=np.float64)) / S
    if not fit_intercept:
        x_mean, y_mean = np.zeros_like(x_mean), np.zeros_like(y_mean)
    xty = _sparse_least_squares.cross_products(
        (X, Y, sample_weight), x_mean, y_mean, fit_intercept
    )
    Yc = np.asarray(Y, dtype=np.float64) - y_mean
    yty = np.einsum("i,ik,ik->k", s, Yc, Yc)
    return LeastSquaresSystem(
        S, int(n), x_mean, y_mean, yty, gram=np.ascontiguousarray(gram), xty=xty
    )
