# fastreg._logistic_callbacks: scikit-learn's callback API (sklearn.callback) over a
# fastreg fit. The task tree is the one scikit-learn's lbfgs builds: the fit task, one
# sub-task per solver iteration (task_name "<solver>-iter", begun at the iterate it
# starts from and ended at the iterate it produced, each with the attributes a
# `fitted_estimator` needs), and a last, empty sub-task. The iterates come from the
# solvers' on_iteration hook (fastreg._problem.SolverOptions), so a callback sees every
# iteration of every solver as it happens.
import numpy as np


def max_subtasks(max_iter):
    """Sub-tasks of a fit with ``max_iter`` (one per iteration, at least one, + 1)."""
    if isinstance(max_iter, (int, np.integer)) and not isinstance(max_iter, bool):
        return max(int(max_iter), 1) + 1
    return None  # invalid: fit raises before any sub-task


class IterationTasks:
    """The per-iteration sub-tasks of a fit's callback context.

    Parameters
    ----------
    context : sklearn.callback.CallbackContext
        The fit task's context.
    estimator : estimator instance
        The estimator being fitted.
    X, y : array-like
        The validated training data.
    metadata : dict or None
        Training metadata (the sample weights).
    attributes : callable
        ``attributes(coef, intercept)`` -> the fitted attributes at that iterate.
    task_name : str
        Name of the per-iteration tasks.
    """

    def __init__(self, context, estimator, X, y, metadata, attributes, task_name):
        self.context, self.estimator = context, estimator
        self.X, self.y, self.metadata = X, y, metadata
        self.attributes, self.task_name = attributes, task_name
        self.current = None

    def _reconstruction(self, coef, intercept):
        coef, intercept = np.array(coef), np.array(intercept)
        return lambda: self.attributes(coef, intercept)

    def _begin(self, coef, intercept):
        self.current = self.context.subcontext(task_name=self.task_name)
        self.current.call_on_fit_task_begin(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=self._reconstruction(coef, intercept),
        )

    def _end(self, coef, intercept):
        self.current.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=self._reconstruction(coef, intercept),
        )

    def start(self, coef, intercept):
        """Begin the first iteration's task at the start point."""
        self._begin(coef, intercept)

    def __call__(self, iteration, coef, intercept):
        """The solver finished ``iteration`` at (coef, intercept): end it, begin the next."""
        self._end(coef, intercept)
        self._begin(coef, intercept)

    def close(self, n_iter, coef, intercept):
        """After the solve: end the last task, which no iteration ran, as an empty one.

        A fit of no iteration (max_iter=0, or a start point that is already optimal)
        still has one iteration task, ended at the start point, as scikit-learn's has.
        """
        if n_iter == 0:
            self(0, coef, intercept)
        self.current.call_on_fit_task_end(estimator=self.estimator)
