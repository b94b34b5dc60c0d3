# reference.py: the NumPy twin of fastreg's compiled kernel layer (src_c/ through
# fastreg/_kernels.pyx). Same signatures, same math, written to be read. The code lives in
# three modules that mirror the C files: _reference_passes (stable functions, the loss
# table, the passes over the data), _reference_objective (the objective and the penalty)
# and _reference_solvers (the solvers); this module is their public face.
#
# This is where the algorithm is explained, and it is the test oracle: every compiled
# kernel is checked against it. Each epoch is the honest NumPy way: Z = X @ W.T, then the
# per-row loss and derivative, then R.T @ X, i.e. two reads of X, vectorised, no Python
# loop over rows. A scipy.sparse CSR X is read entry by entry (csr_loss_gradient), as the
# compiled CSR pass reads it.
#
# Design decisions:
#   a. Layout as in src_c/fastreg.h: X is (n_samples, n_features); coef is
#      (n_outputs, n_features) and intercept (n_outputs,), n_outputs = 1 for the squared
#      and logistic losses and the number of classes K for the multinomial loss, whose
#      targets are class indices 0..K-1 stored as floats.
#   b. Per-sample losses: squared (y - z)^2 / 2, logistic log(1 + exp(z)) - y z,
#      multinomial logsumexp(z) - z_y. Every one is computed from exp(-|z|) or
#      exp(z - max z), which never overflows.
#   c. Dtypes: matrix products run in the data's dtype (float32 data stays float32, as in
#      the compiled kernels); the per-row losses, derivatives, loss sum and all solver
#      state are float64.
#   d. The solvers minimise the averaged objective
#          G(W, b) = (1/S) sum_i s_i l_i(W, b) + l2/2 ||W||_F^2 + l1 ||W||_1,  S = sum_i s_i
#      (W >= 0 too for a positive penalty) and stop when the optimality measure (the
#      max-norm of the minimum-norm subgradient) is <= tol. GD follows fastreg.h's
#      iteration semantics exactly, so the compiled GD loop and this one agree to
#      rounding; FISTA and L-BFGS here are simpler textbook versions that reach the same
#      minimiser.
#   e. n_threads is accepted everywhere and ignored: NumPy's BLAS threads on its own.
#   f. Coordinate descent for least squares (src_c/solver_cd.c) works on the summed
#      objective S G, through the sufficient statistics or the columns of X, and stops on
#      scikit-learn's duality gap; its twin takes the same steps in the same order.
from fastreg._reference_coordinate_descent import (
    cd_random,
    coordinate_coefficient,
    coordinate_descent,
    duality_gap,
)
from fastreg._reference_newton import newton_cholesky_solve, newton_hessian
from fastreg._reference_objective import (
    lipschitz_constant,
    objective,
    optimality,
    penalty_prox,
    penalty_violation,
    soft_threshold,
)
from fastreg._reference_passes import (
    LOSS_LOGISTIC,
    LOSS_MULTINOMIAL,
    LOSS_SQUARED,
    LOSSES,
    _row_losses,
    column_means,
    csr_loss_gradient,
    log1pexp,
    log_sum_exp,
    loss_gradient,
    scores,
    sigmoid,
    softmax,
)
from fastreg._reference_solvers import (
    SOLVER_FISTA,
    SOLVER_GD,
    SOLVER_LBFGS,
    SOLVERS,
    STATUS_CONVERGED,
    STATUS_DIVERGED,
    STATUS_INTERRUPTED,
    STATUS_MAX_ITER,
    STATUS_NO_MEMORY,
    solve,
)
from fastreg._statistics import statistics

__all__ = [
    "LOSSES",
    "LOSS_LOGISTIC",
    "LOSS_MULTINOMIAL",
    "LOSS_SQUARED",
    "SOLVERS",
    "SOLVER_FISTA",
    "SOLVER_GD",
    "SOLVER_LBFGS",
    "STATUS_CONVERGED",
    "STATUS_DIVERGED",
    "STATUS_INTERRUPTED",
    "STATUS_MAX_ITER",
    "STATUS_NO_MEMORY",
    "_row_losses",
    "cd_random",
    "column_means",
    "coordinate_coefficient",
    "coordinate_descent",
    "csr_loss_gradient",
    "duality_gap",
    "lipschitz_constant",
    "log1pexp",
    "log_sum_exp",
    "loss_gradient",
    "newton_cholesky_solve",
    "newton_hessian",
    "objective",
    "optimality",
    "penalty_prox",
    "penalty_violation",
    "scores",
    "sigmoid",
    "soft_threshold",
    "softmax",
    "solve",
    "statistics",
]
