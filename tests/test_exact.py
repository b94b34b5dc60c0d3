# The exact least-squares solves (fastreg/_exact.py, fastreg/_nnls.py) behind
# LinearRegression, Ridge and PolynomialRegression: correct digits against exact
# references (NIST's certified Longley values, exact polynomials, mpmath) never below
# scikit-learn's, multi-output shapes as scikit-learn 1.9 gives them, positive=True
# against scipy.optimize.nnls and scikit-learn, the solver-name table, sample weights and
# dtypes.
import importlib.util
import pathlib

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

import fastreg
from fastreg import LinearRegression, PolynomialRegression, Ridge
from fastreg._exact import solve_least_squares
from fastreg._nnls import nnls_gram
from fastreg._statistics import sufficient_statistics

_BENCH = pathlib.Path(__file__).resolve().parents[1] / "bench" / "least_squares.py"
_spec = importlib.util.spec_from_file_location("least_squares_cases", _BENCH)
cases_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases_module)

CASES = cases_module.accuracy_cases()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_digits_never_below_scikit_learn(case):
    ours = cases_module._fitted(case, "fastreg")
    theirs = cases_module._fitted(case, "sklearn")
    per = case["per_coefficient"]
    digits_ours = cases_module._digits(ours, case["reference"], per)
    digits_theirs = cases_module._digits(theirs, case["reference"], per)
    assert digits_ours >= digits_theirs - 0.3, (digits_ours, digits_theirs)
    assert digits_ours >= 5.0


def test_longley_certified_values():
    X, y = cases_module.LONGLEY[:, 1:], cases_module.LONGLEY[:, 0]
    model = LinearRegression().fit(X, y)
    np.testing.assert_allclose(
        np.r_[model.intercept_, model.coef_], cases_module.LONGLEY_CERTIFIED, rtol=1e-13
    )


def test_exact_quintic_is_predicted_exactly():
    x = np.arange(21.0)[:, None]
    coefficients = np.array([3.0, -2.0, 1.0, 0.5, -0.25, 0.125])
    y = np.polynomial.polynomial.polyval(x.ravel(), coefficients)
    model = PolynomialRegression(degree=5).fit(x, y)
    np.testing.assert_allclose(model.predict(x), y, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(np.r_[model.intercept_, model.coef_], coefficients, rtol=1e-10)


def test_random_square_design_matches_the_minimum_norm_solution():
    # 100 x 100 with an intercept: rank 99 after centring, the minimum-norm solution
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 100))
    y = X @ rng.standard_normal(100) + rng.standard_normal(100)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    exact = np.linalg.pinv(Xc, rcond=1e-12) @ yc
    model = LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.coef_, exact, rtol=1e-10, atol=1e-11)
    weighted = LinearRegression().fit(X, y, sample_weight=123.0)
    np.testing.assert_allclose(weighted.coef_, model.coef_, rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize("cls", [LinearRegression, Ridge, PolynomialRegression])
def test_a_constant_weight_changes_nothing_without_a_penalty(cls):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, 4))
    y = X @ [1.0, 2.0, -1.0, 0.5] + rng.standard_normal(200)
    params = {"alpha": 0.0} if cls is not LinearRegression else {}
    plain = cls(**params).fit(X, y)
    weighted = cls(**params).fit(X, y, sample_weight=123.0)
    np.testing.assert_allclose(weighted.coef_, plain.coef_, rtol=1e-12)
    np.testing.assert_allclose(weighted.intercept_, plain.intercept_, rtol=1e-12)


def test_default_fits_are_exact_on_a_well_conditioned_design():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((5000, 30)) + 10.0
    y = X @ rng.standard_normal(30) + rng.standard_normal(5000)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    exact = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    model = LinearRegression().fit(X, y)
    assert model.method_ == "cholesky"
    np.testing.assert_allclose(model.coef_, exact, rtol=1e-12)
    ridge = Ridge(alpha=10.0).fit(X, y)
    want = np.linalg.solve(Xc.T @ Xc + 10.0 * np.eye(30), Xc.T @ yc)
    np.testing.assert_allclose(ridge.coef_, want, rtol=1e-12)


# ---- multi-output ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls, sk_cls", [(LinearRegression, sk.LinearRegression), (Ridge, sk.Ridge)]
)
@pytest.mark.parametrize("n_targets", [None, 1, 3])
def test_multi_output_shapes_and_values_match_scikit_learn(cls, sk_cls, n_targets):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((120, 5))
    Y = X @ rng.standard_normal((5, 3)) + rng.standard_normal((120, 3))
    y = Y[:, 0] if n_targets is None else Y[:, :n_targets]
    ours, theirs = cls().fit(X, y), sk_cls().fit(X, y)
    assert ours.coef_.shape == theirs.coef_.shape
    assert np.shape(ours.intercept_) == np.shape(theirs.intercept_)
    assert ours.predict(X).shape == theirs.predict(X).shape
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-10, atol=1e-10)


def test_ridge_alpha_per_target():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((80, 4))
    Y = rng.standard_normal((80, 3))
    alphas = np.array([0.1, 10.0, 0.1])
    ours = Ridge(alpha=alphas).fit(X, Y)
    theirs = sk.Ridge(alpha=alphas).fit(X, Y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10)
    for t in range(3):
        single = Ridge(alpha=alphas[t]).fit(X, Y[:, t])
        np.testing.assert_allclose(ours.coef_[t], single.coef_, rtol=1e-12)
    with pytest.raises(ValueError, match="penalties do not correspond: 2 != 3"):
        Ridge(alpha=[1.0, 2.0]).fit(X, Y)


def test_iterative_solvers_fit_each_target():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((100, 3))
    Y = rng.standard_normal((100, 2))
    model = Ridge(solver="lbfgs", tol=1e-12, max_iter=10_000).fit(X, Y)
    exact = Ridge().fit(X, Y)
    assert model.n_iter_.shape == (2,) and len(model.loss_curve_) == 2
    np.testing.assert_allclose(model.coef_, exact.coef_, rtol=1e-7)


# ---- positive -------------------------------------------------------------------------


def _positive_problem(seed, n=150, d=12):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + rng.normal(0, 3, d)
    y = X @ rng.standard_normal(d) + rng.standard_normal(n)
    return X, y


@pytest.mark.parametrize("seed", range(4))
def test_positive_linear_regression_matches_nnls(seed):
    X, y = _positive_problem(seed)
    model = LinearRegression(positive=True).fit(X, y)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    want = scipy.optimize.nnls(Xc, yc)[0]
    assert model.method_ == "nnls"
    assert np.all(model.coef_ >= 0)
    np.testing.assert_allclose(model.coef_, want, rtol=1e-9, atol=1e-12)
    theirs = sk.LinearRegression(positive=True).fit(X, y)
    np.testing.assert_allclose(model.coef_, theirs.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(model.intercept_, theirs.intercept_, rtol=1e-8)


@pytest.mark.parametrize("seed", range(3))
def test_positive_ridge_matches_nnls_of_the_augmented_system(seed):
    X, y = _positive_problem(seed)
    alpha = 5.0
    model = Ridge(alpha=alpha, positive=True).fit(X, y)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    A = np.vstack([Xc, np.sqrt(alpha) * np.eye(X.shape[1])])
    want = scipy.optimize.nnls(A, np.r_[yc, np.zeros(X.shape[1])])[0]
    np.testing.assert_allclose(model.coef_, want, rtol=1e-9, atol=1e-12)
    theirs = sk.Ridge(alpha=alpha, positive=True, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(model.coef_, theirs.coef_, rtol=1e-5, atol=1e-6)
    # the iterative route with the bound reaches the same minimiser
    fista = Ridge(alpha=alpha, positive=True, solver="lbfgs", tol=1e-10, max_iter=100_000)
    fista.fit(X, y)
    assert fista.method_ == "fista"
    np.testing.assert_allclose(fista.coef_, want, rtol=1e-5, atol=1e-6)


def test_nnls_gram_satisfies_the_optimality_conditions():
    rng = np.random.default_rng(7)
    A = rng.standard_normal((60, 15))
    H, c = A.T @ A, A.T @ rng.standard_normal(60)
    w, _ = nnls_gram(H, c)
    gradient = H @ w - c
    assert np.all(w >= 0)
    np.testing.assert_allclose(gradient[w > 0], 0.0, atol=1e-10)
    assert np.all(gradient[w == 0] >= -1e-10)


# ---- solvers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "solver, method",
    [
        ("auto", "cholesky"),
        ("cholesky", "cholesky"),
        ("svd", "lstsq"),
        ("lstsq", "lstsq"),
        ("lsqr", "cholesky"),
        ("sparse_cg", "cholesky"),
        ("sag", "cholesky"),
        ("saga", "cholesky"),
        ("lbfgs", "lbfgs"),
        ("gd", "gd"),
        ("fista", "fista"),
    ],
)
def test_scikit_learn_solver_names_reach_the_documented_method(solver, method):
    rng = np.random.default_rng(8)
    X = rng.standard_normal((200, 5))
    y = X @ rng.standard_normal(5) + rng.standard_normal(200)
    model = Ridge(alpha=2.0, solver=solver, tol=1e-10, max_iter=200_000).fit(X, y)
    assert model.method_ == method
    # solver_ as scikit-learn's Ridge reports it: the name given, "auto" resolved its way
    assert model.solver_ == ("cholesky" if solver == "auto" else solver)
    want = sk.Ridge(alpha=2.0, solver="cholesky").fit(X, y)
    rtol = 1e-6 if method in ("lbfgs", "gd", "fista") else 1e-12
    np.testing.assert_allclose(model.coef_, want.coef_, rtol=rtol)


@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd", "lsqr", "sparse_cg", "sag"])
@pytest.mark.parametrize("positive", [False, True])
def test_ridge_reports_the_solver_as_scikit_learn_does(solver, positive):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 4))
    y = X @ [1.0, 2.0, 0.5, 3.0] + 0.1 * rng.standard_normal(40)
    for data in (X, scipy.sparse.csr_array(X)):
        is_sparse = scipy.sparse.issparse(data)
        fit_intercept = not is_sparse  # the names scikit-learn takes on sparse X
        if (positive and solver != "auto") or (is_sparse and solver == "svd"):
            continue
        ours = Ridge(solver=solver, positive=positive, fit_intercept=fit_intercept)
        theirs = sk.Ridge(solver=solver, positive=positive, fit_intercept=fit_intercept)
        assert ours.fit(data, y).solver_ == theirs.fit(data, y).solver_


@pytest.mark.parametrize("solver", ["svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga"])
def test_ridge_positive_takes_only_the_names_scikit_learn_allows(solver):
    X, y = _positive_problem(0)
    with pytest.raises(ValueError, match=f"solver='{solver}' does not support positive"):
        Ridge(positive=True, solver=solver).fit(X, y)
    with pytest.raises(ValueError, match=f"solver='{solver}' does not support positive"):
        sk.Ridge(positive=True, solver=solver).fit(X, y)
    # fastreg's own names have no such restriction
    exact = Ridge(positive=True).fit(X, y)
    lstsq = Ridge(positive=True, solver="lstsq").fit(X, y)
    assert (exact.method_, lstsq.method_) == ("nnls", "nnls")
    np.testing.assert_allclose(lstsq.coef_, exact.coef_, rtol=1e-9, atol=1e-12)


def test_singular_gram_falls_back_to_the_stable_solve():
    rng = np.random.default_rng(9)
    X = rng.standard_normal((50, 3))
    X = np.c_[X, X[:, 0] + X[:, 1]]  # exactly collinear
    y = X @ [1.0, 2.0, 3.0, 0.0] + 0.1 * rng.standard_normal(50)
    model = LinearRegression().fit(X, y)
    assert model.method_ == "lstsq"
    theirs = sk.LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.coef_, theirs.coef_, rtol=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_in_float32_out_and_close_to_float64(dtype):
    rng = np.random.default_rng(10)
    X = rng.standard_normal((3000, 8)).astype(dtype)
    y = (X @ np.arange(1.0, 9.0) + rng.standard_normal(3000)).astype(dtype)
    model = LinearRegression().fit(X, y)
    assert model.coef_.dtype == dtype and model.predict(X).dtype == dtype
    exact = LinearRegression().fit(X.astype(np.float64), y.astype(np.float64))
    np.testing.assert_allclose(
        model.coef_, exact.coef_, rtol=1e-5 if dtype == np.float32 else 1e-13
    )


def test_solve_from_statistics_alone_for_a_well_conditioned_problem():
    rng = np.random.default_rng(11)
    X = rng.standard_normal((400, 6))
    Y = rng.standard_normal((400, 2))
    stats = sufficient_statistics(X, Y)
    solution = solve_least_squares(
        stats, np.zeros(2), fit_intercept=True, data=(X, Y, None), dtype=np.float64
    )
    assert solution.method == "cholesky" and solution.refinements == 0
    want = sk.LinearRegression().fit(X, Y)
    np.testing.assert_allclose(solution.coef, want.coef_, rtol=1e-12)


def test_the_caller_x_is_never_written():
    X, y = cases_module.LONGLEY[:, 1:].copy(), cases_module.LONGLEY[:, 0].copy()
    X.setflags(write=False)
    for solver in ("auto", "svd"):
        fastreg.LinearRegression(solver=solver).fit(X, y)
        fastreg.LinearRegression(solver=solver, positive=True).fit(X, y)
    np.testing.assert_array_equal(X, cases_module.LONGLEY[:, 1:])


def test_ridge_messages_carry_scikit_learns_words():
    # the phrases scikit-learn's own messages have, which users' code and tests match
    rng = np.random.default_rng(4)
    X, Y = rng.standard_normal((20, 4)), rng.standard_normal((20, 3))
    with pytest.raises(ValueError, match="Sample weights must be 1D array or scalar"):
        Ridge().fit(X, Y[:, 0], np.ones((20, 1)))
    with pytest.raises(ValueError, match="do not correspond: 2 != 3"):
        Ridge(alpha=[1.0, 2.0]).fit(X, Y)
    X2, y2 = np.array([[1.0, -1.0], [1.0, 1.0]]), np.array([-1e10, 1e10])
    lbfgs = Ridge(solver="lbfgs", positive=True, fit_intercept=False, tol=1e-12, max_iter=1)
    with pytest.warns(ConvergenceWarning, match="^The lbfgs solver did not converge"):
        lbfgs.fit(X2, y2)
