# bench/epochs.py: epoch throughput. One "epoch" is one iteration of fastreg's compiled
# batch-gradient-descent loop (`_kernels.solve` with SOLVER_GD and a fixed step: one fused
# pass over X plus an O(K d) update, all inside C), timed as the marginal cost of an epoch:
# (a call of many epochs - a call of one) / (epochs - 1). The NumPy reference
# (`fastreg.reference.solve`) runs the same iterations on the same data. Both run under a
# threadpoolctl limit equal to the thread count, so NumPy's BLAS gets as many threads as
# fastreg.
import numpy as np
from threadpoolctl import threadpool_limits

from bench.config import EPOCH_LEARNING_RATE, LOSSES, SIZES
from bench.timing import best_time, count_for
from fastreg._problem import Problem, SolverOptions


def _solve_epochs(module, loss_code, X, y, n_outputs, epochs, threads):
    """Run `epochs` GD iterations of ``module.solve`` from zero; returns (n_iter, curve)."""
    coef = np.zeros((n_outputs, X.shape[1]))
    intercept = np.zeros(n_outputs)
    problem = Problem(loss_code, X, y, n_outputs=n_outputs)
    options = SolverOptions(
        "gd", learning_rate=EPOCH_LEARNING_RATE, max_iter=epochs, tol=0.0, n_threads=threads
    )
    _, _, curve, n_iter, _ = module.solve(problem, options, coef, intercept)
    return n_iter, curve


def _throughput(module, loss_code, X, y, n_outputs, threads, target_seconds, repeats):
    """Epochs per second of ``module.solve``, with the epoch count calibrated to `target_seconds`.

    A call of E epochs costs a fixed part (the call from Python, setting up, the extra
    pass that evaluates the returned point) plus E epochs, so the epoch time is the
    difference between a call of E epochs and a call of one, divided by E - 1: the
    marginal cost of an epoch inside the loop. Returns the result dict and the objective
    after the first epoch (for the cross-check).
    """

    def call(epochs):
        return _solve_epochs(module, loss_code, X, y, n_outputs, epochs, threads)

    epochs, first_objective = 1, None
    while True:  # calibrate: grow the count until a call is long enough to time
        seconds, (n_iter, curve) = best_time(lambda e=epochs: call(e), 1)
        if first_objective is None and len(curve):
            first_objective = float(curve[0])
        if seconds >= target_seconds / 8 or epochs >= 10**6:
            break
        epochs = min(10**6, max(2 * epochs, int(epochs * target_seconds / 8 / max(seconds, 1e-7))))
    epochs = max(4, count_for(seconds / max(n_iter, 1), target_seconds))
    long_s, (n_long, _) = best_time(lambda: call(epochs), repeats)
    short_s, (n_short, _) = best_time(lambda: call(1), repeats)
    n_long, n_short = max(int(n_long), 1), max(int(n_short), 1)
    if n_long > n_short and long_s > short_s:
        per_epoch = (long_s - short_s) / (n_long - n_short)
    else:  # noise beat the difference: fall back to the whole call
        per_epoch = long_s / n_long
    result = {
        "epochs": n_long,
        "seconds": long_s,
        "one_epoch_call_seconds": short_s,
        "seconds_per_epoch": per_epoch,
        "epochs_per_s": 1.0 / per_epoch,
        "call_epochs_per_s": n_long / long_s,
    }
    return result, first_objective


def measure_epochs(size, loss, dtype, threads, X, y, bandwidth, settings):
    """Epoch throughput of fastreg and of the NumPy reference on one problem.

    Parameters
    ----------
    size, loss, dtype : str
        Names from `bench.config` (for the record).
    threads : int
        Threads for fastreg and the BLAS limit for the reference.
    X, y : ndarray
        The problem (see `bench.data`).
    bandwidth : float or None
        Measured read bandwidth in GB/s with `threads` threads.
    settings : bench.config.Settings
        Timing budgets.

    Returns
    -------
    record : dict
        ``fastreg`` and ``reference`` (each ``epochs`` and ``seconds`` of the long timed
        call, ``one_epoch_call_seconds``, ``seconds_per_epoch`` and ``epochs_per_s`` (the
        marginal epoch, see `_throughput`) and ``call_epochs_per_s`` (epochs / call time)),
        ``speedup`` (fastreg / reference epochs/s), ``gb_per_s`` (bytes of X per epoch /
        time per epoch, fastreg), ``percent_of_bandwidth``, ``reference_gb_per_s``,
        ``ceiling_epochs_per_s`` (epochs/s the read bandwidth allows) and
        ``first_epoch_relative_difference`` (fastreg vs reference objective after one
        epoch: both must compute the same thing).
    """
    from fastreg import _kernels, reference

    code_name, n_outputs = LOSSES[loss]
    loss_code = getattr(_kernels, code_name)
    bytes_per_epoch = X.nbytes
    with threadpool_limits(limits=threads):
        fast, fast_first = _throughput(
            _kernels,
            loss_code,
            X,
            y,
            n_outputs,
            threads,
            settings.target_seconds,
            settings.repeats,
        )
        ref, ref_first = _throughput(
            reference,
            loss_code,
            X,
            y,
            n_outputs,
            threads,
            settings.reference_target_seconds,
            settings.reference_repeats,
        )
    gb_per_s = bytes_per_epoch * fast["epochs_per_s"] / 1e9
    difference = None
    if fast_first is not None and ref_first is not None:
        difference = abs(fast_first - ref_first) / max(abs(ref_first), 1e-300)
    return {
        "size": size,
        "n_samples": SIZES[size][0],
        "n_features": SIZES[size][1],
        "loss": loss,
        "n_outputs": n_outputs,
        "dtype": dtype,
        "threads": threads,
        "bytes_per_epoch": bytes_per_epoch,
        "fastreg": fast,
        "reference": ref,
        "speedup": fast["epochs_per_s"] / ref["epochs_per_s"],
        "gb_per_s": gb_per_s,
        "reference_gb_per_s": bytes_per_epoch * ref["epochs_per_s"] / 1e9,
        "percent_of_bandwidth": 100.0 * gb_per_s / bandwidth if bandwidth else None,
        "ceiling_epochs_per_s": bandwidth * 1e9 / bytes_per_epoch if bandwidth else None,
        "first_epoch_relative_difference": difference,
    }


def measure_fused_pass(size, loss, dtype, threads, X, y, bandwidth, settings):
    """Passes per second of the fused loss+gradient kernel alone (`_kernels.loss_gradient`).

    Each call is one read of X plus the call's overhead from Python (small beside a
    large X). Parameters as `measure_epochs`.

    Returns
    -------
    record : dict
        ``passes``, ``seconds``, ``passes_per_s``, ``gb_per_s`` and
        ``percent_of_bandwidth``, with the problem's description.
    """
    from fastreg import _kernels

    code_name, n_outputs = LOSSES[loss]
    loss_code = getattr(_kernels, code_name)
    coef = np.zeros((n_outputs, X.shape[1]), dtype=X.dtype)
    intercept = np.zeros(n_outputs, dtype=X.dtype)

    def passes(count):
        for _ in range(count):
            _kernels.loss_gradient(loss_code, X, y, None, coef, intercept, threads)
        return count

    with threadpool_limits(limits=threads):
        one, _ = best_time(lambda: passes(1), 2)
        count = count_for(one, settings.target_seconds)
        seconds, count = best_time(lambda: passes(count), settings.repeats)
    gb_per_s = X.nbytes * count / seconds / 1e9
    return {
        "size": size,
        "n_samples": X.shape[0],
        "n_features": X.shape[1],
        "loss": loss,
        "n_outputs": n_outputs,
        "dtype": dtype,
        "threads": threads,
        "bytes_per_pass": X.nbytes,
        "passes": count,
        "seconds": seconds,
        "passes_per_s": count / seconds,
        "gb_per_s": gb_per_s,
        "percent_of_bandwidth": 100.0 * gb_per_s / bandwidth if bandwidth else None,
    }
