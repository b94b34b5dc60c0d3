/* solver_cd.h: what the two files of coordinate descent share: the solver's state, and
 * the column access (cd_columns.c) that the driver (solver_cd.c) calls for FR_CD_COLUMNS.
 * Not part of the public interface (fastreg.h has fr_cd_solve). */
#ifndef FASTREG_SOLVER_CD_H
#define FASTREG_SOLVER_CD_H

#include <float.h>
#include <math.h>
#include <stdint.h>

#include "core.h"
#include "penalties.h"

typedef struct {
    const fr_cd_data *data;
    fr_penalty penalty;
    int64_t d, n; /* features; rows (FR_CD_COLUMNS) */
    double *w;
    double *norm2;   /* ||x_cj||_S^2, the Gram's diagonal */
    double *kept;    /* FR_CD_GRAM: Qw (d); FR_CD_COLUMNS: the residual r (n) */
    double *xta;     /* X_c^T S r at the last gap test (minus l2 w when l1 > 0) */
    int64_t *active; /* the features still visited */
    unsigned char *excluded;
    double yty; /* y_c^T S y_c */
    int n_threads;
    /* FR_CD_COLUMNS: a column's correlation is summed over row chunks (fr_chunk_count)
     * in chunk order, whatever the thread count; a sweep on threads keeps two slots of
     * chunk partials and one copy of w per thread. */
    int64_t chunks;
    int sweep_threads;  /* threads of a sweep (1: serial) */
    double *partials;   /* 2 chunks */
    double *thread_w;   /* sweep_threads d */
} cd_state;

/* The largest coefficient change and coefficient of a sweep, and whether all stayed finite. */
typedef struct {
    double w_max, d_w_max;
    int finite;
} cd_sweep;

/* One coordinate step (penalties.h): the new w_j from x_cj^T S r and the old w_j. */
static inline double cd_step(const fr_penalty *p, double norm2, double correlation, double w_j) {
    return fr_penalty_coordinate_minimiser(p, norm2, correlation + w_j * norm2);
}

static inline void cd_sweep_note(cd_sweep *sweep, double w_old, double w_new) {
    const double change = fabs(w_new - w_old);
    if (!(fabs(w_new) <= DBL_MAX)) sweep->finite = 0;
    if (change > sweep->d_w_max) sweep->d_w_max = change;
    if (fabs(w_new) > sweep->w_max) sweep->w_max = fabs(w_new);
}

/* Doubles of work space cd_columns_start needs beyond the residual: partials and w copies. */
int64_t cd_columns_work(int64_t n_rows, int64_t n_features, int n_threads, int *sweep_threads);

/* Norms, the residual at the start point, y_c^T S y_c, and the chunking. */
void cd_columns_start(cd_state *st);
/* x_cj^T S r, summed chunk by chunk. */
double cd_columns_correlation(const cd_state *st, int64_t j);
/* r[begin:end] -= delta x_cj[begin:end]. */
void cd_columns_move(cd_state *st, int64_t j, double delta, int64_t begin, int64_t end);
/* ||r||_S^2, r^T S y_c and xta = X_c^T S r (columns on threads). */
void cd_columns_terms(cd_state *st, double *r_norm2, double *r_y);
double cd_columns_residual_norm2(const cd_state *st);
/* One sweep over the active features with the rows split among sweep_threads threads:
 * the same steps, bitwise, as the serial sweep of solver_cd.c. */
cd_sweep cd_columns_parallel_sweep(cd_state *st, int64_t n_active, int random, uint32_t *state);

#endif /* FASTREG_SOLVER_CD_H */
