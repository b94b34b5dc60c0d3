# Tests of the CSR data kind of the kernel layer: the fused pass, the column means, the
# scores and the solvers on scipy.sparse CSR X against the same kernels on the dense copy
# of X (tight tolerances), against the entry-by-entry twin (reference.csr_loss_gradient),
# bitwise determinism across thread counts, the chunking rule, the structure checks of
# the bridge and of C, and hypothesis over random (also awkward) sparse structures.
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from sparse_data import INDEX_DTYPES, csr_from_entries, random_csr

from fastreg import _kernels, reference
from fastreg._problem import Penalty, Problem, SolverOptions

DTYPES = [np.float32, np.float64]
LOSSES = [reference.LOSS_SQUARED, reference.LOSS_LOGISTIC, reference.LOSS_MULTINOMIAL]
LOSS_IDS = ["squared", "logistic", "multinomial"]
N_CLASSES = 4


def rtol_for(dtype):
    """CSR rows are summed in double and dense rows in the data dtype: float32 results
    agree to a few float32 ulps of the terms; float64 to a few double ulps."""
    return 2e-5 if dtype == np.float32 else 1e-11


def assert_close(actual, expected, rtol):
    expected = np.asarray(expected, dtype=np.float64)
    scale = max(float(np.max(np.abs(expected), initial=0.0)), 1e-300)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


def targets_and_point(rng, loss, n, d, dtype, weighted):
    K = N_CLASSES if loss == reference.LOSS_MULTINOMIAL else 1
    if loss == reference.LOSS_SQUARED:
        y = rng.standard_normal(n)
    elif loss == reference.LOSS_LOGISTIC:
        y = (rng.random(n) < 0.4).astype(np.float64)
    else:
        y = rng.integers(0, K, n).astype(np.float64)
    sw = rng.uniform(0.2, 3.0, n).astype(dtype) if weighted else None
    coef = (rng.standard_normal((K, d)) / math.sqrt(d)).astype(dtype)
    intercept = rng.standard_normal(K).astype(dtype)
    return y.astype(dtype), sw, coef, intercept


def with_index_dtype(X, index_dtype):
    X = X.copy()
    X.indices = X.indices.astype(index_dtype)
    X.indptr = X.indptr.astype(index_dtype)
    return X


# ---- the fused pass ------------------------------------------------------------------------


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("index_dtype", INDEX_DTYPES, ids=["int32", "int64"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("awkward", [False, True], ids=["canonical", "awkward"])
@pytest.mark.parametrize("n", [37, 6000])
@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_csr_pass_equals_dense_pass(
    rng, loss, n, awkward, weighted, dtype, index_dtype, n_threads
):
    X = random_csr(rng, n, 60, 0.1, dtype, index_dtype, awkward)
    y, sw, coef, intercept = targets_and_point(rng, loss, n, 60, dtype, weighted)
    value, grad, grad_b = _kernels.loss_gradient(loss, X, y, sw, coef, intercept, n_threads)
    dense = _kernels.loss_gradient(loss, X.toarray(), y, sw, coef, intercept, n_threads)
    twin = reference.csr_loss_gradient(loss, X, y, sw, coef, intercept)
    rtol = rtol_for(dtype)
    for got, want in zip((value, grad, grad_b), dense, strict=True):
        assert_close(got, want, rtol)
    for got, want in zip((value, grad, grad_b), twin, strict=True):  # the twin sums in double too
        assert_close(got, want, 1e-11)
    assert grad.shape == coef.shape and grad.dtype == np.float64


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_twin_equals_dense_twin(rng, loss):
    X = random_csr(rng, 200, 30, 0.2, np.float64, np.int64, awkward=True)
    y, sw, coef, intercept = targets_and_point(rng, loss, 200, 30, np.float64, True)
    sparse_twin = reference.loss_gradient(loss, X, y, sw, coef, intercept)
    dense_twin = reference.loss_gradient(loss, X.toarray(), y, sw, coef, intercept)
    for got, want in zip(sparse_twin, dense_twin, strict=True):
        assert_close(got, want, 1e-12)


@pytest.mark.parametrize("index_dtype", INDEX_DTYPES, ids=["int32", "int64"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_csr_pass_bitwise_identical_across_threads(rng, loss, dtype, index_dtype):
    X = random_csr(rng, 30_000, 40, 0.25, dtype, index_dtype, awkward=True)
    assert _kernels.chunk_bounds(X).shape[0] - 1 >= 8  # several chunks for two threads
    y, sw, coef, intercept = targets_and_point(rng, loss, 30_000, 40, dtype, True)
    one = _kernels.loss_gradient(loss, X, y, sw, coef, intercept, 1)
    two = _kernels.loss_gradient(loss, X, y, sw, coef, intercept, 2)
    assert one[0] == two[0]
    assert np.array_equal(one[1], two[1]) and np.array_equal(one[2], two[2])
    mu1, _ = _kernels.column_means(loss, X, y, sw, 1)
    mu2, _ = _kernels.column_means(loss, X, y, sw, 2)
    assert np.array_equal(mu1, mu2)


def test_wide_gradient_reduction_is_bitwise_identical_across_threads(rng):
    # n_cols large enough that the chunk slots are added up by both threads.
    X = random_csr(rng, 40_000, 20_000, 0.0025, np.float64, np.int32)
    assert _kernels.chunk_bounds(X).shape[0] - 1 >= 4
    y, sw, coef, intercept = targets_and_point(
        rng, reference.LOSS_LOGISTIC, 40_000, 20_000, np.float64, False
    )
    one = _kernels.loss_gradient(reference.LOSS_LOGISTIC, X, y, sw, coef, intercept, 1)
    two = _kernels.loss_gradient(reference.LOSS_LOGISTIC, X, y, sw, coef, intercept, 2)
    assert one[0] == two[0] and np.array_equal(one[1], two[1])
    # The entry-by-entry twin: a dense copy of X would take 6.4 GB.
    twin = reference.csr_loss_gradient(reference.LOSS_LOGISTIC, X, y, sw, coef, intercept)
    assert_close(two[1], twin[1], 1e-11)


# ---- chunks ----------------------------------------------------------------------------------


def test_chunks_follow_the_data_shape_and_bound_the_scratch(rng):
    # Few entries per column: one chunk (the per-chunk gradient would outweigh the work).
    wide = random_csr(rng, 50_000, 2_000_000, 1e-5, np.float64, np.int32)
    assert _kernels.chunk_bounds(wide).tolist() == [0, 50_000]
    # Many entries per column: chunks of roughly equal entries + rows, a multiple of 4.
    X = random_csr(rng, 60_000, 100, 0.05, np.float64, np.int64)
    bounds = _kernels.chunk_bounds(X)
    chunks = bounds.shape[0] - 1
    assert bounds[0] == 0 and bounds[-1] == 60_000 and np.all(np.diff(bounds) >= 0)
    assert chunks % 4 == 0 and 8 <= chunks <= 64
    cost = X.indptr[bounds[1:]] - X.indptr[bounds[:-1]] + np.diff(bounds)
    assert cost.max() - cost.min() <= 2 * np.diff(X.indptr).max() + 2
    assert X.nnz >= 8 * X.shape[1] * chunks  # >= 8 entries per slot coefficient


def test_chunks_balance_skewed_rows(rng):
    # The first rows hold most entries: equal row counts would give one chunk most work.
    lengths = np.r_[np.full(2000, 200), np.full(38_000, 2)]
    rows = np.repeat(np.arange(lengths.size), lengths)
    columns = rng.integers(0, 50, rows.size)
    X = csr_from_entries(rows, columns, np.ones(rows.size), (lengths.size, 50))
    bounds = _kernels.chunk_bounds(X)
    work = X.indptr[bounds[1:]] - X.indptr[bounds[:-1]] + np.diff(bounds)
    assert work.max() <= 1.1 * work.mean()


# ---- column means, scores ---------------------------------------------------------------------


@pytest.mark.parametrize("index_dtype", INDEX_DTYPES, ids=["int32", "int64"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_column_means_and_scores_equal_dense(rng, dtype, index_dtype):
    X = random_csr(rng, 7000, 45, 0.1, dtype, index_dtype, awkward=True)
    sw = rng.uniform(0.5, 2.0, 7000).astype(dtype)
    y = np.zeros(7000, dtype=dtype)
    mu, total = _kernels.column_means(0, X, y, sw, 2)
    mu_dense, total_dense = _kernels.column_means(0, X.toarray(), y, sw, 2)
    # float32: the dense copy adds repeated entries in float32, the CSR pass in double
    assert_close(mu, mu_dense, 1e-12 if dtype == np.float64 else 1e-6)
    assert_close(total, total_dense, 1e-12)
    assert_close(mu, reference.column_means(0, X, y, sw)[0], 1e-12)
    assert np.all(mu[-2:] == 0.0)  # all-zero columns
    coef = rng.standard_normal((3, 45))
    intercept = rng.standard_normal(3)
    Z = _kernels.scores(X, coef, intercept, 2)
    assert_close(Z, _kernels.scores(X.toarray(), coef, intercept, 2), rtol_for(dtype))
    assert_close(Z, reference.scores(X, coef, intercept), 1e-12)


# ---- solvers on CSR X ---------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["lbfgs", "fista", "gd"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_solve_on_csr_equals_solve_on_dense(rng, loss, dtype, solver):
    n, d = 3000, 25
    X = random_csr(rng, n, d, 0.2, dtype, np.int32, awkward=True)
    X.data += np.asarray(2.0, dtype=dtype)  # uncentred columns: the centring matters
    y, sw, _, _ = targets_and_point(rng, loss, n, d, dtype, True)
    K = N_CLASSES if loss == reference.LOSS_MULTINOMIAL else 1
    l1 = 1e-3 if solver != "lbfgs" else 0.0
    options = SolverOptions(
        solver,
        Penalty(l2=1e-2, l1=l1),
        max_iter=3000,
        tol=1e-9 if dtype == np.float64 else 1e-5,
        n_threads=2,
        learning_rate=0.0,
    )
    results = []
    for data in (X, X.toarray()):
        coef, intercept = np.zeros((K, d)), np.zeros(K)
        out = _kernels.solve(Problem(loss, data, y, sw, K), options, coef, intercept)
        results.append(out)
    (c1, b1, curve1, it1, _), (c2, b2, curve2, it2, _) = results
    tol = 1e-6 if dtype == np.float64 else 1e-3
    np.testing.assert_allclose(c1, c2, rtol=tol, atol=tol)
    np.testing.assert_allclose(b1, b2, rtol=tol, atol=tol)
    if solver == "gd" and dtype == np.float64:  # the same iteration: the same curve
        assert it1 == it2
        np.testing.assert_allclose(curve1, curve2, rtol=1e-10)


def test_solve_on_csr_equals_the_twin(rng):
    X = random_csr(rng, 500, 12, 0.3, np.float64, np.int64, awkward=True)
    y, sw, _, _ = targets_and_point(rng, reference.LOSS_LOGISTIC, 500, 12, np.float64, True)
    options = SolverOptions("gd", Penalty(l2=1e-2), learning_rate=0.5, max_iter=50, tol=0.0)
    problem = Problem(reference.LOSS_LOGISTIC, X, y, sw)
    compiled = _kernels.solve(problem, options, np.zeros((1, 12)), np.zeros(1))
    twin = reference.solve(problem, options, np.zeros((1, 12)), np.zeros(1))
    np.testing.assert_allclose(compiled[0], twin[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(compiled[2], twin[2], rtol=1e-10)


# ---- the bridge's and C's structure checks ----------------------------------------------------


def _valid(rng, index_dtype=np.int32):
    return random_csr(rng, 40, 10, 0.3, np.float64, index_dtype)


MALFORMED = {
    "index above the range": (lambda X: X.indices.__setitem__(3, 10), "outside \\[0, n_features"),
    "negative index": (lambda X: X.indices.__setitem__(0, -1), "outside \\[0, n_features"),
    "indptr not starting at 0": (lambda X: X.indptr.__setitem__(0, 1), "indptr\\[0\\] is not 0"),
    "decreasing indptr": (
        lambda X: X.indptr.__setitem__(5, X.indptr[7] + 1),
        "indptr decreases",
    ),
    "indptr[-1] != nnz": (
        lambda X: X.indptr.__setitem__(-1, X.indptr[-1] - 1),
        "indptr\\[-1\\] is not the number",
    ),
}


@pytest.mark.parametrize("index_dtype", INDEX_DTYPES, ids=["int32", "int64"])
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_bridge_rejects_malformed_structure(rng, case, index_dtype):
    spoil, match = MALFORMED[case]
    X = _valid(rng, index_dtype)
    X.indptr = X.indptr.copy()
    X.indices = X.indices.copy()
    spoil(X)
    y = np.zeros(40)
    coef, intercept = np.zeros((1, 10)), np.zeros(1)
    with pytest.raises(ValueError, match=match):
        _kernels.loss_gradient(0, X, y, None, coef, intercept, 1)
    with pytest.raises(ValueError, match=match):
        _kernels.scores(X, coef, intercept, 1)
    with pytest.raises(ValueError, match=match):
        _kernels.column_means(0, X, y, None, 1)
    with pytest.raises(ValueError, match=match):
        _kernels.solve(Problem(0, X, y), SolverOptions("lbfgs"), coef, intercept)


@pytest.mark.parametrize(
    "spoil, match",
    [
        (lambda X: setattr(X, "indptr", X.indptr[:-1]), "needs n_rows \\+ 1"),
        (lambda X: setattr(X, "data", X.data[:-1]), "same length"),
        (
            lambda X: setattr(X, "indices", X.indices.astype(np.int16)),
            "both be int32 or both int64",
        ),
        (lambda X: setattr(X, "indptr", X.indptr.astype(np.int64)), "both be int32 or both int64"),
        (lambda X: setattr(X, "data", X.data.astype(np.int64)), "float32 or float64"),
    ],
    ids=["short indptr", "short data", "int16 indices", "mixed index dtypes", "int data"],
)
def test_bridge_rejects_inconsistent_arrays(rng, spoil, match):
    X = _valid(rng)
    spoil(X)
    with pytest.raises(ValueError, match=match):
        _kernels.scores(X, np.zeros((1, 10)), np.zeros(1), 1)


def test_bridge_takes_empty_and_entry_free_csr(rng):
    X = sparse.csr_array((50, 7), dtype=np.float64)  # no stored entry at all
    y = (np.arange(50) % 2).astype(np.float64)
    value, grad, grad_b = _kernels.loss_gradient(1, X, y, None, np.ones((1, 7)), np.zeros(1), 2)
    assert value == pytest.approx(50 * math.log(2.0)) and not np.any(grad)
    assert grad_b[0] == pytest.approx(-0.0)
    Z = _kernels.scores(sparse.csr_array((0, 7)), np.ones((1, 7)), np.ones(1), 1)
    assert Z.shape == (0, 1)


# ---- hypothesis: random structures ------------------------------------------------------


@st.composite
def csr_problems(draw):
    n = draw(st.integers(1, 40))
    d = draw(st.integers(1, 12))
    nnz = draw(st.integers(0, 3 * n))
    entries = st.tuples(
        st.integers(0, n - 1),
        st.integers(0, d - 1),
        st.sampled_from([0.0, 1.0, -2.5]) | st.floats(-10, 10),
    )
    triples = draw(st.lists(entries, min_size=nnz, max_size=nnz))  # repeats, any order
    dtype = draw(st.sampled_from(DTYPES))
    index_dtype = draw(st.sampled_from(INDEX_DTYPES))
    rows, columns, values = (
        (np.array(c) for c in zip(*triples, strict=True)) if triples else ([], [], [])
    )
    X = csr_from_entries(
        np.asarray(rows, dtype=np.int64),
        np.asarray(columns, dtype=np.int64),
        np.asarray(values, dtype=dtype),
        (n, d),
        index_dtype,
    )
    loss = draw(st.sampled_from(LOSSES))
    seed = draw(st.integers(0, 2**32 - 1))
    return X, loss, seed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csr_problems())
def test_random_structures_equal_dense(problem):
    X, loss, seed = problem
    rng = np.random.default_rng(seed)
    n, d = X.shape
    y, sw, coef, intercept = targets_and_point(rng, loss, n, d, X.dtype.type, True)
    got = _kernels.loss_gradient(loss, X, y, sw, coef, intercept, 2)
    dense = X.toarray()  # scipy adds repeated entries up
    want = reference.loss_gradient(loss, dense.astype(np.float64), y, sw, coef, intercept)
    rtol = rtol_for(X.dtype.type) * 10
    for a, b in zip(got, want, strict=True):
        assert_close(a, b, rtol)
    assert_close(
        _kernels.scores(X, coef, intercept, 1),
        reference.scores(dense.astype(np.float64), coef, intercept),
        rtol,
    )
