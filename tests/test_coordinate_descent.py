# Lasso and ElasticNet as scikit-learn drop-ins: exact answers on toy problems, parity
# with scikit-learn (coefficients, intercept, dual_gap_, n_iter_) on diabetes and random
# problems, the shapes of a 2-D y, precompute, selection, warm starts, positivity,
# sample weights, float32, and scikit-learn's warnings and errors.
import warnings
from fractions import Fraction

import numpy as np
import pytest
import sklearn.linear_model as sk
from scipy import sparse
from sklearn.datasets import load_diabetes, make_regression
from sklearn.exceptions import ConvergenceWarning

from fastreg import ElasticNet, Lasso

TOY_X = [[-1.0], [0.0], [1.0]]
TOY_Y = [-1.0, 0.0, 1.0]


def _exact_toy(alpha, l1_ratio):
    """The 1-feature elastic net in rationals: soft(x.y/n, a r) / (x.x/n + a (1 - r))."""
    xy, xx = Fraction(2, 3), Fraction(2, 3)  # centred data, n = 3
    a, r = Fraction(alpha), Fraction(l1_ratio)
    excess = xy - a * r
    return float(max(excess, 0) / (xx + a * (1 - r)))


@pytest.mark.parametrize("alpha", [1e-8, 0.1, 0.5, 1.0])
def test_lasso_toy_is_exact(alpha):
    model = Lasso(alpha=alpha).fit(TOY_X, TOY_Y)
    assert model.coef_[0] == pytest.approx(_exact_toy(alpha, 1.0), abs=1e-12)
    assert abs(model.intercept_) <= 1e-15
    assert abs(model.dual_gap_) <= 1e-12
    np.testing.assert_allclose(
        model.predict([[2.0], [3.0]]),
        2 * [_exact_toy(alpha, 1.0)] * np.array([2.0, 3.0]),
        atol=1e-12,
    )


@pytest.mark.parametrize("precompute", ["auto", True, False])
@pytest.mark.parametrize(("alpha", "l1_ratio"), [(1e-8, 1.0), (0.5, 0.3), (0.5, 0.5)])
def test_enet_toy_is_exact(alpha, l1_ratio, precompute):
    model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, precompute=precompute).fit(TOY_X, TOY_Y)
    assert model.coef_[0] == pytest.approx(_exact_toy(alpha, l1_ratio), abs=1e-9)
    assert abs(model.dual_gap_) <= 1e-9


def _compare(ours, theirs, X, y, sample_weight=None, *, rtol=1e-7, n_iter=True):
    ours.fit(X, y, sample_weight=sample_weight)
    theirs.fit(X, y, sample_weight=sample_weight)
    scale = np.max(np.abs(theirs.coef_))
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(ours.dual_gap_, theirs.dual_gap_, rtol=1e-4, atol=1e-12 * scale)
    if n_iter:
        assert ours.n_iter_ == theirs.n_iter_
    return ours, theirs


PARITY_CASES = [
    (Lasso, {"alpha": 0.5}),
    (Lasso, {"alpha": 0.01, "fit_intercept": False}),
    (Lasso, {"alpha": 0.02, "positive": True}),
    (Lasso, {"alpha": 0.01, "selection": "random", "random_state": 5}),
    (ElasticNet, {"alpha": 0.005, "l1_ratio": 0.7}),
    (ElasticNet, {"alpha": 0.01, "l1_ratio": 0.0}),
    (ElasticNet, {"alpha": 0.001, "l1_ratio": 0.2, "tol": 1e-8, "max_iter": 10_000}),
]


@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize(("cls", "params"), PARITY_CASES)
def test_diabetes_parity_with_scikit_learn(cls, params, precompute):
    X, y = load_diabetes(return_X_y=True)
    ours, theirs = _compare(
        cls(precompute=precompute, **params),
        getattr(sk, cls.__name__)(precompute=precompute, **params),
        X,
        y,
    )
    np.testing.assert_array_equal(ours.coef_ == 0, theirs.coef_ == 0)


@pytest.mark.parametrize("shape", [(300, 20), (40, 120)])
@pytest.mark.parametrize("weighted", [False, True])
def test_random_problems_parity_with_scikit_learn(shape, weighted, rng):
    n, d = shape
    X = rng.standard_normal((n, d)) * rng.uniform(0.5, 3.0, d) + rng.uniform(-2, 2, d)
    w = rng.standard_normal(d) * (rng.uniform(size=d) < 0.3)
    y = X @ w + 0.5 * rng.standard_normal(n) + 3.0
    s = rng.uniform(0.1, 4.0, n) if weighted else None
    for cls, params in [(Lasso, {"alpha": 0.05}), (ElasticNet, {"alpha": 0.05, "l1_ratio": 0.6})]:
        _compare(cls(**params), getattr(sk, cls.__name__)(**params), X, y, s)


def test_multi_output_equals_per_column_fits_and_has_scikit_learns_shapes(rng):
    X = rng.standard_normal((60, 7))
    Y = X @ rng.standard_normal((7, 3)) + rng.standard_normal((60, 3))
    model = ElasticNet(alpha=0.05, l1_ratio=0.8).fit(X, Y)
    theirs = sk.ElasticNet(alpha=0.05, l1_ratio=0.8).fit(X, Y)
    assert model.coef_.shape == (3, 7) and model.intercept_.shape == (3,)
    assert model.dual_gap_.shape == (3,) and isinstance(model.n_iter_, list)
    assert model.predict(X).shape == (60, 3) and len(model.loss_curve_) == 3
    assert model.sparse_coef_.shape == (3, 7)
    for k in range(3):
        single = ElasticNet(alpha=0.05, l1_ratio=0.8).fit(X, Y[:, k])
        np.testing.assert_allclose(model.coef_[k], single.coef_, rtol=1e-12)
        np.testing.assert_allclose(model.intercept_[k], single.intercept_, rtol=1e-12)
        assert model.n_iter_[k] == single.n_iter_ == theirs.n_iter_[k]
    np.testing.assert_allclose(model.coef_, theirs.coef_, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(model.dual_gap_, theirs.dual_gap_, rtol=1e-4)
    # a one-column y: scikit-learn's 1-D coef_ with a (1,) intercept_
    column = Lasso(alpha=0.05).fit(X, Y[:, :1])
    sk_column = sk.Lasso(alpha=0.05).fit(X, Y[:, :1])
    assert column.coef_.shape == sk_column.coef_.shape == (7,)
    assert np.shape(column.intercept_) == np.shape(sk_column.intercept_) == (1,)
    assert np.ndim(column.dual_gap_) == 0 and isinstance(column.n_iter_, int)
    assert Lasso(fit_intercept=False).fit(X, Y).intercept_ == 0.0


def test_precompute_true_false_auto_and_array_agree(rng):
    X, y = make_regression(n_samples=200, n_features=15, noise=5.0, random_state=2)
    s = rng.uniform(0.5, 2.0, 200)
    Xc = X - np.average(X, axis=0, weights=s)
    s_norm = s * (200 / s.sum())
    gram = (Xc * s_norm[:, None]).T @ Xc  # scikit-learn's convention
    fits = [
        ElasticNet(alpha=0.3, precompute=p, tol=1e-10).fit(Xc, y, sample_weight=s)
        for p in ("auto", True, False, gram)
    ]
    for other in fits[1:]:
        np.testing.assert_allclose(other.coef_, fits[0].coef_, rtol=1e-8)
        assert other.n_iter_ == fits[0].n_iter_
    theirs = sk.ElasticNet(alpha=0.3, precompute=gram, tol=1e-10).fit(Xc, y, sample_weight=s)
    np.testing.assert_allclose(fits[3].coef_, theirs.coef_, rtol=1e-7)


def test_precomputed_gram_checks_and_warnings(rng):
    X = rng.standard_normal((50, 6)) + 1.0
    y = X @ rng.standard_normal(6)
    with pytest.warns(UserWarning, match="Gram matrix was provided but X was centered"):
        recomputed = Lasso(alpha=0.1, precompute=X.T @ X).fit(X, y)
    np.testing.assert_allclose(recomputed.coef_, Lasso(alpha=0.1).fit(X, y).coef_)
    Xc = X - X.mean(axis=0)
    garbage = rng.standard_normal((50, 6))
    with pytest.raises(ValueError, match=r"Gram matrix.*did not pass validation"):
        Lasso(alpha=0.1, precompute=garbage.T @ garbage).fit(Xc, y)
    with pytest.raises(ValueError, match="shape"):
        Lasso(precompute=np.eye(3)).fit(Xc, y)
    with pytest.raises(ValueError, match="Precompute should be one of True, False, 'auto'"):
        Lasso(precompute="yes").fit(Xc, y)


def test_random_selection_is_deterministic_per_seed():
    X, y = load_diabetes(return_X_y=True)
    first = ElasticNet(alpha=0.001, selection="random", random_state=3).fit(X, y)
    again = ElasticNet(alpha=0.001, selection="random", random_state=3).fit(X, y)
    assert first.coef_.tobytes() == again.coef_.tobytes() and first.n_iter_ == again.n_iter_
    other = ElasticNet(alpha=0.001, selection="random", random_state=4).fit(X, y)
    assert other.coef_.tobytes() != first.coef_.tobytes()
    # the same seeds draw scikit-learn's coordinates: the same sweeps
    for seed in (3, 4):
        theirs = sk.ElasticNet(alpha=0.001, selection="random", random_state=seed).fit(X, y)
        ours = ElasticNet(alpha=0.001, selection="random", random_state=seed).fit(X, y)
        assert ours.n_iter_ == theirs.n_iter_
    cyclic = ElasticNet(alpha=0.001, tol=1e-12, max_iter=10**5).fit(X, y)
    random = ElasticNet(alpha=0.001, tol=1e-12, max_iter=10**5, selection="random").fit(X, y)
    np.testing.assert_allclose(random.coef_, cyclic.coef_, rtol=1e-6)


def test_warm_start_continues_and_stops_at_once_when_converged():
    X, y = load_diabetes(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        twice = ElasticNet(alpha=0.001, max_iter=5, warm_start=True).fit(X, y).fit(X, y)
        once = ElasticNet(alpha=0.001, max_iter=10).fit(X, y)
    np.testing.assert_allclose(twice.coef_, once.coef_, rtol=1e-10)
    model = Lasso(alpha=0.1).fit(X, y)
    assert model.n_iter_ > 2
    model.set_params(warm_start=True).fit(X, y)
    assert model.n_iter_ == 0 and model.loss_curve_.shape == (0,)


@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize("tol", [1e-2, 1e-4, 1e-7])
def test_duality_gap_is_below_tol_at_return(tol, precompute, rng):
    X = rng.standard_normal((150, 12))
    y = X @ rng.standard_normal(12) + rng.standard_normal(150)
    s = rng.uniform(0.5, 3.0, 150)
    model = ElasticNet(alpha=0.05, l1_ratio=0.5, tol=tol, precompute=precompute)
    model.fit(X, y, sample_weight=s)
    y_c = y - np.average(y, weights=s)
    assert model.dual_gap_ <= tol * (s @ y_c**2) / s.sum()


def test_positive_constraint_matches_scikit_learn():
    X = [[-1.0], [0.0], [1.0]]
    y = [1.0, 0.0, -1.0]
    for precompute in (True, False):
        assert Lasso(alpha=0.1, positive=True, precompute=precompute).fit(X, y).coef_[0] == 0.0
    X, y = load_diabetes(return_X_y=True)
    ours = ElasticNet(alpha=0.001, positive=True).fit(X, y)
    theirs = sk.ElasticNet(alpha=0.001, positive=True).fit(X, y)
    assert np.all(ours.coef_ >= 0) and np.any(ours.coef_ == 0)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-7, atol=1e-6)
    assert ours.n_iter_ == theirs.n_iter_


@pytest.mark.parametrize("precompute", [True, False])
def test_float32_fits_in_float32_close_to_float64(precompute):
    X, y = load_diabetes(return_X_y=True)
    double = Lasso(alpha=0.05, precompute=precompute, tol=1e-8).fit(X, y)
    single = Lasso(alpha=0.05, precompute=precompute, tol=1e-8).fit(
        X.astype(np.float32), y.astype(np.float32)
    )
    assert single.coef_.dtype == np.float32 and isinstance(single.intercept_, np.float32)
    assert single.dual_gap_.dtype == np.float32
    assert single.predict(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(single.coef_, double.coef_, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("precompute", [True, False])
def test_integer_weights_equal_repeated_rows(precompute, rng):
    X = rng.standard_normal((40, 6))
    y = X @ rng.standard_normal(6) + rng.standard_normal(40)
    counts = rng.integers(0, 4, 40)
    counts[0] = 2
    weighted = ElasticNet(alpha=0.05, precompute=precompute, tol=1e-10)
    weighted.fit(X, y, sample_weight=counts.astype(float))
    repeated = ElasticNet(alpha=0.05, precompute=precompute, tol=1e-10)
    repeated.fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-9)
    np.testing.assert_allclose(weighted.dual_gap_, repeated.dual_gap_, rtol=1e-4, atol=1e-15)
    assert weighted.n_iter_ == repeated.n_iter_


def test_dual_gap_is_scikit_learns_formulation():
    # scikit-learn's own check: the gap of the 1/n-scaled objective at a rescaled dual point
    rs = np.random.RandomState(0)
    w = rs.randn(30)
    w[10:] = 0.0
    X = rs.randn(10, 30)
    y = X @ w
    alpha = 0.01 * np.max(np.abs(X.T @ y)) / 10
    model = Lasso(alpha=alpha, fit_intercept=False).fit(X, y)
    R = y - X @ model.coef_
    primal = 0.5 * np.mean(R**2) + alpha * np.sum(np.abs(model.coef_))
    R /= np.max(np.abs(X.T @ R) / (10 * alpha))
    dual = 0.5 * (np.mean(y**2) - np.mean((y - R) ** 2))
    np.testing.assert_allclose(model.dual_gap_, primal - dual)


def test_scikit_learns_warnings():
    with pytest.warns(UserWarning, match="With alpha=0, this algorithm does not converge well"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            Lasso(alpha=0).fit(TOY_X, TOY_Y)
    X = np.array([[-1, -1, 1, 1], [1, 1, -1, -1]], dtype=float)
    for precompute in (True, False):
        model = Lasso(
            alpha=1e-10,
            fit_intercept=False,
            warm_start=True,
            max_iter=1,
            tol=1e-10,
            precompute=precompute,
        )
        model.coef_ = np.array([1.0, 1.0, 1.0, 1000.0])
        match = "Objective did not converge. You might want to increase the number of iter"
        with pytest.warns(ConvergenceWarning, match=match) as caught:
            model.fit(X, np.array([-1.0, 1.0]))
        assert "Duality gap: " in str(caught[0].message) and model.n_iter_ == 1


def test_non_finite_coefficients_raise_scikit_learns_error():
    rs = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rs.uniform(size=(10, 2))
    y = rs.randint(0, 2, size=10).astype(float)
    with pytest.raises(ValueError, match="overflow"):
        ElasticNet(alpha=0.1).fit(X, y)


def test_check_input_false_and_copy_x_leave_x_unchanged(rng):
    X = np.asfortranarray(rng.standard_normal((30, 5)) + 2.0)
    y = X @ rng.standard_normal(5)
    before = X.copy()
    checked = ElasticNet(alpha=0.01, copy_X=False).fit(X, y)
    unchecked = ElasticNet(alpha=0.01, copy_X=False).fit(X, y, check_input=False)
    np.testing.assert_array_equal(X, before)
    np.testing.assert_array_equal(checked.coef_, unchecked.coef_)
    with pytest.raises(ValueError, match="check_input=False"):
        ElasticNet().fit(X.tolist(), y, check_input=False)


def test_fastreg_solvers_still_reach_the_minimiser_and_report_the_gap():
    X, y = load_diabetes(return_X_y=True)
    cd = ElasticNet(alpha=0.01, l1_ratio=0.5, tol=1e-10).fit(X, y)
    for solver in ("fista", "gd"):
        other = ElasticNet(alpha=0.01, l1_ratio=0.5, solver=solver, tol=1e-6, max_iter=10**6)
        other.fit(X, y)
        np.testing.assert_allclose(other.coef_, cd.coef_, rtol=1e-3, atol=1e-2)
        assert 0 <= other.dual_gap_ < 1e-3
    with pytest.raises(ValueError, match="fista"):
        Lasso(solver="lbfgs").fit(X, y)
    smooth = ElasticNet(alpha=0.01, l1_ratio=0.0, solver="lbfgs", tol=1e-10).fit(X, y)
    exact = ElasticNet(alpha=0.01, l1_ratio=0.0, tol=1e-12, max_iter=10**5).fit(X, y)
    np.testing.assert_allclose(smooth.coef_, exact.coef_, rtol=1e-6)


def test_sparse_coef_and_parameters():
    model = Lasso(alpha=0.5).fit(*load_diabetes(return_X_y=True))
    assert sparse.issparse(model.sparse_coef_) and model.sparse_coef_.shape == (1, 10)
    np.testing.assert_array_equal(model.sparse_coef_.toarray()[0], model.coef_)
    ours = set(Lasso().get_params()) - {"solver", "learning_rate", "verbose", "n_jobs"}
    assert ours == set(sk.Lasso().get_params())
    ours = set(ElasticNet().get_params()) - {"solver", "learning_rate", "verbose", "n_jobs"}
    assert ours == set(sk.ElasticNet().get_params())
    with pytest.raises(ValueError, match="selection"):
        Lasso(selection="shuffle").fit([[1.0], [2.0]], [1.0, 2.0])
    with pytest.raises(TypeError, match="positive"):
        Lasso(positive="yes").fit([[1.0], [2.0]], [1.0, 2.0])
