/* stable_math.h: the per-sample building blocks shared by the array functions and the
 * fused passes, as static inline functions so that each caller's loop can inline them.
 *
 * All of them rest on one identity: with e = exp(-|z|) (never overflows, in (0, 1]),
 *     sigmoid(z)       = 1 / (1 + e)  for z >= 0,   e / (1 + e)  for z < 0
 *     log(1 + exp(z))  = max(z, 0) + log1p(e)
 * so one exp and one log1p give both the logistic loss and its gradient. */
#ifndef FASTREG_STABLE_MATH_H
#define FASTREG_STABLE_MATH_H

#include <math.h>

static inline double fr_stable_sigmoid(double z) {
    double e = exp(-fabs(z));
    return z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

static inline double fr_stable_log1pexp(double z) {
    return fmax(z, 0.0) + log1p(exp(-fabs(z)));
}

/* Logistic loss log(1 + exp(z)) - y z and its derivative sigmoid(z) - y. The
 * max(z, 0) - y z term is formed first so that for y = 1 and large z the two z's cancel
 * exactly instead of swamping log1p(e). */
static inline double fr_logistic_loss_grad(double z, double y, double *gradient) {
    double e = exp(-fabs(z));
    double inv = 1.0 / (1.0 + e);
    double sigmoid = z >= 0 ? inv : e * inv;
    *gradient = sigmoid - y;
    return (fmax(z, 0.0) - y * z) + log1p(e);
}

#endif /* FASTREG_STABLE_MATH_H */
