# fastreg._kernels: the thin typed bridge between Python and the C kernels in src_c/.
#
# a. Arrays reach C through one function, `_fill_matrix`/`_fill_problem`: a const byte
#    memoryview of each C-contiguous array gives its address (read-only arrays and
#    memmaps work, nothing is copied) and the dtype becomes a field of the C struct, so
#    one struct fill serves both dtypes. The memoryviews are kept alive in a list until
#    the C call returns. A scipy.sparse CSR X fills the CSR layout from its data,
#    indices and indptr the same way; fr_matrix_check reads its structure before any
#    pass does, and what it finds becomes a ValueError naming the problem.
# b. Every size C will trust is checked here first (O(1) checks, clear ValueErrors);
#    fr_problem_valid in C is the last guard. Loss properties come from the C loss
#    table (fr_loss_describe), solver names from the C solver table: nothing about a
#    loss or a solver is repeated in this file.
# c. Every C call runs under `with nogil`: the math lives in C, this file only converts.
# d. The solver calls back into Python between passes (at most every progress_interval
#    seconds) to check for signals and run the caller's progress function; an exception
#    raised there stops the solve and is re-raised here.
# e. Data held outside the process (a fastreg._problem.CallerData, e.g. a Dask cluster's
#    blocks) fills the FR_CALLER data kind: each pass of the C solver calls back here, with
#    the GIL, into the data's own loss_gradient and column_means (the section at the end).
from cpython.exc cimport PyErr_CheckSignals
from cython cimport floating
from libc.math cimport INFINITY, NAN
from libc.stdint cimport int64_t, uint32_t
from libc.string cimport memcpy

import numpy as np

from fastreg._problem import CallerData

cdef extern from "fastreg.h" nogil:
    ctypedef struct fr_matrix:
        int dtype
        int layout
        int64_t n_rows
        int64_t n_cols
        const void *values
        int index_type
        int64_t nnz
        const void *indptr
        const void *indices

    ctypedef struct fr_loss_info:
        const char *name
        int per_class
        double curvature
        int class_targets
        int binary_targets

    ctypedef struct fr_problem:
        fr_matrix X
        const void *y
        const void *sample_weight
        int64_t n_outputs
        int loss
        double loss_param
        const fr_caller_passes *caller

    ctypedef struct fr_caller_passes:
        double (*loss_gradient)(void *ctx, const fr_problem *problem, const double *coef,
                                const double *intercept, double *grad_coef,
                                double *grad_intercept) noexcept nogil
        double (*column_means)(void *ctx, const fr_problem *problem,
                               double *mu) noexcept nogil
        void *ctx

    ctypedef struct fr_penalty:
        double l2
        double l1
        int positive
        int kind
        double param

    ctypedef int (*fr_progress_fn)(void *ctx, int64_t iteration, double objective) noexcept nogil
    ctypedef void (*fr_iteration_fn)(void *ctx, int64_t iteration, const double *coef,
                                     const double *intercept) noexcept nogil

    ctypedef struct fr_solver_options:
        int solver
        fr_penalty penalty
        int fit_intercept
        double learning_rate
        int64_t max_iter
        double tol
        int n_threads
        fr_progress_fn progress
        void *progress_ctx
        double progress_interval
        fr_iteration_fn on_iteration
        void *on_iteration_ctx

    ctypedef struct fr_solver_result:
        int64_t n_iter
        int status
        double objective
        double optimality
        int64_t n_evaluations

    enum:
        FR_FLOAT64
        FR_FLOAT32
        FR_DENSE
        FR_CSR
        FR_INDEX_INT32
        FR_INDEX_INT64
        FR_MATRIX_OK
        FR_MATRIX_BAD_FIELDS
        FR_MATRIX_INDPTR_START
        FR_MATRIX_INDPTR_DECREASING
        FR_MATRIX_INDPTR_END
        FR_MATRIX_INDEX_RANGE
        FR_CALLER
        FR_LOSS_SQUARED
        FR_LOSS_LOGISTIC
        FR_LOSS_MULTINOMIAL
        FR_LOSS_COUNT
        FR_SOLVER_GD
        FR_SOLVER_FISTA
        FR_SOLVER_LBFGS
        FR_SOLVER_COUNT
        FR_CONVERGED
        FR_MAX_ITER
        FR_DIVERGED
        FR_INTERRUPTED
        FR_NO_MEMORY
        FR_BAD_INPUT

    int fr_loss_describe(int loss, fr_loss_info *info)
    int fr_matrix_check(const fr_matrix *X)
    int fr_problem_valid(const fr_problem *problem)
    const char *fr_solver_name(int solver)
    const char *fr_penalty_name(int kind)
    int fr_solver_handles_nonsmooth(int solver)

    void fr_sigmoid_array_f64(const double *x, int64_t n, double *out)
    void fr_sigmoid_array_f32(const float *x, int64_t n, float *out)
    void fr_log_sum_exp_rows_f64(const double *Z, int64_t n_rows, int64_t n_cols, double *out)
    void fr_log_sum_exp_rows_f32(const float *Z, int64_t n_rows, int64_t n_cols, float *out)
    void fr_softmax_rows_f64(const double *Z, int64_t n_rows, int64_t n_cols, double *out)
    void fr_softmax_rows_f32(const float *Z, int64_t n_rows, int64_t n_cols, float *out)

    int64_t fr_scratch_size(const fr_problem *problem)
    double fr_loss_gradient(const fr_problem *problem, const double *coef,
                            const double *intercept, double *grad_coef,
                            double *grad_intercept, double *scratch, int n_threads)
    double fr_column_means(const fr_problem *problem, double *mu, double *scratch,
                           int n_threads)
    int fr_scores(const fr_matrix *X, const double *coef, const double *intercept,
                  int64_t n_outputs, double *out, int n_threads)
    int fr_solve(const fr_problem *problem, const fr_solver_options *options, double *coef,
                 double *intercept, double *objective_curve, fr_solver_result *result)

    int fr_openmp_enabled()
    int fr_max_threads()
    int fr_serial_after_fork()
    const char *fr_simd_level()
    double fr_stream_read_f64(const double *data, int64_t n, int n_threads)

cdef extern from *:
    """
    #ifndef FASTREG_COMPILER
    #define FASTREG_COMPILER "unknown"
    #endif
    #ifndef FASTREG_C_FLAGS
    #define FASTREG_C_FLAGS ""
    #endif
    #ifndef FASTREG_BUILD_TYPE
    #define FASTREG_BUILD_TYPE ""
    #endif
    """
    const char *FASTREG_COMPILER
    const char *FASTREG_C_FLAGS
    const char *FASTREG_BUILD_TYPE

LOSS_SQUARED = FR_LOSS_SQUARED
LOSS_LOGISTIC = FR_LOSS_LOGISTIC
LOSS_MULTINOMIAL = FR_LOSS_MULTINOMIAL
SOLVER_GD = FR_SOLVER_GD
SOLVER_FISTA = FR_SOLVER_FISTA
SOLVER_LBFGS = FR_SOLVER_LBFGS
STATUS_CONVERGED = FR_CONVERGED
STATUS_MAX_ITER = FR_MAX_ITER
STATUS_DIVERGED = FR_DIVERGED
STATUS_INTERRUPTED = FR_INTERRUPTED
STATUS_NO_MEMORY = FR_NO_MEMORY
STATUS_BAD_INPUT = FR_BAD_INPUT


def _loss_table():
    cdef fr_loss_info info
    table = {}
    for code in range(FR_LOSS_COUNT):
        if fr_loss_describe(code, &info):
            table[code] = {
                "name": info.name.decode(),
                "per_class": bool(info.per_class),
                "curvature": float(info.curvature),
                "class_targets": bool(info.class_targets),
                "binary_targets": bool(info.binary_targets),
            }
    return table


def _solver_table():
    table = {}
    for code in range(FR_SOLVER_COUNT):
        name = fr_solver_name(code)
        if name != NULL:
            table[name.decode()] = {"code": code,
                                    "handles_nonsmooth": bool(fr_solver_handles_nonsmooth(code))}
    return table


def _penalty_table():
    table = {}
    for code in range(64):  # kinds are small codes; the C table says which exist
        name = fr_penalty_name(code)
        if name != NULL:
            table[name.decode()] = code
    return table


# The C tables, read once: {loss code: properties}, {solver name: properties} and
# {penalty kind name: code}.
LOSSES = _loss_table()
SOLVERS = _solver_table()
PENALTIES = _penalty_table()


def sigmoid(const floating[::1] x, floating[::1] out):
    """Write the logistic sigmoid of ``x`` into ``out`` (1-D, same dtype and length)."""
    if out.shape[0] != x.shape[0]:
        raise ValueError(f"out has {out.shape[0]} entries for {x.shape[0]} inputs")
    with nogil:
        if floating is float:
            fr_sigmoid_array_f32(&x[0], x.shape[0], &out[0])
        else:
            fr_sigmoid_array_f64(&x[0], x.shape[0], &out[0])


def log_sum_exp(const floating[:, ::1] Z, floating[::1] out):
    """Write the row-wise log-sum-exp of ``Z`` (n, k) into ``out`` (n,)."""
    if out.shape[0] != Z.shape[0]:
        raise ValueError(f"out has {out.shape[0]} entries for {Z.shape[0]} rows")
    cdef const floating *z_ptr = &Z[0, 0]
    cdef floating *out_ptr = &out[0]
    with nogil:
        if floating is float:
            fr_log_sum_exp_rows_f32(z_ptr, Z.shape[0], Z.shape[1], out_ptr)
        else:
            fr_log_sum_exp_rows_f64(z_ptr, Z.shape[0], Z.shape[1], out_ptr)


def softmax(const floating[:, ::1] Z, floating[:, ::1] out):
    """Write the row-wise softmax of ``Z`` (n, k) into ``out`` (n, k)."""
    if out.shape[0] != Z.shape[0] or out.shape[1] != Z.shape[1]:
        raise ValueError(f"out has shape {tuple(out.shape)[:2]} for Z of {tuple(Z.shape)[:2]}")
    cdef const floating *z_ptr = &Z[0, 0]
    cdef floating *out_ptr = &out[0, 0]
    with nogil:
        if floating is float:
            fr_softmax_rows_f32(z_ptr, Z.shape[0], Z.shape[1], out_ptr)
        else:
            fr_softmax_rows_f64(z_ptr, Z.shape[0], Z.shape[1], out_ptr)


cdef const void *_address(const unsigned char[::1] buffer, list keep):
    # The first byte of a C-contiguous buffer (for an empty one its start, valid and
    # never dereferenced: boundscheck is off); `keep` holds the view until C is done.
    keep.append(buffer)
    return <const void *>&buffer[0]


cdef const void *_array_address(array, list keep):
    # The kernels load whole elements: an array at an address that is not a multiple of
    # its itemsize (a block deserialised at an odd offset of a message, np.frombuffer
    # with an offset) is read through an aligned copy instead.
    if not array.flags.aligned:
        array = np.array(array, order="K")
    return _address(array.reshape(-1).view(np.uint8), keep)


cdef int _fill_matrix(fr_matrix *matrix, X, list keep) except -1:
    # Dense: a C-contiguous ndarray. CSR: a scipy.sparse CSR matrix or array, whose
    # structure the caller checks (_check_matrix, or fr_problem_valid) before C reads it.
    matrix.index_type = FR_INDEX_INT64
    matrix.nnz = 0
    matrix.indptr = NULL
    matrix.indices = NULL
    if getattr(X, "format", None) == "csr" and not isinstance(X, np.ndarray):
        return _fill_csr(matrix, X, keep)
    if not isinstance(X, np.ndarray) or X.ndim != 2 or not X.flags.c_contiguous:
        raise ValueError("X must be a C-contiguous 2-D ndarray or a scipy.sparse CSR matrix")
    matrix.dtype = _dtype_code(X.dtype, "X")
    matrix.layout = FR_DENSE
    matrix.n_rows, matrix.n_cols = X.shape[0], X.shape[1]
    matrix.values = _array_address(X, keep)
    return 0


cdef int _dtype_code(dtype, str name) except -1:
    if dtype == np.float64:
        return FR_FLOAT64
    if dtype == np.float32:
        return FR_FLOAT32
    raise ValueError(f"{name} must be float32 or float64, not {dtype}")


cdef int _fill_csr(fr_matrix *matrix, X, list keep) except -1:
    # O(1) checks of the arrays; the O(nnz) structure is fr_matrix_check's.
    shape = X.shape
    if len(shape) != 2 or shape[0] < 0 or shape[1] < 0:
        raise ValueError(f"a CSR X must be 2-D; got shape {shape}")
    data, indices, indptr = X.data, X.indices, X.indptr
    for name, array in (("data", data), ("indices", indices), ("indptr", indptr)):
        if not isinstance(array, np.ndarray) or array.ndim != 1:
            raise ValueError(f"the CSR X's {name} must be a 1-D ndarray")
    matrix.dtype = _dtype_code(data.dtype, "the CSR X's data")
    if indices.dtype != indptr.dtype or indices.dtype not in (np.int32, np.int64):
        raise ValueError("the CSR X's indices and indptr must both be int32 or both int64; "
                         f"got {indices.dtype} and {indptr.dtype}")
    if indptr.shape[0] != shape[0] + 1:
        raise ValueError(f"the CSR X's indptr has {indptr.shape[0]} entries for "
                         f"{shape[0]} rows; it needs n_rows + 1")
    if indices.shape[0] != data.shape[0]:
        raise ValueError(f"the CSR X has {data.shape[0]} values but {indices.shape[0]} "
                         "indices; they must have the same length")
    matrix.layout = FR_CSR
    matrix.n_rows, matrix.n_cols = shape[0], shape[1]
    matrix.index_type = FR_INDEX_INT32 if indices.dtype == np.int32 else FR_INDEX_INT64
    matrix.nnz = data.shape[0]
    matrix.values = _array_address(np.ascontiguousarray(data), keep)
    matrix.indices = _array_address(np.ascontiguousarray(indices), keep)
    matrix.indptr = _array_address(np.ascontiguousarray(indptr), keep)
    return 0


# What fr_matrix_check found, as the error the bridge raises.
_MATRIX_PROBLEMS = {
    FR_MATRIX_BAD_FIELDS: "its sizes or arrays are out of range",
    FR_MATRIX_INDPTR_START: "indptr[0] is not 0",
    FR_MATRIX_INDPTR_DECREASING: "indptr decreases (a row would have a negative length)",
    FR_MATRIX_INDPTR_END: "indptr[-1] is not the number of stored values",
    FR_MATRIX_INDEX_RANGE: "a column index lies outside [0, n_features)",
}


cdef int _check_matrix(const fr_matrix *matrix) except -1:
    cdef int status
    with nogil:
        status = fr_matrix_check(matrix)
    if status != FR_MATRIX_OK:
        what = "CSR X" if matrix.layout == FR_CSR else "X"
        raise ValueError(f"malformed {what}: {_MATRIX_PROBLEMS.get(status, status)}")
    return 0


cdef int _fill_vector(const void **address, vector, dtype, int64_t n, str name,
                      list keep) except -1:
    if vector is None:
        address[0] = NULL
        return 0
    if not isinstance(vector, np.ndarray) or vector.ndim != 1 or vector.dtype != dtype:
        raise ValueError(f"{name} must be a 1-D ndarray of X's dtype {dtype}")
    if vector.shape[0] != n:
        raise ValueError(f"{name} has {vector.shape[0]} entries for {n} rows of X")
    address[0] = _array_address(np.ascontiguousarray(vector), keep)
    return 0


cdef int _fill_problem(fr_problem *problem, int loss, X, y, sample_weight, int64_t n_outputs,
                       double loss_param, list keep) except -1:
    if loss not in LOSSES:
        raise ValueError(f"unknown loss code {loss}")
    if isinstance(X, CallerData):  # the passes run by the caller (the last section)
        return _fill_caller_problem(problem, loss, X, n_outputs, loss_param, keep)
    problem.caller = NULL
    _fill_matrix(&problem.X, X, keep)
    if y is None:
        raise ValueError("y is required")
    dtype = np.float32 if problem.X.dtype == FR_FLOAT32 else np.float64
    _fill_vector(&problem.y, y, dtype, problem.X.n_rows, "y", keep)
    _fill_vector(&problem.sample_weight, sample_weight, dtype, problem.X.n_rows,
                 "sample_weight", keep)
    if n_outputs < 1:
        raise ValueError("the number of outputs must be at least 1")
    if not LOSSES[loss]["per_class"] and n_outputs != 1:
        raise ValueError(f"the {LOSSES[loss]['name']} loss has exactly one output")
    problem.n_outputs = n_outputs
    problem.loss = loss
    problem.loss_param = loss_param
    cdef int valid
    with nogil:  # for CSR X one read of its structure
        valid = fr_problem_valid(problem)
    if not valid:
        _check_matrix(&problem.X)
        raise ValueError("the C kernels rejected the problem (sizes out of range)")
    return 0


def _point(coef, intercept, int64_t n_outputs, int64_t n_features, bint writable):
    """coef (K, d) and intercept (K,) as C-contiguous float64, checked against the problem."""
    # Shapes are read as Python tuples of checked length: this module indexes without
    # bounds checks, and a 0-d array (np.asarray of a sparse matrix, say) has no shape[0].
    if not isinstance(coef, np.ndarray) or not isinstance(intercept, np.ndarray):
        raise TypeError("coef and intercept must be ndarrays, not "
                        f"{type(coef).__name__} and {type(intercept).__name__}")
    cdef tuple shape = tuple(coef.shape), intercept_shape = tuple(intercept.shape)
    if len(shape) != 2 or shape[1] != n_features:
        raise ValueError(f"coef has shape {shape}; it must be (n_outputs, {n_features})")
    k = shape[0]
    if k < 1 or intercept_shape != (k,):
        raise ValueError(f"coef has {k} rows and intercept the shape {intercept_shape}; "
                         "both must equal the number of outputs (at least 1)")
    if k != n_outputs:
        raise ValueError(f"coef has {k} rows for a problem with {n_outputs} outputs")
    if writable:
        if coef.dtype != np.float64 or not coef.flags.c_contiguous or not coef.flags.writeable:
            raise ValueError("coef must be a writable C-contiguous float64 array")
        if intercept.dtype != np.float64 or not intercept.flags.writeable:
            raise ValueError("intercept must be a writable float64 array")
        return coef, intercept
    # aligned too: a point deserialised on a Dask worker may start at an odd offset
    return (np.require(coef, dtype=np.float64, requirements="CA"),
            np.require(intercept, dtype=np.float64, requirements="CA"))


def loss_gradient(int loss, X, y, sample_weight, coef, intercept, int n_threads,
                  double loss_param=0.0):
    """One fused pass over ``X``: the weighted loss sum and its gradients.

    Returns ``(loss_sum, grad_coef (K, d) float64, grad_intercept (K,) float64)``;
    ``sample_weight`` may be None (unit weights). The pass reads coef and intercept in
    X's dtype. ``X`` is a C-contiguous ndarray or a scipy.sparse CSR matrix/array.
    """
    coef, intercept = np.asarray(coef), np.asarray(intercept)
    cdef list keep = []
    cdef fr_problem problem
    k = coef.shape[0] if coef.ndim == 2 else 0
    if coef.ndim == 2 and (k < 1 or tuple(intercept.shape) != (k,)):
        raise ValueError(f"coef has {k} rows and intercept the shape {tuple(intercept.shape)}; "
                         "both must equal the number of outputs (at least 1)")
    _fill_problem(&problem, loss, X, y, sample_weight, max(k, 1), loss_param, keep)
    coef, intercept = _point(coef, intercept, problem.n_outputs, problem.X.n_cols, False)
    cdef int64_t d = problem.X.n_cols, K = problem.n_outputs
    grad_coef_arr = np.zeros((K, d), dtype=np.float64)
    grad_intercept_arr = np.zeros(K, dtype=np.float64)
    scratch_arr = np.empty(max(fr_scratch_size(&problem), 1), dtype=np.float64)
    cdef const double[:, ::1] coef_view = coef
    cdef const double[::1] intercept_view = intercept
    cdef double[:, ::1] grad_coef = grad_coef_arr
    cdef double[::1] grad_intercept = grad_intercept_arr
    cdef double[::1] scratch = scratch_arr
    cdef double value
    with nogil:
        value = fr_loss_gradient(&problem, &coef_view[0, 0], &intercept_view[0],
                                 &grad_coef[0, 0], &grad_intercept[0], &scratch[0], n_threads)
    _raise_caller_error(keep)
    return value, grad_coef_arr, grad_intercept_arr


def column_means(int loss, X, y, sample_weight, int n_threads):
    """Sample-weighted column means of ``X`` (float64, (d,)) and the weight sum (X dense or CSR)."""
    cdef list keep = []
    cdef fr_problem problem
    _fill_problem(&problem, loss, X, y, sample_weight, 1, 0.0, keep)
    mu_arr = np.zeros(max(problem.X.n_cols, 1), dtype=np.float64)
    scratch_arr = np.empty(max(fr_scratch_size(&problem), 1), dtype=np.float64)
    cdef double[::1] mu = mu_arr
    cdef double[::1] scratch = scratch_arr
    cdef double total
    with nogil:
        total = fr_column_means(&problem, &mu[0], &scratch[0], n_threads)
    _raise_caller_error(keep)
    return mu_arr[:problem.X.n_cols], float(total)


def scores(X, coef, intercept, int n_threads):
    """``X @ coef.T + intercept`` as float64 (n, K), with the fused pass's dot products.

    ``X`` is a C-contiguous ndarray or a scipy.sparse CSR matrix/array (never densified).
    """
    cdef list keep = []
    cdef fr_matrix matrix
    _fill_matrix(&matrix, X, keep)
    _check_matrix(&matrix)
    n_outputs = coef.shape[0] if isinstance(coef, np.ndarray) and coef.ndim == 2 else 1
    coef, intercept = _point(coef, intercept, n_outputs, matrix.n_cols, False)
    cdef int64_t K = coef.shape[0]
    out_arr = np.empty((matrix.n_rows, K), dtype=np.float64)
    cdef const double[:, ::1] coef_view = coef
    cdef const double[::1] intercept_view = intercept
    cdef double[:, ::1] out = out_arr
    cdef int status
    with nogil:
        status = fr_scores(&matrix, &coef_view[0, 0], &intercept_view[0], K, &out[0, 0],
                           n_threads)
    if status == FR_NO_MEMORY:
        raise MemoryError("fastreg: could not allocate the float copy of the coefficients")
    return out_arr


cdef class _ProgressRelay:
    """Carries the caller's progress function and any exception it raised across C."""
    cdef object callback
    cdef object error

    def __cinit__(self, callback):
        self.callback = callback
        self.error = None

    cdef int relay(self, int64_t iteration, double objective) noexcept:
        try:
            PyErr_CheckSignals()
            if self.callback is not None and self.callback(iteration, objective):
                return 1
        except BaseException as exc:  # KeyboardInterrupt included: re-raised by solve()
            self.error = exc
            return 1
        return 0


cdef int _relay_progress(void *ctx, int64_t iteration, double objective) noexcept nogil:
    with gil:
        return (<_ProgressRelay>ctx).relay(iteration, objective)


cdef class _IterationRelay:
    """Hands each iterate to the caller's ``on_iteration(iteration, coef, intercept)``.

    The arrays are copies; the first exception the function raises is kept and re-raised
    by solve() once the solver returns (the solve itself runs to its end).
    """
    cdef object callback
    cdef object error
    cdef int64_t n_outputs, n_features

    def __cinit__(self, callback, int64_t n_outputs, int64_t n_features):
        self.callback = callback
        self.error = None
        self.n_outputs = n_outputs
        self.n_features = n_features

    cdef void relay(self, int64_t iteration, const double *coef,
                    const double *intercept) noexcept:
        if self.error is not None:
            return
        cdef int64_t K = self.n_outputs, d = self.n_features
        try:
            coef_arr = np.empty((K, d), dtype=np.float64)
            intercept_arr = np.empty(K, dtype=np.float64)
            if K * d > 0:
                coef_arr.ravel()[:] = <double[:K * d]>coef
            intercept_arr[:] = <double[:K]>intercept
            self.callback(iteration, coef_arr, intercept_arr)
        except BaseException as exc:
            self.error = exc


cdef void _relay_iteration(void *ctx, int64_t iteration, const double *coef,
                           const double *intercept) noexcept nogil:
    with gil:
        (<_IterationRelay>ctx).relay(iteration, coef, intercept)


cdef int _fill_options(fr_solver_options *options, opt) except -1:
    if opt.solver not in SOLVERS:
        raise ValueError(f"unknown solver {opt.solver!r}; the kernels have {sorted(SOLVERS)}")
    options.solver = SOLVERS[opt.solver]["code"]
    options.penalty.l2 = opt.penalty.l2
    options.penalty.l1 = opt.penalty.l1
    options.penalty.positive = bool(opt.penalty.positive)
    if opt.penalty.kind not in PENALTIES:
        raise ValueError(f"unknown penalty kind {opt.penalty.kind!r}; the kernels have "
                         f"{sorted(PENALTIES)}")
    options.penalty.kind = PENALTIES[opt.penalty.kind]
    options.penalty.param = opt.penalty.param
    options.fit_intercept = bool(opt.fit_intercept)
    options.learning_rate = opt.learning_rate
    options.max_iter = opt.max_iter
    options.tol = opt.tol
    options.n_threads = opt.n_threads
    options.progress_interval = opt.progress_interval
    options.on_iteration = NULL
    options.on_iteration_ctx = NULL
    return 0


def solve(problem, options, double[:, ::1] coef, double[::1] intercept):
    """Minimise the averaged objective of fastreg.h in C, starting from ``coef``/``intercept``.

    ``problem`` is a fastreg._problem.Problem and ``options`` a SolverOptions. ``coef``
    (K, d) and ``intercept`` (K,) are float64 and are updated in place. Returns
    ``(coef, intercept, objective_curve, n_iter, status)``; an exception raised by
    ``options.progress(iteration, objective)`` or by a pending signal is re-raised.
    """
    cdef list keep = []
    cdef fr_problem c_problem
    cdef fr_solver_options c_options
    _fill_problem(&c_problem, problem.loss, problem.X, problem.y, problem.sample_weight,
                  problem.n_outputs, problem.loss_param, keep)
    _point(np.asarray(coef), np.asarray(intercept), c_problem.n_outputs, c_problem.X.n_cols,
           True)
    _fill_options(&c_options, options)
    if c_options.max_iter < 1:
        raise ValueError("max_iter must be at least 1")
    curve_arr = np.zeros(c_options.max_iter, dtype=np.float64)
    cdef double[::1] curve = curve_arr
    cdef _ProgressRelay relay = _ProgressRelay(options.progress)
    cdef fr_solver_result result
    cdef int status
    c_options.progress = _relay_progress
    c_options.progress_ctx = <void *>relay
    cdef _IterationRelay iterations = None
    on_iteration = getattr(options, "on_iteration", None)
    if on_iteration is not None:
        iterations = _IterationRelay(on_iteration, c_problem.n_outputs, c_problem.X.n_cols)
        c_options.on_iteration = _relay_iteration
        c_options.on_iteration_ctx = <void *>iterations
    result.n_iter = 0
    with nogil:
        status = fr_solve(&c_problem, &c_options, &coef[0, 0], &intercept[0], &curve[0],
                          &result)
    if relay.error is not None:
        raise relay.error
    if iterations is not None and iterations.error is not None:
        raise iterations.error
    _raise_caller_error(keep)
    if status == FR_NO_MEMORY:
        raise MemoryError("fastreg: could not allocate the solver's scratch space")
    if status == FR_BAD_INPUT:
        raise ValueError("fastreg: the C solver rejected its inputs (inconsistent sizes or "
                         "options); this is a bug in the caller of fastreg._kernels.solve")
    return (np.asarray(coef), np.asarray(intercept), curve_arr[:result.n_iter].copy(),
            int(result.n_iter), int(status))


def build_info():
    """Facts about this build and machine, for fastreg.show_config()."""
    return {
        "openmp": bool(fr_openmp_enabled()),
        "max_threads": int(fr_max_threads()),
        "serial_after_fork": bool(fr_serial_after_fork()),
        "simd": fr_simd_level().decode(),
        "compiler": FASTREG_COMPILER.decode(),
        "c_flags": FASTREG_C_FLAGS.decode(),
        "build_type": FASTREG_BUILD_TYPE.decode(),
    }


def stream_read(const double[::1] data, int n_threads):
    """Read every element of ``data`` once with ``n_threads`` threads; returns their sum."""
    cdef double total
    with nogil:
        total = fr_stream_read_f64(&data[0], data.shape[0], n_threads)
    return total


# ---- the statistics pass (src_c/pass_stats.c) --------------------------------------------

cdef extern from "fastreg.h" nogil:
    int fr_statistics(const fr_matrix *X, const void *Y, int64_t n_targets,
                      const void *sample_weight, double *sum_weights, double *mean,
                      double *gram, int n_threads)


def statistics(X, Y, sample_weight, int n_threads):
    """One read of ``X`` (n, d) and ``Y`` (n, T): the statistics of ``V = [X | Y]``.

    ``Y`` is a C-contiguous 2-D array of X's dtype (T may be 0) and ``sample_weight`` a
    1-D array of X's dtype or None. Returns ``(sum_weights, mean (d + T,), gram
    (d + T, d + T))`` in float64, with ``gram = V_c^T diag(s) V_c`` centred on the
    weighted means; bitwise identical for any ``n_threads``.
    """
    cdef list keep = []
    cdef fr_matrix matrix
    _fill_matrix(&matrix, X, keep)
    if (not isinstance(Y, np.ndarray) or Y.ndim != 2 or not Y.flags.c_contiguous
            or Y.dtype != X.dtype):
        raise ValueError(f"Y must be a C-contiguous 2-D ndarray of X's dtype {X.dtype}")
    if Y.shape[0] != matrix.n_rows:
        raise ValueError(f"Y has {Y.shape[0]} rows for {matrix.n_rows} rows of X")
    cdef const void *weights
    _fill_vector(&weights, sample_weight, X.dtype, matrix.n_rows, "sample_weight", keep)
    if n_threads < 1:
        raise ValueError("n_threads must be at least 1")
    cdef int64_t T = Y.shape[1], p = matrix.n_cols + Y.shape[1]
    cdef const void *targets = _array_address(Y, keep) if Y.size else NULL
    mean_arr = np.zeros(max(p, 1), dtype=np.float64)
    gram_arr = np.zeros((max(p, 1), max(p, 1)), dtype=np.float64)
    cdef double[::1] mean = mean_arr
    cdef double[:, ::1] gram = gram_arr
    cdef double total = 0.0
    cdef int status
    with nogil:
        status = fr_statistics(&matrix, targets, T, weights, &total, &mean[0], &gram[0, 0],
                               n_threads)
    if status == FR_NO_MEMORY:
        raise MemoryError("fastreg: could not allocate the statistics pass's scratch space")
    if status != FR_CONVERGED:
        raise ValueError("fastreg: the statistics pass rejected its inputs (sizes out of range)")
    return float(total), mean_arr[:p], np.ascontiguousarray(gram_arr[:p, :p])


# ---- coordinate descent for least squares (src_c/solver_cd.c) ---------------------------
# The data come as fastreg._problem.GramData (the sufficient statistics) or ColumnData
# (an F-contiguous X), the options as CoordinateDescentOptions; the twin
# fastreg.reference.coordinate_descent takes the same objects and returns the same tuple.


cdef extern from "fastreg.h" nogil:
    ctypedef struct fr_cd_data:
        int access
        int64_t n_features
        const double *gram
        const double *xty
        double yty
        int dtype
        int64_t n_rows
        const void *columns
        const void *y
        const void *sample_weight
        const double *x_mean
        double y_mean

    ctypedef struct fr_cd_options:
        fr_penalty penalty
        int64_t max_iter
        double tol
        int selection
        uint32_t seed
        int screening
        int n_threads
        fr_progress_fn progress
        void *progress_ctx
        double progress_interval

    ctypedef struct fr_cd_result:
        int64_t n_iter
        int status
        double gap
        double tol_scaled
        double objective
        double optimality

    enum:
        FR_CD_GRAM
        FR_CD_COLUMNS
        FR_CD_CYCLIC
        FR_CD_RANDOM

    int fr_cd_solve(const fr_cd_data *data, const fr_cd_options *options, double *coef,
                    double *objective_curve, fr_cd_result *result)
    uint32_t fr_cd_random(uint32_t *state)
    int fr_cd_column_major(int dtype, const void *X, int64_t n_rows, int64_t n_cols,
                           void *out, int n_threads)

CD_SELECTIONS = {"cyclic": FR_CD_CYCLIC, "random": FR_CD_RANDOM}


def _float64_vector(vector, int64_t n, str name):
    if not isinstance(vector, np.ndarray) or vector.ndim != 1 or vector.dtype != np.float64:
        raise ValueError(f"{name} must be a 1-D float64 ndarray")
    if vector.shape[0] != n:
        raise ValueError(f"{name} has {vector.shape[0]} entries for {n} features")
    return np.ascontiguousarray(vector)


cdef int _fill_cd_data(fr_cd_data *c_data, data, list keep) except -1:
    c_data.gram = NULL
    c_data.xty = NULL
    c_data.yty = 0.0
    c_data.dtype = FR_FLOAT64
    c_data.n_rows = 0
    c_data.columns = NULL
    c_data.y = NULL
    c_data.sample_weight = NULL
    c_data.x_mean = NULL
    c_data.y_mean = 0.0
    cdef const double[:, ::1] gram_view
    cdef const double[::1] vector_view
    if hasattr(data, "gram"):
        c_data.access = FR_CD_GRAM
        gram = data.gram
        if (not isinstance(gram, np.ndarray) or gram.ndim != 2 or gram.dtype != np.float64
                or not gram.flags.c_contiguous or gram.shape[0] != gram.shape[1]):
            raise ValueError("gram must be a square C-contiguous float64 ndarray")
        c_data.n_features = gram.shape[0]
        xty = _float64_vector(data.xty, gram.shape[0], "xty")
        keep.extend([gram, xty])
        if gram.shape[0] > 0:
            gram_view = gram
            c_data.gram = &gram_view[0, 0]
            vector_view = xty
            c_data.xty = &vector_view[0]
        c_data.yty = float(data.yty)
        return 0
    c_data.access = FR_CD_COLUMNS
    X = data.X
    if not isinstance(X, np.ndarray) or X.ndim != 2 or not X.flags.f_contiguous:
        raise ValueError("X must be an F-contiguous 2-D ndarray")
    if X.dtype == np.float64:
        c_data.dtype = FR_FLOAT64
    elif X.dtype == np.float32:
        c_data.dtype = FR_FLOAT32
    else:
        raise ValueError(f"X must be float32 or float64, not {X.dtype}")
    c_data.n_rows, c_data.n_features = X.shape[0], X.shape[1]
    if X.shape[0] < 1:
        raise ValueError("X must have at least one row")
    c_data.columns = _array_address(X.T, keep)
    _fill_vector(&c_data.y, data.y, X.dtype, X.shape[0], "y", keep)
    _fill_vector(&c_data.sample_weight, data.sample_weight, X.dtype, X.shape[0],
                 "sample_weight", keep)
    if data.x_mean is not None:
        x_mean = _float64_vector(data.x_mean, X.shape[1], "x_mean")
        keep.append(x_mean)
        if X.shape[1] > 0:
            vector_view = x_mean
            c_data.x_mean = &vector_view[0]
    c_data.y_mean = float(data.y_mean)
    return 0


def coordinate_descent(data, options, double[::1] coef):
    """Minimise the summed elastic-net objective of fastreg.h by coordinate descent.

    ``data`` is a fastreg._problem.GramData or ColumnData and ``options`` a
    CoordinateDescentOptions; ``coef`` (n_features,) float64 holds the start point and is
    updated in place. Returns ``(coef, objective_curve, n_iter, status, gap, tol_scaled,
    objective, optimality)`` (see fr_cd_result); an exception raised by
    ``options.progress`` or by a pending signal is re-raised.
    """
    cdef list keep = []
    cdef fr_cd_data c_data
    cdef fr_cd_options c_options
    cdef fr_cd_result result
    _fill_cd_data(&c_data, data, keep)
    if coef.shape[0] != c_data.n_features:
        raise ValueError(f"coef has {coef.shape[0]} entries for {c_data.n_features} features")
    if options.selection not in CD_SELECTIONS:
        raise ValueError(f"selection must be one of {sorted(CD_SELECTIONS)}")
    if options.max_iter < 1:
        raise ValueError("max_iter must be at least 1")
    if not 0 <= options.seed < 2**32:
        raise ValueError("seed must be in [0, 2**32)")
    c_options.penalty.l2 = options.penalty.l2
    c_options.penalty.l1 = options.penalty.l1
    c_options.penalty.positive = bool(options.penalty.positive)
    if options.penalty.kind != "elastic_net":
        raise ValueError("coordinate descent solves the elastic net only, "
                         f"not the penalty kind {options.penalty.kind!r}")
    c_options.penalty.kind = PENALTIES["elastic_net"]
    c_options.penalty.param = options.penalty.param
    c_options.max_iter = options.max_iter
    c_options.tol = options.tol
    c_options.selection = CD_SELECTIONS[options.selection]
    c_options.seed = options.seed
    c_options.screening = bool(options.screening)
    c_options.n_threads = options.n_threads
    c_options.progress_interval = options.progress_interval
    curve_arr = np.zeros(c_options.max_iter, dtype=np.float64)
    cdef double[::1] curve = curve_arr
    cdef _ProgressRelay relay = _ProgressRelay(options.progress)
    c_options.progress = _relay_progress
    c_options.progress_ctx = <void *>relay
    cdef double *coef_ptr = &coef[0] if coef.shape[0] > 0 else NULL
    cdef int status
    with nogil:
        status = fr_cd_solve(&c_data, &c_options, coef_ptr, &curve[0], &result)
    if relay.error is not None:
        raise relay.error
    if status == FR_NO_MEMORY:
        raise MemoryError("fastreg: could not allocate the coordinate-descent work space")
    if status == FR_BAD_INPUT:
        raise ValueError("fastreg: the coordinate-descent solver rejected its inputs "
                         "(inconsistent sizes or options); this is a bug in the caller")
    return (np.asarray(coef), curve_arr[:result.n_iter].copy(), int(result.n_iter),
            int(status), float(result.gap), float(result.tol_scaled),
            float(result.objective), float(result.optimality))


def cd_random(uint32_t state, int64_t count):
    """``count`` draws of fr_cd_random from ``state``: (draws as uint32 array, final state)."""
    out = np.empty(count, dtype=np.uint32)
    cdef uint32_t[::1] view = out
    cdef int64_t i
    for i in range(count):
        view[i] = fr_cd_random(&state)
    return out, int(state)


def column_major(X, int n_threads):
    """An F-contiguous copy of the C-contiguous float32/float64 ``X`` (a tiled transpose)."""
    cdef list keep = []
    cdef fr_matrix matrix
    _fill_matrix(&matrix, X, keep)
    out = np.empty(X.shape, dtype=X.dtype, order="F")
    cdef void *out_ptr = <void *>_array_address(out.T, keep)
    cdef int status
    with nogil:
        status = fr_cd_column_major(matrix.dtype, matrix.values, matrix.n_rows, matrix.n_cols,
                                    out_ptr, n_threads)
    if status != 0:
        raise ValueError("fastreg: the column copy rejected its inputs")
    return out


# ---- sparse X: the chunks of a pass ------------------------------------------------------

cdef extern from "core.h" nogil:
    int64_t fr_matrix_chunk_count(const fr_matrix *X)
    int64_t fr_matrix_chunk_start(const fr_matrix *X, int64_t chunk, int64_t chunks)


def chunk_bounds(X):
    """The row boundaries of the chunks a pass over ``X`` (dense or CSR) is cut into.

    Returns an int64 array ``[0, ..., n_rows]`` of chunks + 1 entries: chunk c holds rows
    ``bounds[c]:bounds[c + 1]``. The chunks depend on X's shape (and, for CSR, its stored
    entries) only, never on a thread count: what makes every pass bitwise reproducible.
    """
    cdef list keep = []
    cdef fr_matrix matrix
    _fill_matrix(&matrix, X, keep)
    _check_matrix(&matrix)
    cdef int64_t chunks = fr_matrix_chunk_count(&matrix)
    return np.array([fr_matrix_chunk_start(&matrix, c, chunks) for c in range(chunks + 1)],
                    dtype=np.int64)


# ---- data held by the caller (the FR_CALLER data kind) ---------------------------------
# A CallerData's passes are Python methods (for Dask, a map-reduce over the cluster's
# blocks); C calls them through fr_caller_passes, whose context is the relay below. The
# relay copies the point out and the sums in, keeps the first exception a pass raised
# (the C solver stops at once: a NaN loss means a failed pass, so a pass whose data
# overflow to NaN reports +inf) and answers every later pass with NaN until the bridge
# re-raises it.


cdef class _CallerRelay:
    """Carries a CallerData's passes, and the exception one of them raised, across C."""
    cdef fr_caller_passes passes
    cdef object data
    cdef object error

    def __cinit__(self, data):
        self.data = data
        self.error = None
        self.passes.loss_gradient = _caller_loss_gradient
        self.passes.column_means = _caller_column_means
        self.passes.ctx = <void *>self

    cdef double loss_gradient(self, const fr_problem *p, const double *coef,
                              const double *intercept, double *grad_coef,
                              double *grad_intercept) noexcept:
        if self.error is not None:
            return NAN
        cdef int64_t K = p.n_outputs, d = p.X.n_cols
        try:
            point_coef = _array_from(coef, K * d).reshape(K, d)
            point_intercept = _array_from(intercept, K)
            with_gradient = grad_coef != NULL
            value, g_coef, g_intercept = self.data.loss_gradient(
                p.loss, K, p.loss_param, point_coef, point_intercept, with_gradient)
            value = float(value)
            if with_gradient:
                _copy_into(grad_coef, g_coef, K * d, "the gradient of the coefficients")
                _copy_into(grad_intercept, g_intercept, K, "the gradient of the intercepts")
            return INFINITY if value != value else value
        except BaseException as exc:  # KeyboardInterrupt included: re-raised by the bridge
            self.error = exc
            return NAN

    cdef double column_means(self, const fr_problem *p, double *mu) noexcept:
        if self.error is not None:
            return NAN
        try:
            means, total = self.data.column_means()
            if mu != NULL:
                _copy_into(mu, means, p.X.n_cols, "the column means")
            return float(total)
        except BaseException as exc:
            self.error = exc
            return NAN


cdef double _caller_loss_gradient(void *ctx, const fr_problem *problem, const double *coef,
                                  const double *intercept, double *grad_coef,
                                  double *grad_intercept) noexcept nogil:
    with gil:
        return (<_CallerRelay>ctx).loss_gradient(problem, coef, intercept, grad_coef,
                                                 grad_intercept)


cdef double _caller_column_means(void *ctx, const fr_problem *problem,
                                 double *mu) noexcept nogil:
    with gil:
        return (<_CallerRelay>ctx).column_means(problem, mu)


cdef object _array_from(const double *values, int64_t n):
    out = np.empty(n, dtype=np.float64)
    cdef double[::1] view = out
    if n > 0:
        memcpy(&view[0], values, <size_t>n * sizeof(double))
    return out


cdef int _copy_into(double *out, values, int64_t n, str what) except -1:
    array = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    if array.shape[0] != n:
        raise ValueError(f"a caller pass returned {array.shape[0]} values for {what}, "
                         f"not {n}")
    cdef const double[::1] view = array
    if n > 0:
        memcpy(out, &view[0], <size_t>n * sizeof(double))
    return 0


cdef int _fill_caller_problem(fr_problem *problem, int loss, X, int64_t n_outputs,
                              double loss_param, list keep) except -1:
    dtype = np.dtype(X.dtype)
    if dtype == np.float64:
        problem.X.dtype = FR_FLOAT64
    elif dtype == np.float32:
        problem.X.dtype = FR_FLOAT32
    else:
        raise ValueError(f"X must be float32 or float64, not {dtype}")
    problem.X.layout = FR_CALLER
    problem.X.n_rows, problem.X.n_cols = X.shape[0], X.shape[1]
    problem.X.values = NULL
    problem.X.nnz = 0  # the CSR fields: unused
    problem.X.index_type = FR_INDEX_INT64
    problem.X.indptr = NULL
    problem.X.indices = NULL
    problem.y = NULL
    problem.sample_weight = NULL
    if n_outputs < 1:
        raise ValueError("the number of outputs must be at least 1")
    if not LOSSES[loss]["per_class"] and n_outputs != 1:
        raise ValueError(f"the {LOSSES[loss]['name']} loss has exactly one output")
    problem.n_outputs = n_outputs
    problem.loss = loss
    problem.loss_param = loss_param
    relay = _CallerRelay(X)
    keep.append(relay)
    problem.caller = &relay.passes
    if not fr_problem_valid(problem):
        raise ValueError("the C kernels rejected the problem (sizes out of range)")
    return 0


cdef int _raise_caller_error(list keep) except -1:
    # After a C call: the first exception a caller pass raised, if any.
    for item in keep:
        if isinstance(item, _CallerRelay) and (<_CallerRelay>item).error is not None:
            raise (<_CallerRelay>item).error
    return 0
