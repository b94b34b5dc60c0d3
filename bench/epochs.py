# bench/epochs.py: epoch throughput. One "epoch" is one step of batch gradient descent over
# the whole of X. Three implementations run the same steps on the same data:
# - fastreg: its compiled loop (`_kernels.solve` with solver "gd", a fixed step: one fused pass
#   over X plus an O(K d) update, all in C), timed as the marginal cost of an epoch,
#   (a call of many epochs - a call of one) / (epochs - 1);
# - textbook: the NumPy loop of `bench.textbook`, the baseline of every speedup;
# - twin: `fastreg.reference.solve`, the test oracle, which also evaluates the objective and
#   the optimality measure every epoch; its cost is reported beside, not used as a baseline.
# All run under a threadpoolctl limit equal to the thread count, so NumPy's BLAS gets as
# many threads as fastreg. Over data larger than the cache, each measurement is bracketed
# by bandwidth probes (`bench.ceiling`).
import numpy as np
from threadpoolctl import threadpool_limits

from bench import textbook
from bench.ceiling import bracketed, share
from bench.config import EPOCH_LEARNING_RATE, LOSSES, SIZES
from bench.timing import best_time, count_for
from fastreg._problem import Problem, SolverOptions

# Epochs run by the textbook and by fastreg before their coefficients are compared.
CHECK_EPOCHS = 3


def _solve_epochs(module, loss_code, X, y, n_outputs, epochs, threads):
    """Run `epochs` GD iterations of ``module.solve`` from zero.

    Returns (n_iter, curve, coef, intercept).
    """
    coef = np.zeros((n_outputs, X.shape[1]))
    intercept = np.zeros(n_outputs)
    problem = Problem(loss_code, X, y, n_outputs=n_outputs)
    options = SolverOptions(
        "gd", learning_rate=EPOCH_LEARNING_RATE, max_iter=epochs, tol=0.0, n_threads=threads
    )
    coef, intercept, curve, n_iter, _ = module.solve(problem, options, coef, intercept)
    return n_iter, curve, coef, intercept


def _calibrated_count(call, target_seconds):
    """Grow the epoch count until one call lasts target/8; return (count, first result)."""
    epochs, first = 1, None
    while True:
        seconds, result = best_time(lambda e=epochs: call(e), 1)
        first = result if first is None else first
        if seconds >= target_seconds / 8 or epochs >= 10**6:
            return max(4, count_for(seconds / epochs, target_seconds)), first
        epochs = min(10**6, max(2 * epochs, int(epochs * target_seconds / 8 / max(seconds, 1e-7))))


def _solver_throughput(module, loss_code, X, y, n_outputs, threads, target_seconds, repeats):
    """Epochs per second of ``module.solve`` (fastreg's loop or the twin).

    A call of E epochs costs a fixed part (the call from Python, setting up, the extra
    pass that evaluates the returned point) plus E epochs, so the epoch time is the
    difference between a call of E epochs and a call of one, divided by E - 1: the
    marginal cost of an epoch inside the loop. Returns the result dict and the objective
    after the first epoch (for the cross-check).
    """

    def call(epochs):
        return _solve_epochs(module, loss_code, X, y, n_outputs, epochs, threads)

    epochs, (_, first_curve, _, _) = _calibrated_count(call, target_seconds)
    long_s, (n_long, *_) = best_time(lambda: call(epochs), repeats)
    short_s, (n_short, *_) = best_time(lambda: call(1), repeats)
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
    return result, float(first_curve[0]) if len(first_curve) else None


def _textbook_throughput(X_b, target, n_outputs, loss, target_seconds, repeats):
    """Epochs per second of the textbook loop on a prebuilt X_b (the loop has no fixed
    cost beyond theta = 0, so an epoch costs the call's time / E)."""
    epochs_of = textbook.EPOCHS[loss]
    shape = (X_b.shape[1], n_outputs) if loss == "multinomial" else (X_b.shape[1],)

    def call(epochs):
        return epochs_of(X_b, target, np.zeros(shape, X_b.dtype), EPOCH_LEARNING_RATE, epochs)

    epochs, _ = _calibrated_count(call, target_seconds)
    seconds, _ = best_time(lambda: call(epochs), repeats)
    return {
        "epochs": epochs,
        "seconds": seconds,
        "seconds_per_epoch": seconds / epochs,
        "epochs_per_s": epochs / seconds,
    }


def textbook_agreement(X, y, X_b, target, n_outputs, loss, loss_code, threads):
    """Largest coefficient difference between the textbook loop and fastreg's "gd" after
    `CHECK_EPOCHS` epochs at the bench's step, relative to the largest coefficient: both
    take the same gradient steps, so this is rounding (~1e-16 float64, ~1e-7 float32)."""
    from fastreg import _kernels

    shape = (X_b.shape[1], n_outputs) if loss == "multinomial" else (X_b.shape[1],)
    theta = textbook.EPOCHS[loss](
        X_b, target, np.zeros(shape, X_b.dtype), EPOCH_LEARNING_RATE, CHECK_EPOCHS
    ).reshape(X_b.shape[1], -1)
    _, _, coef, intercept = _solve_epochs(
        _kernels, loss_code, X, y, n_outputs, CHECK_EPOCHS, threads
    )
    fastreg_theta = np.vstack([np.reshape(intercept, (1, -1)), np.asarray(coef).T])
    scale = max(float(np.max(np.abs(fastreg_theta))), 1e-300)
    return float(np.max(np.abs(theta.astype(np.float64) - fastreg_theta))) / scale


def measure_epochs(size, loss, dtype, threads, X, y, X_b, target, run_bandwidth, settings):
    """Epoch throughput of fastreg, the textbook loop and the twin on one problem.

    Parameters
    ----------
    size, loss, dtype : str
        Names from `bench.config` (for the record).
    threads : int
        Threads for fastreg and the BLAS limit for NumPy.
    X, y : ndarray
        The problem (see `bench.data`).
    X_b, target : ndarray
        What the textbook fit builds from them (`bench.textbook.prepare`).
    run_bandwidth : float or None
        Start-of-run read bandwidth in GB/s with `threads` threads.
    settings : bench.config.Settings
        Timing budgets and the bandwidth probe.

    Returns
    -------
    record : dict
        ``fastreg``, ``textbook`` and ``twin`` (each with ``epochs``, ``seconds``,
        ``seconds_per_epoch`` and ``epochs_per_s``), ``speedup_vs_textbook`` (fastreg /
        textbook epochs/s, the headline), ``twin_vs_textbook`` (twin / textbook epochs/s:
        the oracle's cost), ``gb_per_s`` (bytes of X per epoch / time per epoch, fastreg),
        ``ceiling`` (see `bench.ceiling.bracketed`), ``percent_of_bandwidth``, ``noise``,
        ``ceiling_epochs_per_s``, ``textbook_relative_difference`` (coefficients after a
        few epochs, textbook vs fastreg) and ``first_epoch_relative_difference`` (objective
        after one epoch, twin vs fastreg).
    """
    from fastreg import _kernels, reference

    code_name, n_outputs = LOSSES[loss]
    loss_code = getattr(_kernels, code_name)
    kind = "multinomial" if code_name == "LOSS_MULTINOMIAL" else loss
    with threadpool_limits(limits=threads):
        (fast, fast_first), ceiling = bracketed(
            lambda: _solver_throughput(
                _kernels,
                loss_code,
                X,
                y,
                n_outputs,
                threads,
                settings.target_seconds,
                settings.repeats,
            ),
            X.nbytes,
            threads,
            settings,
            run_bandwidth,
        )
        book = _textbook_throughput(
            X_b,
            target,
            n_outputs,
            kind,
            settings.baseline_target_seconds,
            settings.baseline_repeats,
        )
        twin, twin_first = _solver_throughput(
            reference,
            loss_code,
            X,
            y,
            n_outputs,
            threads,
            settings.baseline_target_seconds,
            settings.twin_repeats,
        )
        agreement = textbook_agreement(X, y, X_b, target, n_outputs, kind, loss_code, threads)
    gb_per_s = X.nbytes * fast["epochs_per_s"] / 1e9
    difference = None
    if fast_first is not None and twin_first is not None:
        difference = abs(fast_first - twin_first) / max(abs(twin_first), 1e-300)
    return {
        "size": size,
        "n_samples": SIZES[size][0],
        "n_features": SIZES[size][1],
        "loss": loss,
        "n_outputs": n_outputs,
        "dtype": dtype,
        "threads": threads,
        "bytes_per_epoch": X.nbytes,
        "fastreg": fast,
        "textbook": book,
        "twin": twin,
        "speedup_vs_textbook": fast["epochs_per_s"] / book["epochs_per_s"],
        "twin_vs_textbook": twin["epochs_per_s"] / book["epochs_per_s"],
        "gb_per_s": gb_per_s,
        "textbook_gb_per_s": X.nbytes * book["epochs_per_s"] / 1e9,
        "ceiling": ceiling,
        **share(gb_per_s, ceiling),
        "ceiling_epochs_per_s": ceiling["gb_per_s"] * 1e9 / X.nbytes
        if ceiling["gb_per_s"]
        else None,
        "textbook_relative_difference": agreement,
        "first_epoch_relative_difference": difference,
    }


def measure_fused_pass(size, loss, dtype, threads, X, y, run_bandwidth, settings):
    """Passes per second of the fused loss+gradient kernel alone (`_kernels.loss_gradient`).

    Each call is one read of X plus the call's overhead from Python (small beside a
    large X). Parameters as `measure_epochs`.

    Returns
    -------
    record : dict
        ``passes``, ``seconds``, ``passes_per_s``, ``gb_per_s``, ``ceiling``,
        ``percent_of_bandwidth`` and ``noise``, with the problem's description.
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

    def measure():
        one, _ = best_time(lambda: passes(1), 2)
        count = count_for(one, settings.target_seconds)
        return best_time(lambda: passes(count), settings.repeats)

    with threadpool_limits(limits=threads):
        (seconds, count), ceiling = bracketed(measure, X.nbytes, threads, settings, run_bandwidth)
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
        "ceiling": ceiling,
        **share(gb_per_s, ceiling),
    }
