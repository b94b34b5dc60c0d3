# bench/targets.py: the targets table as data, and each target's measured figure looked
# up in a run's results. Speedups are against the textbook loop (`bench.textbook`); shares
# of bandwidth against the probes that bracket the measurement (`bench.ceiling`). A figure
# the run did not measure (the large size needs --full) is reported as not measured, and a
# share of bandwidth over 100 % beyond the cache as noise: neither is ever guessed.

# (label, kind, selector, target): `kind` names how the figure is computed from results.
TARGETS = [
    *[
        (
            f"large {loss} {dtype} epoch, % of read bandwidth (t=2)",
            "percent",
            {"loss": loss, "dtype": dtype},
            target,
        )
        for loss, target in (
            ("logistic", 85.0),
            ("squared", 85.0),
            ("multinomial3", 75.0),
            ("multinomial10", 60.0),
        )
        for dtype in ("float64", "float32")
    ],
    *[
        (f"large {loss} float32 / float64 epochs/s, x (t=2)", "dtype_ratio", {"loss": loss}, 1.8)
        for loss in ("logistic", "multinomial3", "multinomial10", "squared")
    ],
    *[
        (
            f"large {loss} {dtype} 2 threads / 1 thread, x",
            "thread_ratio",
            {"loss": loss, "dtype": dtype},
            1.8,
        )
        for loss in ("squared", "logistic", "multinomial3", "multinomial10")
        for dtype in ("float64", "float32")
    ],
    ("iris logistic 3000-epoch fit() vs textbook loop, x", "iris", {"model": "logistic"}, 30.0),
    ("iris softmax 3000-epoch fit() vs textbook loop, x", "iris", {"model": "softmax"}, 40.0),
]


def _epoch_record(results, size, loss, dtype, threads):
    for record in results.get("epochs", []):
        if (record["size"], record["loss"], record["dtype"], record["threads"]) == (
            size,
            loss,
            dtype,
            threads,
        ):
            return record
    return None


def _figure(results, kind, selector):
    """(value, noise) of one target; value None if the run did not measure it."""
    if kind == "percent":
        record = _epoch_record(results, "large", selector["loss"], selector["dtype"], 2)
        if record is None:
            return None, False
        return record["percent_of_bandwidth"], record["noise"]
    if kind in ("dtype_ratio", "thread_ratio"):
        if kind == "dtype_ratio":
            top = _epoch_record(results, "large", selector["loss"], "float32", 2)
            bottom = _epoch_record(results, "large", selector["loss"], "float64", 2)
        else:
            top = _epoch_record(results, "large", selector["loss"], selector["dtype"], 2)
            bottom = _epoch_record(results, "large", selector["loss"], selector["dtype"], 1)
        if top is None or bottom is None:
            return None, False
        return top["fastreg"]["epochs_per_s"] / bottom["fastreg"]["epochs_per_s"], False
    if kind == "iris":
        for record in results.get("iris", []):
            if record["model"] == selector["model"]:
                return record["estimator_speedup"], False
        return None, False
    raise ValueError(f"unknown target kind {kind!r}")


def evaluate_targets(results):
    """Each target with its measured figure.

    Parameters
    ----------
    results : dict
        A run's results (see `bench.runner.run`).

    Returns
    -------
    rows : list of dict
        ``figure``, ``target`` (a lower bound), ``value`` (None if not measured),
        ``noise`` (the figure is over 100 % of bandwidth beyond the cache) and ``met``
        (None if not measured or noise).
    """
    rows = []
    for label, kind, selector, target in TARGETS:
        value, noise = _figure(results, kind, selector)
        rows.append(
            {
                "figure": label,
                "target": target,
                "value": value,
                "noise": noise,
                "met": None if value is None or noise else bool(value >= target),
            }
        )
    return rows
