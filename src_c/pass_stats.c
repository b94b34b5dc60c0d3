/* pass_stats.c: the statistics pass, one read of X and Y giving the least-squares
 * sufficient statistics of V = [X | Y] with sample weights s: the weight sum S, the
 * weighted column means mu = V^T s / S and the centred cross products
 * V_c^T diag(s) V_c (which hold X_c^T S X_c, X_c^T S Y_c and Y_c^T S Y_c as blocks).
 * fastreg._statistics.statistics is its NumPy twin.
 *
 * Design decisions:
 *   a. Stable for columns with large means: every block of FR_STATS_BLOCK rows is
 *      centred on its own weighted mean before any product is formed, and blocks, then
 *      chunks, are joined by the pairwise update of Chan, Golub and LeVeque
 *      (fr_stats_merge; fastreg._statistics.combine is the same formula). Raw sums of
 *      products are never formed, so nothing of the form sum x^2 - S mu^2 is computed.
 *   b. Deterministic: rows are cut into chunks whose count depends on n_rows and the
 *      width only (fr_stats_chunk_count), each chunk is summed serially into its own
 *      slot, threads take whole chunks, and the slots are merged in chunk order:
 *      bitwise identical results for any n_threads.
 *   c. Compute-bound (n p (p + 1) / 2 multiply-adds), so the products go through a
 *      register-blocked kernel (stats_kernel_template.h) rather than BLAS. Measured on
 *      200,000 x 100 float64 rows, one thread, in CPU time (the 2-core AVX2 development
 *      machine was shared): this pass 21 GFLOP/s; OpenBLAS dsyrk (the one scipy ships)
 *      on the same rows centred in blocks of 128, 512 and 4096, 10, 17 and 11 GFLOP/s
 *      (small blocks pay its per-call set-up, large ones fall out of the L2 cache). The
 *      kernel also keeps the pass free of BLAS's own threading, which would have to be
 *      pinned to one thread inside each chunk to stay deterministic, and gives float32
 *      data float32 products (dsyrk would need a float64 copy; ssyrk would sum whole
 *      columns in float32).
 *   d. All scratch (the chunk slots, one packing buffer per thread) is allocated once
 *      per call; the chunk count shrinks for wide data so that the slots stay within
 *      FR_STATS_SLOT_BUDGET bytes. */
#include <stdlib.h>
#include <string.h>

#include "core.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Rows per block: the unit of centring (one pairwise merge per block). */
#ifndef FR_STATS_BLOCK
#define FR_STATS_BLOCK 128
#endif
/* Bytes the chunk slots may take (each holds a p x p accumulator). */
#define FR_STATS_SLOT_BUDGET ((int64_t)64 << 20)

/* Adds block b (weight S_b > 0, mean mu_b, centred products already added into M) to
 * the running statistics a: S = S_a + S_b, delta = mu_b - mu_a,
 * M += (S_a S_b / S) delta delta^T (lower triangle), mu_a += (S_b / S) delta. */
static void fr_stats_merge(double *S_a, double *mu_a, double *M, double S_b,
                           const double *mu_b, int64_t pp) {
    if (!(S_b > 0.0)) return;
    if (*S_a == 0.0) {
        memcpy(mu_a, mu_b, (size_t)pp * sizeof(double));
        *S_a = S_b;
        return;
    }
    const double S = *S_a + S_b, f = *S_a * S_b / S, share = S_b / S;
    for (int64_t k = 0; k < pp; ++k) {
        const double fk = f * (mu_b[k] - mu_a[k]);
        double *row = M + k * pp;
        for (int64_t j = 0; j <= k; ++j) row[j] += fk * (mu_b[j] - mu_a[j]);
    }
    for (int64_t j = 0; j < pp; ++j) mu_a[j] += share * (mu_b[j] - mu_a[j]);
    *S_a = S;
}

#define REAL double
#define SUFFIX(name) name##_f64
#define LAYOUT(name) SUFFIX(dense_##name)
#define FR_STATS_JT 8
#define FR_STATS_KT 4
#define FR_STATS_SUM_ROWS FR_STATS_BLOCK
#include "stats_kernel_template.h"
#include "pass_stats_template.h"
#undef FR_STATS_JT
#undef FR_STATS_KT
#undef FR_STATS_SUM_ROWS
#undef LAYOUT
#undef REAL
#undef SUFFIX

#define REAL float
#define SUFFIX(name) name##_f32
#define LAYOUT(name) SUFFIX(dense_##name)
#define FR_STATS_JT 16
#define FR_STATS_KT 4
#define FR_STATS_SUM_ROWS 64
#include "stats_kernel_template.h"
#include "pass_stats_template.h"
#undef FR_STATS_JT
#undef FR_STATS_KT
#undef FR_STATS_SUM_ROWS
#undef LAYOUT
#undef REAL
#undef SUFFIX

/* Columns padded to the dtype's panel width. */
static int64_t padded_width(int dtype, int64_t p) {
    const int64_t jt = dtype == FR_FLOAT32 ? 16 : 8;
    return (p + jt - 1) / jt * jt;
}

int64_t fr_stats_chunk_count(int64_t n_rows, int64_t n_columns) {
    int64_t chunks = fr_chunk_count(n_rows);
    const int64_t pp = padded_width(FR_FLOAT64, n_columns);
    const int64_t slot_bytes = (1 + 2 * pp + pp * pp) * (int64_t)sizeof(double);
    int64_t affordable = FR_STATS_SLOT_BUDGET / slot_bytes;
    if (affordable < 2) affordable = 2; /* two threads still share the work */
    return chunks < affordable ? chunks : affordable;
}

static void run_chunk(const fr_matrix *X, const void *Y, int64_t T, const void *weights,
                      int64_t begin, int64_t end, int64_t pp, double *slot, void *pack,
                      double *work) {
    if (X->dtype == FR_FLOAT32)
        dense_stats_chunk_f32(X, (const float *)Y, T, (const float *)weights, begin, end, pp,
                              slot, (float *)pack, work);
    else
        dense_stats_chunk_f64(X, (const double *)Y, T, (const double *)weights, begin, end,
                              pp, slot, (double *)pack, work);
}

int fr_statistics(const fr_matrix *X, const void *Y, int64_t n_targets,
                  const void *sample_weight, double *sum_weights, double *mean, double *gram,
                  int n_threads) {
    if (X == NULL || (X->dtype != FR_FLOAT64 && X->dtype != FR_FLOAT32) ||
        X->layout != FR_DENSE || X->n_rows < 0 || X->n_cols < 0 || n_targets < 0 ||
        (n_targets > 0 && X->n_rows > 0 && Y == NULL) || n_threads < 1)
        return FR_BAD_INPUT;
    const int64_t n = X->n_rows, d = X->n_cols, T = n_targets, p = d + T;
    if (p > (int64_t)1 << 24 || (n > 0 && d > 0 && X->values == NULL)) return FR_BAD_INPUT;
    const int64_t pp = padded_width(X->dtype, p);
    const int64_t chunks = fr_stats_chunk_count(n, p);
    const int threads = fr_parallel_threads(n_threads, chunks);
    const int64_t slot_size = 1 + 2 * pp + pp * pp;
    const int64_t pack_size = 2 * FR_STATS_BLOCK * pp; /* doubles: room for either dtype */
    const int64_t work_size = pp + FR_STATS_BLOCK;
    const int64_t per_thread = pack_size + work_size;
    double *scratch = malloc((size_t)(chunks * slot_size + threads * per_thread) *
                             sizeof(double));
    if (scratch == NULL) return FR_NO_MEMORY;
    double *thread_space = scratch + chunks * slot_size;
    /* the packing buffers' padding columns must read as zero */
    memset(thread_space, 0, (size_t)(threads * per_thread) * sizeof(double));
    if (threads <= 1) {
        for (int64_t c = 0; c < chunks; ++c)
            run_chunk(X, Y, T, sample_weight, n * c / chunks, n * (c + 1) / chunks, pp,
                      scratch + c * slot_size, thread_space, thread_space + pack_size);
    } else {
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
        {
            double *own = thread_space + (int64_t)omp_get_thread_num() * per_thread;
#pragma omp for schedule(static)
            for (int64_t c = 0; c < chunks; ++c)
                run_chunk(X, Y, T, sample_weight, n * c / chunks, n * (c + 1) / chunks, pp,
                          scratch + c * slot_size, own, own + pack_size);
        }
#else
        for (int64_t c = 0; c < chunks; ++c)
            run_chunk(X, Y, T, sample_weight, n * c / chunks, n * (c + 1) / chunks, pp,
                      scratch + c * slot_size, thread_space, thread_space + pack_size);
#endif
    }
    /* chunk 0's slot becomes the total: merged with the others in chunk order, each
     * chunk's mean taken relative to chunk 0's shift (shifts differ exactly) */
    double *total = scratch, *total_shift = scratch + 1, *total_offset = scratch + 1 + pp;
    double *total_M = scratch + 1 + 2 * pp, *relative = thread_space;
    for (int64_t c = 1; c < chunks; ++c) {
        const double *slot = scratch + c * slot_size;
        if (!(slot[0] > 0.0)) continue;
        const double *shift = slot + 1, *offset = slot + 1 + pp, *M = slot + 1 + 2 * pp;
        for (int64_t k = 0; k < pp; ++k)
            for (int64_t j = 0; j <= k; ++j) total_M[k * pp + j] += M[k * pp + j];
        for (int64_t j = 0; j < pp; ++j)
            relative[j] = (shift[j] - total_shift[j]) + offset[j];
        fr_stats_merge(total, total_offset, total_M, slot[0], relative, pp);
    }
    *sum_weights = total[0];
    for (int64_t j = 0; j < p; ++j)
        mean[j] = total[0] > 0.0 ? total_shift[j] + total_offset[j] : 0.0;
    for (int64_t k = 0; k < p; ++k)
        for (int64_t j = 0; j <= k; ++j)
            gram[j * p + k] = gram[k * p + j] = total_M[k * pp + j];
    free(scratch);
    return FR_CONVERGED;
}
