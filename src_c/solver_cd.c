/* solver_cd.c: coordinate descent for the elastic net on least squares (fr_cd_solve in
 * fastreg.h): the algorithm of scikit-learn's enet_coordinate_descent and
 * enet_coordinate_descent_gram, written once over two ways to reach the data.
 *
 * a. Data access. A coordinate step needs c_j = x_cj^T S r, the correlation of centred
 *    column j with the residual r = y_c - X_c w, and after w_j moved by delta it updates
 *    what stands for r. On the Gram (FR_CD_GRAM) that is Qw: c_j = q_j - (Qw)_j and
 *    Qw += delta Q_j, d flops and no pass over X. On the columns (FR_CD_COLUMNS) it is r
 *    itself: c_j = sum_i s_i (x_ij - mu_j) r_i and r -= delta (x_j - mu_j), n flops. The
 *    gap test needs ||r||_S^2, r^T S y_c and X_c^T S r: O(d) from Qw, or one pass over
 *    the columns. Sweeps, selection, screening, the gap and the stopping rule are
 *    written once, above that access.
 * b. Stopping rule, scikit-learn's: after a sweep whose largest coefficient change is
 *    <= tol max_j |w_j| (or whose coefficients are all zero, or the last one), compute
 *    the duality gap and stop once it is <= tol y_c^T S y_c. The start point is tested
 *    before the first sweep (n_iter 0). The gap is formulation A when l1 > 0,
 *    formulation B (Duenner et al.) when l1 = 0 < l2, and ||X_c^T S r||^2 when both are 0.
 * c. Gap safe screening (Fercoq, Gramfort and Salmon 2015): at each gap test a feature
 *    whose dual constraint is provably inactive at the optimum is set to zero and not
 *    visited again in this solve. scikit-learn's rule and radius; it is skipped after the
 *    final failed test, so that the reported gap is the returned point's.
 * d. Random selection draws each coordinate uniformly from the active ones with
 *    xorshift32 (fr_cd_random, scikit-learn's generator), seeded by the caller.
 * e. The coordinate step is fr_penalty_coordinate_minimiser and the reported optimality
 *    fr_penalty_violation (penalties.h): the same penalty interface as every solver.
 * f. Everything is allocated once before the first sweep. On the Gram a sweep is serial
 *    (each step reads the last, and costs d flops); on the columns the rows of each step
 *    are split among threads (cd_columns.c), with sums in a fixed order, so results do
 *    not depend on n_threads.
 *
 * Its NumPy twin is fastreg/_reference_coordinate_descent.py. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solver_cd.h"

#include "objective.h" /* fr_monotonic_seconds */

uint32_t fr_cd_random(uint32_t *state) {
    uint32_t x = *state == 0 ? 1u : *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x % (2147483647u + 1u);
}

/* ---- data access (decision a) ---------------------------------------------------------- */

FR_TARGET_CLONES static void gram_axpy(const double *row, double delta, double *qw, int64_t d) {
    for (int64_t k = 0; k < d; ++k) qw[k] += delta * row[k];
}

/* x_cj^T S r (without the w_j x_cj part a step adds back). */
static double correlation(const cd_state *st, int64_t j) {
    if (st->data->access == FR_CD_GRAM) return st->data->xty[j] - st->kept[j];
    return cd_columns_correlation(st, j);
}

/* w_j moved by delta: the residual moves by -delta x_cj. */
static void move_coordinate(cd_state *st, int64_t j, double delta) {
    if (st->data->access == FR_CD_GRAM) gram_axpy(st->data->gram + j * st->d, delta, st->kept, st->d);
    else cd_columns_move(st, j, delta, 0, st->n);
}

/* Norms, the residual at the start point and y_c^T S y_c. */
static void start_access(cd_state *st) {
    const fr_cd_data *D = st->data;
    const int64_t d = st->d;
    if (D->access == FR_CD_COLUMNS) {
        cd_columns_start(st);
        return;
    }
    for (int64_t j = 0; j < d; ++j) {
        st->norm2[j] = D->gram[j * d + j];
        st->kept[j] = fr_dot(D->gram + j * d, st->w, d); /* Qw, Q symmetric */
    }
    st->yty = D->yty;
}

/* ||r||_S^2 and r^T S y_c, and xta = X_c^T S r. */
static void residual_terms(cd_state *st, double *r_norm2, double *r_y) {
    const fr_cd_data *D = st->data;
    const int64_t d = st->d;
    if (D->access == FR_CD_COLUMNS) {
        cd_columns_terms(st, r_norm2, r_y);
        return;
    }
    const double q_w = fr_dot(st->w, D->xty, d);
    const double w_q_w = fr_dot(st->w, st->kept, d);
    *r_norm2 = st->yty + w_q_w - 2.0 * q_w;
    *r_y = st->yty - q_w;
    for (int64_t j = 0; j < d; ++j) st->xta[j] = D->xty[j] - st->kept[j];
}

/* ---- the gap, the objective and the screening (decisions b, c) ----------------------- */

static double sum_abs(const double *w, int64_t d) {
    double s = 0.0;
    for (int64_t j = 0; j < d; ++j) s += fabs(w[j]);
    return s;
}

/* The duality gap of P at w from the residual terms (scikit-learn's formulas and order
 * of operations). When l1 > 0 it turns xta into X_c^T S r - l2 w and sets *dual_norm to
 * its largest entry (positive) or largest magnitude, which the screening reads. */
static double duality_gap(cd_state *st, double r_norm2, double r_y, double *dual_norm) {
    const fr_penalty *p = &st->penalty;
    const int64_t d = st->d;
    double *xta = st->xta;
    const double w_l2 = p->l2 > 0.0 ? fr_dot(st->w, st->w, d) : 0.0;
    if (p->l1 == 0.0) {
        const double g2 = fr_dot(xta, xta, d);
        *dual_norm = g2;
        if (p->l2 == 0.0) return g2; /* least squares: the squared gradient norm */
        double gap = r_norm2 + 0.5 * p->l2 * w_l2 - r_y;
        gap += 1.0 / (2.0 * p->l2) * g2;
        return gap;
    }
    for (int64_t j = 0; j < d; ++j) xta[j] -= p->l2 * st->w[j];
    double norm = d == 0 ? 0.0 : (p->positive ? xta[0] : fabs(xta[0]));
    for (int64_t j = 1; j < d; ++j) {
        const double v = p->positive ? xta[j] : fabs(xta[j]);
        if (v > norm) norm = v;
    }
    *dual_norm = norm;
    const double primal = 0.5 * (r_norm2 + p->l2 * w_l2) + p->l1 * sum_abs(st->w, d);
    const double scale = norm > p->l1 ? p->l1 / norm : 1.0;
    const double dual = -0.5 * (scale * scale) * (r_norm2 + p->l2 * w_l2) + scale * r_y;
    return primal - dual;
}

static double objective_value(const cd_state *st, double r_norm2) {
    const fr_penalty *p = &st->penalty;
    return 0.5 * r_norm2 + p->l1 * sum_abs(st->w, st->d) +
           fr_penalty_smooth_value(p, st->w, st->d);
}

/* ||r||_S^2 alone, for the objective after a sweep: O(d) on the Gram, O(n) on columns. */
static double residual_norm2(const cd_state *st) {
    const fr_cd_data *D = st->data;
    if (D->access == FR_CD_COLUMNS) return cd_columns_residual_norm2(st);
    return st->yty + fr_dot(st->w, st->kept, st->d) - 2.0 * fr_dot(st->w, D->xty, st->d);
}

/* Gap safe screening (decision c); returns the number of active features. On the first
 * call every feature is considered and zero columns are dropped. */
static int64_t screen(cd_state *st, double gap, double dual_norm, int first) {
    const fr_penalty *p = &st->penalty;
    const double radius = sqrt(2.0 * fabs(gap)) / p->l1; /* rounding may make gap < 0 */
    const double bound = fmax(p->l1, dual_norm);
    int64_t n_active = 0;
    for (int64_t j = 0; j < st->d; ++j) {
        if (!first && st->excluded[j]) continue;
        if (first && st->norm2[j] == 0.0) {
            st->w[j] = 0.0;
            st->excluded[j] = 1;
            continue;
        }
        const double theta_j = st->xta[j] / bound; /* x_cj^T S (the dual point) */
        const double distance = (1.0 - fabs(theta_j)) / sqrt(st->norm2[j] + p->l2);
        if (distance <= radius) {
            st->active[n_active++] = j;
            st->excluded[j] = 0;
        } else {
            if (st->w[j] != 0.0) {
                move_coordinate(st, j, -st->w[j]);
                st->w[j] = 0.0;
            }
            st->excluded[j] = 1;
        }
    }
    return n_active;
}

/* ---- the solver ---------------------------------------------------------------------- */

/* One pass over the active features (decision d for the order). */
static cd_sweep serial_sweep(cd_state *st, int64_t n_active, int random, uint32_t *state) {
    cd_sweep sweep = {0.0, 0.0, 1};
    for (int64_t f = 0; f < n_active; ++f) {
        const int64_t j =
            st->active[random ? (int64_t)(fr_cd_random(state) % (uint64_t)n_active) : f];
        if (st->norm2[j] == 0.0) continue;
        const double w_j = st->w[j];
        const double w_new = cd_step(&st->penalty, st->norm2[j], correlation(st, j), w_j);
        st->w[j] = w_new;
        if (w_new != w_j) move_coordinate(st, j, w_new - w_j);
        cd_sweep_note(&sweep, w_j, w_new);
    }
    return sweep;
}

static int data_valid(const fr_cd_data *D) {
    if (D == NULL || D->n_features < 0) return 0;
    const int64_t d = D->n_features;
    if (D->access == FR_CD_GRAM) {
        if (d > 0 && (D->gram == NULL || D->xty == NULL || d > INT64_MAX / d)) return 0;
        return isfinite(D->yty);
    }
    if (D->access != FR_CD_COLUMNS) return 0;
    if (D->dtype != FR_FLOAT64 && D->dtype != FR_FLOAT32) return 0;
    if (D->n_rows < 1 || D->y == NULL || !isfinite(D->y_mean)) return 0;
    return d == 0 || (D->columns != NULL && d <= INT64_MAX / D->n_rows);
}

static int options_valid(const fr_cd_options *o) {
    if (o == NULL) return 0;
    const fr_penalty *p = &o->penalty;
    if (!(p->l1 >= 0.0 && isfinite(p->l1) && p->l2 >= 0.0 && isfinite(p->l2))) return 0;
    if (p->positive != 0 && p->positive != 1) return 0;
    if (o->max_iter < 1 || !(o->tol >= 0.0) || !isfinite(o->tol) || o->n_threads < 1) return 0;
    if (o->selection != FR_CD_CYCLIC && o->selection != FR_CD_RANDOM) return 0;
    return o->screening == 0 || o->screening == 1;
}

static int finish(fr_cd_result *result, int64_t n_iter, int status) {
    result->n_iter = n_iter;
    result->status = status;
    return status;
}

/* The result's objective and optimality at the returned point (terms_current: xta and
 * the residual sums are those of this point). */
static void describe_point(cd_state *st, int terms_current, double r_norm2, double r_y,
                           fr_cd_result *result) {
    if (!terms_current) {
        double dual_norm;
        residual_terms(st, &r_norm2, &r_y);
        result->gap = duality_gap(st, r_norm2, r_y, &dual_norm);
    }
    const fr_penalty *p = &st->penalty;
    double worst = 0.0;
    for (int64_t j = 0; j < st->d; ++j) {
        /* gradient of the smooth part: -(X_c^T S r)_j + l2 w_j; xta already holds the
         * l2 term when l1 > 0 */
        const double g = p->l1 > 0.0 ? -st->xta[j] : -st->xta[j] + p->l2 * st->w[j];
        const double v = fr_penalty_violation(p, st->w[j], g);
        if (!(v <= worst)) worst = v; /* NaN wins */
    }
    result->optimality = worst;
    result->objective = objective_value(st, r_norm2);
}

int fr_cd_solve(const fr_cd_data *data, const fr_cd_options *opt, double *coef, double *curve,
                fr_cd_result *result) {
    if (result == NULL) return FR_BAD_INPUT;
    result->gap = NAN;
    result->tol_scaled = NAN;
    result->objective = NAN;
    result->optimality = NAN;
    if (!data_valid(data) || !options_valid(opt) || curve == NULL ||
        (coef == NULL && data->n_features > 0))
        return finish(result, 0, FR_BAD_INPUT);
    const int64_t d = data->n_features;
    const int columns = data->access == FR_CD_COLUMNS;
    const int64_t n = columns ? data->n_rows : 0;
    const int64_t kept = columns ? n : d;
    int sweep_threads = 1;
    const int64_t column_work = columns ? cd_columns_work(n, d, opt->n_threads, &sweep_threads) : 0;
    /* norm2, xta, kept and the column work in doubles, then the active list, then the
     * exclusion flags */
    if ((uint64_t)d > SIZE_MAX / 32 || (uint64_t)kept > SIZE_MAX / 32 ||
        (uint64_t)column_work > SIZE_MAX / 32)
        return finish(result, 0, FR_NO_MEMORY);
    const size_t doubles = 2 * (size_t)d + (size_t)kept + (size_t)column_work;
    char *block = malloc(doubles * sizeof(double) + (size_t)d * sizeof(int64_t) + (size_t)d + 1);
    if (block == NULL) return finish(result, 0, FR_NO_MEMORY);

    cd_state st;
    st.data = data;
    st.penalty = opt->penalty;
    st.d = d;
    st.n = n;
    st.w = coef;
    st.norm2 = (double *)block;
    st.xta = st.norm2 + d;
    st.kept = st.xta + d;
    st.partials = st.kept + kept;
    st.thread_w = st.partials + (columns ? 2 * fr_chunk_count(n) : 0);
    st.active = (int64_t *)(void *)(st.kept + kept + column_work);
    st.excluded = (unsigned char *)(st.active + d);
    st.n_threads = opt->n_threads;
    st.chunks = 1;
    st.sweep_threads = sweep_threads;
    const fr_penalty *p = &st.penalty;
    if (p->positive) /* start feasible: the steps never leave w >= 0 */
        for (int64_t j = 0; j < d; ++j) coef[j] = coef[j] > 0.0 ? coef[j] : 0.0;
    start_access(&st);
    const double tol = opt->tol * st.yty;
    result->tol_scaled = tol;
    const int screening = opt->screening && p->l1 > 0.0;
    const int random = opt->selection == FR_CD_RANDOM;
    uint32_t state = opt->seed;

    double r_norm2, r_y, dual_norm;
    residual_terms(&st, &r_norm2, &r_y);
    double gap = duality_gap(&st, r_norm2, r_y, &dual_norm);
    result->gap = gap;
    /* On the Gram only a gap >= 0 passes here: a singular Gram can round it below zero
     * (scikit-learn's two solvers differ in this one test). */
    if ((data->access != FR_CD_GRAM || 0.0 <= gap) && gap <= tol) {
        describe_point(&st, 1, r_norm2, r_y, result);
        free(block);
        return finish(result, 0, FR_CONVERGED);
    }
    int64_t n_active = d;
    if (screening) n_active = screen(&st, gap, dual_norm, 1);
    else
        for (int64_t j = 0; j < d; ++j) st.active[j] = j;

    double last_call = opt->progress ? fr_monotonic_seconds() : 0.0;
    const int64_t stride = (double)kept * (double)d > 20000.0 ? 1 : 64;
    int64_t countdown = stride;
    int status = FR_MAX_ITER, terms_current = 0;
    int64_t sweeps = 0;
    /* A sweep on threads gives bitwise the serial sweep's result (cd_columns.c), but its
     * barrier per coordinate can cost more than it saves on a busy machine, where a
     * waiting thread may be descheduled: the first sweep is serial, the second on
     * threads, then the last time of each way decides, and the slower one is tried
     * again every 32 sweeps. */
    const int can_split = columns && st.sweep_threads > 1;
    double sweep_seconds[2] = {-1.0, -1.0}; /* serial, on threads */
    for (int64_t it = 0; it < opt->max_iter; ++it) {
        int split = 0;
        double started = 0.0;
        if (can_split) {
            if (sweep_seconds[0] < 0.0) split = 0;
            else if (sweep_seconds[1] < 0.0) split = 1;
            else split = (sweep_seconds[1] < sweep_seconds[0]) != (it % 32 == 0);
            started = fr_monotonic_seconds();
        }
        const cd_sweep sweep = split ? cd_columns_parallel_sweep(&st, n_active, random, &state)
                                     : serial_sweep(&st, n_active, random, &state);
        if (can_split) sweep_seconds[split] = fr_monotonic_seconds() - started;
        const double w_max = sweep.w_max, d_w_max = sweep.d_w_max;
        const int finite = sweep.finite;
        sweeps = it + 1;
        terms_current = 0;
        const double value = objective_value(&st, residual_norm2(&st));
        curve[it] = value;
        if (!finite || !isfinite(value)) {
            status = FR_DIVERGED;
            break;
        }
        const int last = it == opt->max_iter - 1;
        if (w_max == 0.0 || d_w_max / w_max <= opt->tol || last) {
            residual_terms(&st, &r_norm2, &r_y);
            gap = duality_gap(&st, r_norm2, r_y, &dual_norm);
            result->gap = gap;
            terms_current = 1;
            if (gap <= tol) {
                status = FR_CONVERGED;
                break;
            }
            if (screening && !last) {
                n_active = screen(&st, gap, dual_norm, 0);
                terms_current = 0;
            }
        }
        if (opt->progress && --countdown <= 0) {
            countdown = stride;
            const double now = fr_monotonic_seconds();
            if (now - last_call >= opt->progress_interval) {
                last_call = now;
                if (opt->progress(opt->progress_ctx, sweeps, value)) {
                    status = FR_INTERRUPTED;
                    break;
                }
            }
        }
    }
    if (status != FR_DIVERGED) describe_point(&st, terms_current, r_norm2, r_y, result);
    free(block);
    return finish(result, sweeps, status);
}
