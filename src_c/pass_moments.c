/* pass_moments.c: the sample-weighted column means of X, which the solvers use to
 * optimise in centred coordinates without copying X (objective.h, implicit centring).
 *
 * The reduction follows the fused pass's determinism rule (fastreg.h, decision e): rows
 * are cut into fr_matrix_chunk_count(X) chunks at the same boundaries as the pass, each
 * chunk sums serially into its own scratch slot of n_cols + 1 doubles, threads take
 * whole chunks, and the slots are added in chunk order. The result is therefore bitwise
 * identical for any n_threads. Every sum is carried in double, whatever the data dtype. */
#include <string.h>

#include "core.h"
#include "data_caller.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define REAL double
#define SUFFIX(name) name##_f64
#define LAYOUT(name) SUFFIX(dense_##name)
#include "data_dense.h"
#include "pass_moments_template.h"
#undef LAYOUT
#undef REAL
#undef SUFFIX

#define REAL float
#define SUFFIX(name) name##_f32
#define LAYOUT(name) SUFFIX(dense_##name)
#include "data_dense.h"
#include "pass_moments_template.h"
#undef LAYOUT
#undef REAL
#undef SUFFIX

#define INDEX int32_t
#define REAL double
#define SUFFIX(name) name##_f64
#define LAYOUT(name) SUFFIX(csr32_##name)
#include "data_csr.h"
#include "pass_moments_template.h"
#undef LAYOUT
#undef REAL
#undef SUFFIX
#define REAL float
#define SUFFIX(name) name##_f32
#define LAYOUT(name) SUFFIX(csr32_##name)
#include "data_csr.h"
#include "pass_moments_template.h"
#undef LAYOUT
#undef REAL
#undef SUFFIX
#undef INDEX

#define INDEX int64_t
#define REAL double
#define SUFFIX(name) name##_f64
#define LAYOUT(name) SUFFIX(csr64_##name)
#include "data_csr.h"
#include "pass_moments_template.h"
#undef LAYOUT
#undef REAL
#undef SUFFIX
#define REAL float
#define SUFFIX(name) name##_f32
#define LAYOUT(name) SUFFIX(csr64_##name)
#include "data_csr.h"
#include "pass_moments_template.h"
#undef LAYOUT
#undef REAL
#undef SUFFIX
#undef INDEX

static void column_sums(const fr_problem *p, int64_t chunk, int64_t chunks, double *slot) {
    const fr_matrix *X = &p->X;
    const int64_t begin = fr_matrix_chunk_start(X, chunk, chunks);
    const int64_t end = fr_matrix_chunk_start(X, chunk + 1, chunks);
    const int f32 = X->dtype == FR_FLOAT32;
    if (X->layout == FR_CSR && X->index_type == FR_INDEX_INT32) {
        if (f32) csr32_column_sums_f32(p, begin, end, slot);
        else csr32_column_sums_f64(p, begin, end, slot);
    } else if (X->layout == FR_CSR) {
        if (f32) csr64_column_sums_f32(p, begin, end, slot);
        else csr64_column_sums_f64(p, begin, end, slot);
    } else {
        if (f32) dense_column_sums_f32(p, begin, end, slot);
        else dense_column_sums_f64(p, begin, end, slot);
    }
}

double fr_column_means(const fr_problem *p, double *mu, double *scratch, int n_threads) {
    if (fr_is_caller_data(p)) return fr_caller_column_means(p, mu);
    const int64_t d = p->X.n_cols;
    const int64_t chunks = fr_matrix_chunk_count(&p->X);
    const int threads = fr_parallel_threads(n_threads, chunks);
    if (threads <= 1) {
        for (int64_t c = 0; c < chunks; ++c) column_sums(p, c, chunks, scratch + c * (d + 1));
    } else {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(threads)
#endif
        for (int64_t c = 0; c < chunks; ++c) column_sums(p, c, chunks, scratch + c * (d + 1));
    }
    double weight = 0.0;
    for (int64_t j = 0; j < d; ++j) mu[j] = 0.0;
    for (int64_t c = 0; c < chunks; ++c) {
        const double *slot = scratch + c * (d + 1);
        for (int64_t j = 0; j < d; ++j) mu[j] += slot[j];
        weight += slot[d];
    }
    /* A zero or non-finite total leaves the means at 0: no centring, nothing worse. */
    if (weight > 0.0 && weight <= 1.0e308) {
        for (int64_t j = 0; j < d; ++j) mu[j] /= weight;
    } else {
        for (int64_t j = 0; j < d; ++j) mu[j] = 0.0;
    }
    return weight;
}
