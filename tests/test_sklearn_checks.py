# scikit-learn's own estimator checks over the seven estimators.
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastreg import (
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
    PolynomialRegression,
    Ridge,
    SoftmaxRegression,
)

# Some checks compare two fits to rtol=1e-7 (sample_weight equivalent to repetition,
# class_weight="balanced" equal to the explicit weights), which needs a fit converged far
# below the default tol; scikit-learn tightens its own estimators the same way in its
# checks. No check is marked as an expected failure.
TIGHT = {"tol": 1e-10, "max_iter": 10_000}
# FISTA needs a tighter tol for the same rtol on the Lasso / elastic-net predictions.
TIGHTER = {"tol": 1e-12, "max_iter": 20_000}

ESTIMATORS = [
    LinearRegression(**TIGHT),
    PolynomialRegression(**TIGHT),
    Ridge(**TIGHT),
    Lasso(alpha=0.01, **TIGHTER),
    ElasticNet(alpha=0.01, **TIGHTER),
    LogisticRegression(**TIGHT),
    SoftmaxRegression(**TIGHT),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check, monkeypatch):
    # check_array_api_input (NumPy namespace) skips itself unless this is set; the
    # estimators take NumPy input under array_api_dispatch, so run it.
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check(estimator)
