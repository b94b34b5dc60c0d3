# bench/peers/report.py: the peers comparison as text (a summary of times to solution,
# then one table per problem and size with how each library got there), and as a PNG of
# time to solution per problem, size and library. The JSON is the results dict itself.
from bench.report import _seconds, _table

STATUS_TEXT = {
    "not installed": "not installed",
    "not supported": "no such estimator",
    "not reached": "did not reach the target",
    "error": "failed",
}


def _time_cell(entry):
    if entry["status"] == "matched":
        return _seconds(entry["seconds"])
    if entry["status"] == "not reached":
        return f"gap {entry['relative_gap']:.0e}"
    return {"not installed": "n/i", "not supported": "-", "error": "error"}[entry["status"]]


def _tol_cell(entry):
    if entry.get("tol") is None:
        return "exact" if entry["status"] == "matched" else "-"
    return f"{entry['tol']:.0e}"


def format_peers(results):
    """The peers comparison as text.

    Parameters
    ----------
    results : dict
        As returned by `bench.peers.runner.run_peers`.

    Returns
    -------
    text : str
    """
    threads = results["threads"]
    names = [lib["name"] for lib in results["libraries"]]
    out = [
        f"Time to solution at matched objective, {threads} threads. Each library fits from "
        "scratch with its solver tolerance tightened step by step; every result is scored by "
        "fastreg's documented objective, computed in float64 by the bench from the returned "
        f"coef_ and intercept_; a library's time is that of its first fit within "
        f"{results['target_relative']:g} (relative) of the best objective any library reached.",
        "",
        "Libraries: "
        + "; ".join(
            f"{lib['name']} {lib['version'] or ''}".rstrip()
            + ("" if lib["installed"] else " (not installed)")
            for lib in results["libraries"]
        ),
        "Threads: "
        + "; ".join(f"{lib['name']}: {lib['threads']}" for lib in results["libraries"]),
        "",
        "Summary: seconds to the matched objective (n/i: not installed; -: the library has "
        "no such estimator; gap: did not reach it, best relative gap)",
    ]
    rows = [
        [f"{c['estimator']}", f"{c['size']} {c['n_samples']:,} x {c['n_features']}"]
        + [_time_cell(c["libraries"][name]) for name in names]
        for c in results["comparisons"]
    ]
    out.append(_table(["estimator", "size", *names], rows, ["<", "<"] + [">"] * len(names)))
    for c in results["comparisons"]:
        out.append("")
        out.append(_comparison_table(c))
    return "\n".join(out)


def _comparison_table(c):
    head = (
        f"{c['estimator']}, {c['size']} ({c['n_samples']:,} x {c['n_features']}): "
        f"{c['objective_text']}"
    )
    if c["best_objective"] is None:
        return head + "\n(no library produced a finite objective)"
    head += f"\nbest objective {c['best_objective']:.12g} ({c['best_library']})"
    if c.get("load_average"):
        before, after = c["load_average"]
        head += f"; load average {before:.1f} -> {after:.1f} while it ran"
    fastreg = c["libraries"].get("fastreg", {})
    rows = []
    for name, e in c["libraries"].items():
        if e["status"] in ("not installed", "not supported", "error"):
            detail = e.get("error", "") if e["status"] == "error" else ""
            rows.append([name, STATUS_TEXT[e["status"]], "", "", "", "", "", detail])
            continue
        ratio = ""
        if e["status"] == "matched" and fastreg.get("seconds"):
            ratio = f"{e['seconds'] / fastreg['seconds']:.2f}x"
        how = e["what"]
        if e.get("note"):
            how += f" [{e['note']}]"
        if e["status"] == "not reached":
            how += f" [stopped: {e['stopped']}]"
        rows.append(
            [
                name,
                _time_cell(e) if e["status"] == "matched" else STATUS_TEXT[e["status"]],
                ratio,
                _tol_cell(e),
                str(len(e["runs"])),
                f"{e['parallelism']:.2f}" if e.get("parallelism") else "-",
                f"{e['relative_gap']:.1e}",
                how,
            ]
        )
    header = ["library", "time", "/ fastreg", "tol", "tols", "cpu/wall", "best gap", "how"]
    return head + "\n" + _table(header, rows, ["<", ">", ">", ">", ">", ">", ">", "<"])


def plot_peers(results, path):
    """PNG: time to solution per problem (one panel each), size groups, one bar per library.

    Parameters
    ----------
    results : dict
    path : str or pathlib.Path
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    comparisons = results["comparisons"]
    if not comparisons:
        return
    problems = list(dict.fromkeys(c["problem"] for c in comparisons))
    names = [lib["name"] for lib in results["libraries"]]
    colors = dict(zip(names, plt.rcParams["axes.prop_cycle"].by_key()["color"], strict=False))
    columns = min(3, len(problems))
    rows = (len(problems) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(5 * columns, 3.6 * rows), squeeze=False)
    width = 0.8 / max(len(names), 1)
    for ax, problem in zip(axes.flat, problems, strict=False):
        group = [c for c in comparisons if c["problem"] == problem]
        for x, c in enumerate(group):
            for i, name in enumerate(names):
                e = c["libraries"][name]
                left = x - 0.4 + i * width
                if e["status"] == "matched":
                    ax.bar(left, e["seconds"], width, align="edge", color=colors[name])
                elif e["status"] == "not reached":  # at the bottom of the panel
                    ax.annotate(
                        "x",
                        (left + width / 2, 0.02),
                        xycoords=("data", "axes fraction"),
                        ha="center",
                        color=colors[name],
                    )
        ax.set_yscale("log")
        ax.set_xticks(
            range(len(group)), [f"{c['n_samples']:,} x {c['n_features']}" for c in group]
        )
        ax.tick_params(axis="x", labelsize=7)
        ax.set_title(group[0]["estimator"], fontsize=9)
        ax.set_ylabel("seconds to matched objective", fontsize=8)
        ax.grid(axis="y", which="major", alpha=0.3)
    for ax in list(axes.flat)[len(problems) :]:
        ax.set_visible(False)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[n]) for n in names]
    fig.legend(handles, names, loc="lower center", ncol=len(names), fontsize=8, frameon=False)
    fig.suptitle(
        f"Time to within {results['target_relative']:g} of the best objective, "
        f"{results['threads']} threads (lower is better; x: did not reach it)",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.05, 1, 0.95))
    fig.savefig(path, dpi=110)
    plt.close(fig)
