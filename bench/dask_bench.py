# bench/dask_bench.py: fastreg on a Dask cluster. One LocalCluster of two worker
# processes (one thread each) holds X (1,000,000 x 100 float64 in 8 row blocks) and the
# targets, generated on the workers; the client never holds X.
#
# (1) LogisticRegression: fastreg on the dask arrays against dask-ml's
#     LogisticRegression(solver="lbfgs") and against fastreg in memory (2 threads, X
#     gathered to the client afterwards), each timed to the same objective: the
#     unpenalised sum of log-losses (fastreg C=inf; dask-ml C=1e12, whose penalty is
#     then below the objective's rounding), the target being the best objective any run
#     reached plus RELATIVE_ACCURACY of it. fastreg's tolerance is tightened (and dask-ml's
#     max_iter raised) step by step, and a contender's time is its first run that
#     reaches the target. Every objective is evaluated by the same fused pass over the
#     cluster's blocks.
# (2) Ridge and LinearRegression: fastreg on dask (one map-reduce of the sufficient
#     statistics, the exact solve on the client) against fastreg in memory with the same
#     default solve (the statistics pass and Cholesky with refinement).
# (3) The client's memory: its resident set, sampled every 20 ms while the Dask fits run,
#     against its size before them.
#
# Run: python -m bench.dask_bench [--size quick] [--out DIR] (dask-ml: pip install dask-ml,
# for the bench only). `dask_rows()` returns the records as a list of dicts.
import argparse
import json
import math
import pathlib
import sys
import threading
import time
import warnings

import numpy as np

SIZES = {"full": (1_000_000, 100, 8), "quick": (100_000, 100, 8), "tiny": (4_000, 10, 4)}
SEED = 0
RELATIVE_ACCURACY = 1e-6
TOLERANCES = (1e-4, 1e-5, 1e-6, 1e-7, 1e-8)
DASK_ML_MAX_ITER = (10, 20, 40, 80, 160)
RIDGE_ALPHA = 1.0
# dask-ml regularises always: C = 1e12 makes its penalty (on standardised coefficients,
# ~1e-12 of their squared norm) negligible next to a sum of log-losses of ~1e5.
DASK_ML_C = 1e12


class ResidentSetSampler:
    """The peak resident set of this process while active, sampled in a thread."""

    def __init__(self, interval=0.02):
        import psutil

        self.process = psutil.Process()
        self.interval = interval
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self._stop.wait(self.interval)

    def __enter__(self):
        self.before = self.process.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def cluster_data(n_samples, n_features, n_blocks):
    """X, logistic labels and a regression target, generated and persisted on the workers."""
    import dask
    import dask.array as da
    from distributed import wait

    rows = -(-n_samples // n_blocks)
    state = da.random.RandomState(SEED)
    X = state.standard_normal((n_samples, n_features), chunks=(rows, n_features))
    w = np.random.default_rng(SEED).standard_normal(n_features) * (2.0 / math.sqrt(n_features))
    scores = X @ w + 0.3
    labels = (scores + state.logistic(size=n_samples, chunks=rows) > 0).astype(np.float64)
    response = scores + state.standard_normal(n_samples, chunks=rows)
    X, labels, response = dask.persist(X, labels, response)
    wait([X, labels, response])
    return X, labels, response


def _timed(fit):
    start = time.perf_counter()
    model = fit()
    return time.perf_counter() - start, model


def _row(problem, contender, seconds, objective=None, **extra):
    return {"problem": problem, "contender": contender, "seconds": seconds,
            "objective": objective, **extra}  # fmt: skip


def logistic_rows(X, y, client, rss):
    """Time to the same objective: fastreg on dask, dask-ml lbfgs, fastreg in memory."""
    import fastreg
    from fastreg import _kernels
    from fastreg._dask_passes import DaskData

    n, d = X.shape
    problem = f"LogisticRegression {n:,} x {d}"
    evaluator = DaskData(X, y, None)

    def objective(coef, intercept):
        point = np.asarray(coef, dtype=np.float64).reshape(1, d), np.atleast_1d(intercept)
        return evaluator.loss_gradient(_kernels.LOSS_LOGISTIC, 1, 0.0, *point, False)[0]

    def ladder(contender, settings, make, data, repeats):
        for setting, model in ((setting, make(setting)) for setting in settings):
            runs = [_timed(lambda model=model: model.fit(*data)) for _ in range(repeats)]
            seconds, model = min(runs, key=lambda run: run[0])
            extra = {}
            if hasattr(model, "n_iter_"):  # fastreg's classifiers: shape (1,)
                extra["n_iter"] = int(np.ravel(model.n_iter_)[0])
            value = objective(model.coef_, model.intercept_)
            yield contender, setting, seconds, value, extra

    def fastreg_logistic(n_jobs=None):
        return lambda tol: fastreg.LogisticRegression(
            C=np.inf, tol=tol, max_iter=1000, n_jobs=n_jobs
        )

    with warnings.catch_warnings():  # the workers import fastreg; max_iter=1 warns
        warnings.simplefilter("ignore")
        fastreg.LogisticRegression(max_iter=1).fit(X, y)
    runs = []  # (contender, setting, seconds, objective, extra)
    with rss:
        runs += ladder("fastreg on dask", TOLERANCES, fastreg_logistic(), (X, y), 2)
    try:
        from dask_ml.linear_model import LogisticRegression as DaskMLLogisticRegression
    except ImportError:
        pass
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runs += ladder(
                "dask-ml lbfgs",
                DASK_ML_MAX_ITER,
                lambda max_iter: DaskMLLogisticRegression(
                    solver="lbfgs", C=DASK_ML_C, max_iter=max_iter, tol=1e-12
                ),
                (X, y),
                1,
            )
    local = client.compute([X, y], sync=True)  # only now on the client
    with warnings.catch_warnings():  # n_jobs's FutureWarning (it sets the kernel threads)
        warnings.simplefilter("ignore", FutureWarning)
        runs += ladder("fastreg in memory", TOLERANCES, fastreg_logistic(2), local, 2)
    local = None
    pass_seconds = []
    for _ in range(10):  # one fused pass with gradient over the cluster's blocks
        start = time.perf_counter()
        evaluator.loss_gradient(
            _kernels.LOSS_LOGISTIC, 1, 0.0, np.zeros((1, d)), np.zeros(1), True
        )
        pass_seconds.append(time.perf_counter() - start)
    best = min(run[3] for run in runs)
    target = best + RELATIVE_ACCURACY * abs(best)
    rows = []
    for contender in ("fastreg on dask", "dask-ml lbfgs", "fastreg in memory"):
        mine = [run for run in runs if run[0] == contender]
        if not mine:
            rows.append(_row(problem, contender, None, note="dask-ml is not installed"))
            continue
        reached = [run for run in mine if run[3] <= target]
        _, setting, seconds, value, extra = reached[0] if reached else mine[-1]
        setting = f"tol={setting:g}" if contender.startswith("fastreg") else f"max_iter={setting}"
        rows.append(_row(problem, contender, seconds, value, setting=setting,
                         relative_gap=(value - best) / abs(best), reached=bool(reached),
                         **extra))  # fmt: skip
    rows.append(_row(f"one pass {n:,} x {d}", "fastreg on dask (fused pass, median)",
                     float(np.median(pass_seconds))))  # fmt: skip
    return rows


def least_squares_rows(X, y, client, rss):
    """Ridge and LinearRegression: the statistics map-reduce against in-memory fits."""
    import fastreg

    n, d = X.shape
    models = {
        "Ridge": lambda **kw: fastreg.Ridge(alpha=RIDGE_ALPHA, **kw),
        "LinearRegression": lambda **kw: fastreg.LinearRegression(**kw),
    }
    on_dask = {}
    with rss:
        for name, make in models.items():
            runs = [_timed(lambda make=make: make().fit(X, y)) for _ in range(2)]
            on_dask[name] = min(runs, key=lambda run: run[0])
    X_local, y_local = client.compute([X, y], sync=True)
    rows = []
    for name, make in models.items():
        seconds, model = on_dask[name]
        rows.append(_row(f"{name} {n:,} x {d}", "fastreg on dask", seconds,
                         setting="statistics map-reduce + Cholesky"))  # fmt: skip
        for solver in ("auto",):
            local_seconds, local = _timed(
                lambda make=make, solver=solver: make(solver=solver, n_jobs=2).fit(
                    X_local, y_local
                )
            )
            gap = float(np.max(np.abs(local.coef_ - model.coef_)) / np.max(np.abs(local.coef_)))
            rows.append(_row(f"{name} {n:,} x {d}", "fastreg in memory", local_seconds,
                             setting=f"solver={solver!r}", coef_gap_to_dask=gap))  # fmt: skip
    return rows


def dask_rows(size="full", client=None):
    """Run the Dask bench; returns its records (one dict per contender and problem).

    Parameters
    ----------
    size : {"full", "quick", "tiny"}, default="full"
        The problem size (`SIZES`).
    client : distributed.Client or None, default=None
        A client of the cluster to use; None starts a LocalCluster of two worker
        processes with one thread each, and closes it at the end.

    Returns
    -------
    rows : list of dict
        ``problem``, ``contender``, ``seconds`` and what else was measured.
    """
    from distributed import Client, LocalCluster

    n_samples, n_features, n_blocks = SIZES[size]
    cluster = None
    if client is None:
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        with client.as_current():
            X, labels, response = cluster_data(n_samples, n_features, n_blocks)
            logistic_rss, ls_rss = ResidentSetSampler(), ResidentSetSampler()
            rows = logistic_rows(X, labels, client, logistic_rss)
            rows += least_squares_rows(X, response, client, ls_rss)
            x_bytes = X.nbytes
            for name, rss in (("logistic fits", logistic_rss), ("least-squares fits", ls_rss)):
                rows.append(_row("client memory", f"fastreg on dask ({name})", None,
                                 rss_before_mb=rss.before / 2**20,
                                 rss_growth_mb=(rss.peak - rss.before) / 2**20,
                                 x_mb=x_bytes / 2**20))  # fmt: skip
    finally:
        if cluster is not None:
            client.close()
            cluster.close()
    return rows


def _format(row):
    text = f"{row['problem']:<34} {row['contender']:<42}"
    if row.get("seconds") is not None:
        text += f" {row['seconds']:8.3f} s"
    for key in ("setting", "relative_gap", "reached", "n_iter", "coef_gap_to_dask", "note"):
        if key in row:
            value = row[key]
            text += f"  {key}={value:.2e}" if isinstance(value, float) else f"  {key}={value}"
    for key in ("rss_before_mb", "rss_growth_mb", "x_mb"):
        if key in row:
            text += f"  {key}={row[key]:.0f}"
    return text


def main(argv=None):
    """The command line: run, print the table, write the JSON.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name.

    Returns
    -------
    rows : list of dict
    """
    parser = argparse.ArgumentParser(
        prog="python -m bench.dask_bench",
        description="fastreg on a 2-worker LocalCluster against dask-ml and in-memory fastreg.",
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--out", type=pathlib.Path, default=None, help="write dask.json here")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = dask_rows(args.size)
    for row in rows:
        print(_format(row))
    print(f"({time.perf_counter() - start:.0f} s in all)", file=sys.stderr)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "dask.json").write_text(json.dumps(rows, indent=1, default=str))
    return rows


if __name__ == "__main__":
    main()
