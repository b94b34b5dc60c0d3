# bench/targets.py: the targets table of issue 4 as data, and each target's measured
# figure looked up in a run's results. A figure the run did not measure (the large size
# needs --full) is reported as not measured, never guessed.

# (label, kind, selector, target): `kind` names how the figure is computed from results.
TARGETS = [
    *[
        (
            f"large {loss} {dtype} epoch, % of read bandwidth (t=2)",
            "percent",
            {"loss": loss, "dtype": dtype},
            85.0,
        )
        for loss in ("logistic", "squared")
        for dtype in ("float64", "float32")
    ],
    *[
        (
            f"large multinomial3 {dtype} epoch, % of read bandwidth (t=2)",
            "percent",
            {"loss": "multinomial3", "dtype": dtype},
            75.0,
        )
        for dtype in ("float64", "float32")
    ],
    (
        "large logistic float64 vs NumPy reference, x (t=2)",
        "speedup",
        {"loss": "logistic", "dtype": "float64"},
        4.0,
    ),
    (
        "large multinomial3 float64 vs NumPy reference, x (t=2)",
        "speedup",
        {"loss": "multinomial3", "dtype": "float64"},
        7.0,
    ),
    (
        "large multinomial10 float64 vs NumPy reference, x (t=2)",
        "speedup",
        {"loss": "multinomial10", "dtype": "float64"},
        5.0,
    ),
    *[
        (f"large {loss} float32 / float64 epochs/s, x (t=2)", "dtype_ratio", {"loss": loss}, 1.8)
        for loss in ("squared", "logistic", "multinomial3", "multinomial10")
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
    ("iris logistic 3000-epoch fit vs reference, x", "iris", {"model": "logistic"}, 30.0),
    ("iris softmax 3000-epoch fit vs reference, x", "iris", {"model": "softmax"}, 40.0),
    ("time to solution vs sklearn lbfgs, large logistic, x (aim 2x)", "tts", {}, 1.0),
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
    """The measured value of one target, or None if the run did not measure it."""
    if kind in ("percent", "speedup"):
        record = _epoch_record(results, "large", selector["loss"], selector["dtype"], 2)
        if record is None:
            return None
        return record["percent_of_bandwidth"] if kind == "percent" else record["speedup"]
    if kind == "dtype_ratio":
        f32 = _epoch_record(results, "large", selector["loss"], "float32", 2)
        f64 = _epoch_record(results, "large", selector["loss"], "float64", 2)
        if f32 is None or f64 is None:
            return None
        return f32["fastreg"]["epochs_per_s"] / f64["fastreg"]["epochs_per_s"]
    if kind == "thread_ratio":
        two = _epoch_record(results, "large", selector["loss"], selector["dtype"], 2)
        one = _epoch_record(results, "large", selector["loss"], selector["dtype"], 1)
        if two is None or one is None:
            return None
        return two["fastreg"]["epochs_per_s"] / one["fastreg"]["epochs_per_s"]
    if kind == "iris":
        for record in results.get("iris", []):
            if record["model"] == selector["model"]:
                return record["estimator_speedup"]
        return None
    if kind == "tts":
        tts = results.get("time_to_solution")
        if not tts or tts["n_samples"] < 1_000_000:
            return None
        return tts["speedup_vs_sklearn_lbfgs"]
    raise ValueError(f"unknown target kind {kind!r}")


def evaluate_targets(results):
    """Each target of the issue with its measured figure.

    Parameters
    ----------
    results : dict
        A run's results (see `bench.runner.run`).

    Returns
    -------
    rows : list of dict
        ``figure``, ``target`` (a lower bound), ``value`` (None if not measured) and
        ``met`` (None if not measured).
    """
    rows = []
    for label, kind, selector, target in TARGETS:
        value = _figure(results, kind, selector)
        rows.append(
            {
                "figure": label,
                "target": target,
                "value": value,
                "met": None if value is None else bool(value >= target),
            }
        )
    return rows
