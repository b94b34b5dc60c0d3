/* fused.c: the fused loss + gradient pass, one read of X per call, for the squared,
 * logistic and multinomial losses.
 *
 * Rows are cut into chunks (see chunk_layout); each chunk is summed serially into its
 * own slot of the scratch buffer, threads take whole chunks, and the slots are added in
 * chunk order afterwards. The chunk count depends on n_samples only, so the result is
 * bitwise identical for every thread count. Small inputs form a single chunk and never
 * touch OpenMP, so a 150-row pass costs no thread start-up. */
#include <math.h>
#include <string.h>

#include "fastreg.h"
#include "fused_internal.h"
#include "stable_math.h"
#include "vector_math.h"

#ifdef _OPENMP
#include <omp.h>
#endif

int64_t fr_chunk_count(int64_t n_samples) {
    int64_t chunks = (n_samples + FR_CHUNK_MIN_ROWS - 1) / FR_CHUNK_MIN_ROWS;
    if (chunks < 1) chunks = 1;
    return chunks > FR_MAX_CHUNKS ? FR_MAX_CHUNKS : chunks;
}

int64_t fr_slot_size(int64_t n_features, int64_t n_outputs) {
    /* [loss, grad_intercept (K), grad_coef (K x d), block scores (K x FR_BLOCK)] */
    return 1 + n_outputs + n_outputs * n_features + n_outputs * FR_BLOCK;
}

int64_t fr_scratch_size(int64_t n_samples, int64_t n_features, int64_t n_outputs) {
    return fr_chunk_count(n_samples) * fr_slot_size(n_features, n_outputs);
}

#define REAL double
#define SUFFIX(name) name##_f64
#define PROBLEM fr_problem_f64
#include "fused_template.h"
#undef REAL
#undef SUFFIX
#undef PROBLEM

#define REAL float
#define SUFFIX(name) name##_f32
#define PROBLEM fr_problem_f32
#include "fused_template.h"
#undef REAL
#undef SUFFIX
#undef PROBLEM
