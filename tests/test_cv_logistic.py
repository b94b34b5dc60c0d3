# tests/test_cv_logistic.py: LogisticRegressionCV against scikit-learn's on the same folds
# and Cs: the choice, the refit, scores_, coefs_paths_, n_iter_ and C_ in both attribute
# layouts, l1_ratios, scorers, refit=False, warnings and input checks.
import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import fastreg


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # scikit-learn's small BLAS calls slow down tenfold on a busy machine with 2 threads
    with threadpool_limits(limits=1):
        yield


CS = [0.01, 0.1, 1.0, 10.0]
QUIET = dict(tol=1e-10, max_iter=2000, l1_ratios=(0.0,), use_legacy_attributes=True)


def _data(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _fit_both(X, y, **params):
    ours = fastreg.LogisticRegressionCV(**params).fit(X, y)
    theirs = sk.LogisticRegressionCV(**params).fit(X, y)
    return ours, theirs


@pytest.mark.parametrize("loader", [load_breast_cancer, load_iris])
@pytest.mark.parametrize("scoring", ["accuracy", "neg_log_loss", "roc_auc_ovr"])
def test_choice_scores_and_paths_match_sklearn(loader, scoring):
    X, y = _data(loader)
    ours, theirs = _fit_both(X, y, Cs=CS, scoring=scoring, **QUIET)
    np.testing.assert_array_equal(ours.C_, theirs.C_)
    np.testing.assert_array_equal(ours.Cs_, theirs.Cs_)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=2e-4)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=2e-4)
    assert list(ours.scores_) == list(theirs.scores_)
    for key in theirs.scores_:
        assert ours.scores_[key].shape == theirs.scores_[key].shape
        np.testing.assert_allclose(ours.scores_[key], theirs.scores_[key], atol=1e-4)
        assert ours.coefs_paths_[key].shape == theirs.coefs_paths_[key].shape
        np.testing.assert_allclose(ours.coefs_paths_[key], theirs.coefs_paths_[key], atol=2e-4)
    assert ours.n_iter_.shape == theirs.n_iter_.shape
    assert ours.C_.shape == theirs.C_.shape and ours.l1_ratio_.shape == theirs.l1_ratio_.shape
    assert ours.predict(X).tolist() == theirs.predict(X).tolist()


def test_new_attribute_layout_and_l1_ratios():
    X, y = _data(load_iris)
    params = dict(Cs=[0.1, 1.0, 10.0], tol=1e-8, max_iter=3000, use_legacy_attributes=False)
    params.update(l1_ratios=(0.0, 0.5), solver="saga", scoring="accuracy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # saga's convergence, in both libraries
        ours, theirs = _fit_both(X, y, **params)
    assert ours.coefs_paths_.shape == theirs.coefs_paths_.shape == (5, 2, 3, 3, 5)
    assert ours.scores_.shape == theirs.scores_.shape == (5, 2, 3)
    assert ours.n_iter_.shape == theirs.n_iter_.shape
    assert isinstance(ours.C_, float) and isinstance(ours.l1_ratio_, float)
    assert ours.C_ == theirs.C_ and ours.l1_ratio_ == theirs.l1_ratio_
    np.testing.assert_allclose(ours.scores_, theirs.scores_, atol=0.03)


def test_no_refit_averages_the_folds_best():
    X, y = _data(load_breast_cancer)
    ours, theirs = _fit_both(X, y, Cs=CS, refit=False, scoring="accuracy", **QUIET)
    np.testing.assert_allclose(ours.C_, theirs.C_)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=2e-4)


def test_sample_weight_and_folds():
    X, y = _data(load_breast_cancer)
    sw = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    cv = StratifiedKFold(3, shuffle=True, random_state=1)
    params = dict(Cs=CS, cv=cv, scoring="neg_log_loss", **QUIET)
    ours = fastreg.LogisticRegressionCV(**params).fit(X, y, sample_weight=sw)
    theirs = sk.LogisticRegressionCV(**params).fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(ours.C_, theirs.C_)
    np.testing.assert_allclose(ours.scores_[1], theirs.scores_[1], atol=1e-6)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=2e-4)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), abs=1e-6)


def test_default_warnings_are_sklearns():
    X, y = _data(load_iris)
    with pytest.warns(FutureWarning) as record:
        fastreg.LogisticRegressionCV(Cs=2).fit(X, y)
    messages = " ".join(str(w.message) for w in record)
    for part in ("l1_ratios", "scoring", "use_legacy_attributes"):
        assert part in messages


@pytest.mark.parametrize(
    "params, match",
    [
        ({"Cs": 0}, "Cs"),
        ({"Cs": [1.0, -1.0]}, "Cs"),
        ({"l1_ratios": (0.0, 2.0)}, "l1_ratios"),
    ],
)
def test_bad_parameters(params, match):
    X, y = _data(load_iris)
    base = dict(scoring="accuracy", use_legacy_attributes=False, l1_ratios=(0.0,))
    base.update(params)
    with pytest.raises(ValueError, match=match):
        fastreg.LogisticRegressionCV(**base).fit(X, y)


def test_one_class_is_refused():
    X, _ = _data(load_iris)
    with pytest.raises(ValueError, match="2 classes"):
        fastreg.LogisticRegressionCV(
            l1_ratios=(0.0,), scoring="accuracy", use_legacy_attributes=False
        ).fit(X, np.zeros(len(X)))


def test_sparse_x_gives_the_dense_answer():
    from scipy import sparse

    X, y = _data(load_breast_cancer)
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    params = dict(Cs=[0.1, 1.0], scoring="neg_log_loss", **QUIET)
    dense = fastreg.LogisticRegressionCV(**params).fit(X, y)
    csr = fastreg.LogisticRegressionCV(**params).fit(sparse.csr_matrix(X), y)
    np.testing.assert_array_equal(dense.C_, csr.C_)
    np.testing.assert_allclose(dense.coef_, csr.coef_, atol=1e-8)
    np.testing.assert_allclose(dense.scores_[1], csr.scores_[1], atol=1e-10)


def test_n_jobs_is_its_own_parameter_and_does_not_change_the_answer():
    X, y = _data(load_iris)
    params = dict(Cs=[0.1, 1.0], scoring="accuracy", **QUIET)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # not LogisticRegression's n_jobs one
        two = fastreg.LogisticRegressionCV(n_jobs=2, **params).fit(X, y)
    one = fastreg.LogisticRegressionCV(n_jobs=1, **params).fit(X, y)
    np.testing.assert_array_equal(one.coef_, two.coef_)
