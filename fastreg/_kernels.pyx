# fastreg._kernels: the thin typed bridge between Python and the C kernels in src_c/.
#
# a. Inputs arrive as const typed memoryviews, so read-only arrays and memmaps work and
#    nothing is copied; callers (fastreg/_functions.py, fastreg/_base.py) have already
#    validated dtypes, shapes and contiguity. The fused type `floating` picks the _f32 or
#    _f64 C entry point.
# b. Every C call runs under `with nogil`: the math lives in C, this file only converts.
# c. The solver calls back into Python between iterations (at most every
#    progress_interval seconds) to check for signals and run the caller's progress
#    function; an exception raised there stops the solve and is re-raised here.
from cpython.exc cimport PyErr_CheckSignals
from cython cimport floating
from libc.stdint cimport int64_t

import numpy as np

cdef extern from "fastreg.h" nogil:
    ctypedef struct fr_problem_f64:
        const double *X
        const double *y
        const double *sample_weight
        int64_t n_samples
        int64_t n_features
        int64_t n_outputs
        int loss

    ctypedef struct fr_problem_f32:
        const float *X
        const float *y
        const float *sample_weight
        int64_t n_samples
        int64_t n_features
        int64_t n_outputs
        int loss

    ctypedef int (*fr_progress_fn)(void *ctx, int64_t iteration, double objective) noexcept nogil

    ctypedef struct fr_solver_options:
        int solver
        double l2
        double l1
        int fit_intercept
        double learning_rate
        int64_t max_iter
        double tol
        int n_threads
        fr_progress_fn progress
        void *progress_ctx
        double progress_interval

    ctypedef struct fr_solver_result:
        int64_t n_iter
        int status
        double objective
        double optimality
        int64_t n_evaluations

    enum:
        FR_LOSS_SQUARED
        FR_LOSS_LOGISTIC
        FR_LOSS_MULTINOMIAL
        FR_SOLVER_GD
        FR_SOLVER_FISTA
        FR_SOLVER_LBFGS
        FR_CONVERGED
        FR_MAX_ITER
        FR_DIVERGED
        FR_INTERRUPTED
        FR_NO_MEMORY
        FR_BAD_INPUT

    void fr_sigmoid_array_f64(const double *x, int64_t n, double *out)
    void fr_sigmoid_array_f32(const float *x, int64_t n, float *out)
    void fr_log_sum_exp_rows_f64(const double *Z, int64_t n_rows, int64_t n_cols, double *out)
    void fr_log_sum_exp_rows_f32(const float *Z, int64_t n_rows, int64_t n_cols, float *out)
    void fr_softmax_rows_f64(const double *Z, int64_t n_rows, int64_t n_cols, double *out)
    void fr_softmax_rows_f32(const float *Z, int64_t n_rows, int64_t n_cols, float *out)

    int64_t fr_scratch_size(int64_t n_samples, int64_t n_features, int64_t n_outputs)
    double fr_loss_gradient_f64(const fr_problem_f64 *problem, const double *coef,
                                const double *intercept, double *grad_coef,
                                double *grad_intercept, double *scratch, int n_threads)
    double fr_loss_gradient_f32(const fr_problem_f32 *problem, const float *coef,
                                const float *intercept, double *grad_coef,
                                double *grad_intercept, double *scratch, int n_threads)
    int fr_solve_f64(const fr_problem_f64 *problem, const fr_solver_options *options,
                     double *coef, double *intercept, double *objective_curve,
                     fr_solver_result *result)
    int fr_solve_f32(const fr_problem_f32 *problem, const fr_solver_options *options,
                     double *coef, double *intercept, double *objective_curve,
                     fr_solver_result *result)

    int fr_openmp_enabled()
    int fr_max_threads()
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


def _check_problem(int loss, X, y, sample_weight, coef, intercept):
    # O(1) shape checks: C trusts its sizes, so a mismatch here would be an out-of-bounds
    # read there. (Element addresses below are taken with boundscheck off: for an empty
    # view &a[0] is the buffer's start, valid and never dereferenced.)
    n, d = X.shape[0], X.shape[1]
    k = coef.shape[0]
    if loss not in (FR_LOSS_SQUARED, FR_LOSS_LOGISTIC, FR_LOSS_MULTINOMIAL):
        raise ValueError(f"unknown loss code {loss}")
    if y.shape[0] != n:
        raise ValueError(f"y has {y.shape[0]} entries for {n} rows of X")
    if sample_weight is not None and sample_weight.shape[0] != n:
        raise ValueError(f"sample_weight has {sample_weight.shape[0]} entries for {n} rows of X")
    if coef.shape[1] != d:
        raise ValueError(f"coef has {coef.shape[1]} columns for {d} features")
    if k < 1 or intercept.shape[0] != k:
        raise ValueError(f"coef has {k} rows and intercept {intercept.shape[0]} entries; "
                         "both must equal the number of outputs (at least 1)")
    if loss != FR_LOSS_MULTINOMIAL and k != 1:
        raise ValueError("the squared and logistic losses have exactly one output")


def loss_gradient(int loss, const floating[:, ::1] X, const floating[::1] y,
                  const floating[::1] sample_weight, const floating[:, ::1] coef,
                  const floating[::1] intercept, int n_threads):
    """One fused pass over ``X``: the weighted loss sum and its gradients.

    Returns ``(loss_sum, grad_coef (K, d) float64, grad_intercept (K,) float64)``;
    ``sample_weight`` may be None (unit weights).
    """
    _check_problem(loss, X, y, sample_weight, coef, intercept)
    cdef int64_t n = X.shape[0], d = X.shape[1], k = coef.shape[0]
    grad_coef_arr = np.zeros((k, d), dtype=np.float64)
    grad_intercept_arr = np.zeros(k, dtype=np.float64)
    scratch_arr = np.empty(max(fr_scratch_size(n, d, k), 1), dtype=np.float64)
    cdef double[:, ::1] grad_coef = grad_coef_arr
    cdef double[::1] grad_intercept = grad_intercept_arr
    cdef double[::1] scratch = scratch_arr
    cdef double value
    cdef fr_problem_f64 problem64
    cdef fr_problem_f32 problem32
    cdef const floating *X_ptr = &X[0, 0]
    cdef const floating *coef_ptr = &coef[0, 0]
    cdef double *grad_coef_ptr = &grad_coef[0, 0]
    cdef const floating *sw_ptr = NULL
    if sample_weight is not None:
        sw_ptr = &sample_weight[0]
    with nogil:
        if floating is float:
            problem32.X = X_ptr
            problem32.y = &y[0]
            problem32.sample_weight = sw_ptr
            problem32.n_samples, problem32.n_features, problem32.n_outputs = n, d, k
            problem32.loss = loss
            value = fr_loss_gradient_f32(&problem32, coef_ptr, &intercept[0], grad_coef_ptr,
                                         &grad_intercept[0], &scratch[0], n_threads)
        else:
            problem64.X = X_ptr
            problem64.y = &y[0]
            problem64.sample_weight = sw_ptr
            problem64.n_samples, problem64.n_features, problem64.n_outputs = n, d, k
            problem64.loss = loss
            value = fr_loss_gradient_f64(&problem64, coef_ptr, &intercept[0], grad_coef_ptr,
                                         &grad_intercept[0], &scratch[0], n_threads)
    return value, grad_coef_arr, grad_intercept_arr


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


def solve(int loss, const floating[:, ::1] X, const floating[::1] y,
          const floating[::1] sample_weight, double[:, ::1] coef, double[::1] intercept, *,
          int solver, double l2, double l1, bint fit_intercept, double learning_rate,
          int64_t max_iter, double tol, int n_threads, progress=None,
          double progress_interval=0.2):
    """Minimise the averaged objective of fastreg.h in C, starting from ``coef``/``intercept``.

    ``coef`` (K, d) and ``intercept`` (K,) are float64 and are updated in place. Returns
    ``(coef, intercept, objective_curve, n_iter, status)``; an exception raised by
    ``progress(iteration, objective)`` or by a pending signal is re-raised.
    """
    _check_problem(loss, X, y, sample_weight, coef, intercept)
    cdef int64_t n = X.shape[0], d = X.shape[1], k = coef.shape[0]
    curve_arr = np.zeros(max(max_iter, 1), dtype=np.float64)
    cdef double[::1] curve = curve_arr
    cdef _ProgressRelay relay = _ProgressRelay(progress)
    cdef fr_solver_options options
    cdef fr_solver_result result
    cdef fr_problem_f64 problem64
    cdef fr_problem_f32 problem32
    cdef int status
    cdef double *coef_ptr = &coef[0, 0]
    options.solver = solver
    options.l2 = l2
    options.l1 = l1
    options.fit_intercept = fit_intercept
    options.learning_rate = learning_rate
    options.max_iter = max_iter
    options.tol = tol
    options.n_threads = n_threads
    options.progress = _relay_progress
    options.progress_ctx = <void *>relay
    options.progress_interval = progress_interval
    result.n_iter = 0
    cdef const floating *sw_ptr = NULL
    if sample_weight is not None:
        sw_ptr = &sample_weight[0]
    with nogil:
        if floating is float:
            problem32.X = &X[0, 0]
            problem32.y = &y[0]
            problem32.sample_weight = sw_ptr
            problem32.n_samples, problem32.n_features, problem32.n_outputs = n, d, k
            problem32.loss = loss
            status = fr_solve_f32(&problem32, &options, coef_ptr, &intercept[0], &curve[0],
                                  &result)
        else:
            problem64.X = &X[0, 0]
            problem64.y = &y[0]
            problem64.sample_weight = sw_ptr
            problem64.n_samples, problem64.n_features, problem64.n_outputs = n, d, k
            problem64.loss = loss
            status = fr_solve_f64(&problem64, &options, coef_ptr, &intercept[0], &curve[0],
                                  &result)
    if relay.error is not None:
        raise relay.error
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
