# A user's mistakes get a clear ValueError/TypeError that names the problem, raised at
# fit before any work: the compiled solver is replaced by one that fails the test if it
# is ever reached, and the estimator is left untouched (no n_features_in_).
import os
import warnings

import numpy as np
import pytest
from estimator_lists import ALL, CLASSIFIERS
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import fastreg
from fastreg import (
    ElasticNet,
    Lasso,
    LogisticRegression,
    Ridge,
    SoftmaxRegression,
)

N, D = 30, 3


@pytest.fixture
def no_solver(monkeypatch):
    """Make any call of the compiled solver (or the exact least-squares path) fail."""

    def forbidden(*args, **kwargs):
        raise AssertionError("the solver ran although the input is invalid")

    monkeypatch.setattr(fastreg._base, "_solve", forbidden)
    monkeypatch.setattr(fastreg._linear, "sufficient_statistics", forbidden)


def _data(cls, rng):
    X = rng.normal(size=(N, D))
    y = np.arange(N) % 3 if cls in CLASSIFIERS else rng.normal(size=N)
    return X, y


def _with(X, row, col, value):
    X = np.array(X, dtype=np.float64)
    X[row, col] = value
    return X


# (description, make (X, y, sample_weight) from valid (X, y), error type, message regex)
DATA_CASES = [
    ("NaN in X", lambda X, y: (_with(X, 3, 1, np.nan), y, None), ValueError, "X contains NaN"),
    ("inf in X", lambda X, y: (_with(X, 3, 1, np.inf), y, None), ValueError, "X contains inf"),
    ("-inf in X", lambda X, y: (_with(X, 0, 0, -np.inf), y, None), ValueError, "X contains inf"),
    (
        "NaN in y",
        lambda X, y: (X, np.r_[np.nan, y[1:]].astype(float), None),
        ValueError,
        "y contains NaN",
    ),
    (
        "inf in y",
        lambda X, y: (X, np.r_[np.inf, y[1:]].astype(float), None),
        ValueError,
        "y contains inf",
    ),
    (
        "NaN in sample_weight",
        lambda X, y: (X, y, np.r_[np.nan, np.ones(N - 1)]),
        ValueError,
        "sample_weight contains NaN",
    ),
    (
        "inf in sample_weight",
        lambda X, y: (X, y, np.r_[np.inf, np.ones(N - 1)]),
        ValueError,
        "sample_weight contains inf",
    ),
    (
        "negative sample_weight",
        lambda X, y: (X, y, np.r_[-1.0, np.ones(N - 1)]),
        ValueError,
        "sample_weight must be >= 0",
    ),
    (
        "all-zero sample_weight",
        lambda X, y: (X, y, np.zeros(N)),
        ValueError,
        "sample_weight must not be all zero",
    ),
    (
        "sample_weight of the wrong length",
        lambda X, y: (X, y, np.ones(N - 1)),
        ValueError,
        "one weight per sample",
    ),
    (
        "2-D sample_weight",
        lambda X, y: (X, y, np.ones((N, 1))),
        ValueError,
        "Sample weights must be 1D array or scalar",
    ),
    (
        "string sample_weight",
        lambda X, y: (X, y, np.array(["a"] * N)),
        TypeError,
        "sample_weight must hold real numbers",
    ),
    (
        "complex sample_weight",
        lambda X, y: (X, y, np.ones(N) + 1j),
        ValueError,
        "Complex data not supported: sample_weight",
    ),
    (
        "sample_weight whose sum overflows",
        lambda X, y: (X, y, np.full(N, 1e308)),
        ValueError,
        "sample_weight is too large",
    ),
    ("empty X", lambda X, y: (X[:0], y[:0], None), ValueError, "0 sample"),
    ("X without features", lambda X, y: (X[:, :0], y, None), ValueError, "0 feature"),
    ("1-D X", lambda X, y: (X[:, 0], y, None), ValueError, "Expected 2D array, got 1D array"),
    ("3-D X", lambda X, y: (X[:, :, None], y, None), ValueError, "dim 3"),
    (
        "X and y of different lengths",
        lambda X, y: (X, y[:-1], None),
        ValueError,
        "inconsistent numbers of samples",
    ),
    (
        "string X",
        lambda X, y: (np.full(X.shape, "a"), y, None),
        TypeError,
        "X must hold real numbers",
    ),
    (
        "object X with text inside",
        lambda X, y: (_obj(X, "abc"), y, None),
        ValueError,
        "X must hold real numbers",
    ),
    (
        "object X with a dict inside",
        lambda X, y: (_obj(X, {"foo": "bar"}), y, None),
        TypeError,
        "X must hold real numbers.*argument must be a string or a",
    ),
    (
        "complex X",
        lambda X, y: (X + 1j, y, None),
        ValueError,
        "Complex data not supported: X",
    ),
]

REGRESSOR_CASES = [
    (  # every estimator takes sparse X (tests/test_sparse_*.py), but not a broken one
        "sparse X with an index out of range",
        lambda X, y: (_spoiled_sparse(X), y, None),
        ValueError,
        "malformed sparse X: indices",
    ),
    (
        "complex y",
        lambda X, y: (X, y + 1j, None),
        ValueError,
        "Complex data not supported: y",
    ),
    (
        "string y for a regressor",
        lambda X, y: (X, np.array(["a", "b", "c"] * (N // 3)), None),
        TypeError,
        "y must hold real numbers",
    ),
    (
        "object y with text for a regressor",
        lambda X, y: (X, np.array(["a", 1.0, 2.0] * (N // 3), dtype=object), None),
        ValueError,
        "y must hold real numbers",
    ),
    (
        "3-D y",  # 2-D y is several targets
        lambda X, y: (X, np.stack([np.c_[y, y]] * 2, axis=2), None),
        ValueError,
        "dim 3",
    ),
]

CLASSIFIER_CASES = [
    (
        "a single class",
        lambda X, y: (X, np.zeros(N), None),
        ValueError,
        "at least 2 classes.*only one class",
    ),
    (
        "continuous y for a classifier",
        lambda X, y: (X, np.linspace(0, 1, N), None),
        ValueError,
        "Unknown label type",
    ),
    (
        "one class left with weight",
        lambda X, y: (X, y, (y == 0).astype(float)),
        ValueError,
        "at least 2 classes with positive weight",
    ),
]


def _spoiled_sparse(X):
    X = sparse.csr_matrix(X)
    X.indices = X.indices.copy()
    X.indices[0] = X.shape[1]
    return X


def _obj(X, value):
    X = np.array(X, dtype=object)
    X[0, 0] = value
    return X


def _cases_for(cls):
    extra = CLASSIFIER_CASES if cls in CLASSIFIERS else REGRESSOR_CASES
    if cls().__sklearn_tags__().target_tags.multi_output:  # a 2-D y is valid there
        extra = [case for case in extra if case[0] != "2-D y"]
    return DATA_CASES + extra


@pytest.mark.parametrize(
    "cls, case",
    [(cls, case) for cls in ALL for case in _cases_for(cls)],
    ids=lambda v: v.__name__ if isinstance(v, type) else v[0].replace(" ", "_"),
)
def test_bad_data_is_rejected_before_any_work(cls, case, rng, no_solver):
    _, make, error, match = case
    X, y = _data(cls, rng)
    X_bad, y_bad, weights = make(X, y)
    model = cls()
    with pytest.raises(error, match=match):
        model.fit(X_bad, y_bad, sample_weight=weights)
    assert vars(model) == vars(cls())


# (parameters, error type, message regex): every estimator that has the parameters.
PARAM_CASES = [
    ({"alpha": -1.0}, ValueError, "alpha must be a finite number >= 0; got -1.0"),
    ({"alpha": np.nan}, ValueError, "alpha must be a finite number >= 0; got nan"),
    ({"alpha": np.inf}, ValueError, "alpha must be a finite number >= 0; got inf"),
    ({"alpha": "1"}, TypeError, "alpha must be a finite number >= 0; got '1'"),
    ({"alpha": None}, TypeError, "alpha must be a finite number >= 0; got None"),
    ({"C": -1.0}, ValueError, r"C must be a number > 0 \(numpy.inf allowed\).*got -1.0"),
    ({"C": 0}, ValueError, r"C must be a number > 0.*got 0.0"),
    ({"C": -np.inf}, ValueError, "C must be a number > 0"),
    ({"C": np.nan}, ValueError, "C must be a number > 0.*got nan"),
    ({"C": "1"}, TypeError, "C must be a number > 0"),
    ({"l1_ratio": 1.5}, ValueError, r"l1_ratio must be a number in \[0, 1\]; got 1.5"),
    ({"l1_ratio": -0.1}, ValueError, r"l1_ratio must be a number in \[0, 1\]; got -0.1"),
    ({"l1_ratio": np.nan}, ValueError, r"l1_ratio must be a number in \[0, 1\]; got nan"),
    ({"l1_ratio": "half"}, TypeError, r"l1_ratio must be a number in \[0, 1\]"),
    ({"solver": "sgd"}, ValueError, "solver must be one of .*got 'sgd'"),
    ({"solver": None}, ValueError, "solver must be one of .*got None"),
    ({"solver": "LBFGS"}, ValueError, "solver must be one of .*got 'LBFGS'"),
    ({"max_iter": 0}, ValueError, "max_iter must be an int >= 1; got 0"),
    ({"max_iter": -5}, ValueError, "max_iter must be an int >= 1; got -5"),
    ({"max_iter": 2.5}, TypeError, "max_iter must be an int >= 1; got 2.5 of type float"),
    ({"max_iter": 10.0}, TypeError, "max_iter must be an int >= 1; got 10.0 of type float"),
    ({"max_iter": True}, TypeError, "max_iter must be an int >= 1; got True"),
    ({"max_iter": None}, TypeError, "max_iter must be an int >= 1; got None"),
    ({"max_iter": 2**64}, ValueError, "max_iter must be an int <= 9223372036854775807"),
    ({"learning_rate": 0.0}, ValueError, "learning_rate must be a finite number > 0; got 0.0"),
    ({"learning_rate": -0.1}, ValueError, "learning_rate must be a finite number > 0; got -0.1"),
    ({"learning_rate": np.nan}, ValueError, "learning_rate must be a finite number > 0; got nan"),
    ({"learning_rate": np.inf}, ValueError, "learning_rate must be a finite number > 0; got inf"),
    ({"learning_rate": "fast"}, ValueError, "learning_rate must be 'auto' or a float > 0"),
    ({"learning_rate": None}, TypeError, "learning_rate must be 'auto' or a float > 0"),
    ({"learning_rate": True}, TypeError, "learning_rate must be 'auto' or a float > 0"),
    ({"tol": -1.0}, ValueError, "tol must be a finite number >= 0; got -1.0"),
    ({"tol": np.nan}, ValueError, "tol must be a finite number >= 0; got nan"),
    ({"tol": np.inf}, ValueError, "tol must be a finite number >= 0; got inf"),
    ({"tol": "x"}, TypeError, "tol must be a finite number >= 0"),
    ({"class_weight": "auto"}, ValueError, "class_weight must be None, 'balanced' or a dict"),
    ({"class_weight": [1, 2]}, ValueError, "class_weight must be None, 'balanced' or a dict"),
    ({"class_weight": {0: -1.0}}, ValueError, r"class_weight\[0\] must be a finite number >= 0"),
    ({"class_weight": {0: np.nan}}, ValueError, r"class_weight\[0\] must be a finite number"),
    ({"class_weight": {0: np.inf}}, ValueError, r"class_weight\[0\] must be a finite number"),
    ({"class_weight": {0: "a"}}, TypeError, r"class_weight\[0\] must be a number >= 0"),
    ({"class_weight": {9: 1.0}}, ValueError, "not in class_weight"),
    ({"n_jobs": 0}, ValueError, "n_jobs must be None or a nonzero int; got 0"),
    ({"n_jobs": 1.5}, TypeError, "n_jobs must be None or a nonzero int; got 1.5"),
    ({"n_jobs": "2"}, TypeError, "n_jobs must be None or a nonzero int; got '2'"),
    ({"n_jobs": True}, TypeError, "n_jobs must be None or a nonzero int; got True"),
    ({"degree": -1}, ValueError, "degree must be an int >= 1; got -1"),
    ({"degree": 0}, ValueError, "degree must be an int >= 1; got 0"),
    ({"degree": 1.5}, TypeError, "degree must be an int >= 1; got 1.5"),
    ({"interaction_only": "yes"}, TypeError, "interaction_only must be True or False"),
    ({"fit_intercept": "yes"}, TypeError, "fit_intercept must be True or False"),
    ({"fit_intercept": None}, TypeError, "fit_intercept must be True or False"),
    ({"warm_start": 1}, TypeError, "warm_start must be True or False"),
    ({"verbose": -1}, ValueError, "verbose must be an int >= 0 or a bool; got -1"),
    ({"verbose": 0.5}, TypeError, "verbose must be an int >= 0 or a bool; got 0.5"),
    ({"random_state": "x"}, TypeError, "random_state must be None, an int or a RandomState"),
    ({"random_state": 1.5}, TypeError, "random_state must be None, an int or a RandomState"),
    ({"positive": "yes"}, TypeError, "positive must be True or False"),
    ({"copy_X": None}, TypeError, "copy_X must be True or False"),
    ({"alpha": [1.0, -1.0]}, ValueError, "alpha must hold finite numbers >= 0"),
]


def _param_cases():
    for cls in ALL:
        names = set(cls().get_params()) | {"learning_rate"}
        for params, error, match in PARAM_CASES:
            if cls is Ridge and params == {"max_iter": None}:
                continue  # scikit-learn's Ridge default: the solver's own limit
            if cls is not Ridge and isinstance(params.get("alpha"), list):
                continue  # one alpha per target: Ridge only
            if cls in (LogisticRegression, SoftmaxRegression) and "max_iter" in params:
                # scikit-learn's classifiers take max_iter=0: their cases are in
                # test_logistic_compat.py.
                continue
            if set(params) <= names:
                yield pytest.param(
                    cls, params, error, match, id=f"{cls.__name__}-{next(iter(params.items()))}"
                )
    yield pytest.param(
        Lasso, {"solver": "lstsq"}, ValueError, "solver must be one of", id="Lasso-lstsq"
    )
    yield pytest.param(
        LogisticRegression,
        {"solver": "lstsq"},
        ValueError,
        "solver must be one of",
        id="LogisticRegression-lstsq",
    )
    for cls in (Lasso, ElasticNet, LogisticRegression, SoftmaxRegression):
        params = {"solver": "lbfgs"}
        params.update({"alpha": 0.1} if cls in (Lasso, ElasticNet) else {"l1_ratio": 0.5})
        classifier = cls in (LogisticRegression, SoftmaxRegression)
        yield pytest.param(
            cls,
            params,
            ValueError,
            # The classifiers' "lbfgs" is scikit-learn's name, with scikit-learn's message.
            "Solver lbfgs supports only 'l2' or None penalties"
            if classifier
            else "solver='lbfgs' handles smooth objectives only",
            id=f"{cls.__name__}-lbfgs-with-l1",
        )


@pytest.mark.parametrize("cls, params, error, match", list(_param_cases()))
def test_invalid_parameters_are_rejected_before_any_work(
    cls, params, error, match, rng, no_solver
):
    X, y = _data(cls, rng)
    model = cls(**params)
    state = dict(vars(model))
    with pytest.raises(error, match=match):
        model.fit(X, y)
    assert vars(model).keys() == state.keys()
    assert not hasattr(model, "n_features_in_")


@pytest.mark.parametrize("cls", ALL)
def test_invalid_parameters_do_not_touch_a_fitted_estimator(cls, rng):
    X, y = _data(cls, rng)
    model = cls().fit(X, y)
    before = {k: v for k, v in vars(model).items()}
    model.set_params(max_iter=-1)  # the classifiers accept 0, as scikit-learn's do
    with pytest.raises(ValueError, match="max_iter"):
        model.fit(X[:, :2], y)
    after = vars(model)
    assert before.keys() == after.keys()
    for key, value in before.items():
        if key != "max_iter":
            assert after[key] is value, key


@pytest.mark.parametrize(
    ("cls", "method"),
    [
        (cls, method)
        for cls in ALL
        for method in (
            "predict",
            "score",
            "predict_proba",
            "decision_function",
            "predict_log_proba",
        )
        if hasattr(cls, method)
    ],
)
def test_wrong_number_of_features_after_fit(cls, method, rng):
    X, y = _data(cls, rng)
    model = cls().fit(X, y)
    args = (X[:, :2], y) if method == "score" else (X[:, :2],)
    with pytest.raises(ValueError, match=f"X has 2 features, but {cls.__name__} is expecting 3"):
        getattr(model, method)(*args)
    args = (np.c_[X, X], y) if method == "score" else (np.c_[X, X],)
    with pytest.raises(ValueError, match="X has 6 features"):
        getattr(model, method)(*args)


@pytest.mark.parametrize("cls", ALL)
def test_bad_data_at_predict(cls, rng):
    X, y = _data(cls, rng)
    model = cls().fit(X, y)
    with pytest.raises(ValueError, match="X contains NaN"):
        model.predict(_with(X, 0, 0, np.nan))
    with pytest.raises(ValueError, match="X contains inf"):
        model.predict(_with(X, 0, 0, np.inf))
    with pytest.raises(ValueError, match="Complex data not supported: X"):
        model.predict(X + 1j)
    with pytest.raises(TypeError, match="X must hold real numbers"):
        model.predict(np.full(X.shape, "a"))
    with pytest.raises(ValueError, match="Expected 2D array"):
        model.predict(X[0])
    with pytest.raises(ValueError, match="dim 3"):
        model.predict(X[:, :, None])
    with pytest.raises(NotFittedError, match="not fitted yet"):
        cls().predict(X)


@pytest.mark.parametrize("cls", ALL)
def test_absurd_thread_counts_are_capped_not_crashing(cls, rng):
    # Asking the OpenMP runtime for ~10^5 threads crashed the process; counts above the
    # CPU count are capped (results do not depend on the thread count).
    X, y = _data(cls, rng)
    X = np.repeat(X, 100, axis=0)  # > 2048 rows: the threaded path
    y = np.repeat(y, 100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = cls(n_jobs=1, max_iter=5).fit(X, y)
    for n_jobs in (100_000, 2**40, -(2**40)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = cls(n_jobs=n_jobs, max_iter=5).fit(X, y)
        np.testing.assert_array_equal(model.coef_, reference.coef_)
    assert fastreg._base.effective_n_threads(10**9) <= (os.cpu_count() or 1)


# ---- the public kernel functions ---------------------------------------------------------

FUNCTIONS = [fastreg.sigmoid, fastreg.log_sum_exp, fastreg.softmax]
FUNCTION_CASES = [
    ("NaN", np.array([[0.0, np.nan]]), ValueError, "contains NaN; every value must be finite"),
    ("inf", np.array([[0.0, np.inf]]), ValueError, "contains infinity"),
    ("-inf", np.array([[0.0, -np.inf]]), ValueError, "contains infinity"),
    ("float32 NaN", np.array([[np.nan]], dtype=np.float32), ValueError, "contains NaN"),
    (
        "complex",
        np.array([[1 + 2j]]),
        TypeError,
        "must hold real numbers; got an array of complex",
    ),
    (
        "strings",
        np.array([["a"]]),
        TypeError,
        "must hold real numbers; got an array of non-numeric",
    ),
    ("object", np.array([[1.0]], dtype=object), TypeError, "non-numeric dtype object"),
    ("None", None, TypeError, "non-numeric dtype object"),
    ("datetime", np.array(["2020-01-01"], dtype="datetime64[D]"), TypeError, "non-numeric"),
    ("ragged", [[1.0, 2.0], [3.0]], ValueError, "must be a rectangular array"),
    (
        "long double beyond float64",
        np.array([np.finfo(np.longdouble).max]),
        ValueError,
        "too large for float64",
    ),
]


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("case", FUNCTION_CASES, ids=lambda c: c[0])
def test_kernel_functions_reject_bad_input(function, case):
    _, value, error, match = case
    if (
        case[0].startswith("long double")
        and np.finfo(np.longdouble).max <= np.finfo(np.float64).max
    ):
        pytest.skip("long double is float64 on this platform")
    name = "x" if function is fastreg.sigmoid else "Z"
    with pytest.raises(error, match=f"^{name} .*{match}"):
        function(value)


@pytest.mark.parametrize(
    "function", [fastreg.log_sum_exp, fastreg.softmax], ids=lambda f: f.__name__
)
def test_row_functions_reject_three_dimensions(function):
    with pytest.raises(ValueError, match="Z must be at most 2-dimensional; got shape"):
        function(np.zeros((2, 2, 2)))
