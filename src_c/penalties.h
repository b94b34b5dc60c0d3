/* penalties.h: the penalties of fastreg.h's fr_penalty, as the things a solver asks of
 * one. Every solver goes through these functions; fastreg/_reference_objective.py mirrors
 * them one for one.
 *
 * a. Kinds. FR_PENALTY_ELASTIC_NET is P(W) = l2/2 ||W||^2 + l1 ||W||_1, with the
 *    constraint W >= 0 when `positive`: none, ridge, lasso, elastic net and their
 *    non-negative variants are points of it. A kind is a code, a name in
 *    fr_penalty_kind_name, and its terms in the functions below; `param` carries a
 *    kind's own parameter, so a new kind needs no new field.
 * b. Split: the L2 term is smooth and joins the loss in the smooth part f of the
 *    objective (value, gradient, curvature); the L1 term and the constraint are the
 *    non-smooth part, reached only through its value, its proximal step, the projection
 *    onto its domain, the optimality measure and the coordinate-wise minimiser.
 * c. Everything is per coefficient (the penalties are separable), so the vector functions
 *    are loops over the scalar ones; coordinate descent uses the scalar ones.
 * d. Adding a kind: here (its code, name and terms), its twin in
 *    fastreg/_reference_objective.py, and the estimator that names it. */
#ifndef FASTREG_PENALTIES_H
#define FASTREG_PENALTIES_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "fastreg.h"

enum fr_penalty_kind { FR_PENALTY_ELASTIC_NET = 0, FR_PENALTY_KIND_COUNT };

/* The name the bridge and the twin use for a kind, NULL for an unknown code. */
static inline const char *fr_penalty_kind_name(int kind) {
    switch (kind) {
    case FR_PENALTY_ELASTIC_NET: return "elastic_net";
    default: return NULL;
    }
}

/* 1 when the penalty's parameters are valid for its kind. */
static inline int fr_penalty_valid(const fr_penalty *p) {
    if (fr_penalty_kind_name(p->kind) == NULL) return 0;
    if (p->positive != 0 && p->positive != 1) return 0;
    return p->l1 >= 0.0 && isfinite(p->l1) && p->l2 >= 0.0 && isfinite(p->l2) &&
           isfinite(p->param);
}

/* 1 when P is differentiable everywhere (no L1 term, no constraint). */
static inline int fr_penalty_is_smooth(const fr_penalty *p) {
    return p->l1 == 0.0 && !p->positive;
}

/* l2/2 ||w||^2: the smooth part's share of P. */
static inline double fr_penalty_smooth_value(const fr_penalty *p, const double *w, int64_t n) {
    if (p->l2 == 0.0) return 0.0;
    double sq = 0.0;
    for (int64_t j = 0; j < n; ++j) sq += w[j] * w[j];
    return 0.5 * p->l2 * sq;
}

/* grad += the smooth part's gradient, l2 w. */
static inline void fr_penalty_add_smooth_gradient(const fr_penalty *p, const double *w,
                                                  double *grad, int64_t n) {
    if (p->l2 == 0.0) return;
    for (int64_t j = 0; j < n; ++j) grad[j] += p->l2 * w[j];
}

/* The smooth part's curvature: its Hessian is at most this times the identity. */
static inline double fr_penalty_smooth_curvature(const fr_penalty *p) { return p->l2; }

/* l1 ||w||_1: the non-smooth part's value (0 on the domain of the constraint, which the
 * proximal step and the projection never leave). */
static inline double fr_penalty_nonsmooth_value(const fr_penalty *p, const double *w,
                                                int64_t n) {
    if (p->l1 == 0.0) return 0.0;
    double s = 0.0;
    for (int64_t j = 0; j < n; ++j) s += fabs(w[j]);
    return p->l1 * s;
}

/* The nearest point of the non-smooth part's domain: w itself, or max(w, 0) under the
 * constraint. */
static inline double fr_penalty_project_scalar(const fr_penalty *p, double w) {
    return p->positive && !(w > 0.0) ? 0.0 : w;
}

static inline void fr_penalty_project(const fr_penalty *p, double *w, int64_t n) {
    if (!p->positive) return;
    for (int64_t j = 0; j < n; ++j) w[j] = fr_penalty_project_scalar(p, w[j]);
}

/* argmin_u (u - v)^2 / (2 step) + step-scaled non-smooth part: soft-thresholding by
 * step l1 (exact zeros), then the projection onto the domain. */
static inline double fr_penalty_prox_scalar(const fr_penalty *p, double v, double step) {
    const double threshold = step * p->l1;
    double u = v;
    if (threshold != 0.0) u = v > threshold ? v - threshold : (v < -threshold ? v + threshold : 0.0);
    return fr_penalty_project_scalar(p, u);
}

/* out = prox(v) entrywise; out may equal v. */
static inline void fr_penalty_prox(const fr_penalty *p, const double *v, double step,
                                   double *out, int64_t n) {
    if (fr_penalty_is_smooth(p)) {
        if (out != v)
            for (int64_t j = 0; j < n; ++j) out[j] = v[j];
        return;
    }
    for (int64_t j = 0; j < n; ++j) out[j] = fr_penalty_prox_scalar(p, v[j], step);
}

/* |minimum-norm element| of g + d(non-smooth part)(w) for one coefficient, g the
 * gradient of the smooth part: 0 exactly at a minimiser of a separable convex problem.
 *   w > 0: |g + l1|    w < 0: |g - l1|
 *   w = 0: max(|g| - l1, 0), or max(-g - l1, 0) under the constraint (only a push
 *          into w > 0 is a violation). */
static inline double fr_penalty_violation(const fr_penalty *p, double w, double g) {
    if (w > 0.0) return fabs(g + p->l1);
    if (w < 0.0) return fabs(g - p->l1);
    if (p->positive) return fmax(-g - p->l1, 0.0);
    return fmax(fabs(g) - p->l1, 0.0);
}

/* Minimiser of a/2 u^2 - c u + l2/2 u^2 + non-smooth part(u) over one coordinate
 * (a > 0 the loss's curvature along it, c the linear term): what coordinate descent
 * solves at each step. The soft-thresholding acts on c before the division,
 * sign(c) max(|c| - l1, 0) / (a + l2): scikit-learn's formula, so that both take the same
 * steps (dividing first would round once more). 0 when the constraint forbids c < 0; a
 * NaN c stays NaN, so that the caller sees the divergence. */
static inline double fr_penalty_coordinate_minimiser(const fr_penalty *p, double a, double c) {
    if (p->positive && c < 0.0) return 0.0;
    const double excess = fabs(c) - p->l1;
    if (!(excess > 0.0)) return isnan(excess) ? excess : 0.0;
    return (c > 0.0 ? excess : -excess) / (a + p->l2);
}

#endif /* FASTREG_PENALTIES_H */
