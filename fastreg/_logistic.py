# fastreg._logistic: the classifiers. Labels of any type are encoded as class indices,
# class weights are folded into the sample weights, and the logistic (one coefficient
# row) or multinomial (one row per class) loss is minimised by the shared solver core
# (or the Newton-Cholesky driver, fastreg._newton). scikit-learn's parameter semantics
# (penalty, l1_ratio, solver names and their rules) are resolved by
# fastreg._logistic_options. Probabilities come from the stable sigmoid / log-sum-exp
# functions.
import dataclasses
import warnings

import numpy as np
from scipy import sparse
from sklearn.base import ClassifierMixin
from sklearn.callback import CallbackSupportMixin
from sklearn.callback._callback_support import callback_management_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model._base import SparseCoefMixin
from sklearn.utils.extmath import safe_sparse_dot

from fastreg import (
    _base,
    _functions,
    _kernels,
    _logistic_callbacks,
    _logistic_docs,
    _logistic_options,
    _newton,
)
from fastreg._base import LinearModelBase, dask_routed, resolve_solver
from fastreg._logistic_options import ExtensionParamsMixin
from fastreg._problem import Penalty, Problem, SolverOptions
from fastreg._validation import (
    check_bool,
    check_class_weight,
    check_learning_rate,
    check_n_jobs,
    check_nonnegative_float,
    check_random_state_param,
    check_sparse_structure,
    check_verbose,
    encode_class_labels,
    is_sparse,
    validate_data_real,
)
from fastreg._validation_fast import fast_classification_input

_MULTICLASS_LIBLINEAR = (
    "The 'liblinear' solver does not support multiclass classification (n_classes >= 3). "
    "Either use another solver or wrap the estimator in a OneVsRestClassifier to keep "
    "applying a one-versus-rest scheme."
)


class _LogisticBase(CallbackSupportMixin, ClassifierMixin, SparseCoefMixin, LinearModelBase):
    """Logistic / multinomial classification on the solver core (not public)."""

    _accepts_sparse = True
    _solvers = _logistic_options.SKLEARN_SOLVERS + _logistic_options.FASTREG_SOLVERS

    def fit(self, X, y, sample_weight=None):
        """Fit the model by minimising the objective in the class docstring.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 data is fitted in float32; a C-contiguous float32 or
            float64 array, or a float32/float64 CSR matrix, is used without a copy. Other
            scipy.sparse formats are converted once to CSR (never to a dense array).
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
        with callback_management_context(self):
            self._init_callback_context(
                max_subtasks=_logistic_callbacks.max_subtasks(self.max_iter)
            )
            return self._fit_keeping_state_on_error(X, y, sample_weight)

    def _check_fastreg_params(self):
        """Subclasses with extension parameters check them here."""

    def _fast_input(self, X, y, sample_weight, class_weight):
        """`fast_classification_input` (a subclass may encode labels its own way)."""
        return fast_classification_input(self, X, y, sample_weight, class_weight)

    def _encode_labels(self, name, y, sample_weight, class_weight, dtype):
        """`encode_class_labels` (a subclass may encode labels its own way)."""
        return encode_class_labels(name, y, sample_weight, class_weight, dtype)

    def _fit(self, X, y, sample_weight):
        name = type(self).__name__
        self._check_fastreg_params()
        spec = _logistic_options.resolve(self, self._solvers)
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        learning_rate = check_learning_rate(self.learning_rate)
        tol = check_nonnegative_float(self.tol, "tol")
        warm_start = check_bool(self.warm_start, "warm_start")
        check_random_state_param(self.random_state)
        verbose = check_verbose(self.verbose)
        n_jobs = check_n_jobs(self.n_jobs)
        class_weight = check_class_weight(self.class_weight)
        fast = self._fast_input(X, y, sample_weight, class_weight)
        if fast is None:
            X, y = validate_data_real(self, X, y, accept_sparse=True)
        else:
            X, y, classes, y_index = fast
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        context = self._callback_fit_ctx
        context.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        if fast is None:
            classes, y_index, sample_weight = self._encode_labels(
                name, y, sample_weight, class_weight, X.dtype
            )
        multinomial = self._multinomial(classes.shape[0])
        if spec.solver == "liblinear" and multinomial:
            raise ValueError(_MULTICLASS_LIBLINEAR)
        n_outputs = classes.shape[0] if multinomial else 1
        X_fit = X
        if spec.penalised_intercept:  # liblinear: the intercept is a penalised weight
            X_fit = _with_intercept_column(X, spec.intercept_scaling)
        problem = Problem(
            _kernels.LOSS_MULTINOMIAL if multinomial else _kernels.LOSS_LOGISTIC,
            X_fit,
            y_index.astype(X.dtype),
            sample_weight,
            n_outputs,
        )
        total_weight = problem.total_weight()
        if np.isinf(spec.C):
            l2, l1, scale = 0.0, 0.0, total_weight
        else:
            # C sum s l + (1-r)/2 ||W||^2 + r ||W||_1 = C S G.
            l2 = (1.0 - spec.l1_share) / (spec.C * total_weight)
            l1 = spec.l1_share / (spec.C * total_weight)
            scale = spec.C * total_weight
        penalty = Penalty(l2, l1)
        method = _logistic_options.method_for(spec, n_outputs * (X_fit.shape[1] + 1))
        if method not in _newton.METHODS:
            method = resolve_solver(method, penalty, name)
        options = SolverOptions(
            solver=method,
            penalty=penalty,
            fit_intercept=fit_intercept and not spec.penalised_intercept,
            learning_rate=learning_rate,
            max_iter=max(spec.max_iter, 1),
            tol=tol,
            n_threads=_base.effective_n_threads(n_jobs),
        )
        coef0, intercept0 = self._start_point(
            n_outputs, X.shape[1], fit_intercept, warm_start, classes
        )
        if spec.penalised_intercept:
            coef0 = np.hstack([coef0, intercept0[:, None] / spec.intercept_scaling])
            intercept0 = np.zeros(n_outputs)
        if spec.solver in _logistic_options.RELATIVE_TOL_SOLVERS and spec.max_iter > 0:
            counts = np.bincount(y_index, minlength=classes.shape[0])
            options = dataclasses.replace(
                options,
                tol=_logistic_options.relative_tol(problem, options, coef0, intercept0, counts),
            )
        lead = _logistic_options.CONVERGENCE_MESSAGES.get(spec.solver)

        def attributes(coef, intercept):  # the fitted attributes at a solver iterate
            if spec.penalised_intercept:
                coef, intercept = coef[:, :-1], spec.intercept_scaling * coef[:, -1]
            return {
                "coef_": np.ascontiguousarray(coef, dtype=X.dtype),
                "intercept_": np.asarray(intercept, dtype=X.dtype),
                "classes_": classes,
            }

        tasks = None
        if getattr(self, "_skl_callbacks", None):
            tasks = _logistic_callbacks.IterationTasks(
                context, self, X, y, metadata, attributes, f"{spec.solver}-iter"
            )
            tasks.start(coef0, intercept0)
            options = dataclasses.replace(options, on_iteration=tasks)
        if spec.max_iter == 0:
            coef, intercept, loss_curve, n_iter = coef0, intercept0, np.zeros(0), 0
            warnings.warn(
                f"{(lead or name + ' did not converge').format(n_iter=0)}: max_iter=0 "
                "returns the start point.",
                ConvergenceWarning,
                stacklevel=4,
            )
        else:
            coef, intercept, loss_curve, n_iter = _base.run_solver(
                self,
                problem,
                options,
                scale=scale,
                coef_init=coef0,
                intercept_init=intercept0,
                verbose=verbose,
                solve=_newton.solve if method in _newton.METHODS else None,
                convergence_lead=lead,
            )
        if tasks is not None:
            tasks.close(n_iter, coef, intercept)
        fitted = attributes(coef, intercept)
        if spec.solver == "liblinear":  # scikit-learn's liblinear always returns float64
            fitted = {k: np.asarray(v, dtype=np.float64) for k, v in fitted.items()}
            fitted["classes_"] = classes
        self.__dict__.update(fitted)
        self.n_iter_ = np.array([n_iter], dtype=np.int32)
        self.loss_curve_ = loss_curve
        context.call_on_fit_task_end(
            estimator=self, X=X, y=y, metadata=metadata, reconstruction_attributes={}
        )
        return self

    def _raw_scores(self, X):
        X = self._validate_for_predict(X)
        if is_sparse(self.coef_):  # after sparsify(): scipy's product, as scikit-learn
            scores = safe_sparse_dot(X, self.coef_.T, dense_output=True) + self.intercept_
            return np.ascontiguousarray(scores)
        if is_sparse(X):  # CSR rows through the kernels' scores pass, never densified
            n_threads = _base.effective_n_threads(check_n_jobs(self.n_jobs))
            scores = _kernels.scores(X, self.coef_, self.intercept_, n_threads)
            return scores.astype(np.result_type(X.dtype, self.coef_.dtype), copy=False)
        return np.ascontiguousarray(X @ self.coef_.T + self.intercept_)

    @dask_routed
    def decision_function(self, X):
        """Confidence scores: log-odds (two classes) or per-class scores.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
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
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
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
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
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
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
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

    def _predict_proba_lr(self, X):
        """One-vs-rest probabilities: each class's sigmoid, normalised (scikit-learn's).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            ``sigmoid(decision_function(X))`` per class, rows divided by their sums.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            positive = np.asarray(_functions.sigmoid(scores))
            return np.column_stack([1.0 - positive, positive])
        prob = np.asarray(_functions.sigmoid(np.ascontiguousarray(scores)))
        return prob / prob.sum(axis=1, keepdims=True)

    score = dask_routed(ClassifierMixin.score)


class LogisticRegression(ExtensionParamsMixin, _LogisticBase):
    """Logistic regression (multinomial beyond two classes): scikit-learn's, compiled.

    Minimises ``C sum_i s_i logloss_i + (1 - l1_ratio)/2 ||w||^2
    + l1_ratio ||w||_1`` (``C=inf``: no penalty; the intercept is not penalised,
    except by solver="liblinear", as in scikit-learn), the same minimiser as
    scikit-learn's LogisticRegression with the same parameters. With two classes the
    log-loss is the logistic loss of one weight vector; with more it is the
    multinomial (softmax) loss of one weight vector per class, with the Frobenius / L1
    penalty. Parameters, defaults, errors, warnings and fitted attributes are
    scikit-learn 1.9's; ``learning_rate`` and the solvers "auto", "gd" and "fista" are
    fastreg's additions.

    Parameters
    ----------{params}

    {attributes}

    See Also
    --------
    SoftmaxRegression : Always the multinomial model, even for two classes.
    sklearn.linear_model.LogisticRegression : scikit-learn's version.

    Notes
    -----
    Callbacks (``set_callbacks``, scikit-learn's callback API) get the task tree of
    scikit-learn's lbfgs solver (the fit, one task per iteration with the iterate as a
    ``fitted_estimator``, a last empty task) for every solver, as the iterations
    happen. scikit-learn 1.9 supports them for "lbfgs" only, so ``set_callbacks``
    warns for its other solver names, as scikit-learn does.

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

    # scikit-learn 1.9 warns that its n_jobs has no effect (fastreg's still sets threads).
    _warns_on_n_jobs = True

    def __init__(
        self,
        penalty="deprecated",
        *,
        C=1.0,
        l1_ratio=0.0,
        dual=False,
        tol=1e-4,
        fit_intercept=True,
        intercept_scaling=1,
        class_weight=None,
        random_state=None,
        solver="lbfgs",
        max_iter=100,
        verbose=0,
        warm_start=False,
        n_jobs=None,
        **fastreg_params,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self._set_fastreg_params(fastreg_params)

    def set_callbacks(self, *callbacks):
        """Set callbacks (scikit-learn's callback API) for the estimator.

        Parameters
        ----------
        *callbacks : callback instances
            Objects following scikit-learn's FitCallback protocol.

        Returns
        -------
        self : LogisticRegression
            The estimator.
        """
        if self.solver in _logistic_options.SKLEARN_SOLVERS and self.solver != "lbfgs":
            warnings.warn(
                "Callbacks are only supported in LogisticRegression for solver='lbfgs' "
                f"in scikit-learn, which ignores them with solver='{self.solver}'. "
                "fastreg calls them for every solver, so this fit reports to them here "
                "and not with scikit-learn.",
                UserWarning,
                stacklevel=2,
            )
        return super().set_callbacks(*callbacks)

    def _multinomial(self, n_classes):
        return n_classes > 2


class SoftmaxRegression(_LogisticBase):
    """Multinomial (softmax) logistic regression, always one weight vector per class.

    Minimises ``C sum_i s_i logloss_i + (1 - l1_ratio)/2 ||W||_F^2
    + l1_ratio ||W||_1`` where ``logloss_i = logsumexp_k(x_i w_k + b_k) - (x_i w_y
    + b_y)`` with one weight vector per class, even for two classes (``C=inf``: no
    penalty; intercepts are not penalised). This is the minimiser of scikit-learn's
    multinomial LogisticRegression. It takes scikit-learn's solver names too (not
    "liblinear", which has no multinomial model).

    Parameters
    ----------{params}

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

    _solvers = tuple(s for s in _LogisticBase._solvers if s != "liblinear")

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

    def _multinomial(self, n_classes):
        return True


def _fill_docstrings():
    sections = {
        LogisticRegression: (_logistic_docs.logistic_parameters(), "1 or n_classes"),
        SoftmaxRegression: (_logistic_docs.softmax_parameters(), "n_classes"),
    }
    for cls, (params, rows) in sections.items():
        if not cls.__doc__:  # stripped under python -OO
            continue
        cls.__doc__ = cls.__doc__.format(
            params=params, attributes=_logistic_docs.ATTRIBUTES_DOC.format(rows=rows)
        )


_fill_docstrings()


def _with_intercept_column(X, intercept_scaling):
    """X with a constant column ``intercept_scaling`` appended (liblinear's intercept).

    A sparse X stays sparse: the column adds one stored entry a row to a CSR copy.
    """
    column = np.full((X.shape[0], 1), intercept_scaling, X.dtype)
    if not is_sparse(X):
        return np.hstack([X, column])
    widened = sparse.hstack([X, sparse.csr_array(column)], format="csr", dtype=X.dtype)
    return check_sparse_structure(widened)
