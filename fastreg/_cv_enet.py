# fastreg._cv_enet: LassoCV and ElasticNetCV, scikit-learn's cross-validated elastic
# nets, on the sufficient statistics.
#
# Design decisions:
#   a. The folds come from the statistics (fastreg._cv_folds): one read of X gives every
#      held-out fold's statistics, a training fold's are the whole minus its held-out
#      fold, and each fold's warm-started path (fastreg._path.solve_path) runs on its
#      Gram matrix. (With precompute=False, or fewer training rows than features, the
#      path of a fold runs on the columns of its rows instead.)
#   b. mse_path_ is scored from the held-out statistics: a quadratic form per alpha, no
#      pass over X.
#   c. The grid, the choice of (alpha, l1_ratio) (first minimum of the mean over folds)
#      and the refit on all rows (from zero, on the whole data's statistics) are
#      scikit-learn's, so the same folds and grid choose the same model.
import numbers

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.model_selection import check_cv
from sklearn.utils.metadata_routing import _raise_for_params
from sklearn.utils.validation import check_is_fitted, column_or_1d

from fastreg import _base, _enet
from fastreg._base import LinearModelBase
from fastreg._cv_folds import fold_statistics, held_out_squared_error
from fastreg._cv_params import check_alphas_param, check_sparse_gram_fits
from fastreg._path import alpha_grid, solve_path
from fastreg._validation import (
    check_bool,
    check_fraction,
    check_n_jobs,
    check_nonnegative_float,
    check_option,
    check_positive_float,
    check_positive_int,
    check_precompute,
    check_random_state_param,
    check_regression_targets,
    check_sample_weight,
    check_verbose,
    validate_data_real,
)
from fastreg._validation_sparse import is_sparse

_PARAMETERS_DOC = """
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like of shape (n_alphas,), default=100
        The grid length (scikit-learn's geometric grid from the smallest alpha giving
        w = 0) or the alphas themselves.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    precompute : "auto", bool or array-like, default="auto"
        "auto" and True run each fold's path on its Gram matrix (from the statistics);
        False on the columns of the fold's rows. A Gram matrix array is not used by the
        folds (each has its own) and means True.
    max_iter : int, default=1000
        Maximum sweeps per alpha.
    tol : float, default=1e-4
        scikit-learn's duality-gap tolerance of each solve.
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    cv : int, cross-validation generator or iterable, default=None
        scikit-learn's ``cv``: None is 5-fold KFold.
    verbose : bool or int, default=False
        Print one line per fold when > 0.
    n_jobs : int, default=None
        Threads of the compiled kernels (None: the OpenMP limit; -1: all cores). The
        folds share the threads instead of running in parallel; results do not depend
        on it.
    positive : bool, default=False
        Constrain the coefficients to be >= 0.
    random_state : int, RandomState instance or None, default=None
        Seeds the coordinate order for ``selection="random"``.
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order."""

_ATTRIBUTES_DOC = """Attributes
    ----------
    alpha_ : float
        The alpha chosen by cross-validation.
    coef_ : ndarray of shape (n_features,)
        Coefficients of the refit on all rows.
    intercept_ : float
        Intercept of the refit.
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
        Held-out mean squared error per alpha (and l1_ratio) and fold.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid.
    dual_gap_ : float
        Dual gap of the refit.
    n_iter_ : int
        Sweeps of the refit.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names."""


class _EnetCVBase(RegressorMixin, LinearModelBase):
    """LassoCV and ElasticNetCV (not public): the fit along the folds and the refit."""

    _accepts_sparse = True

    def _l1_ratios(self):
        """The l1_ratio grid, checked."""
        raise NotImplementedError

    def _check_params(self):
        return {
            "eps": check_positive_float(self.eps, "eps"),
            "alphas": check_alphas_param(self.alphas),
            "fit_intercept": check_bool(self.fit_intercept, "fit_intercept"),
            "precompute": check_precompute(self.precompute),
            "max_iter": check_positive_int(self.max_iter, "max_iter"),
            "tol": check_nonnegative_float(self.tol, "tol"),
            "positive": check_bool(self.positive, "positive"),
            "selection": check_option(self.selection, "selection", ("cyclic", "random")),
            "random_state": check_random_state_param(self.random_state),
            "verbose": check_verbose(self.verbose),
            "n_jobs": check_n_jobs(self.n_jobs),
            "copy_X": check_bool(self.copy_X, "copy_X"),
        }

    def fit(self, X, y, sample_weight=None, **params):
        """Choose alpha (and l1_ratio) by cross-validation, then refit on all rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (dense).
        y : array-like of shape (n_samples,)
            Target values (one target, as in scikit-learn).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights of the fits and of each held-out fold's mean squared error (the
            folds' errors are averaged unweighted, as in scikit-learn).
        **params : dict
            Parameters of the splitter's ``split`` (``groups``).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        _raise_for_params(params, self, "fit")  # extra params need metadata routing
        return self._fit_keeping_state_on_error(X, y, (sample_weight, params))

    def _fit(self, X, y, weight_and_params):
        sample_weight, split_params = weight_and_params
        p = self._check_params()
        l1_ratios = self._l1_ratios()
        X, y = validate_data_real(
            self, X, y, y_numeric=True, order=None, multi_output=True, accept_sparse=True
        )
        check_sparse_gram_fits(X)
        if y.ndim == 2 and y.shape[1] > 1:
            raise ValueError(f"For multi-task outputs, use MultiTask{type(self).__name__}")
        y = check_regression_targets(column_or_1d(y, warn=True), X.dtype)
        if isinstance(sample_weight, numbers.Number):
            sample_weight = None
        sample_weight = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        n_threads = _base.effective_n_threads(p["n_jobs"])
        folds = list(check_cv(self.cv).split(X, y, **split_params))
        Y = y.reshape(-1, 1)
        with np.errstate(over="ignore", invalid="ignore"):
            stats = fold_statistics(X, Y, sample_weight, folds, n_threads)
        whole = _enet.gram_system(stats.whole, p["fit_intercept"])
        if isinstance(p["alphas"], numbers.Integral):
            grids = [
                alpha_grid(
                    whole.xty[:, 0],
                    whole.sum_weights,
                    r,
                    eps=p["eps"],
                    n_alphas=p["alphas"],
                    positive=p["positive"],
                )
                for r in l1_ratios
            ]
        else:
            grids = [p["alphas"]] * len(l1_ratios)
        mse = np.empty((len(l1_ratios), len(folds), len(grids[0])))
        for f, (train, _) in enumerate(folds):
            system = self._fold_system(X, Y, sample_weight, train, stats.train[f], p, n_threads)
            for r, l1_ratio in enumerate(l1_ratios):
                coefs, _, _ = solve_path(system, grids[r], l1_ratio, **_solve_params(p, n_threads))
                intercepts = system.y_mean[0] - system.x_mean @ coefs
                mse[r, f] = held_out_squared_error(stats.test[f], coefs, intercepts)
            if p["verbose"]:
                print(f"[{type(self).__name__}] fold {f + 1} of {len(folds)} done", flush=True)
        mean_mse = mse.mean(axis=1)
        best = (np.inf, None, None)
        for r, l1_ratio in enumerate(l1_ratios):
            i = int(np.argmin(mean_mse[r]))
            if mean_mse[r, i] < best[0]:
                best = (mean_mse[r, i], grids[r][i], l1_ratio)
        if best[1] is None:  # every error is NaN (for example all held-out weights zero)
            best = (np.nan, grids[0][0], l1_ratios[0])
        self._refit(whole, best[1], best[2], p, n_threads, X.dtype)
        self.alpha_ = float(best[1])
        if self._has_l1_ratio_param:
            self.l1_ratio_ = float(best[2])
        self.mse_path_ = np.squeeze(np.moveaxis(mse, 2, 1))
        alphas_ = np.asarray(grids)
        single = len(l1_ratios) == 1 or not isinstance(p["alphas"], numbers.Integral)
        self.alphas_ = alphas_[0] if single else alphas_
        return self

    def _fold_system(self, X, Y, sample_weight, train, train_stats, p, n_threads):
        """A training fold's system: its statistics' Gram matrix, or its rows' columns."""
        train = np.asarray(train)
        precompute = True if isinstance(p["precompute"], np.ndarray) else p["precompute"]
        # a sparse X always through its fold's Gram (its width is checked at fit): the
        # column sweep reads dense columns
        if is_sparse(X) or _enet.use_gram(precompute, train.size, X.shape[1]):
            return _enet.gram_system(train_stats, p["fit_intercept"])
        weights = None if sample_weight is None else sample_weight[train]
        return _enet.columns_system(X[train], Y[train], weights, p["fit_intercept"], n_threads)

    def _refit(self, whole, alpha, l1_ratio, p, n_threads, dtype):
        """The refit on all rows at the chosen penalty, from zero."""
        coefs, gaps, n_iters = solve_path(
            whole, np.array([alpha]), l1_ratio, **_solve_params(p, n_threads)
        )
        coef = coefs[:, 0]
        self.coef_ = coef.astype(dtype)
        intercept = float(whole.y_mean[0] - whole.x_mean @ coef) if p["fit_intercept"] else 0.0
        self.intercept_ = dtype.type(intercept) if p["fit_intercept"] else 0.0
        self.dual_gap_ = dtype.type(gaps[0])
        self.n_iter_ = int(n_iters[0])

    def predict(self, X):
        """Predict with the refit model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted values.
        """
        check_is_fitted(self, "coef_")
        X = self._validate_for_predict(X)
        return X @ self.coef_ + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = False
        return tags


def _solve_params(p, n_threads):
    return {
        "positive": p["positive"],
        "max_iter": p["max_iter"],
        "tol": p["tol"],
        "selection": p["selection"],
        "random_state": p["random_state"],
        "n_threads": n_threads,
    }


class LassoCV(_EnetCVBase):
    """Lasso with alpha chosen by cross-validation along a warm path (scikit-learn's
    LassoCV).

    For each alpha of the grid, each fold minimises Lasso's ``1/(2 sum_i s_i) sum_i s_i
    r_i^2 + alpha ||w||_1`` on its training rows, warm-started along the grid; the alpha
    of least mean held-out squared error is refit on all rows. Every fold's statistics
    come from one read of X; each fold's path runs on its Gram matrix, and its held-out
    errors come from the held-out statistics.

    Parameters
    ----------{params}

    {attributes}

    See Also
    --------
    Lasso : the estimator refit at ``alpha_``.
    lasso_path : the path of one fit.
    sklearn.linear_model.LassoCV : scikit-learn's version: the same folds and grid
        choose the same alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import LassoCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 3))
    >>> y = X @ [1.0, 0.0, -2.0] + 0.01 * rng.normal(size=60)
    >>> model = LassoCV(cv=3).fit(X, y)
    >>> model.alphas_.shape, model.mse_path_.shape
    ((100,), (100, 3))
    """

    _has_l1_ratio_param = False

    def __init__(
        self,
        *,
        eps=1e-3,
        alphas=100,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        tol=1e-4,
        copy_X=True,
        cv=None,
        verbose=False,
        n_jobs=None,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _l1_ratios(self):
        return [1.0]


class ElasticNetCV(_EnetCVBase):
    """Elastic net with alpha and l1_ratio chosen by cross-validation (scikit-learn's
    ElasticNetCV).

    For each (l1_ratio, alpha) of the grid, each fold minimises ElasticNet's ``1/(2 sum_i
    s_i) sum_i s_i r_i^2 + alpha l1_ratio ||w||_1 + alpha (1 - l1_ratio)/2 ||w||^2`` on its
    training rows; the pair of least mean held-out squared error is refit on all rows.

    Parameters
    ----------
    l1_ratio : float or array-like of float, default=0.5
        The l1_ratio grid, each in [0, 1] (0 needs an explicit ``alphas`` array).{params}

    {attributes}
    l1_ratio_ : float
        The l1_ratio chosen by cross-validation.

    See Also
    --------
    ElasticNet : the estimator refit at ``alpha_`` and ``l1_ratio_``.
    enet_path : the path of one fit.
    sklearn.linear_model.ElasticNetCV : scikit-learn's version.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import ElasticNetCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 3))
    >>> y = X @ [1.0, 0.0, -2.0]
    >>> model = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=20, cv=3).fit(X, y)
    >>> model.alphas_.shape, model.mse_path_.shape
    ((2, 20), (2, 20, 3))
    """

    _has_l1_ratio_param = True

    def __init__(
        self,
        *,
        l1_ratio=0.5,
        eps=1e-3,
        alphas=100,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        tol=1e-4,
        cv=None,
        copy_X=True,
        verbose=0,
        n_jobs=None,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _l1_ratios(self):
        values = np.atleast_1d(np.asarray(self.l1_ratio, dtype=object))
        if values.ndim != 1 or values.size == 0:
            raise ValueError(
                f"l1_ratio must be a float or a 1-D list of floats; got {self.l1_ratio!r}."
            )
        return [check_fraction(value, "l1_ratio") for value in values]


def _fill_docstrings():
    for cls in (LassoCV, ElasticNetCV):
        if cls.__doc__:
            cls.__doc__ = cls.__doc__.format(params=_PARAMETERS_DOC, attributes=_ATTRIBUTES_DOC)


_fill_docstrings()
