# fastreg._functions: the public compiled functions fastreg.sigmoid, fastreg.log_sum_exp
# and fastreg.softmax. Each validates its input (numeric, finite, at most 2-D for the row
# functions), keeps float32 as float32 and float64 as float64 (everything else becomes
# float64), makes a C-contiguous copy only when the input is not one already, allocates
# the output and hands both to fastreg._kernels. The input is never modified.
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fastreg import _kernels

__all__ = ["log_sum_exp", "sigmoid", "softmax"]


def _as_float_array(x: ArrayLike, name: str, max_ndim: int | None = None) -> NDArray[Any]:
    """Validate ``x`` and return it as a C-contiguous float32 or float64 ndarray.

    float32 and float64 are kept; booleans, integers and float16 become float64. The
    result shares memory with ``x`` when no conversion is needed; it is only read.
    """
    try:
        arr = np.asarray(x)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(
            f"{name} must be a rectangular array of real numbers; NumPy could not build "
            f"one from it ({exc})."
        ) from exc
    if arr.dtype.kind not in "biuf":
        kind = "complex" if arr.dtype.kind == "c" else "non-numeric"
        raise TypeError(
            f"{name} must hold real numbers; got an array of {kind} dtype {arr.dtype}."
        )
    if max_ndim is not None and arr.ndim > max_ndim:
        raise ValueError(f"{name} must be at most {max_ndim}-dimensional; got shape {arr.shape}.")
    dtype = arr.dtype if arr.dtype in (np.float32, np.float64) else np.float64
    if arr.size and not np.isfinite(arr).all():
        what = "NaN" if np.isnan(arr).any() else "infinity"
        raise ValueError(f"{name} contains {what}; every value must be finite.")
    # order="C" copies only when arr is not already C-contiguous of that dtype (and,
    # unlike np.ascontiguousarray, keeps 0-d arrays 0-d).
    with np.errstate(over="ignore"):
        arr = np.asarray(arr, dtype=dtype, order="C")
    if arr.size and not np.isfinite(arr).all():  # e.g. a long double beyond float64
        raise ValueError(
            f"{name} has values too large for {dtype.__name__}; scale them down first."
        )
    return arr


def _as_rows(Z: NDArray[Any]) -> NDArray[Any]:
    """View a validated Z as 2-D rows: a 0-d or 1-D Z is one row."""
    return Z.reshape(1, -1) if Z.ndim < 2 else Z


def sigmoid(x: ArrayLike) -> NDArray[np.floating[Any]] | np.floating[Any]:
    """Logistic sigmoid 1 / (1 + exp(-x)), elementwise, compiled and overflow-free.

    Computed as 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0 with e = exp(-|x|),
    so no intermediate overflows: sigmoid(-1000) is exactly 0 and sigmoid(1000) is 1.

    Parameters
    ----------
    x : array_like
        Finite real values, any shape and strides. float32 stays float32; other real
        dtypes are computed in float64.

    Returns
    -------
    ndarray or numpy scalar
        sigmoid(x) with x's shape (a numpy scalar for a scalar input).

    Raises
    ------
    TypeError
        If x is complex, object or string data.
    ValueError
        If x contains NaN or infinity.

    See Also
    --------
    fastreg.reference.sigmoid : The NumPy twin.

    Examples
    --------
    >>> import numpy as np
    >>> import fastreg
    >>> fastreg.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    >>> fastreg.sigmoid(np.float32(2.0)).dtype
    dtype('float32')
    """
    x = _as_float_array(x, "x")
    out = np.empty(x.shape, dtype=x.dtype)
    _kernels.sigmoid(x.reshape(-1), out.reshape(-1))
    return out[()] if out.ndim == 0 else out


def log_sum_exp(Z: ArrayLike) -> NDArray[np.floating[Any]] | np.floating[Any]:
    """Row-wise log(sum_j exp(Z[i, j])), compiled, with the max-shift trick.

    Uses log sum exp(z) = m + log sum exp(z - m) with m = max z, so every exponent is
    <= 0: no overflow, and the result is accurate for very large or very negative rows.

    Parameters
    ----------
    Z : array_like of shape (n_rows, n_cols) or (n_cols,)
        Finite real scores, any strides. A 1-D Z is treated as a single row. float32
        stays float32; other real dtypes are computed in float64.

    Returns
    -------
    ndarray of shape (n_rows,), or numpy scalar for 1-D Z
        The log-sum-exp of each row (-inf for a row with no columns).

    Raises
    ------
    TypeError
        If Z is complex, object or string data.
    ValueError
        If Z contains NaN or infinity, or has more than 2 dimensions.

    See Also
    --------
    fastreg.reference.log_sum_exp : The NumPy twin.

    Examples
    --------
    >>> import numpy as np
    >>> import fastreg
    >>> float(fastreg.log_sum_exp([1000.0, 1000.0]))  # 1000 + log 2
    1000.6931471805599
    >>> fastreg.log_sum_exp(np.zeros((2, 4)))  # log 4 per row
    array([1.38629436, 1.38629436])
    """
    Z = _as_float_array(Z, "Z", max_ndim=2)
    rows = _as_rows(Z)
    out = np.empty(rows.shape[0], dtype=Z.dtype)
    _kernels.log_sum_exp(rows, out)
    return out[0] if Z.ndim < 2 else out


def softmax(Z: ArrayLike) -> NDArray[np.floating[Any]]:
    """Row-wise softmax exp(Z[i, j]) / sum_l exp(Z[i, l]), compiled, overflow-free.

    Each row is shifted by its maximum before exponentiating, so the largest term is
    exactly 1 and no exponent overflows: softmax([1000, 0]) is exactly [1, 0].

    Parameters
    ----------
    Z : array_like of shape (n_rows, n_cols) or (n_cols,)
        Finite real scores, any strides. A 1-D Z is treated as a single row. float32
        stays float32; other real dtypes are computed in float64.

    Returns
    -------
    ndarray
        Probabilities with Z's shape; every row sums to 1.

    Raises
    ------
    TypeError
        If Z is complex, object or string data.
    ValueError
        If Z contains NaN or infinity, or has more than 2 dimensions.

    See Also
    --------
    fastreg.reference.softmax : The NumPy twin.

    Examples
    --------
    >>> import numpy as np
    >>> import fastreg
    >>> fastreg.softmax([1000.0, 0.0])
    array([1., 0.])
    >>> fastreg.softmax(np.log([[1.0, 3.0], [2.0, 2.0]]))
    array([[0.25, 0.75],
           [0.5 , 0.5 ]])
    """
    Z = _as_float_array(Z, "Z", max_ndim=2)
    out = np.empty(Z.shape, dtype=Z.dtype)
    _kernels.softmax(_as_rows(Z), _as_rows(out))
    return out
