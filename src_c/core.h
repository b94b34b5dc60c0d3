/* core.h: what the kernel files share beyond fastreg.h: row chunks, the thread-count
 * choke point, compiler hints, and the one way a body is written for both dtypes.
 *
 * Architecture. The core is four independent axes, each defined in one place:
 *
 *   data access   data_dense.h (dense rows) and data_csr.h (CSR rows): scores of a block
 *                 of rows and the gradient update from it, templated on the dtype (and, for
 *                 CSR, the index width). The fused pass (pass_fused_template.h), the column
 *                 means (pass_moments_template.h) and the scores pass are written once over
 *                 that interface; fr_matrix_chunk_count/fr_matrix_chunk_start cut any
 *                 layout into chunks.
 *   losses        losses.h: the loss table (name, outputs, curvature, target kind, the
 *                 bound on |dl/dz| used in rounding estimates) and each loss's per-block
 *                 value and derivative; losses.c only turns the table into data.
 *   penalties     penalties.h: value, smooth gradient, proximal step, optimality
 *                 measure and coordinate-wise minimiser of fr_penalty.
 *   solvers       solver_*.c over the objective (objective.h: G, its gradient, the
 *                 optimality measure, rounding estimates, implicit centring), listed in
 *                 the solver table of solve.c (name, work space, whether it accepts a
 *                 non-smooth penalty, entry function).
 *                 Beside that table, the least-squares solvers that work on the
 *                 sufficient statistics instead of passes over X: solver_cd.c
 *                 (fr_cd_solve, coordinate descent on the Gram matrix Q = X_c^T S X_c,
 *                 q, y_c^T S y_c, or on the columns of X when the Gram matrix is not
 *                 wanted). They take their own data struct rather than an fr_problem
 *                 (the statistics are computed once per fit, or per path, by the
 *                 statistics pass; no loss, no row blocks), stop on their own measure
 *                 (the duality gap), and share with the table's solvers only the penalty
 *                 interface and the progress callback. The table holds solvers that are
 *                 interchangeable on any loss; these are for the squared loss alone.
 *
 * What adding one of each touches:
 *   a loss        fastreg.h (its code), losses.h (table row, block function, one case in
 *                 its kind's dispatcher and list), fastreg/_reference_passes.py (its
 *                 twin); an estimator then names it. The bridge and the solvers read
 *                 the table.
 *   a penalty     penalties.h (its terms in the functions there), a field of fr_penalty
 *                 in fastreg.h, fastreg/_reference_objective.py (its twin) and
 *                 fastreg/_problem.py (the Penalty object); the bridge copies the field.
 *   a data kind   fastreg.h (layout code and fields), data_<kind>.h (the three block
 *                 functions), pass_fused.c and pass_moments.c (one template inclusion
 *                 each), the bridge's matrix fill. Losses and solvers are untouched.
 *                 Rows held outside the process (FR_CALLER, data_caller.h: a cluster's
 *                 blocks) have no block functions: the caller supplies whole passes, and
 *                 fr_loss_gradient, fr_column_means, fr_problem_valid and fr_solve's
 *                 weight sum forward to them in one line each.
 *   a solver      solver_<name>.c, one row of the table in solve.c, its code in
 *                 fastreg.h, its twin in fastreg/_reference_solvers.py.
 *   a statistics  solver_<name>.c with its entry point and data struct in fastreg.h,
 *   solver        a bridge function in fastreg/_kernels.pyx and its twin; the
 *                 statistics (fastreg/_statistics.py) are its input.
 *
 * Dtypes: a body written for both float32 and float64 lives in a *_template.h file that
 * the .c file includes once per dtype with REAL (the element type) and SUFFIX(name)
 * (appending _f64 or _f32) defined, as pass_fused.c shows. It is the only templating
 * scheme in the core.
 */
#ifndef FASTREG_CORE_H
#define FASTREG_CORE_H

#include <stdint.h>

#include "fastreg.h"

/* Rows per chunk at least, and chunks at most: 2048 rows keep a 150-row or 2000-row
 * problem on the serial path, and 64 chunks give two threads 32 equal shares while the
 * scratch stays small (64 x (K d + K + 1) doubles). */
#define FR_CHUNK_MIN_ROWS 2048
#define FR_MAX_CHUNKS 64

/* Rows per block inside a chunk (see pass_fused_template.h). */
#define FR_BLOCK 8
/* Rows shorter than this take a plain scalar dot product instead of a SIMD reduction. */
#define FR_SHORT_ROW 16

/* Chunks of a pass over n_rows rows (decision e of fastreg.h); chunk c holds rows
 * [n c / chunks, n (c + 1) / chunks). */
int64_t fr_chunk_count(int64_t n_rows);

/* The chunks of a pass over X, for any layout: their count (a function of the data's
 * shape alone, never of the thread count) and the first row of chunk c (0 for c = 0,
 * n_rows for c = chunks, non-decreasing). Dense X: fr_chunk_count and n c / chunks.
 * CSR X: see data_csr.h (fewer chunks when the per-chunk gradient, n_cols doubles per
 * output, would cost more than the chunk's entries; boundaries balance entries + rows). */
int64_t fr_matrix_chunk_count(const fr_matrix *X);
int64_t fr_matrix_chunk_start(const fr_matrix *X, int64_t chunk, int64_t chunks);

/* Threads a parallel loop over `chunks` chunks may use when `requested` were asked
 * for: never more than the chunks (more would idle) nor the CPUs, and 1 whenever the
 * loop should stay serial. Every `omp parallel` in the kernels asks this first. */
int fr_parallel_threads(int requested, int64_t chunks);

/* Bytes of one element of the data dtype. */
static inline int64_t fr_dtype_size(int dtype) { return dtype == FR_FLOAT32 ? 4 : 8; }

#if defined(__GNUC__)
#define FR_ALWAYS_INLINE __attribute__((always_inline))
#define FR_PREFETCH(address) __builtin_prefetch((address), 0, 1) /* read, into L2 */
#else
#define FR_ALWAYS_INLINE
#define FR_PREFETCH(address) ((void)(address))
#endif
/* How far ahead of the row being read the fused pass prefetches (bytes): about 8 rows
 * of 100 doubles. Of 3, 6, 12 and 24 KB on an AVX-512 development machine, 6 and 12 KB
 * were best and alike (3 KB lost ~20 %, 24 KB ~10 % with two threads). */
#ifndef FR_PREFETCH_DISTANCE
#define FR_PREFETCH_DISTANCE 6144
#endif

/* Runtime ISA dispatch: the compiler emits the marked function once per instruction set
 * and picks the widest the CPU has when the library loads (an ifunc), so a wheel built
 * for baseline x86-64 still runs AVX2+FMA or AVX-512 code where the CPU has it. Needs
 * GCC and glibc's ifunc; elsewhere the baseline build is used. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(FASTREG_NO_DISPATCH)
#define FR_DISPATCH_ENABLED 1
#define FR_TARGET_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FR_DISPATCH_ENABLED 0
#define FR_TARGET_CLONES
#endif

#endif /* FASTREG_CORE_H */
