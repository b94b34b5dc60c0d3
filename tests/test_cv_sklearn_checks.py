# tests/test_cv_sklearn_checks.py: scikit-learn's own estimator checks over the
# cross-validated estimators.
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastreg import ElasticNetCV, LassoCV, LogisticRegressionCV, RidgeCV

# Tight tolerances for the checks that compare two fits to rtol=1e-7 (as in
# tests/test_sklearn_checks.py); explicit values of the parameters whose defaults warn.
ESTIMATORS = [
    RidgeCV(),
    LassoCV(alphas=5, cv=3, tol=1e-10, max_iter=10_000),
    ElasticNetCV(alphas=5, cv=3, tol=1e-10, max_iter=10_000),
    LogisticRegressionCV(
        Cs=3,
        cv=3,
        l1_ratios=(0.0,),
        scoring="accuracy",
        use_legacy_attributes=False,
        tol=1e-10,
        max_iter=10_000,
    ),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_cv_estimator(estimator, check, monkeypatch):
    # check_array_api_input (NumPy namespace) skips itself unless this is set
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_get_params_round_trip(estimator):
    assert type(estimator)(**estimator.get_params()).get_params() == estimator.get_params()
