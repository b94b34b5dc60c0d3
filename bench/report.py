# bench/report.py: a run's results as a readable text report (aligned tables grouped by
# size and loss), as JSON (every figure plus the machine description), and as a PNG plot
# of epochs/s by size, fastreg against the textbook loop and the twin, with the bandwidth ceiling.
import json
import math

from bench.config import SIZES, WHAT_FULL_ADDS


def _num(x, digits=3):
    """A positive figure with about `digits` significant digits and thousands separators."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if abs(x) >= 10 ** (digits - 1):
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def _seconds(s):
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def _table(header, rows, align=None):
    """Rows of strings as aligned columns (left for text, right for figures)."""
    align = align or ["<"] + [">"] * (len(header) - 1)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(
            f"{c!s:{a}{w}}" for c, a, w in zip(cells, align, widths, strict=True)
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def _size_title(size):
    n, d = SIZES[size]
    return f"{size} ({n:,} x {d})"


def format_report(results):
    """The whole run as text: machine, bandwidth, epochs, fused pass, fits, targets.

    Parameters
    ----------
    results : dict
        A run's results (see `bench.runner.run`).

    Returns
    -------
    text : str
    """
    out = []
    m = results["machine"]
    fr = m["fastreg"]
    blas = ", ".join(
        f"{b['internal_api']} {b['version']} ({b['architecture']}, {b['num_threads']} threads)"
        for b in m["blas"]
    )
    memory = f"{m['memory_bytes'] / 2**30:.1f} GiB" if m["memory_bytes"] else "?"
    out.append(f"fastreg bench  {results['date']}  ({results['mode']} run)")
    out.append(
        f"machine  {m['cpu_model']}, {m['usable_cpus']} usable CPUs, L3 {m['l3_cache']}, "
        f"{memory}, {m['os']}"
    )
    out.append(
        f"software python {m['python']}, numpy {m['numpy']} [{blas}], scikit-learn {m['sklearn']}"
    )
    out.append(
        f"fastreg  {fr['version']}, {fr['compiler']} {fr['build_type']} {fr['c_flags']}, "
        f"openmp {'on' if fr['openmp'] else 'off'}, simd {fr['simd']}"
    )
    if results.get("load_average"):
        loads = " -> ".join(f"{x:.1f}" for x in results["load_average"])
        out.append(f"load     1-minute load average {loads} on {m['usable_cpus']} CPUs")
    bw = results["bandwidth"]
    out.append(
        "read bandwidth  "
        + ", ".join(f"{b['gb_per_s']:.1f} GB/s ({b['threads']} thr)" for b in bw)
        + f"  [stream_read over {bw[0]['buffer_bytes'] / 2**20:.0f} MiB, best of "
        f"{results['settings']['bandwidth_repeats']}]"
        if bw
        else "read bandwidth  not measured"
    )

    epochs = results["epochs"]
    if epochs:
        out.append("")
        out.append(_epoch_tables(epochs))
    if results.get("fused_pass"):
        out.append("")
        out.append(_fused_table(results["fused_pass"]))
    if results.get("iris"):
        out.append("")
        out.append(_iris_table(results["iris"]))
    out.append("")
    out.append(_targets_table(results["targets"]))
    if results["mode"] != "full":
        out.append("")
        out.append(WHAT_FULL_ADDS)
    return "\n".join(out)


def _share_cell(record):
    """% of bandwidth as printed: 'noise' over 100 % beyond the cache, '-' without probe."""
    percent = record["percent_of_bandwidth"]
    if percent is None:
        return "-"
    if record["noise"]:
        return f"noise({percent:.0f})"
    return _num(percent)


def _probes_cell(ceiling):
    """The bracketing probes as 'before/after', or 'in cache'."""
    if ceiling["in_cache"]:
        return "in cache"
    before, after = ceiling["probes_gb_per_s"]
    return f"{before:.1f}/{after:.1f}"


def _epoch_tables(epochs):
    out = [
        "Epoch throughput: one GD epoch over X, same data, same steps. Baseline: the textbook "
        "NumPy loop (bench/textbook.py)."
    ]
    header = [
        "loss",
        "dtype",
        "thr",
        "fastreg ep/s",
        "textbook ep/s",
        "fastreg/textbook",
        "twin ep/s",
        "twin/textbook",
        "GB/s",
        "% bw",
        "probes GB/s",
    ]
    for size in dict.fromkeys(r["size"] for r in epochs):
        rows = []
        previous = None
        for r in (r for r in epochs if r["size"] == size):
            rows.append(
                [
                    r["loss"] if r["loss"] != previous else "",
                    r["dtype"],
                    r["threads"],
                    _num(r["fastreg"]["epochs_per_s"]),
                    _num(r["textbook"]["epochs_per_s"]),
                    f"{r['speedup_vs_textbook']:.1f}x",
                    _num(r["twin"]["epochs_per_s"]),
                    f"{r['twin_vs_textbook']:.2f}x",
                    f"{r['gb_per_s']:.2f}",
                    _share_cell(r),
                    _probes_cell(r["ceiling"]),
                ]
            )
            previous = r["loss"]
        out.append("")
        out.append(_size_title(size))
        out.append(_table(header, rows, ["<", "<"] + [">"] * 9))
    out.append(
        "(fastreg/textbook: fastreg's epochs/s over the textbook loop's, the speedup. "
        "twin/textbook: fastreg.reference.solve, the test oracle, which also evaluates the "
        "objective and optimality every epoch, over the textbook loop: the oracle's cost. "
        "GB/s: bytes of X per fastreg epoch / time. % bw: against the higher of the two "
        "read-bandwidth probes just before and after the measurement (probes GB/s); a size "
        "that fits in cache is shown against the start-of-run probe and can exceed 100%; "
        "beyond the cache a share over 100% is noise, not a result)"
    )
    return "\n".join(out)


def _fused_table(records):
    rows = [
        [
            _size_title(r["size"]),
            r["loss"],
            r["dtype"],
            r["threads"],
            _num(r["passes_per_s"]),
            f"{r['gb_per_s']:.2f}",
            _share_cell(r),
            _probes_cell(r["ceiling"]),
        ]
        for r in records
    ]
    header = ["size", "loss", "dtype", "thr", "passes/s", "GB/s", "% bw", "probes GB/s"]
    return "\n".join(
        [
            "Fused pass alone (_kernels.loss_gradient, one read of X per call)",
            _table(header, rows, ["<", "<", "<"] + [">"] * 5),
        ]
    )


def _iris_table(records):
    rows = [
        [
            f"{r['model']} {r['n_samples']}x{r['n_features']}",
            _seconds(r["textbook_seconds"]),
            _seconds(r["estimator_seconds"]),
            f"{r['estimator_speedup']:.1f}x",
            _seconds(r["kernel_seconds"]),
            f"{r['kernel_speedup']:.1f}x",
            _seconds(r["twin_seconds"]),
            f"{r['twin_vs_textbook']:.1f}x",
            _seconds(r["fixed_cost_seconds"]),
            _seconds(r["kernel_epoch_seconds"]),
        ]
        for r in records
    ]
    header = [
        "fit",
        "textbook",
        "fastreg fit()",
        "textbook/fit()",
        "fastreg loop",
        "textbook/loop",
        "twin",
        "twin/textbook",
        "fit() fixed",
        "loop/epoch",
    ]
    return "\n".join(
        [
            "Iris fits: 3000 epochs of 'gd' at step 0.1, standardised, no penalty, 1 thread. "
            "Baseline: the textbook NumPy fit (X_b, then the loop).",
            _table(header, rows),
            "(textbook/fit(), textbook/loop: the speedup of fastreg's estimator and of its "
            "compiled loop alone; twin/textbook: how much longer the oracle takes than the "
            "textbook; fit() fixed: a one-epoch fit() less a one-epoch compiled loop, best of "
            "200 each, what fit() adds before and after the loop; loop/epoch: the compiled "
            "loop's time per epoch)",
        ]
    )


def _targets_table(targets):
    rows = []
    for t in targets:
        if t["value"] is None:
            value, status = "-", "not measured"
        elif t["noise"]:
            value, status = f"{t['value']:.2f}", "noise (over 100% beyond the cache)"
        else:
            value, status = f"{t['value']:.2f}", "met" if t["met"] else "MISSED"
        why = t["limit"] if t["met"] is False else ""
        rows.append([t["figure"], f">= {t['target']:g}", value, status, why])
    return "\n".join(
        [
            "Targets (speedups against the textbook loop; a miss says what stands in the way,"
            " profiled in bench/RESULTS.md)",
            _table(
                ["figure", "target", "value", "status", "in the way"],
                rows,
                ["<", ">", ">", "<", "<"],
            ),
        ]
    )


def write_json(results, path):
    """Write the results (every figure and the machine description) as indented JSON.

    Parameters
    ----------
    results : dict
    path : str or pathlib.Path
    """

    def clean(x):
        if isinstance(x, float) and not math.isfinite(x):
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        return x

    with open(path, "w") as f:
        json.dump(clean(results), f, indent=1)
        f.write("\n")


def plot(results, path):
    """PNG of epochs/s by size: fastreg, the textbook loop and the twin, bandwidth ceiling.

    One panel per (threads, dtype); within a panel each size is a group of points, one
    colour per loss, fastreg filled, the textbook loop hollow, the twin a cross; the black
    bar over a group is the epochs/s the read bandwidth allows for that size (the highest
    bracketing probe of the group beyond the cache, the start-of-run probe in cache).

    Parameters
    ----------
    results : dict
    path : str or pathlib.Path
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    epochs = results["epochs"]
    if not epochs:
        return
    sizes = list(dict.fromkeys(r["size"] for r in epochs))
    losses = list(dict.fromkeys(r["loss"] for r in epochs))
    dtypes = list(dict.fromkeys(r["dtype"] for r in epochs))
    threads = sorted({r["threads"] for r in epochs})
    colors = dict(zip(losses, plt.rcParams["axes.prop_cycle"].by_key()["color"], strict=False))
    fig, axes = plt.subplots(
        len(threads),
        len(dtypes),
        figsize=(5.5 * len(dtypes), 3.8 * len(threads)),
        squeeze=False,
        sharey=True,
    )
    for i, t in enumerate(threads):
        for j, dtype in enumerate(dtypes):
            ax = axes[i][j]
            for x, size in enumerate(sizes):
                group = [
                    r for r in epochs if (r["size"], r["dtype"], r["threads"]) == (size, dtype, t)
                ]
                for r in group:
                    dx = 0.6 * (losses.index(r["loss"]) / max(len(losses) - 1, 1) - 0.5)
                    c = colors[r["loss"]]
                    ax.plot(x + dx, r["fastreg"]["epochs_per_s"], "o", color=c)
                    ax.plot(x + dx, r["textbook"]["epochs_per_s"], "s", mfc="none", color=c)
                    ax.plot(x + dx, r["twin"]["epochs_per_s"], "x", ms=4, color=c)
                ceilings = [r["ceiling_epochs_per_s"] for r in group if r["ceiling_epochs_per_s"]]
                if ceilings:
                    ceiling = max(ceilings)
                    ax.hlines(ceiling, x - 0.4, x + 0.4, color="black", linewidth=2)
            ax.set_yscale("log")
            ax.set_xticks(range(len(sizes)), [_size_title(s) for s in sizes], fontsize=8)
            ax.set_xlim(-0.6, len(sizes) - 0.4)
            ax.set_title(f"{dtype}, {t} thread{'s' if t > 1 else ''}", fontsize=10)
            ax.grid(axis="y", which="major", alpha=0.3)
            if j == 0:
                ax.set_ylabel("epochs / s")
    handles = [
        Line2D([], [], marker="o", ls="", color=colors[loss], label=loss) for loss in losses
    ]
    handles += [
        Line2D([], [], marker="o", ls="", color="gray", label="fastreg"),
        Line2D([], [], marker="s", ls="", mfc="none", color="gray", label="textbook loop"),
        Line2D([], [], marker="x", ls="", color="gray", label="twin (oracle)"),
        Line2D([], [], color="black", lw=2, label="read-bandwidth ceiling"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
    fig.suptitle("fastreg epoch throughput (GD epoch: one pass over X)", fontsize=11)
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    fig.savefig(path, dpi=110)
    plt.close(fig)
