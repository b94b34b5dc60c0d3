/* platform.c: the thread-count choke point every parallel kernel asks first
 * (fr_parallel_threads, with the fork-safety rule), build and machine facts for
 * show_config, and the bench's read-bandwidth probe (compiled here so that it streams
 * memory exactly as the kernels do). */
#include <stddef.h>

#include "core.h"

#ifdef _OPENMP
#include <omp.h>
#endif

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

/* Fork safety. GNU OpenMP keeps a pool of worker threads per thread that started a
 * parallel region and registers no fork handler: a child forked after that has the pool's
 * bookkeeping but not its threads, so its first parallel region with more than one thread
 * waits forever for them (a multiprocessing "fork" pool, gunicorn's preload, celery's
 * prefork). LLVM's libomp registers fork handlers of its own, but the wheels bundle
 * libgomp (and mixing two runtimes in one process is its own hazard).
 *
 * Decisions:
 *   a. A child forked after the kernels started threads runs them serially. The answer
 *      does not change: chunks depend on n_samples only and are reduced in chunk order
 *      (fastreg.h, decision e), so one thread gives the same bits as two.
 *   b. Serial rather than a fresh pool: libgomp's omp_pause_resource_all() in a prepare
 *      handler would let the child start threads, but it calls into the runtime on every
 *      fork of the process and still cannot help when another thread holds the runtime's
 *      state at that moment. Measured on 2 cores (1M x 50 logistic): a lone child is 31 %
 *      slower serial than with 2 threads, but a Pool(2) of serial children finishes 8
 *      fits 13 % sooner than one whose children each start 2 threads (oversubscribed),
 *      and process pools usually have as many workers as cores.
 *   c. The handler is registered the first time a kernel is about to start threads, not
 *      at load: a process that never started them forks children that may (their
 *      forking thread has no pool; the wheels' libgomp is a private copy that no other
 *      library starts). The flag is only ever written in a child, before any other
 *      thread of it exists, so reading it needs no atomics. Children of a serial child
 *      inherit the flag (and the handler).
 *   d. A one-thread `omp parallel` is safe in such a child (libgomp returns before it
 *      touches the pool; the bandwidth probe enters one), but the passes take their
 *      serial branch and never enter the runtime there.
 *   e. If the handler cannot be registered, every process runs the kernels serially:
 *      slower, never a hang. */
#if defined(_OPENMP) && (defined(__unix__) || defined(__APPLE__))
#include <pthread.h>
#define FR_FORK_GUARD 1
static int serial_after_fork;   /* written only by the child handler */
static int fork_handler_failed; /* written once, under fork_handler_once */
static pthread_once_t fork_handler_once = PTHREAD_ONCE_INIT;

static void mark_serial_after_fork(void) { serial_after_fork = 1; }

static void register_fork_handler(void) {
    fork_handler_failed = pthread_atfork(NULL, NULL, mark_serial_after_fork) != 0;
}
#else
#define FR_FORK_GUARD 0 /* no fork(), or no threads to lose */
#endif

int fr_parallel_threads(int requested, int64_t chunks) {
    /* more threads than chunks would idle; a huge request must not reach OpenMP */
    int threads = requested;
    if (chunks < threads) threads = (int)chunks;
    if (threads <= 1) return 1;
#if FR_FORK_GUARD
    if (serial_after_fork) return 1;
    (void)pthread_once(&fork_handler_once, register_fork_handler);
    if (fork_handler_failed) return 1;
#endif
    return threads;
}

int fr_serial_after_fork(void) {
#if FR_FORK_GUARD
    return serial_after_fork;
#else
    return 0;
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
    n_threads = fr_parallel_threads(n_threads, n);
    (void)n_threads;
#ifdef _OPENMP
#pragma omp parallel for simd schedule(static) num_threads(n_threads) reduction(+ : total)
#else
#pragma omp simd reduction(+ : total)
#endif
    for (int64_t i = 0; i < n; ++i) total += data[i];
    return total;
}
