# Behaviour of the seven estimators: the textbook cases, dtypes, sklearn integration,
# weights, warm start, progress output, warnings and errors.
import pickle
import re
import warnings

import numpy as np
import pytest
from estimator_lists import ALL, CLASSIFIERS
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import fastreg
from fastreg import (
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
    PolynomialRegression,
    Ridge,
    SoftmaxRegression,
)


def _iris_split(classes):
    X, y = load_iris(return_X_y=True)
    keep = np.isin(y, classes)
    X_train, X_test, y_train, y_test = train_test_split(
        X[keep], y[keep], test_size=0.2, random_state=42
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def _regression_data(n_samples=80, n_features=5, dtype=np.float64):
    X, y = make_regression(n_samples=n_samples, n_features=n_features, noise=1.0, random_state=0)
    return X.astype(dtype), y.astype(dtype)


def _classification_data(n_classes=2, dtype=np.float64):
    X, y = make_classification(
        n_samples=120,
        n_features=5,
        n_informative=3,
        n_classes=n_classes,
        random_state=0,
    )
    return X.astype(dtype), y


def _data_for(cls, dtype=np.float64):
    if cls in CLASSIFIERS:
        return _classification_data(3, dtype)
    return _regression_data(dtype=dtype)


# ---- the textbook's cases ------------------------------------------------------------


def test_iris_versicolor_vs_virginica_logistic_accuracy():
    X_train, X_test, y_train, y_test = _iris_split([1, 2])
    # The textbook's model has no penalty (and neither does scikit-learn's C=1 model
    # pass: it scores exactly 0.80 here, as this one does).
    model = LogisticRegression(C=np.inf).fit(X_train, y_train)
    assert model.coef_.shape == (1, 4)
    assert model.score(X_test, y_test) > 0.80


def test_iris_three_classes_softmax_accuracy():
    X_train, X_test, y_train, y_test = _iris_split([0, 1, 2])
    model = SoftmaxRegression().fit(X_train, y_train)
    assert model.coef_.shape == (3, 4)
    assert model.score(X_test, y_test) > 0.85


@pytest.mark.parametrize("solver", ["auto", "gd", "fista", "lbfgs", "lstsq"])
def test_two_points_give_intercept_zero_slope_one(solver):
    X = np.array([[1.0], [2.0]])
    y = np.array([1.0, 2.0])
    model = LinearRegression(solver=solver, tol=1e-10, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(model.coef_, [1.0], atol=1e-7)
    np.testing.assert_allclose(model.intercept_, 0.0, atol=1e-7)


@pytest.mark.parametrize("solver", ["auto", "lstsq"])
def test_line_recovered_from_100_random_points(solver):
    rng = np.random.RandomState(0)
    x = rng.uniform(-5, 5, size=100)
    y = 5 * x + 3
    model = LinearRegression(solver=solver, tol=1e-10).fit(x.reshape(-1, 1), y)
    np.testing.assert_allclose(model.coef_, [5.0], rtol=1e-8)
    np.testing.assert_allclose(model.intercept_, 3.0, rtol=1e-8)
    np.testing.assert_allclose(model.predict([[10.0]]), [53.0], rtol=1e-8)


@pytest.mark.parametrize("solver", ["auto", "lstsq"])
def test_quadratic_fitted_exactly_by_polynomial_regression(solver):
    x = np.linspace(-3, 3, 50)
    y = 0.5 * x**2 + x + 2
    model = PolynomialRegression(degree=2, solver=solver, tol=1e-10).fit(x.reshape(-1, 1), y)
    np.testing.assert_allclose(model.coef_, [1.0, 0.5], atol=1e-8)
    np.testing.assert_allclose(model.intercept_, 2.0, atol=1e-8)
    np.testing.assert_allclose(model.predict(x.reshape(-1, 1)), y, atol=1e-7)
    assert model.n_features_in_ == 1
    assert list(model.poly_features_.get_feature_names_out()) == ["x0", "x0^2"]


def test_gd_reaches_the_same_minimiser_as_lbfgs():
    X_train, _, y_train, _ = _iris_split([1, 2])
    gd = LogisticRegression(solver="gd", tol=1e-8, max_iter=200_000).fit(X_train, y_train)
    lbfgs = LogisticRegression(solver="lbfgs", tol=1e-10, max_iter=10_000).fit(X_train, y_train)
    np.testing.assert_allclose(gd.coef_, lbfgs.coef_, rtol=1e-5, atol=1e-7)
    assert gd.n_iter_ > lbfgs.n_iter_


def test_gd_with_a_fixed_learning_rate_decreases_the_objective():
    X, y = _regression_data()
    X = StandardScaler().fit_transform(X)
    with pytest.warns(ConvergenceWarning):
        model = Ridge(solver="gd", learning_rate=0.1, max_iter=50).fit(X, y)
    assert model.n_iter_ == 50
    assert model.loss_curve_.shape == (50,)
    assert np.all(np.diff(model.loss_curve_) <= 0)


# ---- objectives and attributes --------------------------------------------------------


def _regression_objective(model, X, y, sample_weight=None):
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    w = np.asarray(model.coef_, dtype=np.float64)
    r = y - X @ w - model.intercept_
    if isinstance(model, Lasso):
        return s @ r**2 / (2 * s.sum()) + model.alpha * np.abs(w).sum()
    if isinstance(model, ElasticNet):
        a, rho = model.alpha, model.l1_ratio
        return s @ r**2 / (2 * s.sum()) + a * rho * np.abs(w).sum() + a * (1 - rho) / 2 * w @ w
    alpha = getattr(model, "alpha", 0.0)
    return s @ r**2 + alpha * w @ w


@pytest.mark.parametrize("cls", [LinearRegression, Ridge, Lasso, ElasticNet])
def test_loss_curve_is_the_documented_objective(cls):
    X, y = _regression_data()
    model = cls(tol=1e-10, max_iter=10_000).fit(X, y)
    assert model.loss_curve_.shape == (model.n_iter_,)
    np.testing.assert_allclose(
        model.loss_curve_[-1], _regression_objective(model, X, y), rtol=1e-9
    )


def test_lasso_produces_exact_zeros():
    X, y = make_regression(
        n_samples=100, n_features=20, n_informative=3, noise=1.0, random_state=1
    )
    model = Lasso(alpha=5.0).fit(X, y)
    assert np.sum(model.coef_ == 0.0) >= 10
    assert np.sum(model.coef_ != 0.0) >= 3


def test_lbfgs_refuses_an_l1_penalty():
    X, y = _regression_data()
    with pytest.raises(ValueError, match="fista"):
        Lasso(alpha=0.1, solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="Solver lbfgs supports only 'l2' or None"):
        LogisticRegression(l1_ratio=0.5, solver="lbfgs").fit(X, y > 0)  # scikit-learn's
    # The same solver is fine once there is no L1 term.
    assert np.isfinite(LogisticRegression(l1_ratio=0.5, C=np.inf).fit(X, y > 0).coef_).all()


def test_classifier_attributes_and_probabilities():
    X, y = _classification_data(3)
    for cls in CLASSIFIERS:
        model = cls().fit(X, y)
        assert model.coef_.shape == (3, 5)
        assert model.intercept_.shape == (3,)
        proba = model.predict_proba(X)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
        np.testing.assert_allclose(np.log(proba), model.predict_log_proba(X), rtol=1e-10)
        np.testing.assert_array_equal(model.predict(X), np.argmax(proba, axis=1))
    X2, y2 = _classification_data(2)
    binary = LogisticRegression().fit(X2, y2)
    softmax = SoftmaxRegression().fit(X2, y2)
    assert binary.coef_.shape == (1, 5) and binary.intercept_.shape == (1,)
    assert softmax.coef_.shape == (2, 5) and softmax.intercept_.shape == (2,)
    for model in (binary, softmax):
        decision = model.decision_function(X2)
        assert decision.shape == (len(y2),)
        np.testing.assert_array_equal(model.predict(X2), (decision > 0).astype(int))
        np.testing.assert_allclose(
            model.predict_proba(X2)[:, 1], 1 / (1 + np.exp(-decision)), rtol=1e-12
        )


def test_two_class_softmax_and_logistic_give_the_same_probabilities():
    X, y = _classification_data(2)
    binary = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(X, y)
    softmax = SoftmaxRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(
        binary.predict_proba(X), softmax.predict_proba(X), rtol=1e-6, atol=1e-9
    )


def test_extreme_scores_give_valid_probabilities():
    X, y = _classification_data(3)
    model = SoftmaxRegression().fit(X, y)
    huge = X * 1e6
    proba = model.predict_proba(huge)
    assert np.all(np.isfinite(proba)) and np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.all(np.isfinite(model.predict_log_proba(huge)))
    X2, y2 = _classification_data(2)
    binary = LogisticRegression().fit(X2, y2)
    log_proba = binary.predict_log_proba(X2 * 1e6)
    assert np.all(np.isfinite(log_proba)) and np.all(log_proba <= 0)


# ---- dtypes, copies and input kinds ---------------------------------------------------


@pytest.mark.parametrize("cls", ALL)
def test_float32_in_float32_out(cls):
    X, y = _data_for(cls, np.float32)
    if cls not in CLASSIFIERS:
        y = y.astype(np.float32)
    model = cls().fit(X, y)
    assert model.coef_.dtype == np.float32
    assert np.asarray(model.intercept_).dtype == np.float32
    if cls in CLASSIFIERS:
        assert model.decision_function(X).dtype == np.float32
        assert model.predict_proba(X).dtype == np.float32
    else:
        assert model.predict(X).dtype == np.float32
    model64 = cls().fit(X.astype(np.float64), y)
    assert model64.coef_.dtype == np.float64
    np.testing.assert_allclose(model.coef_, model64.coef_, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("cls", [Ridge, LogisticRegression])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_c_contiguous_x_reaches_the_solver_without_a_copy(cls, dtype, monkeypatch):
    X, y = _data_for(cls, dtype)
    seen = {}
    real_solve = fastreg._base._solve

    def spy(problem, *args):
        seen["X"] = problem.X
        return real_solve(problem, *args)

    def statistics_spy(design, *args, **kwargs):  # the exact solves read X here
        seen["X"] = design
        return real_statistics(design, *args, **kwargs)

    real_statistics = fastreg._linear.sufficient_statistics
    monkeypatch.setattr(fastreg._base, "_solve", spy)
    monkeypatch.setattr(fastreg._linear, "sufficient_statistics", statistics_spy)
    cls().fit(X, y)
    assert seen["X"].dtype == dtype
    assert np.shares_memory(seen["X"], X)


@pytest.mark.parametrize("cls", ALL)
def test_read_only_input(cls):
    X, y = _data_for(cls)
    X.setflags(write=False)
    y = np.array(y)
    y.setflags(write=False)
    X_before = X.copy()
    model = cls().fit(X, y)
    model.predict(X)
    np.testing.assert_array_equal(X, X_before)


@pytest.mark.parametrize("cls", ALL)
def test_pickle_round_trip(cls):
    X, y = _data_for(cls)
    model = cls().fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.coef_, model.coef_)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    if cls in CLASSIFIERS:
        np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize("cls", ALL)
def test_same_random_state_same_coefficients(cls):
    X, y = _data_for(cls)
    first = cls(random_state=0).fit(X, y)
    second = cls(random_state=0).fit(X, y)
    np.testing.assert_array_equal(first.coef_, second.coef_)
    np.testing.assert_array_equal(first.intercept_, second.intercept_)


@pytest.mark.parametrize("cls", [Ridge, LogisticRegression, SoftmaxRegression])
def test_thread_count_does_not_change_the_result(cls):
    X, y = _data_for(cls)
    one = cls(n_jobs=1).fit(X, y)
    two = cls(n_jobs=2).fit(X, y)
    default = cls().fit(X, y)
    np.testing.assert_array_equal(one.coef_, two.coef_)
    np.testing.assert_array_equal(one.coef_, default.coef_)


def test_string_labels():
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    for cls in CLASSIFIERS:
        model = cls().fit(X, names)
        np.testing.assert_array_equal(model.classes_, ["setosa", "versicolor", "virginica"])
        assert model.predict(X).dtype == names.dtype
        assert model.score(X, names) > 0.9
    keep = y > 0
    binary = LogisticRegression().fit(X[keep], names[keep])
    assert set(binary.predict(X[keep])) <= {"versicolor", "virginica"}


def test_pandas_input_sets_feature_names():
    X, y = load_iris(return_X_y=True, as_frame=True)
    for model in (SoftmaxRegression(), Ridge(), PolynomialRegression()):
        model.fit(X, y)
        np.testing.assert_array_equal(model.feature_names_in_, X.columns)
        assert model.n_features_in_ == 4
        model.predict(X)
    renamed = X.rename(columns={X.columns[0]: "other"})
    with pytest.raises(ValueError, match="feature names"):
        model.predict(renamed)


def test_pipeline_and_grid_search():
    X, y = load_iris(return_X_y=True)
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SoftmaxRegression())])
    search = GridSearchCV(pipe, {"clf__C": [0.01, 1.0, 100.0]}, cv=3).fit(X, y)
    assert search.best_params_["clf__C"] in (0.01, 1.0, 100.0)
    assert search.best_score_ > 0.9
    X_r, y_r = _regression_data()
    search = GridSearchCV(
        make_pipeline(StandardScaler(), Lasso()), {"lasso__alpha": [0.1, 1000.0]}, cv=3
    ).fit(X_r, y_r)
    assert search.best_params_ == {"lasso__alpha": 0.1}
    assert search.score(X_r, y_r) > 0.9


def test_clone_keeps_parameters():
    model = ElasticNet(alpha=0.3, l1_ratio=0.2, solver="fista", learning_rate=0.5)
    params = clone(model).get_params()
    assert params["alpha"] == 0.3 and params["l1_ratio"] == 0.2
    assert params["solver"] == "fista" and params["learning_rate"] == 0.5


# ---- weights --------------------------------------------------------------------------


@pytest.mark.parametrize("cls", ALL)
def test_integer_sample_weight_equals_repetition(cls):
    X, y = _data_for(cls)
    weights = np.random.RandomState(0).randint(0, 4, size=X.shape[0])
    kwargs = {"tol": 1e-12, "max_iter": 100_000}
    weighted = cls(**kwargs).fit(X, y, sample_weight=weights)
    repeated = cls(**kwargs).fit(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-6, atol=1e-8)


def test_class_weight_dict_equals_sample_weight():
    X, y = _classification_data(2)
    kwargs = {"tol": 1e-12, "max_iter": 10_000}
    by_class = LogisticRegression(class_weight={0: 1.0, 1: 3.0}, **kwargs).fit(X, y)
    by_sample = LogisticRegression(**kwargs).fit(X, y, sample_weight=np.where(y == 1, 3.0, 1.0))
    np.testing.assert_allclose(by_class.coef_, by_sample.coef_, rtol=1e-8)
    plain = LogisticRegression(**kwargs).fit(X, y)
    assert not np.allclose(plain.coef_, by_class.coef_)


def test_class_weight_balanced_raises_minority_recall():
    X, y = make_classification(
        n_samples=400, n_features=5, weights=[0.9, 0.1], class_sep=0.5, random_state=0
    )
    for cls in CLASSIFIERS:
        plain = cls().fit(X, y)
        balanced = cls(class_weight="balanced").fit(X, y)
        recall_plain = np.mean(plain.predict(X)[y == 1] == 1)
        recall_balanced = np.mean(balanced.predict(X)[y == 1] == 1)
        assert recall_balanced > recall_plain


def test_zero_weight_class_is_rejected_with_a_message_naming_classes():
    X, y = _classification_data(2)
    with pytest.raises(ValueError, match="class"):
        LogisticRegression().fit(X, y, sample_weight=(y == 1).astype(float))


# ---- warm start, progress, warnings and errors -----------------------------------------


@pytest.mark.parametrize("cls", ALL)
def test_warm_start_continues_from_the_previous_solution(cls):
    X, y = _data_for(cls)
    # warm_start means something for the iterative solvers only (the exact default has
    # no start point)
    iterative = (
        {"solver": "lbfgs"} if cls in (LinearRegression, PolynomialRegression, Ridge) else {}
    )
    cold = cls(tol=1e-10, max_iter=10_000, **iterative).fit(X, y)
    warm = cls(tol=1e-10, max_iter=10_000, warm_start=True, **iterative)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warm.fit(X, y)
        warm.set_params(max_iter=3)
        warm.fit(X, y)
    assert warm.n_iter_ < cold.n_iter_
    np.testing.assert_allclose(warm.coef_, cold.coef_, rtol=1e-6, atol=1e-8)
    # Without warm_start the second fit starts again from zero.
    restarted = cls(tol=1e-10, max_iter=10_000, **iterative).fit(X, y)
    assert restarted.n_iter_ == cold.n_iter_


def test_verbose_prints_progress(capsys, monkeypatch):
    monkeypatch.setattr(fastreg._base, "_PROGRESS_INTERVAL", 0.0)
    X, y = _classification_data(3)
    model = SoftmaxRegression(verbose=1, solver="gd", max_iter=5000, tol=1e-3).fit(X, y)
    out = capsys.readouterr().out
    epochs = [int(e) for e in re.findall(r"epoch\s+(\d+)", out)]
    assert len(epochs) >= 2 and epochs == sorted(epochs)
    assert "objective" in out and "elapsed" in out
    assert f"converged after {model.n_iter_[0]} epochs" in out
    SoftmaxRegression().fit(X, y)
    assert capsys.readouterr().out == ""


def test_convergence_warning_says_what_to_do():
    X_train, _, y_train, _ = _iris_split([0, 1, 2])
    with pytest.warns(ConvergenceWarning, match="Increase max_iter"):
        model = SoftmaxRegression(max_iter=2).fit(X_train, y_train)
    assert model.n_iter_ == 2
    with pytest.warns(ConvergenceWarning, match="solver='auto'"):
        SoftmaxRegression(solver="gd", max_iter=2).fit(X_train, y_train)


@pytest.mark.parametrize("cls", [LinearRegression, Ridge, LogisticRegression])
def test_divergence_raises_and_leaves_the_estimator_unchanged(cls):
    X, y = _data_for(cls)
    X = X * 1000.0 + 50.0  # unscaled
    model = cls(solver="gd", learning_rate=1e6, max_iter=100)
    with pytest.raises(ValueError, match="learning_rate"):
        model.fit(X, y)
    assert not hasattr(model, "coef_") and not hasattr(model, "n_features_in_")
    model.set_params(solver="auto", learning_rate="auto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[:, :3], y)
    before = {k: v for k, v in vars(model).items() if k.endswith("_")}
    model.set_params(solver="gd", learning_rate=1e6)
    with pytest.raises(ValueError, match="standardise the features"):
        model.fit(X, y)
    after = {k: v for k, v in vars(model).items() if k.endswith("_")}
    assert before.keys() == after.keys()
    for key, value in before.items():
        assert after[key] is value
    assert model.n_features_in_ == 3


@pytest.mark.parametrize(
    "cls, params, match",
    [
        (Ridge, {"alpha": -1.0}, "alpha"),
        (Lasso, {"alpha": np.nan}, "alpha"),
        (ElasticNet, {"l1_ratio": 1.5}, "l1_ratio"),
        (LogisticRegression, {"C": 0.0}, "C"),
        (LogisticRegression, {"C": -1.0}, "C"),
        (SoftmaxRegression, {"class_weight": "auto"}, "class_weight"),
        (LinearRegression, {"solver": "sgd"}, "solver"),
        (Lasso, {"solver": "lstsq"}, "solver"),
        (Ridge, {"max_iter": 0}, "max_iter"),
        (LinearRegression, {"learning_rate": -0.1}, "learning_rate"),
        (LinearRegression, {"learning_rate": "fast"}, "learning_rate"),
        (Ridge, {"tol": -1.0}, "tol"),
        (PolynomialRegression, {"degree": 0}, "degree"),
        (Ridge, {"n_jobs": 0}, "n_jobs"),
    ],
)
def test_invalid_parameters_are_rejected_before_fitting(cls, params, match):
    X, y = _data_for(cls)
    model = cls(**params)
    with pytest.raises((ValueError, TypeError), match=match):
        model.fit(X, y)
    assert not hasattr(model, "n_features_in_")


@pytest.mark.parametrize("cls", [Ridge, LogisticRegression])
def test_bad_sample_weight_is_rejected(cls):
    X, y = _data_for(cls)
    n = X.shape[0]
    for weights, match in [
        (-np.ones(n), "sample_weight must be >= 0"),
        (np.zeros(n), "must not be all zero"),
        (np.ones(n - 1), "one weight per sample"),
        (np.full(n, np.nan), "NaN"),
    ]:
        with pytest.raises(ValueError, match=match):
            cls().fit(X, y, sample_weight=weights)


def test_single_class_is_rejected():
    X, _ = _classification_data(2)
    for cls in CLASSIFIERS:
        with pytest.raises(ValueError, match="at least 2 classes"):
            cls().fit(X, np.zeros(X.shape[0]))
