/* stats_kernel_template.h: the register-blocked product kernel of the statistics pass
 * for one dtype (included by pass_stats.c with REAL, SUFFIX(name), FR_STATS_JT,
 * FR_STATS_KT and FR_STATS_SUM_ROWS defined). It knows nothing of the data layout: a layout's block loader
 * (pass_stats_template.h for dense rows) fills the packed panels it reads.
 *
 * A block of m <= FR_STATS_BLOCK rows of the joint matrix V = [X | Y] (pp columns,
 * zero-padded to a multiple of FR_STATS_JT) arrives centred on the block's own weighted
 * mean, in panels of FR_STATS_JT columns stored row after row (a panel of a block is
 * FR_STATS_BLOCK x FR_STATS_JT REALs):
 *     Ap  v_i - mu_b
 *     Bp  s_i (v_i - mu_b)   (Ap itself when the weights are all one)
 * and the kernel adds the lower triangle (the tiles touching it) of Ap^T Bp into the
 * double accumulator M (pp x pp, row-major): a syrk written as a gemm over the lower
 * tiles. A tile covers KT rows k and JT columns j of M, so that adding it into M is
 * KT contiguous vector adds.
 *
 * a. One tile is FR_STATS_JT x FR_STATS_KT accumulators that stay in registers for the
 *    whole block: per row, JT/lanes vector loads of Bp, KT broadcasts of Ap and
 *    KT x JT/lanes FMAs. float64 8 x 4 on AVX2 is 8 ymm accumulators, 6 loads per
 *    8 FMAs: FMA-bound. The compiler vectorises the constant-length inner loops (the
 *    fixed trip counts unroll completely), so the kernel stays portable C99 and
 *    FR_TARGET_CLONES gives AVX2+FMA and AVX-512 code where the CPU has it.
 * b. float32 data: the products of a block are summed in float32 (twice the lanes of
 *    float64, the reason the float32 pass is faster at all: the pass is compute-bound)
 *    and each tile is added to the double accumulator every FR_STATS_SUM_ROWS = 64
 *    rows. That bounds the float32 sum to 64 terms of centred values: a relative error
 *    of at most 64 u_32 = 3.8e-6 of sum |b a| per block (~sqrt(64) u_32 = 5e-7
 *    typically), and independent between blocks, so the double total over n rows is
 *    accurate to ~5e-7 / sqrt(n / 64) of sum |b a|: below the float32 rounding of the
 *    data itself. Measured on standard normal float32 data, 100 columns, against the
 *    float64 twin: largest error of the Gram 7e-9 of its largest entry at 100,000 rows,
 *    2e-9 at 1,000,000 (tests/test_statistics.py bounds it at 1e-6).
 */

FR_ALWAYS_INLINE static inline void SUFFIX(stats_tile)(const REAL *restrict bp,
                                                       const REAL *restrict ap, int64_t m,
                                                       double *restrict out, int64_t ld) {
    REAL acc[FR_STATS_KT][FR_STATS_JT];
    for (int c = 0; c < FR_STATS_KT; ++c)
        for (int r = 0; r < FR_STATS_JT; ++r) acc[c][r] = 0;
    for (int64_t i = 0; i < m; ++i) {
        const REAL *b = bp + i * FR_STATS_JT;
        const REAL *a = ap + i * FR_STATS_JT;
        for (int c = 0; c < FR_STATS_KT; ++c) {
            const REAL ac = a[c];
#pragma omp simd
            for (int r = 0; r < FR_STATS_JT; ++r) acc[c][r] += ac * b[r];
        }
    }
    for (int c = 0; c < FR_STATS_KT; ++c) {
        double *row = out + c * ld;
#pragma omp simd
        for (int r = 0; r < FR_STATS_JT; ++r) row[r] += (double)acc[c][r];
    }
}

/* M += lower tiles of Ap^T Bp for one packed block (see the header); the products of
 * at most FR_STATS_SUM_ROWS rows are summed in REAL before they reach M. */
FR_ALWAYS_INLINE static inline void SUFFIX(stats_block_product)(const REAL *Bp, const REAL *Ap,
                                                                int64_t m, int64_t pp,
                                                                double *M) {
    const int64_t panels = pp / FR_STATS_JT, panel_size = FR_STATS_BLOCK * FR_STATS_JT;
    for (int64_t i0 = 0; i0 < m; i0 += FR_STATS_SUM_ROWS) {
        const int64_t rows = m - i0 < FR_STATS_SUM_ROWS ? m - i0 : FR_STATS_SUM_ROWS;
        for (int64_t jp = 0; jp < panels; ++jp) {
            const REAL *b = Bp + jp * panel_size + i0 * FR_STATS_JT;
            const int64_t j0 = jp * FR_STATS_JT;
            /* tiles above the diagonal tile lie entirely above the diagonal */
            for (int64_t k0 = j0; k0 < pp; k0 += FR_STATS_KT) {
                const REAL *a = Ap + (k0 / FR_STATS_JT) * panel_size + i0 * FR_STATS_JT +
                                k0 % FR_STATS_JT;
                SUFFIX(stats_tile)(b, a, rows, M + k0 * pp + j0, pp);
            }
        }
    }
}
