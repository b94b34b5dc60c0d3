# bench/cv.py: the cross-validated estimators side by side with scikit-learn in one run,
# on the same folds and grid: LassoCV (5 folds, 50 alphas), LogisticRegressionCV (Cs=8,
# 5 folds) and RidgeCV (leave-one-out, 13 alphas) against one scikit-learn Ridge fit.
# Each time is the best of `repeats` calls with the thread pools limited to `n_threads`;
# each row also says whether fastreg chose what scikit-learn chose (the same grid index:
# the grids agree to the last bits).
#
# Run: python -m bench.cv [--size quick|full] [--repeats R] [--threads T]
import argparse
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

import fastreg
from bench.timing import best_time

SIZES = {
    "full": {"lasso": (200_000, 200), "logistic": (100_000, 50), "ridge": (1_000_000, 100)},
    "quick": {"lasso": (2_000, 20), "logistic": (2_000, 10), "ridge": (5_000, 10)},
}
TARGETS = {"LassoCV": 5.0, "LogisticRegressionCV": 3.0, "RidgeCV": 1.0}


def _lasso_data(n, d, rng):
    X = rng.standard_normal((n, d))
    X[:, 1:] += 0.5 * X[:, :-1]
    truth = rng.standard_normal(d) * (rng.uniform(size=d) < 0.1)
    return X, X @ truth + rng.standard_normal(n)


def _logistic_data(n, d, rng):
    X = rng.standard_normal((n, d))
    truth = 0.3 * rng.standard_normal(d)
    return X, (X @ truth + rng.logistic(size=n) > 0).astype(np.int64)


def _ridge_data(n, d, rng):
    X = rng.standard_normal((n, d))
    return X, X @ rng.standard_normal(d) + rng.standard_normal(n)


def _lasso_row(X, y, repeats):
    from sklearn.linear_model import LassoCV
    from sklearn.model_selection import KFold

    cv = KFold(5)
    ours, mine = best_time(lambda: fastreg.LassoCV(cv=cv, alphas=50).fit(X, y), repeats)
    theirs, ref = best_time(lambda: LassoCV(cv=cv, alphas=50).fit(X, y), repeats)
    same = list(mine.alphas_).index(mine.alpha_) == list(ref.alphas_).index(ref.alpha_)
    detail = f"alpha_ {mine.alpha_:.6g} vs {ref.alpha_:.6g}"
    return "LassoCV", "5 folds x 50 alphas", ours, theirs, same, detail


def _logistic_row(X, y, repeats):
    from sklearn.linear_model import LogisticRegressionCV

    params = dict(Cs=8, cv=5, l1_ratios=(0.0,), scoring="accuracy", use_legacy_attributes=False)
    ours, mine = best_time(lambda: fastreg.LogisticRegressionCV(**params).fit(X, y), repeats)
    theirs, ref = best_time(lambda: LogisticRegressionCV(**params).fit(X, y), repeats)
    same = bool(mine.C_ == ref.C_)
    detail = f"C_ {mine.C_:.6g} vs {ref.C_:.6g}"
    return "LogisticRegressionCV", "Cs=8 x 5 folds", ours, theirs, same, detail


def _ridge_row(X, y, repeats):
    from sklearn.linear_model import Ridge, RidgeCV

    alphas = np.logspace(-3, 3, 13)
    ours, _ = best_time(lambda: fastreg.RidgeCV(alphas=alphas).fit(X, y), repeats)
    theirs, _ = best_time(lambda: Ridge(alpha=1.0).fit(X, y), repeats)
    ref = RidgeCV(alphas=alphas).fit(X[:100_000], y[:100_000])  # the choice, on a subset
    check = fastreg.RidgeCV(alphas=alphas).fit(X[:100_000], y[:100_000])
    same = bool(check.alpha_ == ref.alpha_)
    detail = f"vs ONE Ridge fit; alpha_ on 100k rows {check.alpha_:.6g} vs {ref.alpha_:.6g}"
    return "RidgeCV", "leave-one-out x 13 alphas", ours, theirs, same, detail


def rows(size="quick", repeats=1, n_threads=2, seed=0):
    """Time each CV estimator against scikit-learn; one dict per estimator.

    Parameters
    ----------
    size : {"quick", "full"}, default="quick"
        Problem sizes (``SIZES``).
    repeats : int, default=1
        Timed calls per library (the best is kept).
    n_threads : int, default=2
        Thread limit of every pool (OpenMP and BLAS).
    seed : int, default=0
        Seed of the data.

    Returns
    -------
    list of dict
        Keys: estimator, grid, shape, fastreg_s, sklearn_s, speedup, target, same_choice,
        detail.
    """
    rng = np.random.default_rng(seed)
    shapes = SIZES[size]
    cases = [
        (_lasso_row, _lasso_data, shapes["lasso"]),
        (_logistic_row, _logistic_data, shapes["logistic"]),
        (_ridge_row, _ridge_data, shapes["ridge"]),
    ]
    records = []
    with threadpool_limits(limits=n_threads), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of both libraries alike
        for row, data, (n, d) in cases:
            X, y = data(n, d, rng)
            name, grid, ours, theirs, same, detail = row(X, y, repeats)
            records.append(
                {
                    "estimator": name,
                    "grid": grid,
                    "shape": f"{n:,} x {d}",
                    "fastreg_s": ours,
                    "sklearn_s": theirs,
                    "speedup": theirs / ours,
                    "target": TARGETS[name],
                    "same_choice": same,
                    "detail": detail,
                }
            )
            del X, y
    return records


def format_rows(records):
    """A Markdown table of `rows`' output."""
    lines = [
        "| estimator | grid | data | fastreg (s) | scikit-learn (s) | speedup | target "
        "| same choice |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for r in records:
        lines.append(
            f"| {r['estimator']} | {r['grid']} | {r['shape']} | {r['fastreg_s']:.3f} | "
            f"{r['sklearn_s']:.3f} | {r['speedup']:.1f}x | >= {r['target']:g}x | "
            f"{'yes' if r['same_choice'] else 'NO'} ({r['detail']}) |"
        )
    return "\n".join(lines)


def main(argv=None):
    """Command-line entry: print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    print(format_rows(rows(args.size, args.repeats, args.threads)), flush=True)


if __name__ == "__main__":
    main()
