# The kernels' thread count follows n_jobs, OMP_NUM_THREADS and threadpoolctl's limits.
import os
import subprocess
import sys

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import fastreg
from fastreg._base import effective_n_threads


def test_threadpoolctl_sees_and_limits_the_kernels_openmp():
    assert any(pool["user_api"] == "openmp" for pool in threadpool_info())
    before = effective_n_threads(None)
    with threadpool_limits(limits=1, user_api="openmp"):
        assert effective_n_threads(None) == 1
        assert fastreg._config.build_info()["max_threads"] == 1
    assert effective_n_threads(None) == before


@pytest.mark.parametrize(("n_jobs", "expected"), [(1, 1), (-1, None), (10**5, None)])
def test_n_jobs_maps_to_threads(n_jobs, expected):
    n_cpus = len(os.sched_getaffinity(0))
    assert effective_n_threads(n_jobs) == (n_cpus if expected is None else expected)


def test_omp_num_threads_reaches_the_kernels(tmp_path):
    code = "import fastreg; print(fastreg._config.build_info()['max_threads'])"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    # cwd: `python -c` puts the working directory first on sys.path, and the checkout's
    # fastreg/ must not shadow the installed package
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"


def test_fit_under_a_thread_limit_gives_the_same_coefficients(rng):
    X = rng.normal(size=(5000, 8))
    y = X @ rng.normal(size=8) + rng.normal(size=5000)
    free = fastreg.Ridge(alpha=1.0, tol=1e-10).fit(X, y)
    with threadpool_limits(limits=1, user_api="openmp"):
        limited = fastreg.Ridge(alpha=1.0, tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(free.coef_, limited.coef_)
