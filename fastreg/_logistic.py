# fastreg._logistic: the classifiers. Labels of any type are encoded as class indices,
# class weights are folded into the sample weights, and the logistic (one coefficient
# row) or multinomial (one row per class) loss is minimised by the shared solver core.
# Probabilities come from the stable sigmoid / log-sum-exp functions.
import numpy as np
from sklearn.base import ClassifierMixin

from fastreg import _base, _functions, _kernels
from fastreg._base import LinearModelBase, dask_routed, resolve_solver
from fastreg._linear import _parameters_doc
from fastreg._problem import Penalty, Problem, SolverOptions
from fastreg._validation import (
    check_class_weight,
    check_fraction,
    check_positive_float,
    encode_class_labels,
    validate_data_real,
)


class _LogisticBase(ClassifierMixin, LinearModelBase):
    """Logistic / multinomial classification on the solver core (not public)."""

    def __init__(
        self,
        C=1.0,
        *,
        l1_ratio=0.0,
        fit_intercept=True,
        class_weight=None,
        solver="auto",
        learning_rate="auto",
        max_iter=100,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        verbose=0,
        n_jobs=None,
    ):
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    def fit(self, X, y, sample_weight=None):
        """Fit the model by minimising the objective in the class docstring.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. float32 data is fitted in float32; a C-contiguous float32 or
            float64 array is used without a copy.
        y : array-like of shape (n_samples,)
            Class labels of any type (ints, strings, ...); at least two classes.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative weights, not all zero, multiplied by the class weights.
            None means unit weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_keeping_state_on_error(X, y, sample_weight)

    def _fit(self, X, y, sample_weight):
        name = type(self).__name__
        params = self._check_common_params()
        penalty_params = self._check_penalty_params()
        class_weight = check_class_weight(self.class_weight)
        X, y = validate_data_real(self, X, y)
        classes, y_index, sample_weight = encode_class_labels(
            name, y, sample_weight, class_weight, X.dtype
        )
        multinomial = self._multinomial(classes.shape[0])
        n_outputs = classes.shape[0] if multinomial else 1
        problem = Problem(
            _kernels.LOSS_MULTINOMIAL if multinomial else _kernels.LOSS_LOGISTIC,
            X,
            y_index.astype(X.dtype),
            sample_weight,
            n_outputs,
        )
        l2, l1, scale = self._averaged_penalty(problem.total_weight(), **penalty_params)
        penalty = Penalty(l2, l1)
        options = SolverOptions(
            solver=resolve_solver(params["solver"], penalty, name),
            penalty=penalty,
            fit_intercept=params["fit_intercept"],
            learning_rate=params["learning_rate"],
            max_iter=params["max_iter"],
            tol=params["tol"],
            n_threads=_base.effective_n_threads(params["n_jobs"]),
        )
        coef0, intercept0 = self._start_point(
            n_outputs, X.shape[1], params["fit_intercept"], params["warm_start"], classes
        )
        coef, intercept, loss_curve, n_iter = _base.run_solver(
            self,
            problem,
            options,
            scale=scale,
            coef_init=coef0,
            intercept_init=intercept0,
            verbose=params["verbose"],
        )
        self.classes_ = classes
        self.coef_ = coef.astype(X.dtype)
        self.intercept_ = intercept.astype(X.dtype)
        self.n_iter_ = n_iter
        self.loss_curve_ = loss_curve
        return self

    def _check_penalty_params(self):
        """Validate the penalty parameters; return them as keyword arguments."""
        C = check_positive_float(
            self.C,
            "C",
            allow_inf=True,
            hint="; C is the inverse penalty strength, numpy.inf for none",
        )
        return {"C": C, "l1_ratio": check_fraction(self.l1_ratio, "l1_ratio")}

    def _averaged_penalty(self, total_weight, C, l1_ratio):
        """The penalty of G and the scale of the documented objective: (l2, l1, scale)."""
        if np.isinf(C):
            return 0.0, 0.0, total_weight
        # C sum s l + (1-r)/2 ||W||^2 + r ||W||_1 = C S G.
        scale = C * total_weight
        return (1.0 - l1_ratio) / scale, l1_ratio / scale, scale

    def _raw_scores(self, X):
        X = self._validate_for_predict(X)
        return np.ascontiguousarray(X @ self.coef_.T + self.intercept_)

    @dask_routed
    def decision_function(self, X):
        """Confidence scores: log-odds (two classes) or per-class scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            With two classes, the log-odds of ``classes_[1]`` (positive means
            ``classes_[1]`` is predicted); otherwise ``X @ coef_.T + intercept_``.
        """
        scores = self._raw_scores(X)
        if self.classes_.shape[0] == 2:
            if scores.shape[1] == 1:
                return scores[:, 0].copy()
            return scores[:, 1] - scores[:, 0]
        return scores

    @dask_routed
    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            The most probable class of each sample, taken from ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.intp)]
        return self.classes_[np.argmax(scores, axis=1)]

    @dask_routed
    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; rows sum to 1.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            positive = np.asarray(_functions.sigmoid(scores))
            negative = np.asarray(_functions.sigmoid(-scores))
            return np.column_stack([negative, positive])
        return np.asarray(_functions.softmax(scores))

    @dask_routed
    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, computed without overflow.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            # log sigmoid(z) = -log(1 + exp(-z)).
            return np.column_stack([-np.logaddexp(0, scores), -np.logaddexp(0, -scores)])
        log_norm = np.asarray(_functions.log_sum_exp(scores))
        return scores - log_norm[:, None]

    score = dask_routed(ClassifierMixin.score)


_CLASSIFIER_PARAMETERS_DOC = """
    C : float, default=1.0
        Inverse regularisation strength, > 0; ``numpy.inf`` means no penalty.
    l1_ratio : float, default=0.0
        Share of the L1 penalty, in [0, 1] (0: L2 only, 1: L1 only).
    fit_intercept : bool, default=True
        Whether to fit (unpenalised) intercepts.
    class_weight : dict, "balanced" or None, default=None
        Weights per class, multiplied into the sample weights; "balanced" uses
        ``n_samples / (n_classes * np.bincount(y))``."""

_CLASSIFIER_ATTRIBUTES_DOC = """Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape ({rows}, n_features)
        Coefficients, in the dtype of the training data.
    intercept_ : ndarray of shape ({rows},)
        Intercepts (zeros when ``fit_intercept=False``).
    n_iter_ : int
        Number of solver iterations run.
    loss_curve_ : ndarray of shape (n_iter_,)
        The objective above after each iteration, in that objective's scale
        (``sum_i s_i logloss_i`` when ``C=inf``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names."""


class LogisticRegression(_LogisticBase):
    """Logistic regression (multinomial beyond two classes) fitted by gradient descent.

    Minimises ``C sum_i s_i logloss_i + (1 - l1_ratio)/2 ||w||^2
    + l1_ratio ||w||_1`` (``C=inf``: no penalty; the intercept is not penalised), the
    same minimiser as scikit-learn's LogisticRegression. With two classes the log-loss
    is the logistic loss of one weight vector; with more it is the multinomial
    (softmax) loss of one weight vector per class, with the Frobenius / L1 penalty.

    Parameters
    ----------{classifier_params}{params}

    {attributes}

    See Also
    --------
    SoftmaxRegression : Always the multinomial model, even for two classes.
    sklearn.linear_model.LogisticRegression : scikit-learn's version.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from fastreg import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = LogisticRegression().fit(X[y > 0], y[y > 0])
    >>> model.classes_
    array([1, 2])
    >>> bool(model.score(X[y > 0], y[y > 0]) > 0.9)
    True
    """

    def _multinomial(self, n_classes):
        return n_classes > 2


class SoftmaxRegression(_LogisticBase):
    """Multinomial (softmax) logistic regression fitted by gradient descent.

    Minimises ``C sum_i s_i logloss_i + (1 - l1_ratio)/2 ||W||_F^2
    + l1_ratio ||W||_1`` where ``logloss_i = logsumexp_k(x_i w_k + b_k) - (x_i w_y
    + b_y)`` with one weight vector per class, even for two classes (``C=inf``: no
    penalty; intercepts are not penalised). This is the minimiser of scikit-learn's
    multinomial LogisticRegression.

    Parameters
    ----------{classifier_params}{params}

    {attributes}

    See Also
    --------
    LogisticRegression : One weight vector for two classes.
    sklearn.linear_model.LogisticRegression : scikit-learn's version.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from fastreg import SoftmaxRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = SoftmaxRegression().fit(X, y)
    >>> model.coef_.shape
    (3, 4)
    >>> bool(model.score(X, y) > 0.9)
    True
    """

    def _multinomial(self, n_classes):
        return True


def _fill_docstrings():
    rows_of = {
        LogisticRegression: "1 or n_classes",
        SoftmaxRegression: "n_classes",
    }
    for cls, rows in rows_of.items():
        if not cls.__doc__:  # stripped under python -OO
            continue
        cls.__doc__ = cls.__doc__.format(
            classifier_params=_CLASSIFIER_PARAMETERS_DOC,
            params=_parameters_doc(100, "1e-4", False, with_fit_intercept=False),
            attributes=_CLASSIFIER_ATTRIBUTES_DOC.format(rows=rows),
        )


_fill_docstrings()
