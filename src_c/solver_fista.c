/* solver_fista.c: FISTA (Beck & Teboulle) with backtracking on L and adaptive restart
 * (O'Donoghue & Candes), for any penalty of penalties.h, and the backtracking step that
 * GD's automatic step also uses.
 *
 * a. The optimality is measured at the extrapolated point y, where the gradient is
 *    known, and y is returned once it is optimal.
 * b. The steps are taken in the metric ||d_W||^2 + intercept_weight ||d_b||^2, i.e. the
 *    intercept gets its own step. The unpenalised intercept's curvature (the loss's
 *    curvature, the Gram matrix's b-b entry being 1) often dwarfs the features'
 *    (diabetes: 1 against 0.009), and one scalar step would be held back by it. The
 *    weight is the ratio of the two blocks' Lipschitz constants when the intercept's is
 *    the larger, else 1 (the Euclidean norm: a separate intercept step would then only
 *    pay for the coupling). Either way the constant in this metric is at most twice the W
 *    block's (block PSD bound), so backtracking still applies.
 * c. Near the optimum true decreases fall below the value noise (objective.h); there
 *    FISTA stops shrinking L (a smaller L can no longer be verified), and it stops when a
 *    proximal step rounds to no move at all (y is a fixed point in this arithmetic). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "solvers.h"

/* Backtracking on L from the point y (smooth value f_y, gradient g) until the proximal
 * step to `trial` satisfies f(trial) <= f_y + <g, d> + L/2 ||d||_M^2 up to rounding, where
 * d = trial - y and the metric M weighs the intercept entries by intercept_weight.
 * Steps are 1/L on W and 1/(L intercept_weight) on b. A failed test raises L by `growth`
 * and at least to the curvature it measured along d, so an estimate a few percent low is
 * corrected in one step instead of being doubled past the true constant. *f_trial
 * receives f(trial); *decisive says whether the test could tell a bad L from a good one
 * (the quadratic term exceeded the noise). */
int fr_backtracking_prox_step(fr_objective *o, const double *y, double f_y, const double *g,
                              double intercept_weight, double growth, double *L,
                              double *trial, double *f_trial, int *decisive) {
    const double noise = fr_value_noise(o, f_y);
    for (int attempt = 0; attempt < 64; ++attempt) {
        fr_prox_gradient_step(o, y, g, 1.0 / *L, 1.0 / (*L * intercept_weight), trial);
        double along = 0.0, sq_coef = 0.0, sq_intercept = 0.0;
        for (int64_t j = 0; j < o->n_params; ++j) {
            const double d = trial[j] - y[j];
            along += g[j] * d;
            if (j < o->n_coef) sq_coef += d * d;
            else sq_intercept += d * d;
        }
        const double sq = sq_coef + intercept_weight * sq_intercept;
        if (sq == 0.0) return FR_STEP_STALLED; /* y is a fixed point at this resolution */
        const double f = fr_evaluate_smooth(o, trial, NULL);
        if (o->interrupted) return FR_STEP_FAILED;
        if (isfinite(f) && f <= f_y + along + 0.5 * *L * sq + noise) {
            *f_trial = f;
            *decisive = 0.5 * *L * sq > noise;
            return FR_STEP_ACCEPTED;
        }
        const double measured = isfinite(f) ? 2.0 * (f - f_y - along) / sq : 0.0;
        *L = fmax(growth * *L, measured);
    }
    return FR_STEP_FAILED;
}

/* work: 4 vectors. */
int fr_run_fista(fr_objective *o, const fr_solver_options *opt, double *x, double *work,
                 double *curve, fr_outcome *out) {
    const int64_t n = o->n_params;
    const double curvature = o->loss->info.curvature;
    double *g = work, *y = work + n, *x_old = work + 2 * n, *trial = work + 3 * n;
    const int need_estimate =
        o->n_features > 0 && (opt->learning_rate <= 0.0 || o->fit_intercept);
    const double L_coef =
        need_estimate ? fr_lipschitz_bound(o, 0, 10, 3e-2, y, x_old, trial) : 1.0;
    const double intercept_weight = o->n_features > 0 ? fmax(1.0, curvature / L_coef) : 1.0;
    double L = opt->learning_rate > 0.0 ? 1.0 / opt->learning_rate
                                        : (o->n_features > 0 ? L_coef : curvature);
    memcpy(y, x, (size_t)n * sizeof(double));
    double f_y, optimality_y;
    double G_y = fr_evaluate_full(o, y, g, &f_y, &optimality_y);
    double G_x = G_y, t = 1.0;
    double last_change = INFINITY; /* relative objective change of the last step */
    int y_is_x = 1, may_shrink = 1;
    o->value_scale = isfinite(G_y) ? fabs(G_y) : 0.0;
    for (int64_t k = 0;;) {
        if (!isfinite(G_y) || !isfinite(optimality_y)) /* y == x here, see below */
            return fr_set_outcome(out, x, G_y, optimality_y, k, FR_DIVERGED);
        if (optimality_y <= opt->tol)
            return fr_set_outcome(out, y, G_y, optimality_y, k, FR_CONVERGED);
        const int interrupted = o->interrupted;
        if (k == opt->max_iter || interrupted) {
            const int status = interrupted ? FR_INTERRUPTED : FR_MAX_ITER;
            if (y_is_x) return fr_set_outcome(out, y, G_y, optimality_y, k, status);
            double f_x, optimality_x; /* return the last proximal point: one more pass */
            const double G = fr_evaluate_full(o, x, g, &f_x, &optimality_x);
            return fr_set_outcome(out, x, G, optimality_x, k, status);
        }
        if (may_shrink) L *= 0.9; /* let the step grow back where f is flatter */
        double f_trial;
        const int step = fr_backtracking_prox_step(o, y, f_y, g, intercept_weight, 2.0, &L,
                                                   trial, &f_trial, &may_shrink);
        if (step == FR_STEP_STALLED)
            return fr_set_outcome(out, y, G_y, optimality_y, k,
                                  fr_stall_status(o, opt->tol, optimality_y, last_change));
        if (step == FR_STEP_FAILED && o->interrupted) continue; /* returns x at the loop top */
        if (step == FR_STEP_FAILED) /* no finite value along any step length */
            return fr_set_outcome(out, x, G_x, y_is_x ? optimality_y : NAN, k, FR_DIVERGED);
        const double G_trial = f_trial + fr_nonsmooth_value(o, trial);
        curve[k] = G_trial;

        /* Restart when the objective rises or the step turns against the momentum
         * (gradient-mapping test: <y - x_{k+1}, x_{k+1} - x_k>_M > 0). */
        double turn = 0.0;
        for (int64_t j = 0; j < n; ++j)
            turn += (j < o->n_coef ? 1.0 : intercept_weight) * (y[j] - trial[j]) *
                    (trial[j] - x[j]);
        const int restart = turn > 0.0 || G_trial > G_x + fr_value_noise(o, G_x);
        double *recycled = x_old;
        x_old = x;
        x = trial;
        trial = recycled;
        last_change = fabs(G_trial - G_x) / fmax(fmax(fabs(G_trial), fabs(G_x)), DBL_MIN);
        G_x = G_trial;
        ++k;
        fr_iteration_completed(o, x, k, G_x);

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
        /* The extrapolation can leave the domain of a constraint: project it back (the
         * proximal step from y only needs y's gradient, but the optimality measure at y
         * must be that of a feasible point). */
        fr_penalty_project(&o->penalty, y, o->n_coef);
        G_y = fr_evaluate_full(o, y, g, &f_y, &optimality_y);
        if (!y_is_x && !(isfinite(G_y) && isfinite(optimality_y))) {
            /* the extrapolation left the region where the loss is finite: drop it */
            memcpy(y, x, (size_t)n * sizeof(double));
            y_is_x = 1;
            t = 1.0;
            G_y = fr_evaluate_full(o, y, g, &f_y, &optimality_y);
        }
    }
}
