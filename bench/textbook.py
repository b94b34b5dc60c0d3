# bench/textbook.py: the baseline of every speedup the bench prints: batch gradient descent
# written the way the textbook teaches it. A bias column of ones is prepended to X, theta
# starts at zero, and each epoch is one line, with a fixed step and nothing else (no
# objective, no optimality check, no stable-sigmoid branches):
#
#     linear:   theta -= lr * X_b.T @ (X_b @ theta - y) / m
#     logistic: theta -= lr * X_b.T @ (sigmoid(X_b @ theta) - y) / m
#     softmax:  W     -= lr * X_b.T @ (softmax(X_b @ W) - Y_onehot) / m
#
# These are the gradient steps of fastreg's averaged objective (loss (y - z)^2 / 2 for the
# squared loss), so after the same epochs at the same step the textbook and fastreg's "gd"
# hold the same coefficients; the bench checks that. The float32 variant keeps every array
# in float32 (NumPy keeps float32 when a Python float scales a float32 array).
import numpy as np


def sigmoid(z):
    """The textbook logistic function, 1 / (1 + exp(-z))."""
    return 1 / (1 + np.exp(-z))


def softmax(Z):
    """The textbook softmax of each row, exp(Z) / sum(exp(Z))."""
    exp_Z = np.exp(Z)
    return exp_Z / exp_Z.sum(axis=1, keepdims=True)


def add_bias_column(X):
    """X with a first column of ones (in X's dtype), so theta[0] is the intercept."""
    return np.c_[np.ones((X.shape[0], 1), dtype=X.dtype), X]


def one_hot(y, n_classes, dtype):
    """Y_onehot[i, k] = 1 if y[i] == k: class indices as an indicator matrix."""
    return np.eye(n_classes, dtype=dtype)[np.asarray(y, dtype=np.int64)]


def linear_epochs(X_b, y, theta, lr, epochs):
    """`epochs` textbook steps of least squares on a bias-augmented X_b, in place."""
    m = len(y)
    for _ in range(epochs):
        theta -= lr * X_b.T @ (X_b @ theta - y) / m
    return theta


def logistic_epochs(X_b, y, theta, lr, epochs):
    """`epochs` textbook steps of logistic regression on X_b (y in {0, 1}), in place."""
    m = len(y)
    for _ in range(epochs):
        theta -= lr * X_b.T @ (sigmoid(X_b @ theta) - y) / m
    return theta


def softmax_epochs(X_b, Y_onehot, W, lr, epochs):
    """`epochs` textbook steps of softmax regression on X_b, in place."""
    m = len(Y_onehot)
    for _ in range(epochs):
        W -= lr * X_b.T @ (softmax(X_b @ W) - Y_onehot) / m
    return W


def prepare(X, y, n_outputs, loss):
    """What the textbook fit builds before its loop: X_b, the targets, theta = 0.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        float32 or float64; every array built keeps its dtype.
    y : ndarray of shape (n_samples,)
        Response, 0/1 labels or class indices.
    n_outputs : int
        1, or the number of classes of the softmax.
    loss : str
        "squared", "logistic" or "multinomial".

    Returns
    -------
    X_b : ndarray of shape (n_samples, n_features + 1)
    target : ndarray
        y in X's dtype, or Y_onehot of shape (n_samples, n_outputs).
    theta : ndarray of shape (n_features + 1,) or (n_features + 1, n_outputs)
        Zeros; theta[0] is the intercept.
    """
    X_b = add_bias_column(X)
    shape = (X_b.shape[1], n_outputs) if loss == "multinomial" else (X_b.shape[1],)
    return X_b, target_of(y, n_outputs, loss, X.dtype), np.zeros(shape, X.dtype)


def target_of(y, n_outputs, loss, dtype):
    """What the textbook loop compares its predictions with: y, or Y_onehot (softmax)."""
    if loss == "multinomial":
        return one_hot(y, n_outputs, dtype)
    return np.asarray(y, dtype=dtype)


EPOCHS = {"squared": linear_epochs, "logistic": logistic_epochs, "multinomial": softmax_epochs}


def fit(X, y, n_outputs, loss, lr, epochs):
    """The whole textbook fit: build X_b (and Y_onehot), then `epochs` fixed steps.

    Parameters
    ----------
    X, y, n_outputs, loss
        As in `prepare`.
    lr : float
        The fixed step.
    epochs : int
        Number of steps.

    Returns
    -------
    coef : ndarray of shape (n_outputs, n_features)
    intercept : ndarray of shape (n_outputs,)
    """
    X_b, target, theta = prepare(X, y, n_outputs, loss)
    theta = EPOCHS[loss](X_b, target, theta, lr, epochs)
    theta = theta.reshape(X_b.shape[1], -1)
    return theta[1:].T, theta[0]
