/* fused_internal.h: what the solvers share with the fused pass beyond fastreg.h. */
#ifndef FASTREG_FUSED_INTERNAL_H
#define FASTREG_FUSED_INTERNAL_H

#include <stdint.h>

/* Rows per chunk at least, and chunks at most: 2048 rows keep a 150-row or 2000-row
 * problem on the serial path, and 64 chunks give two threads 32 equal shares while the
 * scratch stays small (64 x (K d + K + 1) doubles). */
#define FR_CHUNK_MIN_ROWS 2048
#define FR_MAX_CHUNKS 64

int64_t fr_chunk_count(int64_t n_samples);

#endif /* FASTREG_FUSED_INTERNAL_H */
