# Property-based tests (hypothesis) of the compiled kernels against their NumPy twin
# (fastreg.reference): the public functions fastreg.sigmoid, fastreg.log_sum_exp and
# fastreg.softmax on random shapes (0 and 1 rows or columns included), non-contiguous
# and reversed views, float32/float64 and magnitudes up to 1e4; and the fused pass
# fastreg._kernels.loss_gradient for every loss, with and without sample weights, on
# random shapes (0 and 1 rows or features, a row count that spans several chunks) and
# score magnitudes up to 1e4, with 1 and 2 threads.
#
# Tolerances are sqrt(eps) of the data dtype, relative to the magnitude of the terms that
# were summed: a float32 dot product of terms of size T is only known to ~eps * T, however
# small the result. scripts/sanitize.sh runs this file under ASan and UBSan, where the
# random shapes double as a memory-safety probe of the C loops' edges.
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastreg
from fastreg import _kernels, reference

DTYPES = [np.float32, np.float64]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAX_SCORE = 1e4


def rtol_for(dtype):
    """sqrt(eps) of the data dtype: the agreement promised between kernel and twin."""
    return float(np.sqrt(np.finfo(dtype).eps))


def assert_within(actual, expected, rtol, scale, what):
    """|actual - expected| <= rtol (|expected| + scale), elementwise; inf must match exactly.

    ``scale`` (broadcast against expected) is the magnitude of the terms behind each
    value, so a result that cancels to near zero is judged by the size of what was summed.
    """
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    assert np.all(np.isfinite(actual) == np.isfinite(expected)), f"{what}: finiteness differs"
    infinite = ~np.isfinite(expected)
    assert np.array_equal(actual[infinite], expected[infinite]), f"{what}: infinities differ"
    finite = ~infinite
    bound = rtol * (np.abs(expected) + np.broadcast_to(scale, expected.shape))
    error = np.abs(actual - expected)
    bad = finite & ~(error <= bound)
    assert not bad.any(), (
        f"{what}: {int(bad.sum())} value(s) off; worst error {error[bad].max():.3g} against a "
        f"bound of {bound[bad][np.argmax(error[bad])]:.3g}\nactual={actual[bad][:5]}\n"
        f"expected={expected[bad][:5]}"
    )


# ---- strategies -------------------------------------------------------------------------


@st.composite
def strided_views(draw, max_dims, min_dims=0, max_side=6):
    """A float32 or float64 array that is often a non-contiguous view.

    Values are finite, up to MAX_SCORE in magnitude; the view is taken with steps of 1 to
    3 (sometimes negative) along each axis of a larger base array, and 2-D views are
    sometimes transposed (Fortran order). Sides of 0 and 1 are frequent.
    """
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(
        hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=max_side)
    )
    steps = tuple(draw(st.sampled_from([1, 2, 3, -1, -2])) for _ in shape)
    base_shape = tuple(max(side * abs(step), 1) for side, step in zip(shape, steps, strict=True))
    width = 32 if dtype == np.float32 else 64
    elements = st.floats(-MAX_SCORE, MAX_SCORE, allow_nan=False, allow_infinity=False, width=width)
    base = draw(hnp.arrays(dtype, base_shape, elements=elements))
    view = base[tuple(slice(None, None, step) for step in steps)]
    view = view[tuple(slice(0, side) for side in shape)]
    if view.ndim == 2 and draw(st.booleans()):
        view = view.T
    assert view.shape in (shape, shape[::-1])
    return view


def floor_for(dtype):
    """Absolute floor for quantities of order 1 near the bottom of the dtype's range:
    rtol relative to the smallest normal number (below it the twin loses digits to
    subnormal rounding while the kernel, computing in double, does not)."""
    return float(np.finfo(dtype).smallest_normal)


def check_untouched(view, original):
    assert np.array_equal(view, original), "the input array was modified"


# ---- the public functions --------------------------------------------------------------


@SETTINGS
@given(x=strided_views(max_dims=3))
def test_sigmoid_matches_twin_on_any_view(x):
    original = x.copy()
    got = fastreg.sigmoid(x)
    expected = reference.sigmoid(x)
    check_untouched(x, original)
    assert np.asarray(got).dtype == x.dtype
    assert np.shape(got) == x.shape
    assert np.all((got >= 0) & (got <= 1))
    # sigmoid <= 1: errors are measured against 1 and against the value itself.
    assert_within(got, expected, rtol_for(x.dtype), floor_for(x.dtype), "sigmoid")


@SETTINGS
@given(Z=strided_views(max_dims=2, min_dims=1))
def test_log_sum_exp_matches_twin_on_any_view(Z):
    original = Z.copy()
    got = fastreg.log_sum_exp(Z)
    expected = reference.log_sum_exp(Z)
    check_untouched(Z, original)
    assert np.asarray(got).dtype == Z.dtype
    assert np.shape(got) == Z.shape[:-1]
    if Z.shape[-1] == 0:  # an empty row: log(0)
        assert np.all(np.asarray(got) == -np.inf)
        return
    # max z <= lse <= max z + log(n_cols), up to rounding of the result
    top = np.max(Z, axis=-1).astype(np.float64)
    slack = 4 * np.finfo(Z.dtype).eps * (np.abs(top) + 1)
    assert np.all(got >= top - slack)
    assert np.all(got <= top + np.log(Z.shape[-1]) + slack)
    # Z - max Z is rounded in the twin's dtype: an error of eps |Z| at worst.
    scale = 1.0 + np.max(np.abs(Z), axis=-1).astype(np.float64)
    assert_within(got, expected, rtol_for(Z.dtype), scale, "log_sum_exp")


@SETTINGS
@given(Z=strided_views(max_dims=2, min_dims=1))
def test_softmax_matches_twin_on_any_view(Z):
    original = Z.copy()
    got = fastreg.softmax(Z)
    expected = reference.softmax(Z)
    check_untouched(Z, original)
    assert got.dtype == Z.dtype
    assert got.shape == Z.shape
    assert np.all((got >= 0) & (got <= 1))
    if Z.shape[-1]:
        sums = np.sum(got.astype(np.float64), axis=-1)
        np.testing.assert_allclose(sums, 1.0, rtol=0, atol=4 * Z.shape[-1] * np.finfo(Z.dtype).eps)
    # probabilities are at most 1: atol sqrt(eps), plus relative agreement above the floor
    assert_within(got, expected, rtol_for(Z.dtype), 1.0, "softmax")
    assert_within(got, expected, rtol_for(Z.dtype), floor_for(Z.dtype) * 1e8, "softmax (relative)")


# ---- the fused pass --------------------------------------------------------------------

LOSSES = [reference.LOSS_SQUARED, reference.LOSS_LOGISTIC, reference.LOSS_MULTINOMIAL]


@st.composite
def fused_problems(draw):
    """(loss, X, y, sample_weight, coef, intercept, score_scale) for the fused pass.

    Row counts: 0, 1, a few blocks of 8 with a remainder, or past 2 x 2048 so that the
    pass is split into chunks that two threads share. Feature counts straddle the
    short-row cut-off (16) and include 0 and 1. Scores reach up to 1e4 in magnitude.
    The values come from a NumPy generator seeded by hypothesis (drawing thousands of
    elements one by one would dominate the run time); hypothesis chooses the shape, the
    seed, the magnitudes and the special cases.
    """
    loss = draw(st.sampled_from(LOSSES))
    dtype = draw(st.sampled_from(DTYPES))
    n = draw(
        st.one_of(st.sampled_from([0, 1, 2, 7, 8, 9]), st.integers(0, 40), st.integers(2040, 4200))
    )
    d = draw(st.one_of(st.sampled_from([0, 1, 15, 16, 17]), st.integers(0, 24)))
    if n > 1000:
        d = min(d, 6)
    K = draw(st.integers(1, 5)) if loss == reference.LOSS_MULTINOMIAL else 1
    score_scale = draw(st.sampled_from([1e-3, 1.0, 30.0, 800.0, MAX_SCORE]))
    weights = draw(st.sampled_from(["none", "positive", "with_zeros"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    X = rng.standard_normal((n, d))
    if n and d and draw(st.booleans()):
        X[rng.random((n, d)) < 0.3] = 0.0  # exact zeros: sparse-looking rows
    # coef scaled so that the scores x.w + b are of order score_scale
    coef = rng.standard_normal((K, d)) * (score_scale / np.sqrt(max(d, 1)))
    intercept = rng.standard_normal(K) * score_scale
    if loss == reference.LOSS_SQUARED:
        y = (X @ coef.T)[:, 0] + intercept[0] + score_scale * rng.standard_normal(n)
    elif loss == reference.LOSS_LOGISTIC:
        y = (rng.random(n) < 0.5).astype(np.float64)
    else:
        y = rng.integers(0, K, n).astype(np.float64)
    if weights == "none":
        sample_weight = None
    else:
        sample_weight = rng.uniform(0.2, 3.0, n)
        if weights == "with_zeros":
            sample_weight[rng.random(n) < 0.3] = 0.0
        sample_weight = sample_weight.astype(dtype)
    return (
        loss,
        X.astype(dtype),
        y.astype(dtype),
        sample_weight,
        coef.astype(dtype),
        intercept.astype(dtype),
    )


def fused_scales(loss, X, y, sample_weight, coef, intercept):
    """Magnitudes of the terms behind the loss sum and each gradient entry, in float64.

    A score z = x.w + b is rounded to ~eps T with T = sum_j |x_j w_j| + |b|; the
    loss moves by |l'| eps T and each derivative by at most eps T (l'' <= 1 for all three
    losses). So loss_sum is judged against sum_i s_i (l_i + |l'_i| T_i), grad_coef[k, j]
    against sum_i s_i (|l'_ik| + T_i) |x_ij|, grad_intercept[k] against
    sum_i s_i (|l'_ik| + T_i).
    """
    X64 = X.astype(np.float64)
    W = coef.astype(np.float64)
    b = intercept.astype(np.float64)
    T = np.abs(X64) @ np.abs(W).T + np.abs(b)  # (n, K)
    Z = X64 @ W.T + b
    values, derivatives = reference._row_losses(loss, Z, y.astype(np.float64))
    s = np.ones(X.shape[0]) if sample_weight is None else sample_weight.astype(np.float64)
    A = np.abs(derivatives)
    loss_scale = float(np.sum(s * (values + np.sum(A * T, axis=1))))
    per_row = s[:, None] * (A + T)  # (n, K)
    return loss_scale, per_row.T @ np.abs(X64), np.sum(per_row, axis=0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=fused_problems())
def test_loss_gradient_matches_twin(problem):
    loss, X, y, sample_weight, coef, intercept = problem
    arrays = [a for a in (X, y, sample_weight, coef, intercept) if a is not None]
    originals = [a.copy() for a in arrays]
    K, d = coef.shape

    one = _kernels.loss_gradient(loss, X, y, sample_weight, coef, intercept, 1)
    two = _kernels.loss_gradient(loss, X, y, sample_weight, coef, intercept, 2)
    for a, original in zip(arrays, originals, strict=True):
        check_untouched(a, original)

    # Design decision d of fastreg.h: the result does not depend on the thread count.
    assert one[0] == two[0] or (np.isnan(one[0]) and np.isnan(two[0]))
    assert np.array_equal(one[1], two[1]) and np.array_equal(one[2], two[2])

    value, grad_coef, grad_intercept = one
    assert isinstance(value, float)
    assert grad_coef.dtype == np.float64 and grad_coef.shape == (K, d)
    assert grad_intercept.dtype == np.float64 and grad_intercept.shape == (K,)
    assert np.isfinite(value) and np.all(np.isfinite(grad_coef))
    assert np.all(np.isfinite(grad_intercept))
    if loss != reference.LOSS_SQUARED or X.shape[0] == 0:
        assert value >= 0.0  # logistic and multinomial losses are non-negative
    if X.shape[0] == 0:  # no rows: nothing to sum, and nothing read
        assert value == 0.0
        assert not grad_coef.any() and not grad_intercept.any()

    expected = reference.loss_gradient(loss, X, y, sample_weight, coef, intercept)
    loss_scale, coef_scale, intercept_scale = fused_scales(
        loss, X, y, sample_weight, coef, intercept
    )
    rtol = rtol_for(X.dtype)
    assert_within(value, expected[0], rtol, loss_scale, "loss_sum")
    assert_within(grad_coef, expected[1], rtol, coef_scale, "grad_coef")
    assert_within(grad_intercept, expected[2], rtol, intercept_scale, "grad_intercept")


@SETTINGS
@given(problem=fused_problems())
def test_loss_gradient_is_linear_in_the_weights(problem):
    # Doubling every weight doubles every term, so the loss and the gradients double
    # (exactly, up to subnormal rounding), on any shape and with either thread count.
    loss, X, y, sample_weight, coef, intercept = problem
    weights = np.ones(X.shape[0], dtype=X.dtype) if sample_weight is None else sample_weight
    single = _kernels.loss_gradient(loss, X, y, sample_weight, coef, intercept, 1)
    doubled = _kernels.loss_gradient(loss, X, y, 2 * weights, coef, intercept, 2)
    for got, base in zip(doubled, single, strict=True):
        np.testing.assert_allclose(got, 2 * np.asarray(base), rtol=1e-15, atol=1e-300)


def test_fused_pass_with_no_rows_is_zero_for_every_dtype_and_loss():
    # The solvers require n_samples >= 1, but the bridge accepts an empty X: the pass
    # must read nothing (X and y arrive as NULL) and return zeros, not crash.
    for dtype in DTYPES:
        for loss in LOSSES:
            K = 3 if loss == reference.LOSS_MULTINOMIAL else 1
            for d in (0, 1, 17):
                X = np.empty((0, d), dtype=dtype)
                empty = np.empty(0, dtype=dtype)
                coef = np.ones((K, d), dtype=dtype)
                intercept = np.ones(K, dtype=dtype)
                for sw in (None, empty):
                    value, g, gb = _kernels.loss_gradient(loss, X, empty, sw, coef, intercept, 2)
                    assert value == 0.0
                    assert g.shape == (K, d) and not g.any()
                    assert gb.shape == (K,) and not gb.any()


@pytest.mark.parametrize("dtype", DTYPES)
def test_fused_pass_with_no_features_depends_on_intercept_only(dtype):
    # d == 0: X and coef arrive as NULL; every score is the intercept.
    X = np.empty((11, 0), dtype=dtype)
    y = np.arange(11, dtype=dtype)
    value, g, gb = _kernels.loss_gradient(
        reference.LOSS_SQUARED,
        X,
        y,
        None,
        np.empty((1, 0), dtype=dtype),
        np.array([2.0], dtype=dtype),
        1,
    )
    residual = 2.0 - np.arange(11.0)
    assert value == pytest.approx(0.5 * np.sum(residual**2))
    assert g.shape == (1, 0)
    assert gb[0] == pytest.approx(np.sum(residual))
