/* fastreg.h: the whole interface of fastreg's C kernel layer.
 *
 * Pure C99, no Python headers. Every function exists for float32 (suffix _f32) and
 * float64 (suffix _f64); the data X, y and sample weights keep the caller's dtype while
 * every reduction (loss sums, gradient partial sums, solver state) is carried in double.
 *
 * Design decisions:
 *   a. Layout: X is C-contiguous n_samples x n_features; coefficients are
 *      n_outputs x n_features (row k belongs to output/class k, as scikit-learn's coef_);
 *      intercepts are n_outputs long. n_outputs is 1 for the squared and logistic losses
 *      and the number of classes K for the multinomial loss.
 *   b. Targets y share X's dtype: the response (squared), 0/1 (logistic), or the class
 *      index 0..K-1 stored as a float (multinomial), as scikit-learn's _loss module does.
 *   c. Per-sample losses: squared l = (y - z)^2 / 2; logistic l = log(1 + exp(z)) - y z;
 *      multinomial l = logsumexp(z) - z_y. A NULL sample_weight means unit weights.
 *   d. Determinism: rows are cut into chunks whose count depends on n_samples only;
 *      each chunk sums serially, threads take whole chunks, and the chunk partials are
 *      added in chunk order. Results are bitwise identical for any n_threads.
 *   e. No allocation inside an epoch: scratch space is sized by fr_scratch_size and
 *      allocated once by the caller (or once per solve, before the first epoch).
 *   f. Indices are int64_t throughout (a 2^31-element X is a realistic input).
 */
#ifndef FASTREG_H
#define FASTREG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum fr_loss { FR_LOSS_SQUARED = 0, FR_LOSS_LOGISTIC = 1, FR_LOSS_MULTINOMIAL = 2 };

enum fr_solver_kind {
    FR_SOLVER_GD = 0,    /* batch (proximal) gradient descent with a fixed step */
    FR_SOLVER_FISTA = 1, /* accelerated proximal gradient, backtracking + adaptive restart */
    FR_SOLVER_LBFGS = 2  /* limited-memory BFGS, smooth objectives only (l1 == 0) */
};

enum fr_status {
    FR_CONVERGED = 0,   /* optimality measure fell below tol */
    FR_MAX_ITER = 1,    /* max_iter reached first */
    FR_DIVERGED = 2,    /* objective or coefficients became non-finite */
    FR_INTERRUPTED = 3, /* the progress callback asked to stop (e.g. a pending signal) */
    FR_NO_MEMORY = 4,   /* scratch allocation failed before the first epoch */
    FR_BAD_INPUT = 5    /* inconsistent sizes or options: caller bug, nothing computed */
};

/* One training problem: the data and the loss. Pointers are borrowed, never written. */
typedef struct {
    const double *X;             /* n_samples x n_features, C-contiguous */
    const double *y;             /* n_samples */
    const double *sample_weight; /* n_samples, or NULL for unit weights */
    int64_t n_samples;
    int64_t n_features;
    int64_t n_outputs; /* 1, or K classes for FR_LOSS_MULTINOMIAL */
    int loss;          /* enum fr_loss */
} fr_problem_f64;

typedef struct {
    const float *X;
    const float *y;
    const float *sample_weight;
    int64_t n_samples;
    int64_t n_features;
    int64_t n_outputs;
    int loss;
} fr_problem_f32;

/* Solver settings. The solver minimises the averaged objective
 *     G(W, b) = (1/S) sum_i s_i l_i(W, b) + l2/2 ||W||_F^2 + l1 ||W||_1,   S = sum_i s_i,
 * with the intercept b never penalised (and held at its start value when
 * fit_intercept == 0).
 *
 * Optimality measure: the max-norm of the minimum-norm subgradient of G, i.e. per
 * coefficient g + l1 sign(w) where w != 0 and max(|g| - l1, 0) where w == 0 (g the
 * gradient of the smooth part), and the intercept gradient when fit_intercept. The
 * solver stops with FR_CONVERGED as soon as it is <= tol at the current iterate.
 *
 * Iteration semantics (GD, and the reference twin does the same): iteration t evaluates
 * G and its gradient at W_t (one fused pass), stops if W_t is optimal, otherwise steps
 *     W_{t+1} = prox_{lr l1}(W_t - lr grad_W G),   b_{t+1} = b_t - lr grad_b G,
 * where prox is soft-thresholding (exact zeros). objective_curve[t] = G(W_{t+1}), the
 * objective after t + 1 steps; n_iter is the number of steps taken; result->objective
 * and result->optimality are evaluated at the returned point (one extra pass when the
 * loop ends at max_iter). A non-finite objective or gradient stops with FR_DIVERGED and
 * returns the last finite iterate. */
typedef struct {
    int solver;           /* enum fr_solver_kind */
    double l2;            /* >= 0 */
    double l1;            /* >= 0 */
    int fit_intercept;    /* 0 or 1 */
    double learning_rate; /* GD: the fixed step on G; FISTA: first step guess; <= 0: auto */
    int64_t max_iter;     /* >= 1; iterations = epochs for GD */
    double tol;           /* >= 0 */
    int n_threads;        /* >= 1 */
    /* Called between iterations, at most every progress_interval seconds (and never
     * when NULL). It runs on the solver's thread; a nonzero return stops the solve with
     * FR_INTERRUPTED. iteration counts from 1. */
    int (*progress)(void *ctx, int64_t iteration, double objective);
    void *progress_ctx;
    double progress_interval;
} fr_solver_options;

typedef struct {
    int64_t n_iter;       /* iterations performed */
    int status;           /* enum fr_status */
    double objective;     /* G at the returned coefficients */
    double optimality;    /* the stopping measure at the returned coefficients */
    int64_t n_evaluations; /* fused passes over X */
} fr_solver_result;

/* ---- numerically stable scalar functions ------------------------------------------ */
double fr_sigmoid_f64(double z);
float fr_sigmoid_f32(float z);
double fr_log1pexp_f64(double z); /* log(1 + exp(z)) */
float fr_log1pexp_f32(float z);

/* ---- array functions (out has the input's shape; in and out must not overlap) ------ */
void fr_sigmoid_array_f64(const double *x, int64_t n, double *out);
void fr_sigmoid_array_f32(const float *x, int64_t n, float *out);
void fr_log_sum_exp_rows_f64(const double *Z, int64_t n_rows, int64_t n_cols, double *out);
void fr_log_sum_exp_rows_f32(const float *Z, int64_t n_rows, int64_t n_cols, float *out);
void fr_softmax_rows_f64(const double *Z, int64_t n_rows, int64_t n_cols, double *out);
void fr_softmax_rows_f32(const float *Z, int64_t n_rows, int64_t n_cols, float *out);

/* ---- the fused pass ------------------------------------------------------------------ */
/* Doubles of scratch that fr_loss_gradient_* needs for this problem shape. */
int64_t fr_scratch_size(int64_t n_samples, int64_t n_features, int64_t n_outputs);

/* One read of X: returns sum_i s_i l_i and, when grad_coef is not NULL, writes
 * grad_coef[k, j] = sum_i s_i dl_i/dW[k, j] and grad_intercept[k] = sum_i s_i dl_i/db[k].
 * coef and intercept have the data's dtype. scratch holds fr_scratch_size doubles. */
double fr_loss_gradient_f64(const fr_problem_f64 *problem, const double *coef,
                            const double *intercept, double *grad_coef,
                            double *grad_intercept, double *scratch, int n_threads);
double fr_loss_gradient_f32(const fr_problem_f32 *problem, const float *coef,
                            const float *intercept, double *grad_coef,
                            double *grad_intercept, double *scratch, int n_threads);

/* ---- solvers ------------------------------------------------------------------------ */
/* coef (n_outputs x n_features) and intercept (n_outputs) hold the start point on entry
 * and the solution on return (double whatever the data dtype). objective_curve receives
 * G after each iteration (max_iter doubles). Returns result->status. */
int fr_solve_f64(const fr_problem_f64 *problem, const fr_solver_options *options,
                 double *coef, double *intercept, double *objective_curve,
                 fr_solver_result *result);
int fr_solve_f32(const fr_problem_f32 *problem, const fr_solver_options *options,
                 double *coef, double *intercept, double *objective_curve,
                 fr_solver_result *result);

/* ---- build and machine facts -------------------------------------------------------- */
int fr_openmp_enabled(void);      /* 1 when compiled with OpenMP */
int fr_max_threads(void);         /* OpenMP's current thread limit, 1 without OpenMP */
const char *fr_simd_level(void);  /* widest instruction set the kernels use on this CPU */

/* Streams over n doubles with n_threads threads and returns their sum: the bench's
 * read-bandwidth probe (the sum keeps the compiler from dropping the reads). */
double fr_stream_read_f64(const double *data, int64_t n, int n_threads);

#ifdef __cplusplus
}
#endif
#endif /* FASTREG_H */
