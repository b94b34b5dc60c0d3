/* pass_fused.c: the fused loss + gradient pass (one read of X per call) and the scores
 * pass, for every data layout and dtype, plus the chunking they share and the checks of
 * a matrix's structure.
 *
 * Rows are cut into chunks (fr_matrix_chunk_count); each chunk is summed serially into
 * its own slot of the scratch buffer, threads take whole chunks, and the slots are added
 * in chunk order afterwards. The chunk count depends on the data's shape only (n_rows;
 * for CSR also n_cols and the stored entries), so the result is bitwise identical for
 * every thread count. Small inputs form a single chunk and never touch OpenMP, so a
 * 150-row pass costs no thread start-up. */
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

/* Whether the pass reads W transposed (d x K): per-class losses on CSR X (data_csr.h,
 * decision c). */
static int transposed_point(const fr_problem *p) {
    return p->X.layout == FR_CSR && fr_loss_lookup(p->loss)->info.per_class;
}

/* The point in the data's dtype, after the chunk slots (in doubles): a float copy for
 * float32 data, and a transposed copy (in either dtype) when transposed_point. */
static int64_t point_copy_doubles(const fr_problem *p) {
    const int64_t n_params = p->n_outputs * (p->X.n_cols + 1);
    if (p->X.dtype == FR_FLOAT32) return (n_params + 1) / 2;
    return transposed_point(p) ? n_params : 0;
}

int64_t fr_scratch_size(const fr_problem *p) {
    return fr_matrix_chunk_count(&p->X) * fr_slot_size(p->X.n_cols, p->n_outputs) +
           point_copy_doubles(p);
}

/* grad_coef[m] for m in [begin, end): the slots' entries added in chunk order. */
static void reduce_coef_range(const double *scratch, int64_t chunks, int64_t slot_size,
                              int64_t K, int64_t begin, int64_t end, double *grad_coef) {
    memset(grad_coef + begin, 0, (size_t)(end - begin) * sizeof(double));
    for (int64_t c = 0; c < chunks; ++c) {
        const double *slot = scratch + c * slot_size + 1 + K;
        for (int64_t m = begin; m < end; ++m) grad_coef[m] += slot[m];
    }
}

/* The same for feature-major slots (d x K) and features [begin, end): grad_coef[k, j]
 * is slot[j K + k], summed in chunk order. */
static void reduce_transposed_range(const double *scratch, int64_t chunks, int64_t slot_size,
                                    int64_t K, int64_t d, int64_t begin, int64_t end,
                                    double *grad_coef) {
    for (int64_t k = 0; k < K; ++k)
        memset(grad_coef + k * d + begin, 0, (size_t)(end - begin) * sizeof(double));
    for (int64_t c = 0; c < chunks; ++c) {
        const double *slot = scratch + c * slot_size + 1 + K;
        for (int64_t j = begin; j < end; ++j)
            for (int64_t k = 0; k < K; ++k) grad_coef[k * d + j] += slot[j * K + k];
    }
}

static void reduce_share(const double *scratch, int64_t chunks, int64_t slot_size, int64_t K,
                         int64_t d, int feature_major, int64_t begin, int64_t end,
                         double *grad_coef) {
    if (feature_major)
        reduce_transposed_range(scratch, chunks, slot_size, K, d, begin, end, grad_coef);
    else
        reduce_coef_range(scratch, chunks, slot_size, K, begin, end, grad_coef);
}

/* Coefficients per share of a parallel reduction, and the least work (chunks x K d
 * additions) worth starting threads for: a wide CSR gradient (n_cols in the 10^5..10^6)
 * would otherwise be added up by one thread while the other waits. */
#define FR_REDUCE_SHARE 8192
#define FR_REDUCE_PARALLEL_MIN (1 << 19)

/* Adds the chunk slots in chunk order (decision e of fastreg.h); returns the loss. Each
 * coefficient is summed over the chunks in chunk order whoever sums it, so sharing the
 * coefficients among threads leaves every bit unchanged. */
static double fr_reduce_slots(const double *scratch, int64_t chunks, int64_t slot_size,
                              int64_t K, int64_t d, int with_gradient, int feature_major,
                              double *grad_coef, double *grad_intercept, int n_threads) {
    double loss = 0.0;
    for (int64_t c = 0; c < chunks; ++c) loss += scratch[c * slot_size];
    if (!with_gradient) return loss;
    memset(grad_intercept, 0, (size_t)K * sizeof(double));
    for (int64_t c = 0; c < chunks; ++c)
        for (int64_t k = 0; k < K; ++k) grad_intercept[k] += scratch[c * slot_size + 1 + k];
    /* shares of coefficients, or of features when feature-major */
    const int64_t n_coef = K * d, span = feature_major ? d : n_coef;
    const int64_t share_size = feature_major ? (FR_REDUCE_SHARE + K - 1) / K : FR_REDUCE_SHARE;
    const int64_t shares = (span + share_size - 1) / share_size;
    const int threads = chunks > 1 && (double)chunks * (double)n_coef >= FR_REDUCE_PARALLEL_MIN
                            ? fr_parallel_threads(n_threads, shares)
                            : 1;
    if (threads <= 1) { /* the serial path never enters the OpenMP runtime */
        reduce_share(scratch, chunks, slot_size, K, d, feature_major, 0, span, grad_coef);
        return loss;
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(threads)
#endif
    for (int64_t share = 0; share < shares; ++share) {
        const int64_t begin = share * share_size;
        const int64_t end = begin + share_size < span ? begin + share_size : span;
        reduce_share(scratch, chunks, slot_size, K, d, feature_major, begin, end, grad_coef);
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

/* CSR: rows have no common width to specialise on. */
#undef FR_UNROLL_SHORT_ROWS
#define FR_UNROLL_SHORT_ROWS 0

#define INDEX int32_t
#define REAL double
#define SUFFIX(name) name##_f64
#define LAYOUT(name) SUFFIX(csr32_##name)
#include "data_csr.h"
#include "pass_fused_template.h"
#undef LAYOUT
#undef REAL
#undef SUFFIX
#define REAL float
#define SUFFIX(name) name##_f32
#define LAYOUT(name) SUFFIX(csr32_##name)
#include "data_csr.h"
#include "pass_fused_template.h"
#undef LAYOUT
#undef REAL
#undef SUFFIX
#undef INDEX

#define INDEX int64_t
#define REAL double
#define SUFFIX(name) name##_f64
#define LAYOUT(name) SUFFIX(csr64_##name)
#include "data_csr.h"
#include "pass_fused_template.h"
#undef LAYOUT
#undef REAL
#undef SUFFIX
#define REAL float
#define SUFFIX(name) name##_f32
#define LAYOUT(name) SUFFIX(csr64_##name)
#include "data_csr.h"
#include "pass_fused_template.h"
#undef LAYOUT
#undef REAL
#undef SUFFIX
#undef INDEX

/* ---- the layouts' chunks and checks ------------------------------------------------------ */

/* A CSR chunk holds at least this many stored entries per column of X: zeroing a chunk's
 * gradient slot (K n_cols doubles) and adding it into the result then costs at most an
 * eighth of the chunk's own scatter updates (K per entry). Without it a wide, very sparse
 * X (n_cols ~ nnz) would spend most of a pass on slots (and most memory on scratch). */
#define FR_CSR_ENTRIES_PER_COLUMN 8

static int64_t csr_chunk_count(const fr_matrix *X) {
    int64_t chunks = fr_chunk_count(X->n_rows); /* the dense rule: >= 2048 rows a chunk */
    const int64_t by_width = X->nnz / FR_CSR_ENTRIES_PER_COLUMN / (X->n_cols > 0 ? X->n_cols : 1);
    if (chunks > by_width) chunks = by_width;
    if (chunks >= 4) chunks -= chunks % 4; /* equal shares for 2 or 4 threads */
    return chunks < 1 ? 1 : chunks;
}

int64_t fr_matrix_chunk_count(const fr_matrix *X) {
    return X->layout == FR_CSR ? csr_chunk_count(X) : fr_chunk_count(X->n_rows);
}

int64_t fr_matrix_chunk_start(const fr_matrix *X, int64_t chunk, int64_t chunks) {
    if (X->layout != FR_CSR) return X->n_rows * chunk / chunks;
    if (X->index_type == FR_INDEX_INT32) return csr32_chunk_start_f64(X, chunk, chunks);
    return csr64_chunk_start_f64(X, chunk, chunks);
}

int fr_matrix_check(const fr_matrix *X) {
    if (X == NULL || (X->dtype != FR_FLOAT64 && X->dtype != FR_FLOAT32)) return FR_MATRIX_BAD_FIELDS;
    const int64_t n = X->n_rows, d = X->n_cols;
    if (n < 0 || d < 0) return FR_MATRIX_BAD_FIELDS;
    if (X->layout == FR_DENSE) {
        if (d > 0 && n > 0 && (X->values == NULL || d > INT64_MAX / n)) return FR_MATRIX_BAD_FIELDS;
        return FR_MATRIX_OK;
    }
    if (X->layout != FR_CSR) return FR_MATRIX_BAD_FIELDS;
    if (X->index_type != FR_INDEX_INT32 && X->index_type != FR_INDEX_INT64) return FR_MATRIX_BAD_FIELDS;
    if (X->nnz < 0 || X->indptr == NULL || n == INT64_MAX) return FR_MATRIX_BAD_FIELDS;
    if (X->nnz > 0 && (X->values == NULL || X->indices == NULL)) return FR_MATRIX_BAD_FIELDS;
    if (X->nnz > INT64_MAX - n) return FR_MATRIX_BAD_FIELDS; /* the chunk cost nnz + n */
    if (X->index_type == FR_INDEX_INT32) return csr32_check_f64(X);
    return csr64_check_f64(X);
}

/* The instantiation for X's layout and index width: name_<layout>_<dtype>. */
#define FR_BY_LAYOUT(X, name, dtype_suffix, args)                                      \
    ((X)->layout == FR_CSR                                                              \
         ? ((X)->index_type == FR_INDEX_INT32 ? csr32_##name##dtype_suffix args          \
                                              : csr64_##name##dtype_suffix args)         \
         : dense_##name##dtype_suffix args)

double fr_loss_gradient(const fr_problem *p, const double *coef, const double *intercept,
                        double *grad_coef, double *grad_intercept, double *scratch,
                        int n_threads) {
    if (fr_is_caller_data(p))
        return fr_caller_loss_gradient(p, coef, intercept, grad_coef, grad_intercept);
    const int64_t K = p->n_outputs, d = p->X.n_cols;
    const int per_class = fr_loss_lookup(p->loss)->info.per_class;
    double *copy = scratch + fr_scratch_size(p) - point_copy_doubles(p);
    if (transposed_point(p)) { /* W^T (d x K), then b, in the data's dtype */
        if (p->X.dtype == FR_FLOAT32) {
            float *point = (float *)copy;
            for (int64_t k = 0; k < K; ++k)
                for (int64_t j = 0; j < d; ++j) point[j * K + k] = to_float(coef[k * d + j]);
            copy_to_float(intercept, K, point + K * d);
            return FR_BY_LAYOUT(&p->X, loss_gradient, _f32,
                                (p, per_class, point, point + K * d, grad_coef,
                                 grad_intercept, scratch, n_threads));
        }
        for (int64_t k = 0; k < K; ++k)
            for (int64_t j = 0; j < d; ++j) copy[j * K + k] = coef[k * d + j];
        memcpy(copy + K * d, intercept, (size_t)K * sizeof(double));
        return FR_BY_LAYOUT(&p->X, loss_gradient, _f64,
                            (p, per_class, copy, copy + K * d, grad_coef, grad_intercept,
                             scratch, n_threads));
    }
    if (p->X.dtype == FR_FLOAT32) {
        float *point = (float *)copy;
        copy_to_float(coef, K * d, point);
        copy_to_float(intercept, K, point + K * d);
        return FR_BY_LAYOUT(&p->X, loss_gradient, _f32,
                            (p, per_class, point, point + K * d, grad_coef, grad_intercept,
                             scratch, n_threads));
    }
    return FR_BY_LAYOUT(&p->X, loss_gradient, _f64,
                        (p, per_class, coef, intercept, grad_coef, grad_intercept, scratch,
                         n_threads));
}

int fr_scores(const fr_matrix *X, const double *coef, const double *intercept,
              int64_t n_outputs, double *out, int n_threads) {
    const int64_t K = n_outputs, d = X->n_cols;
    if (X->layout == FR_CALLER) return FR_BAD_INPUT; /* no rows here to score */
    if (X->dtype != FR_FLOAT32) {
        FR_BY_LAYOUT(X, scores, _f64, (X, coef, intercept, K, out, n_threads));
        return FR_CONVERGED;
    }
    float *point = malloc((size_t)(K * (d + 1)) * sizeof(float));
    if (point == NULL) return FR_NO_MEMORY;
    copy_to_float(coef, K * d, point);
    copy_to_float(intercept, K, point + K * d);
    FR_BY_LAYOUT(X, scores, _f32, (X, point, point + K * d, K, out, n_threads));
    free(point);
    return FR_CONVERGED;
}
