# bench/peers/runner.py: time to solution at matched objective, for any registered problem
# and library. For one problem and size, every library that offers the estimator fits the
# same data from scratch along its tolerance ladder (loosest first), each fit timed (wall
# and CPU) and scored by the problem's objective, until two successive tolerances give the
# same objective to 12 digits, the ladder ends or its time budget runs out. The best
# objective any run reached sets the target, best + 1e-8 |best|; a library still short of
# it goes on tightening until it reaches it, its ladder ends or its budget is spent (and if
# that finds a new best, the target moves and everyone is checked again). A library's time
# to solution is the time of its loosest tolerance that reached the target (timed twice
# when the budget allows, the faster kept); otherwise it is reported as not reaching it,
# with its best relative gap and why it stopped.
import math
import os
import time
import warnings

from threadpoolctl import threadpool_limits

from bench.peers import libraries as _libraries  # noqa: F401  (registers the libraries)
from bench.peers import problems as _problems  # noqa: F401  (registers the problems)
from bench.peers.registry import LIBRARIES, PROBLEMS

TARGET_RELATIVE = 1e-8
STALL_RELATIVE = 1e-12
WARMUP_ROWS = 2_000
# Each tolerance's fit is repeated (the fastest kept) up to REPEATS times while the
# repeats add up to less than REPEAT_SECONDS; the chosen one is timed again (see _settle).
REPEATS = 5
REPEAT_SECONDS = 0.5


def _one_fit(problem, adapter, X, y, tol, threads):
    """One fit from scratch at `tol`: (wall seconds, CPU seconds, estimator, note, warnings)."""
    estimator = adapter.make(problem.params, tol, threads, X.shape[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wall, cpu = time.perf_counter(), time.process_time()
        note = adapter.fit(estimator, X, y)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, estimator, note, caught


def _timed_fit(problem, adapter, X, y, tol, threads, repeats=REPEATS):
    """Fits from scratch at `tol`, repeated while they are short (other load on a shared
    machine only ever adds time, so the fastest is kept): seconds, CPU / wall of the
    fastest, objective, iterations, warnings, and every timing."""
    timings = []
    while True:
        wall, cpu, estimator, note, caught = _one_fit(problem, adapter, X, y, tol, threads)
        timings.append(wall)
        if wall <= min(timings):
            fastest_cpu = cpu
        if len(timings) >= repeats or sum(timings) >= REPEAT_SECONDS:
            break
    coef, intercept = adapter.coef(estimator)
    objective = problem.objective(X, y, coef, intercept, problem.params)
    seconds = min(timings)
    return {
        "tol": tol,
        "seconds": seconds,
        "timings": timings,
        "cpu_seconds": fastest_cpu,
        "parallelism": fastest_cpu / seconds if seconds > 0 else None,
        "objective": objective if math.isfinite(objective) else math.inf,
        "n_iter": adapter.n_iter(estimator),
        "warnings": sorted({type(w.message).__name__ for w in caught}),
        "note": note if isinstance(note, str) else None,
    }


def _climb(entry, problem, X, y, threads, budget_seconds, until=None):
    """Fit along the library's ladder from where it stopped.

    Without `until` (the first climb), stop once two successive tolerances give the same
    objective to 12 digits (converged as far as it goes); with a target objective
    `until`, stop as soon as a run reaches it. Either way stop at the end of the ladder
    or when the time budget is spent. Records why it stopped in ``entry["stopped"]``.
    """
    adapter, runs = entry["adapter"], entry["runs"]
    tols = adapter.tols
    while entry["next"] < len(tols):
        if entry["spent"] > budget_seconds:
            entry["stopped"] = f"time budget ({budget_seconds:g} s) spent"
            return
        with threadpool_limits(limits=threads):
            run = _timed_fit(problem, adapter, X, y, tols[entry["next"]], threads)
        runs.append(run)
        entry["next"] += 1
        entry["spent"] += sum(run["timings"])
        if until is not None and run["objective"] <= until:
            entry["stopped"] = "reached the target"
            return
        if until is None and len(runs) > 1:
            previous = runs[-2]["objective"]
            if abs(previous - run["objective"]) <= STALL_RELATIVE * abs(run["objective"]):
                entry["stopped"] = "objective stable to 1e-12"
                return
    entry["stopped"] = "end of ladder" if len(tols) > 1 else "direct solver"


def _library_entry(problem, name, X, y, threads, budget_seconds):
    """Run one library's first climb on one problem, or say why it was not run."""
    library = LIBRARIES[name]
    entry = {"library": name, "version": library.version(), "threads": library.threads}
    if not library.installed():
        return {**entry, "status": "not installed", "runs": []}
    adapter = problem.adapters.get(name)
    if adapter is None:
        return {**entry, "status": "not supported", "runs": []}
    entry.update(what=adapter.what, status="ran", adapter=adapter, runs=[], next=0, spent=0.0)
    try:
        if library.limit_threads is not None:
            library.limit_threads(threads)
        with threadpool_limits(limits=threads):
            # untimed warm-up on a slice: imports, JIT compilation (skglm's numba), caches
            rows = min(X.shape[0], WARMUP_ROWS)
            _timed_fit(problem, adapter, X[:rows], y[:rows], adapter.tols[0], threads, 1)
        _climb(entry, problem, X, y, threads, budget_seconds)
    except Exception as error:  # a library failing is a result, not a crash of the bench
        return _failed(entry, error)
    return entry


def _failed(entry, error):
    entry.pop("adapter", None)
    entry.pop("next", None)
    entry.update(status="error", error=f"{type(error).__name__}: {error}")
    return entry


def _best(entries):
    """(objective, library) of the lowest finite objective any run reached, or None."""
    scored = [
        (r["objective"], name)
        for name, e in entries.items()
        for r in e["runs"]
        if math.isfinite(r["objective"])
    ]
    return min(scored) if scored else None


def _resolve(entries, problem, X, y, threads, budget_seconds):
    """Tighten every library that misses the current target and can go on, until none
    can: a library that reaches a new best moves the target, so repeat to a fixed point."""
    while True:
        best, _ = _best(entries)
        target = best + TARGET_RELATIVE * abs(best)
        moved = False
        for entry in entries.values():
            if entry["status"] != "ran" or any(r["objective"] <= target for r in entry["runs"]):
                continue
            if entry["next"] >= len(entry["adapter"].tols) or entry["spent"] > budget_seconds:
                continue
            try:
                _climb(entry, problem, X, y, threads, budget_seconds, until=target)
            except Exception as error:
                _failed(entry, error)
            moved = True
        if not moved:
            return


def _settle(entry, problem, X, y, threads, target, best, budget_seconds):
    """Time to solution of one library that ran: its loosest tolerance that reached."""
    adapter = entry.pop("adapter")
    del entry["next"]
    runs = entry["runs"]
    entry["relative_gap"] = (min(r["objective"] for r in runs) - best) / abs(best)
    reaching = [r for r in runs if r["objective"] <= target]
    if not reaching:
        entry.update(status="not reached", seconds=None, tol=None, parallelism=None)
        return entry
    chosen = fastest = reaching[0]
    timings = list(chosen["timings"])
    if entry["spent"] + chosen["seconds"] <= budget_seconds:
        with threadpool_limits(limits=threads):
            again = _timed_fit(problem, adapter, X, y, chosen["tol"], threads)
        timings += again["timings"]
        fastest = min(chosen, again, key=lambda r: r["seconds"])
    entry.update(
        status="matched",
        seconds=min(timings),
        timings=timings,
        tol=chosen["tol"],
        n_iter=chosen["n_iter"],
        parallelism=fastest["parallelism"],
        note=chosen["note"],
        gap_at_solution=(chosen["objective"] - best) / abs(best),
    )
    return entry


def compare(problem, size, libraries, threads, budget_seconds):
    """Every library on one problem at one size.

    Parameters
    ----------
    problem : bench.peers.registry.Problem
    size : str
        A key of ``problem.sizes``.
    libraries : sequence of str
        Registered library names (those not installed or without an adapter are
        reported as such).
    threads : int
    budget_seconds : float
        Fitting time each library may spend on its ladder.

    Returns
    -------
    record : dict
        The problem's description, ``best_objective``, ``target_objective``,
        ``best_library`` and per library under ``libraries``: ``status`` ("matched",
        "not reached", "not installed", "not supported" or "error"), ``seconds`` (time to
        solution), ``tol``, ``parallelism`` (CPU / wall time of that fit),
        ``relative_gap`` (its best objective against the best), ``runs`` and more;
        ``time_vs_fastreg`` (each matched library's seconds / fastreg's) and
        ``load_average`` (the machine's 1-minute load before and after: other work on a
        shared machine slows multi-threaded fits most).
    """
    n_samples, n_features = problem.sizes[size]
    X, y = problem.make_data(n_samples, n_features)
    load_before = os.getloadavg()[0]
    entries = {
        name: _library_entry(problem, name, X, y, threads, budget_seconds) for name in libraries
    }
    record = {
        "problem": problem.name,
        "estimator": problem.estimator,
        "objective_text": problem.objective_text,
        "params": problem.params,
        "size": size,
        "n_samples": n_samples,
        "n_features": n_features,
        "threads": threads,
        "target_relative": TARGET_RELATIVE,
    }
    if _best(entries) is None:
        for entry in entries.values():
            entry.pop("adapter", None)
            entry.pop("next", None)
        return {**record, "best_objective": None, "target_objective": None, "libraries": entries}
    _resolve(entries, problem, X, y, threads, budget_seconds)
    best, best_library = _best(entries)
    target = best + TARGET_RELATIVE * abs(best)
    for entry in entries.values():
        if entry["status"] == "ran":
            _settle(entry, problem, X, y, threads, target, best, budget_seconds)
    fastreg_seconds = entries.get("fastreg", {}).get("seconds")
    record.update(
        load_average=[load_before, os.getloadavg()[0]],
        best_objective=best,
        target_objective=target,
        best_library=best_library,
        libraries=entries,
        time_vs_fastreg={
            name: e["seconds"] / fastreg_seconds
            for name, e in entries.items()
            if fastreg_seconds and e.get("seconds")
        },
    )
    del X, y
    return record


def run_peers(problems, sizes, libraries, threads, budgets, progress=None):
    """The whole comparison: every problem at every size.

    Parameters
    ----------
    problems, sizes, libraries : sequence of str
        Registered problem names, size names, library names.
    threads : int
    budgets : dict
        Size name -> fitting seconds each library may spend per problem.
    progress : callable, optional
        Called with a label before each problem and size.

    Returns
    -------
    results : dict
        ``libraries`` (name, version, installed, how threads are limited),
        ``threads``, ``target_relative`` and ``comparisons`` (one `compare` record each).
    """
    comparisons = []
    for size in sizes:
        for name in problems:
            if progress is not None:
                progress(f"peers {name} {size}")
            comparisons.append(
                compare(PROBLEMS[name], size, libraries, threads, budgets.get(size, 60.0))
            )
    return {
        "threads": threads,
        "target_relative": TARGET_RELATIVE,
        "libraries": [
            {
                "name": LIBRARIES[n].name,
                "distribution": LIBRARIES[n].distribution,
                "version": LIBRARIES[n].version(),
                "installed": LIBRARIES[n].installed(),
                "threads": LIBRARIES[n].threads,
            }
            for n in libraries
        ],
        "comparisons": comparisons,
    }


def problem_names():
    """Registered problem names, in registration order."""
    return list(PROBLEMS)


def library_names():
    """Registered library names, in registration order."""
    return list(LIBRARIES)
