/* solver_lbfgs.c: limited-memory BFGS for smooth objectives (no L1 term, no constraint),
 * with a strong-Wolfe line search (Nocedal & Wright, algorithms 3.5 and 3.6).
 *
 * a. Sufficient decrease is measured with rounding slack (objective.h, decision c). Near
 *    the optimum true decreases fall below that noise; there the search leans on its
 *    gradient-based curvature test, so it still reaches tight tolerances.
 * b. A solver that can no longer move at floating-point resolution stops (see
 *    fr_stall_status). L-BFGS gets there only after a failed Wolfe search along its
 *    direction, then along -g, then a search on the slope alone along -g (convexity:
 *    phi' <= 0 means a decrease even when values are lost in rounding), and after ten
 *    slope steps that did not halve the optimality. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "solvers.h"

/* Iterations without real progress after which the solver is stalled (see below). */
#define FR_LBFGS_IDLE_LIMIT 50

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

static line_point evaluate_along(fr_objective *o, const double *x, const double *dir, double a,
                                 search_buffers *b) {
    const int64_t n = o->n_params;
    for (int64_t j = 0; j < n; ++j) b->x_trial[j] = x[j] + a * dir[j];
    line_point p;
    p.a = a;
    p.f = fr_evaluate_smooth(o, b->x_trial, b->g_trial);
    p.d = fr_dot(b->g_trial, dir, n);
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
static int wolfe_line_search(fr_objective *o, const double *x, double f0, const double *dir,
                             double dphi0, double a_init, search_buffers *b, double *f_out) {
    const double c1 = 1e-4, c2 = 0.9;
    const int max_evaluations = 20;
    const double noise = fr_value_noise(o, f0);
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
static int slope_search(fr_objective *o, const double *x, double f0, const double *dir,
                        double dphi0, search_buffers *b, double *f_out) {
    const double noise = fr_value_noise(o, f0);
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
        const int slot = (head + i) % FR_LBFGS_MEMORY;
        const double *s = S + slot * n, *y = Y + slot * n;
        alpha[slot] = rho[slot] * fr_dot(s, dir, n);
        for (int64_t j = 0; j < n; ++j) dir[j] -= alpha[slot] * y[j];
    }
    if (n_pairs > 0) { /* H0 = (s.y / y.y) I from the newest pair */
        const int newest = (head + n_pairs - 1) % FR_LBFGS_MEMORY;
        const double *y = Y + newest * n;
        const double gamma = 1.0 / (rho[newest] * fr_dot(y, y, n));
        for (int64_t j = 0; j < n; ++j) dir[j] *= gamma;
    }
    for (int i = 0; i < n_pairs; ++i) {
        const int slot = (head + i) % FR_LBFGS_MEMORY;
        const double *s = S + slot * n, *y = Y + slot * n;
        const double beta = rho[slot] * fr_dot(y, dir, n);
        for (int64_t j = 0; j < n; ++j) dir[j] += (alpha[slot] - beta) * s[j];
    }
    for (int64_t j = 0; j < n; ++j) dir[j] = -dir[j];
}

/* L-BFGS with FR_LBFGS_MEMORY pairs, smooth objectives only. work: 6 vectors,
 * 2 FR_LBFGS_MEMORY vectors and 2 FR_LBFGS_MEMORY doubles. */
int fr_run_lbfgs(fr_objective *o, const fr_solver_options *opt, double *x, double *work,
                  double *curve, fr_outcome *out) {
    const int64_t n = o->n_params;
    double *g = work, *dir = work + n;
    search_buffers b = {work + 2 * n, work + 3 * n, work + 4 * n, work + 5 * n};
    double *S = work + 6 * n, *Y = S + FR_LBFGS_MEMORY * n;
    double *rho = Y + FR_LBFGS_MEMORY * n, *alpha = rho + FR_LBFGS_MEMORY;
    int head = 0, n_pairs = 0;
    double f, optimality;
    fr_evaluate_full(o, x, g, &f, &optimality);
    o->value_scale = isfinite(f) ? fabs(f) : 0.0;
    double last_change = INFINITY; /* relative objective change of the last step */
    /* Slope-search steps in a row, and the optimality when that run began: at the
     * resolution limit the slope test keeps accepting steps that go nowhere. */
    int slope_steps = 0;
    double slope_start = INFINITY;
    /* Iterations since the last real progress: the objective below its best by more
     * than its rounding, or the optimality below half its best. At the resolution floor
     * the Wolfe search keeps accepting steps whose decreases are rounding noise, and the
     * iterates wander without end (seen in float32 at tol = 0). */
    int64_t idle = 0;
    double best_f = f, best_optimality = optimality;

    for (int64_t k = 0;;) {
        if (!isfinite(f) || !isfinite(optimality)) /* only at the start point */
            return fr_set_outcome(out, x, f, optimality, k, FR_DIVERGED);
        if (optimality <= opt->tol) return fr_set_outcome(out, x, f, optimality, k, FR_CONVERGED);
        if (k == opt->max_iter) return fr_set_outcome(out, x, f, optimality, k, FR_MAX_ITER);
        if (o->interrupted) return fr_set_outcome(out, x, f, optimality, k, FR_INTERRUPTED);

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
            double dphi0 = fr_dot(g, dir, n);
            if (!(dphi0 < 0.0)) { /* rounding spoilt the direction: steepest descent */
                n_pairs = 0;
                for (int64_t j = 0; j < n; ++j) dir[j] = -g[j];
                dphi0 = -fr_dot(g, g, n);
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
         * no move, ten slope steps that did not halve the optimality, or
         * FR_LBFGS_IDLE_LIMIT iterations without real progress */
        if (found && (f_new < best_f - fr_value_noise(o, best_f))) {
            best_f = f_new;
            idle = 0;
        } else if (found && optimality < 0.5 * best_optimality) {
            best_optimality = optimality;
            idle = 0;
        } else {
            ++idle;
        }
        if (!found || moved == 0.0 || (slope_steps > 10 && optimality > 0.5 * slope_start) ||
            idle > FR_LBFGS_IDLE_LIMIT)
            return fr_set_outcome(out, x, f, optimality, k,
                               fr_stall_status(o, opt->tol, optimality, last_change));
        if (slope_steps > 10) slope_steps = 0; /* it did: a fresh run of ten */
        if (sy > 1e-10 * sqrt(ss) * sqrt(yy)) { /* keep H positive definite */
            const int slot = (head + n_pairs) % FR_LBFGS_MEMORY;
            double *s = S + slot * n, *y = Y + slot * n;
            for (int64_t j = 0; j < n; ++j) {
                s[j] = b.x_trial[j] - x[j];
                y[j] = b.g_trial[j] - g[j];
            }
            rho[slot] = 1.0 / sy;
            if (n_pairs < FR_LBFGS_MEMORY) ++n_pairs;
            else head = (head + 1) % FR_LBFGS_MEMORY;
        }
        /* The search accepts only finite values and slopes; a non-finite gradient entry
         * that cancelled out of the slope still ends the solve at the last finite x. */
        const double optimality_new = fr_optimality(o, b.x_trial, b.g_trial);
        if (!isfinite(optimality_new))
            return fr_set_outcome(out, x, f, optimality, k, FR_DIVERGED);
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
        fr_iteration_completed(o, x, k, f);
    }
}

