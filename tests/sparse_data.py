# tests/sparse_data.py: random CSR matrices for the sparse tests, including the valid but
# awkward structures scipy allows (unsorted indices, repeated entries, explicit zeros,
# empty rows, all-zero columns), built from raw arrays so that nothing canonicalises them.
import numpy as np
from scipy import sparse

INDEX_DTYPES = [np.int32, np.int64]


def csr_from_entries(rows, columns, values, shape, index_dtype=np.int32, *, as_array=True):
    """A CSR matrix holding the entries in the given order within each row.

    Entries are grouped by row (a stable sort keeps their order inside a row), so
    unsorted and repeated columns survive exactly as given.
    """
    rows = np.asarray(rows, dtype=np.int64)
    order = np.argsort(rows, kind="stable")
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    container = sparse.csr_array if as_array else sparse.csr_matrix
    X = container(shape, dtype=np.asarray(values).dtype)
    # Assigned after construction: the constructor would re-check and may re-type them.
    X.data = np.ascontiguousarray(np.asarray(values)[order])
    X.indices = np.ascontiguousarray(np.asarray(columns)[order], dtype=index_dtype)
    X.indptr = indptr.astype(index_dtype)
    return X


def random_csr(rng, n, d, density, dtype=np.float64, index_dtype=np.int32, awkward=False):
    """Random CSR data with about ``density * n * d`` entries.

    With ``awkward``: rows with unsorted indices, repeated entries (both copies stored),
    explicit zeros, every fifth row empty and the last two columns never used.
    """
    nnz = max(1, int(density * n * d))
    width = d - 2 if awkward and d > 4 else d
    rows = rng.integers(0, n, nnz)
    columns = rng.integers(0, width, nnz)
    values = rng.standard_normal(nnz)
    if awkward:
        keep = rows % 5 != 0  # empty rows
        rows, columns, values = rows[keep], columns[keep], values[keep]
        repeat = rng.random(rows.shape[0]) < 0.2  # a second entry at the same place
        rows = np.concatenate([rows, rows[repeat]])
        columns = np.concatenate([columns, columns[repeat]])
        values = np.concatenate([values, rng.standard_normal(int(repeat.sum()))])
        values[rng.random(values.shape[0]) < 0.1] = 0.0  # explicit zeros
        shuffle = rng.permutation(rows.shape[0])  # unsorted within rows
        rows, columns, values = rows[shuffle], columns[shuffle], values[shuffle]
    else:  # sorted, no repeats: the canonical form
        _, unique = np.unique(rows * d + columns, return_index=True)
        rows, columns, values = rows[unique], columns[unique], values[unique]
    return csr_from_entries(rows, columns, values.astype(dtype), (n, d), index_dtype)


def arrays_of(X):
    """Copies of a sparse object's arrays and flags, to check later that it is unchanged."""
    state = {"format": X.format, "shape": X.shape, "dtype": X.dtype}
    for name in ("data", "indices", "indptr", "row", "col", "offsets"):
        if hasattr(X, name) and isinstance(getattr(X, name), np.ndarray):
            state[name] = getattr(X, name).copy()
    for flag in ("has_sorted_indices", "has_canonical_format"):
        if hasattr(X, flag):
            state[flag] = getattr(X, flag)
    if X.format in ("lil", "dok"):
        state["dense"] = X.toarray()
    return state


def assert_unchanged(X, state):
    """X has the arrays, index dtypes and flags recorded by `arrays_of`."""
    assert X.format == state["format"] and X.shape == state["shape"] and X.dtype == state["dtype"]
    for name, value in state.items():
        if isinstance(value, np.ndarray) and name != "dense":
            current = getattr(X, name)
            assert current.dtype == value.dtype, name
            np.testing.assert_array_equal(current, value, err_msg=name)
        elif name in ("has_sorted_indices", "has_canonical_format"):
            assert getattr(X, name) == value, name
    if "dense" in state:
        np.testing.assert_array_equal(X.toarray(), state["dense"])
