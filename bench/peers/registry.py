# bench/peers/registry.py: the vocabulary of the peers comparison. A Library is something
# that can be installed (or not) and limited to a number of threads; an Adapter says how
# one library fits one problem at one tolerance and where its coefficients are; a Problem
# bundles a data generator, the objective every result is scored with, and its adapters.
# Problems are registered by name; the runner looks them up here and nowhere else.
import importlib
import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Library:
    """A library the bench can compare with.

    Attributes
    ----------
    name : str
        Short name used on the command line and in the tables.
    module : str
        Module whose import tells whether the library is installed.
    distribution : str
        Its PyPI name (for the version and for the message when it is missing).
    threads : str
        How the bench limits it to the run's thread count (printed with the results).
    limit_threads : callable or None
        ``limit_threads(n)`` called once before its fits, for thread pools threadpoolctl
        does not reach (oneDAL's TBB arena).
    """

    name: str
    module: str
    distribution: str
    threads: str
    limit_threads: Callable[[int], None] | None = None

    def installed(self):
        """Whether the library imports here."""
        try:
            importlib.import_module(self.module)
        except ImportError:
            return False
        return True

    def version(self):
        """Installed version of the distribution, or None."""
        try:
            return importlib.metadata.version(self.distribution)
        except importlib.metadata.PackageNotFoundError:
            return None


def _coef_intercept(estimator):
    coef = np.atleast_2d(np.asarray(estimator.coef_, dtype=np.float64))
    intercept = np.atleast_1d(np.asarray(estimator.intercept_, dtype=np.float64))
    return coef, intercept


def _n_iter(estimator):
    n_iter = getattr(estimator, "n_iter_", None)
    return None if n_iter is None else int(np.max(n_iter))


@dataclass(frozen=True)
class Adapter:
    """How one library fits one problem.

    Attributes
    ----------
    make : callable
        ``make(params, tol, threads)`` -> an unfitted estimator for the problem's
        parameters, the solver tolerance `tol` (None for an exact solver) and `threads`.
    tols : tuple
        The tolerance ladder, loosest first: the runner tightens until the objective
        stops improving. ``(None,)`` for a direct solver.
    what : str
        The estimator and solver as a user would write them (printed with the results).
    fit : callable
        ``fit(estimator, X, y)``; ``estimator.fit(X, y)`` by default.
    coef : callable
        ``coef(estimator)`` -> (coef of shape (K, d), intercept of shape (K,)), float64,
        in the problem's parameterisation; ``coef_`` and ``intercept_`` by default.
    n_iter : callable
        ``n_iter(estimator)`` -> iterations run (None if the library does not say).
    """

    make: Callable
    tols: tuple
    what: str
    fit: Callable = lambda estimator, X, y: estimator.fit(X, y)
    coef: Callable = _coef_intercept
    n_iter: Callable = _n_iter


@dataclass(frozen=True)
class Problem:
    """One comparison: data, the objective that scores every result, the adapters.

    Attributes
    ----------
    name : str
        Short name (command line, tables, JSON).
    estimator : str
        What a user fits, e.g. "LogisticRegression (binary)".
    objective_text : str
        The objective in words (fastreg's documented convention).
    sizes : dict
        Size name ("tiny", "small", "medium", "large") -> (n_samples, n_features).
    params : dict
        The estimator's parameters (alpha, C, ...), in fastreg's convention.
    make_data : callable
        ``make_data(n_samples, n_features)`` -> (X, y), deterministic.
    objective : callable
        ``objective(X, y, coef, intercept, params)`` -> float: fastreg's documented
        objective, computed in float64 by the bench.
    adapters : dict
        Library name -> Adapter, for the libraries that offer this estimator.
    """

    name: str
    estimator: str
    objective_text: str
    sizes: dict
    params: dict
    make_data: Callable
    objective: Callable
    adapters: dict = field(default_factory=dict)


PROBLEMS = {}
LIBRARIES = {}


def register(problem):
    """Add a problem to the comparison (its name must be new); returns it."""
    if problem.name in PROBLEMS:
        raise ValueError(f"a peers problem named {problem.name!r} is already registered")
    unknown = set(problem.adapters) - set(LIBRARIES)
    if unknown:
        raise ValueError(f"problem {problem.name!r} has adapters for unknown libraries {unknown}")
    PROBLEMS[problem.name] = problem
    return problem


def register_library(library):
    """Add a library (its name must be new); returns it."""
    if library.name in LIBRARIES:
        raise ValueError(f"a peers library named {library.name!r} is already registered")
    LIBRARIES[library.name] = library
    return library
