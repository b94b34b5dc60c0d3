# bench/peers/problems.py: the six estimators of the comparison, each registered as a
# Problem with its data, its objective (fastreg's convention) and one adapter per library
# that offers the estimator. Each adapter translates the problem's parameters into the
# library's convention (glum and skglm divide the data term by 2n or n, so their penalties
# are rescaled) and lists the tolerance ladder the runner tightens along. A library that
# offers no such estimator has no adapter, and the results say so.
import logging

import numpy as np

from bench.peers import data, objectives
from bench.peers.registry import Adapter, Problem, register

# Solver tolerances, loosest first; the runner stops tightening once the objective stalls.
LADDER = tuple(10.0**-k for k in range(2, 13))
EXACT = (None,)
MAX_ITER = 10_000
REGRESSION_SIZES = {
    "tiny": (300, 5),
    "small": (5_000, 20),
    "medium": (100_000, 50),
    "large": (1_000_000, 100),
}
SPARSE_SIZES = {
    "tiny": (300, 10),
    "small": (2_000, 50),
    "medium": (20_000, 200),
    "large": (200_000, 200),
}
MULTINOMIAL_SIZES = {
    "tiny": (500, 5),
    "small": (5_000, 20),
    "medium": (30_000, 100),
    "large": (300_000, 100),
}
N_CLASSES = 10


# ---- per-library helpers -------------------------------------------------------------


def _fastreg(name, **fixed):
    def make(params, tol, threads, n_samples):
        import fastreg

        extra = {} if tol is None else {"tol": tol, "max_iter": MAX_ITER}
        return getattr(fastreg, name)(**params, **fixed, **extra)

    return make


def _sklearn(module, name, **fixed):
    def make(params, tol, threads, n_samples):
        import importlib

        extra = {} if tol is None else {"tol": tol, "max_iter": MAX_ITER}
        return getattr(importlib.import_module(module), name)(**params, **fixed, **extra)

    return make


class _SklearnexLog(logging.Handler):
    """Collects what scikit-learn-intelex logs about each call (accelerated or fallback)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _sklearnex_fit(estimator, X, y):
    """Fit and say whether oneDAL ran the fit or it fell back to scikit-learn."""
    logger = logging.getLogger("sklearnex")
    handler, saved = _SklearnexLog(), (logger.handlers, logger.level, logger.propagate)
    # only this handler while the fit runs: sklearnex's own one would print every line
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)  # setLevel, not .level: it clears the logger's cache
    try:
        estimator.fit(X, y)
    finally:
        logger.handlers, logger.propagate = saved[0], saved[2]
        logger.setLevel(saved[1])
    fits = [m for m in handler.messages if ".fit:" in m]
    if fits and all("accelerated" in m for m in fits):
        return "oneDAL (accelerated)"
    return "fell back to scikit-learn: " + "; ".join(fits or ["no log"])


def _glum(family, penalty):
    """glum's GeneralizedLinearRegressor; `penalty(params, n)` -> (alpha, l1_ratio)."""

    def make(params, tol, threads, n_samples):
        from glum import GeneralizedLinearRegressor

        alpha, l1_ratio = penalty(params, n_samples)
        return GeneralizedLinearRegressor(
            family=family, alpha=alpha, l1_ratio=l1_ratio, gradient_tol=tol, max_iter=MAX_ITER
        )

    return make


def _fortran_fit(estimator, X, y):
    """skglm's coordinate solvers walk columns: hand them a Fortran copy (timed)."""
    estimator.fit(np.asfortranarray(X), y)


def _skglm_l2(datafit, solver, penalty):
    """skglm's GeneralizedLinearEstimator with an L2 penalty. skglm's L2 class lacks the
    proximal operator its CD and prox-Newton solvers need, so L2 is L1_plus_L2 with
    l1_ratio = 0 (value alpha/2 ||w||^2, the same function)."""

    def make(params, tol, threads, n_samples):
        from skglm import GeneralizedLinearEstimator, datafits, penalties, solvers

        return GeneralizedLinearEstimator(
            getattr(datafits, datafit)(),
            penalties.L1_plus_L2(penalty(params, n_samples), 0.0),
            getattr(solvers, solver)(tol=tol, max_iter=1000, fit_intercept=True),
        )

    return make


def _skglm_estimator(name):
    def make(params, tol, threads, n_samples):
        import skglm

        return getattr(skglm, name)(**params, tol=tol, max_iter=1000, fit_intercept=True)

    return make


# ---- the problems --------------------------------------------------------------------

register(
    Problem(
        name="linear",
        estimator="LinearRegression",
        objective_text="sum_i r_i^2",
        sizes=REGRESSION_SIZES,
        params={},
        make_data=data.regression,
        objective=objectives.least_squares,
        adapters={
            "fastreg": Adapter(_fastreg("LinearRegression"), EXACT, "LinearRegression()"),
            "sklearn": Adapter(
                _sklearn("sklearn.linear_model", "LinearRegression"),
                EXACT,
                "LinearRegression()",
            ),
            "sklearnex": Adapter(
                _sklearn("sklearnex.linear_model", "LinearRegression"),
                EXACT,
                "LinearRegression()",
                fit=_sklearnex_fit,
            ),
            "glum": Adapter(
                _glum("normal", lambda p, n: (0.0, 0.0)),
                LADDER,
                "GeneralizedLinearRegressor(family='normal', alpha=0)",
            ),
        },
    )
)

register(
    Problem(
        name="ridge",
        estimator="Ridge",
        objective_text="sum_i r_i^2 + alpha ||w||^2, alpha = 1",
        sizes=REGRESSION_SIZES,
        params={"alpha": 1.0},
        make_data=data.regression,
        objective=objectives.ridge,
        adapters={
            "fastreg": Adapter(_fastreg("Ridge"), EXACT, "Ridge(alpha)"),
            "sklearn": Adapter(_sklearn("sklearn.linear_model", "Ridge"), EXACT, "Ridge(alpha)"),
            "sklearnex": Adapter(
                _sklearn("sklearnex.linear_model", "Ridge"),
                EXACT,
                "Ridge(alpha)",
                fit=_sklearnex_fit,
            ),
            "glum": Adapter(
                _glum("normal", lambda p, n: (p["alpha"] / n, 0.0)),
                LADDER,
                "GeneralizedLinearRegressor(family='normal', alpha=alpha/n)",
            ),
            "skglm": Adapter(
                _skglm_l2("Quadratic", "AndersonCD", lambda p, n: p["alpha"] / n),
                LADDER,
                "GeneralizedLinearEstimator(Quadratic(), L2 alpha/n, AndersonCD)",
                fit=_fortran_fit,
            ),
        },
    )
)

for _name, _estimator, _params, _text in (
    ("lasso", "Lasso", {"alpha": 0.05}, "1/(2n) sum_i r_i^2 + alpha ||w||_1, alpha = 0.05"),
    (
        "elasticnet",
        "ElasticNet",
        {"alpha": 0.05, "l1_ratio": 0.5},
        "1/(2n) sum_i r_i^2 + alpha l1_ratio ||w||_1 + alpha (1 - l1_ratio)/2 ||w||^2, "
        "alpha = 0.05, l1_ratio = 0.5",
    ),
):
    register(
        Problem(
            name=_name,
            estimator=_estimator,
            objective_text=_text,
            sizes=SPARSE_SIZES,
            params=_params,
            make_data=data.sparse_regression,
            objective=objectives.elastic_net,
            adapters={
                "fastreg": Adapter(_fastreg(_estimator), LADDER, f"{_estimator}(alpha, tol)"),
                "sklearn": Adapter(
                    _sklearn("sklearn.linear_model", _estimator),
                    LADDER,
                    f"{_estimator}(alpha, tol)",
                ),
                "glum": Adapter(
                    _glum("normal", lambda p, n: (p["alpha"], p.get("l1_ratio", 1.0))),
                    LADDER,
                    "GeneralizedLinearRegressor(family='normal', alpha, l1_ratio)",
                ),
                "skglm": Adapter(
                    _skglm_estimator(_estimator),
                    LADDER,
                    f"skglm.{_estimator}(alpha, tol)",
                    fit=_fortran_fit,
                ),
            },
        )
    )

register(
    Problem(
        name="logistic",
        estimator="LogisticRegression (binary)",
        objective_text="C sum_i [log(1 + exp(z_i)) - y_i z_i] + ||w||^2 / 2, C = 1",
        sizes=REGRESSION_SIZES,
        params={"C": 1.0},
        make_data=data.classification,
        objective=objectives.logistic,
        adapters={
            "fastreg": Adapter(_fastreg("LogisticRegression"), LADDER, "LogisticRegression(C)"),
            "sklearn": Adapter(
                _sklearn("sklearn.linear_model", "LogisticRegression"),
                LADDER,
                "LogisticRegression(C) (lbfgs)",
            ),
            "sklearnex": Adapter(
                _sklearn("sklearnex.linear_model", "LogisticRegression"),
                LADDER,
                "LogisticRegression(C) (lbfgs)",
                fit=_sklearnex_fit,
            ),
            "glum": Adapter(
                _glum("binomial", lambda p, n: (1.0 / (p["C"] * n), 0.0)),
                LADDER,
                "GeneralizedLinearRegressor(family='binomial', alpha=1/(C n))",
            ),
            "skglm": Adapter(
                _skglm_l2("Logistic", "ProxNewton", lambda p, n: 1.0 / (p["C"] * n)),
                LADDER,
                "GeneralizedLinearEstimator(Logistic(), L2 1/(C n), ProxNewton)",
                fit=_fortran_fit,
            ),
        },
    )
)

register(
    Problem(
        name="multinomial",
        estimator=f"LogisticRegression (multinomial, K={N_CLASSES})",
        objective_text="C sum_i [log sum_k exp(z_ik) - z_iy_i] + ||W||_F^2 / 2, C = 1",
        sizes=MULTINOMIAL_SIZES,
        params={"C": 1.0},
        make_data=lambda n, d: data.classification(n, d, N_CLASSES),
        objective=objectives.multinomial,
        adapters={
            "fastreg": Adapter(
                _fastreg("LogisticRegression"),
                LADDER,
                "LogisticRegression(C) (= SoftmaxRegression(C))",
            ),
            "sklearn": Adapter(
                _sklearn("sklearn.linear_model", "LogisticRegression"),
                LADDER,
                "LogisticRegression(C) (lbfgs, multinomial)",
            ),
            "sklearnex": Adapter(
                _sklearn("sklearnex.linear_model", "LogisticRegression"),
                LADDER,
                "LogisticRegression(C) (lbfgs, multinomial)",
                fit=_sklearnex_fit,
            ),
        },
    )
)
