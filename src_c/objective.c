/* objective.c: the averaged objective G as the solvers see it (see objective.h). */
#if !defined(_WIN32) && !defined(__APPLE__) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200112L /* clock_gettime and CLOCK_MONOTONIC under -std=c99 */
#endif

#include "objective.h"
#include "data_caller.h"

#include <float.h>
#include <math.h>
#include <string.h>
#include <time.h>

/* Windows takes timespec_get (UCRT): MinGW may define CLOCK_MONOTONIC with
 * clock_gettime living in a library we do not link. */
double fr_monotonic_seconds(void) {
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

/* Called after each pass (decision d); returns 1 when the callback asks to stop. */
static int progress_says_stop(fr_progress_clock *pc, int64_t iteration, double objective) {
    if (pc->callback == NULL || --pc->countdown > 0) return 0;
    pc->countdown = pc->stride;
    const double now = fr_monotonic_seconds();
    if (now - pc->last_call < pc->interval) return 0;
    pc->last_call = now;
    return pc->callback(pc->ctx, iteration, objective) != 0;
}

void fr_iteration_completed(fr_objective *o, const double *x, int64_t k, double value) {
    o->iteration = k;
    o->reported = value;
    if (o->on_iteration == NULL || k == 0) return;
    /* raw_point is rebuilt by every pass, so it is free between passes */
    const double *raw = x;
    if (o->mu != NULL) {
        fr_centred_to_raw(o, x, o->raw_point);
        raw = o->raw_point;
    }
    o->on_iteration(o->on_iteration_ctx, k, raw, raw + o->n_coef);
}

int fr_set_outcome(fr_outcome *out, const double *point, double value, double optimality,
                   int64_t n_iter, int status) {
    out->point = point;
    out->objective = value;
    out->optimality = optimality;
    out->n_iter = n_iter;
    out->status = status;
    return status;
}

double fr_dot(const double *a, const double *b, int64_t n) {
    double s = 0.0;
    for (int64_t j = 0; j < n; ++j) s += a[j] * b[j];
    return s;
}

/* The returned coefficients are converted by the same function the evaluations use, so
 * they are exactly the point of the last evaluation. */
void fr_centred_to_raw(const fr_objective *o, const double *x, double *raw) {
    const int64_t d = o->n_features, nc = o->n_coef, K = o->n_params - nc;
    for (int64_t k = 0; k < K; ++k) {
        const double *w = x + k * d;
        double shift = 0.0;
        for (int64_t j = 0; j < d; ++j) shift += w[j] * o->mu[j];
        raw[nc + k] = x[nc + k] - shift;
    }
    if (raw != x) memcpy(raw, x, (size_t)nc * sizeof(double));
}

void fr_raw_to_centred(const fr_objective *o, double *x) {
    const int64_t d = o->n_features, nc = o->n_coef, K = o->n_params - nc;
    for (int64_t k = 0; k < K; ++k) {
        double shift = 0.0;
        for (int64_t j = 0; j < d; ++j) shift += x[k * d + j] * o->mu[j];
        x[nc + k] += shift;
    }
}

/* With centring the gradient is in the centred coordinates: d/dW at fixed c is
 * grad_W - mu grad_b (b = c - W mu moves with W), and d/dc = grad_b. */
double fr_evaluate_smooth(fr_objective *o, const double *x, double *grad) {
    const int64_t nc = o->n_coef, np = o->n_params, d = o->n_features;
    const double *point = x;
    if (o->mu) {
        fr_centred_to_raw(o, x, o->raw_point);
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
    const double loss = fr_loss_gradient(o->problem, point, point + nc, grad, grad_b,
                                         o->pass_scratch, o->n_threads);
    o->n_evaluations++;
    if (isnan(loss) && fr_is_caller_data(o->problem)) o->interrupted = 1; /* the pass failed */
    if (o->clock && !o->interrupted && progress_says_stop(o->clock, o->iteration, o->reported))
        o->interrupted = 1;
    const double S = o->sum_weights;
    if (grad) {
        for (int64_t j = 0; j < np; ++j) grad[j] = grad[j] / S;
        fr_penalty_add_smooth_gradient(&o->penalty, x, grad, nc);
        if (o->mu) /* before the intercept gradient is zeroed: the Gram probe needs it */
            for (int64_t k = 0; k < np - nc; ++k)
                for (int64_t j = 0; j < d; ++j) grad[k * d + j] -= o->mu[j] * grad[nc + k];
        if (!o->fit_intercept)
            for (int64_t j = nc; j < np; ++j) grad[j] = 0.0;
    }
    return loss / S + fr_penalty_smooth_value(&o->penalty, x, nc);
}

double fr_nonsmooth_value(const fr_objective *o, const double *x) {
    return fr_penalty_nonsmooth_value(&o->penalty, x, o->n_coef);
}

double fr_optimality(const fr_objective *o, const double *x, const double *g) {
    const int64_t d = o->n_features, nc = o->n_coef;
    double worst = 0.0, probe = 0.0; /* probe += 0 * g[j] is NaN iff some g[j] is inf/NaN */
    for (int64_t j = 0; j < nc; ++j) {
        /* The measure is defined on the raw gradient: with centring undo
         * grad_W' = grad_W - mu grad_b (W itself is the same in both coordinates). */
        const double gj = o->mu ? g[j] + o->mu[j % d] * g[nc + j / d] : g[j];
        const double v = fr_penalty_violation(&o->penalty, x[j], gj);
        worst = v > worst ? v : worst;
        probe += 0.0 * gj;
    }
    for (int64_t j = nc; j < o->n_params; ++j) {
        worst = fabs(g[j]) > worst ? fabs(g[j]) : worst;
        probe += 0.0 * g[j];
    }
    return probe == 0.0 ? worst : NAN;
}

double fr_evaluate_full(fr_objective *o, const double *x, double *grad, double *smooth,
                        double *optimality) {
    *smooth = fr_evaluate_smooth(o, x, grad);
    *optimality = fr_optimality(o, x, grad);
    return *smooth + fr_nonsmooth_value(o, x);
}

/* A few ulps of the sum, plus, for uncentred data, the rounding of the scores: a score
 * x.w + b whose terms are ~ |mu.w| + |b| (large when the means are, however small the
 * score) is off by a few ulps of those terms, which moves the loss by that times the
 * loss's bound on |dl/dz|. Without this term the line searches mistake that rounding for
 * a failed decrease and stall. */
double fr_value_noise(const fr_objective *o, double f) {
    double noise = 16.0 * o->data_eps * (fabs(f) + o->value_scale);
    if (o->mu) noise += 4.0 * o->data_eps * o->score_terms * o->loss->slope_bound(f);
    return noise;
}

void fr_prox_gradient_step(const fr_objective *o, const double *x, const double *g,
                           double step, double intercept_step, double *out) {
    for (int64_t j = 0; j < o->n_coef; ++j) out[j] = x[j] - step * g[j];
    fr_penalty_prox(&o->penalty, out, step, out, o->n_coef);
    for (int64_t j = o->n_coef; j < o->n_params; ++j) out[j] = x[j] - intercept_step * g[j];
}

/* Power iteration with the squared-loss pass, whose gradient difference g(v) - g(0) is
 * exactly the Gram matrix times v whatever y holds. It approaches lambda_max from below;
 * stopping at a 1% change is enough because a fixed step stays stable up to 2 / L. In
 * centred coordinates the same probe yields the centred Gram matrix. */
double fr_lipschitz_bound(fr_objective *o, int with_intercept, int max_power_iter,
                          double rel_tol, double *v, double *av, double *g0) {
    fr_problem squared = *o->problem;
    squared.loss = FR_LOSS_SQUARED;
    squared.n_outputs = 1;
    fr_objective gram = *o;
    const int64_t d = o->n_features, m = d + 1;
    gram.problem = &squared;
    gram.loss = fr_loss_lookup(FR_LOSS_SQUARED);
    gram.n_coef = d;
    gram.n_params = m;
    gram.fit_intercept = with_intercept; /* a fixed intercept is no direction */
    memset(&gram.penalty, 0, sizeof gram.penalty); /* the elastic net at zero: none */

    memset(v, 0, (size_t)m * sizeof(double));
    fr_evaluate_smooth(&gram, v, g0);
    const double g0_norm = sqrt(fr_dot(g0, g0, m));
    /* Start vector: all ones, which the raw Gram's mean direction always picks up. The
     * centred Gram has no such direction, and ones can even be a null vector of it (two
     * features summing to a constant), so there each entry also gets a fixed,
     * deterministic perturbation in [0, 1): golden-ratio steps avoid any symmetry. */
    for (int64_t j = 0; j < d; ++j)
        v[j] = o->mu ? 1.0 + fmod(0.6180339887498949 * (double)(j + 1), 1.0) : 1.0;
    v[d] = with_intercept ? 1.0 : 0.0;
    double lambda = 0.0, scale_ref = 1.0;
    for (int it = 0; it < max_power_iter; ++it) {
        const double v_norm = sqrt(fr_dot(v, v, m));
        if (!(v_norm > 0.0 && isfinite(v_norm))) break;
        /* Probe at |X v| ~ |y| so that g(v) - g(0) does not cancel into rounding
         * (|g0| ~ |x||y| and |X v| ~ sqrt(lambda) |v|). */
        const double probe = fmin(fmax(1.0, g0_norm / scale_ref), 1e15);
        for (int64_t j = 0; j < m; ++j) v[j] *= probe / v_norm;
        fr_evaluate_smooth(&gram, v, av);
        if (gram.interrupted) break;
        for (int64_t j = 0; j < m; ++j) av[j] -= g0[j];
        const double next = sqrt(fr_dot(av, av, m)) / probe;
        if (!isfinite(next)) break;
        memcpy(v, av, (size_t)m * sizeof(double));
        const int settled = fabs(next - lambda) <= rel_tol * next;
        lambda = next;
        if (next > 0.0) scale_ref = next;
        if (settled) break;
    }
    o->n_evaluations = gram.n_evaluations;
    o->interrupted = gram.interrupted;
    const double L = o->loss->info.curvature * lambda + fr_penalty_smooth_curvature(&o->penalty);
    return (L > 0.0 && isfinite(L)) ? L : 1.0; /* f flat: any step is as good */
}

int fr_stall_status(const fr_objective *o, double tol, double optimality, double last_change) {
    const int done = optimality <= 100.0 * tol || last_change <= 10.0 * o->data_eps;
    return done ? FR_CONVERGED : FR_MAX_ITER;
}
