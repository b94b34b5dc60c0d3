# fastreg._validation_sparse: the checks of scipy.sparse input, the sparse part of
# fastreg._validation (which re-exports `check_sparse_structure`). A sparse X of any
# format is checked for a well-formed structure before anything reads its entries
# (scipy's own conversions and fastreg's kernels trust the structure they are given), then
# converted once to CSR with float32/float64 values and one index dtype.
#
# Design decisions:
#   a. The caller's object is never modified: no in-place sort, sum_duplicates, prune or
#      check_format (scipy's check_format re-assigns the index arrays); a conversion
#      makes a new object, and a CSR X that needs none is used as it is, without a copy.
#   b. Valid but awkward structure is accepted as it is: unsorted indices, repeated
#      entries (which add up, as in scipy), explicit zeros, empty rows and all-zero
#      columns. The kernels read such rows correctly, so nothing is canonicalised.
#   c. Each malformed structure gets a ValueError naming what is wrong and where.
import numpy as np
from scipy import sparse

# Formats whose structure is arrays a caller can set by hand (and scipy's conversions
# read without checks). lil, dok and dia are checked by scipy as they are built.
_COMPRESSED = {"csr": ("rows", "columns"), "csc": ("columns", "rows")}


def _malformed(name, what):
    return ValueError(
        f"malformed sparse {name}: {what}. Build it with scipy.sparse's constructors, or "
        "call its check_format(full_check=True) to see the problem."
    )


def _index_array(array, name, label):
    array = np.asarray(array)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise _malformed(name, f"{label} must be a 1-D integer array; got {array.dtype}")
    return array


def _check_range(index, bound, name, label, what):
    """Every entry of ``index`` in [0, bound), or an error naming the first one outside."""
    if index.size == 0:
        return
    outside = (index < 0) | (index >= bound)
    if np.any(outside):
        position = int(np.argmax(outside))
        raise _malformed(
            name,
            f"{label}[{position}] = {int(index[position])} is outside [0, {bound}): "
            f"{name} has {bound} {what}",
        )


def _check_compressed(X, name, n_major, n_minor, major, minor):
    """indptr (n_major + 1, from 0, non-decreasing, ending at nnz), indices in range."""
    indptr = _index_array(X.indptr, name, "indptr")
    indices = _index_array(X.indices, name, "indices")
    data = np.asarray(X.data)
    if indptr.shape[0] != n_major + 1:
        raise _malformed(
            name,
            f"indptr has {indptr.shape[0]} entries for {n_major} {major}; it needs {n_major} + 1",
        )
    if indptr[0] != 0:
        raise _malformed(name, f"indptr[0] = {int(indptr[0])}; it must be 0")
    steps = np.diff(indptr.astype(np.int64))
    if np.any(steps < 0):
        at = int(np.argmax(steps < 0))
        raise _malformed(
            name,
            f"indptr decreases from indptr[{at}] = {int(indptr[at])} to indptr[{at + 1}] = "
            f"{int(indptr[at + 1])}; it must be non-decreasing",
        )
    if data.shape[0] != indices.shape[0]:
        raise _malformed(
            name,
            f"data has {data.shape[0]} entries but indices has {indices.shape[0]}; they "
            "must have the same length",
        )
    if int(indptr[-1]) != indices.shape[0]:
        raise _malformed(
            name,
            f"indptr[-1] = {int(indptr[-1])} but {indices.shape[0]} entries are stored; "
            "indptr[-1] must equal the number of stored entries",
        )
    _check_range(indices, n_minor, name, "indices", minor)


def _check_coo(X, name):
    coords = getattr(X, "coords", None)
    if coords is None:  # scipy before 1.13
        coords = (X.row, X.col)
    rows, cols = (
        _index_array(c, name, label) for c, label in zip(coords, ("row", "col"), strict=True)
    )
    data = np.asarray(X.data)
    if not rows.shape[0] == cols.shape[0] == data.shape[0]:
        raise _malformed(
            name,
            f"row, col and data have {rows.shape[0]}, {cols.shape[0]} and {data.shape[0]} "
            "entries; they must have the same length",
        )
    _check_range(rows, X.shape[0], name, "row", "rows")
    _check_range(cols, X.shape[1], name, "col", "columns")


def _check_bsr(X, name):
    R, C = X.blocksize
    if R < 1 or C < 1 or X.shape[0] % R or X.shape[1] % C:
        raise _malformed(name, f"blocksize {X.blocksize} does not divide shape {X.shape}")
    data = np.asarray(X.data)
    if data.ndim != 3 or data.shape[1:] != (R, C):
        raise _malformed(name, f"data must have shape (n_blocks, {R}, {C}); got {data.shape}")
    _check_compressed(X, name, X.shape[0] // R, X.shape[1] // C, "block rows", "block columns")


def _csr_of(X):
    """X as CSR: the object itself when it is CSR already, else a new one."""
    if X.format == "csr":
        return X
    return X.tocsr()


def check_sparse_structure(X, name="X"):
    """Check a scipy.sparse matrix or array and return it as CSR, the caller's untouched.

    Parameters
    ----------
    X : scipy.sparse matrix or array of shape (n_samples, n_features)
        Sparse input of any format (CSR, CSC, COO, BSR, LIL, DOK, DIA).
    name : str, default="X"
        The input's name, used in error messages.

    Returns
    -------
    X_csr : scipy.sparse matrix or array
        CSR of the same kind (matrix or array) with float32 or float64 values (other
        value dtypes become float64) and indptr and indices of one dtype, int32 or
        int64. It is ``X`` itself, without a copy, when ``X`` is such a CSR already.

    Raises
    ------
    ValueError
        When the structure is malformed (an index out of range, a decreasing indptr,
        ``indptr[-1]`` different from the stored entries, data and indices of different
        lengths, an indptr of the wrong length), naming the problem, or when X is not 2-D.
    """
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D; got a sparse array of shape {X.shape}.")
    fmt = X.format
    if fmt in _COMPRESSED:
        major, minor = _COMPRESSED[fmt]
        n_major, n_minor = X.shape if fmt == "csr" else X.shape[::-1]
        _check_compressed(X, name, n_major, n_minor, major, minor)
    elif fmt == "coo":
        _check_coo(X, name)
    elif fmt == "bsr":
        _check_bsr(X, name)
    X = _csr_of(X)
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if X.indices.dtype != X.indptr.dtype or X.indices.dtype not in (np.int32, np.int64):
        # The constructor gives both one index dtype (and copies only what it must).
        X = type(X)((X.data, X.indices, X.indptr), shape=X.shape)
    return X


def is_sparse(X):
    """Whether ``X`` is a scipy.sparse matrix or array.

    Parameters
    ----------
    X : object
        Any input.

    Returns
    -------
    bool
    """
    return sparse.issparse(X)
