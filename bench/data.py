# bench/data.py: the synthetic problems and the iris data the bench runs on. Data are
# generated once per (size, dtype) and the targets once per loss, so every implementation
# and thread count sees the very same arrays.
import numpy as np

from bench.config import LOSSES, SEED, SIZES

_X_CACHE = {}


def design_matrix(size, dtype):
    """Standard normal X of a named size, C-contiguous, cached.

    Parameters
    ----------
    size : str
        A key of `bench.config.SIZES`.
    dtype : str
        "float64" or "float32"; float32 data are the float64 data rounded.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    """
    key = (size, dtype)
    if key not in _X_CACHE:
        if dtype == "float64":
            n_samples, n_features = SIZES[size]
            rng = np.random.default_rng([SEED, n_samples, n_features])
            _X_CACHE[key] = rng.standard_normal((n_samples, n_features))
        else:
            _X_CACHE[key] = design_matrix(size, "float64").astype(dtype)
    return _X_CACHE[key]


def bias_augmented(size, dtype):
    """The textbook's X_b = [1, X] of a named size (`bench.textbook.add_bias_column`), cached.

    Parameters
    ----------
    size : str
        A key of `bench.config.SIZES`.
    dtype : str
        "float64" or "float32".

    Returns
    -------
    X_b : ndarray of shape (n_samples, n_features + 1)
    """
    from bench.textbook import add_bias_column

    key = (size, dtype, "bias")
    if key not in _X_CACHE:
        _X_CACHE[key] = add_bias_column(design_matrix(size, dtype))
    return _X_CACHE[key]


def release(size):
    """Drop the cached arrays of one size (the large ones hold 2.4 GB)."""
    for key in [k for k in _X_CACHE if k[0] == size]:
        del _X_CACHE[key]


def targets(X, loss):
    """Targets from a linear model with moderate signal (scores of standard deviation ~2).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    loss : str
        A key of `bench.config.LOSSES`.

    Returns
    -------
    y : ndarray of shape (n_samples,), X's dtype
        The response (squared), 0/1 (logistic) or the class index as a float (multinomial).
    """
    n_samples, n_features = X.shape
    n_outputs = LOSSES[loss][1]
    rng = np.random.default_rng([SEED + 1, n_samples, n_features, n_outputs])
    coef = rng.standard_normal((n_outputs, n_features)) * (2.0 / np.sqrt(n_features))
    z = X @ coef.T.astype(X.dtype) + 0.5
    if loss == "squared":
        y = z[:, 0] + 0.5 * rng.standard_normal(n_samples)
    elif loss == "logistic":
        y = rng.random(n_samples) < 1.0 / (1.0 + np.exp(-z[:, 0]))
    else:  # Gumbel-max draws the class from softmax(z)
        y = np.argmax(z - np.log(-np.log(rng.random(z.shape))), axis=1)
    return np.ascontiguousarray(y, dtype=X.dtype)


def iris(n_classes):
    """Standardised iris, as in the textbook fits.

    Parameters
    ----------
    n_classes : int
        2: versicolor vs virginica (100 x 4, y = 1 for virginica);
        3: all three species (150 x 4, y the class index).

    Returns
    -------
    X : ndarray of shape (n_samples, 4), float64, columns of mean 0 and variance 1
    y : ndarray of shape (n_samples,), float64
    """
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    if n_classes == 2:
        keep = y > 0
        X, y = X[keep], y[keep] - 1
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return np.ascontiguousarray(X), y.astype(np.float64)
