/* losses.h: the loss table. Every loss is defined here once: its row of the table (name,
 * outputs, curvature, target kind, bound on |dl/dz|; losses.c turns the rows into data)
 * and its per-block value and derivative below, which the fused pass inlines.
 *
 * a. A single-output loss maps the block's scores z[r] (r < FR_BLOCK), targets y[r] and
 *    weights s[r] to l[r] = s_r l(z_r, y_r) and g[r] = s_r dl/dz(z_r, y_r). A per-class
 *    loss maps the class-major scores zk[k FR_BLOCK + r] to l[r] and overwrites zk with
 *    the derivatives s_r dl/dz_k. Padding rows have s = 0 and must give l = g = 0.
 * b. The block loops carry `#pragma omp simd` and call only the branch-free vector math
 *    of vector_math.h, so that they vectorise in every ISA clone.
 * c. The dispatchers below are called with a compile-time constant loss code (the pass
 *    specialises its row loop per loss, see pass_fused_template.h), so their switch
 *    folds away. An unknown code never reaches them: fr_problem_valid rejects it.
 * d. Adding a loss: its code in fastreg.h; here its table row, its block function, one
 *    case in the dispatcher of its kind and one entry in the list of its kind
 *    (FR_SINGLE_OUTPUT_LOSSES or FR_PER_CLASS_LOSSES); its twin in
 *    fastreg/_reference_passes.py. */
#ifndef FASTREG_LOSSES_H
#define FASTREG_LOSSES_H

#include <math.h>

#include "core.h"
#include "vector_math.h"

/* Bounds on |dl/dz| averaged over the rows, given the average loss (the slope_bound of
 * a table row): the squared loss's derivative is the residual, whose RMS is
 * sqrt(2 mean loss); |sigmoid(z) - y| <= 1; sum_k |softmax_k - [k == y]| <= 2. */
static inline double fr_residual_slope(double mean_loss) { return sqrt(2.0 * fabs(mean_loss)); }
static inline double fr_unit_slope(double mean_loss) {
    (void)mean_loss;
    return 1.0;
}
static inline double fr_two_slope(double mean_loss) {
    (void)mean_loss;
    return 2.0;
}

/* The table: code, name, per_class, curvature, class_targets, binary_targets, slope bound.
 * Curvatures: the squared loss has l'' = 1, the logistic loss l'' = sigmoid (1 - sigmoid)
 * <= 1/4, and the multinomial loss has Hessian diag(p) - p p^T, largest eigenvalue
 * <= 1/2. */
#define FR_LOSS_TABLE(ROW)                                                    \
    ROW(FR_LOSS_SQUARED, "squared", 0, 1.0, 0, 0, fr_residual_slope)          \
    ROW(FR_LOSS_LOGISTIC, "logistic", 0, 0.25, 0, 1, fr_unit_slope)           \
    ROW(FR_LOSS_MULTINOMIAL, "multinomial", 1, 0.5, 1, 0, fr_two_slope)

/* The losses of each kind, for the pass's per-loss specialisation. */
#define FR_SINGLE_OUTPUT_LOSSES(CASE) CASE(FR_LOSS_SQUARED) CASE(FR_LOSS_LOGISTIC)
#define FR_PER_CLASS_LOSSES(CASE) CASE(FR_LOSS_MULTINOMIAL)

/* A row of the table, with what the solvers need beyond fr_loss_info. */
typedef struct {
    fr_loss_info info;
    /* Bound on |dl/dz| averaged over the rows, given the average loss: how far the loss
     * moves per unit of rounding in a score (the line searches' noise estimate). */
    double (*slope_bound)(double mean_loss);
} fr_loss_entry;

/* The table row of a loss code, or NULL for an unknown code. */
const fr_loss_entry *fr_loss_lookup(int loss);

/* ---- single-output losses ----------------------------------------------------------- */

/* l = (z - y)^2 / 2, dl/dz = z - y. */
FR_MATH_INLINE void fr_squared_block(double param, const double *z, const double *y,
                                     const double *s, double *l, double *g) {
    (void)param;
#pragma omp simd
    for (int r = 0; r < FR_BLOCK; ++r) {
        const double residual = z[r] - y[r];
        g[r] = s[r] * residual;
        l[r] = 0.5 * s[r] * residual * residual;
    }
}

/* l = log(1 + exp(z)) - y z, dl/dz = sigmoid(z) - y, from one exp: with e = exp(-|z|)
 * in (0, 1], sigmoid(z) = 1/(1 + e) for z >= 0 and e/(1 + e) for z < 0, and
 * log(1 + exp(z)) = max(z, 0) + log1p(e). max(z, 0) - y z is formed first so that for
 * y = 1 and large z the two z's cancel exactly instead of swamping log1p(e). */
FR_MATH_INLINE void fr_logistic_block(double param, const double *z, const double *y,
                                      const double *s, double *l, double *g) {
    (void)param;
#pragma omp simd
    for (int r = 0; r < FR_BLOCK; ++r) {
        const double e = fr_exp(-fabs(z[r]));
        const double inv = 1.0 / (1.0 + e);
        const double sigmoid = z[r] >= 0.0 ? inv : e * inv;
        g[r] = s[r] * (sigmoid - y[r]);
        l[r] = s[r] * (((z[r] > 0.0 ? z[r] : 0.0) - y[r] * z[r]) + fr_log1p_unit(e));
    }
}

FR_MATH_INLINE void fr_single_output_block(int loss, double param, const double *z,
                                           const double *y, const double *s, double *l,
                                           double *g) {
    switch (loss) {
    case FR_LOSS_SQUARED: fr_squared_block(param, z, y, s, l, g); return;
    case FR_LOSS_LOGISTIC: fr_logistic_block(param, z, y, s, l, g); return;
    default: return;
    }
}

/* ---- per-class losses ------------------------------------------------------------------ */

/* l = logsumexp(z) - z_y = log(sum_k exp(z_k - max)) + (max - z_y): both terms >= 0,
 * nothing cancels, nothing overflows. dl/dz_k = softmax(z)_k - [k == y]. */
FR_MATH_INLINE void fr_multinomial_block(double param, double *zk, int64_t K, const double *y,
                                         const double *s, double *l) {
    (void)param;
    double zmax[FR_BLOCK], zlabel[FR_BLOCK], sum[FR_BLOCK];
    for (int r = 0; r < FR_BLOCK; ++r) {
        zmax[r] = -INFINITY;
        zlabel[r] = 0.0; /* labels are validated upstream; this keeps reads defined */
        sum[r] = 0.0;
    }
    for (int64_t k = 0; k < K; ++k) {
        const double *z = zk + k * FR_BLOCK;
#pragma omp simd
        for (int r = 0; r < FR_BLOCK; ++r) {
            zmax[r] = z[r] > zmax[r] ? z[r] : zmax[r];
            zlabel[r] = (double)k == y[r] ? z[r] : zlabel[r];
        }
    }
    for (int64_t k = 0; k < K; ++k) {
        double *z = zk + k * FR_BLOCK;
#pragma omp simd
        for (int r = 0; r < FR_BLOCK; ++r) {
            z[r] = fr_exp(z[r] - zmax[r]); /* z now holds exp(z - max) */
            sum[r] += z[r];
        }
    }
#pragma omp simd
    for (int r = 0; r < FR_BLOCK; ++r) {
        l[r] = s[r] * (fr_log(sum[r]) + (zmax[r] - zlabel[r]));
        sum[r] = s[r] / sum[r]; /* from here on: weight / sum */
    }
    for (int64_t k = 0; k < K; ++k) {
        double *e = zk + k * FR_BLOCK;
#pragma omp simd
        for (int r = 0; r < FR_BLOCK; ++r)
            e[r] = e[r] * sum[r] - ((double)k == y[r] ? s[r] : 0.0);
    }
}

FR_MATH_INLINE void fr_per_class_block(int loss, double param, double *zk, int64_t K,
                                       const double *y, const double *s, double *l) {
    switch (loss) {
    case FR_LOSS_MULTINOMIAL: fr_multinomial_block(param, zk, K, y, s, l); return;
    default: return;
    }
}

#endif /* FASTREG_LOSSES_H */
