"""fastreg: linear models trained by gradient descent, with a compiled hot path.

Estimators are drop-in scikit-learn estimators; the kernels behind them run in C with the
GIL released. ``fastreg.reference`` is the NumPy twin of every kernel.
"""

from fastreg._config import show_config
from fastreg._version import __version__

__all__ = ["__version__", "show_config"]
