# bench/runner.py: one bench run from its Settings to a results dict: describe the
# machine, probe the read bandwidth, measure epoch throughput over the grid (fastreg, the
# textbook baseline, the twin), then the iris fits, then check the targets. Measurement
# lives in machine/ceiling/epochs/fits; the comparison with other libraries in bench.peers.
import datetime
import os
import sys

from bench import data, textbook
from bench.config import LOSSES
from bench.epochs import measure_epochs, measure_fused_pass
from bench.fits import iris_fits
from bench.machine import describe_machine, measure_bandwidth
from bench.progress import ProgressBar
from bench.targets import evaluate_targets


def _count_steps(settings):
    grid = len(settings.losses) * len(settings.dtypes) * len(settings.threads)
    fused = sum(size in settings.fused_pass_sizes for size in settings.sizes)
    return (
        len(settings.threads) + grid * (len(settings.sizes) + fused) + (2 if settings.iris else 0)
    )


def run(settings, mode="custom", stream=None):
    """Run the bench described by `settings`.

    Parameters
    ----------
    settings : bench.config.Settings
    mode : str, default="custom"
        "default", "full", "quick" or "custom", recorded in the results.
    stream : file-like, optional
        Where the progress bar is drawn (stderr by default).

    Returns
    -------
    results : dict
        ``date``, ``mode``, ``command``, ``baseline``, ``settings``, ``machine``,
        ``bandwidth``, ``epochs``, ``fused_pass``, ``iris``, ``load_average`` (the
        machine's 1-minute load at the start and the end: other work on a shared machine
        moves every figure) and ``targets`` (see `bench.report` for how each is shown).
    """
    bar = ProgressBar(_count_steps(settings), stream=stream)
    results = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "mode": mode,
        "command": " ".join(["python -m bench", *sys.argv[1:]]),
        "baseline": {
            "name": "textbook",
            "module": textbook.__name__,
            "description": "NumPy batch gradient descent with a bias column and a fixed "
            "step: theta -= lr * X_b.T @ (sigmoid(X_b @ theta) - y) / m (softmax: "
            "W -= lr * X_b.T @ (softmax(X_b @ W) - Y_onehot) / m)",
        },
        "settings": vars(settings).copy(),
        "machine": describe_machine(),
        "bandwidth": [],
        "epochs": [],
        "fused_pass": [],
        "iris": [],
        "load_average": [os.getloadavg()[0]],
    }

    for threads in settings.threads:
        bar.step(f"read bandwidth t={threads}")
        results["bandwidth"].append(
            measure_bandwidth(settings.bandwidth_bytes, threads, settings.bandwidth_repeats)
        )
    bandwidth = {b["threads"]: b["gb_per_s"] for b in results["bandwidth"]}

    for size in settings.sizes:
        for loss in settings.losses:
            y64 = None
            kind = "multinomial" if LOSSES[loss][0] == "LOSS_MULTINOMIAL" else loss
            for dtype in settings.dtypes:
                X = data.design_matrix(size, dtype)
                if y64 is None:
                    y64 = data.targets(data.design_matrix(size, "float64"), loss)
                y = y64.astype(dtype)
                X_b = data.bias_augmented(size, dtype)
                target = textbook.target_of(y, LOSSES[loss][1], kind, X.dtype)
                for threads in settings.threads:
                    bar.step(f"{size} {loss} {dtype} t={threads}")
                    results["epochs"].append(
                        measure_epochs(
                            size,
                            loss,
                            dtype,
                            threads,
                            X,
                            y,
                            X_b,
                            target,
                            bandwidth.get(threads),
                            settings,
                        )
                    )
                    if size in settings.fused_pass_sizes:
                        bar.step(f"{size} {loss} {dtype} t={threads} fused pass")
                        results["fused_pass"].append(
                            measure_fused_pass(
                                size, loss, dtype, threads, X, y, bandwidth.get(threads), settings
                            )
                        )
        data.release(size)

    if settings.iris:
        results["iris"] = iris_fits(
            settings.iris_repeats, progress=lambda model: bar.step(f"iris {model} fit")
        )

    bar.close()
    results["load_average"].append(os.getloadavg()[0])
    results["targets"] = evaluate_targets(results)
    return results
