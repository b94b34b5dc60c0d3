/* solve.c: fr_solve, the entry point of every iterative solver: checks the problem and
 * options, allocates all scratch once (no allocation inside the iteration loops), sets
 * up the objective (implicit centring, progress clock), runs the solver chosen from the
 * solver table, and writes the solution back in raw coordinates.
 *
 * The solver table: a solver is a row here (name, work space, whether it accepts a
 * non-smooth penalty, entry function) plus its own solver_<name>.c. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data_caller.h"
#include "solvers.h"

typedef struct {
    const char *name;
    int handles_nonsmooth; /* accepts an L1 term and the positivity constraint */
    int centres;           /* optimises in centred coordinates when fitting an intercept */
    size_t work_vectors;   /* n_params-long work vectors */
    size_t work_doubles;   /* further doubles */
    fr_solver_run run;
} solver_entry;

/* GD stays the textbook iteration of fastreg.h in the raw coordinates (its NumPy twin
 * matches it pass for pass); FISTA and L-BFGS centre (objective.h, decision e). */
static const solver_entry solver_table[FR_SOLVER_COUNT] = {
    [FR_SOLVER_GD] = {"gd", 1, 0, 4, 0, fr_run_gd},
    [FR_SOLVER_FISTA] = {"fista", 1, 1, 4, 0, fr_run_fista},
    [FR_SOLVER_LBFGS] = {"lbfgs", 0, 1, 6 + 2 * FR_LBFGS_MEMORY, 2 * FR_LBFGS_MEMORY,
                         fr_run_lbfgs},
};

static const solver_entry *solver_lookup(int solver) {
    if (solver < 0 || solver >= FR_SOLVER_COUNT || solver_table[solver].run == NULL) return NULL;
    return &solver_table[solver];
}

const char *fr_solver_name(int solver) {
    const solver_entry *entry = solver_lookup(solver);
    return entry ? entry->name : NULL;
}

const char *fr_penalty_name(int kind) { return fr_penalty_kind_name(kind); }

int fr_solver_handles_nonsmooth(int solver) {
    const solver_entry *entry = solver_lookup(solver);
    return entry ? entry->handles_nonsmooth : 0;
}

int fr_problem_valid(const fr_problem *p) {
    if (p == NULL) return 0;
    if (fr_is_caller_data(p)) return fr_caller_problem_valid(p);
    const fr_loss_entry *loss = fr_loss_lookup(p->loss);
    const int64_t n = p->X.n_rows, d = p->X.n_cols, K = p->n_outputs;
    if (loss == NULL || p->y == NULL || !isfinite(p->loss_param)) return 0;
    if (fr_matrix_check(&p->X) != FR_MATRIX_OK) return 0; /* fields; CSR: the structure */
    if (n < 0 || d < 0 || K < 1) return 0; /* no rows: a pass sums nothing, a solve fails */
    if (K > INT64_MAX / (d + FR_BLOCK + 1)) return 0;
    return loss->info.per_class ? 1 : K == 1;
}

static int options_valid(const fr_solver_options *opt) {
    if (opt == NULL) return 0;
    const solver_entry *solver = solver_lookup(opt->solver);
    const fr_penalty *pen = &opt->penalty;
    if (solver == NULL || !fr_penalty_valid(pen)) return 0;
    if (opt->fit_intercept != 0 && opt->fit_intercept != 1) return 0;
    if (!isfinite(opt->learning_rate) || opt->max_iter < 1 || !(opt->tol >= 0.0)) return 0;
    if (opt->n_threads < 1) return 0;
    return solver->handles_nonsmooth || fr_penalty_is_smooth(pen);
}

static double sum_of_weights(const fr_problem *p) {
    if (fr_is_caller_data(p)) return fr_caller_column_means(p, NULL);
    const int64_t n = p->X.n_rows;
    if (p->sample_weight == NULL) return (double)n;
    double S = 0.0;
    if (p->X.dtype == FR_FLOAT32) {
        const float *s = p->sample_weight;
        for (int64_t i = 0; i < n; ++i) S += s[i];
    } else {
        const double *s = p->sample_weight;
        for (int64_t i = 0; i < n; ++i) S += s[i];
    }
    return S;
}

static int fail(fr_solver_result *result, int status) {
    result->n_iter = 0;
    result->status = status;
    result->objective = NAN;
    result->optimality = NAN;
    result->n_evaluations = 0;
    return status;
}

int fr_solve(const fr_problem *problem, const fr_solver_options *opt, double *coef,
             double *intercept, double *curve, fr_solver_result *result) {
    if (result == NULL) return FR_BAD_INPUT;
    if (!fr_problem_valid(problem) || !options_valid(opt) || intercept == NULL ||
        curve == NULL || (coef == NULL && problem->X.n_cols > 0))
        return fail(result, FR_BAD_INPUT);
    const double S = sum_of_weights(problem);
    if (!(S > 0.0 && isfinite(S))) return fail(result, FR_BAD_INPUT);

    const solver_entry *solver = solver_lookup(opt->solver);
    fr_objective o;
    memset(&o, 0, sizeof o);
    o.problem = problem;
    o.loss = fr_loss_lookup(problem->loss);
    o.penalty = opt->penalty;
    o.n_features = problem->X.n_cols;
    o.n_coef = problem->n_outputs * problem->X.n_cols;
    o.n_params = o.n_coef + problem->n_outputs;
    o.fit_intercept = opt->fit_intercept;
    o.sum_weights = S;
    o.n_threads = opt->n_threads;
    o.data_eps = problem->X.dtype == FR_FLOAT32 ? FLT_EPSILON : DBL_EPSILON;

    const int64_t n = o.n_params, nc = o.n_coef, n_outputs = problem->n_outputs;
    const int centring = solver->centres && opt->fit_intercept && o.n_features > 0;
    const size_t vectors = 1 + solver->work_vectors; /* the point, then the work space */
    /* centring: mu (d doubles) and the raw point (n doubles), after the pass scratch */
    const size_t centring_doubles = centring ? (size_t)o.n_features + (size_t)n : 0;
    const int64_t pass_doubles = fr_scratch_size(problem);
    const size_t max_doubles = SIZE_MAX / sizeof(double) - centring_doubles;
    double *block = NULL;
    if ((uint64_t)n <= (max_doubles - solver->work_doubles) / (vectors + 1) &&
        (uint64_t)pass_doubles <= max_doubles - solver->work_doubles - vectors * (size_t)n)
        block = malloc(((size_t)n * vectors + solver->work_doubles + (size_t)pass_doubles +
                        centring_doubles) *
                       sizeof(double));
    if (block == NULL) return fail(result, FR_NO_MEMORY);
    double *x = block, *work = block + n;
    o.pass_scratch = block + (size_t)n * vectors + solver->work_doubles;
    if (nc > 0) memcpy(x, coef, (size_t)nc * sizeof(double));
    memcpy(x + nc, intercept, (size_t)n_outputs * sizeof(double));
    fr_penalty_project(&o.penalty, x, nc); /* start feasible: the solvers never leave it */
    if (centring) { /* one pass for mu, then start from c = b + W mu */
        double *mu = o.pass_scratch + pass_doubles;
        fr_column_means(problem, mu, o.pass_scratch, o.n_threads);
        o.mu = mu;
        o.raw_point = mu + o.n_features;
        fr_raw_to_centred(&o, x);
    }

    fr_progress_clock pc;
    pc.callback = opt->progress;
    pc.ctx = opt->progress_ctx;
    pc.interval = opt->progress_interval;
    pc.last_call = opt->progress ? fr_monotonic_seconds() : 0.0;
    /* n d K > 20000: a pass takes microseconds, so a clock read per pass is noise */
    const double pass_size =
        (double)problem->X.n_rows * (double)o.n_features * (double)n_outputs;
    pc.stride = pass_size > 20000.0 ? 1 : 64;
    pc.countdown = pc.stride;
    o.clock = &pc;
    o.on_iteration = opt->on_iteration;
    o.on_iteration_ctx = opt->on_iteration_ctx;
    o.reported = NAN; /* no iteration completed yet */

    fr_outcome out;
    solver->run(&o, opt, x, work, curve, &out);

    /* Back to b = c - W mu, by the function the last evaluation used: the returned
     * coefficients are exactly the point whose objective and optimality are reported. */
    if (centring) fr_centred_to_raw(&o, out.point, o.raw_point);
    const double *point = centring ? o.raw_point : out.point;
    if (nc > 0) memcpy(coef, point, (size_t)nc * sizeof(double));
    memcpy(intercept, point + nc, (size_t)n_outputs * sizeof(double));
    result->n_iter = out.n_iter;
    result->status = out.status;
    result->objective = out.objective;
    result->optimality = out.optimality;
    result->n_evaluations = o.n_evaluations;
    free(block);
    return out.status;
}
