# bench/runner.py: one bench run from its Settings to a results dict: describe the
# machine, probe the read bandwidth, measure epoch throughput over the grid, then the
# whole fits, then check the targets. Measurement lives in machine/epochs/fits.
import datetime
import sys

from bench import data
from bench.epochs import measure_epochs, measure_fused_pass
from bench.fits import iris_fits, time_to_solution
from bench.machine import describe_machine, measure_bandwidth
from bench.progress import ProgressBar
from bench.targets import evaluate_targets


def _count_steps(settings):
    grid = len(settings.losses) * len(settings.dtypes) * len(settings.threads)
    fused = sum(size in settings.fused_pass_sizes for size in settings.sizes)
    return (
        len(settings.threads)
        + grid * (len(settings.sizes) + fused)
        + (2 if settings.iris else 0)
        + (4 if settings.time_to_solution else 0)
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
        ``date``, ``mode``, ``command``, ``settings``, ``machine``, ``bandwidth``,
        ``epochs``, ``fused_pass``, ``iris``, ``time_to_solution`` and ``targets``
        (see `bench.report` for how each is shown).
    """
    bar = ProgressBar(_count_steps(settings), stream=stream)
    results = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "mode": mode,
        "command": " ".join(["python -m bench", *sys.argv[1:]]),
        "settings": vars(settings).copy(),
        "machine": describe_machine(),
        "bandwidth": [],
        "epochs": [],
        "fused_pass": [],
        "iris": [],
        "time_to_solution": None,
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
            for dtype in settings.dtypes:
                X = data.design_matrix(size, dtype)
                if y64 is None:
                    y64 = data.targets(data.design_matrix(size, "float64"), loss)
                y = y64.astype(dtype)
                for threads in settings.threads:
                    bar.step(f"{size} {loss} {dtype} t={threads}")
                    results["epochs"].append(
                        measure_epochs(
                            size, loss, dtype, threads, X, y, bandwidth.get(threads), settings
                        )
                    )
                    if size in settings.fused_pass_sizes:
                        bar.step(f"{size} {loss} {dtype} t={threads} fused pass")
                        results["fused_pass"].append(
                            measure_fused_pass(
                                size, loss, dtype, threads, X, y, bandwidth.get(threads), settings
                            )
                        )
        if size != settings.tts_size or not settings.time_to_solution:
            data.release(size)

    if settings.iris:
        results["iris"] = iris_fits(
            settings.iris_repeats, progress=lambda model: bar.step(f"iris {model} fit")
        )

    if settings.time_to_solution:
        bar.step(f"time to solution {settings.tts_size}: data")
        X = data.design_matrix(settings.tts_size, "float64")
        y = data.targets(X, "logistic")
        results["time_to_solution"] = time_to_solution(
            X,
            y,
            max(settings.threads),
            settings.tts_budget_seconds,
            progress=lambda name: bar.step(f"time to solution {settings.tts_size}: {name}"),
        )
        data.release(settings.tts_size)

    bar.close()
    results["targets"] = evaluate_targets(results)
    return results
