/* pass_moments_template.h: the sample-weighted column sums of X over a chunk of rows,
 * for one dtype and layout (included by pass_moments.c like pass_fused_template.h). */

/* slot[j] = sum_i s_i X[i, j] over rows [begin, end), slot[d] = sum_i s_i. */
static void LAYOUT(column_sums)(const fr_problem *p, int64_t begin, int64_t end,
                                double *slot) {
    const LAYOUT(view) X = LAYOUT(view_of)(&p->X);
    const int64_t d = p->X.n_cols;
    const REAL *weights = (const REAL *)p->sample_weight;
    memset(slot, 0, (size_t)(d + 1) * sizeof(double));
    double s[FR_BLOCK], weight = 0.0;
    for (int64_t i0 = begin; i0 < end; i0 += FR_BLOCK) {
        const int64_t m = end - i0 < FR_BLOCK ? end - i0 : FR_BLOCK;
        for (int64_t r = 0; r < m; ++r) {
            s[r] = weights ? (double)weights[i0 + r] : 1.0;
            weight += s[r];
        }
        LAYOUT(block_weighted_sums)(X, i0, m, d, s, slot);
    }
    slot[d] = weight;
}
