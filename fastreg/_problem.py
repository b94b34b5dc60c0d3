# fastreg._problem: what a fit hands the kernel layer, as three small immutable objects:
# the Problem (data and loss), the Penalty and the SolverOptions. The compiled bridge
# (fastreg._kernels.solve) and its NumPy twin (fastreg.reference.solve) take the same
# objects, so either can run any fit. A Problem's X may also be CallerData: rows held
# outside the process, reached only through passes its owner runs (the compiled
# bridge's FR_CALLER data kind; fastreg._dask runs them on a Dask cluster).
import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np


@dataclasses.dataclass(frozen=True)
class Penalty:
    """A penalty of the kernel layer's penalty kinds (src_c/penalties.h).

    The kind "elastic_net" is ``P(W) = l2/2 ||W||^2 + l1 ||W||_1``, plus the constraint
    ``W >= 0`` when ``positive``.

    Parameters
    ----------
    l2 : float, default=0.0
        Strength of the squared L2 term (>= 0).
    l1 : float, default=0.0
        Strength of the L1 term (>= 0).
    positive : bool, default=False
        Whether the coefficients are constrained to be non-negative.
    kind : str, default="elastic_net"
        The penalty kind.
    param : float, default=0.0
        The kind's own parameter (the elastic net has none).
    """

    l2: float = 0.0
    l1: float = 0.0
    positive: bool = False
    kind: str = "elastic_net"
    param: float = 0.0

    @property
    def is_smooth(self) -> bool:
        """Whether P is differentiable everywhere (no L1 term, no constraint)."""
        return self.l1 == 0 and not self.positive


@dataclasses.dataclass(frozen=True)
class Problem:
    """A training problem: data, targets, weights and the per-sample loss.

    Parameters
    ----------
    loss : int
        A loss code of the kernel layer's loss table (``fastreg._kernels.LOSS_SQUARED``,
        ``LOSS_LOGISTIC``, ``LOSS_MULTINOMIAL``).
    X : ndarray of shape (n_samples, n_features)
        C-contiguous float32 or float64 data.
    y : ndarray of shape (n_samples,)
        Targets in X's dtype: the response, 0/1, or the class index.
    sample_weight : ndarray of shape (n_samples,) or None, default=None
        Weights in X's dtype; None means unit weights.
    n_outputs : int, default=1
        1, or the number of classes for a per-class loss (multinomial).
    loss_param : float, default=0.0
        A loss's own parameter; no loss of today has one.
    """

    loss: int
    X: Any
    y: Any
    sample_weight: Any = None
    n_outputs: int = 1
    loss_param: float = 0.0

    @property
    def n_samples(self) -> int:
        """Number of rows of X."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of columns of X."""
        return int(self.X.shape[1])

    def total_weight(self) -> float:
        """``S = sum_i s_i`` (the number of rows for unit weights), in float64."""
        if isinstance(self.X, CallerData):
            return self.X.total_weight()
        if self.sample_weight is None:
            return float(self.n_samples)
        return float(np.sum(self.sample_weight, dtype=np.float64))


@dataclasses.dataclass(frozen=True)
class SolverOptions:
    """How to minimise ``G(W, b) = (1/S) sum_i s_i l_i + P(W)``.

    Parameters
    ----------
    solver : {"gd", "fista", "lbfgs"}
        The iterative solver ("lbfgs" for smooth penalties only).
    penalty : Penalty, default=Penalty()
        The penalty P.
    fit_intercept : bool, default=True
        Whether the intercept is a variable (else held at its start value).
    learning_rate : float, default=0.0
        The fixed step of "gd" (first step of "fista"); <= 0 lets the solver choose.
    max_iter : int, default=100
        Maximum number of iterations (>= 1).
    tol : float, default=1e-4
        Stop when the optimality measure of G is <= tol.
    n_threads : int, default=1
        Kernel threads (>= 1); results do not depend on it.
    progress : callable or None, default=None
        ``progress(iteration, objective)``, called between passes at most every
        ``progress_interval`` seconds; returning True (or raising) stops the solve.
    progress_interval : float, default=0.2
        Seconds between progress calls.
    on_iteration : callable or None, default=None
        ``on_iteration(iteration, coef, intercept)``, called after every completed
        iteration with copies of the iterate in raw coordinates (scikit-learn's
        per-iteration callbacks); an exception it raises is re-raised once the solve ends.
    """

    solver: str
    penalty: Penalty = Penalty()
    fit_intercept: bool = True
    learning_rate: float = 0.0
    max_iter: int = 100
    tol: float = 1e-4
    n_threads: int = 1
    progress: Callable[[int, float], Any] | None = None
    progress_interval: float = 0.2
    on_iteration: Callable[[int, Any, Any], Any] | None = None


# ---- coordinate descent for least squares (src_c/solver_cd.c) -------------------------
# What fastreg._kernels.coordinate_descent and its twin fastreg.reference.coordinate_descent
# take: the data as statistics or as columns, and the options. The objective is the summed
#     P(w) = 1/2 ||y_c - X_c w||_S^2 + l1 ||w||_1 + l2/2 ||w||^2   (w >= 0 when positive),
# the averaged objective G times S = sum_i s_i.


@dataclasses.dataclass(frozen=True)
class GramData:
    """Least squares through its sufficient statistics: no pass over X.

    Parameters
    ----------
    gram : ndarray of shape (n_features, n_features)
        ``Q = X_c^T S X_c``: symmetric, C-contiguous float64.
    xty : ndarray of shape (n_features,)
        ``q = X_c^T S y_c``, float64.
    yty : float
        ``y_c^T S y_c``.
    """

    gram: Any
    xty: Any
    yty: float

    @property
    def n_features(self) -> int:
        """Number of features."""
        return int(self.xty.shape[0])


@dataclasses.dataclass(frozen=True)
class ColumnData:
    """Least squares through the columns of X, centred on the fly by the given means.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        F-contiguous (column-major) float32 or float64 data.
    y : ndarray of shape (n_samples,)
        Targets in X's dtype.
    sample_weight : ndarray of shape (n_samples,) or None, default=None
        Weights in X's dtype; None means unit weights.
    x_mean : ndarray of shape (n_features,) or None, default=None
        float64 means subtracted from the columns; None leaves them raw.
    y_mean : float, default=0.0
        Subtracted from y.
    """

    X: Any
    y: Any
    sample_weight: Any = None
    x_mean: Any = None
    y_mean: float = 0.0

    @property
    def n_features(self) -> int:
        """Number of features."""
        return int(self.X.shape[1])


@dataclasses.dataclass(frozen=True)
class CoordinateDescentOptions:
    """How coordinate descent minimises the summed objective P.

    Parameters
    ----------
    penalty : Penalty
        ``l1``, ``l2`` and ``positive`` of P (the averaged penalty times S).
    max_iter : int, default=1000
        Maximum number of sweeps (>= 1).
    tol : float, default=1e-4
        scikit-learn's tolerance: after a sweep whose largest change is <= tol times the
        largest coefficient, stop if the duality gap is <= ``tol * y_c^T S y_c``.
    selection : {"cyclic", "random"}, default="cyclic"
        Visit the coordinates in order, or draw each from the xorshift32 generator.
    seed : int, default=0
        State of the generator for "random" (0 acts as 1), in [0, 2**32).
    screening : bool, default=True
        Use the gap safe screening rules (when ``l1 > 0``).
    n_threads : int, default=1
        Threads of the gap pass over the columns; results do not depend on it.
    progress : callable or None, default=None
        ``progress(sweep, objective)`` between sweeps, at most every
        ``progress_interval`` seconds; returning True (or raising) stops the solve.
    progress_interval : float, default=0.2
        Seconds between progress calls.
    """

    penalty: Penalty
    max_iter: int = 1000
    tol: float = 1e-4
    selection: str = "cyclic"
    seed: int = 0
    screening: bool = True
    n_threads: int = 1
    progress: Callable[[int, float], Any] | None = None
    progress_interval: float = 0.2


class CallerData:
    """Training data held outside this process, reached through passes its owner runs.

    A Problem whose X is CallerData has ``y`` and ``sample_weight`` None: the targets and
    weights live with the rows. The compiled solver calls `loss_gradient` for every pass
    it makes and `column_means` for the weighted means and the weight sum, so a solve
    over CallerData runs the same iterations as over the same rows in memory. Each pass
    must return the sums the in-memory pass returns for the same rows, added in an order
    that depends on the data alone, so that solves are deterministic.

    Subclasses set ``shape`` (n_samples, n_features) and ``dtype`` (float32 or float64:
    the dtype the passes read the rows in) and implement the two passes.
    """

    shape: tuple[int, int]
    dtype: np.dtype

    def loss_gradient(self, loss, n_outputs, loss_param, coef, intercept, with_gradient):
        """The fused pass at one point, over every row.

        Parameters
        ----------
        loss : int
            The loss code (it may differ from the fitted problem's: the step-size
            estimate asks for the squared loss).
        n_outputs : int
            Rows of ``coef``.
        loss_param : float
            The loss's own parameter.
        coef : ndarray of shape (n_outputs, n_features)
            float64 coefficients.
        intercept : ndarray of shape (n_outputs,)
            float64 intercepts.
        with_gradient : bool
            Whether the gradient sums are needed.

        Returns
        -------
        loss_sum : float
            ``sum_i s_i l_i``.
        grad_coef : ndarray of shape (n_outputs, n_features) or None
            ``sum_i s_i dl_i/dW`` (None when not ``with_gradient``).
        grad_intercept : ndarray of shape (n_outputs,) or None
            ``sum_i s_i dl_i/db``.
        """
        raise NotImplementedError

    def column_means(self):
        """The sample-weighted column means and the weight sum.

        Returns
        -------
        means : ndarray of shape (n_features,)
            ``sum_i s_i X[i] / S`` (zeros when S is not positive and finite).
        total_weight : float
            ``S = sum_i s_i``.
        """
        raise NotImplementedError

    def total_weight(self):
        """``S = sum_i s_i``, in float64.

        Returns
        -------
        total_weight : float
        """
        return float(self.column_means()[1])
