# tests/test_cv_logistic.py: LogisticRegressionCV against scikit-learn's on the same folds
# and Cs: the choice, the refit, scores_, coefs_paths_, n_iter_ and C_ in both attribute
# layouts, l1_ratios, scorers, refit=False, warnings and input checks; folds whose
# training rows lack a class; the metadata routed to the scorer and the splitter.
import warnings

import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn import config_context
from sklearn import linear_model as sk
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.metrics import brier_score_loss, get_scorer
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold
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


# ---- folds whose training rows lack a class ---------------------------------------------


def _sorted_classes(n_classes):
    """Standardised iris rows of the first ``n_classes`` classes, sorted by class, and
    KFold(n_classes): each fold holds out one class, which its training rows lack."""
    X, y = _data(load_iris)
    keep = y < n_classes
    return X[keep], y[keep], KFold(n_classes)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("scoring", ["neg_brier_score", "neg_log_loss", "accuracy"])
def test_folds_missing_a_class_fit_all_classes(n_classes, scoring):
    # scikit-learn's path fits every fold with all rows' classes: the missing class keeps
    # its coefficients. Without an intercept each fit has a unique finite minimiser.
    X, y, cv = _sorted_classes(n_classes)
    params = dict(Cs=[1e-3, 0.1, 10.0], cv=cv, scoring=scoring, fit_intercept=False)
    params.update(QUIET, use_legacy_attributes=False)
    ours, theirs = _fit_both(X, y, **params)
    assert ours.coefs_paths_.shape == theirs.coefs_paths_.shape
    # (scikit-learn's lbfgs stops within ~1e-5 of the minimiser at C=10 here)
    np.testing.assert_allclose(ours.coefs_paths_, theirs.coefs_paths_, atol=1e-5)
    np.testing.assert_allclose(ours.scores_, theirs.scores_, atol=1e-6)
    assert ours.C_ == theirs.C_
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)
    # The exact reference: each fold's solution zeroes the gradient of its objective over
    # all rows' classes, C sum_i loss_i(W) + ||W||^2 / 2, on the training rows.
    for f, (train, _) in enumerate(cv.split(X, y)):
        for c, C in enumerate(params["Cs"]):
            W = ours.coefs_paths_[f, 0, c]
            Z = X[train] @ W.T
            if n_classes == 2:  # one row: the log-odds of the second class
                residual = 1.0 / (1.0 + np.exp(-Z)) - (y[train] == 1)[:, None]
            else:
                proba = np.exp(Z - logsumexp(Z, axis=1, keepdims=True))
                residual = proba - np.eye(n_classes)[y[train]]
            gradient = C * residual.T @ X[train] + W
            assert np.abs(gradient).max() < 1e-6 * max(1.0, C)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_folds_missing_a_class_are_scored_with_all_labels(n_classes):
    # Each fold's score is the scorer's on the fold's solution with all rows' labels.
    X, y, cv = _sorted_classes(n_classes)
    labels = np.unique(y)
    Cs = np.logspace(-6, 3, 4)
    model = fastreg.LogisticRegressionCV(
        Cs=Cs, cv=cv, scoring="neg_brier_score", l1_ratios=(0.0,), use_legacy_attributes=False
    ).fit(X, y)
    assert model.C_ == Cs[0]  # the strongest penalty is the least wrong
    for f, (_, test) in enumerate(cv.split(X, y)):
        for c in range(Cs.size):
            fold = fastreg.LogisticRegression().fit(X, y)
            fold.coef_ = model.coefs_paths_[f, 0, c, :, :-1]
            fold.intercept_ = model.coefs_paths_[f, 0, c, :, -1]
            expected = brier_score_loss(
                y[test], fold.predict_proba(X[test]), labels=labels, pos_label=labels[-1]
            )
            assert model.scores_[f, 0, c] == pytest.approx(-expected, rel=1e-12)


# ---- metadata: what the scorer and the splitter get ---------------------------------------


def _half_weighted(n_samples):
    return np.where(np.arange(n_samples) < n_samples // 2, 3.0, 1.0)


@pytest.mark.parametrize("metric", ["accuracy", "neg_brier_score"])
@pytest.mark.parametrize("requested", [False, True])
def test_sample_weight_reaches_the_scorer_only_when_requested(metric, requested):
    X, y = _data(load_breast_cancer)
    sw = _half_weighted(len(y))
    fits = []
    with config_context(enable_metadata_routing=True):
        for module in (fastreg, sk):
            scorer = get_scorer(metric).set_score_request(sample_weight=requested)
            model = module.LogisticRegressionCV(Cs=CS, scoring=scorer, **QUIET)
            fits.append(model.fit(X, y, sample_weight=sw))
    ours, theirs = fits
    np.testing.assert_allclose(ours.scores_[1], theirs.scores_[1], atol=1e-7)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=2e-4)


def test_held_out_weights_change_the_scores():
    # (so that the test above tells the two cases apart)
    X, y = _data(load_breast_cancer)
    sw = _half_weighted(len(y))
    scores = []
    with config_context(enable_metadata_routing=True):
        for requested in (False, True):
            scorer = get_scorer("accuracy").set_score_request(sample_weight=requested)
            model = fastreg.LogisticRegressionCV(Cs=CS, scoring=scorer, **QUIET)
            scores.append(model.fit(X, y, sample_weight=sw).scores_[1])
    assert not np.allclose(scores[0], scores[1])


def test_unset_request_raises_sklearns_error():
    from sklearn.exceptions import UnsetMetadataPassedError

    X, y = _data(load_breast_cancer)
    with config_context(enable_metadata_routing=True):
        for scoring in (None, "accuracy"):
            model = fastreg.LogisticRegressionCV(Cs=CS, scoring=scoring, **QUIET)
            with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
                model.fit(X, y, sample_weight=_half_weighted(len(y)))


def test_score_routes_sample_weight_as_requested():
    X, y = _data(load_breast_cancer)
    sw = _half_weighted(len(y))
    with config_context(enable_metadata_routing=True):
        unrequested = get_scorer("accuracy").set_score_request(sample_weight=False)
        model = fastreg.LogisticRegressionCV(Cs=CS, scoring=unrequested, **QUIET).fit(X, y)
        with pytest.raises(TypeError, match=r"unexpected argument\(s\) \{'sample_weight'\}"):
            model.score(X, y, sample_weight=sw)
        assert model.score(X, y) == unrequested(model, X, y)
        requested = get_scorer("accuracy").set_score_request(sample_weight=True)
        model = fastreg.LogisticRegressionCV(Cs=CS, scoring=requested, **QUIET).fit(X, y)
        expected = np.average(model.predict(X) == y, weights=sw)
        assert model.score(X, y, sample_weight=sw) == pytest.approx(expected, rel=1e-15)


def test_extra_params_need_metadata_routing():
    X, y = _data(load_iris)
    model = fastreg.LogisticRegressionCV(Cs=2, scoring="accuracy", **QUIET)
    match = "to LogisticRegressionCV.{} is only supported if enable_metadata_routing=True"
    with config_context(enable_metadata_routing=False):
        with pytest.raises(ValueError, match=match.format("fit")):
            model.fit(X, y, extra_param=1.0)
        model.fit(X, y)
        with pytest.raises(ValueError, match=match.format("score")):
            model.score(X, y, extra_param=1.0)


def test_groups_reach_the_splitter():
    X, y = _data(load_breast_cancer)
    groups = np.arange(len(y)) % 4
    with config_context(enable_metadata_routing=True):
        params = dict(Cs=CS, cv=GroupKFold(4), scoring="accuracy", **QUIET)
        ours = fastreg.LogisticRegressionCV(**params).fit(X, y, groups=groups)
        theirs = sk.LogisticRegressionCV(**params).fit(X, y, groups=groups)
    np.testing.assert_array_equal(ours.scores_[1], theirs.scores_[1])
