"""Scaled dot-product attention (single head, batched), forward and backward.

    scores = q kᵀ / sqrt(d) (+ additive mask, or -inf where a boolean mask is False)
    A = softmax(scores) along the keys,   out = A v

Shapes: q (N, Tq, d), k (N, Tk, d), v (N, Tk, dv) -> out (N, Tq, dv).
"""

import numpy as np

from ._validate import float_array

__all__ = ["attention_forward", "attention_backward"]


def _check_mask(mask, shape):
    """The mask as an additive float array broadcastable to ``shape`` = (N, Tq, Tk).

    A boolean mask (True = keep) becomes 0 / -inf; a float mask is added as it is. The mask must
    be (Tq, Tk) or (N, Tq, Tk), or have size-1 axes in their place (e.g. (N, 1, Tk) for padding).
    Every query must keep at least one key.
    """
    mask = np.asarray(mask)
    if mask.ndim not in (2, 3):
        raise ValueError(f"mask must have shape (Tq, Tk) or (N, Tq, Tk) = {shape}, "
                         f"got shape {mask.shape}")
    target = shape[-mask.ndim:]
    if any(m not in (1, t) for m, t in zip(mask.shape, target)):
        raise ValueError(f"mask of shape {mask.shape} does not match the scores' shape "
                         f"(N, Tq, Tk) = {shape}")
    if mask.dtype == bool:
        additive = np.where(mask, 0.0, -np.inf)
    elif mask.dtype.kind == "f":
        if np.isnan(mask).any() or (mask == np.inf).any():
            raise ValueError("an additive mask may hold finite values and -inf only")
        additive = mask
    else:
        raise ValueError(f"mask must be boolean (True = keep) or floating (additive), "
                         f"got dtype {mask.dtype}")
    if np.all(np.isneginf(additive), axis=-1).any():
        raise ValueError("the mask leaves a query with no key to attend to (a row all masked)")
    return additive


def attention_forward(q, k, v, mask=None):
    """out = softmax(q kᵀ / sqrt(d) + mask) v, the softmax over the Tk keys.

    q (N, Tq, d), k (N, Tk, d), v (N, Tk, dv); mask None, boolean (True = keep) or additive
    float, of shape (Tq, Tk) or (N, Tq, Tk) (size-1 axes allowed). Returns (out (N, Tq, dv), cache).
    """
    q = float_array("q", q, 3, "(N, Tq, d)")
    k = float_array("k", k, 3, "(N, Tk, d)")
    v = float_array("v", v, 3, "(N, Tk, dv)")
    N, Tq, d = q.shape
    if k.shape[0] != N or k.shape[2] != d:
        raise ValueError(f"k must have shape (N={N}, Tk, d={d}) to match q, got shape {k.shape}")
    if v.shape[:2] != k.shape[:2]:
        raise ValueError(f"v must have shape (N={N}, Tk={k.shape[1]}, dv) to match k, "
                         f"got shape {v.shape}")
    if d == 0 or k.shape[1] == 0:
        raise ValueError("attention needs d >= 1 and at least one key")
    scale = 1.0 / np.sqrt(d)
    scores = q @ k.transpose(0, 2, 1) * scale
    if mask is not None:
        scores = scores + _check_mask(mask, scores.shape)
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ v, (q, k, v, weights, scale)


def attention_backward(dout, cache):
    """Gradients of ``attention_forward`` (the mask is a constant). With A the attention weights:
    dv = Aᵀ dout, dA = dout vᵀ, dS = A * (dA - sum_keys(dA * A)),
    dq = dS k * scale, dk = dSᵀ q * scale, scale = 1 / sqrt(d).
    Returns (dq, dk, dv) shaped like q, k, v.
    """
    if not isinstance(cache, tuple) or len(cache) != 5:
        raise ValueError("cache must be the 5-tuple (q, k, v, weights, scale) returned by "
                         "attention_forward")
    q, k, v, weights, scale = cache
    dout = np.asarray(dout)
    expected = (q.shape[0], q.shape[1], v.shape[2])
    if dout.dtype.kind != "f" or dout.shape != expected:
        raise ValueError(f"dout must be a floating-point array of shape {expected}, "
                         f"got {dout.dtype} {dout.shape}")
    dv = weights.transpose(0, 2, 1) @ dout
    dweights = dout @ v.transpose(0, 2, 1)
    dscores = weights * (dweights - (dweights * weights).sum(axis=-1, keepdims=True))
    dq = dscores @ k * scale
    dk = dscores.transpose(0, 2, 1) @ q * scale
    return dq, dk, dv
