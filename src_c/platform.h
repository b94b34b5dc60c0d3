/* platform.h: what a kernel asks the platform before it starts threads (platform.c). */
#ifndef FASTREG_PLATFORM_H
#define FASTREG_PLATFORM_H

#include <stdint.h>

/* Threads a kernel may start for work_items independent pieces of work (its row chunks)
 * when the caller asked for requested: at least 1, at most work_items, and 1 in a process
 * forked after the kernels had started threads (GNU OpenMP's pool does not survive
 * fork()). Every parallel entry point calls it first and enters an `omp parallel` with
 * more than one thread only when it returns more than 1. Thread-safe. */
int fr_usable_threads(int requested, int64_t work_items);

/* 1 in a process forked (directly or through forked ancestors) after the kernels had
 * started threads, where they run serially; 0 otherwise. */
int fr_serial_after_fork(void);

#endif /* FASTREG_PLATFORM_H */
