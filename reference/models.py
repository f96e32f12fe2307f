"""Whole models: the two-layer net, the fully connected net (cs231n a2), the PReLU/ELU exam network."""

import numpy as np

from ._validate import float_array, label_array, positive_int, real_number
from .activations import elu_backward, elu_forward, prelu_backward, prelu_forward
from .dropout import dropout_backward, dropout_forward
from .layers import (affine_backward, affine_forward, affine_relu_backward, affine_relu_forward,
                     relu_backward, relu_forward, softmax_loss)
from .normalization import (batchnorm_backward, batchnorm_forward, layernorm_backward,
                            layernorm_forward)

__all__ = ["TwoLayerNet", "FullyConnectedNet", "prelu_elu_net"]


class TwoLayerNet:
    """``affine − ReLU − affine − softmax`` with params ``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, C)``,
    ``b2 (C,)``; ``W ~ std * N(0, 1)`` (``np.random.default_rng(seed)``), biases 0.

    Loss: ``softmax data loss + reg_scale * reg * (‖W1‖² + ‖W2‖²)`` (cs231n: ``reg_scale=1``;
    c147 hw3: ``reg_scale=0.5``).
    """

    def __init__(self, input_size, hidden_size, output_size, std=1e-4, reg_scale=1.0, seed=None):
        D = positive_int("input_size", input_size)
        H = positive_int("hidden_size", hidden_size)
        C = positive_int("output_size", output_size)
        std = real_number("std", std, low=0)
        self.reg_scale = real_number("reg_scale", reg_scale, low=0)
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": std * rng.standard_normal((D, H)), "b1": np.zeros(H),
            "W2": std * rng.standard_normal((H, C)), "b2": np.zeros(C),
        }

    def loss(self, X, y=None, reg=0.0):
        """Scores ``(N, C)`` if ``y`` is None, else ``(loss, grads)`` with grads of every param."""
        reg = real_number("reg", reg, low=0)
        X = float_array("X", X, ndim=2, shape_doc="(N, D)")
        p = self.params
        hidden, hidden_cache = affine_relu_forward(X, p["W1"], p["b1"])
        scores, scores_cache = affine_forward(hidden, p["W2"], p["b2"])
        if y is None:
            return scores
        y = label_array("y", y, X.shape[0], scores.shape[1])
        data_loss, dscores = softmax_loss(scores, y)
        c = self.reg_scale * reg
        loss = data_loss + c * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
        dhidden, dW2, db2 = affine_backward(dscores, scores_cache)
        _, dW1, db1 = affine_relu_backward(dhidden, hidden_cache)
        grads = {"W1": dW1 + 2 * c * p["W1"], "b1": db1, "W2": dW2 + 2 * c * p["W2"], "b2": db2}
        return float(loss), grads

    def predict(self, X):
        """``argmax`` of the scores: int labels ``(N,)``."""
        return np.argmax(self.loss(X), axis=1)


class FullyConnectedNet:
    """``{affine − [batch/layer norm] − ReLU − [dropout]} x (L − 1) − affine − softmax``.

    Params ``W1..WL`` (``weight_scale * N(0, 1)``, drawn from ``np.random.default_rng(seed)``),
    ``b1..bL`` (0), and for normalization ``gamma1..gamma{L-1}`` (1), ``beta1..`` (0).
    ``dropout_keep_ratio`` is the keep probability (1: no dropout); ``seed`` also seeds dropout.
    Loss ``softmax + 0.5 * reg * Σ‖Wl‖²``.
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float64, seed=None):
        if normalization not in (None, "batchnorm", "layernorm"):
            raise ValueError(f"normalization must be None, 'batchnorm' or 'layernorm', "
                             f"got {normalization!r}")
        dims = [positive_int("input_dim", input_dim)]
        dims += [positive_int("hidden_dims entry", h) for h in hidden_dims]
        dims.append(positive_int("num_classes", num_classes))
        keep = real_number("dropout_keep_ratio", dropout_keep_ratio, low=0, high=1, low_open=True)
        if np.dtype(dtype).kind != "f":
            raise ValueError(f"dtype must be a floating-point type, got {dtype!r}")
        self.normalization = normalization
        self.use_dropout = keep != 1
        self.reg = real_number("reg", reg, low=0)
        self.num_layers = len(dims) - 1
        self.dtype = dtype
        rng = np.random.default_rng(seed)
        weight_scale = real_number("weight_scale", weight_scale, low=0)
        self.params = {}
        for l in range(1, self.num_layers + 1):
            self.params[f"W{l}"] = weight_scale * rng.standard_normal((dims[l - 1], dims[l]))
            self.params[f"b{l}"] = np.zeros(dims[l])
            if normalization and l < self.num_layers:
                self.params[f"gamma{l}"] = np.ones(dims[l])
                self.params[f"beta{l}"] = np.zeros(dims[l])
        self.params = {k: v.astype(dtype) for k, v in self.params.items()}
        self.dropout_param = {"mode": "train", "p": keep}
        if seed is not None:
            self.dropout_param["seed"] = seed
        self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]

    def _hidden_forward(self, h, l, mode):
        p = self.params
        a, fc_cache = affine_forward(h, p[f"W{l}"], p[f"b{l}"])
        norm_cache = None
        if self.normalization == "batchnorm":
            self.bn_params[l - 1]["mode"] = mode
            a, norm_cache = batchnorm_forward(a, p[f"gamma{l}"], p[f"beta{l}"],
                                              self.bn_params[l - 1])
        elif self.normalization == "layernorm":
            a, norm_cache = layernorm_forward(a, p[f"gamma{l}"], p[f"beta{l}"],
                                              self.bn_params[l - 1])
        h, relu_cache = relu_forward(a)
        drop_cache = None
        if self.use_dropout:
            h, drop_cache = dropout_forward(h, self.dropout_param)
        return h, (fc_cache, norm_cache, relu_cache, drop_cache)

    def _hidden_backward(self, dh, cache, l, grads):
        fc_cache, norm_cache, relu_cache, drop_cache = cache
        if self.use_dropout:
            dh = dropout_backward(dh, drop_cache)
        da = relu_backward(dh, relu_cache)
        if self.normalization == "batchnorm":
            da, grads[f"gamma{l}"], grads[f"beta{l}"] = batchnorm_backward(da, norm_cache)
        elif self.normalization == "layernorm":
            da, grads[f"gamma{l}"], grads[f"beta{l}"] = layernorm_backward(da, norm_cache)
        return affine_backward(da, fc_cache)

    def loss(self, X, y=None):
        """Test mode (scores ``(N, C)``) if ``y`` is None, else train mode: ``(loss, grads)``."""
        X = float_array("X", X).astype(self.dtype)
        mode = "test" if y is None else "train"
        self.dropout_param["mode"] = mode
        h, caches = X, []
        for l in range(1, self.num_layers):
            h, cache = self._hidden_forward(h, l, mode)
            caches.append(cache)
        L = self.num_layers
        scores, last_cache = affine_forward(h, self.params[f"W{L}"], self.params[f"b{L}"])
        if y is None:
            return scores
        y = label_array("y", y, X.shape[0], scores.shape[1])
        loss, dscores = softmax_loss(scores, y)
        grads = {}
        dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dscores, last_cache)
        for l in range(L - 1, 0, -1):
            dh, grads[f"W{l}"], grads[f"b{l}"] = self._hidden_backward(dh, caches[l - 1], l, grads)
        for l in range(1, L + 1):
            W = self.params[f"W{l}"]
            loss += 0.5 * self.reg * np.sum(W * W)
            grads[f"W{l}"] = grads[f"W{l}"] + self.reg * W
        return float(loss), grads


def prelu_elu_net(x, y, W1, W2, W3, alpha_prelu, alpha_elu):
    """The lecture 003 exam network ``L = ½‖W3 ELU(W2 PReLU(W1 x)) − y‖²`` for one example.

    ``x (n,)``, ``y (m,)``, ``W1, W2 (n, n)``, ``W3 (m, n)``; ``alpha_prelu`` a scalar or ``(n,)``,
    ``alpha_elu`` a scalar. With ``q6 = W1 x``, ``q5 = PReLU(q6)``, ``q4 = W2 q5``,
    ``q3 = ELU(q4)``, ``q2 = W3 q3``, ``q1 = q2 − y``: ``dW3 = q1 q3ᵀ``,
    ``dq4 = (W3ᵀ q1) ⊙ p``, ``dW2 = dq4 q5ᵀ``, ``dq6 = (W2ᵀ dq4) ⊙ r``, ``dW1 = dq6 xᵀ``, with
    ``p = ELU'(q4)``, ``r = PReLU'(q6)``; ``dalpha_prelu = Σ (W2ᵀ dq4) ⊙ q6 ⊙ 1{q6 < 0}``.
    Returns ``(loss, {"W1", "W2", "W3", "alpha_prelu"})``.
    """
    x = float_array("x", x, ndim=1, shape_doc="(n,)")
    y = float_array("y", y, ndim=1, shape_doc="(m,)")
    n, m = x.shape[0], y.shape[0]
    for name, W, shape in (("W1", W1, (n, n)), ("W2", W2, (n, n)), ("W3", W3, (m, n))):
        W = float_array(name, W, ndim=2, shape_doc=str(shape))
        if W.shape != shape:
            raise ValueError(f"{name} must have shape {shape} for x ({n},) and y ({m},), "
                             f"got {W.shape}")
    if np.ndim(alpha_prelu) not in (0,) and np.shape(alpha_prelu) != (n,):
        raise ValueError(f"alpha_prelu must be a scalar or have shape ({n},), "
                         f"got {np.shape(alpha_prelu)}")
    q6 = W1 @ x
    q5, prelu_cache = prelu_forward(q6, alpha_prelu)
    q4 = W2 @ q5
    q3, elu_cache = elu_forward(q4, alpha_elu)
    q1 = W3 @ q3 - y
    loss = 0.5 * float(q1 @ q1)
    dW3 = np.outer(q1, q3)
    dq4 = elu_backward(W3.T @ q1, elu_cache)
    dW2 = np.outer(dq4, q5)
    dq6, dalpha = prelu_backward(W2.T @ dq4, prelu_cache)
    dW1 = np.outer(dq6, x)
    return loss, {"W1": dW1, "W2": dW2, "W3": dW3, "alpha_prelu": dalpha}
