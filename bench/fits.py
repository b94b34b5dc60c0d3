# bench/fits.py: whole fits. (1) The textbook iris fits, 3000 epochs of batch gradient
# descent, by fastreg's compiled loop, by fastreg's estimator (the same loop plus input
# validation) and by the NumPy reference. (2) Time to solution on a large logistic problem:
# fastreg's LogisticRegression with its default solver against scikit-learn's
# LogisticRegression(lbfgs) and SGDClassifier, each timed to the same objective value.
#
# Time to solution, as benchopt measures it: every solver is run from scratch with growing
# iteration limits (tol tiny, so the limit is what stops it) and each run is timed and
# scored with one formula (`logistic_objective`). The best objective any run reached sets
# the target, best * (1 + 1e-6); each solver's smallest sufficient limit is then found by
# bisection, and its time to solution is the time of that run.
import math
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from bench.config import IRIS_EPOCHS, IRIS_LEARNING_RATE, TTS_C, TTS_RELATIVE_ACCURACY
from bench.data import iris
from bench.timing import best_time
from fastreg._problem import Problem, SolverOptions


def _iris_solve(module, loss_code, X, y, n_outputs):
    """3000 GD epochs of ``module.solve`` from zero; returns the final objective."""
    problem = Problem(loss_code, X, y, n_outputs=n_outputs)
    options = SolverOptions(
        "gd", learning_rate=IRIS_LEARNING_RATE, max_iter=IRIS_EPOCHS, tol=0.0, n_threads=1
    )
    coef, intercept = np.zeros((n_outputs, X.shape[1])), np.zeros(n_outputs)
    _, _, curve, _, _ = module.solve(problem, options, coef, intercept)
    return float(curve[-1])


def iris_fits(repeats, progress=None):
    """The textbook iris fits: fastreg's loop and estimator against the NumPy reference.

    Logistic regression on two classes (versicolor vs virginica, 100 x 4) and softmax
    regression on three (150 x 4), standardised features, no penalty, 3000 epochs of
    "gd" with step 0.1, one thread.

    Parameters
    ----------
    repeats : int
        Timed repeats of each fit; the fastest is reported.
    progress : callable, optional
        Called with a short label before each fit.

    Returns
    -------
    records : list of dict
        Per model: ``model``, ``n_samples``, ``n_features``, ``epochs``, seconds of
        ``kernel_seconds`` (`_kernels.solve`), ``estimator_seconds`` (`fit`) and
        ``reference_seconds``, the speedups ``kernel_speedup`` and ``estimator_speedup``
        over the reference, and ``final_objective_relative_difference`` (kernel vs
        reference, which run the same iterations).
    """
    records = []
    for model, n_classes in (("logistic", 2), ("softmax", 3)):
        if progress is not None:
            progress(model)
        records.append(_iris_fit(model, n_classes, repeats))
    return records


def _iris_fit(model, n_classes, repeats):
    """One iris fit, timed three ways (see `iris_fits`)."""
    import fastreg
    from fastreg import _kernels, reference

    X, y = iris(n_classes)
    if n_classes == 2:
        loss_code, n_outputs, estimator_class = _kernels.LOSS_LOGISTIC, 1, "LogisticRegression"
    else:
        loss_code, n_outputs = _kernels.LOSS_MULTINOMIAL, n_classes
        estimator_class = "SoftmaxRegression"
    estimator = getattr(fastreg, estimator_class)(
        solver="gd",
        learning_rate=IRIS_LEARNING_RATE,
        max_iter=IRIS_EPOCHS,
        tol=0.0,
        C=np.inf,
        n_jobs=1,
    )
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kernel_s, kernel_obj = best_time(
            lambda: _iris_solve(_kernels, loss_code, X, y, n_outputs), repeats
        )
        estimator_s, _ = best_time(lambda: estimator.fit(X, y), repeats)
        reference_s, reference_obj = best_time(
            lambda: _iris_solve(reference, loss_code, X, y, n_outputs), repeats
        )
    return {
        "model": model,
        "estimator": f"fastreg.{estimator_class}",
        "n_samples": X.shape[0],
        "n_features": X.shape[1],
        "epochs": IRIS_EPOCHS,
        "kernel_seconds": kernel_s,
        "estimator_seconds": estimator_s,
        "reference_seconds": reference_s,
        "kernel_speedup": reference_s / kernel_s,
        "estimator_speedup": reference_s / estimator_s,
        "final_objective_relative_difference": abs(kernel_obj - reference_obj)
        / max(abs(reference_obj), 1e-300),
    }


def logistic_objective(X, y, coef, intercept, C):
    """DESIGN.md's LogisticRegression objective, one formula for every solver.

    C * sum_i [log(1 + exp(z_i)) - y_i z_i] + ||w||^2 / 2, z = X w + b, in float64.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        0/1 labels.
    coef : array_like of shape (n_features,) or (1, n_features)
    intercept : float or array_like of shape (1,)
    C : float

    Returns
    -------
    objective : float
    """
    w = np.asarray(coef, dtype=np.float64).reshape(-1)
    b = float(np.asarray(intercept, dtype=np.float64).reshape(-1)[0])
    z = X @ w + b
    loss_sum = float(np.sum(np.logaddexp(0.0, z) - y * z))
    return C * loss_sum + 0.5 * float(w @ w)


def _solvers(X, C, threads):
    """name -> (make estimator for an iteration limit, iteration count of a fitted one)."""
    from sklearn.linear_model import LogisticRegression, SGDClassifier

    import fastreg

    n_samples = X.shape[0]
    return {
        "fastreg": (
            lambda k: fastreg.LogisticRegression(C=C, max_iter=k, tol=1e-12, n_jobs=threads),
            lambda est: int(np.max(est.n_iter_)),
        ),
        "sklearn_lbfgs": (
            lambda k: LogisticRegression(solver="lbfgs", C=C, max_iter=k, tol=1e-12),
            lambda est: int(np.max(est.n_iter_)),
        ),
        "sklearn_sgd": (
            lambda k: SGDClassifier(
                loss="log_loss",
                penalty="l2",
                alpha=1.0 / (C * n_samples),
                max_iter=k,
                tol=None,
                random_state=0,
            ),
            lambda est: int(est.n_iter_),
        ),
    }


def _timed_fit(make, n_iter_of, X, y, C, max_iter):
    """Fit from scratch with an iteration limit; time it and score it."""
    estimator = make(max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning is the point of a limit
        start = time.perf_counter()
        estimator.fit(X, y)
        seconds = time.perf_counter() - start
    objective = logistic_objective(X, y, estimator.coef_, estimator.intercept_, C)
    return {
        "max_iter": max_iter,
        "n_iter": n_iter_of(estimator),
        "seconds": seconds,
        "objective": objective,
    }


def time_to_solution(X, y, threads, budget_seconds, progress=None):
    """Seconds each solver needs to reach the same objective value on one problem.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), 0/1 labels
    threads : int
        fastreg's ``n_jobs`` and the threadpoolctl limit of every solver (scikit-learn's
        OpenMP loss and NumPy's BLAS).
    budget_seconds : float
        Total fitting time each solver may spend (sweep plus bisection).
    progress : callable, optional
        Called with a short label before each solver's sweep.

    Returns
    -------
    result : dict
        ``C``, ``relative_accuracy``, ``best_objective``, ``target_objective``, and per
        solver under ``solvers``: ``reached`` (bool), ``seconds`` and ``max_iter`` of the
        cheapest run that reached the target (None if none did), ``best_relative_gap``,
        ``runs`` (every timed run); ``speedup_vs_sklearn_lbfgs`` and
        ``speedup_vs_sklearn_sgd`` (their seconds / fastreg's, None if either missed).
    """
    C = TTS_C
    solvers = _solvers(X, C, threads)
    runs = {name: [] for name in solvers}
    spent = dict.fromkeys(solvers, 0.0)
    with threadpool_limits(limits=threads):
        for name, (make, n_iter_of) in solvers.items():
            if progress is not None:
                progress(name)
            max_iter, cap = 1, (200 if name == "sklearn_sgd" else 100_000)
            while spent[name] < budget_seconds and max_iter <= cap:
                run = _timed_fit(make, n_iter_of, X, y, C, max_iter)
                runs[name].append(run)
                spent[name] += run["seconds"]
                previous = runs[name][-2]["objective"] if len(runs[name]) > 1 else math.inf
                converged = run["n_iter"] < max_iter
                # a rise (possible for SGD) is no stall; a tiny decrease is
                stalled = 0 <= previous - run["objective"] <= 1e-12 * abs(run["objective"])
                if converged or stalled:
                    break
                max_iter = max(max_iter + 1, math.ceil(1.5 * max_iter))

        best = min(run["objective"] for name_runs in runs.values() for run in name_runs)
        target = best + TTS_RELATIVE_ACCURACY * abs(best)
        results = {}
        for name, (make, n_iter_of) in solvers.items():
            results[name] = _cheapest_run(
                runs[name],
                target,
                lambda k, m=make, n=n_iter_of: _timed_fit(m, n, X, y, C, k),
                budget_seconds - spent[name] if name != "sklearn_sgd" else 0.0,
            )
            results[name]["best_relative_gap"] = (
                min(r["objective"] for r in runs[name]) - best
            ) / abs(best)
            results[name]["runs"] = sorted(runs[name], key=lambda r: r["max_iter"])

    def speedup(other):
        a, b = results[other]["seconds"], results["fastreg"]["seconds"]
        return a / b if a is not None and b is not None else None

    return {
        "n_samples": X.shape[0],
        "n_features": X.shape[1],
        "C": C,
        "threads": threads,
        "relative_accuracy": TTS_RELATIVE_ACCURACY,
        "best_objective": best,
        "target_objective": target,
        "solvers": results,
        "speedup_vs_sklearn_lbfgs": speedup("sklearn_lbfgs"),
        "speedup_vs_sklearn_sgd": speedup("sklearn_sgd"),
    }


def _cheapest_run(runs, target, fit, budget_seconds):
    """Bisect the iteration limit down to the smallest that reaches `target`, then time
    that limit once more; `runs` (the sweep) is extended in place."""
    passing = [r for r in runs if r["objective"] <= target]
    if not passing:
        return {"reached": False, "seconds": None, "max_iter": None}
    high = min(r["max_iter"] for r in passing)
    failing = [r["max_iter"] for r in runs if r["objective"] > target and r["max_iter"] < high]
    low = max(failing, default=0)
    while high - low > 1 and budget_seconds > 0:
        middle = (low + high) // 2
        run = fit(middle)
        runs.append(run)
        budget_seconds -= run["seconds"]
        if run["objective"] <= target:
            high = middle
        else:
            low = middle
    if budget_seconds > 0:  # a second timing of the chosen limit: best of two
        runs.append(fit(high))
    seconds = min(r["seconds"] for r in runs if r["max_iter"] == high)
    return {"reached": True, "seconds": seconds, "max_iter": high}
