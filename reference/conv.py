"""Convolution, max pooling and spatial normalization layers (cs231n names and signatures).

Layout: images are ``x (N, C, H, W)``, filters ``w (F, C, HH, WW)``. Output sizes follow the
lecture notes: ``(size - filter + 2 * pad) / stride + 1`` for a convolution and
``(size - pool) / stride + 1`` for pooling; a stride that does not divide exactly is an error.

Each ``*_naive`` function loops over output positions and states the formula; each ``*_fast``
function computes the same numbers with strided slices (im2col and one matrix product for the
convolution, one pass per window tap for pooling). Naive and fast versions return
interchangeable caches: conv ``(x, w, b, conv_param)``, max pool ``(x, pool_param)``.
"""

import numpy as np

from ._validate import expect_shape, float_array, positive_int, real_number
from .normalization import batchnorm_backward, batchnorm_forward

__all__ = [
    "conv_output_size",
    "conv_forward_naive", "conv_backward_naive",
    "conv_forward_fast", "conv_backward_fast",
    "max_pool_forward_naive", "max_pool_backward_naive",
    "max_pool_forward_fast", "max_pool_backward_fast",
    "spatial_batchnorm_forward", "spatial_batchnorm_backward",
    "spatial_groupnorm_forward", "spatial_groupnorm_backward",
]


# ----------------------------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------------------------

def _int_param(params, key, where, minimum):
    """``params[key]`` as an int >= ``minimum``, else ValueError."""
    if not isinstance(params, dict):
        raise ValueError(f"{where} must be a dict, got {type(params).__name__}")
    if key not in params:
        raise ValueError(f"{where} is missing the key {key!r}")
    return positive_int(f"{where}[{key!r}]", params[key], minimum)


def conv_output_size(size, filter_size, stride, pad):
    """Output length ``(size - filter_size + 2 * pad) / stride + 1`` along one axis.

    Raises ValueError if the filter is larger than the padded input, if ``pad < 0`` or
    ``stride < 1``, or if the stride does not divide ``size - filter_size + 2 * pad``.
    """
    for label, value, minimum in (("size", size, 1), ("filter_size", filter_size, 1),
                                  ("stride", stride, 1), ("pad", pad, 0)):
        positive_int(label, value, minimum)
    span = size + 2 * pad - filter_size
    if span < 0:
        raise ValueError(f"filter size {filter_size} is larger than the padded input "
                         f"{size} + 2*{pad} = {size + 2 * pad}")
    if span % stride != 0:
        raise ValueError(f"stride {stride} does not divide (size {size} - filter {filter_size} "
                         f"+ 2*pad {pad}) = {span}")
    return span // stride + 1


def _check_conv(x, w, b, conv_param):
    """Validated ``(x, w, b, stride, pad, H_out, W_out)`` of a convolution."""
    x = float_array("x", x, 4, "(N, C, H, W)")
    w = float_array("w", w, 4, "(F, C, HH, WW)")
    b = float_array("b", b, 1, "(F,)")
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"channel mismatch: x has C={x.shape[1]} channels, "
                         f"w expects {w.shape[1]} (w is (F, C, HH, WW) = {w.shape})")
    expect_shape("b", b, (w.shape[0],))
    stride = _int_param(conv_param, "stride", "conv_param", 1)
    pad = _int_param(conv_param, "pad", "conv_param", 0)
    H_out = conv_output_size(x.shape[2], w.shape[2], stride, pad)
    W_out = conv_output_size(x.shape[3], w.shape[3], stride, pad)
    return x, w, b, stride, pad, H_out, W_out


def _check_pool(x, pool_param):
    """Validated ``(x, pool_height, pool_width, stride, H_out, W_out)`` of a max pool."""
    x = float_array("x", x, 4, "(N, C, H, W)")
    ph = _int_param(pool_param, "pool_height", "pool_param", 1)
    pw = _int_param(pool_param, "pool_width", "pool_param", 1)
    stride = _int_param(pool_param, "stride", "pool_param", 1)
    H_out = conv_output_size(x.shape[2], ph, stride, 0)
    W_out = conv_output_size(x.shape[3], pw, stride, 0)
    return x, ph, pw, stride, H_out, W_out


def _check_cache(cache, length, what):
    if not isinstance(cache, tuple) or len(cache) != length:
        raise ValueError(f"cache must be the {length}-tuple {what} returned by the forward pass")
    return cache


def _check_dout(dout, shape):
    dout = float_array("dout", dout, len(shape), str(shape))
    expect_shape("dout", dout, shape)
    return dout


def _pad(x, pad):
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")


# ----------------------------------------------------------------------------------------------
# convolution
# ----------------------------------------------------------------------------------------------

def conv_forward_naive(x, w, b, conv_param):
    """Convolution (cross-correlation) of N images with F filters.

    out[n, f, i, j] = b[f] + sum_{c, a, e} xp[n, c, i*stride + a, j*stride + e] * w[f, c, a, e]
    where xp is x zero-padded by ``pad`` on both sides of H and W.

    x (N, C, H, W), w (F, C, HH, WW), b (F,), conv_param {"stride", "pad"} ->
    out (N, F, H_out, W_out), cache (x, w, b, conv_param).
    """
    x, w, b, stride, pad, H_out, W_out = _check_conv(x, w, b, conv_param)
    F, _, HH, WW = w.shape
    xp = _pad(x, pad)
    out = np.empty((x.shape[0], F, H_out, W_out), dtype=np.result_type(x, w, b))
    for i in range(H_out):
        for j in range(W_out):
            window = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    """Gradients of the convolution; cache is ``(x, w, b, conv_param)``.

    db[f] = sum_{n,i,j} dout[n, f, i, j]
    dw[f, c, a, e] = sum_{n,i,j} dout[n, f, i, j] * xp[n, c, i*stride + a, j*stride + e]
    dxp[n, c, i*stride + a, j*stride + e] += sum_f dout[n, f, i, j] * w[f, c, a, e]; dx = dxp unpadded.
    Returns (dx, dw, db) shaped like x, w, b.
    """
    x, w, b, conv_param = _check_cache(cache, 4, "(x, w, b, conv_param)")
    x, w, b, stride, pad, H_out, W_out = _check_conv(x, w, b, conv_param)
    dout = _check_dout(dout, (x.shape[0], w.shape[0], H_out, W_out))
    _, _, HH, WW = w.shape
    xp = _pad(x, pad)
    dxp = np.zeros_like(xp, dtype=np.result_type(xp, dout))
    dw = np.zeros_like(w, dtype=np.result_type(w, dout))
    for i in range(H_out):
        for j in range(W_out):
            rows = slice(i * stride, i * stride + HH)
            cols = slice(j * stride, j * stride + WW)
            d = dout[:, :, i, j]                                   # (N, F)
            dw += np.tensordot(d, xp[:, :, rows, cols], axes=([0], [0]))
            dxp[:, :, rows, cols] += np.tensordot(d, w, axes=([1], [0]))
    dx = np.ascontiguousarray(dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]])
    db = dout.sum(axis=(0, 2, 3))
    return dx, dw, db


def _im2col(xp, HH, WW, stride, H_out, W_out):
    """Columns (C, HH, WW, N, H_out, W_out): cols[c, a, e, n, i, j] = xp[n, c, i*stride + a,
    j*stride + e], filled one filter tap (a, e) at a time."""
    N, C = xp.shape[:2]
    cols = np.empty((C, HH, WW, N, H_out, W_out), dtype=xp.dtype)
    for a in range(HH):
        for e in range(WW):
            tap = xp[:, :, a:a + stride * H_out:stride, e:e + stride * W_out:stride]
            cols[:, a, e] = tap.transpose(1, 0, 2, 3)
    return cols


def conv_forward_fast(x, w, b, conv_param):
    """Same as ``conv_forward_naive`` (same output and cache), as one matrix product:
    out = w (F, C*HH*WW) @ cols (C*HH*WW, N*H_out*W_out) + b (im2col)."""
    x, w, b, stride, pad, H_out, W_out = _check_conv(x, w, b, conv_param)
    F, C, HH, WW = w.shape
    cols = _im2col(_pad(x, pad), HH, WW, stride, H_out, W_out).reshape(C * HH * WW, -1)
    out = (w.reshape(F, -1) @ cols).reshape(F, x.shape[0], H_out, W_out) + b[:, None, None, None]
    return np.ascontiguousarray(out.transpose(1, 0, 2, 3)), (x, w, b, conv_param)


def conv_backward_fast(dout, cache):
    """Same as ``conv_backward_naive``: dw = dout_r @ colsᵀ, dcols = wᵀ @ dout_r, and dcols is
    added back into the padded input one filter tap at a time (col2im). Returns (dx, dw, db)."""
    x, w, b, conv_param = _check_cache(cache, 4, "(x, w, b, conv_param)")
    x, w, b, stride, pad, H_out, W_out = _check_conv(x, w, b, conv_param)
    N = x.shape[0]
    F, C, HH, WW = w.shape
    dout = _check_dout(dout, (N, F, H_out, W_out))
    xp = _pad(x, pad)
    cols = _im2col(xp, HH, WW, stride, H_out, W_out).reshape(C * HH * WW, -1)
    dout_r = dout.transpose(1, 0, 2, 3).reshape(F, -1)           # (F, N*H_out*W_out)
    dw = (dout_r @ cols.T).reshape(w.shape)
    dcols = (w.reshape(F, -1).T @ dout_r).reshape(C, HH, WW, N, H_out, W_out)
    dxp = np.zeros_like(xp, dtype=np.result_type(xp, dout))
    for a in range(HH):
        for e in range(WW):
            dxp[:, :, a:a + stride * H_out:stride, e:e + stride * W_out:stride] += (
                dcols[:, a, e].transpose(1, 0, 2, 3))
    dx = np.ascontiguousarray(dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]])
    return dx, dw, dout.sum(axis=(0, 2, 3))


# ----------------------------------------------------------------------------------------------
# max pooling
# ----------------------------------------------------------------------------------------------

def max_pool_forward_naive(x, pool_param):
    """Max pooling: out[n, c, i, j] = max_{a < ph, e < pw} x[n, c, i*stride + a, j*stride + e].

    x (N, C, H, W), pool_param {"pool_height", "pool_width", "stride"} ->
    out (N, C, H_out, W_out), cache (x, pool_param). Windows may overlap (stride < pool size).
    """
    x, ph, pw, stride, H_out, W_out = _check_pool(x, pool_param)
    out = np.empty(x.shape[:2] + (H_out, W_out), dtype=x.dtype)
    for i in range(H_out):
        for j in range(W_out):
            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    """dx: each dout[n, c, i, j] is added to the entry of its window that holds the maximum.

    With tied maxima the first one in row-major window order receives the gradient (np.argmax);
    overlapping windows accumulate. Returns dx shaped like x.
    """
    x, pool_param = _check_cache(cache, 2, "(x, pool_param)")
    x, ph, pw, stride, H_out, W_out = _check_pool(x, pool_param)
    dout = _check_dout(dout, x.shape[:2] + (H_out, W_out))
    N, C = x.shape[:2]
    dx = np.zeros_like(x, dtype=np.result_type(x, dout))
    n_idx, c_idx = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    for i in range(H_out):
        for j in range(W_out):
            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw]
            a, e = np.divmod(window.reshape(N, C, ph * pw).argmax(axis=2), pw)
            dx[n_idx, c_idx, i * stride + a, j * stride + e] += dout[:, :, i, j]
    return dx


def _taps(x, ph, pw, stride, H_out, W_out):
    """(a, e, view) for every pool tap in row-major order; view[n, c, i, j] = x[n, c, i*stride + a,
    j*stride + e] (N, C, H_out, W_out)."""
    for a in range(ph):
        for e in range(pw):
            yield a, e, x[:, :, a:a + stride * H_out:stride, e:e + stride * W_out:stride]


def max_pool_forward_fast(x, pool_param):
    """Same as ``max_pool_forward_naive`` (same output and cache): the elementwise maximum of the
    ph*pw strided tap views."""
    x, ph, pw, stride, H_out, W_out = _check_pool(x, pool_param)
    out = None
    for _, _, view in _taps(x, ph, pw, stride, H_out, W_out):
        out = view.copy() if out is None else np.maximum(out, view, out=out)
    return out, (x, pool_param)


def max_pool_backward_fast(dout, cache):
    """Same as ``max_pool_backward_naive`` (the first maximum in row-major window order wins),
    looping over the ph*pw taps only."""
    x, pool_param = _check_cache(cache, 2, "(x, pool_param)")
    x, ph, pw, stride, H_out, W_out = _check_pool(x, pool_param)
    dout = _check_dout(dout, x.shape[:2] + (H_out, W_out))
    out, _ = max_pool_forward_fast(x, pool_param)
    unclaimed = np.ones(out.shape, dtype=bool)
    dx = np.zeros_like(x, dtype=np.result_type(x, dout))
    for a, e, view in _taps(x, ph, pw, stride, H_out, W_out):
        wins = unclaimed & (view == out)
        unclaimed &= ~wins
        dx[:, :, a:a + stride * H_out:stride, e:e + stride * W_out:stride] += dout * wins
    return dx


# ----------------------------------------------------------------------------------------------
# normalization math (group norm)
# ----------------------------------------------------------------------------------------------

def _standardize(a, axis, eps):
    """xhat = (a - mean) / sqrt(var + eps) along ``axis`` (biased var); returns (xhat, inv_std)."""
    mean = a.mean(axis=axis, keepdims=True)
    inv_std = 1.0 / np.sqrt(a.var(axis=axis, keepdims=True) + eps)
    return (a - mean) * inv_std, inv_std


def _standardize_backward(dxhat, xhat, inv_std, axis):
    """Gradient through ``_standardize`` with m values along ``axis``:
    dx = inv_std / m * (m * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat))."""
    m = xhat.shape[axis]
    return inv_std / m * (m * dxhat - dxhat.sum(axis=axis, keepdims=True)
                          - xhat * (dxhat * xhat).sum(axis=axis, keepdims=True))


# ----------------------------------------------------------------------------------------------
# spatial normalization
# ----------------------------------------------------------------------------------------------

def _channels_last(x):
    """(N, C, H, W) -> (N*H*W, C)."""
    return x.transpose(0, 2, 3, 1).reshape(-1, x.shape[1])


def _channels_first(flat, shape):
    """(N*H*W, C) -> (N, C, H, W) for ``shape == (N, C, H, W)``."""
    N, C, H, W = shape
    return np.ascontiguousarray(flat.reshape(N, H, W, C).transpose(0, 3, 1, 2))


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization per channel over the N*H*W positions of x (N, C, H, W).

    out = gamma[c] * (x - mu_c) / sqrt(var_c + eps) + beta[c], with mu_c, var_c (biased) the
    statistics of channel c over (N, H, W) in "train" mode, ``running_mean``/``running_var`` in
    "test" mode. gamma, beta (C,). bn_param as for ``reference.normalization.batchnorm_forward``
    (applied to the (N*H*W, C) view): "mode" ('train'/'test'), "eps" (1e-5), "momentum" (0.9),
    running averages written back: running = momentum * running + (1 - momentum) * batch.
    Returns (out (N, C, H, W), cache).
    """
    x = float_array("x", x, 4, "(N, C, H, W)")
    out_flat, cache = batchnorm_forward(_channels_last(x), gamma, beta, bn_param)
    return _channels_first(out_flat, x.shape), (x.shape, cache)


def spatial_batchnorm_backward(dout, cache):
    """Gradients of ``spatial_batchnorm_forward``: (dx (N, C, H, W), dgamma (C,), dbeta (C,))."""
    shape, bn_cache = _check_cache(cache, 2, "(shape, batchnorm cache)")
    dout = _check_dout(dout, shape)
    dx_flat, dgamma, dbeta = batchnorm_backward(_channels_last(dout), bn_cache)
    return _channels_first(dx_flat, shape), dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Group normalization: channels split into G groups of C/G; each (example, group) is
    normalized over its C/G * H * W values, then scaled per channel.

    out[n, c] = gamma[0, c] * (x[n, c] - mu[n, g(c)]) / sqrt(var[n, g(c)] + eps) + beta[0, c]
    x (N, C, H, W), gamma and beta (1, C, 1, 1), G must divide C, gn_param {"eps": 1e-5} (eps > 0).
    G = 1 is layer normalization over (C, H, W); G = C is instance normalization.
    Returns (out, cache).
    """
    x = float_array("x", x, 4, "(N, C, H, W)")
    N, C, H, W = x.shape
    gamma = float_array("gamma", gamma, shape_doc="(1, C, 1, 1)")
    beta = float_array("beta", beta, shape_doc="(1, C, 1, 1)")
    expect_shape("gamma", gamma, (1, C, 1, 1))
    expect_shape("beta", beta, (1, C, 1, 1))
    G = positive_int("G", G, 1)
    if C % G != 0:
        raise ValueError(f"the number of groups G={G} must divide the number of channels C={C}")
    if not isinstance(gn_param, dict):
        raise ValueError(f"gn_param must be a dict, got {type(gn_param).__name__}")
    eps = real_number("gn_param['eps']", gn_param.get("eps", 1e-5), low=0, low_open=True)
    xhat, inv_std = _standardize(x.reshape(N, G, -1), axis=2, eps=eps)
    xhat = xhat.reshape(x.shape)
    return gamma * xhat + beta, (xhat, gamma, inv_std, G)


def spatial_groupnorm_backward(dout, cache):
    """Gradients of group norm: (dx (N, C, H, W), dgamma (1, C, 1, 1), dbeta (1, C, 1, 1)).

    With m = C/G*H*W values per group and dxhat = dout * gamma:
    dx = inv_std / m * (m * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)), sums within a group.
    """
    xhat, gamma, inv_std, G = _check_cache(cache, 4, "(xhat, gamma, inv_std, G)")
    dout = _check_dout(dout, xhat.shape)
    N = xhat.shape[0]
    dgamma = (dout * xhat).sum(axis=(0, 2, 3), keepdims=True)
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)
    dxhat = (dout * gamma).reshape(N, G, -1)
    dx = _standardize_backward(dxhat, xhat.reshape(N, G, -1), inv_std, axis=2)
    return dx.reshape(xhat.shape), dgamma, dbeta
