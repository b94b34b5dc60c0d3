# tests/estimator_lists.py: the in-memory estimators, grouped as the tests iterate them
# (each test module parametrises over these rather than keeping its own copy).
from fastreg import (
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
    PolynomialRegression,
    Ridge,
    SoftmaxRegression,
)

REGRESSORS = [LinearRegression, PolynomialRegression, Ridge, Lasso, ElasticNet]
CLASSIFIERS = [LogisticRegression, SoftmaxRegression]
ALL = REGRESSORS + CLASSIFIERS
