# tests/test_cv_enet.py: LassoCV and ElasticNetCV against scikit-learn's on the same folds
# and grid (choice, mse_path_, refit, attribute shapes), the statistics of the folds, and
# input checks.
import numpy as np
import pytest
from sklearn import config_context
from sklearn import linear_model as sk
from sklearn.model_selection import GroupKFold, KFold, ShuffleSplit
from threadpoolctl import threadpool_limits

import fastreg
from fastreg._cv_folds import fold_statistics, held_out_squared_error
from fastreg._statistics import statistics


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # scikit-learn's small BLAS calls slow down tenfold on a busy machine with 2 threads
    with threadpool_limits(limits=1):
        yield


@pytest.fixture
def data():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, 10))
    X[:, 1:] += 0.6 * X[:, :-1]
    truth = np.zeros(10)
    truth[[0, 3, 7]] = [1.5, -2.0, 0.7]
    return X + 5.0, X @ truth + rng.standard_normal(200) + 3.0


def _same_choice(ours, theirs):
    i = list(ours.alphas_.ravel()).index(ours.alpha_)
    j = list(theirs.alphas_.ravel()).index(theirs.alpha_)
    assert i == j
    np.testing.assert_allclose(ours.alpha_, theirs.alpha_, rtol=1e-12)


@pytest.mark.parametrize(
    "cv", [KFold(5), KFold(4, shuffle=True, random_state=0), ShuffleSplit(3, random_state=0)]
)
@pytest.mark.parametrize("weighted", [False, True])
def test_lasso_cv_matches_sklearn(data, cv, weighted):
    X, y = data
    sw = np.random.default_rng(2).uniform(0.2, 3.0, len(y)) if weighted else None
    ours = fastreg.LassoCV(cv=cv, alphas=40, tol=1e-8).fit(X, y, sample_weight=sw)
    theirs = sk.LassoCV(cv=cv, alphas=40, tol=1e-8).fit(X, y, sample_weight=sw)
    _same_choice(ours, theirs)
    assert ours.mse_path_.shape == theirs.mse_path_.shape == (40, cv.get_n_splits())
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-6)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-5)
    assert ours.dual_gap_ <= 1e-8 * np.var(y) * 10
    assert isinstance(ours.n_iter_, int)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), atol=1e-5)


def test_elastic_net_cv_grid_of_l1_ratios(data):
    X, y = data
    cv = KFold(3)
    ours = fastreg.ElasticNetCV(l1_ratio=[0.1, 0.5, 0.9], alphas=25, cv=cv).fit(X, y)
    theirs = sk.ElasticNetCV(l1_ratio=[0.1, 0.5, 0.9], alphas=25, cv=cv).fit(X, y)
    assert ours.l1_ratio_ == theirs.l1_ratio_
    _same_choice(ours, theirs)
    assert ours.alphas_.shape == theirs.alphas_.shape == (3, 25)
    assert ours.mse_path_.shape == theirs.mse_path_.shape == (3, 25, 3)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-5)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)


def test_explicit_alphas_no_intercept_positive_and_precompute_false(data):
    X, y = data
    cv = KFold(4)
    grid = [0.3, 0.01, 0.1, 0.03]
    for params in ({"fit_intercept": False}, {"positive": True}, {"precompute": False}):
        ours = fastreg.ElasticNetCV(alphas=grid, cv=cv, l1_ratio=0.7, **params).fit(X, y)
        theirs = sk.ElasticNetCV(alphas=grid, cv=cv, l1_ratio=0.7, **params).fit(X, y)
        assert ours.alphas_.tolist() == [0.3, 0.1, 0.03, 0.01] == theirs.alphas_.tolist()
        assert ours.alpha_ == theirs.alpha_
        np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-5)
        np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)


def test_groups_reach_the_splitter(data):
    X, y = data
    groups = np.arange(len(y)) % 7
    with pytest.raises(ValueError, match="routing"):  # scikit-learn's rule without routing
        fastreg.LassoCV(cv=GroupKFold(3), alphas=10).fit(X, y, groups=groups)
    with config_context(enable_metadata_routing=True):
        ours = fastreg.LassoCV(cv=GroupKFold(3), alphas=10).fit(X, y, groups=groups)
    # scikit-learn needs metadata routing for groups; compare with its explicit folds
    folds = list(GroupKFold(3).split(X, y, groups))
    theirs = sk.LassoCV(cv=folds, alphas=10).fit(X, y)
    assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-12)


def test_fold_statistics_are_the_folds_own(data):
    X, y = data
    Y = y[:, None]
    folds = list(KFold(4, shuffle=True, random_state=3).split(X))
    stats = fold_statistics(X, Y, None, folds, 1)
    for (train, test), tr, te in zip(folds, stats.train, stats.test, strict=True):
        exact_tr, exact_te = statistics(X[train], Y[train]), statistics(X[test], Y[test])
        np.testing.assert_allclose(tr.gram, exact_tr.gram, rtol=1e-10)
        np.testing.assert_allclose(tr.xty, exact_tr.xty, rtol=1e-10)
        np.testing.assert_allclose(te.x_mean, exact_te.x_mean, rtol=1e-12)
        coefs = np.random.default_rng(0).standard_normal((10, 3))
        intercepts = np.array([0.5, -1.0, 2.0])
        residual = Y[test] - X[test] @ coefs - intercepts
        np.testing.assert_allclose(
            held_out_squared_error(te, coefs, intercepts), np.mean(residual**2, axis=0)
        )


def test_multi_target_is_refused_as_sklearn(data):
    X, y = data
    with pytest.raises(ValueError, match="MultiTask"):
        fastreg.LassoCV().fit(X, np.c_[y, y])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"alphas": 0}, "alphas"),
        ({"alphas": [-0.1, 1.0]}, r"alphas\[0\] == -0.1, must be >= 0.0."),
        ({"alphas": (1, -1, -100)}, r"alphas\[1\] == -1, must be >= 0.0."),
        ({"alphas": (1.0, np.inf)}, r"alphas\[1\] == inf, must be a finite float"),
        ({"alphas": []}, "non-empty"),
        ({"eps": -1.0}, "eps"),
        ({"max_iter": 0}, "max_iter"),
        ({"selection": "x"}, "selection"),
    ],
)
def test_bad_parameters(data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        fastreg.LassoCV(**params).fit(X, y)


def test_a_string_among_the_alphas_is_a_type_error_as_in_scikit_learn(data):
    X, y = data
    for estimator in (fastreg.LassoCV(alphas=(1, 1.0, "1")), sk.LassoCV(alphas=(1, 1.0, "1"))):
        with pytest.raises(TypeError, match=r"alphas\[2\] must be an instance of float, not str"):
            estimator.fit(X, y)


def test_bad_l1_ratio_and_data(data):
    X, y = data
    with pytest.raises(ValueError, match="l1_ratio"):
        fastreg.ElasticNetCV(l1_ratio=[0.5, 1.5]).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio=0"):
        fastreg.ElasticNetCV(l1_ratio=0.0).fit(X, y)
    with pytest.raises(ValueError, match=r"NaN|infinity"):
        fastreg.LassoCV().fit(np.where(X > 7, np.nan, X), y)
    model = fastreg.LassoCV()
    with pytest.raises(ValueError):
        model.fit(X, y[:-3])
    assert not hasattr(model, "coef_")  # a failed fit leaves no fitted state
