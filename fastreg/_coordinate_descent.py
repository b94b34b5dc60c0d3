# fastreg._coordinate_descent: the L1-penalised least-squares regressors, Lasso and
# ElasticNet. Each only says how its parameters map onto the solver's averaged objective
# G; fitting, solving and prediction are shared with the other regressors
# (fastreg._linear._LinearRegressorBase).
from fastreg._linear import _REGRESSOR_ATTRIBUTES_DOC, _LinearRegressorBase, _parameters_doc
from fastreg._validation import check_fraction, check_nonnegative_float


class Lasso(_LinearRegressorBase):
    """Least squares with an L1 penalty, fitted by proximal gradient descent.

    Minimises ``1/(2 sum_i s_i) sum_i s_i r_i^2 + alpha ||w||_1`` with
    ``r_i = y_i - x_i w - b`` (the intercept is not penalised; the same minimiser as
    scikit-learn's Lasso). Coefficients driven to zero are exactly zero.

    Parameters
    ----------
    alpha : float, default=1.0
        L1 penalty strength, >= 0.{params}

    {attributes}

    See Also
    --------
    ElasticNet : L1 and L2 penalties.
    Ridge : L2 penalty.
    sklearn.linear_model.Lasso : scikit-learn's coordinate-descent version.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import Lasso
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> model = Lasso(alpha=0.1).fit(X, y)
    >>> print(np.round(model.coef_, 3))
    [0.92 0.  ]
    """

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        solver="auto",
        learning_rate="auto",
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        verbose=0,
        n_jobs=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    def _check_penalty_params(self):
        return {"alpha": check_nonnegative_float(self.alpha, "alpha")}

    def _averaged_penalty(self, total_weight, alpha):
        # The objective is G itself with l1 = alpha.
        return 0.0, alpha, 1.0


class ElasticNet(_LinearRegressorBase):
    """Least squares with L1 and L2 penalties, fitted by proximal gradient descent.

    Minimises ``1/(2 sum_i s_i) sum_i s_i r_i^2 + alpha l1_ratio ||w||_1
    + alpha (1 - l1_ratio)/2 ||w||^2`` with ``r_i = y_i - x_i w - b`` (the intercept
    is not penalised; the same minimiser as scikit-learn's ElasticNet).

    Parameters
    ----------
    alpha : float, default=1.0
        Overall penalty strength, >= 0.
    l1_ratio : float, default=0.5
        Share of the L1 penalty, in [0, 1] (1 is the Lasso, 0 a ridge penalty).{params}

    {attributes}

    See Also
    --------
    Lasso : L1 penalty only.
    Ridge : L2 penalty only.
    sklearn.linear_model.ElasticNet : scikit-learn's coordinate-descent version.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import ElasticNet
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> model = ElasticNet(alpha=0.1, l1_ratio=0.5).fit(X, y)
    >>> print(np.round(model.coef_, 3))
    [0.923 0.   ]
    """

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        solver="auto",
        learning_rate="auto",
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        verbose=0,
        n_jobs=None,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    def _check_penalty_params(self):
        return {
            "alpha": check_nonnegative_float(self.alpha, "alpha"),
            "l1_ratio": check_fraction(self.l1_ratio, "l1_ratio"),
        }

    def _averaged_penalty(self, total_weight, alpha, l1_ratio):
        # The objective is G itself.
        return alpha * (1.0 - l1_ratio), alpha * l1_ratio, 1.0


def _fill_docstrings():
    for cls in (Lasso, ElasticNet):
        if not cls.__doc__:  # stripped under python -OO
            continue
        cls.__doc__ = cls.__doc__.format(
            params=_parameters_doc(1000, "1e-4", False),
            attributes=_REGRESSOR_ATTRIBUTES_DOC.format(shape="n_features"),
        )


_fill_docstrings()
