# The classifiers on scipy.sparse X: fit and every prediction method on sparse input equal
# the fit on the dense copy (both dtypes, both index widths, every scipy format, matrices
# and arrays, awkward structures); the caller's object is never modified and a CSR input
# is never copied; malformed structures and non-finite values give clear errors before
# any C code reads them.
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sparse_data import INDEX_DTYPES, arrays_of, assert_unchanged, random_csr

from fastreg import LogisticRegression, SoftmaxRegression
from fastreg._validation import check_sparse_structure

CLASSIFIERS = [LogisticRegression, SoftmaxRegression]
FORMATS = ["csr", "csc", "coo", "bsr", "lil", "dok", "dia"]
TIGHT = {"tol": 1e-10, "max_iter": 5000}


def labelled(rng, n=400, d=30, dtype=np.float64, index_dtype=np.int32, awkward=True, k=3):
    X = random_csr(rng, n, d, 0.15, dtype, index_dtype, awkward)
    w = rng.standard_normal((k, d))
    y = np.argmax(X @ w.T + 0.5 * rng.standard_normal((n, k)), axis=1)
    return X, np.array(["a", "b", "c", "d"])[y]


def predictions(model, X):
    return {
        "predict": model.predict(X),
        "predict_proba": model.predict_proba(X),
        "predict_log_proba": model.predict_log_proba(X),
        "decision_function": model.decision_function(X),
        "score": model.score(X, model.predict(X)),
    }


def assert_same_predictions(a, b, rtol):
    for name in a:
        if name in ("predict", "score"):
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)
        else:
            assert a[name].dtype == b[name].dtype, name
            np.testing.assert_allclose(a[name], b[name], rtol=rtol, atol=rtol, err_msg=name)


@pytest.mark.parametrize("index_dtype", INDEX_DTYPES, ids=["int32", "int64"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_sparse_fit_equals_dense_fit(rng, cls, n_classes, dtype, index_dtype):
    X, y = labelled(rng, dtype=dtype, index_dtype=index_dtype, k=n_classes)
    dense = X.toarray()
    weights = rng.uniform(0.5, 2, X.shape[0])
    tol = {"tol": 1e-5, "max_iter": 5000} if dtype == np.float32 else TIGHT
    a = cls(C=0.5, **tol).fit(X, y, sample_weight=weights)
    b = cls(C=0.5, **tol).fit(dense, y, sample_weight=weights)
    assert a.coef_.dtype == dtype and a.coef_.shape == b.coef_.shape
    rtol = 1e-7 if dtype == np.float64 else 2e-3
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=rtol, atol=rtol)
    assert_same_predictions(predictions(a, X), predictions(b, dense), rtol)
    # The sparse model predicts dense data, and the dense model sparse data, alike.
    assert_same_predictions(predictions(a, dense), predictions(b, X), rtol)


@pytest.mark.filterwarnings("ignore::scipy.sparse.SparseEfficiencyWarning")  # DIA, built here
@pytest.mark.parametrize("as_array", [True, False], ids=["array", "matrix"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_fits_like_dense_and_is_left_unchanged(rng, fmt, as_array):
    X, y = labelled(rng, awkward=fmt in ("csr", "csc", "coo"))
    container = sparse.csr_array if as_array else sparse.csr_matrix
    X = container(X) if fmt == "csr" else container(X).asformat(fmt)
    if fmt in ("csr", "csc"):  # keep the awkward structure (asformat sorted nothing)
        assert not X.has_sorted_indices or fmt == "csc"
    before = arrays_of(X)
    model = LogisticRegression(**TIGHT).fit(X, y)
    reference = LogisticRegression(**TIGHT).fit(X.toarray(), y)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-7, atol=1e-8)
    assert_same_predictions(predictions(model, X), predictions(reference, X.toarray()), 1e-7)
    assert_unchanged(X, before)


def test_awkward_csr_is_read_as_given_and_left_unchanged(rng):
    X, y = labelled(rng, index_dtype=np.int64, awkward=True)
    assert not X.has_sorted_indices and not X.has_canonical_format
    before = arrays_of(X)
    model = SoftmaxRegression(**TIGHT).fit(X, y)
    canonical = X.copy()
    canonical.sum_duplicates()  # the same matrix, canonical
    expected = SoftmaxRegression(**TIGHT).fit(canonical, y)
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=1e-7, atol=1e-8)
    model.predict_proba(X)
    assert_unchanged(X, before)
    assert X.has_sorted_indices is False  # nobody sorted it in place


def test_csr_input_is_not_copied(rng):
    X, _ = labelled(rng, dtype=np.float32, index_dtype=np.int64)
    assert check_sparse_structure(X) is X
    csc = X.tocsc()
    converted = check_sparse_structure(csc)
    assert converted.format == "csr" and converted is not csc
    assert converted.indices.dtype == converted.indptr.dtype
    ints = sparse.csr_array(X.toarray().round().astype(np.int64))
    assert check_sparse_structure(ints).dtype == np.float64


def test_empty_rows_and_zero_columns(rng):
    X, y = labelled(rng, awkward=True)
    X = sparse.vstack([X, sparse.csr_array((20, X.shape[1]))], format="csr")
    y = np.r_[y, np.full(20, "a")]
    model = LogisticRegression(**TIGHT).fit(X, y)
    expected = LogisticRegression(**TIGHT).fit(X.toarray(), y)
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=1e-7, atol=1e-8)
    assert np.all(model.coef_[:, -2:] == 0.0)  # never-used columns get no weight


# ---- malformed structure: a ValueError before any C code reads it ---------------------------


def _spoiled_csr(rng, how):
    X = random_csr(rng, 60, 8, 0.3, np.float64, np.int32)
    X.indptr, X.indices, X.data = X.indptr.copy(), X.indices.copy(), X.data.copy()
    if how == "index out of range":
        X.indices[4] = 8
    elif how == "negative index":
        X.indices[0] = -3
    elif how == "decreasing indptr":
        X.indptr[10] = X.indptr[12] + 1
    elif how == "indptr[-1] != nnz":
        X.indptr[-1] -= 1
    elif how == "data and indices of different lengths":
        X.data = X.data[:-1]
    elif how == "wrong indptr length":
        X.indptr = X.indptr[:-1]
    elif how == "indptr not starting at 0":
        X.indptr[0] = 1
    return X


MALFORMED = {
    "index out of range": r"indices\[4\] = 8 is outside \[0, 8\)",
    "negative index": r"indices\[0\] = -3 is outside",
    "decreasing indptr": r"indptr decreases from indptr\[10\]",
    "indptr[-1] != nnz": r"indptr\[-1\] = \d+ but \d+ entries are stored",
    "data and indices of different lengths": "data has .* entries but indices has",
    "wrong indptr length": "indptr has 60 entries for 60 rows",
    "indptr not starting at 0": r"indptr\[0\] = 1",
}


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("how", sorted(MALFORMED))
def test_malformed_structure_is_a_value_error(rng, how, fmt):
    X = _spoiled_csr(rng, how)
    if fmt == "csc":  # the same arrays read as CSC of the transposed shape
        X = _as_csc(X)
    y = np.arange(X.shape[0]) % 2
    model = LogisticRegression()
    message = MALFORMED[how] if fmt == "csr" else MALFORMED[how].replace("rows", "columns")
    with pytest.raises(ValueError, match="malformed sparse X: " + message):
        model.fit(X, y)
    assert "coef_" not in vars(model)
    fitted = LogisticRegression().fit(
        np.ones((4, X.shape[1])) * [[0], [1], [2], [3]], [0, 1, 0, 1]
    )
    with pytest.raises(ValueError, match="malformed sparse X"):
        fitted.predict(X)


def _as_csc(X):
    """A CSC object carrying the (spoiled) CSR arrays, its columns being X's rows."""
    csc = sparse.csc_array((X.shape[1], X.shape[0]))
    csc.data, csc.indices, csc.indptr = X.data, X.indices, X.indptr
    return csc


@pytest.mark.parametrize(
    "spoil, match",
    [
        (lambda X: X.coords[1].__setitem__(0, 99), r"col\[0\] = 99 is outside \[0, 8\)"),
        (lambda X: X.coords[0].__setitem__(2, -1), r"row\[2\] = -1 is outside"),
        (lambda X: setattr(X, "data", X.data[:-1]), "row, col and data have"),
    ],
    ids=["col out of range", "negative row", "short data"],
)
def test_malformed_coo_is_a_value_error(rng, spoil, match):
    X = random_csr(rng, 60, 8, 0.3, np.float64, np.int32).tocoo()
    X.coords = tuple(c.copy() for c in X.coords)
    spoil(X)
    with pytest.raises(ValueError, match="malformed sparse X: " + match):
        SoftmaxRegression().fit(X, np.arange(60) % 3)


@pytest.mark.parametrize(
    "value, message", [(np.nan, "Input X contains NaN"), (np.inf, "Input X contains infinity")]
)
@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_non_finite_values_give_the_dense_error(rng, cls, value, message):
    X, y = labelled(rng)
    X = X.copy()
    X.data[5] = value
    with pytest.raises(ValueError, match=message):
        cls().fit(X, y)
    with pytest.raises(ValueError, match=message):
        cls().fit(X.toarray(), y)
    fitted = cls().fit(np.nan_to_num(X.toarray(), posinf=0.0), y)
    with pytest.raises(ValueError, match=message):
        fitted.predict(X)


def test_wrong_width_at_predict(rng):
    X, y = labelled(rng)
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :-1])


def test_fits_without_convergence_warning_at_defaults(rng):
    X, y = labelled(rng, n=2000, d=200)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        LogisticRegression().fit(X, y)
