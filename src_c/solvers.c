/* solvers.c: fr_solve_f64 / fr_solve_f32, the optimisers that drive the fused loss +
 * gradient pass: batch proximal gradient descent (GD), accelerated proximal gradient
 * with backtracking and adaptive restart (FISTA), and limited-memory BFGS (L-BFGS).
 *
 * Design decisions:
 *   a. One implementation serves both dtypes. The data dtype matters only inside
 *      evaluate_smooth, which hands float64 data the solver's own arrays and converts the
 *      point to a float copy for float32 data (K d + K floats, cheap next to a pass).
 *      All solver state (points, momentum, L-BFGS pairs) is double.
 *   b. The parameters are one flat vector x = [W (K x d, row-major), b (K)], so W and b
 *      reach the fused pass as x and x + K d without a copy. When the intercept is not
 *      fitted its gradient is set to exactly 0, so every update (x - step g, momentum,
 *      x + a d with d built from gradients) leaves b bit-for-bit unchanged and no solver
 *      needs a special case.
 *   c. Scratch memory (vectors, L-BFGS ring buffers, the pass's scratch) is one malloc
 *      per solve, before the first pass; the iteration loops never allocate.
 *   d. Value comparisons inside line searches allow for rounding in the loss sum
 *      (value_noise: a few ulps of the objective, float ulps for float32 data, plus the
 *      rounding of scores whose terms ~ |mu.w| + |b| are large for uncentred data). Near the
 *      optimum true decreases fall below that noise; there FISTA stops shrinking L (a
 *      smaller L can no longer be verified) and the L-BFGS search leans on its
 *      gradient-based curvature test, so both still reach tight tolerances.
 *   e. GD's automatic step and FISTA's first L come from a global Lipschitz bound
 *      c * lambda_max([X 1]^T S [X 1] / S) + l2, c = 1, 1/4, 1/2 for the squared,
 *      logistic and multinomial losses. lambda_max comes from power iteration with the
 *      squared-loss pass, whose gradient difference g(v) - g(0) is exactly the Gram
 *      matrix times v whatever y holds. Power iteration approaches lambda_max from
 *      below; stopping at a 1% change is enough because a fixed step stays stable up
 *      to 2 / L. GD confirms the step by backtracking at the start point and then keeps
 *      it fixed. In centred coordinates (decision h) the same probe yields the centred
 *      Gram matrix, and the start vector gets a fixed golden-ratio perturbation, since
 *      all ones may be (near) null for it.
 *   f. Every pass may call the progress callback (at most every progress_interval
 *      seconds), start-up and line-search passes included, so a signal is noticed within
 *      about one pass even while a step size is being found. The callback reports the
 *      last completed iteration; when it asks to stop, the loops unwind and return the
 *      last accepted iterate. The clock is read every pass only when a pass is large
 *      enough for ~25 ns not to matter, otherwise every 64 passes.
 *   g. A solver that can no longer move at floating-point resolution stops, reporting
 *      FR_CONVERGED when the optimality is within 100 tol or the last step changed the
 *      objective by under 10 ulps, FR_MAX_ITER ("stopped before tol") otherwise
 *      (stall_status). L-BFGS gets there only after a failed Wolfe search along its
 *      direction, then along -g, then a search on the slope alone along -g (convexity:
 *      phi' <= 0 means a decrease even when values are lost in rounding), and after ten
 *      slope steps that did not halve the optimality. FISTA gets there when a proximal
 *      step rounds to no move at all (y is a fixed point in this arithmetic).
 *   h. Implicit centring. With uncentred features the Gram matrix has one huge
 *      eigenvalue along the mean direction and FISTA / L-BFGS crawl (mean 100: > 20,000
 *      FISTA iterations). When fit_intercept, FISTA and L-BFGS optimise over (W, c),
 *      c = b + W mu, mu the weighted column means (one extra pass, moments.c): X w + b =
 *      (X - mu) w + c exactly, so minimiser and objective values are unchanged, and X is
 *      never copied: the pass runs on raw X at b = c - W mu, and the gradient becomes
 *      grad_W - mu grad_b^T, grad_c = grad_b. Penalties and prox act on W, the same in
 *      both. The optimality measure stays the raw one of fastreg.h. Start and returned
 *      points are converted (the returned point by the very function the evaluations
 *      use). GD is not centred: it stays the textbook iteration its NumPy twin matches.
 */
#if !defined(_WIN32) && !defined(__APPLE__) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200112L /* clock_gettime and CLOCK_MONOTONIC under -std=c99 */
#endif

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fastreg.h"
#include "fused_internal.h"

enum { LBFGS_MEMORY = 10 };

/* ---- clock and progress callback ------------------------------------------------------ */

/* Seconds on a monotonic clock. Windows takes timespec_get (UCRT): MinGW may define
 * CLOCK_MONOTONIC with clock_gettime living in a library we do not link. */
static double monotonic_seconds(void) {
#if defined(_WIN32) && defined(TIME_UTC)
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC) != TIME_UTC) return 0.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#elif defined(CLOCK_MONOTONIC)
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#elif defined(TIME_UTC)
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC) != TIME_UTC) return 0.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#else
    return (double)clock() / CLOCKS_PER_SEC; /* processor time: the last resort */
#endif
}

typedef struct {
    int (*callback)(void *ctx, int64_t iteration, double objective);
    void *ctx;
    double interval;   /* seconds between calls */
    double last_call;  /* clock value at the previous call (or the solve's start) */
    int64_t stride;    /* iterations between clock reads */
    int64_t countdown; /* iterations until the next clock read */
} progress_clock;

/* Called after each pass (decision f); returns 1 when the callback asks to stop. */
static int progress_says_stop(progress_clock *pc, int64_t iteration, double objective) {
    if (pc->callback == NULL || --pc->countdown > 0) return 0;
    pc->countdown = pc->stride;
    const double now = monotonic_seconds();
    if (now - pc->last_call < pc->interval) return 0;
    pc->last_call = now;
    return pc->callback(pc->ctx, iteration, objective) != 0;
}

/* ---- the objective -------------------------------------------------------------------- */

typedef struct {
    fr_problem_f64 p64; /* the problem, used when !is_f32 */
    fr_problem_f32 p32; /* the problem, used when is_f32 */
    int is_f32;
    int64_t n_samples, n_features;
    int64_t n_coef;   /* K d: the penalised entries of x */
    int64_t n_params; /* K d + K: the whole of x */
    int fit_intercept;
    double sum_weights; /* S */
    double l1, l2;
    int n_threads;
    double *pass_scratch; /* fr_scratch_size doubles */
    float *point_f32;     /* n_params floats, float32 data only */
    /* Implicit centring (decision h): when mu is not NULL, x holds (W, c) with
     * c = b + W mu, and evaluate_smooth runs the pass at the raw point (W, c - W mu),
     * built in raw_point (n_params doubles). */
    const double *mu;  /* n_features weighted column means, or NULL */
    double *raw_point; /* n_params doubles when mu is not NULL */
    double score_terms; /* max_k sum_j |W_kj mu_j| + |b_k| at the last evaluated point */
    double data_eps;      /* machine epsilon of the data dtype: resolution of a pass */
    double value_scale;   /* |G| at the start point: floor of the rounding estimate */
    int64_t n_evaluations;
    /* Decision f: every pass, start-up and line-search passes included, may call the
     * progress callback, which reports the last completed iteration and its objective;
     * when it asks to stop, `interrupted` is set and every loop unwinds to return the
     * last accepted iterate with FR_INTERRUPTED. */
    progress_clock *clock;
    int64_t iteration; /* iterations completed */
    double reported;   /* objective after the last completed iteration */
    int interrupted;
} objective;

/* Out-of-range double -> float conversion is undefined behaviour, so clamp to inf. */
static float to_float(double v) {
    if (v > FLT_MAX) return INFINITY;
    if (v < -FLT_MAX) return -INFINITY;
    return (float)v;
}

/* Centred coordinates (W, c) -> raw (W, b = c - W mu), the point the pass sees. The
 * returned coefficients are converted by the same function, so they are exactly the point
 * of the last evaluation. raw may equal x. */
static void centred_to_raw(const objective *o, const double *x, double *raw) {
    const int64_t d = o->n_features, nc = o->n_coef, K = o->n_params - nc;
    for (int64_t k = 0; k < K; ++k) {
        const double *w = x + k * d;
        double shift = 0.0;
        for (int64_t j = 0; j < d; ++j) shift += w[j] * o->mu[j];
        raw[nc + k] = x[nc + k] - shift;
    }
    if (raw != x) memcpy(raw, x, (size_t)nc * sizeof(double));
}

/* The inverse, c = b + W mu (warm starts). In place. */
static void raw_to_centred(const objective *o, double *x) {
    const int64_t d = o->n_features, nc = o->n_coef, K = o->n_params - nc;
    for (int64_t k = 0; k < K; ++k) {
        double shift = 0.0;
        for (int64_t j = 0; j < d; ++j) shift += x[k * d + j] * o->mu[j];
        x[nc + k] += shift;
    }
}

/* One fused pass at x: returns the smooth part f = loss / S + l2/2 ||W||^2 and, when
 * grad is not NULL, writes its gradient (0 for an intercept that is not fitted). With
 * centring the gradient is in the centred coordinates: d/dW at fixed c is
 * grad_W - mu grad_b (b = c - W mu moves with W), and d/dc = grad_b. */
static double evaluate_smooth(objective *o, const double *x, double *grad) {
    const int64_t nc = o->n_coef, np = o->n_params, d = o->n_features;
    const double *point = x;
    if (o->mu) {
        centred_to_raw(o, x, o->raw_point);
        point = o->raw_point;
        double terms = 0.0;
        for (int64_t k = 0; k < np - nc; ++k) {
            double t = fabs(point[nc + k]);
            for (int64_t j = 0; j < d; ++j) t += fabs(point[k * d + j] * o->mu[j]);
            terms = t > terms ? t : terms;
        }
        o->score_terms = terms;
    }
    double *grad_b = grad ? grad + nc : NULL;
    double loss;
    if (o->is_f32) {
        for (int64_t j = 0; j < np; ++j) o->point_f32[j] = to_float(point[j]);
        loss = fr_loss_gradient_f32(&o->p32, o->point_f32, o->point_f32 + nc, grad, grad_b,
                                    o->pass_scratch, o->n_threads);
    } else {
        loss = fr_loss_gradient_f64(&o->p64, point, point + nc, grad, grad_b, o->pass_scratch,
                                    o->n_threads);
    }
    o->n_evaluations++;
    if (o->clock && !o->interrupted && progress_says_stop(o->clock, o->iteration, o->reported))
        o->interrupted = 1;
    const double S = o->sum_weights, l2 = o->l2;
    double sq = 0.0;
    if (grad) {
        for (int64_t j = 0; j < nc; ++j) grad[j] = grad[j] / S + l2 * x[j];
        for (int64_t j = nc; j < np; ++j) grad[j] = grad[j] / S;
        if (o->mu) /* before the intercept gradient is zeroed: the Gram probe needs it */
            for (int64_t k = 0; k < np - nc; ++k)
                for (int64_t j = 0; j < d; ++j) grad[k * d + j] -= o->mu[j] * grad[nc + k];
        if (!o->fit_intercept)
            for (int64_t j = nc; j < np; ++j) grad[j] = 0.0;
    }
    if (l2 != 0.0)
        for (int64_t j = 0; j < nc; ++j) sq += x[j] * x[j];
    return loss / S + 0.5 * l2 * sq;
}

static double dot(const double *a, const double *b, int64_t n) {
    double s = 0.0;
    for (int64_t j = 0; j < n; ++j) s += a[j] * b[j];
    return s;
}

static double l1_norm(const double *x, int64_t n) {
    double s = 0.0;
    for (int64_t j = 0; j < n; ++j) s += fabs(x[j]);
    return s;
}

static double penalty_l1(const objective *o, const double *x) {
    return o->l1 != 0.0 ? o->l1 * l1_norm(x, o->n_coef) : 0.0;
}

/* Max-norm of the minimum-norm subgradient of G at x (see fastreg.h); NaN when the
 * gradient holds a non-finite entry, so that callers see divergence. */
static double optimality_measure(const objective *o, const double *x, const double *g) {
    const double l1 = o->l1;
    const int64_t d = o->n_features, nc = o->n_coef;
    double worst = 0.0, probe = 0.0; /* probe += 0 * g[j] is NaN iff some g[j] is inf/NaN */
    for (int64_t j = 0; j < nc; ++j) {
        /* The measure is defined on the raw gradient (fastreg.h): with centring undo
         * grad_W' = grad_W - mu grad_b (W itself is the same in both coordinates). */
        const double gj = o->mu ? g[j] + o->mu[j % d] * g[nc + j / d] : g[j];
        double v;
        if (x[j] > 0.0) v = fabs(gj + l1);
        else if (x[j] < 0.0) v = fabs(gj - l1);
        else v = fmax(fabs(gj) - l1, 0.0);
        worst = v > worst ? v : worst;
        probe += 0.0 * gj;
    }
    for (int64_t j = o->n_coef; j < o->n_params; ++j) {
        worst = fabs(g[j]) > worst ? fabs(g[j]) : worst;
        probe += 0.0 * g[j];
    }
    return probe == 0.0 ? worst : NAN;
}

/* One pass at x with gradient: returns G(x), stores f(x) and the optimality measure. */
static double evaluate_full(objective *o, const double *x, double *grad, double *smooth,
                            double *optimality) {
    *smooth = evaluate_smooth(o, x, grad);
    *optimality = optimality_measure(o, x, grad);
    return *smooth + penalty_l1(o, x);
}

/* How far a computed objective near f can sit from the exact one: a few ulps of the sum,
 * plus, for uncentred data, the rounding of the scores. A score x.w + b whose terms are
 * ~ |mu.w| + |b| (large when the means are, however small the score) is off by a few ulps
 * of those terms, which moves the loss by that times |dl/dz|: at most the RMS residual
 * sqrt(2 f) for the squared loss, 1 for the logistic, 2 for the multinomial. Without
 * this term the line searches mistake that rounding for a failed decrease and stall. */
static double value_noise(const objective *o, double f) {
    double noise = 16.0 * o->data_eps * (fabs(f) + o->value_scale);
    if (o->mu) {
        const int loss = o->is_f32 ? o->p32.loss : o->p64.loss;
        const double slope =
            loss == FR_LOSS_SQUARED ? sqrt(2.0 * fabs(f)) : (loss == FR_LOSS_LOGISTIC ? 1.0 : 2.0);
        noise += 4.0 * o->data_eps * o->score_terms * slope;
    }
    return noise;
}

/* out = prox_{step l1}(x - step g) on W (soft-thresholding gives exact zeros) and a
 * plain gradient step of length intercept_step on b. */
static void prox_gradient_step(const objective *o, const double *x, const double *g,
                               double step, double intercept_step, double *out) {
    const double threshold = step * o->l1;
    if (threshold == 0.0) {
        for (int64_t j = 0; j < o->n_coef; ++j) out[j] = x[j] - step * g[j];
    } else {
        for (int64_t j = 0; j < o->n_coef; ++j) {
            const double v = x[j] - step * g[j];
            out[j] = v > threshold ? v - threshold : (v < -threshold ? v + threshold : 0.0);
        }
    }
    for (int64_t j = o->n_coef; j < o->n_params; ++j) out[j] = x[j] - intercept_step * g[j];
}

enum { STEP_ACCEPTED, STEP_STALLED, STEP_FAILED };

/* Backtracking on L from the point y (smooth value f_y, gradient g) until the proximal
 * step to `trial` satisfies f(trial) <= f_y + <g, d> + L/2 ||d||_M^2 up to rounding, where
 * d = trial - y and the metric M weighs the intercept entries by intercept_weight (1 for
 * the Euclidean norm; see run_fista). Steps are 1/L on W and 1/(L intercept_weight) on b.
 * A failed test raises L by `growth` and at least to the curvature it measured along d,
 * so an estimate a few percent low is corrected in one step instead of being doubled
 * past the true constant. *f_trial receives f(trial); *decisive says whether the test
 * could tell a bad L from a good one (the quadratic term exceeded the noise). */
static int backtracking_prox_step(objective *o, const double *y, double f_y, const double *g,
                                  double intercept_weight, double growth, double *L,
                                  double *trial, double *f_trial, int *decisive) {
    const double noise = value_noise(o, f_y);
    for (int attempt = 0; attempt < 64; ++attempt) {
        prox_gradient_step(o, y, g, 1.0 / *L, 1.0 / (*L * intercept_weight), trial);
        double along = 0.0, sq_coef = 0.0, sq_intercept = 0.0;
        for (int64_t j = 0; j < o->n_params; ++j) {
            const double d = trial[j] - y[j];
            along += g[j] * d;
            if (j < o->n_coef) sq_coef += d * d;
            else sq_intercept += d * d;
        }
        const double sq = sq_coef + intercept_weight * sq_intercept;
        if (sq == 0.0) return STEP_STALLED; /* y is a fixed point at this resolution */
        const double f = evaluate_smooth(o, trial, NULL);
        if (o->interrupted) return STEP_FAILED;
        if (isfinite(f) && f <= f_y + along + 0.5 * *L * sq + noise) {
            *f_trial = f;
            *decisive = 0.5 * *L * sq > noise;
            return STEP_ACCEPTED;
        }
        const double measured = isfinite(f) ? 2.0 * (f - f_y - along) / sq : 0.0;
        *L = fmax(growth * *L, measured);
    }
    return STEP_FAILED;
}

/* Bound on the loss's second derivative in the score: the Hessian of f in (W, b) is at
 * most this times the weighted Gram matrix (plus l2 on W). */
static double loss_curvature(const objective *o) {
    const int loss = o->is_f32 ? o->p32.loss : o->p64.loss;
    return loss == FR_LOSS_SQUARED ? 1.0 : (loss == FR_LOSS_LOGISTIC ? 0.25 : 0.5);
}

/* A Lipschitz constant of grad f (decision e): loss_curvature * lambda_max + l2, where
 * lambda_max is the top eigenvalue of X^T S X / S, with the intercept column when
 * with_intercept. v, av and g0 hold d + 1 doubles each. */
static double lipschitz_bound(objective *o, int with_intercept, int max_power_iter,
                              double rel_tol, double *v, double *av, double *g0) {
    objective gram = *o;
    const int64_t d = o->n_features, m = d + 1;
    gram.p64.loss = gram.p32.loss = FR_LOSS_SQUARED;
    gram.p64.n_outputs = gram.p32.n_outputs = 1;
    gram.n_coef = d;
    gram.n_params = m;
    gram.fit_intercept = with_intercept; /* a fixed intercept is no direction */
    gram.l1 = gram.l2 = 0.0;

    memset(v, 0, (size_t)m * sizeof(double));
    evaluate_smooth(&gram, v, g0);
    const double g0_norm = sqrt(dot(g0, g0, m));
    /* Start vector: all ones, which the raw Gram's mean direction always picks up. The
     * centred Gram has no such direction, and ones can even be a null vector of it (two
     * features summing to a constant), so there each entry also gets a fixed,
     * deterministic perturbation in [0, 1): golden-ratio steps avoid any symmetry. */
    for (int64_t j = 0; j < d; ++j)
        v[j] = o->mu ? 1.0 + fmod(0.6180339887498949 * (double)(j + 1), 1.0) : 1.0;
    v[d] = with_intercept ? 1.0 : 0.0;
    double lambda = 0.0, scale_ref = 1.0;
    for (int it = 0; it < max_power_iter; ++it) {
        const double v_norm = sqrt(dot(v, v, m));
        if (!(v_norm > 0.0 && isfinite(v_norm))) break;
        /* Probe at |X v| ~ |y| so that g(v) - g(0) does not cancel into rounding
         * (|g0| ~ |x||y| and |X v| ~ sqrt(lambda) |v|). */
        const double probe = fmin(fmax(1.0, g0_norm / scale_ref), 1e15);
        for (int64_t j = 0; j < m; ++j) v[j] *= probe / v_norm;
        evaluate_smooth(&gram, v, av);
        if (gram.interrupted) break;
        for (int64_t j = 0; j < m; ++j) av[j] -= g0[j];
        const double next = sqrt(dot(av, av, m)) / probe;
        if (!isfinite(next)) break;
        memcpy(v, av, (size_t)m * sizeof(double));
        const int settled = fabs(next - lambda) <= rel_tol * next;
        lambda = next;
        if (next > 0.0) scale_ref = next;
        if (settled) break;
    }
    o->n_evaluations = gram.n_evaluations;
    o->interrupted = gram.interrupted;
    const double L = loss_curvature(o) * lambda + o->l2;
    return (L > 0.0 && isfinite(L)) ? L : 1.0; /* f flat: any step is as good */
}

/* ---- solvers ---------------------------------------------------------------------------- */

/* Status of a solver that can no longer move (decision g): FR_CONVERGED when the
 * optimality is within 100 tol or the last step changed the objective by under 10 ulps
 * (the objective's resolution is exhausted), FR_MAX_ITER ("stopped before tol") else. */
static int stall_status(const objective *o, const fr_solver_options *opt, double optimality,
                        double last_change) {
    const int done = optimality <= 100.0 * opt->tol || last_change <= 10.0 * o->data_eps;
    return done ? FR_CONVERGED : FR_MAX_ITER;
}

typedef struct {
    const double *point; /* where the returned coefficients live */
    double objective, optimality;
    int64_t n_iter;
    int status;
} outcome;

static int set_outcome(outcome *out, const double *point, double value, double optimality,
                       int64_t n_iter, int status) {
    out->point = point;
    out->objective = value;
    out->optimality = optimality;
    out->n_iter = n_iter;
    out->status = status;
    return status;
}

/* Plain proximal gradient descent with a fixed step: exactly the iteration of fastreg.h.
 * work: 4 vectors. */
static int run_gd(objective *o, const fr_solver_options *opt, double *x, double *work,
                  double *curve, outcome *out) {
    const int64_t n = o->n_params;
    double *g = work, *other = work + n;
    double step = opt->learning_rate, f, optimality;
    double G = evaluate_full(o, x, g, &f, &optimality);
    if (step <= 0.0) {
        double L = lipschitz_bound(o, o->fit_intercept, 20, 1e-2, work + n, work + 2 * n,
                                   work + 3 * n);
        o->value_scale = isfinite(G) ? fabs(G) : 0.0;
        double f_trial;
        int decisive;
        if (isfinite(G) && isfinite(optimality) && optimality > opt->tol)
            backtracking_prox_step(o, x, f, g, 1.0, 1.1, &L, other, &f_trial, &decisive);
        step = 1.0 / L;
    }
    double G_prev = NAN, optimality_prev = NAN;
    for (int64_t t = 0;; ++t) {
        if (o->interrupted) { /* during the pass at W_t: return W_{t-1}, the one reported */
            if (t == 0) return set_outcome(out, x, G, optimality, 0, FR_INTERRUPTED);
            return set_outcome(out, other, G_prev, optimality_prev, t - 1, FR_INTERRUPTED);
        }
        if (!isfinite(G) || !isfinite(optimality)) {
            if (t == 0) return set_outcome(out, x, G, optimality, 0, FR_DIVERGED);
            return set_outcome(out, other, G_prev, optimality_prev, t - 1, FR_DIVERGED);
        }
        if (t > 0) curve[t - 1] = G;
        o->iteration = t;
        o->reported = G;
        if (optimality <= opt->tol) return set_outcome(out, x, G, optimality, t, FR_CONVERGED);
        if (t == opt->max_iter) return set_outcome(out, x, G, optimality, t, FR_MAX_ITER);
        prox_gradient_step(o, x, g, step, step, other);
        double *previous = x;
        x = other;
        other = previous; /* keeps W_t: the last finite iterate if W_{t+1} diverges */
        G_prev = G;
        optimality_prev = optimality;
        G = evaluate_full(o, x, g, &f, &optimality);
    }
}

/* FISTA (Beck & Teboulle) with backtracking on L and adaptive restart (O'Donoghue &
 * Candes). The optimality is measured at the extrapolated point y, where the gradient is
 * known, and y is returned once it is optimal. work: 4 vectors.
 *
 * The steps are taken in the metric ||d_W||^2 + intercept_weight ||d_b||^2, i.e. the
 * intercept gets its own step. The unpenalised intercept's curvature (loss_curvature,
 * the Gram matrix's b-b entry being 1) often dwarfs the features' (diabetes: 1 against
 * 0.009), and one scalar step would be held back by it. The weight is the ratio of the
 * two blocks' Lipschitz constants when the intercept's is the larger, else 1 (the
 * Euclidean norm: a separate intercept step would then only pay for the coupling).
 * Either way the constant in this metric is at most twice the W block's (block PSD
 * bound), so backtracking still applies. */
static int run_fista(objective *o, const fr_solver_options *opt, double *x,
                     double *work, double *curve, outcome *out) {
    const int64_t n = o->n_params;
    double *g = work, *y = work + n, *x_old = work + 2 * n, *trial = work + 3 * n;
    const int need_estimate =
        o->n_features > 0 && (opt->learning_rate <= 0.0 || o->fit_intercept);
    const double L_coef =
        need_estimate ? lipschitz_bound(o, 0, 10, 3e-2, y, x_old, trial) : 1.0;
    const double intercept_weight =
        o->n_features > 0 ? fmax(1.0, loss_curvature(o) / L_coef) : 1.0;
    double L = opt->learning_rate > 0.0 ? 1.0 / opt->learning_rate
                                        : (o->n_features > 0 ? L_coef : loss_curvature(o));
    memcpy(y, x, (size_t)n * sizeof(double));
    double f_y, optimality_y;
    double G_y = evaluate_full(o, y, g, &f_y, &optimality_y);
    double G_x = G_y, t = 1.0;
    double last_change = INFINITY; /* relative objective change of the last step */
    int y_is_x = 1, may_shrink = 1;
    o->value_scale = isfinite(G_y) ? fabs(G_y) : 0.0;
    for (int64_t k = 0;;) {
        if (!isfinite(G_y) || !isfinite(optimality_y)) /* y == x here, see below */
            return set_outcome(out, x, G_y, optimality_y, k, FR_DIVERGED);
        if (optimality_y <= opt->tol)
            return set_outcome(out, y, G_y, optimality_y, k, FR_CONVERGED);
        const int interrupted = o->interrupted;
        if (k == opt->max_iter || interrupted) {
            const int status = interrupted ? FR_INTERRUPTED : FR_MAX_ITER;
            if (y_is_x) return set_outcome(out, y, G_y, optimality_y, k, status);
            double f_x, optimality_x; /* return the last proximal point: one more pass */
            const double G = evaluate_full(o, x, g, &f_x, &optimality_x);
            return set_outcome(out, x, G, optimality_x, k, status);
        }
        if (may_shrink) L *= 0.9; /* let the step grow back where f is flatter */
        double f_trial;
        const int step =
            backtracking_prox_step(o, y, f_y, g, intercept_weight, 2.0, &L, trial, &f_trial,
                                   &may_shrink);
        if (step == STEP_STALLED)
            return set_outcome(out, y, G_y, optimality_y, k,
                               stall_status(o, opt, optimality_y, last_change));
        if (step == STEP_FAILED && o->interrupted) continue; /* returns x at the loop top */
        if (step == STEP_FAILED) /* no finite value along any step length */
            return set_outcome(out, x, G_x, y_is_x ? optimality_y : NAN, k, FR_DIVERGED);
        const double G_trial = f_trial + penalty_l1(o, trial);
        curve[k] = G_trial;

        /* Restart when the objective rises or the step turns against the momentum
         * (gradient-mapping test: <y - x_{k+1}, x_{k+1} - x_k>_M > 0). */
        double turn = 0.0;
        for (int64_t j = 0; j < n; ++j)
            turn += (j < o->n_coef ? 1.0 : intercept_weight) * (y[j] - trial[j]) *
                    (trial[j] - x[j]);
        const int restart = turn > 0.0 || G_trial > G_x + value_noise(o, G_x);
        double *recycled = x_old;
        x_old = x;
        x = trial;
        trial = recycled;
        last_change = fabs(G_trial - G_x) / fmax(fmax(fabs(G_trial), fabs(G_x)), DBL_MIN);
        G_x = G_trial;
        ++k;
        o->iteration = k;
        o->reported = G_x;

        double beta = 0.0;
        if (restart) {
            t = 1.0;
        } else {
            const double t_next = 0.5 * (1.0 + sqrt(1.0 + 4.0 * t * t));
            beta = (t - 1.0) / t_next;
            t = t_next;
        }
        y_is_x = beta == 0.0;
        for (int64_t j = 0; j < n; ++j) y[j] = x[j] + beta * (x[j] - x_old[j]);
        G_y = evaluate_full(o, y, g, &f_y, &optimality_y);
        if (!y_is_x && !(isfinite(G_y) && isfinite(optimality_y))) {
            /* the extrapolation left the region where the loss is finite: drop it */
            memcpy(y, x, (size_t)n * sizeof(double));
            y_is_x = 1;
            t = 1.0;
            G_y = evaluate_full(o, y, g, &f_y, &optimality_y);
        }
    }
}

/* ---- L-BFGS ---------------------------------------------------------------------------- */

typedef struct {
    double a, f, d; /* step length, value, directional derivative */
} line_point;

/* Trial point and best sufficient-decrease point of the line search; swapped, not copied. */
typedef struct {
    double *x_trial, *g_trial;
    double *x_low, *g_low;
} search_buffers;

static void swap_trial_and_low(search_buffers *b) {
    double *x = b->x_trial, *g = b->g_trial;
    b->x_trial = b->x_low;
    b->g_trial = b->g_low;
    b->x_low = x;
    b->g_low = g;
}

static line_point evaluate_along(objective *o, const double *x, const double *dir, double a,
                                 search_buffers *b) {
    const int64_t n = o->n_params;
    for (int64_t j = 0; j < n; ++j) b->x_trial[j] = x[j] + a * dir[j];
    line_point p;
    p.a = a;
    p.f = evaluate_smooth(o, b->x_trial, b->g_trial);
    p.d = dot(b->g_trial, dir, n);
    return p;
}

/* Minimiser of the cubic through (lo, hi) with the end derivatives, kept at least a tenth
 * of the interval from either end; bisection when the cubic is unusable. */
static double interpolate_step(line_point lo, line_point hi) {
    const double width = hi.a - lo.a;
    const double left = fmin(lo.a, hi.a) + 0.1 * fabs(width);
    const double right = fmax(lo.a, hi.a) - 0.1 * fabs(width);
    if (isfinite(hi.f) && isfinite(hi.d)) {
        const double d1 = lo.d + hi.d - 3.0 * (lo.f - hi.f) / (lo.a - hi.a);
        const double disc = d1 * d1 - lo.d * hi.d;
        if (disc >= 0.0) {
            const double d2 = copysign(sqrt(disc), width);
            const double a = hi.a - width * (hi.d + d2 - d1) / (hi.d - lo.d + 2.0 * d2);
            if (isfinite(a)) return fmin(fmax(a, left), right);
        }
    }
    return lo.a + 0.5 * width;
}

/* Line search for the strong Wolfe conditions (Nocedal & Wright, algorithms 3.5 and 3.6),
 * sufficient decrease measured with rounding slack (decision d). On success returns 1
 * with the accepted point in b->x_trial / b->g_trial and its value in *f_out. Falls back
 * to the best sufficient-decrease point when the curvature condition is not met within
 * the evaluation budget. */
static int wolfe_line_search(objective *o, const double *x, double f0, const double *dir,
                             double dphi0, double a_init, search_buffers *b, double *f_out) {
    const double c1 = 1e-4, c2 = 0.9;
    const int max_evaluations = 20;
    const double noise = value_noise(o, f0);
    const line_point origin = {0.0, f0, dphi0};
    line_point lo = origin, hi = origin, prev = origin;
    int evaluations = 0, bracketed = 0;

    for (double a = a_init; evaluations < max_evaluations; a *= 4.0) {
        const line_point p = evaluate_along(o, x, dir, a, b);
        ++evaluations;
        if (o->interrupted) return 0;
        if (!isfinite(p.f) || !isfinite(p.d) || p.f > f0 + c1 * a * dphi0 + noise ||
            (prev.a > 0.0 && p.f > prev.f + noise)) {
            lo = prev; /* prev, when not the origin, sits in x_low */
            hi = p;
            bracketed = 1;
            break;
        }
        if (fabs(p.d) <= -c2 * dphi0) {
            *f_out = p.f;
            return 1;
        }
        swap_trial_and_low(b); /* p is the new best point */
        if (p.d >= 0.0) {
            lo = p;
            hi = prev;
            bracketed = 1;
            break;
        }
        prev = lo = p;
    }
    while (bracketed && evaluations < max_evaluations) {
        if (fabs(hi.a - lo.a) <= DBL_EPSILON * fmax(lo.a, hi.a)) break;
        const line_point p = evaluate_along(o, x, dir, interpolate_step(lo, hi), b);
        ++evaluations;
        if (o->interrupted) return 0;
        if (!isfinite(p.f) || !isfinite(p.d) || p.f > f0 + c1 * p.a * dphi0 + noise ||
            p.f > lo.f + noise) {
            hi = p;
            continue;
        }
        if (fabs(p.d) <= -c2 * dphi0) {
            *f_out = p.f;
            return 1;
        }
        if (p.d * (hi.a - lo.a) >= 0.0) hi = lo;
        lo = p;
        swap_trial_and_low(b);
    }
    if (lo.a > 0.0 && lo.f < f0 - noise) { /* a real decrease, curvature condition unmet */
        swap_trial_and_low(b);
        *f_out = lo.f;
        return 1;
    }
    return 0;
}

/* Last resort after the Wolfe search failed even along -g: a search on the slope alone,
 * from x along dir = -g (dphi0 = -|g|^2). The objectives are convex, so phi'(a) <= 0 means
 * phi fell on [0, a] whatever the computed values say, and 0 < phi'(a) <= |phi'(0)| / 2
 * (a within ~1.5 times the line minimiser) still means a decrease for any near-quadratic
 * phi. Values only serve as a sanity check, with rounding slack: near the optimum true
 * decreases fall below the value noise, while gradients stay resolved. Secant steps on
 * phi' shrink a past the minimiser. Returns 1 with the point in b->x_trial/g_trial. */
static int slope_search(objective *o, const double *x, double f0, const double *dir,
                        double dphi0, search_buffers *b, double *f_out) {
    const double noise = value_noise(o, f0);
    double a = 1.0 / sqrt(-dphi0); /* a unit-length first step, as the Wolfe search */
    for (int evaluations = 0; evaluations < 40; ++evaluations) {
        const line_point p = evaluate_along(o, x, dir, a, b);
        if (o->interrupted) return 0;
        if (!isfinite(p.f) || !isfinite(p.d)) {
            a *= 0.1;
            continue;
        }
        if (p.d <= -0.5 * dphi0 && p.f <= f0 + noise) {
            *f_out = p.f;
            return 1;
        }
        /* past the minimiser (p.d > 0) or a value far above f0: shrink, by the secant
         * on phi' when it points inside (0, a), else tenfold */
        const double secant = p.d > 0.0 ? a * (-dphi0) / (p.d - dphi0) : 0.0;
        a = secant > 0.0 && secant < 0.9 * a ? secant : 0.1 * a;
        if (!(a * sqrt(-dphi0) > 0.0)) break;
    }
    return 0;
}

/* dir = -H g by the two-loop recursion over the stored pairs, oldest at `head`. */
static void lbfgs_direction(int64_t n, const double *g, const double *S, const double *Y,
                            const double *rho, double *alpha, int head, int n_pairs,
                            double *dir) {
    memcpy(dir, g, (size_t)n * sizeof(double));
    for (int i = n_pairs - 1; i >= 0; --i) {
        const int slot = (head + i) % LBFGS_MEMORY;
        const double *s = S + slot * n, *y = Y + slot * n;
        alpha[slot] = rho[slot] * dot(s, dir, n);
        for (int64_t j = 0; j < n; ++j) dir[j] -= alpha[slot] * y[j];
    }
    if (n_pairs > 0) { /* H0 = (s.y / y.y) I from the newest pair */
        const int newest = (head + n_pairs - 1) % LBFGS_MEMORY;
        const double *y = Y + newest * n;
        const double gamma = 1.0 / (rho[newest] * dot(y, y, n));
        for (int64_t j = 0; j < n; ++j) dir[j] *= gamma;
    }
    for (int i = 0; i < n_pairs; ++i) {
        const int slot = (head + i) % LBFGS_MEMORY;
        const double *s = S + slot * n, *y = Y + slot * n;
        const double beta = rho[slot] * dot(y, dir, n);
        for (int64_t j = 0; j < n; ++j) dir[j] += (alpha[slot] - beta) * s[j];
    }
    for (int64_t j = 0; j < n; ++j) dir[j] = -dir[j];
}

/* L-BFGS, memory LBFGS_MEMORY, for l1 == 0. work: 6 vectors, 2 LBFGS_MEMORY vectors and
 * 2 LBFGS_MEMORY doubles. */
static int run_lbfgs(objective *o, const fr_solver_options *opt, double *x,
                     double *work, double *curve, outcome *out) {
    const int64_t n = o->n_params;
    double *g = work, *dir = work + n;
    search_buffers b = {work + 2 * n, work + 3 * n, work + 4 * n, work + 5 * n};
    double *S = work + 6 * n, *Y = S + LBFGS_MEMORY * n;
    double *rho = Y + LBFGS_MEMORY * n, *alpha = rho + LBFGS_MEMORY;
    int head = 0, n_pairs = 0;
    double f, optimality;
    evaluate_full(o, x, g, &f, &optimality);
    o->value_scale = isfinite(f) ? fabs(f) : 0.0;
    double last_change = INFINITY; /* relative objective change of the last step */
    /* Slope-search steps in a row, and the optimality when that run began: at the
     * resolution limit the slope test keeps accepting steps that go nowhere. */
    int slope_steps = 0;
    double slope_start = INFINITY;

    for (int64_t k = 0;;) {
        if (!isfinite(f) || !isfinite(optimality)) /* only at the start point */
            return set_outcome(out, x, f, optimality, k, FR_DIVERGED);
        if (optimality <= opt->tol) return set_outcome(out, x, f, optimality, k, FR_CONVERGED);
        if (k == opt->max_iter) return set_outcome(out, x, f, optimality, k, FR_MAX_ITER);
        if (o->interrupted) return set_outcome(out, x, f, optimality, k, FR_INTERRUPTED);

        double f_new = f;
        int found = 0, by_slope = 0;
        /* A failed search with curvature pairs is retried once along -g: stale pairs
         * can make a poor direction. */
        for (int attempt = 0; attempt < 2 && !found; ++attempt) {
            if (attempt == 1) {
                if (n_pairs == 0) break;
                n_pairs = 0;
            }
            lbfgs_direction(n, g, S, Y, rho, alpha, head, n_pairs, dir);
            double dphi0 = dot(g, dir, n);
            if (!(dphi0 < 0.0)) { /* rounding spoilt the direction: steepest descent */
                n_pairs = 0;
                for (int64_t j = 0; j < n; ++j) dir[j] = -g[j];
                dphi0 = -dot(g, g, n);
            }
            const double a_init = n_pairs == 0 ? 1.0 / sqrt(-dphi0) : 1.0;
            found = wolfe_line_search(o, x, f, dir, dphi0, a_init, &b, &f_new);
            if (o->interrupted) break;
            if (!found && n_pairs == 0) { /* already along -g: judge by the slope instead */
                found = slope_search(o, x, f, dir, dphi0, &b, &f_new);
                by_slope = found;
            }
        }

        if (o->interrupted) continue; /* returns x, f at the loop top */
        double sy = 0.0, ss = 0.0, yy = 0.0, moved = 0.0;
        if (found) {
            for (int64_t j = 0; j < n; ++j) {
                const double s = b.x_trial[j] - x[j], y = b.g_trial[j] - g[j];
                sy += s * y;
                ss += s * s;
                yy += y * y;
                moved = fmax(moved, fabs(s));
            }
        }
        if (by_slope && slope_steps++ == 0) slope_start = optimality;
        if (!by_slope) slope_steps = 0;
        /* no progress possible at this resolution: no step found, a step that rounds to
         * no move, or ten slope steps that did not halve the optimality */
        if (!found || moved == 0.0 || (slope_steps > 10 && optimality > 0.5 * slope_start))
            return set_outcome(out, x, f, optimality, k,
                               stall_status(o, opt, optimality, last_change));
        if (slope_steps > 10) slope_steps = 0; /* it did: a fresh run of ten */
        if (sy > 1e-10 * sqrt(ss) * sqrt(yy)) { /* keep H positive definite */
            const int slot = (head + n_pairs) % LBFGS_MEMORY;
            double *s = S + slot * n, *y = Y + slot * n;
            for (int64_t j = 0; j < n; ++j) {
                s[j] = b.x_trial[j] - x[j];
                y[j] = b.g_trial[j] - g[j];
            }
            rho[slot] = 1.0 / sy;
            if (n_pairs < LBFGS_MEMORY) ++n_pairs;
            else head = (head + 1) % LBFGS_MEMORY;
        }
        /* The search accepts only finite values and slopes; a non-finite gradient entry
         * that cancelled out of the slope still ends the solve at the last finite x. */
        const double optimality_new = optimality_measure(o, b.x_trial, b.g_trial);
        if (!isfinite(optimality_new))
            return set_outcome(out, x, f, optimality, k, FR_DIVERGED);
        last_change = fabs(f - f_new) / fmax(fmax(fabs(f), fabs(f_new)), DBL_MIN);
        double *swap = x;
        x = b.x_trial;
        b.x_trial = swap;
        swap = g;
        g = b.g_trial;
        b.g_trial = swap;
        f = f_new;
        optimality = optimality_new;
        curve[k++] = f;
        o->iteration = k;
        o->reported = f;
    }
}

/* ---- entry points --------------------------------------------------------------------- */

static int options_valid(const fr_solver_options *opt) {
    if (opt == NULL) return 0;
    if (opt->solver != FR_SOLVER_GD && opt->solver != FR_SOLVER_FISTA &&
        opt->solver != FR_SOLVER_LBFGS)
        return 0;
    if (!(opt->l1 >= 0.0 && isfinite(opt->l1) && opt->l2 >= 0.0 && isfinite(opt->l2)))
        return 0;
    if (opt->fit_intercept != 0 && opt->fit_intercept != 1) return 0;
    if (!isfinite(opt->learning_rate) || opt->max_iter < 1 || !(opt->tol >= 0.0)) return 0;
    if (opt->n_threads < 1) return 0;
    return !(opt->solver == FR_SOLVER_LBFGS && opt->l1 > 0.0);
}

static int shapes_valid(const void *X, const void *y, int64_t n_samples, int64_t n_features,
                        int64_t n_outputs, int loss) {
    if (n_samples < 1 || n_features < 0 || n_outputs < 1 || y == NULL) return 0;
    if (n_features > 0 && (X == NULL || n_features > INT64_MAX / n_samples)) return 0;
    if (n_features > 0 && n_outputs > INT64_MAX / n_features) return 0;
    if (loss == FR_LOSS_SQUARED || loss == FR_LOSS_LOGISTIC) return n_outputs == 1;
    return loss == FR_LOSS_MULTINOMIAL;
}

/* Allocates, runs the chosen solver from (coef, intercept), writes the result back. */
static int solve(objective *o, const fr_solver_options *opt, double *coef, double *intercept,
                 double *curve, fr_solver_result *result) {
    const int64_t n = o->n_params, nc = o->n_coef;
    const int64_t n_outputs = n - nc;
    /* GD stays the textbook iteration of fastreg.h in the raw coordinates (its NumPy
     * twin matches it pass for pass); FISTA and L-BFGS centre when there is an intercept
     * to absorb the shift. */
    const int centring = opt->fit_intercept && o->n_features > 0 && opt->solver != FR_SOLVER_GD;
    size_t vectors = 1 + 4, extra = 0; /* the point, then the solver's work vectors */
    if (opt->solver == FR_SOLVER_LBFGS) {
        vectors = 1 + 6 + 2 * LBFGS_MEMORY;
        extra = 2 * LBFGS_MEMORY;
    }
    /* centring: mu (d doubles) and the raw point (n doubles), after the pass scratch */
    const size_t centring_doubles = centring ? (size_t)o->n_features + (size_t)n : 0;
    const int64_t pass_doubles = fr_scratch_size(o->n_samples, o->n_features, n_outputs);
    const size_t max_doubles = SIZE_MAX / sizeof(double);
    double *block = NULL;
    float *point_f32 = NULL;
    if ((uint64_t)n <= (max_doubles - extra) / (vectors + 2) &&
        (uint64_t)pass_doubles <= max_doubles - extra - (vectors + 2) * (size_t)n) {
        block = malloc(((size_t)n * vectors + extra + (size_t)pass_doubles + centring_doubles) *
                       sizeof(double));
        if (o->is_f32) point_f32 = malloc((size_t)n * sizeof(float));
    }
    if (block == NULL || (o->is_f32 && point_f32 == NULL)) {
        free(block);
        free(point_f32);
        result->n_iter = 0;
        result->status = FR_NO_MEMORY;
        result->objective = NAN;
        result->optimality = NAN;
        result->n_evaluations = 0;
        return FR_NO_MEMORY;
    }
    double *x = block, *work = block + n;
    o->pass_scratch = block + (size_t)n * vectors + extra;
    o->point_f32 = point_f32;
    if (nc > 0) memcpy(x, coef, (size_t)nc * sizeof(double));
    memcpy(x + nc, intercept, (size_t)n_outputs * sizeof(double));
    if (centring) { /* decision h: one pass for mu, then start from c = b + W mu */
        double *mu = o->pass_scratch + pass_doubles;
        if (o->is_f32) fr_weighted_column_means_f32(&o->p32, mu, o->pass_scratch, o->n_threads);
        else fr_weighted_column_means_f64(&o->p64, mu, o->pass_scratch, o->n_threads);
        o->mu = mu;
        o->raw_point = mu + o->n_features;
        raw_to_centred(o, x);
    }

    progress_clock pc;
    pc.callback = opt->progress;
    pc.ctx = opt->progress_ctx;
    pc.interval = opt->progress_interval;
    pc.last_call = opt->progress ? monotonic_seconds() : 0.0;
    /* n d K > 20000: a pass takes microseconds, so a clock read per iteration is noise */
    const double pass_size = (double)o->n_samples * (double)o->n_features * (double)n_outputs;
    pc.stride = pass_size > 20000.0 ? 1 : 64;
    pc.countdown = pc.stride;

    outcome out;
    o->clock = &pc;
    o->reported = NAN; /* no iteration completed yet */
    if (opt->solver == FR_SOLVER_GD) run_gd(o, opt, x, work, curve, &out);
    else if (opt->solver == FR_SOLVER_FISTA) run_fista(o, opt, x, work, curve, &out);
    else run_lbfgs(o, opt, x, work, curve, &out);

    /* Back to b = c - W mu, by the function the last evaluation used: the returned
     * coefficients are exactly the point whose objective and optimality are reported. */
    if (centring) centred_to_raw(o, out.point, o->raw_point);
    const double *point = centring ? o->raw_point : out.point;
    if (nc > 0) memcpy(coef, point, (size_t)nc * sizeof(double));
    memcpy(intercept, point + nc, (size_t)n_outputs * sizeof(double));
    result->n_iter = out.n_iter;
    result->status = out.status;
    result->objective = out.objective;
    result->optimality = out.optimality;
    result->n_evaluations = o->n_evaluations;
    free(block);
    free(point_f32);
    return out.status;
}

/* Fills the dtype-independent fields; returns 0 when the options are inconsistent. */
static int setup_objective(objective *o, const fr_solver_options *opt, int64_t n_samples,
                           int64_t n_features, int64_t n_outputs, double sum_weights) {
    if (!(sum_weights > 0.0 && isfinite(sum_weights))) return 0;
    o->n_samples = n_samples;
    o->n_features = n_features;
    o->n_coef = n_outputs * n_features;
    o->n_params = o->n_coef + n_outputs;
    o->fit_intercept = opt->fit_intercept;
    o->sum_weights = sum_weights;
    o->l1 = opt->l1;
    o->l2 = opt->l2;
    o->n_threads = opt->n_threads;
    return 1;
}

int fr_solve_f64(const fr_problem_f64 *problem, const fr_solver_options *options, double *coef,
                 double *intercept, double *objective_curve, fr_solver_result *result) {
    if (problem == NULL || !options_valid(options) || intercept == NULL ||
        objective_curve == NULL || result == NULL ||
        !shapes_valid(problem->X, problem->y, problem->n_samples, problem->n_features,
                      problem->n_outputs, problem->loss) ||
        (coef == NULL && problem->n_features > 0))
        return FR_BAD_INPUT;
    double S = (double)problem->n_samples;
    if (problem->sample_weight) {
        S = 0.0;
        for (int64_t i = 0; i < problem->n_samples; ++i) S += problem->sample_weight[i];
    }
    objective o;
    memset(&o, 0, sizeof o);
    o.p64 = *problem;
    o.data_eps = DBL_EPSILON;
    if (!setup_objective(&o, options, problem->n_samples, problem->n_features,
                         problem->n_outputs, S))
        return FR_BAD_INPUT;
    return solve(&o, options, coef, intercept, objective_curve, result);
}

int fr_solve_f32(const fr_problem_f32 *problem, const fr_solver_options *options, double *coef,
                 double *intercept, double *objective_curve, fr_solver_result *result) {
    if (problem == NULL || !options_valid(options) || intercept == NULL ||
        objective_curve == NULL || result == NULL ||
        !shapes_valid(problem->X, problem->y, problem->n_samples, problem->n_features,
                      problem->n_outputs, problem->loss) ||
        (coef == NULL && problem->n_features > 0))
        return FR_BAD_INPUT;
    double S = (double)problem->n_samples;
    if (problem->sample_weight) {
        S = 0.0;
        for (int64_t i = 0; i < problem->n_samples; ++i) S += problem->sample_weight[i];
    }
    objective o;
    memset(&o, 0, sizeof o);
    o.p32 = *problem;
    o.is_f32 = 1;
    o.data_eps = FLT_EPSILON;
    if (!setup_objective(&o, options, problem->n_samples, problem->n_features,
                         problem->n_outputs, S))
        return FR_BAD_INPUT;
    return solve(&o, options, coef, intercept, objective_curve, result);
}
