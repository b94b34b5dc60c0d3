/* scalar_template.h: the array functions for one dtype; scalar.c includes it once per
 * dtype with REAL (float or double) and SUFFIX(name) defined. Row reductions use the
 * max-shift trick: log sum exp(z) = m + log sum exp(z - m), m = max z, so every exp
 * argument is <= 0 and the largest term is exactly 1. */

void SUFFIX(fr_sigmoid_array)(const REAL *x, int64_t n, REAL *out) {
    for (int64_t i = 0; i < n; ++i) out[i] = (REAL)fr_stable_sigmoid((double)x[i]);
}

/* Row maximum, with an all -inf row mapped to a shift of 0 so that z - m stays -inf
 * (giving exp = 0 and log-sum-exp = -inf) rather than NaN. */
static double SUFFIX(row_max)(const REAL *z, int64_t n_cols) {
    double m = -INFINITY;
    for (int64_t j = 0; j < n_cols; ++j) m = (double)z[j] > m ? (double)z[j] : m;
    return m == -INFINITY ? 0.0 : m;
}

void SUFFIX(fr_log_sum_exp_rows)(const REAL *Z, int64_t n_rows, int64_t n_cols, REAL *out) {
    for (int64_t i = 0; i < n_rows; ++i) {
        const REAL *z = Z + i * n_cols;
        double m = SUFFIX(row_max)(z, n_cols);
        double sum = 0.0;
        for (int64_t j = 0; j < n_cols; ++j) sum += exp((double)z[j] - m);
        out[i] = (REAL)(m + log(sum));
    }
}

void SUFFIX(fr_softmax_rows)(const REAL *Z, int64_t n_rows, int64_t n_cols, REAL *out) {
    for (int64_t i = 0; i < n_rows; ++i) {
        const REAL *z = Z + i * n_cols;
        REAL *p = out + i * n_cols;
        double m = SUFFIX(row_max)(z, n_cols);
        double sum = 0.0;
        for (int64_t j = 0; j < n_cols; ++j) sum += exp((double)z[j] - m);
        double inv = 1.0 / sum;
        for (int64_t j = 0; j < n_cols; ++j) p[j] = (REAL)(exp((double)z[j] - m) * inv);
    }
}
