# bench/logistic_solvers.py: LogisticRegression's solver names side by side, fastreg's
# against scikit-learn's, on problems with few features (where "newton-cholesky" is
# meant to shine): seconds to fit (best of a few runs), iterations, and how far each
# objective is above the best one any fit reached (float64, fastreg's objective).
# liblinear minimises another objective (its intercept is penalised), so its excess is
# the price of that objective, not a shortfall of the solver.
#
# Usage: python -m bench.logistic_solvers [--quick] [--json PATH] [--threads N]
import argparse
import functools
import json
import sys
import warnings

import numpy as np
from sklearn import linear_model as sk
from sklearn.datasets import make_classification
from threadpoolctl import threadpool_limits

import fastreg
from bench.timing import best_time
from fastreg import reference

# (name, n_samples, n_features, n_classes); --quick shrinks the rows.
PROBLEMS = [
    ("binary", 200_000, 20, 2),
    ("3 classes", 100_000, 10, 3),
]
SOLVERS = ("lbfgs", "newton-cholesky", "newton-cg", "liblinear")
TOL = 1e-8
C = 1.0


def _objective(model, X, y):
    """C sum_i logloss_i + ||W||^2 / 2 in float64 (the classifiers' objective)."""
    K = model.coef_.shape[0]
    loss = reference.LOSS_LOGISTIC if K == 1 else reference.LOSS_MULTINOMIAL
    target = (y == model.classes_[1]).astype(float) if K == 1 else y.astype(float)
    coef = np.asarray(model.coef_, dtype=np.float64)
    loss_sum, _, _ = reference.loss_gradient(loss, X, target, None, coef, model.intercept_)
    return C * loss_sum + 0.5 * float(np.sum(coef * coef))


def run(quick=False, repeats=3, threads=1):
    """Time every solver name of both libraries on every problem.

    Parameters
    ----------
    quick : bool, default=False
        Tiny problems and one repeat (smoke test).
    repeats : int, default=3
        Timed fits per contender; the fastest is kept.
    threads : int, default=1
        Threads for everyone (fastreg's n_jobs is left unset: threadpoolctl limits it).

    Returns
    -------
    rows : list of dict
        ``problem``, ``library``, ``solver``, ``seconds``, ``n_iter``, ``excess``
        (objective minus the best objective of the problem, relative).
    """
    rows = []
    for name, n_samples, n_features, n_classes in PROBLEMS:
        n = 2_000 if quick else n_samples
        X, y = make_classification(
            n_samples=n,
            n_features=n_features,
            n_informative=n_features,
            n_redundant=0,
            n_classes=n_classes,
            random_state=0,
        )
        results = []
        for library, cls in (
            ("fastreg", fastreg.LogisticRegression),
            ("sklearn", sk.LogisticRegression),
        ):
            for solver in SOLVERS:
                if solver == "liblinear" and n_classes > 2:
                    continue
                model = cls(solver=solver, C=C, tol=TOL, max_iter=1000)
                with warnings.catch_warnings(), threadpool_limits(threads):
                    warnings.simplefilter("ignore")
                    seconds, fitted = best_time(
                        functools.partial(model.fit, X, y), 1 if quick else repeats
                    )
                results.append(
                    (library, solver, seconds, int(fitted.n_iter_[0]), _objective(fitted, X, y))
                )
        best = min(r[4] for r in results)
        for library, solver, seconds, n_iter, value in results:
            rows.append(
                {
                    "problem": f"{name} {n} x {n_features}",
                    "library": library,
                    "solver": solver,
                    "seconds": seconds,
                    "n_iter": n_iter,
                    "excess": (value - best) / abs(best),
                }
            )
    return rows


def print_rows(rows, out=sys.stdout):
    """The table: one line per (problem, library, solver)."""
    print(
        f"{'problem':<24} {'library':<8} {'solver':<16} {'seconds':>9} {'n_iter':>6} "
        f"{'objective - best':>17}",
        file=out,
    )
    for r in rows:
        print(
            f"{r['problem']:<24} {r['library']:<8} {r['solver']:<16} {r['seconds']:>9.4f} "
            f"{r['n_iter']:>6d} {r['excess']:>17.1e}",
            file=out,
        )


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.logistic_solvers", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args(argv)
    rows = run(quick=args.quick, repeats=args.repeats, threads=args.threads)
    print_rows(rows)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
