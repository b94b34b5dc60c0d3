"""fastreg: linear models trained by gradient descent, with a compiled hot path.

Estimators are drop-in scikit-learn estimators; the kernels behind them run in C with the
GIL released. ``fastreg.reference`` is the NumPy twin of every kernel.
"""

from fastreg import reference
from fastreg._config import show_config
from fastreg._coordinate_descent import ElasticNet, Lasso
from fastreg._functions import log_sum_exp, sigmoid, softmax
from fastreg._linear import LinearRegression, PolynomialRegression, Ridge
from fastreg._logistic import LogisticRegression, SoftmaxRegression
from fastreg._version import __version__

__all__ = [
    "ElasticNet",
    "Lasso",
    "LinearRegression",
    "LogisticRegression",
    "PolynomialRegression",
    "Ridge",
    "SoftmaxRegression",
    "__version__",
    "log_sum_exp",
    "reference",
    "show_config",
    "sigmoid",
    "softmax",
]
