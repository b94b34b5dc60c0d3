# bench/sparse.py: fastreg on sparse, text-like data (scipy.sparse CSR, never densified).
#
# (1) The CSR epoch: one iteration of the compiled GD loop on CSR X, timed as the
#     marginal cost of an epoch ((a call of E epochs - a call of one) / (E - 1)), for
#     every loss; its GB/s counts the bytes a CSR pass reads (values + indices + indptr)
#     and is set against the machine's read bandwidth with as many threads.
# (2) The fit: fastreg's LogisticRegression against scikit-learn's (lbfgs), and skglm and
#     glum when they are installed, each timed to the same objective
#     C * sum_i logloss_i + ||w||^2 / 2 (benchopt's protocol: growing iteration limits,
#     the best objective any run reached sets the target best + 1e-6 |best|, and a
#     solver's time is its cheapest run that reaches it).
# (3) The alternative gradient layout: a transposed (CSC) gradient would read the entries
#     twice per epoch (CSR for the scores, CSC for X^T g); scipy's two products on one
#     thread are timed beside fastreg's fused pass on one thread.
#
# Run: python -m bench.sparse [--size quick] [--threads 2] [--out DIR]. `sparse_rows()`
# returns the same records as a list of dicts.
import argparse
import json
import math
import pathlib
import sys
import time
import warnings

import numpy as np
from scipy import sparse

# The text-like problem: documents x vocabulary x words a document; "quick" and "tiny"
# are for smoke runs (the bench's own test runs "tiny").
SIZES = {"full": (200_000, 50_000, 50), "quick": (20_000, 5_000, 50), "tiny": (2_000, 500, 20)}
C = 1.0
RELATIVE_ACCURACY = 1e-6
# The widest X glum is given (its dense Hessian: 10,000^2 doubles = 800 MB).
GLUM_MAX_FEATURES = 10_000
EPOCH_LEARNING_RATE = 1e-3
LOSSES = {
    "squared": ("LOSS_SQUARED", 1),
    "logistic": ("LOSS_LOGISTIC", 1),
    "multinomial3": ("LOSS_MULTINOMIAL", 3),
    "multinomial10": ("LOSS_MULTINOMIAL", 10),
}


def text_like(n_samples, n_features, nnz_per_row, dtype=np.float64, seed=0):
    """A tf-idf-like CSR matrix and labels.

    Word ranks follow a Zipf-like law (p ~ 1 / (rank + 100)^0.9, so frequent words share
    many documents), values are log-normal, rows are L2-normalised; a repeated word in a
    document is one entry (its values added). Labels: binary, and 3 and 10 classes, from
    a linear model of the rows plus logistic noise.
    """
    rng = np.random.default_rng(seed)
    p = 1.0 / (np.arange(n_features) + 100.0) ** 0.9
    columns = rng.choice(n_features, size=(n_samples, nnz_per_row), p=p / p.sum())
    columns = rng.permutation(n_features)[columns]  # frequent words spread over the columns
    values = rng.lognormal(0.0, 1.0, size=columns.shape)
    indptr = np.arange(0, n_samples * nnz_per_row + 1, nnz_per_row)
    X = sparse.csr_array((values.ravel(), columns.ravel(), indptr), shape=(n_samples, n_features))
    X.sum_duplicates()
    X.indices, X.indptr = X.indices.astype(np.int32), X.indptr.astype(np.int32)  # as scipy
    norms = np.sqrt(np.add.reduceat(X.data**2, X.indptr[:-1]))
    X.data /= np.repeat(norms, np.diff(X.indptr))
    labels = {}
    for k in (2, 3, 10):
        w = rng.standard_normal((k, n_features)) * 3.0
        z = X @ w.T + rng.logistic(size=(n_samples, k))
        labels[k] = np.argmax(z, axis=1)
    return X.astype(dtype), labels


def csr_bytes(X):
    """Bytes a CSR pass reads: values, indices and indptr."""
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes


def best_time(run, repeats):
    best, result = math.inf, None
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        out = run()
        elapsed = time.perf_counter() - start
        if elapsed < best:
            best, result = elapsed, out
    return best, result


def read_bandwidth(threads, n_bytes=1 << 30, repeats=5):
    """GB/s of one streaming read of a 1 GiB buffer with `threads` threads (best of 5)."""
    from fastreg import _kernels

    data = np.ones(n_bytes // 8)
    _kernels.stream_read(data, threads)
    seconds, _ = best_time(lambda: _kernels.stream_read(data, threads), repeats)
    return data.nbytes / seconds / 1e9


# ---- (1) the CSR epoch ------------------------------------------------------------------


def _gd_call(X, y, loss_code, n_outputs, epochs, threads):
    from fastreg import _kernels
    from fastreg._problem import Problem, SolverOptions

    options = SolverOptions(
        "gd", learning_rate=EPOCH_LEARNING_RATE, max_iter=epochs, tol=0.0, n_threads=threads
    )
    coef, intercept = np.zeros((n_outputs, X.shape[1])), np.zeros(n_outputs)
    return _kernels.solve(Problem(loss_code, X, y, n_outputs=n_outputs), options, coef, intercept)[
        3
    ]


def epoch_rows(X, labels, threads, bandwidth, target_seconds=1.0, repeats=3):
    """Seconds per CSR epoch and its GB/s, per loss; see the module header (1)."""
    from fastreg import _kernels

    rows = []
    for loss, (code_name, n_outputs) in LOSSES.items():
        code = getattr(_kernels, code_name)
        k = 2 if n_outputs == 1 else n_outputs
        y = labels[k].astype(X.dtype)

        def call(epochs, y=y, code=code, n_outputs=n_outputs):
            return _gd_call(X, y, code, n_outputs, epochs, threads)

        one, _ = best_time(lambda: call(1), 2)
        epochs = int(min(2000, max(5, target_seconds / max(one, 1e-6))))
        long_s, n_long = best_time(lambda: call(epochs), repeats)  # noqa: B023 (called at once)
        short_s, n_short = best_time(lambda: call(1), repeats)
        per_epoch = (long_s - short_s) / max(n_long - n_short, 1)
        if per_epoch <= 0:
            per_epoch = long_s / n_long
        gb_per_s = csr_bytes(X) / per_epoch / 1e9
        rows.append(
            {
                "bench": "csr_epoch",
                "loss": loss,
                "dtype": X.dtype.name,
                "threads": threads,
                "n_samples": X.shape[0],
                "n_features": X.shape[1],
                "nnz": int(X.nnz),
                "chunks": int(_kernels.chunk_bounds(X).shape[0] - 1),
                "bytes_per_epoch": csr_bytes(X),
                "seconds_per_epoch": per_epoch,
                "gb_per_s": gb_per_s,
                "read_bandwidth_gb_per_s": bandwidth,
                "percent_of_bandwidth": 100.0 * gb_per_s / bandwidth,
            }
        )
    return rows


def two_read_alternative(X, labels):
    """One thread: fastreg's fused logistic pass against scipy's X w then X_csc^T g."""
    from threadpoolctl import threadpool_limits

    from fastreg import _kernels

    y = labels[2].astype(X.dtype)
    coef, intercept = np.zeros((1, X.shape[1]), dtype=X.dtype), np.zeros(1, dtype=X.dtype)
    csc = X.tocsc()
    w = np.zeros(X.shape[1], dtype=X.dtype)
    g = np.ones(X.shape[0], dtype=X.dtype)
    with threadpool_limits(limits=1):
        fused, _ = best_time(
            lambda: _kernels.loss_gradient(_kernels.LOSS_LOGISTIC, X, y, None, coef, intercept, 1),
            5,
        )
        two, _ = best_time(lambda: (X @ w, csc.T @ g), 5)
    return {
        "bench": "gradient_layout",
        "dtype": X.dtype.name,
        "threads": 1,
        "fused_csr_pass_seconds": fused,
        "scipy_csr_then_csc_seconds": two,
        "ratio": two / fused,
    }


# ---- (2) the fit at equal objective ---------------------------------------------------------


def objective(X, y01, coef, intercept):
    """C * sum_i [log(1 + exp(z_i)) - y_i z_i] + ||w||^2 / 2 in float64, z = X w + b."""
    w = np.asarray(coef, dtype=np.float64).reshape(-1)
    b = float(np.asarray(intercept, dtype=np.float64).reshape(-1)[0])
    z = X @ w + b
    return C * float(np.sum(np.logaddexp(0.0, z) - y01 * z)) + 0.5 * float(w @ w)


def _solvers(n_samples, threads, n_features=0):
    """name -> fit(X, y, max_iter) returning (coef, intercept, n_iter)."""
    from sklearn.linear_model import LogisticRegression

    import fastreg

    def fastreg_fit(X, y, k):
        m = fastreg.LogisticRegression(C=C, max_iter=k, tol=1e-12).fit(X, y)
        return m.coef_, m.intercept_, int(np.max(m.n_iter_))

    def sklearn_fit(X, y, k):
        m = LogisticRegression(C=C, solver="lbfgs", max_iter=k, tol=1e-12).fit(X, y)
        return m.coef_, m.intercept_, int(np.max(m.n_iter_))

    solvers = {"fastreg": fastreg_fit, "sklearn_lbfgs": sklearn_fit}
    try:  # skglm: mean log-loss + alpha/2 ||w||^2 is the objective / (C n)
        from skglm import GeneralizedLinearEstimator
        from skglm.datafits import Logistic
        from skglm.penalties import L1_plus_L2
        from skglm.solvers import ProxNewton

        def skglm_fit(X, y, k):
            m = GeneralizedLinearEstimator(
                Logistic(),
                L1_plus_L2(1.0 / (C * n_samples), 0.0),  # skglm's L2 lacks a prox
                ProxNewton(fit_intercept=True, max_iter=k, tol=1e-12, ws_strategy="fixpoint"),
            ).fit(X, 2 * y - 1)
            return m.coef_, m.intercept_, k

        solvers["skglm_prox_newton"] = skglm_fit
    except ImportError:
        pass
    # glum's IRLS forms the dense d x d Hessian X^T W X even for a sparse X: at 50,000
    # features that is 20 GB, and the run is killed for lack of memory. It is left out
    # past GLUM_MAX_FEATURES (the full size); the quick size compares it.
    try:
        if n_features > GLUM_MAX_FEATURES:
            raise ImportError("glum would need a dense Hessian of n_features^2 doubles")
        from glum import GeneralizedLinearRegressor

        def glum_fit(X, y, k):
            m = GeneralizedLinearRegressor(
                family="binomial",
                alpha=1.0 / (C * n_samples),
                l1_ratio=0.0,
                max_iter=k,
                gradient_tol=1e-12,
            ).fit(X, y)
            return m.coef_, np.atleast_1d(m.intercept_), k

        solvers["glum"] = glum_fit
    except ImportError:
        pass
    return solvers


def fit_rows(X, y, threads, budget_seconds=120.0, solvers=None):
    """Time to the same objective for every installed solver; see the header (2).

    ``solvers`` (names of `_solvers`, or None for all installed) limits the comparison;
    fastreg always runs, as the speed-ups are relative to it.
    """
    from threadpoolctl import threadpool_limits

    runs = {}
    chosen = _solvers(X.shape[0], threads, X.shape[1])
    if solvers is not None:
        chosen = {k: v for k, v in chosen.items() if k == "fastreg" or k in solvers}
    with threadpool_limits(limits=threads), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, fit in chosen.items():
            fit(X[:200], y[:200], 2)  # compile (skglm's numba) and load before timing
            runs[name], spent, k, last = [], 0.0, 1, math.inf
            while spent < budget_seconds and k <= 20_000:
                start = time.perf_counter()
                coef, intercept, n_iter = fit(X, y, k)
                seconds = time.perf_counter() - start
                spent += seconds
                value = objective(X, y, coef, intercept)
                runs[name].append({"max_iter": k, "seconds": seconds, "objective": value})
                if int(n_iter) < k or 0 <= last - value <= 1e-13 * abs(value):
                    break  # converged, or no more progress
                last, k = value, max(k + 1, math.ceil(1.6 * k))
    best = min(r["objective"] for solver_runs in runs.values() for r in solver_runs)
    target = best + RELATIVE_ACCURACY * abs(best)
    rows = []
    for name, solver_runs in runs.items():
        reached = [r for r in solver_runs if r["objective"] <= target]
        rows.append(
            {
                "bench": "fit",
                "solver": name,
                "threads": threads,
                "n_samples": X.shape[0],
                "n_features": X.shape[1],
                "nnz": int(X.nnz),
                "C": C,
                "target_objective": target,
                "reached": bool(reached),
                "seconds": min(r["seconds"] for r in reached) if reached else None,
                "max_iter": min(r["max_iter"] for r in reached) if reached else None,
                "best_relative_gap": (min(r["objective"] for r in solver_runs) - best) / abs(best),
                "runs": solver_runs,
            }
        )
    ours = next(r["seconds"] for r in rows if r["solver"] == "fastreg")
    for row in rows:
        row["fastreg_speedup"] = row["seconds"] / ours if row["seconds"] and ours else None
    return rows


def sparse_rows(size="full", threads=2, fit_budget_seconds=120.0, progress=print, solvers=None):
    """Every record of this bench (bandwidth, epochs, gradient layout, fits) as dicts.

    Parameters
    ----------
    size : {"full", "quick", "tiny"}, default="full"
        The problem of `SIZES`: 200,000 x 50,000 with 50 entries a row, or a 10x or 100x
        smaller one for a smoke run.
    threads : int, default=2
        Threads of every solver and of the bandwidth probe.
    fit_budget_seconds : float, default=120.0
        Fitting time each solver may spend on its sweep of iteration limits.
    progress : callable, default=print
        Called with a short label before each part.
    solvers : list of str or None, default=None
        The fit comparison's solvers (fastreg always runs); None: every installed one.

    Returns
    -------
    rows : list of dict
        One per measurement, with a ``bench`` key: ``read_bandwidth``, ``csr_epoch`` (per
        loss and dtype), ``gradient_layout`` and ``fit`` (per solver).
    """
    n, d, per_row = SIZES[size]
    small = size != "full"
    progress(f"data: {n} x {d}, {per_row} entries a row")
    X64, labels = text_like(n, d, per_row)
    probe_bytes = (1 << 24) if size == "tiny" else (1 << 27) if small else (1 << 30)
    bandwidth = {t: read_bandwidth(t, n_bytes=probe_bytes) for t in sorted({1, threads})}
    rows = [{"bench": "read_bandwidth", "threads": t, "gb_per_s": g} for t, g in bandwidth.items()]
    for dtype in (np.float64, np.float32):
        progress(f"CSR epochs, {np.dtype(dtype).name}")
        rows += epoch_rows(
            X64.astype(dtype),
            labels,
            threads,
            bandwidth[threads],
            target_seconds=0.05 if size == "tiny" else 0.2 if small else 1.0,
        )
    progress("gradient layout")
    rows.append(two_read_alternative(X64, labels))
    progress("fits to equal objective")
    rows += fit_rows(X64, labels[2], threads, fit_budget_seconds, solvers)
    return rows


def _table(rows):
    lines = []
    for r in rows:
        if r["bench"] == "read_bandwidth":
            lines.append(f"read bandwidth, {r['threads']} thread(s): {r['gb_per_s']:.1f} GB/s")
        elif r["bench"] == "csr_epoch":
            lines.append(
                f"CSR epoch {r['loss']:>13s} {r['dtype']:>7s} {r['threads']} thr "
                f"{r['chunks']:>2d} chunks: {1e3 * r['seconds_per_epoch']:7.2f} ms  "
                f"{r['gb_per_s']:5.1f} GB/s = {r['percent_of_bandwidth']:5.1f} % of bandwidth"
            )
        elif r["bench"] == "gradient_layout":
            lines.append(
                f"1 thread: fused CSR pass {1e3 * r['fused_csr_pass_seconds']:.2f} ms, scipy CSR "
                f"X w + CSC X^T g {1e3 * r['scipy_csr_then_csc_seconds']:.2f} ms "
                f"(x{r['ratio']:.2f})"
            )
        elif r["bench"] == "fit":
            seconds = f"{r['seconds']:.3f} s" if r["reached"] else "not reached"
            speedup = f"  fastreg x{r['fastreg_speedup']:.2f}" if r["fastreg_speedup"] else ""
            lines.append(
                f"fit {r['solver']:>14s}: {seconds} (max_iter {r['max_iter']}, best gap "
                f"{r['best_relative_gap']:.1e}){speedup}"
            )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.sparse", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--fit-budget", type=float, default=120.0, help="seconds of fitting per solver"
    )
    parser.add_argument("--out", type=pathlib.Path, default=None, help="directory for sparse.json")
    parser.add_argument(
        "--solvers",
        default=None,
        help="comma-separated fit solvers besides fastreg (sklearn_lbfgs, skglm_prox_newton, "
        "glum); default: every installed one",
    )
    args = parser.parse_args(argv)
    rows = sparse_rows(
        args.size,
        args.threads,
        args.fit_budget,
        progress=lambda s: print(f"... {s}", file=sys.stderr, flush=True),
        solvers=None if args.solvers is None else args.solvers.split(","),
    )
    print(_table(rows))
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "sparse.json").write_text(json.dumps(rows, indent=1))
    return rows


if __name__ == "__main__":
    main()
