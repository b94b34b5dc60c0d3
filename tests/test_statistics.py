# The compiled statistics pass (src_c/pass_stats.c through
# fastreg._statistics.sufficient_statistics) against its NumPy twin and against exact
# rational arithmetic: dtypes, weights, thread counts, large means, block and chunk
# boundaries, and the combine/subtract algebra.
from fractions import Fraction

import numpy as np
import pytest

from fastreg import _kernels, reference
from fastreg._statistics import combine, statistics, subtract, sufficient_statistics

FIELDS = ("x_mean", "y_mean", "gram", "xty", "yty")


def _assert_close(got, want, rtol, atol=0.0):
    assert got.n_samples == want.n_samples
    np.testing.assert_allclose(got.sum_weights, want.sum_weights, rtol=1e-13)
    for name in FIELDS:
        a, b = getattr(got, name), getattr(want, name)
        assert a.shape == b.shape, name
        scale = max(np.max(np.abs(b)), 1.0) if b.size else 1.0
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol * scale, err_msg=name)


def _data(n, d, T, dtype, seed=0, weighted=False):
    rng = np.random.default_rng(seed)
    X = (rng.standard_normal((n, d)) * rng.uniform(0.5, 3, d) + rng.normal(0, 5, d)).astype(dtype)
    Y = (X[:, : min(d, T)].sum(axis=1, keepdims=True) + rng.standard_normal((n, T))).astype(dtype)
    s = rng.uniform(0, 3, n).astype(dtype) if weighted else None
    return X, Y, s


@pytest.mark.parametrize("n", [1, 7, 128, 129, 5000, 70_001])
@pytest.mark.parametrize("d, T", [(1, 1), (3, 2), (17, 1), (40, 3)])
@pytest.mark.parametrize("weighted", [False, True])
def test_float64_pass_matches_the_twin(n, d, T, weighted):
    X, Y, s = _data(n, d, T, np.float64, weighted=weighted)
    _assert_close(sufficient_statistics(X, Y, s, n_threads=2), statistics(X, Y, s), 1e-10, 1e-12)


@pytest.mark.parametrize("n", [5, 1000, 70_001])
@pytest.mark.parametrize("weighted", [False, True])
def test_float32_pass_matches_the_twin_of_the_same_data(n, weighted):
    X, Y, s = _data(n, 30, 2, np.float32, weighted=weighted)
    got = sufficient_statistics(X, Y, s, n_threads=2)
    assert all(getattr(got, name).dtype == np.float64 for name in FIELDS)
    # float32 products are summed over at most 64 rows, then in float64
    _assert_close(got, statistics(X, Y, s), 1e-6, 1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weighted", [False, True])
def test_one_and_two_threads_give_the_same_bits(dtype, weighted):
    X, Y, s = _data(100_003, 21, 2, dtype, weighted=weighted)
    one = sufficient_statistics(X, Y, s, n_threads=1)
    two = sufficient_statistics(X, Y, s, n_threads=2)
    assert one.sum_weights == two.sum_weights
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))


def _exact_statistics(X, Y, s):
    """The statistics in rational arithmetic (exact for the float inputs)."""
    X = [[Fraction(float(v)) for v in row] for row in X]
    Y = [[Fraction(float(v)) for v in row] for row in Y]
    s = [Fraction(float(v)) for v in s]
    S = sum(s)
    V = [x + y for x, y in zip(X, Y, strict=True)]
    p = len(V[0])
    mean = [sum(w * v[j] for w, v in zip(s, V, strict=True)) / S for j in range(p)]
    gram = [
        [
            sum(w * (v[j] - mean[j]) * (v[k] - mean[k]) for w, v in zip(s, V, strict=True))
            for k in range(p)
        ]
        for j in range(p)
    ]
    return float(S), np.array([float(m) for m in mean]), np.array(gram, dtype=float)


def test_large_means_keep_their_digits_against_exact_arithmetic():
    # mean 1e6, spread 1: raw sums of squares (1e12 per row) would leave ~4 digits of the
    # centred Gram; block centring and the pairwise merge keep ~all of them. 2600 rows
    # make two chunks of 10+ blocks each.
    rng = np.random.default_rng(3)
    n = 2600
    X = 1e6 + rng.standard_normal((n, 3))
    X[:, 2] = X[:, 0] + 1e-3 * rng.standard_normal(n)  # nearly collinear too
    Y = (X[:, :1] - 1e6) * 2.0 + 5e5
    s = rng.uniform(0.5, 2.0, n)
    S, mean, gram = _exact_statistics(X, Y, s)
    got = sufficient_statistics(X, Y, s, n_threads=2)
    assert got.sum_weights == pytest.approx(S, rel=1e-15)
    full_mean = np.concatenate([got.x_mean, got.y_mean])
    np.testing.assert_allclose(full_mean, mean, rtol=1e-15)
    full_gram = np.block([[got.gram, got.xty], [got.xty.T, got.yty]])
    np.testing.assert_allclose(full_gram, gram, rtol=1e-13)


def test_weights_equal_repetition():
    X, Y, _ = _data(3000, 6, 2, np.float64)
    counts = np.random.default_rng(1).integers(0, 4, X.shape[0])
    weighted = sufficient_statistics(X, Y, counts.astype(float), n_threads=2)
    repeated = sufficient_statistics(np.repeat(X, counts, 0), np.repeat(Y, counts, 0))
    assert weighted.sum_weights == repeated.sum_weights
    for name in FIELDS:
        np.testing.assert_allclose(
            getattr(weighted, name), getattr(repeated, name), rtol=1e-11, atol=1e-9
        )


def test_zero_weight_blocks_and_chunks_add_nothing():
    X, Y, _ = _data(10_000, 5, 1, np.float64)
    s = np.ones(X.shape[0])
    s[:4100] = 0.0  # whole blocks and whole chunks without weight
    s[7000:7005] = 0.0
    keep = s > 0
    got = sufficient_statistics(X, Y, s, n_threads=2)
    want = sufficient_statistics(X[keep], Y[keep], None)
    assert got.sum_weights == want.sum_weights
    for name in FIELDS:
        np.testing.assert_allclose(getattr(got, name), getattr(want, name), rtol=1e-12)


def test_combine_and_subtract_agree_with_the_pass():
    X, Y, s = _data(9000, 8, 2, np.float64, weighted=True)
    whole = sufficient_statistics(X, Y, s, n_threads=2)
    head = sufficient_statistics(X[:3000], Y[:3000], s[:3000])
    tail = sufficient_statistics(X[3000:], Y[3000:], s[3000:])
    _assert_close(combine(head, tail), whole, 1e-11, 1e-13)
    _assert_close(subtract(whole, head), tail, 1e-10, 1e-12)


def test_x_only_and_empty_inputs():
    X, _, _ = _data(500, 4, 1, np.float64)
    total, mean, gram = _kernels.statistics(X, np.empty((500, 0)), None, 2)
    Xc = X - X.mean(axis=0)
    np.testing.assert_allclose(gram, Xc.T @ Xc, rtol=1e-12)
    np.testing.assert_allclose(mean, X.mean(axis=0), rtol=1e-14)
    total, mean, gram = _kernels.statistics(np.empty((0, 3)), np.empty((0, 1)), None, 1)
    assert total == 0.0 and not np.any(mean) and not np.any(gram)


def test_bridge_rejects_mismatched_inputs():
    X = np.ones((10, 2))
    with pytest.raises(ValueError, match="Y must be"):
        _kernels.statistics(X, np.ones((10, 1), dtype=np.float32), None, 1)
    with pytest.raises(ValueError, match="rows"):
        _kernels.statistics(X, np.ones((9, 1)), None, 1)
    with pytest.raises(ValueError, match="sample_weight"):
        _kernels.statistics(X, np.ones((10, 1)), np.ones(9), 1)


def test_the_twin_is_exported_from_reference():
    assert reference.statistics is statistics
