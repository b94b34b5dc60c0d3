# A child process never hangs and gives the parent's answer bitwise: after a threaded fit
# in the parent, children started by fork (where GNU OpenMP's thread pool is lost and the
# kernels must run serially), forkserver and spawn, a child of a forked child, and
# GridSearchCV(n_jobs=2) on joblib's default backend. Everything runs in one subprocess
# under a timeout that kills its whole process group, so a regression fails instead of
# hanging the suite; the scenarios report one by one, so a hang names the one that hung.
import os
import pickle
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

TIMEOUT_SECONDS = 180  # a few seconds normally; generous for the sanitizer build

SCENARIOS = textwrap.dedent(
    '''
    import contextlib
    import io
    import multiprocessing
    import os
    import pickle
    import sys
    import warnings

    import numpy as np
    from sklearn.exceptions import ConvergenceWarning

    import fastreg
    from fastreg import LogisticRegression, Ridge, _kernels

    warnings.simplefilter("ignore", ConvergenceWarning)
    N_SAMPLES = 3 * 2048 + 100  # four row chunks: the kernels start threads


    def problems():
        rng = np.random.default_rng(0)
        X = rng.normal(size=(N_SAMPLES, 6))
        w = rng.normal(size=6)
        scores = X @ w
        noisy = scores + rng.normal(size=N_SAMPLES)
        return {
            "squared": (Ridge(alpha=1.0, solver="lbfgs", n_jobs=2), X, noisy),
            "logistic": (LogisticRegression(n_jobs=2), X, (scores > 0).astype(int)),
            "multinomial": (LogisticRegression(n_jobs=2), X, np.digitize(scores, [-0.5, 0.5])),
        }


    def report():
        """Fit every loss; call the fused pass and the bandwidth probe with 2 threads."""
        fits, passes = {}, {}
        for code, (name, (model, X, y)) in enumerate(problems().items()):
            model.fit(X, y)
            fits[name] = (model.coef_, model.intercept_)
            k = 3 if name == "multinomial" else 1
            coef = np.full((k, X.shape[1]), 0.1)
            # n_threads=2 reaches OpenMP even on one CPU (estimators cap at the CPU count)
            passes[name] = _kernels.loss_gradient(
                code, X, np.asarray(y, dtype=float), None, coef, np.zeros(k), 2
            )
        config = io.StringIO()
        fastreg.show_config(file=config)
        return {
            "pid": os.getpid(),
            "serial_after_fork": fastreg._config.build_info()["serial_after_fork"],
            "show_config": config.getvalue(),
            "fits": fits,
            "passes": passes,
            "stream": _kernels.stream_read(np.arange(2.0**16), 2),  # exact in any order
        }


    def in_forked_child(function):
        """function() run in a child made by a bare os.fork(), its result pickled back."""
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(function(), pipe)
            os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            result = pickle.load(pipe)
        os.waitpid(pid, 0)
        return result


    def report_and_fork_again(_=None):
        result = report()
        result["grandchild"] = in_forked_child(report)
        return result


    def grid_search(n_jobs):
        from sklearn.model_selection import GridSearchCV  # only here: children skip it

        _, X, y = problems()["logistic"]
        grid = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3, n_jobs=n_jobs)
        grid.fit(X, y)
        return grid.cv_results_["mean_test_score"], grid.best_estimator_.coef_


    def save(name, value):
        with open(f"{name}.tmp", "wb") as f:
            pickle.dump(value, f)
        os.replace(f"{name}.tmp", f"{name}.pkl")  # a scenario that hung leaves no file
        print("DONE", name, flush=True)


    if __name__ == "__main__":
        print("STAGE parent", flush=True)
        save("parent", report())
        # Fresh interpreters (forkserver's server, a spawned child, joblib's two workers)
        # start together: their imports are most of this script's time.
        print("STAGE forkserver spawn grid_search", flush=True)
        pools = {m: multiprocessing.get_context(m).Pool(1) for m in ("forkserver", "spawn")}
        pending = {m: pool.apply_async(report) for m, pool in pools.items()}
        save("grid_search", {"n_jobs=2": grid_search(2), "n_jobs=1": grid_search(1)})
        for method, result in pending.items():
            save(method, result.get())
            pools[method].close()
            pools[method].join()
        print("STAGE fork", flush=True)  # last: a regression here hangs only this stage
        with multiprocessing.get_context("fork").Pool(2) as pool:
            save("fork", pool.map(report_and_fork_again, range(2)))
        print("STAGE parent_again", flush=True)
        save("parent_again", report())
    '''
)


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    """Run every scenario once in a subprocess; returns (results by name, diagnostics)."""
    workdir = tmp_path_factory.mktemp("fork")
    (workdir / "fork_scenarios.py").write_text(SCENARIOS)
    # cwd: the script's directory comes first on sys.path, and the checkout's fastreg/
    # must not shadow the installed package; a session of its own lets a timeout kill
    # the pool workers too (a hung child would keep the pipes open)
    child = subprocess.Popen(
        [sys.executable, "fork_scenarios.py"],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = child.communicate(timeout=TIMEOUT_SECONDS)
        outcome = f"exit status {child.returncode}"
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        out, err = child.communicate()
        outcome = f"timed out after {TIMEOUT_SECONDS} s"
    results = {}
    for path in workdir.glob("*.pkl"):
        with open(path, "rb") as f:
            results[path.stem] = pickle.load(f)
    return results, f"{outcome}\nstdout:\n{out}\nstderr:\n{err}"


def _result(scenarios, name):
    results, diagnostics = scenarios
    if name not in results:
        pytest.fail(f"scenario {name!r} did not finish ({diagnostics})")
    return results[name]


def _assert_same_answers(child, parent):
    for name, (coef, intercept) in parent["fits"].items():
        child_coef, child_intercept = child["fits"][name]
        assert child_coef.dtype == coef.dtype
        np.testing.assert_array_equal(child_coef, coef, strict=True, err_msg=name)
        np.testing.assert_array_equal(child_intercept, intercept, strict=True, err_msg=name)
    for name, (loss, grad_coef, grad_intercept) in parent["passes"].items():
        child_loss, child_grad_coef, child_grad_intercept = child["passes"][name]
        assert child_loss == loss, name
        np.testing.assert_array_equal(child_grad_coef, grad_coef, strict=True, err_msg=name)
        np.testing.assert_array_equal(child_grad_intercept, grad_intercept, strict=True)
    assert child["stream"] == parent["stream"] == (2.0**16 - 1) * 2.0**15


def test_the_parent_is_no_forked_child(scenarios):
    parent = _result(scenarios, "parent")
    assert parent["serial_after_fork"] is False
    assert "this process: not such a child" in parent["show_config"]


def test_forked_children_run_serially_with_the_parents_answer(scenarios):
    parent = _result(scenarios, "parent")
    children = _result(scenarios, "fork")
    for child in children:
        assert child["pid"] != parent["pid"]
        # the parent started threads (n_threads=2 reaches OpenMP even on one CPU), so
        # its forked children run the kernels serially and say so
        assert child["serial_after_fork"] is True
        assert "this process: such a child" in child["show_config"]
        assert "1 in this forked child" in child["show_config"]
        _assert_same_answers(child, parent)
    again = _result(scenarios, "parent_again")  # forking children changed nothing here
    assert again["serial_after_fork"] is False
    _assert_same_answers(again, parent)


def test_a_child_of_a_forked_child_runs_serially_with_the_parents_answer(scenarios):
    parent = _result(scenarios, "parent")
    for child in _result(scenarios, "fork"):
        grandchild = child["grandchild"]
        assert grandchild["pid"] not in (child["pid"], parent["pid"])
        assert grandchild["serial_after_fork"] is True
        _assert_same_answers(grandchild, parent)


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_fresh_children_keep_their_threads_and_the_parents_answer(scenarios, method):
    # a forkserver's server and a spawned child never started threads: nothing was lost
    parent = _result(scenarios, "parent")
    child = _result(scenarios, method)
    assert child["pid"] != parent["pid"]
    assert child["serial_after_fork"] is False
    _assert_same_answers(child, parent)


def test_grid_search_on_joblibs_default_backend_matches_a_serial_search(scenarios):
    grids = _result(scenarios, "grid_search")
    parallel_scores, parallel_coef = grids["n_jobs=2"]
    serial_scores, serial_coef = grids["n_jobs=1"]
    np.testing.assert_array_equal(parallel_scores, serial_scores, strict=True)
    np.testing.assert_array_equal(parallel_coef, serial_coef, strict=True)
    assert np.all(parallel_scores > 0.9)  # the searched models did learn
