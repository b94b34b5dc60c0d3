/* platform.c: the thread-count choke point of every parallel loop, build and machine
 * facts for show_config, and the bench's read-bandwidth probe (compiled here so that it
 * streams memory exactly as the kernels do). */
#include <stddef.h>

#include "core.h"

#ifdef _OPENMP
#include <omp.h>
#endif

int fr_parallel_threads(int requested, int64_t chunks) {
#ifdef _OPENMP
    if (chunks <= 1 || requested <= 1) return 1;
    /* more threads than chunks would idle; a huge request must not reach OpenMP */
    return requested < chunks ? requested : (int)chunks;
#else
    (void)requested;
    (void)chunks;
    return 1;
#endif
}

int fr_openmp_enabled(void) {
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}

int fr_max_threads(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

const char *fr_simd_level(void) {
#if FR_DISPATCH_ENABLED
    /* the same test the target_clones resolver makes when the library loads */
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) return "AVX-512 (x86-64-v4, runtime dispatch)";
    if (__builtin_cpu_supports("x86-64-v3")) return "AVX2+FMA (x86-64-v3, runtime dispatch)";
    return "SSE2 (x86-64 baseline, runtime dispatch)";
#elif defined(__AVX512F__)
    return "AVX-512 (compile time)";
#elif defined(__AVX2__)
    return "AVX2 (compile time)";
#elif defined(__x86_64__) || defined(_M_X64)
    return "SSE2 (x86-64 baseline)";
#elif defined(__aarch64__) || defined(_M_ARM64)
    return "NEON (aarch64 baseline)";
#else
    return "scalar";
#endif
}

double fr_stream_read_f64(const double *data, int64_t n, int n_threads) {
    double total = 0.0;
#ifdef _OPENMP
    if (n_threads > omp_get_num_procs()) n_threads = omp_get_num_procs(); /* a probe, not a fork bomb */
#endif
    (void)n_threads;
#ifdef _OPENMP
#pragma omp parallel for simd schedule(static) num_threads(n_threads) reduction(+ : total)
#else
#pragma omp simd reduction(+ : total)
#endif
    for (int64_t i = 0; i < n; ++i) total += data[i];
    return total;
}
