/* moments.c: the sample-weighted column means of X, which the solvers use to optimise in
 * centred coordinates without copying X (see solvers.c, decision h).
 *
 * The reduction follows the fused pass's determinism rule (fastreg.h, decision d): rows
 * are cut into fr_chunk_count(n_samples) chunks at the same boundaries as the pass, each
 * chunk sums serially into its own scratch slot of n_features + 1 doubles, threads take
 * whole chunks, and the slots are added in chunk order. The result is therefore bitwise
 * identical for any n_threads. Every sum is carried in double, whatever the data dtype.
 * Both dtypes share one body, stamped out by DEFINE_COLUMN_MEANS (one source file, no
 * template header to keep in step). */
#include <string.h>

#include "fastreg.h"
#include "fused_internal.h"

#define DEFINE_COLUMN_MEANS(REAL, SUFFIX, PROBLEM)                                            \
    /* slot[j] = sum_i s_i X[i, j] over rows [begin, end), slot[d] = sum_i s_i. */           \
    static void chunk_sums_##SUFFIX(const PROBLEM *p, int64_t begin, int64_t end,           \
                                    double *slot) {                                         \
        const int64_t d = p->n_features;                                                    \
        memset(slot, 0, (size_t)(d + 1) * sizeof(double));                                  \
        double weight = 0.0;                                                                \
        for (int64_t i = begin; i < end; ++i) {                                             \
            const double s = p->sample_weight ? (double)p->sample_weight[i] : 1.0;          \
            const REAL *x = p->X + i * d;                                                   \
            for (int64_t j = 0; j < d; ++j) slot[j] += s * (double)x[j];                    \
            weight += s;                                                                    \
        }                                                                                   \
        slot[d] = weight;                                                                   \
    }                                                                                       \
                                                                                            \
    double fr_weighted_column_means_##SUFFIX(const PROBLEM *p, double *out_mu,              \
                                             double *scratch, int n_threads) {              \
        const int64_t n = p->n_samples, d = p->n_features;                                  \
        const int64_t chunks = fr_chunk_count(n);                                           \
        if (n_threads > chunks) n_threads = (int)chunks; /* as the fused pass */            \
        n_threads = fr_usable_threads(n_threads, chunks); /* 1 in a forked child */         \
        if (chunks == 1 || n_threads <= 1) {                                                \
            for (int64_t c = 0; c < chunks; ++c)                                            \
                chunk_sums_##SUFFIX(p, n * c / chunks, n * (c + 1) / chunks,                \
                                    scratch + c * (d + 1));                                 \
        } else {                                                                            \
            FR_MOMENTS_PARALLEL_FOR                                                         \
            for (int64_t c = 0; c < chunks; ++c)                                            \
                chunk_sums_##SUFFIX(p, n * c / chunks, n * (c + 1) / chunks,                \
                                    scratch + c * (d + 1));                                 \
        }                                                                                   \
        double weight = 0.0;                                                                \
        for (int64_t j = 0; j < d; ++j) out_mu[j] = 0.0;                                    \
        for (int64_t c = 0; c < chunks; ++c) {                                              \
            const double *slot = scratch + c * (d + 1);                                     \
            for (int64_t j = 0; j < d; ++j) out_mu[j] += slot[j];                           \
            weight += slot[d];                                                              \
        }                                                                                   \
        /* A zero or non-finite total leaves the means at 0: no centring, nothing worse. */ \
        if (weight > 0.0 && weight <= 1.0e308) {                                            \
            for (int64_t j = 0; j < d; ++j) out_mu[j] /= weight;                            \
        } else {                                                                            \
            for (int64_t j = 0; j < d; ++j) out_mu[j] = 0.0;                                \
        }                                                                                   \
        return weight;                                                                      \
    }

#ifdef _OPENMP
#define FR_MOMENTS_PARALLEL_FOR _Pragma("omp parallel for schedule(static) num_threads(n_threads)")
#else
#define FR_MOMENTS_PARALLEL_FOR
#endif

DEFINE_COLUMN_MEANS(double, f64, fr_problem_f64)
DEFINE_COLUMN_MEANS(float, f32, fr_problem_f32)
