/* fused_template.h: the fused pass for one dtype; fused.c includes it once per dtype
 * with REAL, SUFFIX(name) and PROBLEM defined.
 *
 * a. Rows go in blocks of FR_BLOCK. Per block: the scores (one dot product per row, read
 *    in order, with a software prefetch ahead: see block_scores), then the per-row
 *    losses and derivatives in one loop over the block that vectorises (branch-free
 *    exp/log from vector_math.h: one exp per row, or per row and class), then the
 *    gradient update grad += sum_r g_r x_r, which loads and stores the accumulator once
 *    per block.
 * b. The block's rows are read from memory once (scores) and again from L1 (gradient):
 *    one pass over X.
 * c. Dot products run in REAL, so float32 data stays float32 in the widest vectors;
 *    per-row losses and derivatives, and every sum, are double.
 * d. A short last block pads with zero weights instead of branching in the hot loops;
 *    rows past the end are never read. */

/* scores[r] = x_r . w + b for the block's m rows; rows m..FR_BLOCK-1 get 0.
 *
 * Rows are read one after the other, and, when `rows_left` (rows from the block's start
 * to the chunk's end) allows, each row first asks for the bytes FR_PREFETCH_DISTANCE
 * ahead of it to be brought into L2. Without that a thread streams X at about half the
 * bandwidth a plain read reaches: the loss, derivative and gradient work between two
 * rows' loads keeps too few cache misses in flight. A few prefetches per row, rather
 * than a burst per block, keep the miss buffers from filling up. */
FR_ALWAYS_INLINE static inline void SUFFIX(block_scores)(const REAL *xb, int64_t d, int64_t m,
                                                         const REAL *w, double b,
                                                         int64_t rows_left, int prefetch,
                                                         double *scores) {
    const int64_t row_bytes = d * (int64_t)sizeof(REAL);
    for (int64_t r = 0; r < m; ++r) {
        const REAL *x = xb + r * d;
        REAL a = 0;
        if (d < FR_SHORT_ROW) { /* a SIMD reduction costs more than it saves here */
            for (int64_t j = 0; j < d; ++j) a += x[j] * w[j];
        } else {
            if (prefetch && (rows_left - r) * row_bytes > FR_PREFETCH_DISTANCE + row_bytes) {
                const char *ahead = (const char *)x + FR_PREFETCH_DISTANCE;
                for (int64_t offset = 0; offset < row_bytes; offset += 64)
                    FR_PREFETCH(ahead + offset);
            }
#pragma omp simd reduction(+ : a)
            for (int64_t j = 0; j < d; ++j) a += x[j] * w[j];
        }
        scores[r] = (double)a + b;
    }
    for (int64_t r = m; r < FR_BLOCK; ++r) scores[r] = 0.0;
}

/* Scores of the block's m rows for all K classes, class-major into zk (K x FR_BLOCK;
 * rows m.. get 0). Classes go four at a time: each row is loaded once per group and
 * feeds four independent FMA chains, where one class at a time would load it K times
 * and wait on a single chain. A group short of four repeats its first class in the
 * spare chains (their sums are dropped). Short rows take block_scores per class. */
FR_ALWAYS_INLINE static inline void SUFFIX(block_scores_classes)(
    const REAL *xb, int64_t d, int64_t m, const REAL *W, const REAL *b, int64_t K,
    int64_t rows_left, double *zk) {
    if (d < FR_SHORT_ROW) {
        for (int64_t k = 0; k < K; ++k)
            SUFFIX(block_scores)(xb, d, m, W + k * d, (double)b[k], rows_left, 0,
                                 zk + k * FR_BLOCK);
        return;
    }
    const int64_t row_bytes = d * (int64_t)sizeof(REAL);
    for (int64_t k = 0; k < K; k += 4) {
        const int64_t group = K - k < 4 ? K - k : 4;
        const REAL *w0 = W + k * d;
        const REAL *w1 = group > 1 ? w0 + d : w0;
        const REAL *w2 = group > 2 ? w0 + 2 * d : w0;
        const REAL *w3 = group > 3 ? w0 + 3 * d : w0;
        for (int64_t r = 0; r < m; ++r) {
            const REAL *x = xb + r * d;
            if (k == 0 && (rows_left - r) * row_bytes > FR_PREFETCH_DISTANCE + row_bytes) {
                const char *ahead = (const char *)x + FR_PREFETCH_DISTANCE;
                for (int64_t offset = 0; offset < row_bytes; offset += 64)
                    FR_PREFETCH(ahead + offset);
            }
            REAL a0 = 0, a1 = 0, a2 = 0, a3 = 0;
#pragma omp simd reduction(+ : a0, a1, a2, a3)
            for (int64_t j = 0; j < d; ++j) {
                a0 += x[j] * w0[j];
                a1 += x[j] * w1[j];
                a2 += x[j] * w2[j];
                a3 += x[j] * w3[j];
            }
            const REAL sums[4] = {a0, a1, a2, a3};
            for (int64_t c = 0; c < group; ++c)
                zk[(k + c) * FR_BLOCK + r] = (double)sums[c] + (double)b[k + c];
        }
        for (int64_t c = 0; c < group; ++c)
            for (int64_t r = m; r < FR_BLOCK; ++r) zk[(k + c) * FR_BLOCK + r] = 0.0;
    }
}

/* grad[j] += sum_{r < m} g[r] x_r[j]. A full block is one sweep over grad, its eight
 * products summed in REAL: for float32 data that keeps the sweep in float32 vectors
 * (twice the lanes, no conversions), and only the block's sum is added in double. */
FR_ALWAYS_INLINE static inline void SUFFIX(block_gradient)(const REAL *xb, int64_t d, int64_t m,
                                          const double *g, double *grad) {
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

/* The block's targets and weights, zero-padded past m (a zero weight zeroes the row). */
static inline void SUFFIX(block_targets)(const PROBLEM *p, int64_t i0, int64_t m, double *y,
                                         double *s) {
    for (int64_t r = 0; r < FR_BLOCK; ++r) {
        y[r] = r < m ? (double)p->y[i0 + r] : 0.0;
        s[r] = r < m ? (p->sample_weight ? (double)p->sample_weight[i0 + r] : 1.0) : 0.0;
    }
}

/* Squared or logistic loss over rows [begin, end) of width d; adds into one slot. */
FR_ALWAYS_INLINE static inline void SUFFIX(single_output_rows)(
    const PROBLEM *p, const REAL *w, double b, int64_t begin, int64_t end, const int64_t d,
    double *loss_out, double *grad_w, double *grad_b) {
    const int logistic = p->loss == FR_LOSS_LOGISTIC;
    double loss = 0.0, gb = 0.0;
    double z[FR_BLOCK], y[FR_BLOCK], s[FR_BLOCK], g[FR_BLOCK], l[FR_BLOCK];
    for (int64_t i0 = begin; i0 < end; i0 += FR_BLOCK) {
        const int64_t m = end - i0 < FR_BLOCK ? end - i0 : FR_BLOCK;
        const REAL *xb = p->X + i0 * d;
        SUFFIX(block_scores)(xb, d, m, w, b, end - i0, 1, z);
        SUFFIX(block_targets)(p, i0, m, y, s);
        if (logistic) {
#pragma omp simd
            for (int r = 0; r < FR_BLOCK; ++r) {
                /* e = exp(-|z|) in (0, 1]: see stable_math.h for the identities */
                double e = fr_exp(-fabs(z[r]));
                double inv = 1.0 / (1.0 + e);
                double sigmoid = z[r] >= 0.0 ? inv : e * inv;
                g[r] = s[r] * (sigmoid - y[r]);
                l[r] = s[r] * (((z[r] > 0.0 ? z[r] : 0.0) - y[r] * z[r]) + fr_log1p_unit(e));
            }
        } else {
#pragma omp simd
            for (int r = 0; r < FR_BLOCK; ++r) {
                double residual = z[r] - y[r];
                g[r] = s[r] * residual;
                l[r] = 0.5 * s[r] * residual * residual;
            }
        }
        for (int r = 0; r < FR_BLOCK; ++r) loss += l[r];
        if (!grad_w) continue;
        for (int r = 0; r < FR_BLOCK; ++r) gb += g[r];
        SUFFIX(block_gradient)(xb, d, m, g, grad_w);
    }
    *loss_out += loss;
    if (grad_b) *grad_b += gb;
}

/* Short rows get a copy of the loop per width: with d a constant the compiler unrolls
 * the dot products and the gradient update completely (iris-sized data spends most of
 * its time in loop overhead otherwise). */
FR_TARGET_CLONES static void SUFFIX(chunk_single_output)(const PROBLEM *p, const REAL *w,
                                                         double b, int64_t begin,
                                                         int64_t end, double *loss_out,
                                                         double *grad_w, double *grad_b) {
#define FR_ROWS(width) \
    SUFFIX(single_output_rows)(p, w, b, begin, end, width, loss_out, grad_w, grad_b)
    switch (p->n_features) {
    case 1: FR_ROWS(1); break;
    case 2: FR_ROWS(2); break;
    case 3: FR_ROWS(3); break;
    case 4: FR_ROWS(4); break;
    case 5: FR_ROWS(5); break;
    case 6: FR_ROWS(6); break;
    case 7: FR_ROWS(7); break;
    case 8: FR_ROWS(8); break;
    default: FR_ROWS(p->n_features); break;
    }
#undef FR_ROWS
}

/* Multinomial loss over rows [begin, end). zk is K x FR_BLOCK doubles of scratch,
 * class-major, so that the per-class loops below run over the block's rows in SIMD. */
FR_ALWAYS_INLINE static inline void SUFFIX(multinomial_rows)(
    const PROBLEM *p, const REAL *W, const REAL *b, int64_t begin, int64_t end,
    const int64_t d, double *loss_out, double *grad_W, double *grad_b, double *zk) {
    const int64_t K = p->n_outputs;
    double loss = 0.0;
    double y[FR_BLOCK], s[FR_BLOCK], zmax[FR_BLOCK], zlabel[FR_BLOCK], sum[FR_BLOCK];
    double g[FR_BLOCK], l[FR_BLOCK];
    for (int64_t i0 = begin; i0 < end; i0 += FR_BLOCK) {
        const int64_t m = end - i0 < FR_BLOCK ? end - i0 : FR_BLOCK;
        const REAL *xb = p->X + i0 * d;
        SUFFIX(block_targets)(p, i0, m, y, s);
        for (int r = 0; r < FR_BLOCK; ++r) {
            zmax[r] = -INFINITY;
            zlabel[r] = 0.0; /* labels are validated upstream; this keeps reads defined */
            sum[r] = 0.0;
        }
        SUFFIX(block_scores_classes)(xb, d, m, W, b, K, end - i0, zk);
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
        /* loss = log(sum) + (max - z_label): both terms >= 0, nothing cancels. Sums are
         * taken in a separate, sequential loop so that the math loop vectorises. */
#pragma omp simd
        for (int r = 0; r < FR_BLOCK; ++r) {
            l[r] = s[r] * (fr_log(sum[r]) + (zmax[r] - zlabel[r]));
            sum[r] = s[r] / sum[r]; /* from here on: weight / sum */
        }
        for (int r = 0; r < FR_BLOCK; ++r) loss += l[r];
        if (!grad_W) continue;
        for (int64_t k = 0; k < K; ++k) {
            const double *e = zk + k * FR_BLOCK;
#pragma omp simd
            for (int r = 0; r < FR_BLOCK; ++r)
                g[r] = e[r] * sum[r] - ((double)k == y[r] ? s[r] : 0.0);
            double gk = 0.0;
            for (int r = 0; r < FR_BLOCK; ++r) gk += g[r];
            grad_b[k] += gk;
            SUFFIX(block_gradient)(xb, d, m, g, grad_W + k * d);
        }
    }
    *loss_out += loss;
}

/* As chunk_single_output: one copy of the loop per short row width. */
FR_TARGET_CLONES static void SUFFIX(chunk_multinomial)(const PROBLEM *p, const REAL *W,
                                                       const REAL *b, int64_t begin,
                                                       int64_t end, double *loss_out,
                                                       double *grad_W, double *grad_b,
                                                       double *zk) {
#define FR_ROWS(width) \
    SUFFIX(multinomial_rows)(p, W, b, begin, end, width, loss_out, grad_W, grad_b, zk)
    switch (p->n_features) {
    case 1: FR_ROWS(1); break;
    case 2: FR_ROWS(2); break;
    case 3: FR_ROWS(3); break;
    case 4: FR_ROWS(4); break;
    case 5: FR_ROWS(5); break;
    case 6: FR_ROWS(6); break;
    case 7: FR_ROWS(7); break;
    case 8: FR_ROWS(8); break;
    default: FR_ROWS(p->n_features); break;
    }
#undef FR_ROWS
}

/* One chunk into its scratch slot [loss, grad_b (K), grad_w (K x d), scores (K x BLOCK)]. */
static void SUFFIX(run_chunk)(const PROBLEM *p, const REAL *coef, const REAL *intercept,
                              int64_t begin, int64_t end, int with_gradient, double *slot) {
    const int64_t K = p->n_outputs, d = p->n_features;
    double *scores = slot + 1 + K + K * d;
    memset(slot, 0, (size_t)(1 + K + (with_gradient ? K * d : 0)) * sizeof(double));
    double *grad_b = with_gradient ? slot + 1 : NULL;
    double *grad_w = with_gradient ? slot + 1 + K : NULL;
    if (p->loss == FR_LOSS_MULTINOMIAL)
        SUFFIX(chunk_multinomial)(p, coef, intercept, begin, end, slot, grad_w, grad_b, scores);
    else
        SUFFIX(chunk_single_output)(p, coef, (double)intercept[0], begin, end, slot, grad_w,
                                    grad_b);
}

double SUFFIX(fr_loss_gradient)(const PROBLEM *p, const REAL *coef, const REAL *intercept,
                                double *grad_coef, double *grad_intercept, double *scratch,
                                int n_threads) {
    const int64_t n = p->n_samples, d = p->n_features, K = p->n_outputs;
    const int64_t chunks = fr_chunk_count(n);
    const int64_t slot_size = fr_slot_size(d, K);
    const int with_gradient = grad_coef != NULL;
    n_threads = fr_usable_threads(n_threads, chunks); /* 1 in a forked child */
    if (chunks == 1 || n_threads <= 1) { /* small data never enters the OpenMP runtime */
        for (int64_t c = 0; c < chunks; ++c)
            SUFFIX(run_chunk)(p, coef, intercept, n * c / chunks, n * (c + 1) / chunks,
                              with_gradient, scratch + c * slot_size);
    } else {
        /* more threads than chunks would idle; a huge request must not reach OpenMP */
        const int threads = n_threads < chunks ? n_threads : (int)chunks;
        (void)threads;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(threads)
#endif
        for (int64_t c = 0; c < chunks; ++c)
            SUFFIX(run_chunk)(p, coef, intercept, n * c / chunks, n * (c + 1) / chunks,
                              with_gradient, scratch + c * slot_size);
    }
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
