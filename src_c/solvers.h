/* solvers.h: the solvers of solve.c's table. Each runs from the start point x (n_params
 * doubles, in the objective's coordinates) with its work space, writes the objective after
 * each iteration into curve, and reports where it stopped in *out; out->point may be x or
 * a work vector. */
#ifndef FASTREG_SOLVERS_H
#define FASTREG_SOLVERS_H

#include "objective.h"

typedef int (*fr_solver_run)(fr_objective *o, const fr_solver_options *opt, double *x,
                             double *work, double *curve, fr_outcome *out);

/* L-BFGS's number of stored curvature pairs. */
enum { FR_LBFGS_MEMORY = 10 };

int fr_run_gd(fr_objective *o, const fr_solver_options *opt, double *x, double *work,
              double *curve, fr_outcome *out);
int fr_run_fista(fr_objective *o, const fr_solver_options *opt, double *x, double *work,
                 double *curve, fr_outcome *out);
int fr_run_lbfgs(fr_objective *o, const fr_solver_options *opt, double *x, double *work,
                 double *curve, fr_outcome *out);

/* Shared by GD (automatic step) and FISTA: backtracking on L for one proximal step. */
enum { FR_STEP_ACCEPTED, FR_STEP_STALLED, FR_STEP_FAILED };
int fr_backtracking_prox_step(fr_objective *o, const double *y, double f_y, const double *g,
                              double intercept_weight, double growth, double *L,
                              double *trial, double *f_trial, int *decisive);

#endif /* FASTREG_SOLVERS_H */
