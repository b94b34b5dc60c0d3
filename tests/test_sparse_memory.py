# The memory bound of sparse fits: LogisticRegression and Ridge on a CSR X of
# 50,000 x 2,000,000 with 1,000,000 stored entries (dense, it would be 800 GB; its Gram
# 32 TB) fit in well under 1 GB of peak resident memory. Measured in a fresh
# interpreter (its own peak RSS, VmHWM of /proc/self/status: getrusage's ru_maxrss
# would carry over the peak of the forking pytest process), so nothing else the test
# session allocated counts.
import json
import subprocess
import sys
import textwrap

import pytest

from fastreg import _kernels

CHILD = textwrap.dedent(
    """
    import json, warnings

    import numpy as np
    from scipy import sparse

    import fastreg

    rng = np.random.default_rng(0)
    n, d, nnz = 50_000, 2_000_000, 1_000_000
    rows = np.sort(rng.integers(0, n, nnz))
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    columns = rng.integers(0, d, nnz).astype(np.int32)
    X = sparse.csr_array((rng.random(nnz), columns, indptr), shape=(n, d))
    y = (X @ rng.standard_normal(d) + rng.logistic(size=n) > 0).astype(int)
    def peak_rss_kib():
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmHWM:"))
        return int(line.split()[1])

    before = peak_rss_kib()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter is kept small: the memory is the point
        model = fastreg.LogisticRegression(max_iter=15).fit(X, y)
    accuracy = model.score(X, y)
    peak = peak_rss_kib()
    print(json.dumps({"peak_kib": peak, "before_fit_kib": before, "n_iter": int(model.n_iter_[0]),
                      "coef_shape": list(model.coef_.shape), "accuracy": accuracy}))
    """
)


@pytest.mark.skipif(
    "-fsanitize" in _kernels.build_info()["c_flags"],
    reason="the address sanitizer's shadow memory and quarantine make peak RSS meaningless",
)
def test_wide_sparse_logistic_fit_stays_well_under_1_gb(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["coef_shape"] == [1, 2_000_000]
    assert result["n_iter"] >= 11  # L-BFGS's 10 stored pairs are all in use
    assert result["accuracy"] > 0.9
    peak_mib = result["peak_kib"] / 1024
    # The solver holds 27 vectors of 2,000,001 doubles (L-BFGS) plus the pass's chunk
    # slot, the means and the raw point: ~480 MiB on top of the interpreter and X.
    assert peak_mib < 800, f"peak RSS {peak_mib:.0f} MiB"


RIDGE_CHILD = CHILD.split("before = peak_rss_kib()")[0] + textwrap.dedent(
    """
    y = X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(n)
    before = peak_rss_kib()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter is kept small: the memory is the point
        model = fastreg.Ridge(alpha=1e-3, max_iter=15).fit(X, y)
    r2 = model.score(X, y)
    peak = peak_rss_kib()
    print(json.dumps({"peak_kib": peak, "before_fit_kib": before, "n_iter": int(model.n_iter_),
                      "coef_shape": list(model.coef_.shape), "r2": r2,
                      "solver": model.method_}))
    """
)


@pytest.mark.skipif(
    "-fsanitize" in _kernels.build_info()["c_flags"],
    reason="the address sanitizer's shadow memory and quarantine make peak RSS meaningless",
)
def test_wide_sparse_ridge_fit_stays_well_under_1_gb(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", RIDGE_CHILD],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["coef_shape"] == [2_000_000]
    assert result["solver"] == "lbfgs"  # the 2,000,000^2 Gram is never formed
    assert result["n_iter"] >= 11  # L-BFGS's 10 stored pairs are all in use
    assert result["r2"] > 0.5
    peak_mib = result["peak_kib"] / 1024
    # As the logistic fit: L-BFGS's vectors of 2,000,001 doubles dominate.
    assert peak_mib < 800, f"peak RSS {peak_mib:.0f} MiB"
