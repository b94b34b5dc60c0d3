# Type stub of the compiled bridge fastreg._kernels (see _kernels.pyx).
#
# X is a C-contiguous 2-D ndarray or a scipy.sparse CSR matrix or array (float32/float64
# values, int32 or int64 indptr and indices of one dtype; its structure is checked before
# C reads it). The bridge trusts its caller otherwise: arrays must already be C-contiguous, of one float dtype
# (float32 or float64) shared by X, y, sample_weight and the output arrays, with
# consistent shapes. Validation lives in the Python layer (fastreg/_validation.py).
# `coef` and `intercept` passed to solve() are float64 whatever the data dtype; the ones
# passed to loss_gradient() have the data's dtype.
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

LOSS_SQUARED: int
LOSS_LOGISTIC: int
LOSS_MULTINOMIAL: int
SOLVER_GD: int
SOLVER_FISTA: int
SOLVER_LBFGS: int
STATUS_CONVERGED: int
STATUS_MAX_ITER: int
STATUS_DIVERGED: int
STATUS_INTERRUPTED: int
STATUS_NO_MEMORY: int

def sigmoid(x: NDArray[Any], out: NDArray[Any]) -> None:
    """out[:] = sigmoid(x) elementwise; x and out 1-D, same dtype and length."""

def log_sum_exp(Z: NDArray[Any], out: NDArray[Any]) -> None:
    """out[i] = log(sum_j exp(Z[i, j])); Z 2-D (n, k), out 1-D (n,)."""

def softmax(Z: NDArray[Any], out: NDArray[Any]) -> None:
    """out[i, :] = softmax(Z[i, :]); Z and out 2-D, same shape."""

def loss_gradient(
    loss: int,
    X: NDArray[Any],
    y: NDArray[Any],
    sample_weight: NDArray[Any] | None,
    coef: NDArray[Any],
    intercept: NDArray[Any],
    n_threads: int,
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
    """One fused pass: (sum_i s_i l_i, gradient wrt coef (K, d), gradient wrt intercept (K,))."""

def solve(
    loss: int,
    X: NDArray[Any],
    y: NDArray[Any],
    sample_weight: NDArray[Any] | None,
    coef: NDArray[np.float64],
    intercept: NDArray[np.float64],
    *,
    solver: int,
    l2: float,
    l1: float,
    fit_intercept: bool,
    learning_rate: float,
    max_iter: int,
    tol: float,
    n_threads: int,
    progress: Callable[[int, float], bool | None] | None = None,
    progress_interval: float = 0.2,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], int, int]:
    """Minimise the averaged objective; returns (coef, intercept, objective_curve, n_iter,
    status). coef and intercept are updated in place and also returned; objective_curve
    has n_iter entries. progress(iteration, objective) is called with the GIL held every
    progress_interval seconds; returning True, or raising, stops the solve (an exception,
    for example KeyboardInterrupt from a pending signal, propagates). Signals are checked
    at the same points even when progress is None."""

def build_info() -> dict[str, Any]:
    """{'openmp': bool, 'max_threads': int, 'serial_after_fork': bool, 'simd': str,
    'compiler': str, 'c_flags': str, 'build_type': str}."""

def stream_read(data: NDArray[np.float64], n_threads: int) -> float:
    """Read every element of a 1-D float64 array once (bandwidth probe); returns their sum."""

# ---- the statistics pass ------------------------------------------------------------------

def statistics(
    X: NDArray[Any], Y: NDArray[Any], sample_weight: NDArray[Any] | None, n_threads: int
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
    """One read of X (n, d) and Y (n, T): (sum of weights, weighted means of [X | Y] (d + T,),
    centred weighted cross products of [X | Y] (d + T, d + T)); float64."""

# ---- coordinate descent for least squares (src_c/solver_cd.c) ---------------------------

CD_SELECTIONS: dict[str, int]

def coordinate_descent(
    data: Any, options: Any, coef: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], int, int, float, float, float, float]:
    """Coordinate descent on fastreg._problem.GramData or ColumnData with
    CoordinateDescentOptions; coef (n_features,) is updated in place. Returns (coef,
    objective_curve, n_iter, status, gap, tol_scaled, objective, optimality)."""

def cd_random(state: int, count: int) -> tuple[NDArray[np.uint32], int]:
    """count draws of the xorshift32 generator from state, and the final state."""

def column_major(X: NDArray[Any], n_threads: int) -> NDArray[Any]:
    """An F-contiguous copy of a C-contiguous float32/float64 X (tiled transpose)."""

def column_means(
    loss: int, X: Any, y: NDArray[Any], sample_weight: NDArray[Any] | None, n_threads: int
) -> tuple[NDArray[np.float64], float]:
    """Sample-weighted column means (d,) and the weight sum; X dense or CSR."""

def scores(
    X: Any, coef: NDArray[Any], intercept: NDArray[Any], n_threads: int
) -> NDArray[np.float64]:
    """X @ coef.T + intercept as float64 (n, K); X dense or CSR."""

# ---- sparse X: the chunks of a pass ----

def chunk_bounds(X: Any) -> NDArray[np.int64]:
    """Row boundaries [0, ..., n_rows] of the chunks a pass over X is cut into."""
