/* pass_fused_template.h: the fused loss + gradient pass and the scores pass for one
 * dtype and one data layout. pass_fused.c includes it once per (layout, dtype) with REAL,
 * SUFFIX(name), LAYOUT(name) (the layout's data-access functions and this file's
 * functions: name_<layout>_<dtype>) and FR_UNROLL_SHORT_ROWS defined. Chunks come from
 * fr_matrix_chunk_count and fr_matrix_chunk_start, whatever the layout.
 *
 * a. Rows go in blocks of FR_BLOCK. Per block: the scores (data access), the targets
 *    and weights, the per-row losses and derivatives in one loop over the block that
 *    vectorises (losses.h), then the gradient update grad += sum_r g_r x_r (data
 *    access), which loads and stores the accumulator once per block.
 * b. The row loops are specialised per loss (a constant loss code folds the loss
 *    dispatch away) and, when FR_UNROLL_SHORT_ROWS, per short row width 1..8: with d a
 *    constant the compiler unrolls the dot products and the gradient update completely
 *    (iris-sized data spends most of its time in loop overhead otherwise).
 * c. Per-row losses and derivatives, and every sum, are double. A short last block pads
 *    with zero weights instead of branching in the hot loops. */

/* The block's targets and weights, zero-padded past m (a zero weight zeroes the row). */
FR_ALWAYS_INLINE static inline void LAYOUT(block_targets)(const fr_problem *p, int64_t i0,
                                                          int64_t m, double *y, double *s) {
    const REAL *targets = (const REAL *)p->y;
    const REAL *weights = (const REAL *)p->sample_weight;
    for (int r = 0; r < FR_BLOCK; ++r) {
        y[r] = r < m ? (double)targets[i0 + r] : 0.0;
        s[r] = r < m ? (weights ? (double)weights[i0 + r] : 1.0) : 0.0;
    }
}

/* A single-output loss over rows [begin, end) of width d; adds into one scratch slot. */
FR_ALWAYS_INLINE static inline void LAYOUT(rows_single_output)(
    const fr_problem *p, const REAL *w, double b, int64_t begin, int64_t end, const int64_t d,
    const int loss, double *loss_out, double *grad_w, double *grad_b) {
    const LAYOUT(view) X = LAYOUT(view_of)(&p->X);
    double total = 0.0, gb = 0.0;
    double z[FR_BLOCK], y[FR_BLOCK], s[FR_BLOCK], g[FR_BLOCK], l[FR_BLOCK];
    for (int64_t i0 = begin; i0 < end; i0 += FR_BLOCK) {
        const int64_t m = end - i0 < FR_BLOCK ? end - i0 : FR_BLOCK;
        LAYOUT(block_scores)(X, i0, m, end - i0, d, w, b, z);
        LAYOUT(block_targets)(p, i0, m, y, s);
        fr_single_output_block(loss, p->loss_param, z, y, s, l, g);
        for (int r = 0; r < FR_BLOCK; ++r) total += l[r];
        if (!grad_w) continue;
        for (int r = 0; r < FR_BLOCK; ++r) gb += g[r];
        LAYOUT(block_gradient)(X, i0, m, d, g, grad_w);
    }
    *loss_out += total;
    if (grad_b) *grad_b += gb;
}

/* A per-class loss over rows [begin, end). zk is K x FR_BLOCK doubles of scratch,
 * class-major, so that the per-class loops run over the block's rows in SIMD. W and
 * grad_W are in the layout's class order: K x d (class-major) unless the layout sets
 * classes_feature_major, then d x K (fr_loss_gradient transposes W, the reduction
 * transposes the gradient back). */
FR_ALWAYS_INLINE static inline void LAYOUT(rows_per_class)(
    const fr_problem *p, const REAL *W, const REAL *b, int64_t begin, int64_t end,
    const int64_t d, const int loss, double *loss_out, double *grad_W, double *grad_b,
    double *zk) {
    const LAYOUT(view) X = LAYOUT(view_of)(&p->X);
    const int64_t K = p->n_outputs;
    double total = 0.0;
    double y[FR_BLOCK], s[FR_BLOCK], l[FR_BLOCK];
    for (int64_t i0 = begin; i0 < end; i0 += FR_BLOCK) {
        const int64_t m = end - i0 < FR_BLOCK ? end - i0 : FR_BLOCK;
        LAYOUT(block_targets)(p, i0, m, y, s);
        LAYOUT(block_scores_classes)(X, i0, m, end - i0, d, W, b, K, zk);
        fr_per_class_block(loss, p->loss_param, zk, K, y, s, l); /* zk: derivatives now */
        for (int r = 0; r < FR_BLOCK; ++r) total += l[r];
        if (!grad_W) continue;
        for (int64_t k = 0; k < K; ++k) {
            const double *g = zk + k * FR_BLOCK;
            double gk = 0.0;
            for (int r = 0; r < FR_BLOCK; ++r) gk += g[r];
            grad_b[k] += gk;
        }
        LAYOUT(block_gradient_classes)(X, i0, m, d, zk, K, grad_W);
    }
    *loss_out += total;
}

/* ROWS(width, loss) for the row width d: a constant width for short rows (decision b). */
#if FR_UNROLL_SHORT_ROWS
#define FR_SPECIALISE_WIDTH(d, ROWS, loss) \
    switch (d) {                           \
    case 1: ROWS(1, loss); break;          \
    case 2: ROWS(2, loss); break;          \
    case 3: ROWS(3, loss); break;          \
    case 4: ROWS(4, loss); break;          \
    case 5: ROWS(5, loss); break;          \
    case 6: ROWS(6, loss); break;          \
    case 7: ROWS(7, loss); break;          \
    case 8: ROWS(8, loss); break;          \
    default: ROWS(d, loss); break;         \
    }
#else
#define FR_SPECIALISE_WIDTH(d, ROWS, loss) ROWS(d, loss);
#endif

FR_TARGET_CLONES static void LAYOUT(chunk_single_output)(const fr_problem *p, const REAL *w,
                                                         double b, int64_t begin,
                                                         int64_t end, double *loss_out,
                                                         double *grad_w, double *grad_b) {
    const int64_t d = p->X.n_cols;
#define FR_ROWS(width, code) \
    LAYOUT(rows_single_output)(p, w, b, begin, end, width, code, loss_out, grad_w, grad_b)
#define FR_CASE(code)                         \
    case code: {                              \
        FR_SPECIALISE_WIDTH(d, FR_ROWS, code) \
    } break;
    switch (p->loss) { FR_SINGLE_OUTPUT_LOSSES(FR_CASE) default: break; }
#undef FR_CASE
#undef FR_ROWS
}

FR_TARGET_CLONES static void LAYOUT(chunk_per_class)(const fr_problem *p, const REAL *W,
                                                     const REAL *b, int64_t begin,
                                                     int64_t end, double *loss_out,
                                                     double *grad_W, double *grad_b,
                                                     double *zk) {
    const int64_t d = p->X.n_cols;
#define FR_ROWS(width, code) \
    LAYOUT(rows_per_class)(p, W, b, begin, end, width, code, loss_out, grad_W, grad_b, zk)
#define FR_CASE(code)                         \
    case code: {                              \
        FR_SPECIALISE_WIDTH(d, FR_ROWS, code) \
    } break;
    switch (p->loss) { FR_PER_CLASS_LOSSES(FR_CASE) default: break; }
#undef FR_CASE
#undef FR_ROWS
}

#undef FR_SPECIALISE_WIDTH

/* One chunk into its scratch slot [loss, grad_b (K), grad_w (K x d), scores (K x BLOCK)]. */
static void LAYOUT(run_chunk)(const fr_problem *p, int per_class, const REAL *coef,
                              const REAL *intercept, int64_t begin, int64_t end,
                              int with_gradient, double *slot) {
    const int64_t K = p->n_outputs, d = p->X.n_cols;
    double *scores = slot + 1 + K + K * d;
    memset(slot, 0, (size_t)(1 + K + (with_gradient ? K * d : 0)) * sizeof(double));
    double *grad_b = with_gradient ? slot + 1 : NULL;
    double *grad_w = with_gradient ? slot + 1 + K : NULL;
    if (per_class)
        LAYOUT(chunk_per_class)(p, coef, intercept, begin, end, slot, grad_w, grad_b, scores);
    else
        LAYOUT(chunk_single_output)(p, coef, (double)intercept[0], begin, end, slot, grad_w,
                                    grad_b);
}

/* The fused pass with the point in the data's dtype; see fr_loss_gradient. */
static double LAYOUT(loss_gradient)(const fr_problem *p, int per_class, const REAL *coef,
                                    const REAL *intercept, double *grad_coef,
                                    double *grad_intercept, double *scratch, int n_threads) {
    const fr_matrix *X = &p->X;
    const int64_t d = X->n_cols, K = p->n_outputs;
    const int64_t chunks = fr_matrix_chunk_count(X);
    const int64_t slot_size = fr_slot_size(d, K);
    const int with_gradient = grad_coef != NULL;
    const int threads = fr_parallel_threads(n_threads, chunks);
    if (threads <= 1) { /* small data never enters the OpenMP runtime */
        for (int64_t c = 0; c < chunks; ++c)
            LAYOUT(run_chunk)(p, per_class, coef, intercept, fr_matrix_chunk_start(X, c, chunks),
                              fr_matrix_chunk_start(X, c + 1, chunks), with_gradient,
                              scratch + c * slot_size);
    } else {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(threads)
#endif
        for (int64_t c = 0; c < chunks; ++c)
            LAYOUT(run_chunk)(p, per_class, coef, intercept, fr_matrix_chunk_start(X, c, chunks),
                              fr_matrix_chunk_start(X, c + 1, chunks), with_gradient,
                              scratch + c * slot_size);
    }
    const int feature_major = per_class && LAYOUT(classes_feature_major);
    return fr_reduce_slots(scratch, chunks, slot_size, K, d, with_gradient, feature_major,
                           grad_coef, grad_intercept, n_threads);
}

/* Scores of rows [begin, end) for all outputs into out (row-major, n_outputs wide). */
static void LAYOUT(scores_rows)(const fr_matrix *M, const REAL *coef, const REAL *intercept,
                                int64_t K, int64_t begin, int64_t end, double *out) {
    const LAYOUT(view) X = LAYOUT(view_of)(M);
    const int64_t d = M->n_cols;
    double z[FR_BLOCK];
    for (int64_t i0 = begin; i0 < end; i0 += FR_BLOCK) {
        const int64_t m = end - i0 < FR_BLOCK ? end - i0 : FR_BLOCK;
        for (int64_t k = 0; k < K; ++k) {
            LAYOUT(block_scores)(X, i0, m, k == 0 ? end - i0 : 0, d, coef + k * d,
                                 (double)intercept[k], z);
            for (int64_t r = 0; r < m; ++r) out[(i0 + r) * K + k] = z[r];
        }
    }
}

static void LAYOUT(scores)(const fr_matrix *M, const REAL *coef, const REAL *intercept,
                           int64_t K, double *out, int n_threads) {
    const int64_t chunks = fr_matrix_chunk_count(M);
    const int threads = fr_parallel_threads(n_threads, chunks);
    if (threads <= 1) {
        for (int64_t c = 0; c < chunks; ++c)
            LAYOUT(scores_rows)(M, coef, intercept, K, fr_matrix_chunk_start(M, c, chunks),
                                fr_matrix_chunk_start(M, c + 1, chunks), out);
    } else {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(threads)
#endif
        for (int64_t c = 0; c < chunks; ++c)
            LAYOUT(scores_rows)(M, coef, intercept, K, fr_matrix_chunk_start(M, c, chunks),
                                fr_matrix_chunk_start(M, c + 1, chunks), out);
    }
}
