/* fused_internal.h: what the solvers share with the fused pass beyond fastreg.h. */
#ifndef FASTREG_FUSED_INTERNAL_H
#define FASTREG_FUSED_INTERNAL_H

#include <stdint.h>

#include "platform.h" /* fr_usable_threads: asked before every omp parallel */

/* Rows per chunk at least, and chunks at most: 2048 rows keep a 150-row or 2000-row
 * problem on the serial path, and 64 chunks give two threads 32 equal shares while the
 * scratch stays small (64 x (K d + K + 1) doubles). */
#define FR_CHUNK_MIN_ROWS 2048
#define FR_MAX_CHUNKS 64

/* Rows per block inside a chunk (see fused_template.h). */
#define FR_BLOCK 8
/* Rows shorter than this take a plain scalar dot product instead of a SIMD reduction. */
#define FR_SHORT_ROW 16

int64_t fr_chunk_count(int64_t n_samples);
int64_t fr_slot_size(int64_t n_features, int64_t n_outputs); /* doubles per chunk */

#if defined(__GNUC__)
#define FR_ALWAYS_INLINE __attribute__((always_inline))
#define FR_PREFETCH(address) __builtin_prefetch((address), 0, 1) /* read, into L2 */
#else
#define FR_ALWAYS_INLINE
#define FR_PREFETCH(address) ((void)(address))
#endif
/* How far ahead of the row being read the fused pass prefetches (bytes): about 8 rows
 * of 100 doubles. Of 3, 6, 12 and 24 KB on the development machine, 6 and 12 KB were
 * best and alike (3 KB lost ~20 %, 24 KB ~10 % with two threads). */
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

/* Sample-weighted column means mu[j] = sum_i s_i X[i, j] / sum_i s_i (moments.c), one read
 * of X, bitwise identical for any n_threads (the fused pass's chunks, summed in chunk
 * order). scratch holds fr_chunk_count(n_samples) * (n_features + 1) doubles, which
 * fr_scratch_size always covers. Returns sum_i s_i; when that is not positive and finite
 * the means are set to 0. */
#include "fastreg.h"
double fr_weighted_column_means_f64(const fr_problem_f64 *problem, double *out_mu,
                                    double *scratch, int n_threads);
double fr_weighted_column_means_f32(const fr_problem_f32 *problem, double *out_mu,
                                    double *scratch, int n_threads);

#endif /* FASTREG_FUSED_INTERNAL_H */
