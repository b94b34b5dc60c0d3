# fastreg._logistic_options: scikit-learn 1.9's parameter semantics for the classifiers.
# `resolve` turns LogisticRegression's and SoftmaxRegression's parameters (penalty with
# its deprecation, l1_ratio with None deprecated, C, dual, intercept_scaling, solver,
# max_iter, n_jobs) into one LogisticSpec: the objective to minimise and the fastreg
# method that minimises it, raising scikit-learn's errors and warnings on the way.
#
# Design decisions:
#   a. scikit-learn's solver names each run a fastreg method on the objective scikit-learn
#      minimises with that solver (SOLVER_METHODS below, the table of the docstrings and
#      README): the answer is scikit-learn's, the route to it fastreg's.
#   b. scikit-learn's rules about which solver takes which penalty, dual, and multiclass
#      setting are enforced with scikit-learn's messages, so code written against
#      scikit-learn fails in the same places. fastreg's own names ("auto", "gd",
#      "fista") accept every penalty.
#   d. fastreg's learning_rate is a keyword extension of LogisticRegression, reported by
#      get_params() only when set (ExtensionParamsMixin): scikit-learn's internals that
#      rebuild a LogisticRegression from get_params() see scikit-learn's keys.
#   c. liblinear penalises the intercept: it appends a constant column intercept_scaling
#      to X and penalises its weight like the others. fastreg minimises that same
#      objective (LogisticSpec.penalised_intercept), so intercept_scaling means what it
#      means there; every other solver leaves the intercept unpenalised and ignores it.
import dataclasses
import functools
import numbers
import warnings

import numpy as np

from fastreg._validation import (
    check_bool,
    check_fraction,
    check_positive_float,
)

# scikit-learn's solver name -> the fastreg method for (an L1 term, a smooth penalty),
# each as (when the model has at most NEWTON_MAX_PARAMS parameters, when it has more).
# Newton's methods ("newton-cholesky"; "newton-cd", proximal Newton with coordinate
# descent on the quadratic model, for an L1 term) take the few, memoryless steps that
# scikit-learn's newton-cg and liblinear take, and reach their accuracy, while the
# K (d + 1) x K (d + 1) system stays small.
SOLVER_METHODS = {
    "lbfgs": (None, ("lbfgs", "lbfgs")),
    "newton-cg": (None, ("newton-cholesky", "lbfgs")),
    "newton-cholesky": (None, ("newton-cholesky", "newton-cholesky")),
    "sag": (None, ("lbfgs", "lbfgs")),
    "saga": (("newton-cd", "fista"), ("lbfgs", "lbfgs")),
    "liblinear": (("newton-cd", "fista"), ("newton-cholesky", "lbfgs")),
}
NEWTON_MAX_PARAMS = 256
# scikit-learn's solvers whose tol is relative (liblinear: to the start gradient's norm;
# sag and saga: a coefficient change relative to the coefficients' size): fastreg turns
# it into a gradient test at least as strict as liblinear's (`relative_tol`).
RELATIVE_TOL_SOLVERS = ("liblinear", "sag", "saga")
SKLEARN_SOLVERS = tuple(SOLVER_METHODS)
FASTREG_SOLVERS = ("auto", "gd", "fista")

# scikit-learn's ConvergenceWarning text per solver (what its tests and users match).
CONVERGENCE_MESSAGES = {
    "lbfgs": "lbfgs failed to converge after {n_iter} iteration(s)",
    "newton-cg": "newton-cg failed to converge after {n_iter} iteration(s). Increase the "
    "number of iterations.",
    "newton-cholesky": "Newton solver did not converge after {n_iter} iterations",
    "sag": "The max_iter was reached which means the coef_ did not converge",
    "saga": "The max_iter was reached which means the coef_ did not converge",
    "liblinear": "Liblinear failed to converge, increase the number of iterations",
}

_PENALTY_DEPRECATED = (
    "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To avoid "
    "this warning, leave 'penalty' set to its default value and use 'l1_ratio' or 'C' "
    "instead. Use l1_ratio=0 instead of penalty='l2', l1_ratio=1 instead of "
    "penalty='l1', l1_ratio set to a float between 0 and 1 instead of "
    "penalty='elasticnet', and C=np.inf instead of penalty=None."
)
_L1_RATIO_NONE_DEPRECATED = (
    "'l1_ratio=None' was deprecated in version 1.8 and will trigger an error in 1.10. "
    "Use 0<=l1_ratio<=1 instead."
)
_N_JOBS_DEPRECATED = (
    "'n_jobs' has no effect in scikit-learn's LogisticRegression since 1.8 and will be "
    "removed there in 1.10 (you provided 'n_jobs={n_jobs}'). fastreg still uses it as "
    "the number of kernel threads, which threadpoolctl and OMP_NUM_THREADS also set: "
    "leave it unspecified in code meant to run with both."
)


@dataclasses.dataclass(frozen=True)
class LogisticSpec:
    """The resolved fit: objective ``C sum s_i l_i + (1-r)/2 ||w||^2 + r ||w||_1``.

    Parameters
    ----------
    C : float
        Inverse penalty strength (inf: no penalty).
    l1_share : float
        r above, in [0, 1].
    method : str or None
        fastreg's own solver name ("auto", "gd", "fista"), or None for one of
        scikit-learn's names, whose method `method_for` picks by the model's size.
    solver : str
        The solver name as the user gave it (for messages).
    penalised_intercept : bool
        liblinear's objective: the intercept is the weight of a constant column of value
        ``intercept_scaling``, penalised like the coefficients.
    intercept_scaling : float
        That column's value.
    max_iter : int
        Iterations (0: return the start point).
    """

    C: float
    l1_share: float
    method: str
    solver: str
    penalised_intercept: bool
    intercept_scaling: float
    max_iter: int


def _check_max_iter(value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"max_iter must be an int >= 0; got {value!r} of type {type(value).__name__}."
        )
    if value < 0:
        raise ValueError(f"max_iter must be an int >= 0; got {value!r}.")
    if value > 2**63 - 1:
        raise ValueError(f"max_iter must be an int <= {2**63 - 1}; got {value!r}.")
    return int(value)


def _sklearn_penalty(estimator, l1_ratio):
    """scikit-learn 1.9's penalty name from ``penalty`` / ``l1_ratio`` / ``C``, warning."""
    penalty = getattr(estimator, "penalty", "deprecated")
    if penalty == "deprecated":
        if l1_ratio is None or l1_ratio == 0:
            if l1_ratio is None:
                warnings.warn(_L1_RATIO_NONE_DEPRECATED, FutureWarning, stacklevel=6)
            name = "l2"
        elif l1_ratio == 1:
            name = "l1"
        else:
            name = "elasticnet"
        return None if estimator.C == np.inf else name
    if penalty not in ("l1", "l2", "elasticnet", None):
        raise ValueError(
            "The 'penalty' parameter of LogisticRegression must be a str among "
            f"{{'l1', 'l2', 'elasticnet'}} or None; got {penalty!r}."
        )
    warnings.warn(_PENALTY_DEPRECATED, FutureWarning, stacklevel=6)
    return penalty


def _check_solver(solver, penalty, dual):
    """scikit-learn's solver / penalty / dual rules, with its messages."""
    if solver not in ("liblinear", "saga") and penalty not in ("l2", None):
        raise ValueError(
            f"Solver {solver} supports only 'l2' or None penalties, got {penalty} penalty."
        )
    if solver != "liblinear" and dual:
        raise ValueError(f"Solver {solver} supports only dual=False, got dual={dual}")
    if penalty == "elasticnet" and solver != "saga":
        raise ValueError(f"Only 'saga' solver supports elasticnet penalty, got solver={solver}.")
    if solver == "liblinear" and penalty is None:
        raise ValueError(
            "C=np.inf as well as penalty=None is not supported for the liblinear solver"
        )
    if solver == "liblinear" and dual and penalty == "l1":
        raise ValueError(
            "Unsupported set of arguments: The combination of penalty='l1' and "
            "loss='logistic_regression' are not supported when dual=True, Parameters: "
            "penalty='l1', loss='logistic_regression', dual=True"
        )


def resolve(estimator, solvers):
    """Validate the penalty and solver parameters; return the LogisticSpec.

    Parameters
    ----------
    estimator : LogisticRegression or SoftmaxRegression
        The estimator (its parameters are read, never written).
    solvers : sequence of str
        The solver names it accepts.

    Returns
    -------
    LogisticSpec
    """
    solver = estimator.solver
    if not isinstance(solver, str) or solver not in solvers:
        accepted = ", ".join(repr(s) for s in solvers)
        raise ValueError(f"solver must be one of {accepted}; got {solver!r}.")
    C = check_positive_float(
        estimator.C, "C", allow_inf=True, hint="; C is the inverse penalty strength"
    )
    l1_ratio = estimator.l1_ratio
    if l1_ratio is not None:
        l1_ratio = check_fraction(l1_ratio, "l1_ratio")
    dual = check_bool(getattr(estimator, "dual", False), "dual")
    scaling = getattr(estimator, "intercept_scaling", 1.0)
    scaling = check_positive_float(scaling, "intercept_scaling")
    max_iter = _check_max_iter(estimator.max_iter)
    n_jobs = getattr(estimator, "n_jobs", None)
    if n_jobs is not None and getattr(estimator, "_warns_on_n_jobs", False):
        warnings.warn(_N_JOBS_DEPRECATED.format(n_jobs=n_jobs), FutureWarning, stacklevel=5)

    penalty = _sklearn_penalty(estimator, l1_ratio)
    explicit = getattr(estimator, "penalty", "deprecated")
    if penalty != "elasticnet" and l1_ratio is not None and 0 < l1_ratio < 1:
        warnings.warn(
            "l1_ratio parameter is only used when penalty is 'elasticnet'. Got "
            f"(penalty={penalty})",
            UserWarning,
            stacklevel=5,
        )
    if (explicit == "l2" and l1_ratio != 0) or (explicit == "l1" and l1_ratio != 1):
        warnings.warn(
            f"Inconsistent values: penalty={explicit} with l1_ratio={l1_ratio}. penalty "
            "is deprecated. Please use l1_ratio only.",
            UserWarning,
            stacklevel=5,
        )
    if penalty == "elasticnet" and l1_ratio is None:
        raise ValueError("l1_ratio must be specified when penalty is elasticnet.")
    if explicit is None:
        if C != 1.0:
            warnings.warn(
                "Setting penalty=None will ignore the C and l1_ratio parameters",
                UserWarning,
                stacklevel=5,
            )
        C = np.inf
    l1_share = {"l2": 0.0, "l1": 1.0, None: 0.0}.get(penalty, l1_ratio)

    if solver in SOLVER_METHODS:
        _check_solver(solver, penalty, dual)
        method = None  # chosen by `method_for` once the data's size is known
    else:
        method = solver
    return LogisticSpec(
        C=C,
        l1_share=l1_share,
        method=method,
        solver=solver,
        penalised_intercept=solver == "liblinear" and bool(estimator.fit_intercept),
        intercept_scaling=scaling,
        max_iter=max_iter,
    )


def method_for(spec, n_params):
    """The fastreg method that runs ``spec`` on a model of ``n_params`` parameters.

    Parameters
    ----------
    spec : LogisticSpec
        The resolved fit.
    n_params : int
        K (d + 1): coefficients and intercepts.

    Returns
    -------
    method : str
        A method of the solver core ("lbfgs", "fista", "gd", "auto") or of
        fastreg._newton ("newton-cholesky", "newton-cd").
    """
    if spec.method is not None:
        return spec.method
    nonsmooth, smooth = SOLVER_METHODS[spec.solver]
    choice = nonsmooth if spec.l1_share > 0 and np.isfinite(spec.C) else smooth
    return choice[0] if n_params <= NEWTON_MAX_PARAMS else choice[1]


def relative_tol(problem, options, coef, intercept, class_counts):
    """The gradient test that makes a relative tolerance at least as strict as liblinear's.

    liblinear stops when ``||g||_2 <= tol max(min(n_pos, n_neg), 1) / n ||g_0||_2``
    (g the gradient, minimum-norm subgradient with an L1 term, g_0 at the start point);
    fastreg's test is on the max-norm, so it uses that bound divided by sqrt(p), p the
    number of parameters: a point that passes it passes liblinear's.

    Parameters
    ----------
    problem : fastreg._problem.Problem
        The problem.
    options : fastreg._problem.SolverOptions
        The options (penalty, fit_intercept, tol, n_threads).
    coef, intercept : ndarray
        The start point.
    class_counts : ndarray
        Samples per class.

    Returns
    -------
    tol : float
        The gradient tolerance for fastreg's solvers: that bound, or ``options.tol``
        when it is stricter still.
    """
    from fastreg import _kernels
    from fastreg._reference_objective import penalty_violation

    _, gW, gb = _kernels.loss_gradient(
        problem.loss,
        problem.X,
        problem.y,
        problem.sample_weight,
        coef,
        intercept,
        options.n_threads,
    )
    S = problem.total_weight()
    gW = np.asarray(gW) / S + options.penalty.l2 * coef
    parts = [penalty_violation(coef, gW, options.penalty).ravel()]
    if options.fit_intercept:
        parts.append(np.asarray(gb).ravel() / S)
    g = np.concatenate(parts)
    share = max(int(np.min(class_counts)), 1) / max(int(np.sum(class_counts)), 1)
    relative = options.tol * share * float(np.linalg.norm(g)) / np.sqrt(max(g.size, 1))
    return min(options.tol, relative)


def convergence_message(solver, n_iter):
    """scikit-learn's ConvergenceWarning lead sentence for ``solver``, or None."""
    template = CONVERGENCE_MESSAGES.get(solver)
    return None if template is None else template.format(n_iter=n_iter)


class ExtensionParamsMixin:
    """fastreg's ``learning_rate`` beside scikit-learn's parameter list (decision d).

    The estimator's ``__init__`` takes scikit-learn's parameters and ``**fastreg_params``.
    ``learning_rate`` is stored only when it is not "auto" (a class attribute gives the
    default), so ``get_params()`` of an estimator built with scikit-learn's parameters
    has exactly scikit-learn's keys: scikit-learn code that rebuilds the estimator from
    them (its private path helpers) keeps working, and ``clone``, ``set_params`` and
    grid searches carry ``learning_rate`` when it is set.
    """

    learning_rate = "auto"
    _extension_params = ("learning_rate",)

    def _set_fastreg_params(self, params):
        # Unknown names are kept and rejected by fit (scikit-learn's convention: no
        # checks in __init__).
        for name, value in params.items():
            if name == "learning_rate" and isinstance(value, str) and value == "auto":
                self.__dict__.pop("learning_rate", None)
            else:
                setattr(self, name, value)

    def _check_fastreg_params(self):
        known = _signature_param_names(type(self)) | set(self._extension_params)
        unknown = sorted(
            k
            for k in vars(self)
            if not k.startswith("_") and not k.endswith("_") and k not in known
        )
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unexpected parameters {unknown}; fastreg adds "
                f"only {list(self._extension_params)} to scikit-learn's parameters."
            )

    def get_params(self, deep=True):
        """Get the parameters of this estimator.

        Parameters
        ----------
        deep : bool, default=True
            Unused (no parameter is an estimator); kept for scikit-learn's signature.

        Returns
        -------
        params : dict
            scikit-learn's parameters, plus ``learning_rate`` when it is not "auto".
        """
        params = super().get_params(deep=deep)
        if "learning_rate" in self.__dict__:
            params["learning_rate"] = self.learning_rate
        return params

    def set_params(self, **params):
        """Set the parameters of this estimator (``learning_rate`` included).

        Parameters
        ----------
        **params : dict
            Parameter names and values.

        Returns
        -------
        self : estimator instance
            The estimator.
        """
        # The names of the signature never raise here (scikit-learn's convention); a
        # ``fastreg_params=`` value is kept and rejected by fit.
        extension = {
            k: params.pop(k) for k in list(params) if k in ("learning_rate", "fastreg_params")
        }
        self._set_fastreg_params(extension)
        return super().set_params(**params)


@functools.cache
def _signature_param_names(cls):
    """``cls._get_param_names()`` once per class: it inspects ``__init__``'s signature,
    which costs more than the rest of a small fit's parameter checks."""
    return frozenset(cls._get_param_names())
