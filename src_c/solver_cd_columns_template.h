/* solver_cd_columns_template.h: coordinate descent's access to the columns of X
 * (FR_CD_COLUMNS, cd_columns.c) for one dtype. The includer defines REAL (the element
 * type) and SUFFIX(name). A column is contiguous (X column-major) and is centred on the
 * fly by its mean mu, so X is never copied or modified; every sum is carried in double.
 *
 * The dot products keep eight partial sums added in a fixed order at the end: the loop
 * vectorises without reassociating anything the compiler chooses, so the result is the
 * same in every build and on every ISA clone. */

/* sum_i s_i (x_i - mu) r_i, with s NULL for unit weights. */
FR_TARGET_CLONES static double SUFFIX(cd_column_dot)(const REAL *x, const REAL *s, double mu,
                                                     const double *r, int64_t n) {
    double acc[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    const int64_t n8 = n - n % 8;
    if (s == NULL) {
        for (int64_t i = 0; i < n8; i += 8)
            for (int k = 0; k < 8; ++k) acc[k] += ((double)x[i + k] - mu) * r[i + k];
        for (int64_t i = n8; i < n; ++i) acc[i - n8] += ((double)x[i] - mu) * r[i];
    } else {
        for (int64_t i = 0; i < n8; i += 8)
            for (int k = 0; k < 8; ++k)
                acc[k] += (double)s[i + k] * (((double)x[i + k] - mu) * r[i + k]);
        for (int64_t i = n8; i < n; ++i)
            acc[i - n8] += (double)s[i] * (((double)x[i] - mu) * r[i]);
    }
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* r -= delta (x - mu). */
FR_TARGET_CLONES static void SUFFIX(cd_column_axpy)(const REAL *x, double mu, double delta,
                                                    double *r, int64_t n) {
    for (int64_t i = 0; i < n; ++i) r[i] -= delta * ((double)x[i] - mu);
}

/* sum_i s_i (x_i - mu)^2. */
static double SUFFIX(cd_column_norm2)(const REAL *x, const REAL *s, double mu, int64_t n) {
    double acc = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        const double c = (double)x[i] - mu;
        acc += (s == NULL ? 1.0 : (double)s[i]) * (c * c);
    }
    return acc;
}

/* r = y - y_mean (what the residual starts from before the coefficients are applied),
 * and returns sum_i s_i (y_i - y_mean)^2. */
static double SUFFIX(cd_centred_targets)(const REAL *y, const REAL *s, double y_mean, double *r,
                                         int64_t n) {
    double acc = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        r[i] = (double)y[i] - y_mean;
        acc += (s == NULL ? 1.0 : (double)s[i]) * (r[i] * r[i]);
    }
    return acc;
}

/* ||r||_S^2 into *r_norm2 and r^T S (y - y_mean) into *r_y. */
static void SUFFIX(cd_residual_sums)(const REAL *y, const REAL *s, double y_mean,
                                     const double *r, int64_t n, double *r_norm2, double *r_y) {
    double rr = 0.0, ry = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        const double weight = s == NULL ? 1.0 : (double)s[i];
        rr += weight * (r[i] * r[i]);
        ry += weight * (r[i] * ((double)y[i] - y_mean));
    }
    *r_norm2 = rr;
    *r_y = ry;
}

/* out (column-major) = X (row-major, n x d), in tiles of CD_TILE x CD_TILE elements so
 * that both sides are read and written a cache line at a time; column tiles go to
 * threads whole. */
static void SUFFIX(cd_transpose)(const REAL *X, int64_t n, int64_t d, REAL *out, int threads) {
    const int64_t tiles = (d + CD_TILE - 1) / CD_TILE;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
#endif
    for (int64_t t = 0; t < tiles; ++t) {
        const int64_t j0 = t * CD_TILE, j1 = j0 + CD_TILE < d ? j0 + CD_TILE : d;
        for (int64_t i0 = 0; i0 < n; i0 += CD_TILE) {
            const int64_t i1 = i0 + CD_TILE < n ? i0 + CD_TILE : n;
            for (int64_t j = j0; j < j1; ++j)
                for (int64_t i = i0; i < i1; ++i) out[j * n + i] = X[i * d + j];
        }
    }
}
