# bench/peers/objectives.py: fastreg's documented objectives (README, "Objectives"),
# computed in float64 by the bench from the coef and intercept a library returned, so that
# every library is scored by one formula whatever its own convention (1/n or not, alpha
# or C, deviance or log-likelihood). s_i = 1 throughout: the problems have no weights.
import numpy as np
from scipy.special import logsumexp


def _residual(X, y, coef, intercept):
    return y - (X @ coef[0].astype(np.float64) + intercept[0])


def least_squares(X, y, coef, intercept, params):
    """LinearRegression: sum_i r_i^2, r = y - X w - b."""
    r = _residual(X, y, coef, intercept)
    return float(r @ r)


def ridge(X, y, coef, intercept, params):
    """Ridge(alpha): sum_i r_i^2 + alpha ||w||^2."""
    w = coef[0]
    return least_squares(X, y, coef, intercept, params) + params["alpha"] * float(w @ w)


def elastic_net(X, y, coef, intercept, params):
    """ElasticNet(alpha, l1_ratio) (Lasso: l1_ratio = 1):
    1/(2n) sum_i r_i^2 + alpha l1_ratio ||w||_1 + alpha (1 - l1_ratio)/2 ||w||^2."""
    r = _residual(X, y, coef, intercept)
    w = coef[0]
    alpha, l1_ratio = params["alpha"], params.get("l1_ratio", 1.0)
    return (
        float(r @ r) / (2 * len(y))
        + alpha * l1_ratio * float(np.sum(np.abs(w)))
        + alpha * (1 - l1_ratio) / 2 * float(w @ w)
    )


def logistic(X, y, coef, intercept, params):
    """LogisticRegression(C), binary: C sum_i [log(1 + exp(z_i)) - y_i z_i] + ||w||^2 / 2."""
    z = X @ coef[0] + intercept[0]
    w = coef[0]
    return params["C"] * float(np.sum(np.logaddexp(0.0, z) - y * z)) + 0.5 * float(w @ w)


def multinomial(X, y, coef, intercept, params):
    """LogisticRegression(C) on K classes: C sum_i [log sum_k exp(z_ik) - z_iy_i]
    + ||W||_F^2 / 2, z_i = W x_i + b (the intercepts are not penalised)."""
    Z = X @ coef.T + intercept
    picked = Z[np.arange(len(y)), np.asarray(y, dtype=np.int64)]
    return params["C"] * float(np.sum(logsumexp(Z, axis=1) - picked)) + 0.5 * float(
        np.sum(coef * coef)
    )
