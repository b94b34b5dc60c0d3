/* fused_template.h: the fused pass for one dtype; fused.c includes it once per dtype
 * with REAL, SUFFIX(name) and PROBLEM defined.
 *
 * Within a chunk, rows are taken four at a time: four independent dot products keep the
 * FMA units busy, and the gradient is updated once per block (grad += g0 x0 + ... + g3 x3)
 * so the accumulator is loaded and stored a quarter as often. Dot products run in REAL
 * (float32 data stays float32); per-row losses, derivatives and every sum are double. */

/* Per-row derivative and loss for the single-output losses, weighted by s. */
static inline double SUFFIX(single_output_row)(int loss, double z, double y, double s,
                                              double *gradient) {
    double value;
    if (loss == FR_LOSS_LOGISTIC) {
        value = fr_logistic_loss_grad(z, y, gradient);
    } else {
        double r = z - y;
        *gradient = r;
        value = 0.5 * r * r;
    }
    *gradient *= s;
    return s * value;
}

/* Squared or logistic loss over rows [begin, end); adds into loss/grad_* (one slot). */
static void SUFFIX(chunk_single_output)(const PROBLEM *p, const REAL *w, double b,
                                        int64_t begin, int64_t end, double *loss_out,
                                        double *grad_w, double *grad_b) {
    const int64_t d = p->n_features;
    const REAL *sw = p->sample_weight;
    double loss = 0.0, gb = 0.0;
    int64_t i = begin;
    for (; i + 4 <= end; i += 4) {
        const REAL *x0 = p->X + i * d, *x1 = x0 + d, *x2 = x1 + d, *x3 = x2 + d;
        REAL a0 = 0, a1 = 0, a2 = 0, a3 = 0;
#pragma omp simd reduction(+ : a0, a1, a2, a3)
        for (int64_t j = 0; j < d; ++j) {
            a0 += x0[j] * w[j];
            a1 += x1[j] * w[j];
            a2 += x2[j] * w[j];
            a3 += x3[j] * w[j];
        }
        double g0, g1, g2, g3;
        loss += SUFFIX(single_output_row)(p->loss, a0 + b, p->y[i], sw ? sw[i] : 1.0, &g0);
        loss += SUFFIX(single_output_row)(p->loss, a1 + b, p->y[i + 1], sw ? sw[i + 1] : 1.0, &g1);
        loss += SUFFIX(single_output_row)(p->loss, a2 + b, p->y[i + 2], sw ? sw[i + 2] : 1.0, &g2);
        loss += SUFFIX(single_output_row)(p->loss, a3 + b, p->y[i + 3], sw ? sw[i + 3] : 1.0, &g3);
        if (grad_w) {
            gb += (g0 + g1) + (g2 + g3);
#pragma omp simd
            for (int64_t j = 0; j < d; ++j)
                grad_w[j] += (g0 * x0[j] + g1 * x1[j]) + (g2 * x2[j] + g3 * x3[j]);
        }
    }
    for (; i < end; ++i) {
        const REAL *x = p->X + i * d;
        REAL a = 0;
#pragma omp simd reduction(+ : a)
        for (int64_t j = 0; j < d; ++j) a += x[j] * w[j];
        double g;
        loss += SUFFIX(single_output_row)(p->loss, a + b, p->y[i], sw ? sw[i] : 1.0, &g);
        if (grad_w) {
            gb += g;
#pragma omp simd
            for (int64_t j = 0; j < d; ++j) grad_w[j] += g * x[j];
        }
    }
    *loss_out += loss;
    if (grad_b) *grad_b += gb;
}

/* Multinomial loss over rows [begin, end). z holds K doubles of per-row scores. */
static void SUFFIX(chunk_multinomial)(const PROBLEM *p, const REAL *W, const REAL *b,
                                      int64_t begin, int64_t end, double *loss_out,
                                      double *grad_W, double *grad_b, double *z) {
    const int64_t d = p->n_features, K = p->n_outputs;
    const REAL *sw = p->sample_weight;
    double loss = 0.0;
    for (int64_t i = begin; i < end; ++i) {
        const REAL *x = p->X + i * d;
        double zmax = -INFINITY;
        for (int64_t k = 0; k < K; ++k) {
            const REAL *w = W + k * d;
            REAL a = 0;
#pragma omp simd reduction(+ : a)
            for (int64_t j = 0; j < d; ++j) a += x[j] * w[j];
            z[k] = (double)a + (double)b[k];
            zmax = z[k] > zmax ? z[k] : zmax;
        }
        double sum = 0.0;
        for (int64_t k = 0; k < K; ++k) {
            double e = exp(z[k] - zmax);
            sum += e;
            z[k] = e; /* z now holds exp(z - max) */
        }
        const int64_t label = (int64_t)p->y[i];
        const double s = sw ? (double)sw[i] : 1.0;
        /* loss = log(sum) + max - z_label, with z_label - max = log(e_label) */
        loss += s * (log(sum) - log(z[label]));
        if (!grad_W) continue;
        const double inv = s / sum;
        for (int64_t k = 0; k < K; ++k) {
            double g = z[k] * inv - (k == label ? s : 0.0);
            double *gw = grad_W + k * d;
            grad_b[k] += g;
#pragma omp simd
            for (int64_t j = 0; j < d; ++j) gw[j] += g * x[j];
        }
    }
    *loss_out += loss;
}

/* One chunk into its scratch slot [loss, grad_b (K), grad_w (K x d), scores (K)]. */
static void SUFFIX(run_chunk)(const PROBLEM *p, const REAL *coef, const REAL *intercept,
                              int64_t begin, int64_t end, int with_gradient, double *slot) {
    const int64_t K = p->n_outputs, d = p->n_features;
    double *z = slot + 1 + K + K * d;
    memset(slot, 0, (size_t)(1 + K + (with_gradient ? K * d : 0)) * sizeof(double));
    double *grad_b = with_gradient ? slot + 1 : NULL;
    double *grad_w = with_gradient ? slot + 1 + K : NULL;
    if (p->loss == FR_LOSS_MULTINOMIAL)
        SUFFIX(chunk_multinomial)(p, coef, intercept, begin, end, slot, grad_w, grad_b, z);
    else
        SUFFIX(chunk_single_output)(p, coef, (double)intercept[0], begin, end, slot, grad_w,
                                    grad_b);
}

double SUFFIX(fr_loss_gradient)(const PROBLEM *p, const REAL *coef, const REAL *intercept,
                                double *grad_coef, double *grad_intercept, double *scratch,
                                int n_threads) {
    const int64_t n = p->n_samples, d = p->n_features, K = p->n_outputs;
    const int64_t chunks = fr_chunk_count(n);
    const int64_t slot_size = 1 + 2 * K + K * d; /* see fr_scratch_size */
    const int with_gradient = grad_coef != NULL;
    (void)n_threads;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(n_threads) if (chunks > 1 && n_threads > 1)
#endif
    for (int64_t c = 0; c < chunks; ++c) {
        const int64_t begin = n * c / chunks, end = n * (c + 1) / chunks;
        SUFFIX(run_chunk)(p, coef, intercept, begin, end, with_gradient,
                          scratch + c * slot_size);
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
