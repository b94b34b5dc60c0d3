# fastreg._polynomial: PolynomialRegression, least squares on the polynomial features of
# X as one estimator. It only says how to build (and condition) its design matrix; the
# fit, the exact solves and prediction are those of the least-squares base in
# fastreg._linear.
import numpy as np
from scipy import sparse
from sklearn.preprocessing import PolynomialFeatures

from fastreg._linear import _EXACT_SOLVERS, _LinearRegressorBase
from fastreg._linear_docs import fill_least_squares_docstring
from fastreg._validation import (
    check_nonnegative_float,
    check_positive_int,
    check_sparse_structure,
)


class PolynomialRegression(_LinearRegressorBase):
    """Least squares on polynomial features of the input, as one estimator.

    The features are those of ``sklearn.preprocessing.PolynomialFeatures(degree,
    interaction_only=interaction_only, include_bias=False)``; on them it minimises
    ``sum_i s_i r_i^2 + alpha ||w||^2`` with ``r_i = y_i - phi(x_i) w - b`` (alpha = 0,
    the default, is plain least squares).

    Parameters
    ----------
    degree : int, default=2
        Maximal degree of the polynomial features, >= 1.
    interaction_only : bool, default=False
        Keep only products of distinct features (no powers).
    alpha : float, default=0.0
        L2 penalty strength on the coefficients, >= 0.{params}

    {attributes}
    poly_features_ : sklearn.preprocessing.PolynomialFeatures
        The fitted feature map; ``poly_features_.get_feature_names_out()`` names the
        entries of ``coef_``.

    See Also
    --------
    LinearRegression : The same model on the raw features.
    sklearn.preprocessing.PolynomialFeatures : The feature map.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import PolynomialRegression
    >>> X = np.linspace(-3, 3, 20).reshape(-1, 1)
    >>> y = 0.5 * X.ravel() ** 2 + X.ravel() + 2
    >>> model = PolynomialRegression(degree=2).fit(X, y)
    >>> print(np.round(model.coef_, 6), round(float(model.intercept_), 6))
    [1.  0.5] 2.0
    """

    _solvers = _EXACT_SOLVERS
    _exact = True
    _accepts_sparse = True

    def __init__(
        self,
        degree=2,
        *,
        interaction_only=False,
        alpha=0.0,
        fit_intercept=True,
        copy_X=True,
        positive=False,
        solver="auto",
        learning_rate="auto",
        max_iter=1000,
        tol=1e-6,
        warm_start=False,
        random_state=None,
        verbose=0,
        n_jobs=None,
    ):
        self.degree = degree
        self.interaction_only = interaction_only
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.positive = positive
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    def _check_penalty_params(self):
        check_positive_int(self.degree, "degree")
        if not isinstance(self.interaction_only, (bool, np.bool_)):
            raise TypeError(
                f"interaction_only must be True or False; got {self.interaction_only!r}."
            )
        return {"alpha": check_nonnegative_float(self.alpha, "alpha")}

    def _averaged_penalty(self, total_weight, alpha):
        return alpha / total_weight, 0.0, 2.0 * total_weight

    def _standardise_design(self, design, sample_weight, fit_intercept, l2, l1):
        # Polynomial features are our own array and badly conditioned (x and x^2 are
        # nearly collinear); standardising them is an exact change of variables when
        # there is no penalty, and shifting is exact whenever the intercept is fitted.
        # Both are undone on the coefficients after the solve. Weighted moments, so that
        # weights and repeated rows give the same solver coordinates.
        n_features = design.shape[1]
        if sparse.issparse(design):  # shifting would fill it in: solved as it is
            return np.zeros(n_features), np.ones(n_features)
        shift = np.zeros(n_features)
        stretch = np.ones(n_features)
        s = np.ones(design.shape[0]) if sample_weight is None else sample_weight
        s = s.astype(np.float64) / np.sum(s, dtype=np.float64)
        if fit_intercept:
            shift = (s @ design).astype(design.dtype).astype(np.float64)
            design -= shift.astype(design.dtype)
        if l2 == 0 and l1 == 0:
            spread = np.sqrt(s @ np.square(design, dtype=np.float64))
            usable = np.isfinite(spread) & (spread > 0)
            stretch = np.where(usable, 1.0 / np.where(usable, spread, 1.0), 1.0)
            stretch = stretch.astype(design.dtype).astype(np.float64)
            design *= stretch.astype(design.dtype)
        return shift, stretch

    def _design_matrix(self, X, fitting):
        if fitting:
            features = PolynomialFeatures(
                int(self.degree), interaction_only=bool(self.interaction_only), include_bias=False
            ).fit(X)
        else:
            features = self.poly_features_
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
            if sparse.issparse(X) and not X.has_canonical_format:
                # scikit-learn's sparse expansion multiplies stored entries, so repeated
                # ones must be summed first: on a copy (sparse), never the caller's X
                X = X.copy()
                X.sum_duplicates()
            design = features.transform(X)
            if sparse.issparse(design):  # scikit-learn keeps a sparse X sparse
                design = check_sparse_structure(design.astype(X.dtype), "X")
            else:
                design = np.ascontiguousarray(design, dtype=X.dtype)
        values = design.data if sparse.issparse(design) else design
        if not np.all(np.isfinite(values)):
            raise ValueError(
                f"The degree-{features.degree} polynomial features of X overflow "
                f"{X.dtype}; scale X (for example with sklearn.preprocessing.StandardScaler)."
            )
        return design, {"poly_features_": features}


fill_least_squares_docstring(PolynomialRegression, _EXACT_SOLVERS, shape="n_polynomial_features")
