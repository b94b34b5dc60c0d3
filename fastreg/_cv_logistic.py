# fastreg._cv_logistic: LogisticRegressionCV, scikit-learn's logistic regression with C
# (and l1_ratio) chosen by cross-validation, on fastreg's LogisticRegression.
#
# Design decisions:
#   a. Per fold and l1_ratio one LogisticRegression walks the Cs in their given order,
#      each fit warm-started from the previous C's solution (scikit-learn's path does
#      the same), and is scored on the held-out rows with the scorer (accuracy by
#      default); fastreg._cv_logistic_folds does a fold's work: all rows' classes in
#      every fold, the scorer's labels, the metadata routed to the scorer.
#   b. The choice is scikit-learn's: the first (C, l1_ratio) of largest score summed
#      over folds; the refit on all rows starts from the mean of the folds' solutions
#      at it. refit=False averages each fold's best instead.
#   c. The fitted attributes have scikit-learn 1.9's shapes in both its legacy
#      (use_legacy_attributes=True, dicts keyed by class) and its new layout.
import numbers
import typing
import warnings

import numpy as np
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import metadata_routing
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.validation import check_is_fitted

from fastreg._cv_logistic_folds import fit_fold, fold_scorer, quiet_n_jobs, routed_params
from fastreg._logistic import LogisticRegression, _LogisticBase
from fastreg._validation import (
    check_bool,
    check_class_weight,
    check_sample_weight,
    validate_data_real,
)

_L1_RATIOS_WARNING = (
    "The default value for l1_ratios will change from None to (0.0,) in version 1.10. "
    "From version 1.10 onwards, only array-like with values in [0, 1] will be allowed, "
    "None will be forbidden. To avoid this warning, explicitly set a value, e.g. "
    "l1_ratios=(0,)."
)
_SCORING_WARNING = (
    "The default value of the parameter 'scoring' will change from None, i.e. accuracy, "
    "to 'neg_log_loss' in version 1.11. To silence this warning, explicitly set the "
    "scoring parameter: scoring='neg_log_loss' for the new, scoring='accuracy' or "
    "scoring=None for the old default."
)
_LEGACY_WARNING = (
    "The fitted attributes of LogisticRegressionCV will be simplified in scikit-learn "
    "1.10 to remove redundancy. Set`use_legacy_attributes=False` to enable the new "
    "behavior now, or set it to `True` to silence this warning during the transition "
    "period while keeping the deprecated behavior for the time being. The default value "
    "of use_legacy_attributes will change from True to False in scikit-learn 1.10. See "
    "the docstring of LogisticRegressionCV for more details."
)
_PENALTY_WARNING = (
    "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To avoid this "
    "warning, leave 'penalty' set to its default value and use 'l1_ratios' and 'Cs' "
    "instead. Use l1_ratios=(0,) instead of penalty='l2', l1_ratios=(1,) instead of "
    "penalty='l1', l1_ratios set to floats between 0 and 1 instead of "
    "penalty='elasticnet', and Cs=(np.inf,) instead of penalty=None."
)


def _resolve_l1_ratios(estimator):
    """(l1_ratios as given or None, the grid searched, penalty) with 1.9's warnings."""
    l1_ratios = estimator.l1_ratios
    if isinstance(l1_ratios, str) and l1_ratios == "warn":
        warnings.warn(_L1_RATIOS_WARNING, FutureWarning, stacklevel=4)
        l1_ratios = None
    elif l1_ratios is None and estimator.penalty == "deprecated":
        warnings.warn(
            "'l1_ratios=None' was deprecated in version 1.8 and will trigger an error in "
            "1.10. Use an array-like with valuesin [0, 1] instead.",
            FutureWarning,
            stacklevel=4,
        )
    if estimator.penalty == "deprecated":
        values = None if l1_ratios is None else np.asarray(l1_ratios, dtype=float)
        if values is None or np.all(values == 0):
            penalty = "l2"
        elif np.all(values == 1):
            penalty = "l1"
        else:
            penalty = "elasticnet"
    else:
        penalty = estimator.penalty
        warnings.warn(_PENALTY_WARNING, FutureWarning, stacklevel=4)
        if penalty not in ("l1", "l2", "elasticnet"):
            raise ValueError(
                f"penalty must be 'l1', 'l2' or 'elasticnet'; got {penalty!r}. Use "
                "Cs=(np.inf,) for no penalty."
            )
    if l1_ratios is not None:
        if (
            np.ndim(l1_ratios) != 1
            or len(l1_ratios) == 0
            or any(
                not isinstance(r, numbers.Number) or isinstance(r, bool) or not 0 <= r <= 1
                for r in l1_ratios
            )
        ):
            raise ValueError(
                "l1_ratios must be an array-like of numbers between 0 and 1; got "
                f"(l1_ratios={l1_ratios!r})"
            )
        grid = [float(r) for r in l1_ratios]
    elif penalty == "elasticnet":
        raise ValueError(
            "l1_ratios must be an array-like of numbers between 0 and 1; got "
            f"(l1_ratios={l1_ratios!r})"
        )
    else:
        grid = [None]
    return l1_ratios, grid, penalty


def _check_cs(Cs):
    """Cs: a grid length (np.logspace(-4, 4, Cs)) or positive floats."""
    if isinstance(Cs, numbers.Integral) and not isinstance(Cs, bool):
        if Cs < 1:
            raise ValueError(f"Cs must be a positive int or a list of positive floats; got {Cs}.")
        return np.logspace(-4, 4, int(Cs))
    values = np.asarray(Cs, dtype=float)
    if values.ndim != 1 or values.size == 0 or np.any(~(values > 0)):
        raise ValueError(f"Cs must be a positive int or a list of positive floats; got {Cs!r}.")
    return values


class LogisticRegressionCV(_LogisticBase):
    """Logistic regression with C chosen by cross-validation (scikit-learn's
    LogisticRegressionCV), on fastreg's compiled LogisticRegression.

    Each fold minimises LogisticRegression's ``C sum_i s_i logloss_i + (1 - l1_ratio)/2
    ||w||^2 + l1_ratio ||w||_1`` for the Cs in order, warm-starting each from the previous
    solution; the best C (and l1_ratio) by the summed held-out score is refit on all rows.

    Parameters
    ----------
    Cs : int or list of float, default=10
        The C grid (an int n: ``np.logspace(-4, 4, n)``).
    l1_ratios : array-like of float or None, default="warn"
        The l1_ratio grid, each in [0, 1]; None (deprecated, FutureWarning) means the L2
        penalty of ``penalty``.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    cv : int, cross-validation generator or iterable, default=None
        None: 5-fold StratifiedKFold.
    dual : bool, default=False
        scikit-learn's dual formulation (liblinear only).
    penalty : {"l1", "l2", "elasticnet"}, default="deprecated"
        Deprecated in scikit-learn 1.8 (FutureWarning): use ``l1_ratios``.
    scoring : str, callable or None, default="warn"
        The held-out score; None (and "warn", with a FutureWarning) is accuracy.
    solver : str, default="lbfgs"
        A solver of fastreg's LogisticRegression (scikit-learn's names, and fastreg's).
    tol : float, default=1e-4
        Tolerance of each fit.
    max_iter : int, default=100
        Maximum iterations of each fit.
    class_weight : dict, "balanced" or None, default=None
        Class weights.
    n_jobs : int, default=None
        Threads of the compiled kernels (the folds run one after another).
    verbose : int, default=0
        Verbosity of each fit.
    refit : bool, default=True
        Refit at the best parameters; otherwise average the folds' best solutions.
    intercept_scaling : float, default=1.0
        As in LogisticRegression (liblinear).
    random_state : int, RandomState instance or None, default=None
        As in LogisticRegression.
    use_legacy_attributes : bool, default="warn"
        scikit-learn 1.9's choice of attribute layout (see Attributes); "warn" warns
        (FutureWarning) and means True.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients of the refit.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts of the refit.
    Cs_ : ndarray of shape (n_cs,)
        The C grid.
    l1_ratios_ : ndarray of shape (n_l1_ratios,)
        The l1_ratio grid (``[None]`` for l1_ratios=None).
    coefs_paths_ : dict or ndarray
        Legacy: per class (positive class only when binary) an array (n_folds, n_cs,
        n_dof) or (n_folds, n_cs, n_l1_ratios, n_dof); else an array (n_folds,
        n_l1_ratios, n_cs, n_classes or 1, n_dof). n_dof = n_features + fit_intercept.
    scores_ : dict or ndarray
        Legacy: per class, (n_folds, n_cs) or (n_folds, n_cs, n_l1_ratios); else
        (n_folds, n_l1_ratios, n_cs).
    C_ : ndarray of shape (1,) or (n_classes,), or float
        The chosen C (a float with use_legacy_attributes=False).
    l1_ratio_ : ndarray of shape (1,) or (n_classes,), or float
        The chosen l1_ratio.
    n_iter_ : ndarray
        Iterations per fold and grid point: legacy (1, n_folds, n_cs[, n_l1_ratios]),
        else (n_folds, n_l1_ratios, n_cs).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    LogisticRegression : the estimator fitted per fold and refit.
    sklearn.linear_model.LogisticRegressionCV : scikit-learn's version.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from fastreg import LogisticRegressionCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = LogisticRegressionCV(
    ...     Cs=4, l1_ratios=(0.0,), scoring="accuracy", use_legacy_attributes=False
    ... ).fit(X, y)
    >>> model.scores_.shape
    (5, 1, 4)
    """

    # score's sample_weight is the scorer's metadata: routed to it, never consumed here
    __metadata_request__score: typing.ClassVar[dict] = {"sample_weight": metadata_routing.UNUSED}

    def __init__(
        self,
        *,
        Cs=10,
        l1_ratios="warn",
        fit_intercept=True,
        cv=None,
        dual=False,
        penalty="deprecated",
        scoring="warn",
        solver="lbfgs",
        tol=1e-4,
        max_iter=100,
        class_weight=None,
        n_jobs=None,
        verbose=0,
        refit=True,
        intercept_scaling=1.0,
        random_state=None,
        use_legacy_attributes="warn",
    ):
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.dual = dual
        self.penalty = penalty
        self.scoring = scoring
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.refit = refit
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.use_legacy_attributes = use_legacy_attributes

    def _multinomial(self, n_classes):
        return n_classes > 2

    def fit(self, X, y, sample_weight=None, **params):
        """Choose C (and l1_ratio) by cross-validation, then refit on all rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the fits and of the held-out scores.
        **params : dict
            Parameters of the splitter's ``split`` (``groups``) and of the scorer.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        _raise_for_params(params, self, "fit")  # extra params need metadata routing
        return self._fit_keeping_state_on_error(X, y, (sample_weight, params))

    def _fold_model(self, C, l1_ratio, model_class=LogisticRegression):
        return model_class(
            C=C,
            l1_ratio=0.0 if l1_ratio is None else l1_ratio,
            dual=self.dual,
            tol=self.tol,
            fit_intercept=self.fit_intercept,
            intercept_scaling=self.intercept_scaling,
            class_weight=self._class_weight,
            random_state=self.random_state,
            solver=self.solver,
            max_iter=self.max_iter,
            verbose=self.verbose,
            warm_start=True,
            n_jobs=self.n_jobs,
        )

    def _fit(self, X, y, weight_and_params):
        sample_weight, params = weight_and_params
        l1_ratios, grid, penalty = _resolve_l1_ratios(self)
        scoring = self.scoring
        if isinstance(scoring, str) and scoring == "warn":
            warnings.warn(_SCORING_WARNING, FutureWarning, stacklevel=3)
            scoring = None
        legacy = self.use_legacy_attributes
        if isinstance(legacy, str) and legacy == "warn":
            warnings.warn(_LEGACY_WARNING, FutureWarning, stacklevel=3)
            legacy = True
        legacy = check_bool(legacy, "use_legacy_attributes")
        refit = check_bool(self.refit, "refit")
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        Cs = _check_cs(self.Cs)
        X, y = validate_data_real(self, X, y, accept_sparse=True)
        classes = np.unique(y)
        if classes.size < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the "
                f"data contains only one class: {classes[0]}."
            )
        sample_weight = check_sample_weight(sample_weight, X.shape[0], np.float64)
        self._class_weight = check_class_weight(self.class_weight)
        if isinstance(self._class_weight, str):  # "balanced" on all rows, as scikit-learn
            from sklearn.utils.class_weight import compute_class_weight

            weights = compute_class_weight(
                "balanced", classes=classes, y=y, sample_weight=sample_weight
            )
            self._class_weight = dict(zip(classes, weights, strict=True))
        split_params, score_params = routed_params(self, sample_weight, params)
        if scoring is not None:  # scikit-learn's checks of the scoring parameter
            check_scoring(self._fold_model(1.0, None), scoring=scoring)
        folds = list(check_cv(self.cv, y, classifier=True).split(X, y, **split_params))
        n_out = 1 if classes.size == 2 else classes.size
        fold_params = {
            "classes": classes,
            "grid": grid,
            "Cs": Cs,
            "fit_intercept": fit_intercept,
            "sample_weight": sample_weight,
            "score_params": score_params,
            "scoring": scoring,
            "scorer": fold_scorer(scoring, classes),
        }
        per_fold = [fit_fold(self, X, y, train, test, fold_params) for train, test in folds]
        paths, scores, n_iter = (np.stack(parts) for parts in zip(*per_fold, strict=True))
        if refit:
            summed = scores.sum(axis=0).T  # (n_cs, n_l1_ratios), scikit-learn's order
            c_best, r_best = np.unravel_index(np.argmax(summed), summed.shape)
            C_best, l1_best = float(Cs[c_best]), grid[r_best]
            start = paths[:, r_best, c_best].mean(axis=0)
            final = self._fold_model(C_best, l1_best)
            final.classes_ = classes
            final.coef_ = start[:, : X.shape[1]].copy()
            final.intercept_ = start[:, -1].copy() if fit_intercept else np.zeros(n_out)
            with quiet_n_jobs():
                final.fit(X, y, sample_weight=sample_weight)
            coef, intercept = final.coef_, final.intercept_
            C_chosen, l1_chosen = C_best, l1_best
        else:
            flat = scores.transpose(0, 2, 1).reshape(len(folds), -1)
            best = [np.unravel_index(i, (Cs.size, len(grid))) for i in np.argmax(flat, axis=1)]
            w = np.mean([paths[f, r, c] for f, (c, r) in enumerate(best)], axis=0)
            coef = w[:, : X.shape[1]]
            intercept = w[:, -1] if fit_intercept else np.zeros(n_out)
            C_chosen = float(np.mean([Cs[c] for c, _ in best]))
            if penalty == "elasticnet":
                l1_chosen = float(np.mean([grid[r] for _, r in best]))
            else:
                l1_chosen = 0.0
        dtype = X.dtype
        self.classes_ = classes
        self.coef_ = np.asarray(coef, dtype=dtype).reshape(n_out, X.shape[1])
        self.intercept_ = np.asarray(intercept, dtype=dtype).reshape(n_out)
        if not fit_intercept:
            self.intercept_ = np.zeros(n_out, dtype=dtype)
        self.Cs_ = Cs
        self.l1_ratios_ = np.asarray(grid)
        self._store_paths(paths, scores, n_iter, C_chosen, l1_chosen, l1_ratios, legacy)
        return self

    def _store_paths(self, paths, scores, n_iter, C, l1_ratio, l1_ratios, legacy):
        """scikit-learn 1.9's attribute layouts (legacy dicts or the new arrays)."""
        n_out = paths.shape[3]
        keys = self.classes_[1:] if n_out == 1 else self.classes_
        if not legacy:
            self.C_ = float(C)
            if l1_ratios is None:
                self.l1_ratio_ = 1.0 if self.penalty == "l1" else 0.0
            else:
                self.l1_ratio_ = float(l1_ratio)
            self.coefs_paths_ = paths
            self.scores_ = scores
            self.n_iter_ = n_iter
            return
        repeat = 1 if n_out == 1 else n_out
        self.C_ = np.full(repeat, C)
        self.l1_ratio_ = np.asarray([l1_ratio] * repeat)
        by_class = np.swapaxes(paths, 1, 2)  # (n_folds, n_cs, n_l1_ratios, n_out, n_dof)
        fold_scores = np.swapaxes(scores, 1, 2)
        iters = np.swapaxes(n_iter, 1, 2)[None]
        if l1_ratios is None:
            by_class, fold_scores, iters = by_class[:, :, 0], fold_scores[:, :, 0], iters[..., 0]
        self.coefs_paths_ = {key: by_class[..., k, :] for k, key in enumerate(keys)}
        self.scores_ = {key: fold_scores.copy() for key in keys}
        self.n_iter_ = iters

    def _get_scorer(self):
        """The scorer of ``scoring`` (accuracy for None), as scikit-learn's."""
        scoring = self.scoring
        if scoring is None or (isinstance(scoring, str) and scoring == "warn"):
            scoring = "accuracy"  # (check_scoring of None would call `score` again)
        return check_scoring(self, scoring=scoring)

    def get_metadata_routing(self):
        """Get the metadata routing of this object (scikit-learn's).

        Returns
        -------
        routing : MetadataRouter
            ``fit`` routes to the splitter's ``split`` and the scorer's ``score``;
            ``score`` to the scorer's ``score``.
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                splitter=self.cv,
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
            .add(
                scorer=self._get_scorer(),
                method_mapping=MethodMapping()
                .add(caller="score", callee="score")
                .add(caller="fit", callee="score"),
            )
        )

    def score(self, X, y, sample_weight=None, **score_params):
        """The ``scoring`` score (accuracy by default) of the refit model on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights (with metadata routing, passed only if the scorer requests them).
        **score_params : dict
            Parameters of the scorer (only with metadata routing enabled).

        Returns
        -------
        score : float
            The score (accuracy unless ``scoring`` names another).
        """
        _raise_for_params(score_params, self, "score")  # extra params need routing
        check_is_fitted(self, "coef_")
        if sample_weight is not None:
            score_params["sample_weight"] = sample_weight
        scorer = self._get_scorer()
        if _routing_enabled():
            score_params = process_routing(self, "score", **score_params).scorer.score
        return scorer(self, X, y, **score_params)
