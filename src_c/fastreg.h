/* fastreg.h: the whole interface of fastreg's C kernel layer.
 *
 * Pure C99, no Python headers. The data keep the caller's dtype (float32 or float64)
 * while every reduction (loss sums, gradient partial sums, solver state) is carried in
 * double; coefficients cross this interface as double whatever the data dtype.
 *
 * Design decisions:
 *   a. Four independent axes, each defined once: data access (fr_matrix: dense rows
 *      today), losses (the loss table, losses.h), penalties (fr_penalty, penalties.h)
 *      and solvers (the solver table, solve.c). What adding one of each touches is
 *      listed in core.h.
 *   b. Layout: a dense X is C-contiguous n_rows x n_cols; coefficients are
 *      n_outputs x n_features (row k belongs to output/class k, as scikit-learn's coef_);
 *      intercepts are n_outputs long. n_outputs is 1 for single-output losses (squared,
 *      logistic) and the number of classes K for per-class losses (multinomial).
 *   c. Targets y share X's dtype: the response (squared), 0/1 (logistic), or the class
 *      index 0..K-1 stored as a float (multinomial), as scikit-learn's _loss module does.
 *   d. Per-sample losses: squared l = (y - z)^2 / 2; logistic l = log(1 + exp(z)) - y z;
 *      multinomial l = logsumexp(z) - z_y. A NULL sample_weight means unit weights.
 *   e. Determinism: rows are cut into chunks whose count depends on n_rows only; each
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
enum fr_layout { FR_DENSE = 0 };

/* Rows held outside this process (by a cluster's workers, say): the caller supplies every
 * pass over them through fr_problem.caller (fr_caller_passes, below). The code stays clear
 * of the stored layouts, which number up from 0. */
enum { FR_CALLER = 64 };

typedef struct {
    int dtype;      /* enum fr_dtype: of values (and of the problem's y and weights) */
    int layout;     /* enum fr_layout */
    int64_t n_rows; /* samples */
    int64_t n_cols; /* features */
    const void *values; /* FR_DENSE: n_rows x n_cols, C-contiguous */
} fr_matrix;

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
 * (n_rows may be 0: a pass then sums nothing; fr_solve needs a positive weight sum). */
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

#ifdef __cplusplus
}
#endif
#endif /* FASTREG_H */
