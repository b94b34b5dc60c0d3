# tests/test_bench.py: runs the bench command itself on tiny sizes and checks the JSON it
# writes: its structure, that the baseline is the textbook loop (which takes the very
# steps fastreg takes), that the bandwidth ceiling flags noise, and that --peers matches
# objectives across libraries (reporting the ones not installed as such); plus the clear
# ImportError of a source tree that shadows the installed package. It asserts nothing
# about speed.
import importlib.util
import json
import math
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # the bench package comes from the checkout, fastreg stays the installed one
    sys.path.append(str(ROOT))

PEER_MODULES = {
    "fastreg": "fastreg",
    "sklearn": "sklearn",
    "sklearnex": "sklearnex",
    "glum": "glum",
    "skglm": "skglm",
}


def _positive_finite(x):
    return isinstance(x, int | float) and math.isfinite(x) and x > 0


def _run_bench(out, *options, timeout):
    # `python -m bench` from the repository root, except that the root goes at the END of
    # sys.path: the bench package comes from the checkout while fastreg stays the
    # installed one (the source tree's fastreg/ has no compiled module in a wheel install).
    launcher = (
        "import runpy, sys; "
        f"sys.path.append({str(ROOT)!r}); "
        "runpy.run_module('bench', run_name='__main__', alter_sys=True)"
    )
    command = [sys.executable, "-c", launcher, *options, "--out", str(out)]
    done = subprocess.run(command, cwd=out, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    done = _run_bench(out, "--quick", "--sizes", "tiny", "--threads", "1,2", timeout=180)
    return out, done


@pytest.fixture(scope="module")
def peers_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("peers")
    done = _run_bench(out, "--peers", "--quick", timeout=600)
    return out, done


def test_bench_writes_json_png_and_table(bench_run):
    out, done = bench_run
    assert (out / "bench.png").stat().st_size > 0
    assert (out / "bench.txt").read_text().strip() in done.stdout
    assert "Baseline: the textbook NumPy loop" in done.stdout
    assert "fastreg/textbook" in done.stdout and "twin/textbook" in done.stdout
    assert "Targets" in done.stdout
    assert "done in" in done.stderr  # the progress bar goes to stderr, not stdout
    assert "done in" not in done.stdout


def test_bench_json_structure_and_figures(bench_run):
    out, _ = bench_run
    results = json.loads((out / "bench.json").read_text())
    for key in ("date", "machine", "settings", "baseline", "bandwidth", "epochs", "iris"):
        assert key in results
    assert results["baseline"]["name"] == "textbook"
    assert results["baseline"]["module"] == "bench.textbook"
    machine = results["machine"]
    for key in ("cpu_model", "cpu_count", "memory_bytes", "os", "python", "numpy", "blas"):
        assert key in machine
    assert {"simd", "openmp", "compiler"} <= set(machine["fastreg"])

    assert [b["threads"] for b in results["bandwidth"]] == [1, 2]
    assert all(_positive_finite(b["gb_per_s"]) for b in results["bandwidth"])

    # every loss x dtype x thread count of the tiny size
    epochs = results["epochs"]
    assert len(epochs) == 4 * 2 * 2
    assert {r["loss"] for r in epochs} == {"squared", "logistic", "multinomial3", "multinomial10"}
    for r in epochs:
        assert r["size"] == "tiny"
        for who in ("fastreg", "textbook", "twin"):
            assert _positive_finite(r[who]["epochs_per_s"]), r
            assert r[who]["epochs"] >= 1
        # the speedup is against the textbook loop, the twin's cost is beside it
        ratio = r["fastreg"]["epochs_per_s"] / r["textbook"]["epochs_per_s"]
        assert r["speedup_vs_textbook"] == pytest.approx(ratio)
        twin = r["twin"]["epochs_per_s"] / r["textbook"]["epochs_per_s"]
        assert r["twin_vs_textbook"] == pytest.approx(twin)
        # the textbook loop takes fastreg's steps: same coefficients after a few epochs
        tolerance = 1e-10 if r["dtype"] == "float64" else 1e-4
        assert r["textbook_relative_difference"] < tolerance, r
        # and the twin computes the same objective after the first epoch
        assert r["first_epoch_relative_difference"] < 1e-3
        # 64 x 4 fits in any cache: no probes, shown against the start-of-run figure
        assert r["ceiling"]["in_cache"] and r["ceiling"]["probes_gb_per_s"] == []
        assert r["noise"] is False
        assert _positive_finite(r["gb_per_s"]) and _positive_finite(r["percent_of_bandwidth"])

    for r in results["fused_pass"]:
        assert _positive_finite(r["passes_per_s"]) and _positive_finite(r["gb_per_s"])

    assert [r["model"] for r in results["iris"]] == ["logistic", "softmax"]
    for r in results["iris"]:
        for key in ("textbook_seconds", "estimator_seconds", "kernel_seconds", "twin_seconds"):
            assert _positive_finite(r[key])
        assert r["estimator_speedup"] == pytest.approx(
            r["textbook_seconds"] / r["estimator_seconds"]
        )
        assert r["fixed_cost_seconds"] >= 0.0 and np.isfinite(r["fixed_cost_seconds"])
        assert r["kernel_epoch_seconds"] == pytest.approx(r["kernel_seconds"] / r["epochs"])
        # 3000 textbook epochs end where fastreg's 3000 "gd" epochs end, and so does the twin
        assert r["textbook_relative_difference"] < 1e-9
        assert r["twin_relative_difference"] < 1e-9

    for target in results["targets"]:
        assert target["met"] in (True, False, None)
        assert target["figure"] and target["target"] > 0
    iris_targets = [t for t in results["targets"] if t["figure"].startswith("iris")]
    assert [t["target"] for t in iris_targets] == [30.0, 40.0]
    assert all("textbook" in t["figure"] and t["value"] is not None for t in iris_targets)


def test_textbook_loop_is_the_textbook_formula():
    from bench import textbook

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((50, 3)), (rng.random(50) < 0.5).astype(float)
    coef, intercept = textbook.fit(X, y, 1, "logistic", 0.5, 1)
    # one step from zero: sigmoid(0) = 1/2, so theta = -lr * X_b.T @ (1/2 - y) / m
    X_b = np.c_[np.ones(50), X]
    expected = -0.5 * X_b.T @ (0.5 - y) / 50
    np.testing.assert_allclose(np.r_[intercept, coef[0]], expected, rtol=1e-15)
    coef32, _ = textbook.fit(X.astype(np.float32), y, 3, "multinomial", 0.1, 2)
    assert coef32.dtype == np.float32 and coef32.shape == (3, 3)


def test_ceiling_brackets_large_measurements_and_flags_noise(monkeypatch):
    from bench import ceiling
    from bench.config import quick_settings

    probes = iter([10.0, 8.0])
    monkeypatch.setattr(ceiling, "measure_bandwidth", lambda *a: {"gb_per_s": next(probes)})
    monkeypatch.setattr(ceiling, "last_level_cache_bytes", lambda: 1000)
    calls = []
    result, bounds = ceiling.bracketed(
        lambda: calls.append(1) or "x", 10**6, 2, quick_settings(), 20.0
    )
    assert result == "x" and calls == [1]
    assert bounds["probes_gb_per_s"] == [10.0, 8.0] and bounds["gb_per_s"] == 10.0
    assert bounds["spread_percent"] == pytest.approx(20.0)
    assert ceiling.share(9.0, bounds) == {"percent_of_bandwidth": 90.0, "noise": False}
    assert ceiling.share(12.0, bounds)["noise"] is True  # 120 % of a streaming read
    # in cache: no probes, and a share over 100 % is possible, not noise
    _, in_cache = ceiling.bracketed(lambda: None, 100, 2, quick_settings(), 20.0)
    assert in_cache["in_cache"] and in_cache["probes_gb_per_s"] == []
    assert ceiling.share(30.0, in_cache)["noise"] is False


def test_noise_is_never_a_met_target():
    from bench.targets import evaluate_targets

    record = {
        "size": "large",
        "loss": "logistic",
        "dtype": "float64",
        "threads": 2,
        "percent_of_bandwidth": 130.0,
        "noise": True,
        "fastreg": {"epochs_per_s": 40.0},
    }
    rows = {t["figure"]: t for t in evaluate_targets({"epochs": [record], "iris": []})}
    row = rows["large logistic float64 epoch, % of read bandwidth (t=2)"]
    assert row["noise"] is True and row["met"] is None and row["value"] == 130.0


def test_every_missed_target_says_what_stands_in_the_way():
    from bench.report import _targets_table
    from bench.targets import evaluate_targets

    record = {
        "size": "large",
        "loss": "multinomial10",
        "dtype": "float64",
        "threads": 2,
        "percent_of_bandwidth": 30.0,
        "noise": False,
        "fastreg": {"epochs_per_s": 4.0},
    }
    rows = evaluate_targets({"epochs": [record], "iris": []})
    assert all(row["limit"] for row in rows)  # every target has its explanation
    missed = [r for r in rows if r["met"] is False]
    assert [r["figure"] for r in missed] == [
        "large multinomial10 float64 epoch, % of read bandwidth (t=2)"
    ]
    table = _targets_table(rows)
    assert "FMA floor 2.7x the read time" in table
    assert table.count("MISSED") == 1 and "not measured" in table


def test_peers_match_the_objective(peers_run):
    out, done = peers_run
    results = json.loads((out / "peers.json").read_text())
    assert (out / "peers.png").stat().st_size > 0
    assert "Time to solution at matched objective" in done.stdout
    assert results["threads"] == 2 and results["target_relative"] == 1e-8
    installed = {lib["name"]: lib["installed"] for lib in results["libraries"]}
    assert set(installed) == set(PEER_MODULES)
    for name, module in PEER_MODULES.items():
        assert installed[name] == (importlib.util.find_spec(module) is not None)
    problems = {c["problem"] for c in results["comparisons"]}
    assert problems == {"linear", "ridge", "lasso", "elasticnet", "logistic", "multinomial"}
    for c in results["comparisons"]:
        assert c["size"] == "tiny" and math.isfinite(c["best_objective"])
        assert c["target_objective"] == pytest.approx(c["best_objective"] * (1 + 1e-8))
        for name, entry in c["libraries"].items():
            if not installed[name]:
                # a peer that is not installed is reported as such, never silently left out
                assert entry["status"] == "not installed", (c["problem"], name)
                continue
            assert entry["status"] in ("matched", "not supported"), (c["problem"], entry)
            if entry["status"] == "matched":
                assert entry["gap_at_solution"] <= 1e-8
                assert _positive_finite(entry["seconds"]) and entry["runs"]
        # fastreg and scikit-learn offer every estimator and must reach the same objective
        for name in ("fastreg", "sklearn"):
            assert c["libraries"][name]["status"] == "matched", (c["problem"], name)
        assert c["time_vs_fastreg"]["fastreg"] == pytest.approx(1.0)
    if installed["sklearnex"]:
        lasso = next(c for c in results["comparisons"] if c["problem"] == "lasso")
        assert lasso["libraries"]["sklearnex"]["status"] == "not supported"


@pytest.mark.parametrize(
    "problem_name", ["linear", "ridge", "lasso", "elasticnet", "logistic", "multinomial"]
)
def test_peer_objective_is_minimised_by_sklearn(problem_name):
    # The bench's objective must be the one scikit-learn minimises: its solution beats
    # every nearby point (a wrong scaling of the penalty would move the minimiser).
    from bench.peers.runner import PROBLEMS

    problem = PROBLEMS[problem_name]
    X, y = problem.make_data(*problem.sizes["tiny"])
    adapter = problem.adapters["sklearn"]
    estimator = adapter.make(problem.params, None if adapter.tols[0] is None else 1e-12, 1, 0)
    adapter.fit(estimator, X, y)
    coef, intercept = adapter.coef(estimator)
    best = problem.objective(X, y, coef, intercept, problem.params)
    rng = np.random.default_rng(1)
    for _ in range(20):
        step = 1e-3 * rng.standard_normal(coef.shape)
        moved = problem.objective(X, y, coef + step, intercept, problem.params)
        assert moved > best
        # one intercept only: the multinomial loss ignores a shift of all of them
        shift = np.zeros_like(intercept)
        shift[0] = 1e-3 * rng.choice([-1.0, 1.0])
        assert problem.objective(X, y, coef, intercept + shift, problem.params) > best


def test_a_registered_problem_runs_without_touching_the_runner():
    from bench.peers import registry
    from bench.peers.objectives import ridge
    from bench.peers.problems import EXACT, _fastreg, _sklearn
    from bench.peers.runner import compare

    problem = registry.Problem(
        name="ridge_strong_penalty",
        estimator="Ridge(alpha=100)",
        objective_text="sum_i r_i^2 + 100 ||w||^2",
        sizes={"tiny": (200, 4)},
        params={"alpha": 100.0},
        make_data=lambda n, d: (np.linspace(-1, 1, n * d).reshape(n, d) ** 3, np.arange(n)),
        objective=ridge,
        adapters={
            "fastreg": registry.Adapter(_fastreg("Ridge"), EXACT, "Ridge(alpha)"),
            "sklearn": registry.Adapter(
                _sklearn("sklearn.linear_model", "Ridge"), EXACT, "Ridge(alpha)"
            ),
        },
    )
    registry.register(problem)
    try:
        with pytest.raises(ValueError, match="already registered"):
            registry.register(problem)
        record = compare(problem, "tiny", ["fastreg", "sklearn", "glum"], 1, 5.0)
    finally:
        del registry.PROBLEMS[problem.name]
    assert record["libraries"]["fastreg"]["status"] == "matched"
    assert record["libraries"]["sklearn"]["status"] == "matched"
    glum = record["libraries"]["glum"]["status"]
    assert glum == ("not supported" if importlib.util.find_spec("glum") else "not installed")


def test_source_tree_without_compiled_module_says_what_to_do(tmp_path):
    # A checkout's fastreg/ first on sys.path, no compiled module in it: the message says
    # what happened and what to run, not "partially initialized module". -S keeps
    # site-packages (and an editable install's import hooks) out of the way.
    shutil.copytree(ROOT / "fastreg", tmp_path / "fastreg", ignore=shutil.ignore_patterns("*.so"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "src_c").mkdir()
    done = subprocess.run(
        [sys.executable, "-S", "-c", "import fastreg"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "ImportError: fastreg was imported from its source tree" in done.stderr
    assert "pip install -e ." in done.stderr and "outside the checkout" in done.stderr
    # outside a source tree the original error is not rewritten
    (tmp_path / "pyproject.toml").unlink()
    done = subprocess.run(
        [sys.executable, "-S", "-c", "import fastreg"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "source tree" not in done.stderr
    assert "_kernels" in done.stderr
