"""Batch normalization and layer normalization (lecture 003; cs231n a2 names), ``x (N, D)``.

Batch norm normalizes each feature over the batch, layer norm each example over its features:
``x̂ = (x − μ) / sqrt(σ² + eps)``, ``out = γ x̂ + β`` with ``γ, β (D,)``.
"""

import numpy as np

from ._validate import expect_shape, float_array, mode_of, real_number

__all__ = [
    "batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt",
    "layernorm_forward", "layernorm_backward",
]


def _inputs(x, gamma, beta):
    x = float_array("x", x, ndim=2, shape_doc="(N, D)")
    gamma = float_array("gamma", gamma)
    beta = float_array("beta", beta)
    expect_shape("gamma", gamma, (x.shape[1],))
    expect_shape("beta", beta, (x.shape[1],))
    return x, gamma, beta


def _dout(dout, x):
    dout = float_array("dout", dout)
    expect_shape("dout", dout, x.shape)
    return dout


def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch norm. ``bn_param``: ``mode`` (``'train'``/``'test'``), ``eps`` (1e-5), ``momentum``
    (0.9), ``running_mean``/``running_var`` (zeros of ``(D,)`` when absent).

    Train: ``μ, σ²`` are the batch mean and (biased) variance of each feature, and
    ``running = momentum * running + (1 − momentum) * batch`` is written back into ``bn_param``.
    Test: ``μ, σ²`` are the running statistics. Returns ``(out, cache)``.
    """
    x, gamma, beta = _inputs(x, gamma, beta)
    mode = mode_of(bn_param, "bn_param")
    eps = real_number("bn_param['eps']", bn_param.get("eps", 1e-5), low=0, low_open=True)
    momentum = real_number("bn_param['momentum']", bn_param.get("momentum", 0.9), low=0, high=1)
    D = x.shape[1]
    running_mean = np.asarray(bn_param.get("running_mean", np.zeros(D, dtype=x.dtype)))
    running_var = np.asarray(bn_param.get("running_var", np.zeros(D, dtype=x.dtype)))
    expect_shape("bn_param['running_mean']", running_mean, (D,))
    expect_shape("bn_param['running_var']", running_var, (D,))
    if mode == "train":
        if x.shape[0] < 1:
            raise ValueError("batch norm in train mode needs at least one example")
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        running_mean = momentum * running_mean + (1.0 - momentum) * mu
        running_var = momentum * running_var + (1.0 - momentum) * var
    else:
        mu, var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    out = gamma * x_hat + beta
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    cache = {"mode": mode, "x": x, "x_hat": x_hat, "mu": mu, "var": var, "eps": eps,
             "inv_std": inv_std, "gamma": gamma}
    return out, cache


def batchnorm_backward(dout, cache):
    """Backward through the full graph ``x → x−μ → (x−μ)² → σ² → 1/sqrt(σ²+eps) → x̂ → out``.

    Returns ``(dx, dgamma, dbeta)``. In test mode μ, σ² are constants: ``dx = dout γ / sqrt(σ²+eps)``.
    """
    x, x_hat, gamma = cache["x"], cache["x_hat"], cache["gamma"]
    dout = _dout(dout, x)
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    if cache["mode"] == "test":
        return dx_hat * cache["inv_std"], dgamma, dbeta
    N = x.shape[0]
    xmu = x - cache["mu"]
    inv_std = cache["inv_std"]
    # x_hat = xmu * inv_std
    dxmu = dx_hat * inv_std
    dinv_std = np.sum(dx_hat * xmu, axis=0)
    # inv_std = (var + eps) ** -1/2
    dvar = dinv_std * -0.5 * inv_std ** 3
    # var = mean(xmu ** 2)
    dxmu += 2.0 * xmu * dvar / N
    # xmu = x - mu, mu = mean(x)
    dx = dxmu - np.sum(dxmu, axis=0) / N
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """Simplified train-mode formula:
    ``dx = γ / (N sqrt(σ²+eps)) * (N dout − Σ_n dout − x̂ Σ_n (dout x̂))``.
    """
    x, x_hat, gamma = cache["x"], cache["x_hat"], cache["gamma"]
    dout = _dout(dout, x)
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    if cache["mode"] == "test":
        return dout * gamma * cache["inv_std"], dgamma, dbeta
    N = x.shape[0]
    dx = (gamma * cache["inv_std"] / N) * (N * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
    """Layer norm: ``μ, σ²`` of each row (example) over its D features; same in train and test.

    ``ln_param``: ``eps`` (1e-5). Returns ``(out, cache)``.
    """
    x, gamma, beta = _inputs(x, gamma, beta)
    if not isinstance(ln_param, dict):
        raise ValueError(f"ln_param must be a dict, got {type(ln_param).__name__}")
    eps = real_number("ln_param['eps']", ln_param.get("eps", 1e-5), low=0, low_open=True)
    if x.shape[1] < 1:
        raise ValueError("layer norm needs at least one feature")
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    out = gamma * x_hat + beta
    return out, {"x": x, "x_hat": x_hat, "inv_std": inv_std, "gamma": gamma}


def layernorm_backward(dout, cache):
    """``dx = 1/(D sqrt(σ²+eps)) * (D g − Σ_d g − x̂ Σ_d (g x̂))`` with ``g = dout γ`` (per row);
    ``dgamma = Σ_n dout x̂``, ``dbeta = Σ_n dout``. Returns ``(dx, dgamma, dbeta)``.
    """
    x, x_hat, gamma = cache["x"], cache["x_hat"], cache["gamma"]
    dout = _dout(dout, x)
    D = x.shape[1]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    g = dout * gamma
    dx = (cache["inv_std"] / D) * (D * g - g.sum(axis=1, keepdims=True)
                                   - x_hat * np.sum(g * x_hat, axis=1, keepdims=True))
    return dx, dgamma, dbeta
