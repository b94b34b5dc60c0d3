# The coordinate-descent kernel (src_c/solver_cd.c through fastreg._kernels) against its
# NumPy twin (fastreg.reference.coordinate_descent), scikit-learn's own Cython solvers
# and exact solutions: the steps, the stopping rule, the duality gap, the generator, the
# screening, and fastreg._enet.solve_enet as a warm-started path uses it.
import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import _cd_fast

from fastreg import _enet, _kernels, reference
from fastreg._problem import ColumnData, CoordinateDescentOptions, GramData, Penalty
from fastreg._statistics import statistics

CONVERGED, MAX_ITER, DIVERGED = (
    _kernels.STATUS_CONVERGED,
    _kernels.STATUS_MAX_ITER,
    _kernels.STATUS_DIVERGED,
)


def _problem(rng, n=80, d=9, weights=True, shift=2.0):
    X = rng.standard_normal((n, d)) + shift
    X[:, 1] = X[:, 0] + 0.1 * rng.standard_normal(n)  # correlated pair
    y = X @ rng.standard_normal(d) + rng.standard_normal(n)
    s = rng.uniform(0.2, 3.0, n) if weights else None
    return X, y, s


def _data(X, y, s, access, dtype=np.float64, fit_intercept=True):
    """GramData or ColumnData of (X, y, s) with centring, and the weight sum."""
    st = statistics(X.astype(dtype), y.astype(dtype), s)
    if access == "gram":
        if fit_intercept:
            return GramData(st.gram, st.xty[:, 0].copy(), float(st.yty[0, 0])), st.sum_weights
        gram, xty, yty = st.uncentred()
        return GramData(gram, xty[:, 0].copy(), float(yty[0, 0])), st.sum_weights
    sw = None if s is None else s.astype(dtype)
    x_mean = st.x_mean if fit_intercept else None
    y_mean = float(st.y_mean[0]) if fit_intercept else 0.0
    cols = ColumnData(np.asfortranarray(X, dtype=dtype), y.astype(dtype), sw, x_mean, y_mean)
    return cols, st.sum_weights


def _options(S, alpha=0.05, l1_ratio=1.0, **kw):
    penalty = Penalty(alpha * (1 - l1_ratio) * S, alpha * l1_ratio * S, kw.pop("positive", False))
    return CoordinateDescentOptions(penalty, **{"max_iter": 20_000, "tol": 1e-8, **kw})


def _both(data, options, coef0=None):
    d = data.n_features
    start = np.zeros(d) if coef0 is None else coef0
    ours = _kernels.coordinate_descent(data, options, start.copy())
    twin = reference.coordinate_descent(data, options, start.copy())
    return ours, twin


CASES = [
    {"alpha": 0.05, "l1_ratio": 1.0},
    {"alpha": 0.02, "l1_ratio": 0.4},
    {"alpha": 0.1, "l1_ratio": 0.0},
    {"alpha": 0.0, "l1_ratio": 1.0},
    {"alpha": 0.03, "l1_ratio": 0.8, "positive": True},
    {"alpha": 0.01, "l1_ratio": 1.0, "selection": "random", "seed": 7},
    {"alpha": 0.01, "l1_ratio": 0.7, "screening": False},
]


@pytest.mark.parametrize("access", ["gram", "columns"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_kernel_takes_the_twins_steps(access, case, rng):
    X, y, s = _problem(rng)
    data, S = _data(X, y, s, access)
    options = _options(S, **case)
    ours, twin = _both(data, options)
    coef, curve, n_iter, status, gap, tol_scaled, objective, optimality = ours
    assert status == twin[3] == CONVERGED
    assert n_iter == twin[2]
    scale = np.max(np.abs(twin[0]))
    np.testing.assert_allclose(coef, twin[0], rtol=0, atol=1e-9 * scale)
    np.testing.assert_array_equal(coef == 0, twin[0] == 0)
    np.testing.assert_allclose(curve, twin[1], rtol=1e-9)
    np.testing.assert_allclose(tol_scaled, twin[5], rtol=1e-12)
    assert gap <= tol_scaled and twin[4] <= twin[5]
    np.testing.assert_allclose(objective, twin[6], rtol=1e-11)
    assert optimality == pytest.approx(twin[7], rel=1e-5, abs=1e-9 * S)
    if case.get("positive"):
        assert np.all(coef >= 0)


@pytest.mark.parametrize("access", ["gram", "columns"])
def test_max_iter_status_and_warm_start_continue_the_same_iterates(access, rng):
    X, y, s = _problem(rng)
    data, S = _data(X, y, s, access)
    options = _options(S, alpha=0.001, tol=1e-12, max_iter=3)
    first, twin = _both(data, options)
    assert first[3] == twin[3] == MAX_ITER and first[2] == twin[2] == 3
    np.testing.assert_allclose(first[0], twin[0], rtol=1e-10)
    # three more sweeps from there: the same point as six sweeps from zero
    again = _kernels.coordinate_descent(data, options, first[0].copy())
    six = _kernels.coordinate_descent(
        data, _options(S, alpha=0.001, tol=1e-12, max_iter=6), np.zeros(X.shape[1])
    )
    np.testing.assert_allclose(again[0], six[0], rtol=1e-10)
    # a converged start passes the gap test before any sweep
    done = _kernels.coordinate_descent(data, _options(S, alpha=0.05), np.zeros(X.shape[1]))
    warm = _kernels.coordinate_descent(data, _options(S, alpha=0.05), done[0].copy())
    assert warm[2] == 0 and warm[3] == CONVERGED and warm[1].shape == (0,)
    np.testing.assert_array_equal(warm[0], done[0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_columns_of_either_dtype_match_the_gram(dtype, rng):
    X, y, s = _problem(rng, weights=True)
    X, y = X.astype(dtype), y.astype(dtype)
    gram, S = _data(X, y, s, "gram", dtype)
    cols, _ = _data(X, y, s, "columns", dtype)
    options = _options(S, alpha=0.02, l1_ratio=0.6, tol=1e-10)
    a = _kernels.coordinate_descent(gram, options, np.zeros(X.shape[1]))
    b = _kernels.coordinate_descent(cols, options, np.zeros(X.shape[1]))
    assert a[3] == b[3] == CONVERGED
    atol = (1e-5 if dtype == np.float32 else 1e-9) * np.max(np.abs(a[0]))
    np.testing.assert_allclose(a[0], b[0], rtol=0, atol=atol)


def test_without_intercept_gram_and_columns_agree(rng):
    X, y, s = _problem(rng)
    gram, S = _data(X, y, s, "gram", fit_intercept=False)
    cols, _ = _data(X, y, s, "columns", fit_intercept=False)
    options = _options(S, alpha=0.01, l1_ratio=0.9)
    a, b = (_kernels.coordinate_descent(data, options, np.zeros(9)) for data in (gram, cols))
    np.testing.assert_allclose(a[0], b[0], rtol=1e-8)
    assert a[2] == b[2]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("selection", ["cyclic", "random"])
def test_scikit_learn_cython_solvers_take_the_same_sweeps(selection, positive):
    # The same algorithm as sklearn.linear_model._cd_fast, with the same generator and
    # seed: the same number of sweeps, the same coefficients and gap to rounding.
    X, y = load_diabetes(return_X_y=True)
    Xc, yc = X - X.mean(0), y - y.mean()
    n = len(y)
    for alpha, l1_ratio in [(0.01, 1.0), (0.001, 0.5), (0.05, 0.0)]:
        l1, l2 = alpha * l1_ratio * n, alpha * (1 - l1_ratio) * n
        seed = np.random.RandomState(3).randint(0, 2**31 - 1)

        def args():  # a fresh generator each time: the solver draws its seed from it
            return 1000, 1e-4, np.random.RandomState(3), selection == "random", positive, True

        w_gram, gap_gram, tol_gram, it_gram = _cd_fast.enet_coordinate_descent_gram(
            np.zeros(10), l1, l2, Xc.T @ Xc, Xc.T @ yc, yc, *args()
        )
        w_cols, gap_cols, _, it_cols = _cd_fast.enet_coordinate_descent(
            np.zeros(10), l1, l2, np.asfortranarray(Xc), yc, *args()
        )
        options = CoordinateDescentOptions(
            Penalty(l2, l1, positive), 1000, 1e-4, selection, int(seed)
        )
        ours_gram = _kernels.coordinate_descent(
            GramData(Xc.T @ Xc, Xc.T @ yc, float(yc @ yc)), options, np.zeros(10)
        )
        ours_cols = _kernels.coordinate_descent(
            ColumnData(np.asfortranarray(X), y, None, X.mean(0), float(y.mean())),
            options,
            np.zeros(10),
        )
        assert ours_gram[2] == it_gram and ours_cols[2] == it_cols
        scale = np.max(np.abs(w_cols))
        np.testing.assert_allclose(ours_gram[0], w_gram, rtol=0, atol=1e-10 * scale)
        np.testing.assert_allclose(ours_cols[0], w_cols, rtol=0, atol=1e-10 * scale)
        np.testing.assert_allclose(ours_gram[4], gap_gram, rtol=1e-6, atol=1e-9 * tol_gram)
        np.testing.assert_allclose(ours_cols[4], gap_cols, rtol=1e-6, atol=1e-9 * tol_gram)
        np.testing.assert_allclose(ours_gram[5], tol_gram, rtol=1e-12)


def test_generator_is_xorshift32_and_matches_the_twin():
    draws, state = _kernels.cd_random(1, 5)
    twin_draws, twin_state = reference.cd_random(1, 5)
    np.testing.assert_array_equal(draws, twin_draws)
    assert state == twin_state
    assert draws[0] == 270369  # 1 ^ 1 << 13 = 8193; 8193 >> 17 = 0; 8193 ^ 8193 << 5
    zero_draws, _ = _kernels.cd_random(0, 3)  # 0 acts as 1
    np.testing.assert_array_equal(zero_draws, draws[:3])
    many, _ = _kernels.cd_random(12345, 10_000)
    assert np.all(many < 2**31) and len(np.unique(many)) == 10_000


def test_exact_solution_on_its_support(rng):
    # On the support and signs the solver finds, the Lasso solution solves a linear
    # system exactly: Q_SS w_S = q_S - l1 sign(w_S); off the support |q - Q w| <= l1.
    X, y, s = _problem(rng, n=200, d=12)
    data, S = _data(X, y, s, "gram")
    options = _options(S, alpha=0.03, tol=1e-14, max_iter=100_000)
    coef = _kernels.coordinate_descent(data, options, np.zeros(12))[0]
    support = coef != 0
    l1 = options.penalty.l1
    Q, q = data.gram, data.xty
    exact = np.linalg.solve(Q[np.ix_(support, support)], q[support] - l1 * np.sign(coef[support]))
    np.testing.assert_allclose(coef[support], exact, rtol=1e-9)
    residual_correlation = q - Q @ coef
    assert np.all(np.abs(residual_correlation[~support]) <= l1 * (1 + 1e-9))


def test_duality_gap_bounds_the_objective_error(rng):
    # The gap is P(w) - D(theta) >= P(w) - P(w*): the objective at the returned point is
    # within the gap of the optimum (computed to 1e-14).
    X, y, s = _problem(rng)
    data, S = _data(X, y, s, "gram")
    loose = _kernels.coordinate_descent(data, _options(S, alpha=0.01, tol=1e-3), np.zeros(9))
    tight = _kernels.coordinate_descent(
        data, _options(S, alpha=0.01, tol=1e-15, max_iter=10**5), np.zeros(9)
    )
    assert 0 <= loose[6] - tight[6] <= loose[4] * (1 + 1e-9) + 1e-9
    assert loose[4] <= loose[5]


def test_screening_changes_nothing_but_the_work(rng):
    X, _, s = _problem(rng, n=100, d=30)
    y = X[:, :4] @ np.array([2.0, -1.0, 1.5, 1.0]) + 0.5 * rng.standard_normal(100)
    data, S = _data(X, y, s, "gram")
    with_screen = _kernels.coordinate_descent(
        data, _options(S, alpha=0.2, tol=1e-12), np.zeros(30)
    )
    without = _kernels.coordinate_descent(
        data, _options(S, alpha=0.2, tol=1e-12, screening=False), np.zeros(30)
    )
    np.testing.assert_allclose(with_screen[0], without[0], rtol=1e-8, atol=1e-12)
    assert np.sum(with_screen[0] == 0) > 10


def test_columns_gap_pass_is_bitwise_identical_for_any_thread_count(rng):
    X, y, _ = _problem(rng, n=30_000, d=12)
    data, S = _data(X, y, None, "columns")
    results = [
        _kernels.coordinate_descent(
            data, _options(S, alpha=0.001, tol=1e-10, n_threads=t), np.zeros(12)
        )
        for t in (1, 2, 3)
    ]
    for other in results[1:]:
        assert other[0].tobytes() == results[0][0].tobytes()
        assert other[4] == results[0][4]


def test_non_finite_data_is_reported_as_divergence(rng):
    X, y, s = _problem(rng)
    data, S = _data(X, y, s, "gram")
    gram = data.gram.copy()
    gram[2, 3] = gram[3, 2] = np.nan
    result = _kernels.coordinate_descent(
        GramData(gram, data.xty, data.yty), _options(S), np.zeros(9)
    )
    assert result[3] == DIVERGED


def test_bad_inputs_raise_instead_of_reaching_c(rng):
    X, y, s = _problem(rng)
    data, S = _data(X, y, s, "gram")
    with pytest.raises(ValueError, match="coef has"):
        _kernels.coordinate_descent(data, _options(S), np.zeros(3))
    with pytest.raises(ValueError, match="square"):
        _kernels.coordinate_descent(
            GramData(data.gram[:3], data.xty, 1.0), _options(S), np.zeros(9)
        )
    with pytest.raises(ValueError, match="F-contiguous"):
        _kernels.coordinate_descent(
            ColumnData(np.ascontiguousarray(X), y, s), _options(S), np.zeros(9)
        )
    with pytest.raises(ValueError, match="selection"):
        _kernels.coordinate_descent(data, _options(S, selection="shuffle"), np.zeros(9))
    with pytest.raises(ValueError, match="rejected"):
        _kernels.coordinate_descent(data, _options(S, tol=-1.0), np.zeros(9))


def test_solve_enet_along_a_path_matches_cold_fits_with_fewer_sweeps(rng):
    X, y, s = _problem(rng, n=150, d=15)
    system = _enet.statistics_system(X, y.reshape(-1, 1), s, True, 1)
    coef, warm_sweeps, cold_sweeps = None, 0, 0
    for alpha in np.geomspace(1.0, 1e-3, 12):
        warm = _enet.solve_enet(system, 0, alpha, 0.8, coef, tol=1e-9, max_iter=10**5)
        cold = _enet.solve_enet(system, 0, alpha, 0.8, None, tol=1e-9, max_iter=10**5)
        assert warm.converged and cold.converged
        np.testing.assert_allclose(warm.coef, cold.coef, rtol=1e-6, atol=1e-9)
        coef = warm.coef
        warm_sweeps += warm.n_iter
        cold_sweeps += cold.n_iter
    assert warm_sweeps < cold_sweeps
    # the start point is not modified
    start = np.ones(15)
    _enet.solve_enet(system, 0, 0.1, 1.0, start)
    np.testing.assert_array_equal(start, np.ones(15))


def test_solve_enet_with_the_twin_gives_the_same_solution(rng):
    X, y, s = _problem(rng)
    for system in (
        _enet.statistics_system(X, y.reshape(-1, 1), s, True, 1),
        _enet.columns_system(X, y.reshape(-1, 1), s, True),
    ):
        ours = _enet.solve_enet(system, 0, 0.02, 0.5, tol=1e-10)
        twin = _enet.solve_enet(
            system, 0, 0.02, 0.5, tol=1e-10, solver=reference.coordinate_descent
        )
        np.testing.assert_allclose(ours.coef, twin.coef, rtol=1e-9, atol=1e-12)
        assert ours.n_iter == twin.n_iter
        np.testing.assert_allclose(ours.dual_gap, twin.dual_gap, rtol=1e-3, atol=1e-14)


def test_use_gram_is_the_one_routing_rule():
    assert _enet.use_gram("auto", 100, 100) and not _enet.use_gram("auto", 99, 100)
    assert _enet.use_gram(True, 10, 100) and not _enet.use_gram(False, 1000, 10)
    assert _enet.use_gram(np.eye(3), 10, 3)
    assert not _enet.use_gram("auto", 10**6, 20_000)  # 3.2 GB of Gram matrix
    # a sparse X has no column system: its Gram whenever it fits comfortably
    assert _enet.use_gram(False, 1000, 10, sparse=True)
    assert _enet.use_gram("auto", 10, 4096, sparse=True)
    assert not _enet.use_gram(True, 10**6, 4097, sparse=True)
