/* data_dense.h: data access for a dense, C-contiguous X, for one dtype (a template:
 * included with REAL and SUFFIX defined, see core.h). It is the dense implementation of
 * the three things a pass asks of the data, for a block of m <= FR_BLOCK rows starting
 * at row i0:
 *     block_scores          z[r] = x_r . w + b for one output
 *     block_scores_classes  z[k][r] = x_r . w_k + b_k for K outputs
 *     block_gradient        grad += sum_r g[r] x_r
 * Rows m..FR_BLOCK-1 get score 0; rows past the end are never read. d is the row width,
 * passed as an argument so that a caller specialised on a constant width unrolls.
 *
 * a. Rows are read one after the other, and, when `rows_left` (rows from the block's
 *    start to the chunk's end) allows, each row first asks for the bytes
 *    FR_PREFETCH_DISTANCE ahead of it to be brought into L2. Without that a thread
 *    streams X at about half the bandwidth a plain read reaches: the loss, derivative
 *    and gradient work between two rows' loads keeps too few cache misses in flight. A
 *    few prefetches per row, rather than a burst per block, keep the miss buffers from
 *    filling up.
 * b. Dot products run in REAL, so float32 data stays float32 in the widest vectors;
 *    the block's rows are read from memory once (scores) and again from L1 (gradient):
 *    one pass over X. */

typedef struct {
    const REAL *values; /* n_rows x n_cols */
} SUFFIX(dense_view);

FR_ALWAYS_INLINE static inline SUFFIX(dense_view) SUFFIX(dense_view_of)(const fr_matrix *X) {
    SUFFIX(dense_view) view;
    view.values = (const REAL *)X->values;
    return view;
}

FR_ALWAYS_INLINE static inline void SUFFIX(dense_prefetch_ahead)(const REAL *x, int64_t row_bytes) {
    const char *ahead = (const char *)x + FR_PREFETCH_DISTANCE;
    for (int64_t offset = 0; offset < row_bytes; offset += 64) FR_PREFETCH(ahead + offset);
}

FR_ALWAYS_INLINE static inline void SUFFIX(dense_block_scores)(SUFFIX(dense_view) X,
                                                               int64_t i0, int64_t m,
                                                               int64_t rows_left,
                                                               const int64_t d, const REAL *w,
                                                               double b, double *scores) {
    const REAL *xb = X.values + i0 * d;
    const int64_t row_bytes = d * (int64_t)sizeof(REAL);
    for (int64_t r = 0; r < m; ++r) {
        const REAL *x = xb + r * d;
        REAL a = 0;
        if (d < FR_SHORT_ROW) { /* a SIMD reduction costs more than it saves here */
            for (int64_t j = 0; j < d; ++j) a += x[j] * w[j];
        } else {
            if ((rows_left - r) * row_bytes > FR_PREFETCH_DISTANCE + row_bytes)
                SUFFIX(dense_prefetch_ahead)(x, row_bytes);
#pragma omp simd reduction(+ : a)
            for (int64_t j = 0; j < d; ++j) a += x[j] * w[j];
        }
        scores[r] = (double)a + b;
    }
    for (int64_t r = m; r < FR_BLOCK; ++r) scores[r] = 0.0;
}

/* Classes go four at a time: each row is loaded once per group and feeds four
 * independent FMA chains, where one class at a time would load it K times and wait on a
 * single chain. float32 rows also go two at a time (eight chains): its rows are half as
 * long, so the fixed cost per row (the horizontal sums) weighs more, and at 200,000 x 100
 * the pair took K = 3 and K = 10 from 79 and 211 to 60 and 178 ns a row; for float64 it
 * measured 5-10 % slower (the loop's two loads per FMA pair bind first). Each
 * (row, class) sum is the same reduction either way, so the bits do not change. A group
 * short of four repeats its first class in the spare chains (their sums are dropped).
 * Short rows take block_scores per class. zk is class-major (zk[k FR_BLOCK + r]). */
FR_ALWAYS_INLINE static inline void SUFFIX(dense_block_scores_classes)(
    SUFFIX(dense_view) X, int64_t i0, int64_t m, int64_t rows_left, const int64_t d,
    const REAL *W, const REAL *b, int64_t K, double *zk) {
    if (d < FR_SHORT_ROW) {
        for (int64_t k = 0; k < K; ++k)
            SUFFIX(dense_block_scores)(X, i0, m, 0, d, W + k * d, (double)b[k],
                                       zk + k * FR_BLOCK);
        return;
    }
    const REAL *xb = X.values + i0 * d;
    const int64_t row_bytes = d * (int64_t)sizeof(REAL);
    const int64_t step = sizeof(REAL) == sizeof(float) ? 2 : 1; /* rows per sweep */
    for (int64_t k = 0; k < K; k += 4) {
        const int64_t group = K - k < 4 ? K - k : 4;
        const REAL *w0 = W + k * d;
        const REAL *w1 = group > 1 ? w0 + d : w0;
        const REAL *w2 = group > 2 ? w0 + 2 * d : w0;
        const REAL *w3 = group > 3 ? w0 + 3 * d : w0;
        for (int64_t r = 0; r < m; r += step) {
            const REAL *x = xb + r * d;
            if (k == 0 && (rows_left - r) * row_bytes > FR_PREFETCH_DISTANCE + step * row_bytes)
                for (int64_t q = 0; q < step; ++q)
                    SUFFIX(dense_prefetch_ahead)(x + q * d, row_bytes);
            REAL a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            if (step == 1) {
#pragma omp simd reduction(+ : a0, a1, a2, a3)
                for (int64_t j = 0; j < d; ++j) {
                    a0 += x[j] * w0[j];
                    a1 += x[j] * w1[j];
                    a2 += x[j] * w2[j];
                    a3 += x[j] * w3[j];
                }
            } else {
                const int pair = r + 1 < m;
                const REAL *x1 = pair ? x + d : x; /* a lone last row is read twice */
                REAL c0 = 0, c1 = 0, c2 = 0, c3 = 0;
#pragma omp simd reduction(+ : a0, a1, a2, a3, c0, c1, c2, c3)
                for (int64_t j = 0; j < d; ++j) {
                    a0 += x[j] * w0[j];
                    a1 += x[j] * w1[j];
                    a2 += x[j] * w2[j];
                    a3 += x[j] * w3[j];
                    c0 += x1[j] * w0[j];
                    c1 += x1[j] * w1[j];
                    c2 += x1[j] * w2[j];
                    c3 += x1[j] * w3[j];
                }
                const REAL next[4] = {c0, c1, c2, c3};
                for (int64_t c = 0; pair && c < group; ++c)
                    zk[(k + c) * FR_BLOCK + r + 1] = (double)next[c] + (double)b[k + c];
            }
            const REAL sums[4] = {a0, a1, a2, a3};
            for (int64_t c = 0; c < group; ++c)
                zk[(k + c) * FR_BLOCK + r] = (double)sums[c] + (double)b[k + c];
        }
        for (int64_t c = 0; c < group; ++c)
            for (int64_t r = m; r < FR_BLOCK; ++r) zk[(k + c) * FR_BLOCK + r] = 0.0;
    }
}

/* A full block is one sweep over grad, its eight products summed in REAL: for float32
 * data that keeps the sweep in float32 vectors (twice the lanes, no conversions), and
 * only the block's sum is added in double. */
FR_ALWAYS_INLINE static inline void SUFFIX(dense_block_gradient)(SUFFIX(dense_view) X,
                                                                 int64_t i0, int64_t m,
                                                                 const int64_t d,
                                                                 const double *g,
                                                                 double *grad) {
    const REAL *xb = X.values + i0 * d;
    if (m == FR_BLOCK) {
        const REAL *x0 = xb, *x1 = x0 + d, *x2 = x1 + d, *x3 = x2 + d;
        const REAL *x4 = x3 + d, *x5 = x4 + d, *x6 = x5 + d, *x7 = x6 + d;
        const REAL g0 = (REAL)g[0], g1 = (REAL)g[1], g2 = (REAL)g[2], g3 = (REAL)g[3];
        const REAL g4 = (REAL)g[4], g5 = (REAL)g[5], g6 = (REAL)g[6], g7 = (REAL)g[7];
#pragma omp simd
        for (int64_t j = 0; j < d; ++j)
            grad[j] += (double)(((g0 * x0[j] + g1 * x1[j]) + (g2 * x2[j] + g3 * x3[j])) +
                                ((g4 * x4[j] + g5 * x5[j]) + (g6 * x6[j] + g7 * x7[j])));
        return;
    }
    for (int64_t r = 0; r < m; ++r) {
        const REAL *x = xb + r * d;
        const double gr = g[r];
#pragma omp simd
        for (int64_t j = 0; j < d; ++j) grad[j] += gr * x[j];
    }
}

/* The per-class gradient update: class k's derivatives zk[k FR_BLOCK + r] into row k of
 * the class-major K x d grad_W. */
static const int SUFFIX(dense_classes_feature_major) = 0;

FR_ALWAYS_INLINE static inline void SUFFIX(dense_block_gradient_classes)(
    SUFFIX(dense_view) X, int64_t i0, int64_t m, const int64_t d, const double *zk, int64_t K,
    double *grad_W) {
    for (int64_t k = 0; k < K; ++k)
        SUFFIX(dense_block_gradient)(X, i0, m, d, zk + k * FR_BLOCK, grad_W + k * d);
}

/* Column sums of the block's m rows weighted by s: sums[j] += sum_r s[r] x_r[j], in
 * double (the column means). */
FR_ALWAYS_INLINE static inline void SUFFIX(dense_block_weighted_sums)(SUFFIX(dense_view) X,
                                                                      int64_t i0, int64_t m,
                                                                      const int64_t d,
                                                                      const double *s,
                                                                      double *sums) {
    const REAL *xb = X.values + i0 * d;
    for (int64_t r = 0; r < m; ++r) {
        const REAL *x = xb + r * d;
        const double sr = s[r];
        for (int64_t j = 0; j < d; ++j) sums[j] += sr * (double)x[j];
    }
}
