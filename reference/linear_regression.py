"""Linear regression: least squares, polynomial features, squared loss, gradient descent (lectures 000, 002).

Layout: ``X (N, D)`` holds one example per row, ``theta (D,)`` (or ``(D, K)`` for K targets),
predictions ``X @ theta``. (c147 hw1 writes ``xhat (D, N)``: pass ``xhat.T``.)
"""

import numpy as np

from ._validate import float_array, numeric_array, positive_int, real_number

__all__ = [
    "normal_equations", "polynomial_features", "polyfit",
    "squared_loss", "squared_loss_grad", "gradient_descent", "minibatch_sgd",
]


def _design(X, y):
    X = numeric_array("X", X, ndim=2, shape_doc="(N, D)").astype(np.float64)
    y = numeric_array("y", y).astype(np.float64)
    if y.ndim not in (1, 2) or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have shape ({X.shape[0]},) or ({X.shape[0]}, K) to match "
                         f"X {X.shape}, got shape {y.shape}")
    return X, y


def _theta(theta, X, y):
    theta = numeric_array("theta", theta).astype(np.float64)
    expected = (X.shape[1],) + y.shape[1:]
    if theta.shape != expected:
        raise ValueError(f"theta must have shape {expected} for X {X.shape} and y {y.shape}, "
                         f"got shape {theta.shape}")
    return theta


def normal_equations(X, y):
    """Least-squares ``theta = argmin ‖X theta − y‖²``: ``(XᵀX)⁻¹ Xᵀ y`` when ``XᵀX`` is invertible.

    Computed with ``np.linalg.lstsq`` so that a rank-deficient ``X`` gives the minimum-norm
    solution ``pinv(X) y``. ``X (N, D)``, ``y (N,)`` or ``(N, K)``; returns ``(D,)`` or ``(D, K)``.
    """
    X, y = _design(X, y)
    theta, _, _, _ = np.linalg.lstsq(X, y, rcond=None)
    return theta


def polynomial_features(x, order):
    """Columns ``x**order, ..., x**1, x**0`` (highest power first, as c147 hw1): ``(N, order+1)``."""
    x = numeric_array("x", x, ndim=1, shape_doc="(N,)").astype(np.float64)
    order = positive_int("order", order, minimum=0)
    powers = np.arange(order, -1, -1)
    return x[:, None] ** powers[None, :]


def polyfit(x, y, order):
    """Least-squares polynomial coefficients, highest power first: ``(order+1,)``."""
    x = numeric_array("x", x, ndim=1, shape_doc="(N,)")
    y = numeric_array("y", y, ndim=1, shape_doc="(N,)")
    if y.shape != x.shape:
        raise ValueError(f"y must have the shape of x {x.shape}, got shape {y.shape}")
    return normal_equations(polynomial_features(x, order), y)


def squared_loss(theta, X, y, mean=True, half=True):
    """``c * Σᵢ (xᵢᵀ theta − yᵢ)²`` with ``c = (½ if half else 1) * (1/N if mean else 1)``."""
    X, y = _design(X, y)
    theta = _theta(theta, X, y)
    residual = X @ theta - y
    loss = np.sum(residual ** 2)
    if mean:
        loss /= X.shape[0]
    if half:
        loss *= 0.5
    return float(loss)


def squared_loss_grad(theta, X, y, mean=True, half=True):
    """Gradient of :func:`squared_loss`: ``c * 2 Xᵀ (X theta − y)``, shape of ``theta``."""
    X, y = _design(X, y)
    theta = _theta(theta, X, y)
    grad = 2.0 * X.T @ (X @ theta - y)
    if mean:
        grad /= X.shape[0]
    if half:
        grad *= 0.5
    return grad


def gradient_descent(func, x0, eps=1e-4, tol=1e-3, max_iters=10000):
    """The ``gd`` loop of lecture 002: ``x := x − eps * grad f(x)`` until ``‖x_new − x_old‖ <= tol``.

    ``func(x) -> (cost, grad)``. Returns ``(path, costs, grads, hit_max)`` exactly as the lecture
    loop builds them: ``path[0] = x0`` and ``costs[0] = f(x0)``; each step k >= 1 appends
    ``path[k]`` (the new point), ``costs[k]`` and ``grads[k-1]`` (the cost and gradient evaluated
    at ``path[k-1]``, before the step). The step that meets the tolerance is kept. When the
    step counter exceeds ``max_iters`` the loop stops with ``hit_max=True`` and that last step is
    not recorded. ``x0`` is not modified.
    """
    x0 = float_array("x0", x0)
    eps = real_number("eps", eps, low=0, low_open=True)
    tol = real_number("tol", tol, low=0)
    max_iters = positive_int("max_iters", max_iters)
    x = np.array(x0, dtype=np.float64)
    path = [x.copy()]
    costs = [func(x.copy())[0]]
    grads = []
    last_diff = np.inf
    i = 1
    hit_max = False
    while last_diff > tol:
        cost, g = func(x.copy())
        g = np.asarray(g, dtype=np.float64)
        if g.shape != x.shape:
            raise ValueError(f"func returned a gradient of shape {g.shape} for x of shape {x.shape}")
        x = x - eps * g
        last_diff = np.linalg.norm(x - path[-1])
        i += 1
        if i > max_iters:
            hit_max = True
            break
        path.append(x.copy())
        costs.append(cost)
        grads.append(g)
    return path, costs, grads, hit_max


def minibatch_sgd(loss_and_grad, theta0, X, y, learning_rate=1e-3, batch_size=200,
                  num_iters=100, rng=None):
    """Minibatch SGD: each iteration draws ``batch_size`` row indices with replacement (as the
    cs231n/c147 ``train`` methods do) and steps ``theta := theta − learning_rate * grad``.

    ``loss_and_grad(theta, X_batch, y_batch) -> (loss, grad)``; ``rng`` a ``np.random.Generator``
    (default: seeded 0). Returns ``(theta, loss_history)``; ``theta0`` is not modified.
    """
    theta = float_array("theta0", theta0).astype(np.float64)
    X = numeric_array("X", X)
    y = np.asarray(y)
    if X.ndim < 1 or y.ndim < 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"X and y must have the same number of rows, got shapes {X.shape} "
                         f"and {y.shape}")
    learning_rate = real_number("learning_rate", learning_rate, low=0, low_open=True)
    batch_size = positive_int("batch_size", batch_size)
    num_iters = positive_int("num_iters", num_iters, minimum=0)
    if rng is None:
        rng = np.random.default_rng(0)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    losses = []
    for _ in range(num_iters):
        idx = rng.choice(X.shape[0], batch_size, replace=True)
        loss, grad = loss_and_grad(theta, X[idx], y[idx])
        grad = np.asarray(grad, dtype=np.float64)
        if grad.shape != theta.shape:
            raise ValueError(f"loss_and_grad returned a gradient of shape {grad.shape} for "
                             f"theta of shape {theta.shape}")
        theta = theta - learning_rate * grad
        losses.append(float(loss))
    return theta, losses
