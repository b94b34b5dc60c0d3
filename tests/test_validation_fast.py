# The classifiers' fast validation path (fastreg._validation_fast): it accepts only the
# common case, gives exactly what the general path gives there, and leaves every other
# input (and every error and warning) to the general path.
import warnings

import numpy as np
import pytest

import fastreg
from fastreg._validation_fast import fast_classification_input


def _data(dtype=np.float64, n_samples=60, n_classes=3):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, 4)).astype(dtype)
    y = np.arange(n_samples) % n_classes
    return X, y


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("y_dtype", [np.int64, np.int32, np.uint8, np.float64, np.float32])
def test_fast_path_accepts_the_common_case(dtype, y_dtype):
    X, y = _data(dtype)
    y = y.astype(y_dtype)
    model = fastreg.LogisticRegression()
    result = fast_classification_input(model, X, y, None, None)
    assert result is not None
    X_out, y_out, classes, y_index = result
    assert X_out is X and y_out is y
    expected_classes, expected_index = np.unique(y, return_inverse=True)
    np.testing.assert_array_equal(classes, expected_classes)
    assert classes.dtype == y.dtype
    np.testing.assert_array_equal(y_index, expected_index)
    assert model.n_features_in_ == 4


def _other_inputs():
    X, y = _data()
    return {
        "sample_weight": (X, y, np.ones(len(y)), None),
        "class_weight": (X, y, None, "balanced"),
        "list X": (X.tolist(), y, None, None),
        "Fortran X": (np.asfortranarray(X), y, None, None),
        "int X": (X.astype(np.int64), y, None, None),
        "nan X": (np.where(X > 1, np.nan, X), y, None, None),
        "inf X": (np.where(X > 1, np.inf, X), y, None, None),
        "2-D y": (X, y[:, None], None, None),
        "short y": (X, y[:-1], None, None),
        "string y": (X, y.astype(str), None, None),
        "bool y": (X, y == 1, None, None),
        "continuous y": (X, y + 0.5, None, None),
        "nan y": (X, np.where(y == 1, np.nan, y), None, None),
        "one class": (X, np.zeros_like(y), None, None),
        "many classes": (X, np.arange(len(y)), None, None),
        "no rows": (X[:0], y[:0], None, None),
        "no columns": (X[:, :0], y, None, None),
    }


@pytest.mark.parametrize("case", list(_other_inputs()))
def test_fast_path_leaves_everything_else_to_the_general_path(case):
    X, y, sample_weight, class_weight = _other_inputs()[case]
    model = fastreg.LogisticRegression()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # it never warns either
        assert fast_classification_input(model, X, y, sample_weight, class_weight) is None
    assert not hasattr(model, "n_features_in_")


def _outcome(cls, X, y, sample_weight=None, class_weight=None):
    """What fit does: (exception type, message) or (coef, intercept, classes, warnings)."""
    model = cls(class_weight=class_weight, max_iter=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.fit(X, y, sample_weight=sample_weight)
        except Exception as exc:  # the exception is what is compared
            return type(exc), str(exc)
    messages = sorted((w.category.__name__, str(w.message)) for w in caught)
    return (
        model.coef_.tolist(),
        model.intercept_.tolist(),
        model.classes_.tolist(),
        model.n_features_in_,
        messages,
    )


@pytest.mark.parametrize("cls", [fastreg.LogisticRegression, fastreg.SoftmaxRegression])
@pytest.mark.parametrize("case", ["common", "float labels", *_other_inputs()])
def test_fit_is_the_same_with_and_without_the_fast_path(cls, case, monkeypatch):
    """Results, errors and warnings, for accepted and refused input alike."""
    if case == "common":
        X, y = _data()
        args = (X, y)
    elif case == "float labels":
        X, y = _data(np.float32)
        args = (X, y.astype(np.float32) * 2.0)
    else:
        args = _other_inputs()[case]
    with_fast_path = _outcome(cls, *args)
    monkeypatch.setattr(fastreg._logistic, "fast_classification_input", lambda *a: None)
    assert _outcome(cls, *args) == with_fast_path


@pytest.mark.parametrize("cls", [fastreg.LogisticRegression, fastreg.SoftmaxRegression])
def test_fit_on_the_fast_path_matches_the_general_path(cls):
    X, y = _data(n_classes=3)
    fast = cls(max_iter=50).fit(X, y)
    general = cls(max_iter=50).fit(X.tolist(), y.tolist())  # lists: the general path
    np.testing.assert_array_equal(fast.coef_, general.coef_)
    np.testing.assert_array_equal(fast.intercept_, general.intercept_)
    np.testing.assert_array_equal(fast.classes_, general.classes_)
    assert fast.n_features_in_ == general.n_features_in_ == 4


def test_refit_on_an_array_forgets_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = _data()
    model = fastreg.LogisticRegression(max_iter=20)
    model.fit(pd.DataFrame(X, columns=list("abcd")), y)
    assert list(model.feature_names_in_) == list("abcd")
    model.fit(X, y)
    assert not hasattr(model, "feature_names_in_")
    assert model.n_features_in_ == 4
