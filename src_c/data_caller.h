/* data_caller.h: the data kind FR_CALLER, whose passes the caller supplies (fastreg.h,
 * fr_caller_passes). It has no rows to read, so instead of the block functions of
 * data_dense.h it forwards whole passes: fr_loss_gradient, fr_column_means and the
 * weight sum of fr_solve each turn into one call of the caller's functions. Losses,
 * penalties and solvers are untouched: a solve over FR_CALLER data runs the very same
 * iterations as over rows in memory. */
#ifndef FASTREG_DATA_CALLER_H
#define FASTREG_DATA_CALLER_H

#include <math.h>
#include <stddef.h>

#include "core.h"
#include "losses.h"

static inline int fr_is_caller_data(const fr_problem *p) { return p->X.layout == FR_CALLER; }

/* fr_problem_valid for caller data: both passes present, and the dtype, sizes, loss
 * and output count consistent (y and the weights are the caller's, never read). */
static inline int fr_caller_problem_valid(const fr_problem *p) {
    const fr_caller_passes *c = p->caller;
    const fr_loss_entry *loss = fr_loss_lookup(p->loss);
    const int64_t d = p->X.n_cols, K = p->n_outputs;
    if (c == NULL || c->loss_gradient == NULL || c->column_means == NULL) return 0;
    if (loss == NULL || !isfinite(p->loss_param)) return 0;
    if (p->X.dtype != FR_FLOAT64 && p->X.dtype != FR_FLOAT32) return 0;
    if (p->X.n_rows < 0 || d < 0 || K < 1 || K > INT64_MAX / (d + FR_BLOCK + 1)) return 0;
    return loss->info.per_class ? 1 : K == 1;
}

static inline double fr_caller_loss_gradient(const fr_problem *p, const double *coef,
                                             const double *intercept, double *grad_coef,
                                             double *grad_intercept) {
    return p->caller->loss_gradient(p->caller->ctx, p, coef, intercept, grad_coef,
                                    grad_intercept);
}

static inline double fr_caller_column_means(const fr_problem *p, double *mu) {
    return p->caller->column_means(p->caller->ctx, p, mu);
}

#endif /* FASTREG_DATA_CALLER_H */
