"""Three-layer convolutional network (cs231n ``classifiers/cnn.py``, c147 ``nndl/cnn.py``).

    conv (F filters, filter_size², stride 1, pad (filter_size-1)/2) - [spatial batchnorm] - relu
    - 2x2 max pool (stride 2) - affine - [batchnorm] - relu - affine - softmax

The input is ``(N, C, H, W)`` with ``H`` and ``W`` even, ``filter_size`` odd (the convolution
keeps the spatial size; the pool halves it).
"""

import numpy as np

from .conv import (conv_backward_fast, conv_forward_fast, max_pool_backward_fast,
                   max_pool_forward_fast, spatial_batchnorm_backward, spatial_batchnorm_forward)
from .layers import affine_backward, affine_forward, relu_backward, relu_forward, softmax_loss
from .normalization import batchnorm_backward, batchnorm_forward

__all__ = ["ThreeLayerConvNet"]

_POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}


def _positive_int(name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _non_negative(name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                     np.floating)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {value}")
    return float(value)


class ThreeLayerConvNet:
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax (batch norm optional).

    Parameters (``self.params``): W1 (F, C, fs, fs), b1 (F,), W2 (F*H/2*W/2, hidden_dim),
    b2 (hidden_dim,), W3 (hidden_dim, num_classes), b3 (num_classes,); weights drawn from
    ``weight_scale * np.random.randn`` in that order, biases zero. With ``use_batchnorm``:
    gamma1/beta1 (F,) after the conv, gamma2/beta2 (hidden_dim,) after the hidden affine
    (ones and zeros), and ``self.bn_params`` holds their running statistics.
    """

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100,
                 num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float64,
                 use_batchnorm=False):
        if len(tuple(input_dim)) != 3:
            raise ValueError(f"input_dim must be (C, H, W), got {input_dim!r}")
        C, H, W = (_positive_int("input_dim entry", v) for v in input_dim)
        F = _positive_int("num_filters", num_filters)
        fs = _positive_int("filter_size", filter_size)
        hidden_dim = _positive_int("hidden_dim", hidden_dim)
        num_classes = _positive_int("num_classes", num_classes)
        if fs % 2 == 0:
            raise ValueError(f"filter_size must be odd so the convolution keeps the size, got {fs}")
        if H % 2 or W % 2:
            raise ValueError(f"input height and width must be even for the 2x2 pool, got {H}x{W}")
        weight_scale = _non_negative("weight_scale", weight_scale)
        if np.dtype(dtype).kind != "f":
            raise ValueError(f"dtype must be a floating-point type, got {dtype!r}")

        self.input_dim = (C, H, W)
        self.filter_size = fs
        self.reg = _non_negative("reg", reg)
        self.dtype = dtype
        self.use_batchnorm = bool(use_batchnorm)
        self.params = {
            "W1": weight_scale * np.random.randn(F, C, fs, fs),
            "b1": np.zeros(F),
            "W2": weight_scale * np.random.randn(F * (H // 2) * (W // 2), hidden_dim),
            "b2": np.zeros(hidden_dim),
            "W3": weight_scale * np.random.randn(hidden_dim, num_classes),
            "b3": np.zeros(num_classes),
        }
        self.bn_params = []
        if self.use_batchnorm:
            self.params.update(gamma1=np.ones(F), beta1=np.zeros(F),
                               gamma2=np.ones(hidden_dim), beta2=np.zeros(hidden_dim))
            self.bn_params = [{"mode": "train"}, {"mode": "train"}]
        for name, value in self.params.items():
            self.params[name] = value.astype(dtype)

    def loss(self, X, y=None):
        """Scores (N, num_classes) when ``y`` is None (batch norm in test mode); otherwise
        ``(loss, grads)`` with loss = softmax loss + 0.5 * reg * (‖W1‖² + ‖W2‖² + ‖W3‖²) and
        grads[name] the gradient of that loss for every entry of ``self.params``.
        """
        X = np.asarray(X)
        if X.dtype.kind != "f":
            raise ValueError(f"X must be a floating-point array, got dtype {X.dtype}")
        if X.ndim != 4 or X.shape[1:] != self.input_dim:
            raise ValueError(f"X must have shape (N, {', '.join(map(str, self.input_dim))}), "
                             f"got shape {X.shape}")
        X = X.astype(self.dtype)
        p = self.params
        mode = "test" if y is None else "train"
        for bn_param in self.bn_params:
            bn_param["mode"] = mode
        conv_param = {"stride": 1, "pad": (self.filter_size - 1) // 2}

        a1, conv_cache = conv_forward_fast(X, p["W1"], p["b1"], conv_param)
        if self.use_batchnorm:
            a1, bn1_cache = spatial_batchnorm_forward(a1, p["gamma1"], p["beta1"], self.bn_params[0])
        r1, relu1_cache = relu_forward(a1)
        pooled, pool_cache = max_pool_forward_fast(r1, _POOL)
        a2, fc2_cache = affine_forward(pooled, p["W2"], p["b2"])
        if self.use_batchnorm:
            a2, bn2_cache = batchnorm_forward(a2, p["gamma2"], p["beta2"], self.bn_params[1])
        r2, relu2_cache = relu_forward(a2)
        scores, fc3_cache = affine_forward(r2, p["W3"], p["b3"])
        if y is None:
            return scores

        data_loss, dscores = softmax_loss(scores, y)
        weights = ("W1", "W2", "W3")
        loss = data_loss + 0.5 * self.reg * sum(float(np.sum(p[w] ** 2)) for w in weights)
        grads = {}
        dr2, grads["W3"], grads["b3"] = affine_backward(dscores, fc3_cache)
        da2 = relu_backward(dr2, relu2_cache)
        if self.use_batchnorm:
            da2, grads["gamma2"], grads["beta2"] = batchnorm_backward(da2, bn2_cache)
        dpooled, grads["W2"], grads["b2"] = affine_backward(da2, fc2_cache)
        dr1 = max_pool_backward_fast(dpooled, pool_cache)
        da1 = relu_backward(dr1, relu1_cache)
        if self.use_batchnorm:
            da1, grads["gamma1"], grads["beta1"] = spatial_batchnorm_backward(da1, bn1_cache)
        _, grads["W1"], grads["b1"] = conv_backward_fast(da1, conv_cache)
        for w in weights:
            grads[w] = grads[w] + self.reg * p[w]
        return float(loss), grads
