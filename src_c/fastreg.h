/* fastreg.h: the whole interface of fastreg's C kernel layer.
 *
 * Pure C99, no Python headers. The data keep the caller's dtype (float32 or float64)
 * while every reduction (loss sums, gradient partial sums, solver state) is carried in
 * double; coefficients cross this interface as double whatever the data dtype.
 *
 * Design decisions:
 *   a. Four independent axes, each defined once: data access (fr_matrix: dense rows or
 *      CSR rows), losses (the loss table, losses.h), penalties (fr_penalty, penalties.h)
 *      and solvers (the solver table, solve.c). What adding one of each touches is
 *      listed in core.h.
 *   b. Layout: a dense X is C-contiguous n_rows x n_cols; a CSR X is scipy.sparse's
 *      compressed sparse rows (indptr, indices and values; int32 or int64 indices,
 *      indices unsorted or repeated within a row allowed: repeats add up); coefficients are
 *      n_outputs x n_features (row k belongs to output/class k, as scikit-learn's coef_);
 *      intercepts are n_outputs long. n_outputs is 1 for single-output losses (squared,
 *      logistic) and the number of classes K for per-class losses (multinomial).
 *   c. Targets y share X's dtype: the response (squared), 0/1 (logistic), or the class
 *      index 0..K-1 stored as a float (multinomial), as scikit-learn's _loss module does.
 *   d. Per-sample losses: squared l = (y - z)^2 / 2; logistic l = log(1 + exp(z)) - y z;
 *      multinomial l = logsumexp(z) - z_y. A NULL sample_weight means unit weights.
 *   e. Determinism: rows are cut into chunks whose count depends on the data's shape only
 *      (n_rows for dense X; n_rows, n_cols and the stored entries for CSR X); each
 *      chunk sums serially, threads take whole chunks, and the chunk partials are added
 *      in chunk order. Results are bitwise identical for any n_threads.
 *   f. No allocation inside an epoch: scratch space is sized by fr_scratch_size and
 *      allocated once by the caller (or once per solve, before the first pass).
 *   g. Indices are int64_t throughout (a 2^31-element X is a realistic input).
 */
#ifndef FASTREG_H
#define FASTREG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- data ------------------------------------------------------------------------------ */

enum fr_dtype { FR_FLOAT64 = 0, FR_FLOAT32 = 1 };

/* How the rows of X are stored: each layout has its own data-access file (data_*.h). */
enum fr_layout { FR_DENSE = 0, FR_CSR = 1 };

/* The integer type of a CSR matrix's indptr and indices (both the same, as in scipy). */
enum fr_index_type { FR_INDEX_INT32 = 0, FR_INDEX_INT64 = 1 };

/* Rows held outside this process (by a cluster's workers, say): the caller supplies every
 * pass over them through fr_problem.caller (fr_caller_passes, below). The code stays clear
 * of the stored layouts, which number up from 0. */
enum { FR_CALLER = 64 };

typedef struct {
    int dtype;      /* enum fr_dtype: of values (and of the problem's y and weights) */
    int layout;     /* enum fr_layout */
    int64_t n_rows; /* samples */
    int64_t n_cols; /* features */
    const void *values; /* FR_DENSE: n_rows x n_cols, C-contiguous; FR_CSR: nnz entries */
    /* FR_CSR only (ignored for FR_DENSE): row i holds values[indptr[i] .. indptr[i + 1])
     * at the columns indices[indptr[i] .. indptr[i + 1]). */
    int index_type;      /* enum fr_index_type */
    int64_t nnz;         /* stored entries: the length of values and of indices */
    const void *indptr;  /* n_rows + 1 entries, indptr[0] = 0, non-decreasing, last = nnz */
    const void *indices; /* nnz entries, each in [0, n_cols) */
} fr_matrix;

/* What fr_matrix_check finds wrong with a matrix (0: nothing). */
enum fr_matrix_status {
    FR_MATRIX_OK = 0,
    FR_MATRIX_BAD_FIELDS = 1,       /* unknown dtype/layout/index type, negative size, NULL */
    FR_MATRIX_INDPTR_START = 2,     /* CSR: indptr[0] != 0 */
    FR_MATRIX_INDPTR_DECREASING = 3, /* CSR: indptr[i + 1] < indptr[i] for some row i */
    FR_MATRIX_INDPTR_END = 4,       /* CSR: indptr[n_rows] != nnz */
    FR_MATRIX_INDEX_RANGE = 5       /* CSR: a column index outside [0, n_cols) */
};

/* Checks the fields and, for CSR, the whole structure (one read of indptr and indices);
 * returns an enum fr_matrix_status. The passes trust a matrix that passed it. */
int fr_matrix_check(const fr_matrix *X);

/* ---- losses (the table is in losses.h; codes are stable) -------------------------------- */

enum fr_loss { FR_LOSS_SQUARED = 0, FR_LOSS_LOGISTIC = 1, FR_LOSS_MULTINOMIAL = 2, FR_LOSS_COUNT };

/* What a caller may ask of a loss code. */
typedef struct {
    const char *name;      /* "squared", "logistic", "multinomial" */
    int per_class;         /* 1: n_outputs is the number of classes; 0: exactly one output */
    double curvature;      /* sup over z of the largest eigenvalue of d^2 l / dz^2 */
    int class_targets;     /* 1: y holds class indices 0..n_outputs-1 */
    int binary_targets;    /* 1: y holds 0 or 1 */
} fr_loss_info;

/* Fills *info for a known loss code and returns 1; returns 0 for an unknown code. */
int fr_loss_describe(int loss, fr_loss_info *info);

/* One training problem: the data and the loss. Pointers are borrowed, never written. */
typedef struct {
    fr_matrix X;
    const void *y;             /* n_rows, X's dtype */
    const void *sample_weight; /* n_rows, X's dtype, or NULL for unit weights */
    int64_t n_outputs;         /* 1, or K classes for a per-class loss */
    int loss;                  /* enum fr_loss */
    double loss_param;         /* a loss's own parameter; unused by today's losses (0) */
    /* X.layout == FR_CALLER only (ignored otherwise): the passes over the caller's data */
    const struct fr_caller_passes *caller;
} fr_problem;

/* Returns 1 when the sizes, dtype, layout, loss code and output count are consistent
 * and X passes fr_matrix_check (n_rows may be 0: a pass then sums nothing; fr_solve
 * needs a positive weight sum). */
int fr_problem_valid(const fr_problem *problem);

/* ---- penalties (penalties.h) --------------------------------------------------------- */

/* A penalty P(W) of a kind listed in penalties.h (0: the elastic net, P(W) =
 * l2/2 ||W||_F^2 + l1 ||W||_1 plus the constraint W >= 0 when positive: none, ridge,
 * lasso, elastic net and their non-negative variants are points of it). The intercept is
 * never penalised. */
typedef struct {
    double l2;    /* >= 0 */
    double l1;    /* >= 0 */
    int positive; /* 0 or 1 */
    int kind;     /* a penalty kind of penalties.h */
    double param; /* the kind's own parameter; unused by the elastic net (0) */
} fr_penalty;

/* Name of a penalty kind ("elastic_net"), NULL when unknown. */
const char *fr_penalty_name(int kind);

/* ---- solvers (the table is in solve.c) ------------------------------------------------ */

enum fr_solver_kind {
    FR_SOLVER_GD = 0,    /* batch proximal gradient descent with a fixed step */
    FR_SOLVER_FISTA = 1, /* accelerated proximal gradient, backtracking + adaptive restart */
    FR_SOLVER_LBFGS = 2, /* limited-memory BFGS, smooth objectives only (l1 == 0, no bound) */
    FR_SOLVER_COUNT
};

enum fr_status {
    FR_CONVERGED = 0,   /* optimality measure fell below tol */
    FR_MAX_ITER = 1,    /* max_iter reached first, or stalled before tol */
    FR_DIVERGED = 2,    /* objective or coefficients became non-finite */
    FR_INTERRUPTED = 3, /* the progress callback asked to stop (e.g. a pending signal) */
    FR_NO_MEMORY = 4,   /* scratch allocation failed before the first pass */
    FR_BAD_INPUT = 5    /* inconsistent sizes or options: caller bug, nothing computed */
};

/* Solver settings. The solver minimises the averaged objective
 *     G(W, b) = (1/S) sum_i s_i l_i(W, b) + P(W),   S = sum_i s_i,
 * with the intercept b never penalised (and held at its start value when
 * fit_intercept == 0).
 *
 * Optimality measure: the max-norm of the minimum-norm subgradient of G (penalties.h
 * gives it per coefficient; the intercept contributes its gradient when fitted). The
 * solver stops with FR_CONVERGED as soon as it is <= tol at the current iterate.
 *
 * Iteration semantics (GD, and the reference twin does the same): iteration t evaluates
 * G and its gradient at W_t (one fused pass), stops if W_t is optimal, otherwise steps
 *     W_{t+1} = prox_{lr P}(W_t - lr grad_W G),   b_{t+1} = b_t - lr grad_b G,
 * (the prox of the L1 part is soft-thresholding: exact zeros). objective_curve[t] =
 * G(W_{t+1}), the objective after t + 1 steps; n_iter is the number of steps taken;
 * result->objective and result->optimality are evaluated at the returned point (one
 * extra pass when the loop ends at max_iter). A non-finite objective or gradient stops
 * with FR_DIVERGED and returns the last finite iterate. */
typedef struct {
    int solver;           /* enum fr_solver_kind */
    fr_penalty penalty;
    int fit_intercept;    /* 0 or 1 */
    double learning_rate; /* GD: the fixed step on G; FISTA: first step guess; <= 0: auto */
    int64_t max_iter;     /* >= 1; iterations = epochs for GD */
    double tol;           /* >= 0 */
    int n_threads;        /* >= 1 */
    /* Called between passes, at most every progress_interval seconds (and never when
     * NULL). It runs on the solver's thread; a nonzero return stops the solve with
     * FR_INTERRUPTED. iteration counts completed iterations. */
    int (*progress)(void *ctx, int64_t iteration, double objective);
    void *progress_ctx;
    double progress_interval;
    /* Called after every completed iteration (never when NULL) with the iterate in raw
     * coordinates: coef (n_outputs x n_features) and intercept, valid during the call
     * only. It runs on the solver's thread, between passes: for callbacks that follow
     * the fit iteration by iteration (scikit-learn's callback API). */
    void (*on_iteration)(void *ctx, int64_t iteration, const double *coef,
                         const double *intercept);
    void *on_iteration_ctx;
} fr_solver_options;

typedef struct {
    int64_t n_iter;        /* iterations performed */
    int status;            /* enum fr_status */
    double objective;      /* G at the returned coefficients */
    double optimality;     /* the stopping measure at the returned coefficients */
    int64_t n_evaluations; /* fused passes over X */
} fr_solver_result;

/* Name of a solver kind ("gd", "fista", "lbfgs"), NULL when unknown; and whether it
 * accepts a non-smooth penalty (an L1 term or the positivity constraint). */
const char *fr_solver_name(int solver);
int fr_solver_handles_nonsmooth(int solver);

/* ---- array functions (out has the input's shape; in and out must not overlap) ------ */
void fr_sigmoid_array_f64(const double *x, int64_t n, double *out);
void fr_sigmoid_array_f32(const float *x, int64_t n, float *out);
void fr_log_sum_exp_rows_f64(const double *Z, int64_t n_rows, int64_t n_cols, double *out);
void fr_log_sum_exp_rows_f32(const float *Z, int64_t n_rows, int64_t n_cols, float *out);
void fr_softmax_rows_f64(const double *Z, int64_t n_rows, int64_t n_cols, double *out);
void fr_softmax_rows_f32(const float *Z, int64_t n_rows, int64_t n_cols, float *out);

/* ---- passes over the data -------------------------------------------------------------- */
/* Doubles of scratch that fr_loss_gradient and fr_column_means need for this problem. */
int64_t fr_scratch_size(const fr_problem *problem);

/* The fused pass, one read of X: returns sum_i s_i l_i and, when grad_coef is not NULL,
 * writes grad_coef[k, j] = sum_i s_i dl_i/dW[k, j] and grad_intercept[k] =
 * sum_i s_i dl_i/db[k]. The pass reads coef and intercept in the data's dtype (float32
 * data: rounded to float, overflow to +-inf). scratch holds fr_scratch_size doubles. */
double fr_loss_gradient(const fr_problem *problem, const double *coef, const double *intercept,
                        double *grad_coef, double *grad_intercept, double *scratch,
                        int n_threads);

/* Sample-weighted column means mu[j] = sum_i s_i X[i, j] / sum_i s_i, one read of X,
 * with the fused pass's chunks (bitwise identical for any n_threads). Returns sum_i s_i;
 * when that is not positive and finite the means are set to 0. */
double fr_column_means(const fr_problem *problem, double *mu, double *scratch, int n_threads);

/* Scores Z = X W^T + b into out (n_rows x n_outputs, row-major), with the fused pass's
 * dot products (in the data's dtype, summed to double): the prediction of every data
 * layout. Returns 0, or FR_NO_MEMORY when the float copy of W could not be allocated. */
int fr_scores(const fr_matrix *X, const double *coef, const double *intercept,
              int64_t n_outputs, double *out, int n_threads);

/* ---- passes supplied by the caller (data_caller.h) ------------------------------------ */
/* For X.layout == FR_CALLER the rows, targets and weights belong to the caller: X.n_rows,
 * X.n_cols and X.dtype describe them (the dtype sets the rounding the solvers allow for),
 * while X.values, y and sample_weight are unused. fr_loss_gradient and fr_column_means on
 * such a problem, and so every pass of fr_solve, call these functions instead of reading
 * rows; fr_scores has nothing to read and returns FR_BAD_INPUT. They run on the thread
 * that called fr_solve, receive the problem they are asked about (its loss and n_outputs
 * may differ from the solved problem's: the step-size estimate asks for the squared loss)
 * and must return the sums the in-memory pass would, added in an order fixed by the data
 * alone (decision e), so that the solve is deterministic. */
typedef struct fr_caller_passes {
    /* fr_loss_gradient's contract. A NaN return means the pass failed: the solver then
     * stops as if interrupted (FR_INTERRUPTED) and the caller reports why. */
    double (*loss_gradient)(void *ctx, const fr_problem *problem, const double *coef,
                            const double *intercept, double *grad_coef,
                            double *grad_intercept);
    /* fr_column_means's contract (mu may be NULL: the weight sum alone). */
    double (*column_means)(void *ctx, const fr_problem *problem, double *mu);
    void *ctx;
} fr_caller_passes;

/* ---- solve ---------------------------------------------------------------------------- */
/* coef (n_outputs x n_features) and intercept (n_outputs) hold the start point on entry
 * and the solution on return. objective_curve receives G after each iteration (max_iter
 * doubles). Returns result->status. */
int fr_solve(const fr_problem *problem, const fr_solver_options *options, double *coef,
             double *intercept, double *objective_curve, fr_solver_result *result);

/* ---- build and machine facts -------------------------------------------------------- */
int fr_openmp_enabled(void);      /* 1 when compiled with OpenMP */
int fr_max_threads(void);         /* OpenMP's current thread limit, 1 without OpenMP */
/* 1 in a process forked (directly or through forked ancestors) after the kernels had
 * started threads: GNU OpenMP's pool does not survive fork(), so they run serially there
 * (same results, see platform.c); 0 otherwise. */
int fr_serial_after_fork(void);
const char *fr_simd_level(void);  /* widest instruction set the kernels use on this CPU */

/* Streams over n doubles with n_threads threads and returns their sum: the bench's
 * read-bandwidth probe (the sum keeps the compiler from dropping the reads). */
double fr_stream_read_f64(const double *data, int64_t n, int n_threads);

/* ---- the statistics pass (pass_stats.c) ------------------------------------------- */
/* One read of X (n_rows x d) and Y (n_rows x n_targets, C-contiguous, X's dtype; may be
 * NULL when n_targets is 0) with sample weights s (X's dtype, NULL: unit weights), for
 * V = [X | Y] with p = d + n_targets columns: *sum_weights = S = sum_i s_i,
 * mean[j] = sum_i s_i V[i, j] / S (p doubles) and gram = V_c^T diag(s) V_c with
 * V_c = V - mean (p x p doubles, row-major, symmetric). Every sum is double (float32
 * products inside 64-row blocks, see stats_kernel_template.h); results are bitwise
 * identical for any n_threads (fastreg.h, decision e). With S = 0 everything is 0.
 * Returns FR_CONVERGED (0), FR_NO_MEMORY or FR_BAD_INPUT. */
int fr_statistics(const fr_matrix *X, const void *Y, int64_t n_targets,
                  const void *sample_weight, double *sum_weights, double *mean, double *gram,
                  int n_threads);
/* Chunks of the statistics pass over n_rows rows of n_columns (= p) columns. */
int64_t fr_stats_chunk_count(int64_t n_rows, int64_t n_columns);

/* ---- coordinate descent for least squares (solver_cd.c) ------------------------------ */
/* The elastic net on least squares, by coordinate descent: the algorithm of
 * scikit-learn's enet_coordinate_descent(_gram), on the summed objective
 *     P(w) = 1/2 ||y_c - X_c w||_S^2 + l1 ||w||_1 + l2/2 ||w||^2   (w >= 0 when positive),
 * with ||r||_S^2 = sum_i s_i r_i^2 and X_c, y_c centred by the given means (or raw).
 * Unlike fr_solve it needs no pass over X when it has the sufficient statistics. */

/* How the solver reaches the data. */
enum fr_cd_access {
    FR_CD_GRAM = 0,   /* the statistics Q = X_c^T S X_c, q = X_c^T S y_c, y_c^T S y_c:
                         O(d^2) per sweep, never reads X */
    FR_CD_COLUMNS = 1 /* the columns of X (column-major), centred on the fly: O(n d) per
                         sweep, keeps the residual */
};
enum fr_cd_selection { FR_CD_CYCLIC = 0, FR_CD_RANDOM = 1 };

typedef struct {
    int access;         /* enum fr_cd_access */
    int64_t n_features; /* d */
    /* FR_CD_GRAM: Q (d x d, symmetric, C-contiguous), q (d) and y_c^T S y_c */
    const double *gram;
    const double *xty;
    double yty;
    /* FR_CD_COLUMNS: X column-major (column j at columns + j n_rows, of dtype), y and the
     * weights (NULL: unit) in that dtype, and the centring means (x_mean NULL: none) */
    int dtype; /* enum fr_dtype */
    int64_t n_rows;
    const void *columns;
    const void *y;
    const void *sample_weight;
    const double *x_mean;
    double y_mean;
} fr_cd_data;

typedef struct {
    fr_penalty penalty; /* l1, l2 of P (the averaged objective's times sum_i s_i) */
    int64_t max_iter;   /* sweeps, >= 1 */
    /* >= 0, as scikit-learn applies it: a sweep whose largest coefficient change is
     * <= tol max_j |w_j| triggers the duality-gap test gap <= tol y_c^T S y_c. */
    double tol;
    int selection;  /* enum fr_cd_selection */
    uint32_t seed;  /* FR_CD_RANDOM: state of the xorshift32 generator (0 acts as 1) */
    int screening;  /* 1: gap safe screening rules (used only when l1 > 0) */
    int n_threads;  /* >= 1; FR_CD_COLUMNS: threads of the gap pass; results do not depend on it */
    int (*progress)(void *ctx, int64_t iteration, double objective);
    void *progress_ctx;
    double progress_interval;
} fr_cd_options;

typedef struct {
    int64_t n_iter;    /* sweeps done (0: the start point passed the gap test) */
    int status;        /* enum fr_status */
    double gap;        /* the duality gap of P at the returned point (last test) */
    double tol_scaled; /* tol y_c^T S y_c: what the gap was compared with */
    double objective;  /* P at the returned point */
    double optimality; /* max-norm of the minimum-norm subgradient of P there */
} fr_cd_result;

/* Minimises P from coef (d doubles: the start point on entry, the solution on return).
 * objective_curve receives P after each sweep (max_iter doubles). Returns result->status:
 * FR_CONVERGED when the gap test passed, FR_MAX_ITER after max_iter sweeps,
 * FR_DIVERGED when a coefficient became non-finite, FR_INTERRUPTED, FR_NO_MEMORY, or
 * FR_BAD_INPUT for inconsistent data or options. */
int fr_cd_solve(const fr_cd_data *data, const fr_cd_options *options, double *coef,
                double *objective_curve, fr_cd_result *result);

/* out (n_rows x n_cols, column-major) = X (row-major), both of dtype: the column copy
 * FR_CD_COLUMNS reads, made in cache tiles on n_threads threads. Returns 0, or
 * FR_BAD_INPUT. */
int fr_cd_column_major(int dtype, const void *X, int64_t n_rows, int64_t n_cols, void *out,
                       int n_threads);

/* One step of the generator of FR_CD_RANDOM (Marsaglia's xorshift32 with shifts 13, 17,
 * 5, as scikit-learn's our_rand_r): advances *state and returns it modulo 2^31. */
uint32_t fr_cd_random(uint32_t *state);

#ifdef __cplusplus
}
#endif
#endif /* FASTREG_H */
