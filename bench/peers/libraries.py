# bench/peers/libraries.py: the libraries of the comparison and how each is held to the
# run's thread count. Every fit runs inside a threadpoolctl limit (BLAS and every OpenMP
# runtime loaded: fastreg's, scikit-learn's, tabmat's under glum), and the command line
# sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS and NUMBA_NUM_THREADS before
# anything is imported; oneDAL (under scikit-learn-intelex) runs on TBB, which
# threadpoolctl cannot limit, so it gets daal4py.daalinit(n). The runner also records each
# fit's CPU time over its wall time, so the table shows the parallelism each really used.
from bench.peers.registry import Library, register_library


def _daal_threads(threads):
    import daal4py

    daal4py.daalinit(threads)
    if daal4py.num_threads() != threads:
        raise RuntimeError(f"oneDAL runs {daal4py.num_threads()} threads, not {threads}")


FASTREG = register_library(
    Library(
        "fastreg",
        "fastreg",
        "fastreg",
        "the threadpoolctl limit (its OpenMP kernels read it; n_jobs left unset)",
    )
)
SKLEARN = register_library(
    Library(
        "sklearn",
        "sklearn",
        "scikit-learn",
        "threadpoolctl limit (its OpenMP loss and gradient, the BLAS)",
    )
)
SKLEARNEX = register_library(
    Library(
        "sklearnex",
        "sklearnex",
        "scikit-learn-intelex",
        "daal4py.daalinit(threads) (oneDAL's TBB) and the threadpoolctl limit",
        limit_threads=_daal_threads,
    )
)
GLUM = register_library(
    Library("glum", "glum", "glum", "threadpoolctl limit (tabmat's OpenMP, the BLAS)")
)
SKGLM = register_library(
    Library(
        "skglm",
        "skglm",
        "skglm",
        "NUMBA_NUM_THREADS and the threadpoolctl limit (its numba solvers run one thread)",
    )
)
