"""Fully connected layers and classification losses (cs231n a2 ``layers.py`` names).

``relu_forward``/``relu_backward`` are defined in :mod:`reference.activations` and re-exported.
"""

import numpy as np

from ._validate import float_array, label_array
from .activations import relu_backward, relu_forward

__all__ = [
    "affine_forward", "affine_backward", "relu_forward", "relu_backward",
    "affine_relu_forward", "affine_relu_backward", "softmax_loss", "svm_loss",
]


def affine_forward(x, w, b):
    """``out = x.reshape(N, D) @ w + b``; ``x (N, d1, ..., dk)`` with ``D = d1*...*dk``,
    ``w (D, M)``, ``b (M,)``, ``out (N, M)``. Cache ``(x, w, b)``.
    """
    x = float_array("x", x)
    w = float_array("w", w, ndim=2, shape_doc="(D, M)")
    b = float_array("b", b, ndim=1, shape_doc="(M,)")
    if x.ndim < 1:
        raise ValueError("x must have a leading batch axis (N, d1, ...)")
    D = int(np.prod(x.shape[1:]))
    if D != w.shape[0]:
        raise ValueError(f"x {x.shape} flattens to {D} features per example but w has "
                         f"{w.shape[0]} rows (w must be (D, M))")
    if b.shape[0] != w.shape[1]:
        raise ValueError(f"b must have shape ({w.shape[1]},) to match w {w.shape}, got {b.shape}")
    out = x.reshape(x.shape[0], D) @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    """``dx = (dout @ wᵀ).reshape(x.shape)``, ``dw = x_flatᵀ @ dout``, ``db = Σ_n dout``."""
    x, w, b = cache
    dout = float_array("dout", dout, ndim=2, shape_doc="(N, M)")
    if dout.shape != (x.shape[0], w.shape[1]):
        raise ValueError(f"dout must have shape {(x.shape[0], w.shape[1])}, got {dout.shape}")
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = np.sum(dout, axis=0)
    return dx, dw, db


def affine_relu_forward(x, w, b):
    """``relu(affine(x))``; cache ``(affine cache, relu cache)``."""
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """Backward of :func:`affine_relu_forward`: ``(dx, dw, db)``."""
    fc_cache, relu_cache = cache
    return affine_backward(relu_backward(dout, relu_cache), fc_cache)


def _scores(x, y):
    x = float_array("x", x, ndim=2, shape_doc="(N, C)")
    if x.shape[0] == 0:
        raise ValueError("x must hold at least one example")
    y = label_array("y", y, x.shape[0], x.shape[1])
    return x, y


def softmax_loss(x, y):
    """``loss = −(1/N) Σᵢ log softmax(xᵢ)[yᵢ]``, ``dx = (softmax(x) − onehot(y)) / N``.

    ``x (N, C)`` scores, ``y (N,)`` labels; max-shifted for stability. Returns ``(loss, dx)``.
    """
    x, y = _scores(x, y)
    N = x.shape[0]
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.sum(log_probs[np.arange(N), y]) / N
    dx = np.exp(log_probs)
    dx[np.arange(N), y] -= 1.0
    return float(loss), dx / N


def svm_loss(x, y):
    """``loss = (1/N) Σᵢ Σ_{c≠yᵢ} max(0, x_{i,c} − x_{i,yᵢ} + 1)``; returns ``(loss, dx)``."""
    x, y = _scores(x, y)
    N = x.shape[0]
    rows = np.arange(N)
    margins = np.maximum(0.0, x - x[rows, y][:, None] + 1.0)
    margins[rows, y] = 0.0
    loss = np.sum(margins) / N
    dx = (margins > 0).astype(x.dtype)
    dx[rows, y] = -np.sum(dx, axis=1)
    return float(loss), dx / N
