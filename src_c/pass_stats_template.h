/* pass_stats_template.h: the statistics pass over one chunk of dense rows, for one dtype
 * (included by pass_stats.c with REAL, SUFFIX(name) and LAYOUT(name) defined, after
 * stats_kernel_template.h for the same dtype). Another layout writes its own chunk
 * function with the same slot contract; the merge and the chunk reduction in
 * pass_stats.c are shared.
 *
 * a. One read of X and Y: rows go in blocks of FR_STATS_BLOCK. A block is read from
 *    memory once for its weighted mean, then centred on that mean and packed from cache
 *    into the kernel's panels, and its centred products are added into the chunk's
 *    accumulator; the block's mean and weight then join the chunk's with the pairwise
 *    update (fr_stats_merge). No sum of raw products is ever formed, so a column with
 *    mean 1e6 and spread 1 keeps its digits.
 *    Means are carried as offsets from a shift, the chunk's first row: the merge's
 *    first-order term uses the difference of two means, and a mean of 1e6 rounded in
 *    double is off by 1e-10, which would cost the centred products of unit-spread
 *    columns six digits over a few thousand rows (measured: 1e-9 relative against exact
 *    arithmetic); offsets of size ~spread keep that difference exact to ~1e-17.
 * b. A block of zero total weight adds nothing (its mean is undefined); zero-weight rows
 *    inside a weighted block add zero products (their Bp rows are zero). */

/* Weighted mean of rows [i0, i0 + m) of [X | Y], as its offset from shift, into mu (p
 * doubles) and the packed centred panels (Bp only when weighted); returns the block's
 * weight (0: nothing packed). */
FR_ALWAYS_INLINE static inline double LAYOUT(stats_load_block)(
    const REAL *X, const REAL *Y, const REAL *weights, int64_t d, int64_t T, int64_t i0,
    int64_t m, const double *shift, double *mu, double *s, REAL *Bp, REAL *Ap) {
    const int64_t p = d + T, panel_size = FR_STATS_BLOCK * FR_STATS_JT;
    const int64_t full_panels = d / FR_STATS_JT; /* panels made of X's columns only */
    double S = 0.0;
    for (int64_t r = 0; r < m; ++r) {
        s[r] = weights ? (double)weights[i0 + r] : 1.0;
        S += s[r];
    }
    if (!(S > 0.0)) return 0.0;
    for (int64_t j = 0; j < p; ++j) mu[j] = 0.0;
    for (int64_t r = 0; r < m; ++r) {
        const REAL *x = X + (i0 + r) * d;
        const double sr = s[r];
#pragma omp simd
        for (int64_t j = 0; j < d; ++j) mu[j] += sr * ((double)x[j] - shift[j]);
        const REAL *y = Y + (i0 + r) * T;
        for (int64_t t = 0; t < T; ++t) mu[d + t] += sr * ((double)y[t] - shift[d + t]);
    }
    for (int64_t j = 0; j < p; ++j) mu[j] /= S;
    for (int64_t r = 0; r < m; ++r) {
        const REAL *x = X + (i0 + r) * d;
        const REAL *y = Y + (i0 + r) * T;
        for (int64_t jp = 0; jp < full_panels; ++jp) {
            const REAL *xj = x + jp * FR_STATS_JT;
            const double *mj = mu + jp * FR_STATS_JT, *cj = shift + jp * FR_STATS_JT;
            REAL *a = Ap + jp * panel_size + r * FR_STATS_JT;
#pragma omp simd
            for (int q = 0; q < FR_STATS_JT; ++q)
                a[q] = (REAL)(((double)xj[q] - cj[q]) - mj[q]);
        }
        for (int64_t j = full_panels * FR_STATS_JT; j < p; ++j) {
            const double v = ((j < d ? (double)x[j] : (double)y[j - d]) - shift[j]) - mu[j];
            Ap[(j / FR_STATS_JT) * panel_size + r * FR_STATS_JT + j % FR_STATS_JT] = (REAL)v;
        }
        if (weights) { /* Bp = s Ap, from the centred values in double */
            const double sr = s[r];
            for (int64_t j = 0; j < p; ++j) {
                const double v =
                    ((j < d ? (double)x[j] : (double)y[j - d]) - shift[j]) - mu[j];
                Bp[(j / FR_STATS_JT) * panel_size + r * FR_STATS_JT + j % FR_STATS_JT] =
                    (REAL)(sr * v);
            }
        }
    }
    return S;
}

/* Rows [begin, end) into slot = [weight, shift (pp), mean - shift (pp), M (pp x pp,
 * lower triangle)], the shift being row `begin`. pack holds 2 x FR_STATS_BLOCK x pp
 * REALs whose padding columns are zero; work holds pp + FR_STATS_BLOCK doubles. */
FR_TARGET_CLONES static void LAYOUT(stats_chunk)(const fr_matrix *Xm, const REAL *Y,
                                                 int64_t T, const REAL *weights,
                                                 int64_t begin, int64_t end, int64_t pp,
                                                 double *slot, REAL *pack, double *work) {
    const REAL *X = (const REAL *)Xm->values;
    const int64_t d = Xm->n_cols;
    double *shift = slot + 1, *offset = slot + 1 + pp, *M = slot + 1 + 2 * pp;
    double *mu = work, *s = work + pp;
    REAL *Ap = pack, *Bp = weights ? pack + FR_STATS_BLOCK * pp : pack;
    memset(slot, 0, (size_t)(1 + 2 * pp + pp * pp) * sizeof(double));
    for (int64_t j = 0; j < pp; ++j) mu[j] = 0.0;
    if (begin < end) {
        for (int64_t j = 0; j < d; ++j) shift[j] = (double)X[begin * d + j];
        for (int64_t t = 0; t < T; ++t) shift[d + t] = (double)Y[begin * T + t];
    }
    for (int64_t i0 = begin; i0 < end; i0 += FR_STATS_BLOCK) {
        const int64_t m = end - i0 < FR_STATS_BLOCK ? end - i0 : FR_STATS_BLOCK;
        const double S_block = LAYOUT(stats_load_block)(X, Y, weights, d, T, i0, m, shift, mu,
                                                        s, Bp, Ap);
        if (S_block == 0.0) continue;
        SUFFIX(stats_block_product)(Bp, Ap, m, pp, M);
        fr_stats_merge(&slot[0], offset, M, S_block, mu, pp);
    }
}
