# fastreg._newton: the Newton-Cholesky solver of the logistic and multinomial losses with
# an L2 penalty, a driver over the kernel layer's passes: per step one fused pass for the
# gradient, one statistics pass per Hessian block (fastreg._statistics, with the
# per-row curvature as the weights), a Cholesky factorisation of the small
# K (d + 1) x K (d + 1) system and a backtracking line search of fused passes. Fast when
# d is small: a few steps, each one read of X for the statistics. `solve` has the
# signature of fastreg._kernels.solve; its NumPy twin is fastreg._reference_newton.
#
# Design decisions:
#   a. The objective is the kernels' averaged G(W, b) = (1/S) sum_i s_i l_i + l2/2 ||W||^2
#      and the stopping rule theirs: max |grad G| <= tol (scikit-learn's lbfgs test).
#   b. Centred coordinates: with mu the weighted column means of X, the step is solved
#      for (w, c = b + mu.w), whose Hessian holds the centred Gram matrices that the
#      statistics pass returns, so columns with large means do not spoil the system.
#   c. Hessian blocks from the statistics: the logistic loss has one block with weights
#      s p (1 - p); the multinomial block (k, l) has weights s p_k (delta_kl - p_l), each
#      off-diagonal one from the non-negative weights s p_k p_l (K (K + 1) / 2 passes).
#      A block with weights w gives [X - mu, 1]^T diag(w) [X - mu, 1] from the centred
#      Gram, the means mu_w and the weight sum S_w: gram + S_w (mu_w - mu)(mu_w - mu)^T,
#      S_w (mu_w - mu) and S_w.
#   d. The multinomial loss does not change when the same vector is added to every
#      class's coefficients, so an unpenalised direction is singular. As scikit-learn's
#      newton-cholesky does, the last class's unpenalised parameters (its intercept; all
#      of its row when l2 = 0) are held at zero during the steps and the result is
#      shifted to the symmetric form (those parameters sum to zero over the classes).
#   e. A Hessian that Cholesky cannot factor (collinear columns without a penalty) gets
#      a growing multiple of the identity added until it can: the step stays a descent
#      direction and the line search keeps the iteration monotone.
#   f. With an L1 term ("newton-cd") the step is proximal Newton's (newGLMNET, as
#      liblinear's L1 solver): cyclic coordinate descent on the quadratic model plus
#      the L1 term, O(p^2) per sweep on the p x p Hessian and no pass over X, then the
#      same line search on the whole objective with Tseng and Yun's decrease estimate.
import time

import numpy as np
import scipy.linalg
from scipy import sparse

from fastreg import _kernels, _statistics

STATUS_CONVERGED = _kernels.STATUS_CONVERGED
STATUS_MAX_ITER = _kernels.STATUS_MAX_ITER
STATUS_DIVERGED = _kernels.STATUS_DIVERGED
STATUS_INTERRUPTED = _kernels.STATUS_INTERRUPTED
# The methods of this module, as SolverOptions.solver names them.
METHODS = ("newton-cholesky", "newton-cd")

# Armijo's sufficient-decrease constant and the most halvings of one line search.
_ARMIJO = 1e-4
_MAX_HALVINGS = 40
# Steps in a row that lower neither the objective (beyond rounding) nor the optimality
# measure, after which the solve is stalled.
_IDLE_LIMIT = 3


def hessian_blocks(X, sample_weight, probabilities, centre, n_threads=1):
    """The loss Hessian in centred coordinates, block by block, from statistics passes.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Data (float32 or float64, C-contiguous).
    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights; None means unit weights.
    probabilities : ndarray of shape (n_samples, K)
        sigmoid(z) for the logistic loss (K = 1), softmax(z) for the multinomial loss.
    centre : ndarray of shape (n_features,)
        The centre mu of the coordinates (w, c = b + mu.w).
    n_threads : int, default=1
        Threads of the statistics passes.

    Returns
    -------
    H : ndarray of shape (K, d + 1, K, d + 1)
        ``sum_i s_i h_kl(z_i) [x_i - mu, 1]^T [x_i - mu, 1]`` with ``h`` the per-row
        curvature of the loss in the scores; the last index of each block is c.
    """
    n, d = X.shape
    K = probabilities.shape[1]
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    H = np.zeros((K, d + 1, K, d + 1))
    if K == 1:
        p = probabilities[:, 0]
        pairs = [(0, 0, s * p * (1.0 - p), 1.0)]
    else:
        pairs = []
        for k in range(K):
            pk = probabilities[:, k]
            pairs.append((k, k, s * pk * (1.0 - pk), 1.0))
            for m in range(k + 1, K):
                pairs.append((k, m, s * pk * probabilities[:, m], -1.0))
    # Any column serves as Y: only the X statistics are used.
    column = np.ascontiguousarray(probabilities[:, 0], dtype=X.dtype)
    for k, m, weights, sign in pairs:
        weights = np.ascontiguousarray(weights, dtype=X.dtype)
        if not np.any(weights > 0):  # every row saturated: a zero block
            continue
        st = _statistics.sufficient_statistics(X, column, weights, n_threads=n_threads)
        H[k, :, m, :] = sign * centred_block(st.gram, st.x_mean, st.sum_weights, centre)
        H[m, :, k, :] = H[k, :, m, :].T
    return H


def centred_block(gram, mean, total, centre):
    """``[X - mu, 1]^T diag(w) [X - mu, 1]`` from the statistics of X with weights w.

    Parameters
    ----------
    gram : ndarray of shape (d, d)
        Centred Gram ``(X - mu_w)^T diag(w) (X - mu_w)``.
    mean : ndarray of shape (d,)
        Weighted means mu_w.
    total : float
        Weight sum S_w.
    centre : ndarray of shape (d,)
        The centre mu.

    Returns
    -------
    block : ndarray of shape (d + 1, d + 1)
    """
    d = gram.shape[0]
    shift = mean - centre
    block = np.empty((d + 1, d + 1))
    block[:d, :d] = gram + total * np.outer(shift, shift)
    block[:d, d] = block[d, :d] = total * shift
    block[d, d] = total
    return block


class NewtonPasses:
    """What the Newton iteration asks of the data, from the compiled kernels.

    Parameters
    ----------
    problem : fastreg._problem.Problem
        Data, targets, weights and loss (logistic or multinomial).
    n_threads : int
        Kernel threads.
    """

    def __init__(self, problem, n_threads):
        self.problem, self.n_threads = problem, n_threads

    def loss_gradient(self, W, b):
        """``(sum_i s_i l_i, gradient wrt W, gradient wrt b)`` in one fused pass."""
        p = self.problem
        return _kernels.loss_gradient(
            p.loss, p.X, p.y, p.sample_weight, W, b, self.n_threads, p.loss_param
        )

    def centre(self):
        """The weighted column means of X (one pass)."""
        p = self.problem
        mu, _ = _kernels.column_means(p.loss, p.X, p.y, p.sample_weight, self.n_threads)
        return np.asarray(mu, dtype=np.float64)

    def hessian(self, W, b, centre):
        """The loss Hessian blocks (see `hessian_blocks`) at (W, b)."""
        p = self.problem
        Z = np.asarray(_kernels.scores(p.X, W, b, self.n_threads))
        probabilities = _probabilities(Z, p.loss)
        return hessian_blocks(p.X, p.sample_weight, probabilities, centre, self.n_threads)


def _probabilities(Z, loss):
    if loss == _kernels.LOSS_LOGISTIC:
        return 0.5 * (1.0 + np.tanh(0.5 * Z))  # sigmoid, without overflow
    E = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return E / np.sum(E, axis=1, keepdims=True)


def _free_mask(K, d, fit_intercept, l2):
    """Which of the K x (d + 1) centred coordinates move (decision d)."""
    free = np.ones((K, d + 1), dtype=bool)
    if not fit_intercept:
        free[:, d] = False
    if K > 1 and l2 == 0:
        free[K - 1, :] = False
    elif K > 1:
        free[K - 1, d] = False
    return free.ravel()


def _cholesky_solve(H, rhs):
    """Solve H x = rhs for a symmetric positive semi-definite H (decision e)."""
    shift = 0.0
    scale = max(float(np.max(np.abs(np.diag(H)), initial=0.0)), np.finfo(float).tiny)
    for _ in range(30):
        try:
            factor = scipy.linalg.cho_factor(H + shift * np.eye(H.shape[0]), check_finite=False)
            return scipy.linalg.cho_solve(factor, rhs, check_finite=False)
        except np.linalg.LinAlgError:
            shift = scale * 1e-12 if shift == 0 else shift * 10.0
    return rhs / scale  # a scaled gradient step: still a descent direction


def _coordinate_descent(H, g, start, penalised, l1, max_sweeps=200):
    """Minimise ``g.x + x^T H x / 2 + l1 sum_{penalised j} |start_j + x_j|`` over x.

    Cyclic coordinate descent from x = 0 (decision f): the L1 term acts on the
    coefficients ``start + x``, so exact zeros come from the soft threshold.
    """
    p = g.shape[0]
    x, Hx = np.zeros(p), np.zeros(p)
    diagonal = np.diag(H).copy()
    resolution = 1e-12 * (1.0 + float(np.max(np.abs(start), initial=0.0)))
    for _ in range(max_sweeps):
        largest = 0.0
        for j in range(p):
            a = diagonal[j]
            if not a > 0:  # a direction the model does not see: leave it
                continue
            r = g[j] + Hx[j]
            if penalised[j]:
                z = start[j] + x[j]
                u = z - r / a
                change = np.sign(u) * max(abs(u) - l1 / a, 0.0) - z
            else:
                change = -r / a
            if change != 0.0:
                x[j] += change
                Hx += change * H[:, j]
                largest = max(largest, abs(change))
        if largest <= resolution:
            break
    return x


def _optimality(W, gW, gb, l1):
    """Max-norm of the minimum-norm subgradient of G (the kernels' stopping measure)."""
    if l1 > 0:
        gW = np.where(
            W > 0, gW + l1, np.where(W < 0, gW - l1, np.sign(gW) * np.maximum(np.abs(gW) - l1, 0))
        )
    return max(float(np.max(np.abs(gW), initial=0.0)), float(np.max(np.abs(gb))))


def newton_cholesky(passes, problem, options, coef, intercept):
    """The Newton iteration over ``passes`` (the compiled kernels or the twin).

    Newton-Cholesky steps for a smooth penalty; with an L1 term, proximal Newton steps
    whose quadratic model is minimised by coordinate descent (decision f). Parameters
    and returns as `solve`.
    """
    K, d = coef.shape
    S = problem.total_weight()
    l2, l1 = float(options.penalty.l2), float(options.penalty.l1)
    fit_intercept = bool(options.fit_intercept)
    W = np.array(coef, dtype=np.float64)
    b = np.array(intercept, dtype=np.float64)
    if K > 1 and l2 == 0 and l1 == 0:  # decision d: the last class's row at zero
        W -= W[K - 1]
    if K > 1 and fit_intercept:
        b -= b[K - 1]
    free = _free_mask(K, d, fit_intercept, l2 + l1)
    penalised = np.tile(np.r_[np.ones(d, dtype=bool), False], K)[free]
    mu = passes.centre() if fit_intercept else np.zeros(d)
    curve = np.empty(options.max_iter)
    progress, interval = options.progress, options.progress_interval
    last_call = time.monotonic()
    n = K * (d + 1)

    def evaluate(W, b):  # F = G with its L1 term, the gradient of the smooth part
        value, gW, gb = passes.loss_gradient(W, b)
        F = value / S + 0.5 * l2 * float(np.sum(W * W)) + l1 * float(np.sum(np.abs(W)))
        gW = np.asarray(gW) / S + l2 * W
        gb = np.asarray(gb) / S if fit_intercept else np.zeros(K)
        return F, gW, gb

    with np.errstate(over="ignore", invalid="ignore"):
        F, gW, gb = evaluate(W, b)
        t, status, idle = 0, STATUS_MAX_ITER, 0
        while True:
            if not (np.isfinite(F) and np.all(np.isfinite(gW)) and np.all(np.isfinite(gb))):
                status = STATUS_DIVERGED
                break
            if _optimality(W, gW, gb, l1) <= options.tol:
                status = STATUS_CONVERGED
                break
            if t >= options.max_iter:
                break
            if progress is not None and time.monotonic() - last_call >= interval:
                last_call = time.monotonic()
                if progress(t, F):
                    status = STATUS_INTERRUPTED
                    break
            # Gradient and Hessian in the centred coordinates (w, c = b + mu.w).
            g = np.concatenate([gW - np.outer(gb, mu), gb[:, None]], axis=1).ravel()
            H = passes.hessian(W, b, mu).reshape(n, n) / S
            H[np.arange(n), np.arange(n)] += np.tile(np.r_[np.full(d, l2), 0.0], K)
            step = np.zeros(n)
            if l1 == 0:
                step[free] = _cholesky_solve(H[np.ix_(free, free)], -g[free])
            else:
                start = np.concatenate([W, np.zeros((K, 1))], axis=1).ravel()[free]
                step[free] = _coordinate_descent(
                    H[np.ix_(free, free)], g[free], start, penalised, l1
                )
            step = step.reshape(K, d + 1)
            dW, db = step[:, :d], step[:, d] - step[:, :d] @ mu
            # The decrease the model promises (Tseng and Yun's Delta for an L1 term).
            slope = float(np.sum(gW * dW) + np.sum(gb * db))
            slope += l1 * float(np.sum(np.abs(W + dW)) - np.sum(np.abs(W)))
            if not np.any(step != 0):  # the model sees nothing left to do: stalled
                break
            # Near the minimiser the promised decrease drowns in rounding; the step is
            # still taken when the objective does not rise beyond its rounding, and it
            # counts as progress only if the optimality measure falls (below).
            slope = min(slope, 0.0)
            accepted = False
            size = 1.0
            slack = 16.0 * np.finfo(problem.X.dtype).eps * abs(F)
            for _ in range(_MAX_HALVINGS):
                W_try, b_try = W + size * dW, b + size * db
                F_try, gW_try, gb_try = evaluate(W_try, b_try)
                if np.isfinite(F_try) and F_try <= F + _ARMIJO * size * slope + slack:
                    accepted = True
                    break
                size *= 0.5
            if not accepted:  # no decrease representable: stalled
                break
            measure = _optimality(W, gW, gb, l1)
            if F_try > F - slack and _optimality(W_try, gW_try, gb_try, l1) >= measure:
                idle += 1
                if idle >= _IDLE_LIMIT:  # rounding has the last word: stalled
                    break
            else:
                idle = 0
            W, b, F, gW, gb = W_try, b_try, F_try, gW_try, gb_try
            curve[t] = F
            t += 1
            if options.on_iteration is not None:
                options.on_iteration(
                    t, *symmetric_form(W.copy(), b.copy(), l2 + l1, fit_intercept)
                )
    coef[...], intercept[...] = symmetric_form(W, b, l2 + l1, fit_intercept)
    return coef, intercept, curve[:t].copy(), t, status


def symmetric_form(W, b, l2, fit_intercept):
    """The multinomial point whose unpenalised parameters sum to zero over the classes.

    Parameters
    ----------
    W : ndarray of shape (K, d)
        Coefficients (modified in place).
    b : ndarray of shape (K,)
        Intercepts (modified in place).
    l2 : float
        The L2 strength (0: every coefficient is unpenalised).
    fit_intercept : bool
        Whether the intercepts are fitted.

    Returns
    -------
    W, b : ndarray
        The same predictions, in the symmetric form (unchanged when K = 1).
    """
    if W.shape[0] > 1 and l2 == 0:
        W -= W.mean(axis=0)
    if W.shape[0] > 1 and fit_intercept:
        b -= b.mean()
    return W, b


def solve(problem, options, coef, intercept):
    """Minimise the averaged logistic / multinomial objective by Newton steps.

    The same contract as ``fastreg._kernels.solve`` for ``options.solver`` in
    `METHODS`: G(W, b) = (1/S) sum_i s_i l_i + l2/2 ||W||^2 + l1 ||W||_1, stopping when
    the max-norm of its minimum-norm subgradient is <= tol. "newton-cholesky" takes
    l1 = 0; "newton-cd" any l1 >= 0.

    Parameters
    ----------
    problem : fastreg._problem.Problem
        Logistic or multinomial problem.
    options : fastreg._problem.SolverOptions
        Penalty (no positivity constraint), fit_intercept, max_iter, tol, n_threads,
        progress, on_iteration.
    coef : ndarray of shape (n_outputs, n_features), float64
        Start point; overwritten with the solution.
    intercept : ndarray of shape (n_outputs,), float64
        Start intercepts; overwritten with the solution.

    Returns
    -------
    coef, intercept : ndarray
        The solution.
    objective_curve : ndarray of shape (n_iter,)
        G after each Newton step.
    n_iter : int
        Newton steps taken.
    status : int
        0 converged, 1 max_iter reached or stalled, 2 diverged, 3 interrupted.
    """
    _check(problem, options)
    passes = NewtonPasses(problem, options.n_threads)
    return newton_cholesky(passes, problem, options, coef, intercept)


# The largest Newton system a sparse X is given (4 GiB of float64): a wide sparse X
# (text features) makes a K (d + 1) square Hessian that no machine could hold, where the
# dense X of the same width would already have been too large to pass in.
SPARSE_HESSIAN_MAX_BYTES = 4 << 30


def _check(problem, options):
    n_params = problem.n_outputs * (problem.X.shape[1] + 1)
    if sparse.issparse(problem.X) and 8 * n_params**2 > SPARSE_HESSIAN_MAX_BYTES:
        raise MemoryError(
            f"Newton's methods on this sparse X need a {n_params} x {n_params} Hessian "
            f"({8 * n_params**2 / 2**30:.0f} GiB); use solver='lbfgs' (or 'saga' for an L1 "
            "term), which keeps memory O(n_features)."
        )
    if problem.loss not in (_kernels.LOSS_LOGISTIC, _kernels.LOSS_MULTINOMIAL):
        raise ValueError("newton-cholesky solves the logistic and multinomial losses only")
    if options.penalty.positive:
        raise ValueError("the Newton solvers take no positivity constraint")
    if options.solver == "newton-cholesky" and options.penalty.l1 > 0:
        raise ValueError("newton-cholesky handles a smooth penalty only; use newton-cd")
    if options.max_iter < 1 or options.tol < 0:
        raise ValueError("need max_iter >= 1 and tol >= 0")
