/* data_csr.h: data access for X in compressed sparse rows (scipy.sparse's CSR), for one
 * dtype and one index width (a template: included with REAL, INDEX (int32_t or int64_t),
 * SUFFIX and LAYOUT defined; LAYOUT(name) names this file's functions). It is the CSR
 * implementation of what a pass asks of the data, for a block of m <= FR_BLOCK rows
 * starting at row i0 (see data_dense.h for the contract):
 *     block_scores          z[r] = x_r . w + b for one output
 *     block_scores_classes  z[k][r] = x_r . w_k + b_k for K outputs
 *     block_gradient        grad += sum_r g[r] x_r
 *     block_gradient_classes grad_k += sum_r g_k[r] x_r for K outputs
 *     block_weighted_sums   sums += sum_r s[r] x_r        (the column means)
 * plus the structure check and the chunk boundaries of fr_matrix_check and
 * fr_matrix_chunk_start. d is the row width of W (n_cols); rows_left, the dense
 * prefetch bound, is unused: a CSR row's length is its own.
 *
 * a. One read of values and indices per pass: a block's entries are read from memory
 *    by the scores and again, from L1, by the gradient update. w is gathered (w[j] for
 *    each stored j) and grad scattered; both stay in cache while n_cols is moderate.
 * b. Products are summed in double, also for float32 data: the values stay float32 in
 *    memory (the bandwidth), but a gather gives SIMD nothing to win in float32, so the
 *    extra precision is free. Four partial sums per row (four classes per sweep for K
 *    outputs) break the FMA latency chain of a row of ~50 entries.
 * c. K outputs are feature-major (classes_feature_major): the fused pass hands
 *    block_scores_classes W^T (d x K) and block_gradient_classes a d x K gradient, so an
 *    entry's K weights and K gradient terms are adjacent (one or two cache lines)
 *    instead of K lines n_cols apart. The scores pass keeps K x d (one class a sweep).
 * d. Unsorted indices and repeated indices within a row need no canonical form: a
 *    score sums every stored entry and the gradient adds every entry into its column,
 *    so repeats add up exactly as scipy's sum_duplicates would (up to rounding). Explicit
 *    zeros cost their read and change nothing. */

typedef struct {
    const REAL *values;
    const INDEX *indices;
    const INDEX *indptr;
} LAYOUT(view);

FR_ALWAYS_INLINE static inline LAYOUT(view) LAYOUT(view_of)(const fr_matrix *X) {
    LAYOUT(view) view;
    view.values = (const REAL *)X->values;
    view.indices = (const INDEX *)X->indices;
    view.indptr = (const INDEX *)X->indptr;
    return view;
}

/* x_i . w in double (decision b). */
FR_ALWAYS_INLINE static inline double LAYOUT(row_dot)(LAYOUT(view) X, int64_t i,
                                                      const REAL *w) {
    const REAL *v = X.values;
    const INDEX *col = X.indices;
    const int64_t end = (int64_t)X.indptr[i + 1];
    int64_t p = (int64_t)X.indptr[i];
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
    for (; p + 4 <= end; p += 4) {
        a0 += (double)v[p] * (double)w[col[p]];
        a1 += (double)v[p + 1] * (double)w[col[p + 1]];
        a2 += (double)v[p + 2] * (double)w[col[p + 2]];
        a3 += (double)v[p + 3] * (double)w[col[p + 3]];
    }
    for (; p < end; ++p) a0 += (double)v[p] * (double)w[col[p]];
    return (a0 + a1) + (a2 + a3);
}

FR_ALWAYS_INLINE static inline void LAYOUT(block_scores)(LAYOUT(view) X, int64_t i0,
                                                         int64_t m, int64_t rows_left,
                                                         const int64_t d, const REAL *w,
                                                         double b, double *scores) {
    for (int64_t r = 0; r < m; ++r) scores[r] = LAYOUT(row_dot)(X, i0 + r, w) + b;
    for (int64_t r = m; r < FR_BLOCK; ++r) scores[r] = 0.0;
}

static const int LAYOUT(classes_feature_major) = 1;

/* Classes four at a time: each sweep over a row's entries feeds four independent sums
 * (a group short of four repeats its first class; those sums are dropped); after the
 * first sweep the entry's weights are in L1. zk is class-major (zk[k FR_BLOCK + r]), WT
 * is feature-major (W[k, j] at WT[j K + k], decision c). */
FR_ALWAYS_INLINE static inline void LAYOUT(block_scores_classes)(
    LAYOUT(view) X, int64_t i0, int64_t m, int64_t rows_left, const int64_t d,
    const REAL *WT, const REAL *b, int64_t K, double *zk) {
    const REAL *v = X.values;
    const INDEX *col = X.indices;
    for (int64_t k = 0; k < K; k += 4) {
        const int64_t group = K - k < 4 ? K - k : 4;
        const int64_t k1 = group > 1 ? k + 1 : k, k2 = group > 2 ? k + 2 : k;
        const int64_t k3 = group > 3 ? k + 3 : k;
        for (int64_t r = 0; r < m; ++r) {
            const int64_t end = (int64_t)X.indptr[i0 + r + 1];
            double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
            for (int64_t p = (int64_t)X.indptr[i0 + r]; p < end; ++p) {
                const double x = (double)v[p];
                const REAL *w = WT + (int64_t)col[p] * K;
                a0 += x * (double)w[k];
                a1 += x * (double)w[k1];
                a2 += x * (double)w[k2];
                a3 += x * (double)w[k3];
            }
            const double sums[4] = {a0, a1, a2, a3};
            for (int64_t c = 0; c < group; ++c)
                zk[(k + c) * FR_BLOCK + r] = sums[c] + (double)b[k + c];
        }
        for (int64_t c = 0; c < group; ++c)
            for (int64_t r = m; r < FR_BLOCK; ++r) zk[(k + c) * FR_BLOCK + r] = 0.0;
    }
}

FR_ALWAYS_INLINE static inline void LAYOUT(block_gradient)(LAYOUT(view) X, int64_t i0,
                                                           int64_t m, const int64_t d,
                                                           const double *g, double *grad) {
    const REAL *v = X.values;
    const INDEX *col = X.indices;
    for (int64_t r = 0; r < m; ++r) {
        const double gr = g[r];
        const int64_t end = (int64_t)X.indptr[i0 + r + 1];
        for (int64_t p = (int64_t)X.indptr[i0 + r]; p < end; ++p) grad[col[p]] += gr * (double)v[p];
    }
}

/* grad_W is d x K (decision c): entry (j, x) of row r adds x zk[k FR_BLOCK + r] to the
 * K adjacent terms grad_W[j K + k]. */
FR_ALWAYS_INLINE static inline void LAYOUT(block_gradient_classes)(LAYOUT(view) X, int64_t i0,
                                                                   int64_t m, const int64_t d,
                                                                   const double *zk, int64_t K,
                                                                   double *grad_W) {
    const REAL *v = X.values;
    const INDEX *col = X.indices;
    for (int64_t r = 0; r < m; ++r) {
        const int64_t end = (int64_t)X.indptr[i0 + r + 1];
        for (int64_t p = (int64_t)X.indptr[i0 + r]; p < end; ++p) {
            const double x = (double)v[p];
            double *g = grad_W + (int64_t)col[p] * K;
            for (int64_t k = 0; k < K; ++k) g[k] += x * zk[k * FR_BLOCK + r];
        }
    }
}

FR_ALWAYS_INLINE static inline void LAYOUT(block_weighted_sums)(LAYOUT(view) X, int64_t i0,
                                                                int64_t m, const int64_t d,
                                                                const double *s,
                                                                double *sums) {
    LAYOUT(block_gradient)(X, i0, m, d, s, sums);
}

/* The structure check of fr_matrix_check (enum fr_matrix_status): indptr starts at 0,
 * never decreases and ends at nnz; every index lies in [0, n_cols). One read of indptr
 * and of indices; nothing else is read before it passed. */
static inline int LAYOUT(check)(const fr_matrix *M) {
    const INDEX *indptr = (const INDEX *)M->indptr;
    const INDEX *indices = (const INDEX *)M->indices;
    const int64_t n = M->n_rows, d = M->n_cols, nnz = M->nnz;
    if (indptr[0] != 0) return FR_MATRIX_INDPTR_START;
    int decreasing = 0;
#pragma omp simd reduction(| : decreasing)
    for (int64_t i = 0; i < n; ++i) decreasing |= indptr[i + 1] < indptr[i];
    if (decreasing) return FR_MATRIX_INDPTR_DECREASING;
    if ((int64_t)indptr[n] != nnz) return FR_MATRIX_INDPTR_END;
    if (nnz == 0) return FR_MATRIX_OK;
    /* min and max rather than a test per entry: branch-free, and it vectorises */
    INDEX lowest = indices[0], highest = indices[0];
#pragma omp simd reduction(min : lowest) reduction(max : highest)
    for (int64_t p = 0; p < nnz; ++p) {
        lowest = indices[p] < lowest ? indices[p] : lowest;
        highest = indices[p] > highest ? indices[p] : highest;
    }
    return lowest < 0 || (int64_t)highest >= d ? FR_MATRIX_INDEX_RANGE : FR_MATRIX_OK;
}

/* First row of chunk c of `chunks` (fr_matrix_chunk_start): the chunks share the work,
 * counted as stored entries plus rows (a row's loss costs about one entry), equally.
 * With cost(i) = indptr[i] + i, strictly increasing, chunk c starts at the first row i
 * with cost(i) >= total c / chunks, found by bisection. */
static inline int64_t LAYOUT(chunk_start)(const fr_matrix *M, int64_t c, int64_t chunks) {
    const INDEX *indptr = (const INDEX *)M->indptr;
    const int64_t n = M->n_rows, total = M->nnz + n;
    if (c <= 0) return 0;
    if (c >= chunks) return n;
    /* floor(total c / chunks) without forming total c */
    const int64_t target = total / chunks * c + total % chunks * c / chunks;
    int64_t lo = 0, hi = n; /* cost(hi) = total >= target */
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if ((int64_t)indptr[mid] + mid >= target) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}
