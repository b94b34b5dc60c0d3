/* pass_fused.c: the fused loss + gradient pass (one read of X per call) and the scores
 * pass, for every data layout and dtype, plus the chunking they share.
 *
 * Rows are cut into chunks (fr_chunk_count); each chunk is summed serially into its own
 * slot of the scratch buffer, threads take whole chunks, and the slots are added in
 * chunk order afterwards. The chunk count depends on n_rows only, so the result is
 * bitwise identical for every thread count. Small inputs form a single chunk and never
 * touch OpenMP, so a 150-row pass costs no thread start-up. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "data_caller.h"
#include "losses.h"

#ifdef _OPENMP
#include <omp.h>
#endif

int64_t fr_chunk_count(int64_t n_rows) {
    int64_t chunks = (n_rows + FR_CHUNK_MIN_ROWS - 1) / FR_CHUNK_MIN_ROWS;
    if (chunks < 1) chunks = 1;
    return chunks > FR_MAX_CHUNKS ? FR_MAX_CHUNKS : chunks;
}

/* Doubles per chunk slot: [loss, grad_intercept (K), grad_coef (K x d), block scores
 * (K x FR_BLOCK)]. */
static int64_t fr_slot_size(int64_t n_features, int64_t n_outputs) {
    return 1 + n_outputs + n_outputs * n_features + n_outputs * FR_BLOCK;
}

/* The point in float, for float32 data, after the chunk slots (in doubles). */
static int64_t point_copy_doubles(const fr_problem *p) {
    if (p->X.dtype != FR_FLOAT32) return 0;
    const int64_t n_params = p->n_outputs * (p->X.n_cols + 1);
    return (n_params + 1) / 2;
}

int64_t fr_scratch_size(const fr_problem *p) {
    return fr_chunk_count(p->X.n_rows) * fr_slot_size(p->X.n_cols, p->n_outputs) +
           point_copy_doubles(p);
}

/* Adds the chunk slots in chunk order (decision e of fastreg.h); returns the loss. */
static double fr_reduce_slots(const double *scratch, int64_t chunks, int64_t slot_size,
                              int64_t K, int64_t d, int with_gradient, double *grad_coef,
                              double *grad_intercept) {
    double loss = 0.0;
    if (with_gradient) {
        memset(grad_intercept, 0, (size_t)K * sizeof(double));
        memset(grad_coef, 0, (size_t)(K * d) * sizeof(double));
    }
    for (int64_t c = 0; c < chunks; ++c) {
        const double *slot = scratch + c * slot_size;
        loss += slot[0];
        if (!with_gradient) continue;
        for (int64_t k = 0; k < K; ++k) grad_intercept[k] += slot[1 + k];
        for (int64_t m = 0; m < K * d; ++m) grad_coef[m] += slot[1 + K + m];
    }
    return loss;
}

/* Out-of-range double -> float conversion is undefined behaviour, so clamp to inf. */
static float to_float(double v) {
    if (v > FLT_MAX) return INFINITY;
    if (v < -FLT_MAX) return -INFINITY;
    return (float)v;
}

static void copy_to_float(const double *from, int64_t n, float *to) {
    for (int64_t j = 0; j < n; ++j) to[j] = to_float(from[j]);
}

#define FR_UNROLL_SHORT_ROWS 1

#define REAL double
#define SUFFIX(name) name##_f64
#define LAYOUT(name) SUFFIX(dense_##name)
#include "data_dense.h"
#include "pass_fused_template.h"
#undef LAYOUT
#undef REAL
#undef SUFFIX

#define REAL float
#define SUFFIX(name) name##_f32
#define LAYOUT(name) SUFFIX(dense_##name)
#include "data_dense.h"
#include "pass_fused_template.h"
#undef LAYOUT
#undef REAL
#undef SUFFIX

double fr_loss_gradient(const fr_problem *p, const double *coef, const double *intercept,
                        double *grad_coef, double *grad_intercept, double *scratch,
                        int n_threads) {
    if (fr_is_caller_data(p))
        return fr_caller_loss_gradient(p, coef, intercept, grad_coef, grad_intercept);
    const int64_t K = p->n_outputs, d = p->X.n_cols;
    const int per_class = fr_loss_lookup(p->loss)->info.per_class;
    if (p->X.dtype == FR_FLOAT32) {
        float *point = (float *)(scratch + fr_scratch_size(p) - point_copy_doubles(p));
        copy_to_float(coef, K * d, point);
        copy_to_float(intercept, K, point + K * d);
        return dense_loss_gradient_f32(p, per_class, point, point + K * d, grad_coef,
                                       grad_intercept, scratch, n_threads);
    }
    return dense_loss_gradient_f64(p, per_class, coef, intercept, grad_coef, grad_intercept,
                                   scratch, n_threads);
}

int fr_scores(const fr_matrix *X, const double *coef, const double *intercept,
              int64_t n_outputs, double *out, int n_threads) {
    const int64_t K = n_outputs, d = X->n_cols;
    if (X->layout == FR_CALLER) return FR_BAD_INPUT; /* no rows here to score */
    if (X->dtype != FR_FLOAT32) {
        dense_scores_f64(X, coef, intercept, K, out, n_threads);
        return FR_CONVERGED;
    }
    float *point = malloc((size_t)(K * (d + 1)) * sizeof(float));
    if (point == NULL) return FR_NO_MEMORY;
    copy_to_float(coef, K * d, point);
    copy_to_float(intercept, K, point + K * d);
    dense_scores_f32(X, point, point + K * d, K, out, n_threads);
    free(point);
    return FR_CONVERGED;
}
