"""Softmax and multiclass SVM linear classifiers (cs231n a1 names), plus L1/L2 penalties.

``W (D, C)``, ``X (N, D)``, ``y (N,)`` integer labels; scores ``X @ W (N, C)``. Losses are means
over the N examples; regularization adds ``reg_scale * reg * Σ W²`` (``reg_scale=0.5`` for ½).
"""

import numpy as np

from ._validate import float_array, label_array, real_number

__all__ = [
    "softmax_loss_naive", "softmax_loss_vectorized", "svm_loss_naive", "svm_loss_vectorized",
    "l2_penalty", "l1_penalty", "linear_predict",
]


def _problem(W, X, y, reg, reg_scale):
    W = float_array("W", W, ndim=2, shape_doc="(D, C)")
    X = float_array("X", X, ndim=2, shape_doc="(N, D)")
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X has {X.shape[1]} features per row but W has {W.shape[0]} rows "
                         f"(W must be (D, C))")
    y = label_array("y", y, X.shape[0], W.shape[1])
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one example")
    reg = real_number("reg", reg, low=0)
    reg_scale = real_number("reg_scale", reg_scale, low=0)
    return W, X, y, reg, reg_scale


def l2_penalty(W, reg, reg_scale=1.0):
    """``(reg_scale * reg * Σ W², 2 * reg_scale * reg * W)``."""
    W = float_array("W", W)
    reg = real_number("reg", reg, low=0)
    reg_scale = real_number("reg_scale", reg_scale, low=0)
    return float(reg_scale * reg * np.sum(W * W)), 2.0 * reg_scale * reg * W


def l1_penalty(W, reg):
    """``(reg * Σ |W|, reg * sign(W))`` (subgradient 0 at W = 0)."""
    W = float_array("W", W)
    reg = real_number("reg", reg, low=0)
    return float(reg * np.sum(np.abs(W))), reg * np.sign(W)


def linear_predict(W, X):
    """``argmax_c (X @ W)[i, c]`` for each row: int labels ``(N,)``."""
    W = float_array("W", W, ndim=2, shape_doc="(D, C)")
    X = float_array("X", X, ndim=2, shape_doc="(N, D)")
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X has {X.shape[1]} features per row but W has {W.shape[0]} rows")
    return np.argmax(X @ W, axis=1)


def softmax_loss_naive(W, X, y, reg, reg_scale=1.0):
    """Softmax loss with loops: ``L = (1/N) Σᵢ −log(e^{s_{i,yᵢ}} / Σ_c e^{s_{i,c}}) + R(W)``.

    ``s_i = X[i] @ W`` shifted by its max for stability. ``dW[:, c] += X[i] (p_c − 1{c = yᵢ}) / N``.
    Returns ``(loss, dW)``.
    """
    W, X, y, reg, reg_scale = _problem(W, X, y, reg, reg_scale)
    N, C = X.shape[0], W.shape[1]
    loss = 0.0
    dW = np.zeros_like(W)
    for i in range(N):
        scores = X[i] @ W
        scores = scores - np.max(scores)
        probs = np.exp(scores) / np.sum(np.exp(scores))
        loss += -np.log(probs[y[i]])
        for c in range(C):
            dW[:, c] += (probs[c] - (c == y[i])) * X[i]
    loss /= N
    dW /= N
    penalty, dpenalty = l2_penalty(W, reg, reg_scale)
    return float(loss + penalty), dW + dpenalty


def softmax_loss_vectorized(W, X, y, reg, reg_scale=1.0):
    """Softmax loss without loops: ``dW = Xᵀ (P − Y) / N + 2 reg_scale reg W``."""
    W, X, y, reg, reg_scale = _problem(W, X, y, reg, reg_scale)
    N = X.shape[0]
    scores = X @ W
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.sum(log_probs[np.arange(N), y]) / N
    dscores = np.exp(log_probs)
    dscores[np.arange(N), y] -= 1.0
    dW = X.T @ dscores / N
    penalty, dpenalty = l2_penalty(W, reg, reg_scale)
    return float(loss + penalty), dW + dpenalty


def svm_loss_naive(W, X, y, reg, reg_scale=1.0):
    """Multiclass SVM with loops: ``L = (1/N) Σᵢ Σ_{c≠yᵢ} max(0, s_c − s_{yᵢ} + 1) + R(W)``.

    Each positive margin adds ``X[i]`` to ``dW[:, c]`` and subtracts it from ``dW[:, yᵢ]``.
    Returns ``(loss, dW)``.
    """
    W, X, y, reg, reg_scale = _problem(W, X, y, reg, reg_scale)
    N, C = X.shape[0], W.shape[1]
    loss = 0.0
    dW = np.zeros_like(W)
    for i in range(N):
        scores = X[i] @ W
        for c in range(C):
            if c == y[i]:
                continue
            margin = scores[c] - scores[y[i]] + 1.0
            if margin > 0:
                loss += margin
                dW[:, c] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= N
    dW /= N
    penalty, dpenalty = l2_penalty(W, reg, reg_scale)
    return float(loss + penalty), dW + dpenalty


def svm_loss_vectorized(W, X, y, reg, reg_scale=1.0):
    """Multiclass SVM without loops: margins ``max(0, S − s_y + 1)`` with the true class zeroed."""
    W, X, y, reg, reg_scale = _problem(W, X, y, reg, reg_scale)
    N = X.shape[0]
    rows = np.arange(N)
    scores = X @ W
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)
    margins[rows, y] = 0.0
    loss = np.sum(margins) / N
    dscores = (margins > 0).astype(W.dtype)
    dscores[rows, y] = -np.sum(dscores, axis=1)
    dW = X.T @ dscores / N
    penalty, dpenalty = l2_penalty(W, reg, reg_scale)
    return float(loss + penalty), dW + dpenalty
