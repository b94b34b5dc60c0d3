/* cd_columns.c: coordinate descent's access to the columns of X (FR_CD_COLUMNS of
 * fastreg.h; the driver is solver_cd.c): the column norms, the residual and its sums, the
 * correlation of a column with the residual, the residual's update, a sweep with the
 * rows split among threads, and the column-major copy of a row-major X.
 *
 * a. A column's correlation is summed over the row chunks of fr_chunk_count (core.h) and
 *    the chunk sums are added in chunk order, on one thread or many: results are bitwise
 *    identical for any thread count (fastreg.h, decision e).
 * b. A sweep on threads: each thread owns whole chunks of rows and a copy of w. For each
 *    coordinate every thread writes its chunks' partial sums, one barrier, and then every
 *    thread adds all partials in chunk order, takes the same step and updates its own
 *    rows of the residual. Two slots of partials alternate, so a thread never overwrites
 *    sums another may still be reading: one barrier per coordinate.
 * c. Passes over whole columns (norms, the gap's X_c^T S r) run columns on threads, each
 *    summed serially. */
#include <string.h>

#include "solver_cd.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Elements per side of a transpose tile: 32 doubles are four cache lines. */
#define CD_TILE 32
/* Below this many multiply-adds a pass over the columns stays on one thread. */
#define CD_PARALLEL_WORK 200000
/* Rows below which a sweep stays serial: a coordinate's share of the rows must outweigh
 * a barrier. */
#define CD_PARALLEL_ROWS (8 * FR_CHUNK_MIN_ROWS)

#define REAL double
#define SUFFIX(name) name##_f64
#include "solver_cd_columns_template.h"
#undef REAL
#undef SUFFIX

#define REAL float
#define SUFFIX(name) name##_f32
#include "solver_cd_columns_template.h"
#undef REAL
#undef SUFFIX

static const void *column_start(const cd_state *st, int64_t j, int64_t row) {
    const int64_t size = fr_dtype_size(st->data->dtype);
    return (const char *)st->data->columns + (size_t)(j * st->n + row) * (size_t)size;
}

static const void *weights_from(const cd_state *st, int64_t row) {
    const fr_cd_data *D = st->data;
    if (D->sample_weight == NULL) return NULL;
    return (const char *)D->sample_weight + (size_t)row * (size_t)fr_dtype_size(D->dtype);
}

static double column_mean(const cd_state *st, int64_t j) {
    return st->data->x_mean == NULL ? 0.0 : st->data->x_mean[j];
}

/* sum over rows [begin, end) of s_i (x_ij - mu_j) r_i */
static double dot_rows(const cd_state *st, int64_t j, int64_t begin, int64_t end) {
    const void *x = column_start(st, j, begin), *s = weights_from(st, begin);
    if (st->data->dtype == FR_FLOAT32)
        return cd_column_dot_f32(x, s, column_mean(st, j), st->kept + begin, end - begin);
    return cd_column_dot_f64(x, s, column_mean(st, j), st->kept + begin, end - begin);
}

static int columns_threads(const cd_state *st) {
    return (double)st->n * (double)st->d > CD_PARALLEL_WORK
               ? fr_parallel_threads(st->n_threads, st->d)
               : 1;
}

int64_t cd_columns_work(int64_t n_rows, int64_t n_features, int n_threads, int *sweep_threads) {
    const int64_t chunks = fr_chunk_count(n_rows);
    *sweep_threads = n_rows >= CD_PARALLEL_ROWS ? fr_parallel_threads(n_threads, chunks) : 1;
#ifndef _OPENMP
    *sweep_threads = 1; /* the sweep's parallel region would run once, on thread 0 */
#endif
    return 2 * chunks + (*sweep_threads > 1 ? (int64_t)*sweep_threads * n_features : 0);
}

void cd_columns_start(cd_state *st) {
    const fr_cd_data *D = st->data;
    const int64_t d = st->d, n = st->n;
    st->chunks = fr_chunk_count(n);
    const int threads = columns_threads(st);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
#endif
    for (int64_t j = 0; j < d; ++j)
        st->norm2[j] = D->dtype == FR_FLOAT32
                           ? cd_column_norm2_f32(column_start(st, j, 0), D->sample_weight,
                                                 column_mean(st, j), n)
                           : cd_column_norm2_f64(column_start(st, j, 0), D->sample_weight,
                                                 column_mean(st, j), n);
    (void)threads;
    st->yty = D->dtype == FR_FLOAT32
                  ? cd_centred_targets_f32(D->y, D->sample_weight, D->y_mean, st->kept, n)
                  : cd_centred_targets_f64(D->y, D->sample_weight, D->y_mean, st->kept, n);
    for (int64_t j = 0; j < d; ++j)
        if (st->w[j] != 0.0) cd_columns_move(st, j, st->w[j], 0, n);
}

double cd_columns_correlation(const cd_state *st, int64_t j) {
    const int64_t n = st->n, chunks = st->chunks;
    double total = 0.0;
    for (int64_t c = 0; c < chunks; ++c) total += dot_rows(st, j, n * c / chunks, n * (c + 1) / chunks);
    return total;
}

void cd_columns_move(cd_state *st, int64_t j, double delta, int64_t begin, int64_t end) {
    const void *x = column_start(st, j, begin);
    if (st->data->dtype == FR_FLOAT32)
        cd_column_axpy_f32(x, column_mean(st, j), delta, st->kept + begin, end - begin);
    else
        cd_column_axpy_f64(x, column_mean(st, j), delta, st->kept + begin, end - begin);
}

double cd_columns_residual_norm2(const cd_state *st) {
    const fr_cd_data *D = st->data;
    double r_norm2, r_y;
    if (D->dtype == FR_FLOAT32)
        cd_residual_sums_f32(D->y, D->sample_weight, D->y_mean, st->kept, st->n, &r_norm2, &r_y);
    else
        cd_residual_sums_f64(D->y, D->sample_weight, D->y_mean, st->kept, st->n, &r_norm2, &r_y);
    return r_norm2;
}

void cd_columns_terms(cd_state *st, double *r_norm2, double *r_y) {
    const fr_cd_data *D = st->data;
    const int64_t d = st->d, n = st->n;
    if (D->dtype == FR_FLOAT32)
        cd_residual_sums_f32(D->y, D->sample_weight, D->y_mean, st->kept, n, r_norm2, r_y);
    else
        cd_residual_sums_f64(D->y, D->sample_weight, D->y_mean, st->kept, n, r_norm2, r_y);
    const int threads = columns_threads(st);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
#endif
    for (int64_t j = 0; j < d; ++j) st->xta[j] = dot_rows(st, j, 0, n);
    (void)threads;
}

cd_sweep cd_columns_parallel_sweep(cd_state *st, int64_t n_active, int random, uint32_t *state) {
    const int threads = st->sweep_threads;
    const int64_t chunks = st->chunks, d = st->d, n = st->n;
    cd_sweep result = {0.0, 0.0, 1};
    uint32_t final_state = *state;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
#endif
    {
#ifdef _OPENMP
        const int t = omp_get_thread_num();
#else
        const int t = 0;
#endif
        const int64_t c0 = chunks * t / threads, c1 = chunks * (t + 1) / threads;
        const int64_t rows0 = n * c0 / chunks, rows1 = n * c1 / chunks;
        double *w = st->thread_w + (size_t)t * (size_t)d;
        memcpy(w, st->w, (size_t)d * sizeof(double));
        uint32_t generator = *state;
        cd_sweep mine = {0.0, 0.0, 1};
        int64_t steps = 0;
#ifdef _OPENMP
#pragma omp barrier /* every copy of w is taken before thread 0 may write it back */
#endif
        for (int64_t f = 0; f < n_active; ++f) {
            const int64_t j =
                st->active[random ? (int64_t)(fr_cd_random(&generator) % (uint64_t)n_active)
                                  : f];
            if (st->norm2[j] == 0.0) continue;
            double *slot = st->partials + (steps++ & 1) * chunks;
            for (int64_t c = c0; c < c1; ++c)
                slot[c] = dot_rows(st, j, n * c / chunks, n * (c + 1) / chunks);
#ifdef _OPENMP
#pragma omp barrier
#endif
            double correlation = 0.0;
            for (int64_t c = 0; c < chunks; ++c) correlation += slot[c];
            const double w_j = w[j];
            const double w_new = cd_step(&st->penalty, st->norm2[j], correlation, w_j);
            w[j] = w_new;
            if (w_new != w_j) cd_columns_move(st, j, w_new - w_j, rows0, rows1);
            cd_sweep_note(&mine, w_j, w_new);
        }
        if (t == 0) {
            memcpy(st->w, w, (size_t)d * sizeof(double));
            result = mine;
            final_state = generator;
        }
    }
    *state = final_state;
    return result;
}

int fr_cd_column_major(int dtype, const void *X, int64_t n_rows, int64_t n_cols, void *out,
                       int n_threads) {
    if ((dtype != FR_FLOAT64 && dtype != FR_FLOAT32) || n_rows < 0 || n_cols < 0 ||
        n_threads < 1 || (n_rows > 0 && n_cols > INT64_MAX / n_rows))
        return FR_BAD_INPUT;
    if (n_rows == 0 || n_cols == 0) return 0;
    if (X == NULL || out == NULL) return FR_BAD_INPUT;
    const int64_t tiles = (n_cols + CD_TILE - 1) / CD_TILE;
    const int threads = (double)n_rows * (double)n_cols > CD_PARALLEL_WORK
                            ? fr_parallel_threads(n_threads, tiles)
                            : 1;
    if (dtype == FR_FLOAT32) cd_transpose_f32(X, n_rows, n_cols, out, threads);
    else cd_transpose_f64(X, n_rows, n_cols, out, threads);
    return 0;
}
