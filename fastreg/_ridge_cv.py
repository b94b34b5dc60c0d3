# fastreg._ridge_cv: RidgeCV, scikit-learn's ridge with built-in cross-validation.
#
# Design decisions:
#   a. cv=None is leave-one-out (scikit-learn's _RidgeGCV) for every alpha at once from
#      one eigendecomposition: of the weighted centred Gram G = V diag(lam) V^T (from the
#      statistics pass) when n_samples > n_features, else of X' X'^T (X' the weighted
#      centred rows). With z_i = V^T (x_i - mu) the hat diagonal is h_i = s_i sum_j
#      z_ij^2 / (lam_j + alpha) + s_i / S and the leave-one-out residual is (y_i -
#      yhat_i) / (1 - h_i): one blocked pass over X gives every alpha's errors (no
#      n x n_features intermediate).
#   b. The criterion is scikit-learn's: the mean of s_i (y_i - yhat_(-i))^2 (per target
#      with alpha_per_target), or a scorer applied to the leave-one-out predictions;
#      the first best alpha wins. The coefficients at the chosen alphas are the exact
#      solve (fastreg._exact) from the same statistics.
#   c. cv=int or a splitter: the folds from the statistics (fastreg._cv_folds), the
#      held-out R^2 (RidgeCV's default score) from the held-out statistics, then the
#      exact refit; with a scorer, scikit-learn's GridSearchCV over fastreg.Ridge.
import numbers
import warnings

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.metrics import check_scoring
from sklearn.model_selection import GridSearchCV, check_cv
from sklearn.utils import check_scalar
from sklearn.utils.metadata_routing import _raise_for_params
from sklearn.utils.validation import check_is_fitted

from fastreg import _base
from fastreg._base import LinearModelBase
from fastreg._cv_folds import fold_statistics
from fastreg._cv_params import check_sparse_gram_fits
from fastreg._exact import solve_least_squares
from fastreg._statistics import combine, sufficient_statistics
from fastreg._validation import (
    check_bool,
    check_option,
    check_real_dtype,
    check_regression_targets,
    check_sample_weight,
    validate_data_real,
)

# Rows per block of the leave-one-out pass (a block of z is 8 MB at 128 features).
_BLOCK_ROWS = 8192


def _check_alphas(alphas, strictly_positive):
    """RidgeCV's alphas: a positive float or a 1-D array of them (0 allowed with cv),
    checked one by one with scikit-learn's messages."""
    check_real_dtype(alphas, "alphas")
    values = [alphas] if np.ndim(alphas) == 0 else list(np.asarray(alphas, dtype=object))
    if np.ndim(alphas) > 1 or not values:
        raise ValueError(f"alphas must be a float or a 1-D array of floats; got {alphas!r}.")
    boundaries = "neither" if strictly_positive else "left"
    for index, value in enumerate(values):
        name = "alphas" if np.ndim(alphas) == 0 else f"alphas[{index}]"
        check_scalar(value, name, numbers.Real, min_val=0.0, include_boundaries=boundaries)
    grid = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(grid)):
        index = int(np.flatnonzero(~np.isfinite(grid))[0])
        raise ValueError(f"alphas[{index}] == {grid[index]}, must be finite.")
    return grid


def _loo_pass(X, Y, sample_weight, stats, V, inv, coef_dirs, keep_rows, intercept_leverage):
    """Leave-one-out residuals of every alpha, one blocked pass over X.

    ``inv`` (n_features, n_alphas) holds 1/(lam_j + alpha); ``coef_dirs`` (n_features,
    n_alphas, n_targets) holds V^T w_alpha. Returns the summed squared errors (n_alphas,
    n_targets) and, when ``keep_rows``, the per-row errors and LOO predictions.
    """
    n = X.shape[0]
    n_alphas, n_targets = inv.shape[1], Y.shape[1]
    sse = np.zeros((n_alphas, n_targets))
    rows = (np.empty((n, n_targets, n_alphas)), np.empty((n, n_targets, n_alphas)))
    directions = coef_dirs.reshape(coef_dirs.shape[0], -1)
    for start in range(0, n, _BLOCK_ROWS):
        stop = min(start + _BLOCK_ROWS, n)
        if sparse.issparse(X):  # centred through the product: the block stays sparse
            z = X[start:stop] @ V - stats.x_mean @ V
        else:
            z = (np.asarray(X[start:stop], dtype=np.float64) - stats.x_mean) @ V
        s = 1.0 if sample_weight is None else sample_weight[start:stop, None]
        leverage = s * ((z * z) @ inv + intercept_leverage)  # (b, A)
        fitted = (z @ directions).reshape(stop - start, n_alphas, n_targets)
        residual = (Y[start:stop, None, :] - stats.y_mean) - fitted
        loo = residual / (1.0 - leverage)[:, :, None]
        weight = 1.0 if sample_weight is None else sample_weight[start:stop, None, None]
        squared = weight * loo * loo
        sse += squared.sum(axis=0)
        if keep_rows:
            rows[0][start:stop] = np.moveaxis(squared, 1, 2)
            rows[1][start:stop] = np.moveaxis(Y[start:stop, None, :] - loo, 1, 2)
    return sse, rows if keep_rows else None


def _loo_wide(X, Y, sample_weight, stats, alphas, intercept_leverage):
    """Leave-one-out residuals for n_samples <= n_features, from eig(X' X'^T)."""
    n = X.shape[0]
    s = np.ones(n) if sample_weight is None else sample_weight.astype(np.float64)
    root = np.sqrt(s)[:, None]
    Yw = root * (np.asarray(Y, dtype=np.float64) - stats.y_mean)
    lam, U = np.linalg.eigh(_weighted_centred_row_gram(X, stats.x_mean, root))
    lam = np.maximum(lam, 0.0)
    keep = np.ones(n, dtype=bool)
    if intercept_leverage:
        # the centred rows are orthogonal to sqrt(s): drop the eigenvector closest to it
        # (an eigenvalue 0 in exact arithmetic), whose share of I - H is the intercept's
        keep[np.argmax(np.abs(U.T @ (root[:, 0] / np.linalg.norm(root))))] = False
    U, lam = U[:, keep], lam[keep]
    UtY = U.T @ Yw
    U2 = U * U
    squared = np.empty((n, Y.shape[1], len(alphas)))
    predictions = np.empty_like(squared)
    for a, alpha in enumerate(alphas):
        shrink = alpha / (lam + alpha)
        residual = U @ (shrink[:, None] * UtY)
        # 1 - h_i summed directly (no cancellation when h_i is close to 1)
        one_minus_leverage = U2 @ shrink
        loo = residual / one_minus_leverage[:, None]
        squared[:, :, a] = loo * loo
        predictions[:, :, a] = np.asarray(Y, dtype=np.float64) - loo / root
    return squared.sum(axis=0).T, (squared, predictions)


def _weighted_centred_row_gram(X, x_mean, root):
    """(R (X - mu)) (R (X - mu))^T with R = diag(root), (n, n); a sparse X stays sparse.

    For sparse X the centring is expanded, X X^T - X mu 1^T - 1 mu^T X^T + mu.mu, which
    only the products of X itself and of its rows with mu need.
    """
    if sparse.issparse(X):
        X = X.astype(np.float64)
        x_mu = np.asarray(X @ x_mean).ravel()
        rows = np.asarray((X @ X.T).toarray())
        rows -= x_mu[:, None] + x_mu[None, :]
        rows += float(x_mean @ x_mean)
        return root * rows * root.T
    Xw = root * (np.asarray(X, dtype=np.float64) - x_mean)
    return Xw @ Xw.T


def leave_one_out(X, Y, sample_weight, stats, alphas, keep_rows, fit_intercept=True):
    """Summed squared leave-one-out errors (n_alphas, n_targets), and optionally rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Dense float data.
    Y : ndarray of shape (n_samples, n_targets)
        Targets.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights.
    stats : fastreg._statistics.Statistics
        The statistics of (X, Y, s), centred.
    alphas : ndarray of shape (n_alphas,)
        Positive penalties.
    keep_rows : bool
        Also return the per-row squared errors and leave-one-out predictions, each of
        shape (n_samples, n_targets, n_alphas).
    fit_intercept : bool, default=True
        Whether the model has an intercept (``stats`` are then centred; otherwise they
        hold the raw products, with zero means).

    Returns
    -------
    sse : ndarray of shape (n_alphas, n_targets)
    rows : tuple of ndarray or None
    """
    intercept_leverage = 1.0 / stats.sum_weights if fit_intercept else 0.0
    if X.shape[0] <= X.shape[1]:
        sse, rows = _loo_wide(X, Y, sample_weight, stats, alphas, intercept_leverage)
        return sse, rows if keep_rows else None
    lam, V = np.linalg.eigh(stats.gram)
    lam = np.maximum(lam, 0.0)
    inv = 1.0 / (lam[:, None] + alphas[None, :])
    coef_dirs = inv[:, :, None] * (V.T @ stats.xty)[:, None, :]
    return _loo_pass(X, Y, sample_weight, stats, V, inv, coef_dirs, keep_rows, intercept_leverage)


class RidgeCV(MultiOutputMixin, RegressorMixin, LinearModelBase):
    """Ridge regression with built-in cross-validation (scikit-learn's RidgeCV).

    Minimises Ridge's ``sum_i s_i (y_i - x_i w - b)^2 + alpha ||w||^2`` at the alpha of
    the grid that cross-validates best. By default (``cv=None``) alpha is chosen by
    efficient leave-one-out cross-validation:
    one eigendecomposition of the Gram matrix (from one read of X) and one blocked pass
    give every alpha's leave-one-out errors.

    Parameters
    ----------
    alphas : float or array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        The penalties tried (> 0 with ``cv=None``, >= 0 otherwise).
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    scoring : str, callable or None, default=None
        None: leave-one-out mean squared error with ``cv=None``, R^2 otherwise; a
        scorer name or callable is applied to the leave-one-out predictions (``cv=None``)
        or to each held-out fold.
    cv : int, cross-validation generator, iterable or None, default=None
        None: leave-one-out; otherwise scikit-learn's ``cv``.
    gcv_mode : {"auto", "svd", "eigen"} or None, default=None
        Accepted for compatibility: fastreg always uses the eigendecomposition of the
        smaller of the two Gram matrices (the same answer). "svd" with a sparse X
        issues scikit-learn's FutureWarning (it will be an error there).
    store_cv_results : bool, default=False
        Keep the per-sample leave-one-out values in ``cv_results_`` (``cv=None`` only).
    alpha_per_target : bool, default=False
        Choose an alpha per target of a 2-D y (``cv=None`` only).

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
        The chosen alpha (per target with ``alpha_per_target``).
    best_score_ : float or ndarray of shape (n_targets,)
        The score of the chosen alpha (negative mean squared error for ``scoring=None``
        and ``cv=None``).
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, \
n_alphas)
        Squared leave-one-out errors (``scoring=None``) or leave-one-out predictions,
        with ``store_cv_results=True``.
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients of the fit at ``alpha_``.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept (0.0 without one).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    Ridge : the fit at one alpha.
    sklearn.linear_model.RidgeCV : scikit-learn's version: the same alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import RidgeCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 3))
    >>> y = X @ [1.0, 2.0, 3.0] + 0.1 * rng.normal(size=50)
    >>> float(RidgeCV(alphas=[0.01, 1.0, 100.0]).fit(X, y).alpha_)
    0.01
    """

    _accepts_sparse = True

    def __init__(
        self,
        alphas=(0.1, 1.0, 10.0),
        *,
        fit_intercept=True,
        scoring=None,
        cv=None,
        gcv_mode=None,
        store_cv_results=False,
        alpha_per_target=False,
    ):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target

    def fit(self, X, y, sample_weight=None, **params):
        """Choose alpha by cross-validation and fit at it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (dense).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights of the fit (and of the leave-one-out errors, as in scikit-learn).
        **params : dict
            Parameters of the splitter's ``split`` (``groups``) when ``cv`` is given.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        _raise_for_params(params, self, "fit")  # extra params need metadata routing
        return self._fit_keeping_state_on_error(X, y, (sample_weight, params))

    def _fit(self, X, y, weight_and_params):
        sample_weight, params = weight_and_params
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        store = check_bool(self.store_cv_results, "store_cv_results")
        per_target = check_bool(self.alpha_per_target, "alpha_per_target")
        if self.gcv_mode is not None:
            check_option(self.gcv_mode, "gcv_mode", ("auto", "svd", "eigen"))
        alphas = _check_alphas(self.alphas, strictly_positive=self.cv is None)
        if self.cv is not None and store:
            raise ValueError("cv!=None and store_cv_results=True are incompatible")
        if self.cv is not None and per_target:
            raise ValueError("cv!=None and alpha_per_target=True are incompatible")
        X, y = validate_data_real(
            self, X, y, y_numeric=True, order=None, multi_output=True, accept_sparse=True
        )
        check_sparse_gram_fits(X)
        if self.gcv_mode == "svd" and sparse.issparse(X):
            # scikit-learn's deprecation, word for word: its tests and users' filters match it
            warnings.warn(
                "The 'svd' mode is not supported for sparse X, we fallback to "
                "`gcv_mode='eigen'`. Passing `gcv_mode='svd'` on sparse X will raise "
                "an error in 1.11, use the default or pass `gcv_mode='eigen'` to "
                "suppress this warning.",
                FutureWarning,
                stacklevel=3,
            )
        y = check_regression_targets(y, X.dtype)
        Y = y.reshape(y.shape[0], -1)
        if isinstance(sample_weight, numbers.Number):
            sample_weight = None
        sample_weight = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        # (scoring=None is the leave-one-out squared error, or R^2 over folds, not a scorer)
        scorer = None if self.scoring is None else check_scoring(self, scoring=self.scoring)
        n_threads = _base.effective_n_threads(None)
        stats = None
        if self.cv is None:
            stats = _float64_statistics(X, Y, sample_weight, n_threads)
            chosen, best = self._leave_one_out(
                X, Y, y, sample_weight, stats, alphas, scorer, store
            )
        elif self.scoring is None:
            chosen, best = self._folds(X, Y, sample_weight, alphas, params, fit_intercept)
        else:
            chosen, best = self._grid_search(X, y, sample_weight, alphas, params, scorer)
        if stats is None:
            stats = sufficient_statistics(X, Y, sample_weight, n_threads=n_threads)
        solution = solve_least_squares(
            stats,
            np.broadcast_to(np.asarray(chosen, dtype=np.float64), (Y.shape[1],)),
            fit_intercept=fit_intercept,
            data=(X, Y, sample_weight),
            dtype=X.dtype,
        )
        coef = solution.coef.astype(X.dtype)
        intercept = np.asarray(solution.intercept, dtype=X.dtype).reshape(-1)
        # scikit-learn ravels the coefficients of a one-column 2-D y, in its leave-one-out
        # and in Ridge (the refit of cv=...) alike; the intercept keeps y's shape
        self.coef_ = coef[0] if Y.shape[1] == 1 else coef
        if not fit_intercept:
            self.intercept_ = 0.0
        else:
            self.intercept_ = intercept[0] if y.ndim == 1 else intercept
        self.alpha_ = chosen
        self.best_score_ = best
        return self

    def _leave_one_out(self, X, Y, y, sample_weight, stats, alphas, scorer, store):
        """alpha_ and best_score_ of leave-one-out; cv_results_ when asked."""
        n, n_targets = Y.shape
        if not self.fit_intercept:
            stats = _uncentred(stats)
        keep = store or scorer is not None
        sse, rows = leave_one_out(X, Y, sample_weight, stats, alphas, keep, self.fit_intercept)
        per_target = self.alpha_per_target and n_targets > 1
        if scorer is None:
            scores = -sse / n if per_target else -sse.sum(axis=1) / (n * n_targets)
        else:
            scores = self._score_predictions(rows[1], y, sample_weight, scorer, per_target)
        if store:
            values = rows[0] if scorer is None else rows[1]
            values = values[:, 0, :] if y.ndim == 1 else values
            self.cv_results_ = values.astype(X.dtype)
        first_best = np.argmax(scores, axis=0)  # argmax keeps the first of equal scores
        if per_target:
            return alphas[first_best], scores[first_best, np.arange(n_targets)]
        return float(alphas[first_best]), float(scores[first_best])

    def _score_predictions(self, predictions, y, sample_weight, scorer, per_target):

        extra = {} if sample_weight is None else {"sample_weight": sample_weight}
        n_alphas = predictions.shape[2]
        if per_target:
            return np.array(
                [
                    [
                        scorer(_Identity(), predictions[:, t, a], y[:, t], **extra)
                        for t in range(y.shape[1])
                    ]
                    for a in range(n_alphas)
                ]
            )
        if y.ndim == 1:
            predictions = predictions[:, 0, :]
        return np.array(
            [scorer(_Identity(), predictions[..., a], y, **extra) for a in range(n_alphas)]
        )

    def _folds(self, X, Y, sample_weight, alphas, params, fit_intercept):
        """alpha_ and best_score_ (mean held-out weighted R^2 over folds) from the statistics."""
        folds = list(check_cv(self.cv).split(X, Y, **params))
        # GridSearchCV passes the sample weights to Ridge.score too: weighted held-out R^2
        stats = fold_statistics(X, Y, sample_weight, folds, _base.effective_n_threads(None))
        scores = np.zeros(len(alphas))
        for f in range(len(folds)):
            train = stats.train[f] if fit_intercept else _uncentred(stats.train[f])
            test = stats.test[f]
            lam, V = np.linalg.eigh(train.gram)
            lam = np.maximum(lam, 0.0)
            VtC = V.T @ train.xty
            for a, alpha in enumerate(alphas):
                W = V @ (VtC / (lam + alpha)[:, None])  # (d, n_targets)
                b = train.y_mean - train.x_mean @ W
                scores[a] += _held_out_r2(test, W, b)
        scores /= len(folds)
        # GridSearchCV ranks NaN scores last (and takes the first alpha if all are NaN)
        best = int(np.argmax(np.where(np.isnan(scores), -np.inf, scores)))
        return float(alphas[best]), float(scores[best])

    def _grid_search(self, X, y, sample_weight, alphas, params, scorer):
        from fastreg._linear import Ridge

        search = GridSearchCV(
            Ridge(fit_intercept=self.fit_intercept),
            {"alpha": list(alphas)},
            cv=self.cv,
            scoring=scorer,
        )
        extra = {} if sample_weight is None else {"sample_weight": sample_weight}
        search.fit(X, y, **extra, **params)
        return float(search.best_params_["alpha"]), float(search.best_score_)

    def predict(self, X):
        """Predict with the fitted model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values.
        """
        check_is_fitted(self, "coef_")
        X = self._validate_for_predict(X)
        return X @ np.asarray(self.coef_).T + self.intercept_


def _float64_statistics(X, Y, sample_weight, n_threads):
    """The statistics of (X, Y, s) with every product summed in float64.

    The compiled pass sums a float32 X's products in float32 (within blocks of rows),
    which the exact solves repair by refinement passes on X; the leave-one-out errors come
    from the Gram's eigendecomposition alone, whose errors the condition number would
    amplify. A float32 X is therefore read in float64 blocks of rows, whose statistics
    combine exactly (no float64 copy of the whole X).
    """
    if sparse.issparse(X) or X.dtype == np.float64:  # (sparse products are float64)
        return sufficient_statistics(X, Y, sample_weight, n_threads=n_threads)
    stats = None
    for start in range(0, X.shape[0], _BLOCK_ROWS):
        rows = slice(start, min(start + _BLOCK_ROWS, X.shape[0]))
        block = sufficient_statistics(
            np.asarray(X[rows], dtype=np.float64),
            np.asarray(Y[rows], dtype=np.float64),
            None if sample_weight is None else sample_weight[rows].astype(np.float64),
            n_threads=n_threads,
        )
        stats = block if stats is None else combine(stats, block)
    return stats


def _uncentred(stats):
    """Statistics whose 'centred' products are the raw ones (a fit without intercept)."""
    import dataclasses

    gram, xty, yty = stats.uncentred()
    zeros_x, zeros_y = np.zeros_like(stats.x_mean), np.zeros_like(stats.y_mean)
    return dataclasses.replace(stats, x_mean=zeros_x, y_mean=zeros_y, gram=gram, xty=xty, yty=yty)


def _held_out_r2(test, W, b):
    """Uniformly averaged R^2 over targets of (W, b) on rows with statistics ``test``."""
    delta = test.y_mean - test.x_mean @ W - b
    sse = (
        np.diag(test.yty)
        - 2.0 * np.einsum("jt,jt->t", test.xty, W)
        + np.einsum("jt,jt->t", W, test.gram @ W)
        + test.sum_weights * delta**2
    )
    sst = np.diag(test.yty)
    if test.n_samples < 2:  # r2_score is not defined on fewer than two samples
        return np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(sst > 0, 1.0 - sse / sst, np.where(sse <= 0, 1.0, 0.0))
    return float(np.mean(r2))


class _Identity(RegressorMixin, BaseEstimator):
    """A fitted stand-in whose predictions are its input: a scorer of predictions."""

    def predict(self, predictions):
        return predictions
