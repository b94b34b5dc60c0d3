/* objective.h: the averaged objective G of fastreg.h as the solvers see it: one flat
 * parameter vector, its value and gradient from one fused pass, the optimality measure,
 * rounding estimates, the Lipschitz bound, implicit centring and the progress clock.
 *
 * Design decisions:
 *   a. All solver state is double. The data dtype matters only inside the fused pass,
 *      which reads the point in the data's dtype (fastreg.h).
 *   b. The parameters are one flat vector x = [W (K x d, row-major), b (K)], so W and b
 *      reach the fused pass as x and x + K d without a copy. When the intercept is not
 *      fitted its gradient is set to exactly 0, so every update (x - step g, momentum,
 *      x + a d with d built from gradients) leaves b bit-for-bit unchanged and no solver
 *      needs a special case.
 *   c. Value comparisons inside line searches allow for rounding in the loss sum
 *      (fr_value_noise: a few ulps of the objective, float ulps for float32 data, plus the
 *      rounding of scores whose terms ~ |mu.w| + |b| are large for uncentred data).
 *   d. Every pass may call the progress callback (at most every progress_interval
 *      seconds), start-up and line-search passes included, so a signal is noticed within
 *      about one pass even while a step size is being found. The callback reports the
 *      last completed iteration; when it asks to stop, `interrupted` is set and the
 *      solvers unwind to return the last accepted iterate.
 *   e. Implicit centring. With uncentred features the Gram matrix has one huge
 *      eigenvalue along the mean direction and first-order solvers crawl (mean 100:
 *      > 20,000 FISTA iterations). When `mu` is set, x holds (W, c) with c = b + W mu,
 *      mu the weighted column means: X w + b = (X - mu) w + c exactly, so minimiser and
 *      objective values are unchanged, and X is never copied: the pass runs on raw X at
 *      b = c - W mu, and the gradient becomes grad_W - mu grad_b^T, grad_c = grad_b.
 *      Penalties act on W, the same in both. The optimality measure stays the raw one. */
#ifndef FASTREG_OBJECTIVE_H
#define FASTREG_OBJECTIVE_H

#include <stdint.h>

#include "core.h"
#include "losses.h"
#include "penalties.h"

typedef struct {
    int (*callback)(void *ctx, int64_t iteration, double objective);
    void *ctx;
    double interval;   /* seconds between calls */
    double last_call;  /* clock value at the previous call (or the solve's start) */
    int64_t stride;    /* passes between clock reads */
    int64_t countdown; /* passes until the next clock read */
} fr_progress_clock;

typedef struct {
    const fr_problem *problem;
    const fr_loss_entry *loss;
    fr_penalty penalty;
    int64_t n_features;
    int64_t n_coef;   /* K d: the penalised entries of x */
    int64_t n_params; /* K d + K: the whole of x */
    int fit_intercept;
    double sum_weights; /* S */
    int n_threads;
    double *pass_scratch; /* fr_scratch_size doubles */
    /* Implicit centring (decision e): when mu is not NULL, x holds (W, c) and the pass
     * runs at the raw point (W, c - W mu), built in raw_point (n_params doubles). */
    const double *mu;
    double *raw_point;
    double score_terms; /* max_k sum_j |W_kj mu_j| + |b_k| at the last evaluated point */
    double data_eps;    /* machine epsilon of the data dtype: resolution of a pass */
    double value_scale; /* |G| at the start point: floor of the rounding estimate */
    int64_t n_evaluations;
    fr_progress_clock *clock;
    /* fr_solver_options.on_iteration and its context (NULL: none) */
    void (*on_iteration)(void *ctx, int64_t iteration, const double *coef,
                         const double *intercept);
    void *on_iteration_ctx;
    int64_t iteration; /* iterations completed */
    double reported;   /* objective after the last completed iteration */
    int interrupted;
} fr_objective;

/* Where a solver stopped. */
typedef struct {
    const double *point; /* where the returned coefficients live */
    double objective, optimality;
    int64_t n_iter;
    int status;
} fr_outcome;

int fr_set_outcome(fr_outcome *out, const double *point, double value, double optimality,
                   int64_t n_iter, int status);

/* A solver has completed iteration k at x with objective value: records them for the
 * progress callback and, for k > 0, hands the raw iterate to on_iteration. */
void fr_iteration_completed(fr_objective *o, const double *x, int64_t k, double value);

/* Seconds on a monotonic clock. */
double fr_monotonic_seconds(void);

/* Centred (W, c) -> raw (W, b = c - W mu); raw may equal x. And the inverse, in place. */
void fr_centred_to_raw(const fr_objective *o, const double *x, double *raw);
void fr_raw_to_centred(const fr_objective *o, double *x);

/* One fused pass at x: the smooth part f = loss / S + smooth penalty and, when grad is
 * not NULL, its gradient (in the coordinates of x; 0 for an intercept not fitted). */
double fr_evaluate_smooth(fr_objective *o, const double *x, double *grad);

/* Max-norm of the minimum-norm subgradient of G at x (raw coordinates, fastreg.h); NaN
 * when the gradient holds a non-finite entry, so that callers see divergence. */
double fr_optimality(const fr_objective *o, const double *x, const double *g);

/* One pass with gradient: returns G(x), stores f(x) and the optimality measure. */
double fr_evaluate_full(fr_objective *o, const double *x, double *grad, double *smooth,
                        double *optimality);

/* The non-smooth part of G at x. */
double fr_nonsmooth_value(const fr_objective *o, const double *x);

/* How far a computed objective near f can sit from the exact one (decision c). */
double fr_value_noise(const fr_objective *o, double f);

/* out = prox_{step P}(x - step g) on W and a plain gradient step of length
 * intercept_step on b. */
void fr_prox_gradient_step(const fr_objective *o, const double *x, const double *g,
                           double step, double intercept_step, double *out);

/* A Lipschitz constant of grad f: the loss's curvature times the top eigenvalue of
 * X^T S X / S (with the intercept column when with_intercept) plus l2, by power
 * iteration with the squared-loss pass. v, av and g0 hold d + 1 doubles each. */
double fr_lipschitz_bound(fr_objective *o, int with_intercept, int max_power_iter,
                          double rel_tol, double *v, double *av, double *g0);

/* Status of a solver that can no longer move: FR_CONVERGED when the optimality is within
 * 100 tol or the last step changed the objective by under 10 ulps (the objective's
 * resolution is exhausted), FR_MAX_ITER ("stopped before tol") otherwise. */
int fr_stall_status(const fr_objective *o, double tol, double optimality, double last_change);

double fr_dot(const double *a, const double *b, int64_t n);

#endif /* FASTREG_OBJECTIVE_H */
