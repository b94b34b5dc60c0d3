# bench/least_squares.py: the least-squares section of the bench. Two tables:
#   accuracy  correct digits of LinearRegression / Ridge / PolynomialRegression against
#             exact references (NIST's certified Longley values, exact polynomials,
#             mpmath at 60 digits), fastreg beside scikit-learn;
#   speed     the statistics pass (GFLOP/s against the machine's FMA peak, GB/s against
#             its read bandwidth) and the fits on 1M x 100 float64, fastreg beside
#             scikit-learn and scikit-learn-intelex (when installed), in one run.
# `python -m bench.least_squares` prints both; `accuracy_rows()` and `speed_rows()`
# return them as lists of dicts.
import argparse
import json
import os
import time

import numpy as np

# NIST StRD "Longley" (16 observations): y, then x1..x6.
LONGLEY = np.array(
    [
        [60323, 83.0, 234289, 2356, 1590, 107608, 1947],
        [61122, 88.5, 259426, 2325, 1456, 108632, 1948],
        [60171, 88.2, 258054, 3682, 1616, 109773, 1949],
        [61187, 89.5, 284599, 3351, 1650, 110929, 1950],
        [63221, 96.2, 328975, 2099, 3099, 112075, 1951],
        [63639, 98.1, 346999, 1932, 3594, 113270, 1952],
        [64989, 99.0, 365385, 1870, 3547, 115094, 1953],
        [63761, 100.0, 363112, 3578, 3350, 116219, 1954],
        [66019, 101.2, 397469, 2904, 3048, 117388, 1955],
        [67857, 104.6, 419180, 2822, 2857, 118734, 1956],
        [68169, 108.4, 442769, 2936, 2798, 120445, 1957],
        [66513, 110.8, 444546, 4681, 2637, 121950, 1958],
        [68655, 112.6, 482704, 3813, 2552, 123366, 1959],
        [69564, 114.2, 502601, 3931, 2514, 125368, 1960],
        [69331, 115.7, 518173, 4806, 2572, 127852, 1961],
        [70551, 116.9, 554894, 4007, 2827, 130081, 1962],
    ]
)
# Certified values: intercept b0, then b1..b6.
LONGLEY_CERTIFIED = np.array(
    [
        -3482258.63459582,
        15.0618722713733,
        -0.358191792925910e-01,
        -2.02022980381683,
        -1.03322686717359,
        -0.511041056535807e-01,
        1829.15146461355,
    ]
)


def exact_solution(X, y, alpha=0.0, dps=60):
    """Intercept and coefficients of ridge least squares in mpmath at ``dps`` digits.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Design (its float values are taken exactly).
    y : ndarray of shape (n,)
        Targets.
    alpha : float, default=0.0
        Ridge strength (the intercept is not penalised).
    dps : int, default=60
        Working digits.

    Returns
    -------
    solution : ndarray of shape (d + 1,)
        ``[intercept, coef...]`` rounded to float64.
    """
    import mpmath

    with mpmath.workdps(dps):
        n, d = X.shape
        rows = [[mpmath.mpf(float(v)) for v in row] for row in X]
        ys = [mpmath.mpf(float(v)) for v in y]
        mean = [sum(r[j] for r in rows) / n for j in range(d)]
        y_mean = sum(ys) / n
        centred = [[r[j] - mean[j] for j in range(d)] for r in rows]
        yc = [v - y_mean for v in ys]
        G = mpmath.matrix(d, d)
        c = mpmath.matrix(d, 1)
        for j in range(d):
            c[j] = sum(r[j] * v for r, v in zip(centred, yc, strict=True))
            for k in range(j, d):
                G[j, k] = G[k, j] = sum(r[j] * r[k] for r in centred)
            G[j, j] += alpha
        w = mpmath.lu_solve(G, c)
        b = y_mean - sum(mean[j] * w[j] for j in range(d))
        return np.array([float(b)] + [float(w[j]) for j in range(d)])


def _digits(estimate, reference, per_coefficient):
    """Correct digits: -log10 of the relative error (NIST's LRE), capped at 16."""
    estimate, reference = np.asarray(estimate, float), np.asarray(reference, float)
    if per_coefficient:
        error = np.abs(estimate - reference) / np.abs(reference)
        worst = float(np.max(error))
    else:
        worst = float(np.max(np.abs(estimate - reference)) / np.max(np.abs(reference)))
    return 16.0 if worst == 0 else float(min(16.0, -np.log10(worst)))


def accuracy_cases():
    """The ill-conditioned designs of the accuracy table.

    Returns
    -------
    cases : list of dict
        ``name``, ``X``, ``y``, ``degree`` (polynomial features, 0 for none), ``alpha``,
        ``reference`` (``[intercept, coef...]``) and ``per_coefficient`` (how digits
        are counted).
    """
    from sklearn.preprocessing import PolynomialFeatures

    rng = np.random.default_rng(0)
    cases = [
        {
            "name": "Longley (NIST certified)",
            "X": LONGLEY[:, 1:].copy(),
            "y": LONGLEY[:, 0].copy(),
            "degree": 0,
            "alpha": 0.0,
            "reference": LONGLEY_CERTIFIED,
            "per_coefficient": True,
        }
    ]
    x = np.arange(21.0)
    quintic = np.array([3.0, -2.0, 1.0, 0.5, -0.25, 0.125])  # b, then x..x^5
    cases.append(
        {
            "name": "exact quintic, x = 0..20",
            "X": x[:, None],
            "y": np.polynomial.polynomial.polyval(x, quintic),
            "degree": 5,
            "alpha": 0.0,
            "reference": quintic,
            "per_coefficient": True,
        }
    )
    for degree, lo, hi, n in [(8, 0.0, 1.0, 60), (10, 1.0, 2.0, 80)]:
        xs = np.linspace(lo, hi, n)
        ys = np.sin(3 * xs) + 0.01 * rng.standard_normal(n)
        design = PolynomialFeatures(degree, include_bias=False).fit_transform(xs[:, None])
        cases.append(
            {
                "name": f"degree {degree}, x in [{lo:g}, {hi:g}]",
                "X": xs[:, None],
                "y": ys,
                "degree": degree,
                "alpha": 0.0,
                "reference": exact_solution(design, ys),
                "per_coefficient": False,
            }
        )
    n = 400
    base = rng.standard_normal((n, 3))
    X = 1e6 + base
    X[:, 2] = X[:, 0] + 1e-5 * rng.standard_normal(n)  # collinear, mean 1e6
    y = base @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(n)
    cases.append(
        {
            "name": "collinear, means 1e6",
            "X": X,
            "y": y,
            "degree": 0,
            "alpha": 0.0,
            "reference": exact_solution(X, y),
            "per_coefficient": False,
        }
    )
    cases.append(
        {
            "name": "ridge alpha=1e-3, collinear 1e6",
            "X": X,
            "y": y,
            "degree": 0,
            "alpha": 1e-3,
            "reference": exact_solution(X, y, alpha=1e-3),
            "per_coefficient": False,
        }
    )
    return cases


def _fitted(case, library):
    """``[intercept, coef...]`` of ``library``'s ("fastreg" or "sklearn") default fit."""
    from sklearn import linear_model
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures

    import fastreg

    degree, alpha = case["degree"], case["alpha"]
    if library == "fastreg":
        if degree:
            model = fastreg.PolynomialRegression(degree=degree, alpha=alpha)
        else:
            model = fastreg.Ridge(alpha=alpha) if alpha else fastreg.LinearRegression()
        model.fit(case["X"], case["y"])
        return np.r_[model.intercept_, model.coef_]
    model = linear_model.Ridge(alpha=alpha) if alpha else linear_model.LinearRegression()
    if degree:
        pipe = make_pipeline(PolynomialFeatures(degree, include_bias=False), model)
        pipe.fit(case["X"], case["y"])
    else:
        model.fit(case["X"], case["y"])
    return np.r_[model.intercept_, model.coef_]


def accuracy_rows():
    """Correct digits of fastreg and scikit-learn on each accuracy case.

    Returns
    -------
    rows : list of dict
        ``case``, ``fastreg_digits``, ``sklearn_digits``.
    """
    rows = []
    for case in accuracy_cases():
        row = {"case": case["name"]}
        for library in ("fastreg", "sklearn"):
            estimate = _fitted(case, library)
            row[f"{library}_digits"] = round(
                _digits(estimate, case["reference"], case["per_coefficient"]), 1
            )
        rows.append(row)
    return rows


# ---- speed --------------------------------------------------------------------------------


def fma_peak_gflops(n_threads):
    """The machine's float64 FMA peak, derived: cores x clock x flops per cycle.

    Flops per cycle per core: 2 FMA units x (8 lanes with AVX-512, 4 with AVX2) x 2.

    Parameters
    ----------
    n_threads : int
        Cores used.

    Returns
    -------
    gflops : float
        Peak float64 GFLOP/s (0 when the clock cannot be read).
    """
    import fastreg

    mhz = 0.0
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("cpu MHz"):
                    mhz = float(line.split(":")[1])
                    break
    except OSError:
        pass
    lanes = 8 if "AVX-512" in fastreg._config.build_info()["simd"] else 4
    return n_threads * mhz / 1e3 * 2 * lanes * 2


def _best(run, repeats, *args, **kwargs):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best


def _fit_timers(X, y, n_threads):
    """{(estimator, library): fit callable} for the libraries that are installed."""
    from sklearn import linear_model

    import fastreg

    timers = {
        ("LinearRegression", "fastreg"): lambda: fastreg.LinearRegression().fit(X, y),
        ("Ridge", "fastreg"): lambda: fastreg.Ridge(alpha=1.0).fit(X, y),
        ("LinearRegression", "sklearn"): lambda: linear_model.LinearRegression().fit(X, y),
        ("Ridge", "sklearn"): lambda: linear_model.Ridge(alpha=1.0).fit(X, y),
    }
    try:
        from sklearnex import linear_model as intelex
    except ImportError:
        return timers
    timers[("LinearRegression", "sklearnex")] = lambda: intelex.LinearRegression().fit(X, y)
    timers[("Ridge", "sklearnex")] = lambda: intelex.Ridge(alpha=1.0).fit(X, y)
    return timers


def speed_rows(n_rows=1_000_000, n_features=100, n_threads=2, repeats=3):
    """The statistics pass and the least-squares fits, timed side by side.

    Parameters
    ----------
    n_rows, n_features : int
        Size of the float64 design (float32 for the pass's second row).
    n_threads : int
        Threads of every library (BLAS through threadpoolctl).
    repeats : int
        Best of this many runs.

    Returns
    -------
    rows : list of dict
        ``what``, ``seconds`` and, for the pass, ``gflops``, ``peak_percent``,
        ``gb_per_s`` and ``bandwidth_percent``; for the fits, ``speedup_vs_sklearn``.
    """
    from threadpoolctl import threadpool_limits

    from fastreg import _kernels
    from fastreg._statistics import sufficient_statistics

    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_rows, n_features))
    y = X @ rng.standard_normal(n_features) + rng.standard_normal(n_rows)
    peak = fma_peak_gflops(n_threads)
    probe = np.ones(max(n_rows * n_features, 1 << 27) // 2)
    stream = _best(_kernels.stream_read, repeats, probe, n_threads)
    bandwidth = probe.nbytes / stream / 1e9
    probe = None
    rows = [
        {"what": "machine float64 FMA peak (derived)", "gflops": round(peak, 1)},
        {"what": "machine read bandwidth (measured)", "gb_per_s": round(bandwidth, 1)},
    ]
    p = n_features + 1  # the pass reads [X | y]
    flops = n_rows * p * (p + 1)  # p (p + 1) / 2 multiply-adds per row
    for dtype in (np.float64, np.float32):
        Xd, yd = X.astype(dtype), y.astype(dtype)
        seconds = _best(sufficient_statistics, repeats, Xd, yd, n_threads=n_threads)
        gflops = flops / seconds / 1e9
        gb = (Xd.nbytes + yd.nbytes) / seconds / 1e9
        rows.append(
            {
                "what": f"statistics pass {n_rows} x {n_features} {np.dtype(dtype).name}",
                "seconds": round(seconds, 4),
                "gflops": round(gflops, 1),
                "peak_percent": round(100 * gflops / peak, 1) if peak else None,
                "gb_per_s": round(gb, 1),
                "bandwidth_percent": round(100 * gb / bandwidth, 1),
            }
        )
        Xd = yd = None
    times = {}
    with threadpool_limits(n_threads):
        os.environ.setdefault("OMP_NUM_THREADS", str(n_threads))
        for key, run in _fit_timers(X, y, n_threads).items():
            times[key] = _best(run, repeats)
    for (estimator, library), seconds in times.items():
        reference = times.get((estimator, "sklearn"))
        rows.append(
            {
                "what": f"{estimator} fit {n_rows} x {n_features} float64, {library}",
                "seconds": round(seconds, 4),
                "speedup_vs_sklearn": round(reference / seconds, 2) if reference else None,
            }
        )
    return rows


def _print_table(rows):
    keys = list(dict.fromkeys(k for row in rows for k in row))
    widths = {k: max(len(k), *(len(str(row.get(k, ""))) for row in rows)) for k in keys}
    print("  ".join(k.ljust(widths[k]) for k in keys))
    for row in rows:
        print("  ".join(str(row.get(k, "")).ljust(widths[k]) for k in keys))


def main(argv=None):
    """Command line: ``python -m bench.least_squares [--rows N] [--threads T] ...``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args(argv)
    result = {"accuracy": accuracy_rows()}
    print("correct digits (higher is better; 16 = exact)")
    _print_table(result["accuracy"])
    if not args.skip_speed:
        result["speed"] = speed_rows(args.rows, args.features, args.threads, args.repeats)
        print(f"\nspeed, {args.threads} threads (best of {args.repeats})")
        _print_table(result["speed"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == "__main__":
    main()
