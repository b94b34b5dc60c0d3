"""fastreg: linear models trained by gradient descent, with a compiled hot path.

Estimators are drop-in scikit-learn estimators; the kernels behind them run in C with the
GIL released. ``fastreg.reference`` is the NumPy twin of every kernel.
"""

try:
    from fastreg import _kernels  # noqa: F401  (the compiled module: all below needs it)
except ImportError as _error:
    import importlib.machinery as _machinery
    import os as _os

    _here = _os.path.dirname(_os.path.abspath(__file__))
    _root = _os.path.dirname(_here)
    _in_source_tree = _os.path.isfile(_os.path.join(_root, "pyproject.toml")) and _os.path.isdir(
        _os.path.join(_root, "src_c")
    )
    _built = any(
        _os.path.exists(_os.path.join(_here, "_kernels" + suffix))
        for suffix in _machinery.EXTENSION_SUFFIXES
    )
    if _in_source_tree and not _built:
        raise ImportError(
            f"fastreg was imported from its source tree ({_here}), which has no compiled "
            "_kernels module: this checkout's fastreg/ shadows the installed package (the "
            "current directory comes first on sys.path). Run `pip install -e .` in the "
            "checkout to build it in place, or run from a directory outside the checkout. "
            "(With an editable install, its rebuild on import failed: see the error above.)"
        ) from _error
    raise

from fastreg import reference
from fastreg._config import show_config
from fastreg._coordinate_descent import ElasticNet, Lasso
from fastreg._cv_enet import ElasticNetCV, LassoCV
from fastreg._cv_logistic import LogisticRegressionCV
from fastreg._functions import log_sum_exp, sigmoid, softmax
from fastreg._linear import LinearRegression, Ridge
from fastreg._logistic import LogisticRegression, SoftmaxRegression
from fastreg._path import enet_path, lasso_path
from fastreg._polynomial import PolynomialRegression
from fastreg._ridge_cv import RidgeCV
from fastreg._version import __version__

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "LinearRegression",
    "LogisticRegression",
    "LogisticRegressionCV",
    "PolynomialRegression",
    "Ridge",
    "RidgeCV",
    "SoftmaxRegression",
    "__version__",
    "enet_path",
    "lasso_path",
    "log_sum_exp",
    "reference",
    "show_config",
    "sigmoid",
    "softmax",
]
