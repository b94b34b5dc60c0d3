# Tests of the public compiled functions fastreg.sigmoid, fastreg.log_sum_exp and
# fastreg.softmax: agreement with the NumPy twin, exact values at extreme inputs, dtype
# preservation, any strides and layouts, inputs left untouched, and the errors.
import math
from decimal import Decimal, localcontext

import numpy as np
import pytest

import fastreg
from fastreg import _functions, reference

DTYPES = [np.float32, np.float64]
FUNCTIONS = {
    "sigmoid": (_functions.sigmoid, reference.sigmoid),
    "log_sum_exp": (_functions.log_sum_exp, reference.log_sum_exp),
    "softmax": (_functions.softmax, reference.softmax),
}
EXTREMES = [40.0, 800.0, 1e4, -40.0, -800.0, -1e4]


def rtol_for(dtype):
    return float(np.sqrt(np.finfo(dtype).eps))


def exact_sigmoid(z):
    with localcontext() as ctx:
        ctx.prec = 60
        return float(1 / (1 + Decimal(-z).exp()))


def exact_log_sum_exp(row):
    with localcontext() as ctx:
        ctx.prec = 60
        m = Decimal(max(row))
        return float(m + sum((Decimal(v) - m).exp() for v in row).ln())


def exact_softmax(row):
    with localcontext() as ctx:
        ctx.prec = 60
        m = Decimal(max(row))
        e = [(Decimal(v) - m).exp() for v in row]
        return [float(v / sum(e)) for v in e]


def test_public_names():
    assert fastreg.sigmoid is _functions.sigmoid
    assert fastreg.log_sum_exp is _functions.log_sum_exp
    assert fastreg.softmax is _functions.softmax
    assert fastreg.reference is reference


# ---- agreement with the twin ----------------------------------------------------------


@pytest.mark.parametrize("read_only", [False, True], ids=["writeable", "readonly"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5000, 7), (3, 1), (1, 9), (0, 4)])
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_matches_twin(rng, name, shape, dtype, read_only):
    compiled, twin = FUNCTIONS[name]
    Z = (30 * rng.standard_normal(shape)).astype(dtype)
    if read_only:
        Z.setflags(write=False)
    got, expected = compiled(Z), twin(Z)
    assert got.dtype == expected.dtype == dtype
    assert got.shape == expected.shape
    rtol = rtol_for(dtype)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * np.finfo(dtype).tiny)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_identities(rng, dtype):
    x = (20 * rng.standard_normal(1000)).astype(dtype)
    p = _functions.sigmoid(x)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p + _functions.sigmoid(-x), 1.0, rtol=0, atol=np.finfo(dtype).eps)
    assert np.all(np.diff(_functions.sigmoid(np.sort(x))) >= 0)  # monotone


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_rows_sum_to_one_and_shift_invariance(rng, dtype):
    Z = (10 * rng.standard_normal((50, 6))).astype(dtype)
    P = _functions.softmax(Z)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=4 * np.finfo(dtype).eps)
    shifted = _functions.softmax(Z + dtype(100))
    np.testing.assert_allclose(shifted, P, rtol=rtol_for(dtype), atol=1e-6)
    lse = _functions.log_sum_exp(Z)
    np.testing.assert_allclose(np.exp(Z - lse[:, None]), P, rtol=rtol_for(dtype), atol=1e-6)


# ---- extreme values -------------------------------------------------------------------


def test_exact_values():
    assert _functions.sigmoid(-1000.0) == 0.0
    assert _functions.sigmoid(np.array([-1000.0]))[0] == 0.0
    assert _functions.sigmoid(1000.0) == 1.0
    assert _functions.sigmoid(0.0) == 0.5
    assert _functions.softmax([1000.0, 0.0]).tolist() == [1.0, 0.0]
    assert _functions.softmax([[0.0, 1000.0]]).tolist() == [[0.0, 1.0]]
    assert _functions.log_sum_exp([1000.0, 1000.0]) == 1000.0 + math.log(2.0)
    assert _functions.log_sum_exp([-1000.0, -1000.0]) == -1000.0 + math.log(2.0)
    assert _functions.log_sum_exp(np.zeros((2, 4))).tolist() == [math.log(4.0)] * 2


@pytest.mark.parametrize("implementation", ["compiled", "twin"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("z", EXTREMES)
def test_sigmoid_extreme(z, dtype, implementation):
    sigmoid = _functions.sigmoid if implementation == "compiled" else reference.sigmoid
    got = sigmoid(np.array([z], dtype=dtype))
    assert got.dtype == dtype and np.isfinite(got).all()
    expected = float(dtype(exact_sigmoid(z)))  # correctly rounded, then to the dtype
    assert got[0] == pytest.approx(expected, rel=2 * float(np.finfo(dtype).eps), abs=0)


def extreme_rows(z):
    """Rows mixing +-z with ordinary values: the max-shift must keep all of them exact."""
    return [[z, 0.0], [z, z], [z, -z], [-z, -z, -z], [0.0, -z, 1.0], [z, z - 1.0, -z]]


@pytest.mark.parametrize("implementation", ["compiled", "twin"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("z", [40.0, 800.0, 1e4])
def test_log_sum_exp_and_softmax_extreme(z, dtype, implementation):
    if implementation == "compiled":
        log_sum_exp, softmax = _functions.log_sum_exp, _functions.softmax
    else:
        log_sum_exp, softmax = reference.log_sum_exp, reference.softmax
    eps = float(np.finfo(dtype).eps)
    for row in extreme_rows(z):
        values = np.array(row, dtype=dtype)
        lse = log_sum_exp(values)
        assert np.isfinite(lse) and lse.dtype == dtype
        assert float(lse) == pytest.approx(exact_log_sum_exp(row), rel=2 * eps, abs=0)
        p = softmax(values)
        assert np.isfinite(p).all() and p.dtype == dtype
        np.testing.assert_allclose(p, exact_softmax(row), rtol=4 * eps, atol=0)
        # the same row inside a 2-D batch gives the same answer
        batch = np.stack([values, values])
        assert log_sum_exp(batch).tolist() == [lse, lse]
        assert np.array_equal(softmax(batch), np.stack([p, p]))


# ---- dtypes, shapes, layouts ----------------------------------------------------------


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.float16, np.float64),
        (np.int8, np.float64),
        (np.int64, np.float64),
        (np.uint16, np.float64),
        (np.bool_, np.float64),
    ],
)
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_dtype_preserved_or_float64(name, dtype, expected):
    compiled, twin = FUNCTIONS[name]
    Z = np.array([[1, 0, 3], [2, 2, 0]], dtype=dtype)
    got = compiled(Z)
    assert got.dtype == expected
    np.testing.assert_allclose(got, twin(Z.astype(expected)), rtol=rtol_for(expected))


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_python_sequences_become_float64(name):
    compiled, twin = FUNCTIONS[name]
    got = compiled([[0.5, -1.0], [3, 4]])
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    np.testing.assert_allclose(got, twin(np.array([[0.5, -1.0], [3.0, 4.0]])), rtol=1e-15)


def layouts(rng, dtype):
    """The same kinds of data in C, Fortran, strided, reversed and transposed layouts."""
    base = (5 * rng.standard_normal((40, 18))).astype(dtype)
    return {
        "fortran": np.asfortranarray(base),
        "row-strided": base[::3],
        "col-strided": base[:, ::4],
        "reversed": base[::-1, ::-2],
        "transposed": base.T,
        "zero-stride": np.lib.stride_tricks.as_strided(base, (40, 5), (base.strides[0], 0)),
    }


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_any_strides_and_input_untouched(rng, name, dtype):
    compiled, twin = FUNCTIONS[name]
    for layout, Z in layouts(rng, dtype).items():
        before = Z.copy(order="K")
        flags = (Z.flags.c_contiguous, Z.flags.f_contiguous, Z.flags.writeable)
        got = compiled(Z)
        assert np.array_equal(Z, before), layout
        assert (Z.flags.c_contiguous, Z.flags.f_contiguous, Z.flags.writeable) == flags
        assert not np.shares_memory(got, Z), layout
        expected = compiled(np.ascontiguousarray(Z))
        assert np.array_equal(got, expected), layout
        np.testing.assert_allclose(got, twin(Z), rtol=rtol_for(dtype), err_msg=layout)


@pytest.mark.parametrize("dtype", DTYPES)
def test_contiguous_input_untouched(rng, dtype):
    Z = rng.standard_normal((30, 5)).astype(dtype)
    before = Z.copy()
    for compiled, _ in FUNCTIONS.values():
        out = compiled(Z)
        assert not np.shares_memory(out, Z)
    assert np.array_equal(Z, before)


def test_sigmoid_any_shape(rng):
    for shape in [(), (0,), (7,), (2, 3), (2, 3, 4), (1, 1, 1, 5)]:
        x = rng.standard_normal(shape)
        got = _functions.sigmoid(x)
        assert np.shape(got) == shape
        np.testing.assert_allclose(got, reference.sigmoid(x), rtol=1e-15)
    scalar = _functions.sigmoid(2.0)
    assert np.ndim(scalar) == 0 and isinstance(scalar, np.float64)
    assert isinstance(_functions.sigmoid(np.float32(2.0)), np.float32)


def test_one_dimensional_rows():
    row = [1.0, 2.0, 3.0]
    lse = _functions.log_sum_exp(row)
    assert np.ndim(lse) == 0
    assert float(lse) == pytest.approx(exact_log_sum_exp(row), rel=1e-15)
    assert _functions.log_sum_exp(np.array(row, dtype=np.float32)).dtype == np.float32
    p = _functions.softmax(row)
    assert p.shape == (3,)
    np.testing.assert_allclose(p, exact_softmax(row), rtol=1e-15)
    assert _functions.log_sum_exp([5.0]) == 5.0
    assert _functions.softmax([5.0]).tolist() == [1.0]


def test_empty_inputs():
    assert _functions.sigmoid([]).shape == (0,)
    assert _functions.sigmoid(np.empty((0, 3), dtype=np.float32)).dtype == np.float32
    assert _functions.log_sum_exp(np.empty((0, 3))).shape == (0,)
    assert _functions.softmax(np.empty((0, 3))).shape == (0, 3)
    assert _functions.log_sum_exp(np.empty((2, 0))).tolist() == [-np.inf, -np.inf]
    assert _functions.softmax(np.empty((2, 0))).shape == (2, 0)


# ---- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_non_finite_values_rejected(name):
    compiled, _ = FUNCTIONS[name]
    with pytest.raises(ValueError, match="NaN"):
        compiled([[1.0, np.nan]])
    with pytest.raises(ValueError, match="infinity"):
        compiled([[1.0, np.inf]])
    with pytest.raises(ValueError, match="infinity"):
        compiled(np.array([[-np.inf, 0.0]], dtype=np.float32))


@pytest.mark.parametrize(
    "bad",
    [
        np.array([[1 + 2j, 0j]]),
        [["a", "b"]],
        np.array([[1.0, None]], dtype=object),
        np.array([["2020-01-01"]], dtype="datetime64[D]"),
    ],
    ids=["complex", "strings", "object", "datetime"],
)
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_non_numeric_rejected(name, bad):
    compiled, _ = FUNCTIONS[name]
    with pytest.raises(TypeError, match="real numbers"):
        compiled(bad)


@pytest.mark.parametrize("name", ["log_sum_exp", "softmax"])
def test_more_than_two_dimensions_rejected(name):
    compiled, _ = FUNCTIONS[name]
    with pytest.raises(ValueError, match="at most 2-dimensional"):
        compiled(np.zeros((2, 3, 4)))
