# bench/peers/data.py: the synthetic problems of the peers comparison. Features are
# correlated (AR(1) across columns, rho = 0.5, so no problem is trivially conditioned) and
# C-contiguous float64; every library is handed the same arrays. Each generator is seeded
# from the shape, so a size always yields the same problem.
import numpy as np

SEED = 2026
RHO = 0.5


def features(n_samples, n_features, seed=SEED):
    """Correlated Gaussian features: column j = rho column j-1 + sqrt(1 - rho^2) noise."""
    rng = np.random.default_rng([seed, n_samples, n_features])
    X = rng.standard_normal((n_samples, n_features))
    scale = np.sqrt(1 - RHO**2)
    for j in range(1, n_features):
        X[:, j] *= scale
        X[:, j] += RHO * X[:, j - 1]
    return X


def regression(n_samples, n_features, n_informative=None):
    """X and y = X w + 3 + N(0, 1) noise; w dense, or `n_informative` entries +-1."""
    X = features(n_samples, n_features)
    rng = np.random.default_rng([SEED + 1, n_samples, n_features])
    if n_informative is None:
        w = rng.standard_normal(n_features) / np.sqrt(n_features)
    else:
        w = np.zeros(n_features)
        chosen = rng.choice(n_features, size=min(n_informative, n_features), replace=False)
        w[chosen] = rng.choice([-1.0, 1.0], size=chosen.size)
    return X, X @ w + 3.0 + rng.standard_normal(n_samples)


def sparse_regression(n_samples, n_features):
    """Regression with one feature in ten informative (the Lasso and ElasticNet data)."""
    return regression(n_samples, n_features, n_informative=max(1, n_features // 10))


def classification(n_samples, n_features, n_classes=2):
    """X and labels drawn from a linear model (scores of standard deviation ~2).

    Binary: y in {0.0, 1.0}; more classes: y the class index (int64), drawn by Gumbel-max
    from softmax(X W^T + 0.5).
    """
    X = features(n_samples, n_features)
    rng = np.random.default_rng([SEED + 2, n_samples, n_features, n_classes])
    k = 1 if n_classes == 2 else n_classes
    W = rng.standard_normal((k, n_features)) * (2.0 / np.sqrt(n_features))
    Z = X @ W.T + 0.5
    if n_classes == 2:
        return X, (rng.random(n_samples) < 1.0 / (1.0 + np.exp(-Z[:, 0]))).astype(np.float64)
    return X, np.argmax(Z - np.log(-np.log(rng.random(Z.shape))), axis=1)
