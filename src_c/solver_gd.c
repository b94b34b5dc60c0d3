/* solver_gd.c: batch proximal gradient descent with a fixed step, exactly the iteration
 * of fastreg.h (its NumPy twin matches it pass for pass). It runs in the raw coordinates:
 * no centring, so that it stays the textbook method.
 *
 * The automatic step (learning_rate <= 0) is 1/L from the Lipschitz bound of
 * objective.h, confirmed by one backtracking step at the start point and then kept. */
#include <math.h>

#include "solvers.h"

/* work: 4 vectors. */
int fr_run_gd(fr_objective *o, const fr_solver_options *opt, double *x, double *work,
              double *curve, fr_outcome *out) {
    const int64_t n = o->n_params;
    double *g = work, *other = work + n;
    double step = opt->learning_rate, f, optimality;
    double G = fr_evaluate_full(o, x, g, &f, &optimality);
    if (step <= 0.0) {
        double L = fr_lipschitz_bound(o, o->fit_intercept, 20, 1e-2, work + n, work + 2 * n,
                                      work + 3 * n);
        o->value_scale = isfinite(G) ? fabs(G) : 0.0;
        double f_trial;
        int decisive;
        if (isfinite(G) && isfinite(optimality) && optimality > opt->tol)
            fr_backtracking_prox_step(o, x, f, g, 1.0, 1.1, &L, other, &f_trial, &decisive);
        step = 1.0 / L;
    }
    double G_prev = NAN, optimality_prev = NAN;
    for (int64_t t = 0;; ++t) {
        if (o->interrupted) { /* during the pass at W_t: return W_{t-1}, the one reported */
            if (t == 0) return fr_set_outcome(out, x, G, optimality, 0, FR_INTERRUPTED);
            return fr_set_outcome(out, other, G_prev, optimality_prev, t - 1, FR_INTERRUPTED);
        }
        if (!isfinite(G) || !isfinite(optimality)) {
            if (t == 0) return fr_set_outcome(out, x, G, optimality, 0, FR_DIVERGED);
            return fr_set_outcome(out, other, G_prev, optimality_prev, t - 1, FR_DIVERGED);
        }
        if (t > 0) curve[t - 1] = G;
        fr_iteration_completed(o, x, t, G);
        if (optimality <= opt->tol) return fr_set_outcome(out, x, G, optimality, t, FR_CONVERGED);
        if (t == opt->max_iter) return fr_set_outcome(out, x, G, optimality, t, FR_MAX_ITER);
        fr_prox_gradient_step(o, x, g, step, step, other);
        double *previous = x;
        x = other;
        other = previous; /* keeps W_t: the last finite iterate if W_{t+1} diverges */
        G_prev = G;
        optimality_prev = optimality;
        G = fr_evaluate_full(o, x, g, &f, &optimality);
    }
}
