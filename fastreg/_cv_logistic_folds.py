# fastreg._cv_logistic_folds: LogisticRegressionCV's work on one fold: the fits along the
# Cs on the training rows and their scores on the held-out rows, and which metadata the
# scorer gets.
#
# Design decisions:
#   a. A fold's fits encode their labels against all rows' classes, as scikit-learn's
#      path does: a class missing from the training rows keeps its coefficients (its
#      scores pushed down by the loss, held finite by the penalty), and training rows of
#      a single class are fitted all the same, so every fold has the shapes of the whole.
#   b. A scorer whose metric takes ``labels`` is rebuilt with all rows' classes (and, with
#      two classes, ``pos_label`` the second), scikit-learn's rule: the held-out rows may
#      lack a class the model predicts.
#   c. Accuracy and log loss come straight from the decision values: the scorer's generic
#      route re-validates the held-out rows for every C; these two give the same numbers
#      from one product with the coefficients.
#   d. Metadata: without routing the scorer gets the sample weights; with routing it gets
#      what it requested (scikit-learn's process_routing). The default scoring (None,
#      accuracy) always weighs the held-out rows, as scikit-learn's path does.
import contextlib
import inspect
import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn import config_context
from sklearn.metrics import get_scorer, log_loss, make_scorer
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metadata_routing import _routing_enabled, process_routing
from sklearn.utils.validation import _check_method_params

from fastreg._logistic import LogisticRegression
from fastreg._validation import check_sample_weight


class FoldLogisticRegression(LogisticRegression):
    """LogisticRegression whose labels are indices into ``_all_classes`` (decision a).

    Set ``_all_classes`` (the sorted labels of all rows) before fitting; the fold's labels
    must be among them.
    """

    def _fast_input(self, X, y, sample_weight, class_weight):
        fast = super()._fast_input(X, y, sample_weight, class_weight)
        if fast is None:
            return None
        X, y, classes, y_index = fast
        return X, y, self._all_classes, np.searchsorted(self._all_classes, classes)[y_index]

    def _encode_labels(self, name, y, sample_weight, class_weight, dtype):
        classes = self._all_classes
        y_index = np.searchsorted(classes, y)
        sample_weight = check_sample_weight(sample_weight, y.shape[0], dtype)
        if class_weight is not None:  # a dict here: "balanced" was resolved on all rows
            per_class = compute_class_weight(class_weight, classes=classes, y=y)
            base = 1.0 if sample_weight is None else sample_weight
            sample_weight = np.ascontiguousarray(base * per_class[y_index], dtype=dtype)
        return classes, y_index, sample_weight


def routed_params(estimator, sample_weight, params):
    """(split params, score params) of LogisticRegressionCV.fit (decision d)."""
    if _routing_enabled():
        routed = process_routing(estimator, "fit", sample_weight=sample_weight, **params)
        return routed.splitter.split, routed.scorer.score
    return {}, ({} if sample_weight is None else {"sample_weight": sample_weight})


def fold_scorer(scoring, classes):
    """The scorer of ``scoring`` for held-out rows that may lack classes (decision b).

    None stays None (the model's weighted accuracy).
    """
    if scoring is None:
        return None
    scorer = get_scorer(scoring)
    score_func = getattr(scorer, "_score_func", None)
    names = inspect.signature(score_func).parameters if score_func is not None else {}
    if "labels" not in names:
        return scorer
    kwargs = {"labels": classes}
    if classes.shape[0] <= 2 and "pos_label" in names:
        kwargs["pos_label"] = classes[-1]
    kwargs.update(getattr(scorer, "_kwargs", {}))
    return make_scorer(
        score_func,
        greater_is_better=scorer._sign == 1,
        response_method=scorer._response_method,
        **kwargs,
    )


def fit_fold(estimator, X, y, train, test, fold_params):
    """The fits along the Cs for each l1_ratio on ``train``, scored on ``test``.

    Parameters
    ----------
    estimator : LogisticRegressionCV
        Gives the fold models (``_fold_model``).
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        All rows, validated.
    y : ndarray of shape (n_samples,)
        All rows' labels.
    train, test : ndarray of int
        The fold's rows.
    fold_params : dict
        ``classes``, ``grid`` (l1_ratios), ``Cs``, ``fit_intercept``, ``sample_weight``,
        ``score_params`` (all rows'), ``scoring`` and ``scorer`` (from `fold_scorer`).

    Returns
    -------
    paths : ndarray of shape (n_l1_ratios, n_cs, n_out, n_features + fit_intercept)
        The solutions, the intercept last.
    scores : ndarray of shape (n_l1_ratios, n_cs)
        The held-out scores.
    n_iter : ndarray of shape (n_l1_ratios, n_cs)
        Iterations of each fit.
    """
    classes, grid, Cs = fold_params["classes"], fold_params["grid"], fold_params["Cs"]
    fit_intercept, sample_weight = fold_params["fit_intercept"], fold_params["sample_weight"]
    n_out = 1 if classes.size == 2 else classes.size
    n_features = X.shape[1]
    paths = np.empty((len(grid), Cs.size, n_out, n_features + int(fit_intercept)))
    scores = np.empty((len(grid), Cs.size))
    n_iter = np.empty((len(grid), Cs.size), dtype=np.int32)
    sw_train = None if sample_weight is None else sample_weight[train]
    score_params = _check_method_params(X, params=fold_params["score_params"], indices=test)
    if fold_params["scoring"] is None and sample_weight is not None:
        score_params = {"sample_weight": sample_weight[test]}
    X_train, X_test, y_train, y_test = X[train], X[test], y[train], y[test]
    for r, l1_ratio in enumerate(grid):
        model = estimator._fold_model(Cs[0], l1_ratio, FoldLogisticRegression)
        model._all_classes = classes
        for c, C in enumerate(Cs):
            model.set_params(C=float(C))
            # X was checked for finite values once by the caller: not again per C
            with config_context(assume_finite=True), quiet_n_jobs():
                model.fit(X_train, y_train, sample_weight=sw_train)
            paths[r, c, :, :n_features] = model.coef_
            if fit_intercept:
                paths[r, c, :, -1] = model.intercept_
            n_iter[r, c] = int(np.max(model.n_iter_))
            scores[r, c] = _held_out_score(fold_params, model, X_test, y_test, score_params)
    return paths, scores, n_iter


@contextlib.contextmanager
def quiet_n_jobs():
    """Silence LogisticRegression's FutureWarning about n_jobs: LogisticRegressionCV's
    n_jobs is scikit-learn's own parameter (here: the kernels' threads)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="'n_jobs' has no effect", category=FutureWarning)
        yield


def _held_out_score(fold_params, model, X_test, y_test, score_params):
    """The fold's score at the model's solution (decision c for the two defaults)."""
    scoring = fold_params["scoring"]
    if (scoring is None or scoring in ("accuracy", "neg_log_loss")) and set(score_params) <= {
        "sample_weight"
    }:
        decision = np.asarray(X_test @ model.coef_.T) + model.intercept_
        weights = score_params.get("sample_weight")
        classes = model.classes_
        if scoring == "neg_log_loss":
            if decision.shape[1] == 1:
                decision = np.hstack([np.zeros_like(decision), decision])
            log_proba = decision - logsumexp(decision, axis=1, keepdims=True)
            proba = np.exp(log_proba)
            return -log_loss(y_test, proba, sample_weight=weights, labels=classes)
        if decision.shape[1] == 1:
            predicted = classes[(decision[:, 0] > 0).astype(np.intp)]
        else:
            predicted = classes[np.argmax(decision, axis=1)]
        return float(np.average(predicted == y_test, weights=weights))
    if scoring is None:
        return model.score(X_test, y_test, **score_params)
    return fold_params["scorer"](model, X_test, y_test, **score_params)
