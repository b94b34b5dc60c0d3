# LogisticRegression as scikit-learn 1.9's: parameters, defaults, errors and warnings,
# solver names with their rules and answers, fitted attributes and their shapes,
# sparsify / densify, the callback API, and the learning_rate extension's get_params().
import re
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.base import clone
from sklearn.callback.tests._utils import RecordingCallback
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model._logistic import _log_reg_scoring_path
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from fastreg import LogisticRegression, SoftmaxRegression, _kernels

SOLVERS = ("lbfgs", "newton-cg", "newton-cholesky", "sag", "saga", "liblinear")


def _data(n_classes=2, n_samples=200, n_features=5, seed=0):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_features,
        n_redundant=0,
        n_classes=n_classes,
        random_state=seed,
    )
    return X, y


def _quiet(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit()


# ---- parameters and get_params ---------------------------------------------------------


def test_parameters_and_defaults_are_scikit_learns():
    ours, theirs = LogisticRegression().get_params(), sk.LogisticRegression().get_params()
    assert ours == theirs


def test_learning_rate_is_reported_only_when_set_and_survives_clone():
    model = LogisticRegression(solver="gd", learning_rate=0.3)
    assert model.get_params()["learning_rate"] == 0.3
    copy = clone(model)
    assert copy.learning_rate == 0.3 and copy.get_params() == model.get_params()
    assert "learning_rate=0.3" in repr(model)
    model.set_params(learning_rate="auto")
    assert "learning_rate" not in model.get_params() and model.learning_rate == "auto"
    model.set_params(learning_rate=0.7)
    assert model.get_params()["learning_rate"] == 0.7


def test_grid_search_over_learning_rate():
    X, y = _data()
    X = StandardScaler().fit_transform(X)
    search = GridSearchCV(
        LogisticRegression(solver="gd", max_iter=300, tol=1e-3),
        {"learning_rate": [0.05, 0.5]},
        cv=3,
    )
    _quiet(lambda: search.fit(X, y))
    assert search.best_params_["learning_rate"] in (0.05, 0.5)
    assert search.best_estimator_.learning_rate == search.best_params_["learning_rate"]


def test_unknown_keyword_is_rejected_at_fit():
    model = LogisticRegression(step=0.1)  # scikit-learn's convention: no check in __init__
    with pytest.raises(TypeError, match="unexpected parameters \\['step'\\]"):
        model.fit(*_data())


def test_scikit_learns_scoring_path_takes_our_get_params():
    X, y = _data(3, n_samples=100)
    train, test = np.arange(80), np.arange(80, 100)
    model = LogisticRegression(C=1.0, solver="lbfgs", tol=1e-10, max_iter=1000)
    params = model.get_params()
    params["penalty"] = "l2"
    for key in ("C", "n_jobs", "warm_start"):
        del params[key]
    model.fit(X[train], y[train])
    scorer = get_scorer("neg_log_loss")
    path_score = _log_reg_scoring_path(
        X,
        y,
        train,
        test,
        classes=np.unique(y),
        Cs=[1.0],
        scoring=scorer,
        max_squared_sum=None,
        sample_weight=None,
        score_params=None,
        **params,
    )[2][0]
    np.testing.assert_allclose(path_score, scorer(model, X[test], y[test]), rtol=1e-6)


# ---- penalty, l1_ratio, C and their deprecations ------------------------------------------


def test_penalty_is_deprecated_and_decides_the_penalty():
    X, y = _data()
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        l1 = LogisticRegression(penalty="l1", l1_ratio=1, solver="saga", C=0.2).fit(X, y)
    plain = LogisticRegression(l1_ratio=1, solver="saga", C=0.2).fit(X, y)
    np.testing.assert_array_equal(l1.coef_, plain.coef_)
    with pytest.warns(UserWarning, match="Inconsistent values: penalty=l1 with l1_ratio=0.0"):
        inconsistent = LogisticRegression(penalty="l1", solver="saga", C=0.2).fit(X, y)
    np.testing.assert_array_equal(inconsistent.coef_, plain.coef_)


def test_l1_ratio_none_is_deprecated_and_means_l2():
    X, y = _data()
    with pytest.warns(FutureWarning, match="'l1_ratio=None' was deprecated"):
        model = LogisticRegression(l1_ratio=None).fit(X, y)
    np.testing.assert_array_equal(model.coef_, LogisticRegression().fit(X, y).coef_)


def test_penalty_none_ignores_c_with_a_warning():
    X, y = _data()
    with pytest.warns(UserWarning, match="Setting penalty=None will ignore the C"):
        model = LogisticRegression(penalty=None, C=0.01, tol=1e-10).fit(X, y)
    free = LogisticRegression(C=np.inf, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.coef_, free.coef_, rtol=1e-8)


def test_l1_ratio_without_elasticnet_warns():
    with pytest.warns(UserWarning, match="l1_ratio parameter is only used when penalty is"):
        _quiet_future = LogisticRegression(penalty="l2", l1_ratio=0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            _quiet_future.fit(*_data())


# Parameters that scikit-learn rejects; fastreg must raise the same error, same text.
BAD = [
    {"solver": "lbfgs", "l1_ratio": 1},
    {"solver": "newton-cholesky", "l1_ratio": 0.5},
    {"solver": "sag", "l1_ratio": 1},
    {"solver": "liblinear", "l1_ratio": 0.5},
    {"solver": "liblinear", "C": np.inf},
    {"solver": "lbfgs", "dual": True},
    {"solver": "liblinear", "l1_ratio": 1, "dual": True},
    {"solver": "saga", "penalty": "elasticnet", "l1_ratio": None},
]


@pytest.mark.parametrize("params", BAD, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()))
def test_bad_combinations_raise_scikit_learns_error(params):
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError) as theirs:
            sk.LogisticRegression(**params).fit(X, y)
        with pytest.raises(ValueError, match=re.escape(str(theirs.value))):
            LogisticRegression(**params).fit(X, y)


def test_liblinear_refuses_multiclass_with_scikit_learns_message():
    X, y = _data(3)
    with pytest.raises(ValueError, match="The 'liblinear' solver does not support multiclass"):
        LogisticRegression(solver="liblinear").fit(X, y)


def test_dual_changes_nothing_for_liblinear_l2():
    X, y = _data()
    dual = LogisticRegression(solver="liblinear", dual=True, tol=1e-10).fit(X, y)
    primal = LogisticRegression(solver="liblinear", tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(dual.coef_, primal.coef_)


@pytest.mark.parametrize("scaling", [0.1, 1.0, 100.0])
def test_intercept_scaling_is_liblinears_penalised_intercept(scaling):
    X, y = _data()
    X[:, 0] += 3.0  # an intercept far from 0, so its penalty shows
    ours = LogisticRegression(solver="liblinear", C=0.05, intercept_scaling=scaling, tol=1e-10)
    theirs = sk.LogisticRegression(
        solver="liblinear", C=0.05, intercept_scaling=scaling, tol=1e-12, max_iter=10_000
    )
    ours.fit(X, y)
    theirs.fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-6)
    unpenalised = LogisticRegression(C=0.05, intercept_scaling=scaling, tol=1e-10).fit(X, y)
    base = LogisticRegression(C=0.05, tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(unpenalised.coef_, base.coef_)  # no effect elsewhere
    assert abs(ours.intercept_[0] - base.intercept_[0]) > 1e-4


# ---- every solver name: scikit-learn's answer ------------------------------------------

CASES = [
    (solver, l1_ratio, n_classes)
    for solver in SOLVERS
    for l1_ratio in (0.0, 0.5, 1.0)
    for n_classes in (2, 3)
    if (l1_ratio == 0 or solver in ("saga", "liblinear"))
    and (l1_ratio in (0, 1) or solver == "saga")
    and not (solver == "liblinear" and n_classes > 2)
]


@pytest.mark.parametrize("solver, l1_ratio, n_classes", CASES)
def test_every_solver_name_gives_scikit_learns_minimiser(solver, l1_ratio, n_classes):
    X, y = _data(n_classes, n_features=4)
    X = StandardScaler().fit_transform(X)
    weights = np.random.default_rng(0).uniform(0.5, 2.0, y.shape[0])
    params = dict(solver=solver, l1_ratio=l1_ratio, C=0.3)
    ours = LogisticRegression(tol=1e-9, max_iter=5000, **params).fit(X, y, weights)
    theirs = _quiet(
        lambda: sk.LogisticRegression(tol=1e-12, max_iter=100_000, **params).fit(X, y, weights)
    )
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=2e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=2e-6)
    assert ours.n_iter_.shape == (1,) and ours.n_iter_.dtype == np.int32
    assert ours.coef_.shape == theirs.coef_.shape


@pytest.mark.parametrize("solver", SOLVERS)
def test_convergence_warning_opens_with_scikit_learns_text(solver):
    X, y = load_iris(return_X_y=True)
    y = (y == 1).astype(int)
    theirs = {
        "lbfgs": "lbfgs failed to converge",
        "newton-cg": "newton-cg failed to converge.* Increase the number of iterations.",
        "newton-cholesky": "Newton solver did not converge after [0-9]* iterations",
        "sag": "The max_iter was reached which means the coef_ did not converge",
        "saga": "The max_iter was reached which means the coef_ did not converge",
        "liblinear": "Liblinear failed to converge, increase the number of iterations.",
    }[solver]
    model = LogisticRegression(solver=solver, max_iter=1, tol=1e-15)
    with pytest.warns(ConvergenceWarning, match=theirs):
        model.fit(X, y)
    assert model.n_iter_[0] == 1


def test_liblinear_coefficients_are_float64_as_scikit_learns():
    X, y = _data()
    model = LogisticRegression(solver="liblinear").fit(X.astype(np.float32), y)
    assert model.coef_.dtype == np.float64 and model.intercept_.dtype == np.float64
    assert LogisticRegression().fit(X.astype(np.float32), y).coef_.dtype == np.float32


# ---- max_iter, n_jobs, n_iter_ ------------------------------------------------------------


def test_max_iter_zero_returns_the_start_point():
    X, y = _data()
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge after 0"):
        model = LogisticRegression(max_iter=0).fit(X, y)
    assert np.all(model.coef_ == 0) and np.all(model.intercept_ == 0)
    assert model.n_iter_.tolist() == [0]
    fitted = LogisticRegression(warm_start=True).fit(X, y)
    before = fitted.coef_.copy()
    with pytest.warns(ConvergenceWarning):
        fitted.set_params(max_iter=0).fit(X, y)
    np.testing.assert_allclose(fitted.coef_, before)


@pytest.mark.parametrize(
    "value, error, match",
    [
        (-5, ValueError, "max_iter must be an int >= 0; got -5"),
        (2.5, TypeError, "max_iter must be an int >= 0; got 2.5 of type float"),
        (True, TypeError, "max_iter must be an int >= 0; got True"),
        (None, TypeError, "max_iter must be an int >= 0; got None"),
        (2**64, ValueError, "max_iter must be an int <= 9223372036854775807"),
    ],
)
@pytest.mark.parametrize("cls", [LogisticRegression, SoftmaxRegression])
def test_bad_max_iter_is_rejected_before_any_work(cls, value, error, match):
    model = cls(max_iter=value)
    with pytest.raises(error, match=match):
        model.fit(*_data())
    assert not hasattr(model, "n_features_in_")


def test_n_jobs_warns_as_scikit_learn_but_still_sets_threads():
    X, y = _data(3)
    with pytest.warns(FutureWarning, match="'n_jobs' has no effect"):
        one = LogisticRegression(n_jobs=1).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        SoftmaxRegression(n_jobs=1).fit(X, y)  # fastreg's own estimator: no warning
        default = LogisticRegression().fit(X, y)
    np.testing.assert_array_equal(one.coef_, default.coef_)


@pytest.mark.parametrize("cls", [LogisticRegression, SoftmaxRegression])
def test_n_iter_has_scikit_learns_shape(cls):
    X, y = _data(3)
    model = cls().fit(X, y)
    assert model.n_iter_.shape == (1,) and model.n_iter_.dtype == np.int32
    assert model.loss_curve_.shape == (model.n_iter_[0],)


# ---- sparsify, densify, _predict_proba_lr --------------------------------------------------


def test_sparsify_and_densify_keep_the_predictions():
    X, y = _data(3)
    model = LogisticRegression(l1_ratio=1, solver="saga", C=0.05).fit(X, y)
    scores = model.decision_function(X)
    model.sparsify()
    assert hasattr(model.coef_, "toarray")
    np.testing.assert_allclose(model.decision_function(X), scores)
    np.testing.assert_array_equal(model.predict(X), model.densify().predict(X))
    assert isinstance(model.coef_, np.ndarray)


@pytest.mark.parametrize("container", [sparse.coo_array, sparse.csr_matrix, sparse.csc_array])
def test_sparsified_coefficients_score_sparse_rows(container):
    X, y = _data(3)
    model = LogisticRegression().fit(X, y)
    scores = model.decision_function(X)
    model.sparsify()
    np.testing.assert_allclose(model.decision_function(container(X)), scores, rtol=1e-12)
    model.densify()
    np.testing.assert_allclose(model.decision_function(container(X)), scores, rtol=1e-12)


def test_scores_pass_rejects_a_coefficient_that_is_not_an_array():
    X, y = _data(3)
    model = LogisticRegression().fit(X, y)
    with pytest.raises(TypeError, match="coef and intercept must be ndarrays"):
        _kernels.scores(X, sparse.csr_array(model.coef_), model.intercept_, 1)
    with pytest.raises(ValueError, match="coef has shape"):
        _kernels.scores(X, model.coef_.ravel(), model.intercept_, 1)


def test_predict_proba_lr_is_the_normalised_one_vs_rest_sigmoid():
    X, y = _data(3)
    model = LogisticRegression().fit(X, y)
    sigmoid = 1.0 / (1.0 + np.exp(-model.decision_function(X)))
    np.testing.assert_allclose(
        model._predict_proba_lr(X), sigmoid / sigmoid.sum(axis=1, keepdims=True)
    )


# ---- callbacks ------------------------------------------------------------------------------


@pytest.mark.parametrize("max_iter", [0, 2, 1000])
def test_callback_hooks_follow_scikit_learns_task_tree(max_iter):
    X, y = _data(n_features=4)
    callback = RecordingCallback()
    model = LogisticRegression(max_iter=max_iter).set_callbacks(callback)
    _quiet(lambda: model.fit(X, y))
    expected = 1 + max(model.n_iter_[0], 1) + 1
    assert callback.count_hooks("setup") == callback.count_hooks("teardown") == 1
    assert callback.count_hooks("on_fit_task_begin") == expected
    assert callback.count_hooks("on_fit_task_end") == expected


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky", "saga", "fista", "gd"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_callbacks_see_each_iterate_as_a_fitted_estimator(solver, n_classes):
    X, y = _data(n_classes, n_features=4)
    params = dict(solver=solver, l1_ratio=1.0 if solver in ("saga", "fista") else 0.0)
    callback = RecordingCallback()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(**params, max_iter=6).set_callbacks(callback).fit(X, y)
        ends = [
            record
            for record in callback.record
            if record["name"] == "on_fit_task_end" and "iter" in record["context"].task_name
        ]
        assert len(ends) == model.n_iter_[0] + 1
        for i, record in enumerate(ends[:-1]):
            seen = record["kwargs"]["fitted_estimator"]
            truncated = LogisticRegression(**params, max_iter=i + 1).fit(X, y)
            np.testing.assert_allclose(seen.coef_, truncated.coef_, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(seen.intercept_, truncated.intercept_, atol=1e-14)
            np.testing.assert_array_equal(seen.predict(X), truncated.predict(X))
    assert ends[-1]["kwargs"]["fitted_estimator"] is None  # the last, empty task


def test_set_callbacks_warns_for_scikit_learns_other_solvers_only():
    with pytest.warns(UserWarning, match="Callbacks are only supported in LogisticRegression"):
        LogisticRegression(solver="liblinear").set_callbacks(RecordingCallback())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticRegression(solver="lbfgs").set_callbacks(RecordingCallback())
        LogisticRegression(solver="auto").set_callbacks(RecordingCallback())
