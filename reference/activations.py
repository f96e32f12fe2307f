"""Activation layers as forward/backward pairs (lecture 003): sigmoid, tanh, ReLU, leaky ReLU,
PReLU, ELU, softplus. Each ``*_forward`` returns ``(out, cache)``; each ``*_backward(dout, cache)``
takes its own forward's cache. At a kink (x = 0) the derivative used is the one for x < 0
(ReLU's ``1{x > 0}``), except ELU, whose two sides agree there when ``alpha = 1``.
"""

import numpy as np

from ._validate import float_array, real_number, same_shape

__all__ = [
    "sigmoid_forward", "sigmoid_backward", "tanh_forward", "tanh_backward",
    "relu_forward", "relu_backward", "leaky_relu_forward", "leaky_relu_backward",
    "prelu_forward", "prelu_backward", "elu_forward", "elu_backward",
    "softplus_forward", "softplus_backward",
]


def _sigmoid(x):
    """``1 / (1 + e^{−x})`` without overflow for large |x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _dout(dout, out):
    dout = float_array("dout", dout)
    same_shape("dout", dout, "the forward output", out)
    return dout


def sigmoid_forward(x):
    """``σ(x) = 1 / (1 + e^{−x})``; cache ``out``."""
    x = float_array("x", x)
    out = _sigmoid(x)
    return out, out


def sigmoid_backward(dout, cache):
    """``dx = dout * σ(x) (1 − σ(x))``."""
    out = cache
    return _dout(dout, out) * out * (1.0 - out)


def tanh_forward(x):
    """``tanh(x)``; cache ``out``."""
    x = float_array("x", x)
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, cache):
    """``dx = dout * (1 − tanh²(x))``."""
    out = cache
    return _dout(dout, out) * (1.0 - out ** 2)


def relu_forward(x):
    """``max(0, x)``; cache ``x``."""
    x = float_array("x", x)
    return np.maximum(0.0, x).astype(x.dtype, copy=False), x


def relu_backward(dout, cache):
    """``dx = dout * 1{x > 0}``."""
    x = cache
    return _dout(dout, x) * (x > 0)


def leaky_relu_forward(x, alpha=0.01):
    """``x`` where ``x > 0``, ``alpha * x`` elsewhere (fixed slope ``alpha``); cache ``(x, alpha)``."""
    x = float_array("x", x)
    alpha = real_number("alpha", alpha)
    return np.where(x > 0, x, alpha * x), (x, alpha)


def leaky_relu_backward(dout, cache):
    """``dx = dout * (1 if x > 0 else alpha)``."""
    x, alpha = cache
    return _dout(dout, x) * np.where(x > 0, 1.0, alpha)


def prelu_forward(x, alpha):
    """PReLU: ``x`` where ``x >= 0``, ``alpha * x`` elsewhere; ``alpha`` is a learned slope.

    ``alpha`` is a scalar or an array that broadcasts against ``x`` without changing its shape
    (one slope per feature: ``(D,)`` for ``x (N, D)``). Cache ``(x, alpha)``.
    """
    x = float_array("x", x)
    alpha_arr = float_array("alpha", alpha) if np.ndim(alpha) else None
    if alpha_arr is None:
        alpha = real_number("alpha", alpha)
    else:
        try:
            shape = np.broadcast_shapes(x.shape, alpha_arr.shape)
        except ValueError:
            shape = None
        if shape != x.shape:
            raise ValueError(f"alpha of shape {alpha_arr.shape} does not broadcast against x of "
                             f"shape {x.shape} (give a scalar or one slope per feature)")
        alpha = alpha_arr
    return np.where(x >= 0, x, alpha * x), (x, alpha)


def _reduce_to(grad, shape):
    """Sum ``grad`` over the axes that were broadcast to reach it from ``shape``."""
    extra = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(extra))) if extra else grad
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


def prelu_backward(dout, cache):
    """``dx = dout * (1 if x > 0 else alpha)``; ``dalpha = Σ dout * x * 1{x < 0}`` over the axes
    ``alpha`` was broadcast along. Returns ``(dx, dalpha)``; ``dalpha`` has ``alpha``'s shape
    (a Python float for a scalar ``alpha``).
    """
    x, alpha = cache
    dout = _dout(dout, x)
    dx = dout * np.where(x > 0, 1.0, alpha)
    dalpha_full = dout * x * (x < 0)
    if np.ndim(alpha) == 0:
        return dx, float(np.sum(dalpha_full))
    return dx, _reduce_to(dalpha_full, np.shape(alpha)).reshape(np.shape(alpha))


def elu_forward(x, alpha=1.0):
    """ELU: ``x`` where ``x >= 0``, ``alpha * (e^x − 1)`` elsewhere; cache ``(x, alpha)``."""
    x = float_array("x", x)
    alpha = real_number("alpha", alpha)
    return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0.0))), (x, alpha)


def elu_backward(dout, cache):
    """``dx = dout * (1 if x > 0 else alpha * e^x)``."""
    x, alpha = cache
    return _dout(dout, x) * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def softplus_forward(x):
    """``ζ(x) = log(1 + e^x)`` (computed as ``logaddexp(0, x)``); cache ``x``."""
    x = float_array("x", x)
    return np.logaddexp(0.0, x), x


def softplus_backward(dout, cache):
    """``dx = dout * σ(x)``."""
    x = cache
    return _dout(dout, x) * _sigmoid(x)
