# bench/coordinate_descent.py: Lasso and ElasticNet at equal duality gap, side by side in
# one run: fastreg (coordinate descent on the Gram matrix, and on the columns of X)
# against scikit-learn, and skglm and glum when they are installed.
#
# Equal duality gap: every fit is scored by one formula, the duality gap of scikit-learn's
# objective at the returned coefficients with their best intercept
# (fastreg._enet.dual_gap_at), and must reach the target tol * var(y), what
# scikit-learn's default tol=1e-4 guarantees. fastreg and scikit-learn stop on exactly
# that test; skglm and glum stop on their own measures, so their tolerance is tightened
# by factors of 10 until the gap reaches the target, and the first tolerance that does is
# timed. Each time is the best of `repeats` fits; threads are limited to `n_threads`.
#
# Run: python -m bench.coordinate_descent [--n-samples N] [--n-features D] [--repeats R]
import argparse
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

import fastreg
from fastreg import _enet
from fastreg._statistics import sufficient_statistics

TOLERANCES = [10.0**-k for k in range(4, 13)]


def problem(n_samples, n_features, seed=0):
    """Correlated Gaussian features, a sparse truth and noise: (X, y, alpha_max)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    X[:, 1:] += 0.5 * X[:, :-1]  # neighbouring features correlate
    truth = rng.standard_normal(n_features) * (rng.uniform(size=n_features) < 0.2)
    y = X @ truth + rng.standard_normal(n_samples)
    Xc = X - X.mean(axis=0)
    alpha_max = float(np.max(np.abs(Xc.T @ (y - y.mean()))) / n_samples)
    return X, y, alpha_max


LIBRARIES = ("fastreg", "scikit-learn", "skglm", "glum")


def _fits(alpha, l1_ratio, n_threads, libraries):
    """(library, variant, fit(X, y, tol) -> (coef, n_iter), own stopping rule?) per solver."""

    def fastreg_fit(precompute):
        def fit(X, y, tol):
            model = fastreg.ElasticNet(
                alpha=alpha, l1_ratio=l1_ratio, tol=tol, precompute=precompute
            ).fit(X, y)
            return model.coef_, model.n_iter_

        return fit

    def sklearn_fit(X, y, tol):
        from sklearn.linear_model import ElasticNet

        model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol).fit(X, y)
        return model.coef_, model.n_iter_

    entries = [
        ("fastreg", "Gram (precompute='auto')", fastreg_fit("auto"), False),
        ("fastreg", "columns (precompute=False)", fastreg_fit(False), False),
        ("scikit-learn", "precompute=False (default)", sklearn_fit, False),
    ]
    try:
        if "skglm" not in libraries:
            raise ImportError
        from skglm import ElasticNet as SkglmElasticNet

        def skglm_fit(X, y, tol):
            model = SkglmElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol).fit(X, y)
            return model.coef_, getattr(model, "n_iter_", -1)

        entries.append(("skglm", "ElasticNet", skglm_fit, True))
    except ImportError:
        pass
    try:
        if "glum" not in libraries:
            raise ImportError
        from glum import GeneralizedLinearRegressor

        def glum_fit(X, y, tol):
            model = GeneralizedLinearRegressor(
                family="normal", alpha=alpha, l1_ratio=l1_ratio, gradient_tol=tol
            ).fit(X, y)
            return model.coef_, getattr(model, "n_iter_", -1)

        entries.append(("glum", "GeneralizedLinearRegressor", glum_fit, True))
    except ImportError:
        pass
    return [entry for entry in entries if entry[0] in libraries]


def _timed(fit, X, y, tol, repeats):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fit(X, y, tol)
        elapsed = time.perf_counter() - start
        if elapsed < best:
            best, result = elapsed, out
    return best, result


def rows(
    n_samples=200_000,
    n_features=200,
    repeats=3,
    n_threads=2,
    tol=1e-4,
    seed=0,
    libraries=LIBRARIES,
):
    """Time every solver to the same duality gap on Lasso and ElasticNet problems.

    Parameters
    ----------
    n_samples, n_features : int, default=200_000, 200
        Shape of X (float64).
    repeats : int, default=3
        Timed fits per solver; the fastest counts.
    n_threads : int, default=2
        Threads for every library (BLAS and OpenMP limits; fastreg reads the OpenMP one).
    tol : float, default=1e-4
        The target gap is ``tol * var(y)``.
    seed : int, default=0
        Seed of the problem.
    libraries : sequence of str, default=LIBRARIES
        Which libraries to run (scikit-learn always runs: it is the reference); skglm
        and glum are skipped when not installed.

    Returns
    -------
    list of dict
        Per model and solver: ``model``, ``library``, ``variant``, ``seconds``,
        ``dual_gap``, ``target_gap``, ``reached`` (the gap met the target), ``tol`` (the
        solver's own tolerance that was timed), ``n_iter``, and ``speedup_vs_sklearn``.
        fastreg's Gram rows also give ``statistics_seconds``, the time of the sufficient
        statistics alone.
    """
    X, y, alpha_max = problem(n_samples, n_features, seed)
    target = tol * float(np.var(y))
    records = []
    with threadpool_limits(n_threads), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        statistics_seconds = min(
            _timed(lambda X, y, _: sufficient_statistics(X, y, n_threads=n_threads), X, y, 0, 1)[0]
            for _ in range(repeats)
        )
        for model, l1_ratio in (("Lasso", 1.0), ("ElasticNet", 0.5)):
            alpha = alpha_max / 20 / l1_ratio
            group = []
            solvers = _fits(alpha, l1_ratio, n_threads, set(libraries) | {"scikit-learn"})
            for library, variant, fit, own_tol in solvers:
                fit(X[:1000], y[:1000], tol)  # untimed: imports, JIT compilation
                for solver_tol in TOLERANCES if own_tol else [tol]:
                    seconds, (coef, n_iter) = _timed(fit, X, y, solver_tol, repeats)
                    gap = _enet.dual_gap_at(
                        X, y, None, np.asarray(coef, float), True, alpha, l1_ratio, False
                    )
                    if gap <= target:
                        break
                record = {
                    "model": model,
                    "library": library,
                    "variant": variant,
                    "n_samples": n_samples,
                    "n_features": n_features,
                    "alpha": alpha,
                    "seconds": seconds,
                    "dual_gap": gap,
                    "target_gap": target,
                    "reached": bool(gap <= target),
                    "tol": solver_tol,
                    "n_iter": n_iter if np.ndim(n_iter) == 0 else int(np.sum(n_iter)),
                }
                if variant.startswith("Gram"):
                    record["statistics_seconds"] = statistics_seconds
                group.append(record)
            sklearn_seconds = next(r["seconds"] for r in group if r["library"] == "scikit-learn")
            for record in group:
                record["speedup_vs_sklearn"] = sklearn_seconds / record["seconds"]
            records.extend(group)
    return records


def format_rows(records):
    """The rows as a plain-text table."""
    lines = [
        f"{'model':<11}{'library':<13}{'variant':<28}{'seconds':>9}{'vs sklearn':>11}"
        f"{'dual gap':>11}{'target':>10}{'tol':>8}{'n_iter':>7}"
    ]
    for r in records:
        lines.append(
            f"{r['model']:<11}{r['library']:<13}{r['variant']:<28}{r['seconds']:>9.3f}"
            f"{r['speedup_vs_sklearn']:>10.2f}x{r['dual_gap']:>11.2e}{r['target_gap']:>10.1e}"
            f"{r['tol']:>8.0e}{r['n_iter']:>7d}" + ("" if r["reached"] else "  (gap not reached)")
        )
    stats = [r for r in records if "statistics_seconds" in r]
    if stats:
        lines.append(
            f"fastreg's Gram rows include the sufficient statistics: "
            f"{stats[0]['statistics_seconds']:.3f} s of them"
        )
    return "\n".join(lines)


def main(argv=None):
    """The command line: print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.coordinate_descent")
    parser.add_argument("--n-samples", type=int, default=200_000)
    parser.add_argument("--n-features", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--libraries", default=",".join(LIBRARIES))
    args = parser.parse_args(argv)
    libraries = tuple(name.strip() for name in args.libraries.split(","))
    records = rows(
        args.n_samples, args.n_features, args.repeats, args.threads, libraries=libraries
    )
    print(
        f"Lasso / ElasticNet, {args.n_samples} x {args.n_features} float64, "
        f"{args.threads} threads, best of {args.repeats}, equal duality gap"
    )
    print(format_rows(records))


if __name__ == "__main__":
    main()
