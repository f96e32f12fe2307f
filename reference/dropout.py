"""Inverted dropout (lecture 003; cs231n/c147 convention: ``p`` is the probability of KEEPING a unit).

Train: ``mask = (U < p) / p`` with ``U ~ Uniform[0, 1)`` of ``x``'s shape, ``out = x * mask``, so
``E[out] = x``. Test: ``out = x``. Cache ``(dropout_param, mask)`` (``mask`` is the scaled one;
``None`` in test mode).
"""

import numpy as np

from ._validate import float_array, mode_of, real_number, same_shape

__all__ = ["dropout_forward", "dropout_backward"]


def _keep_probability(dropout_param):
    if "p" not in dropout_param:
        raise ValueError("dropout_param is missing the key 'p' (probability of keeping a unit)")
    return real_number("dropout_param['p']", dropout_param["p"], low=0, high=1, low_open=True)


def dropout_forward(x, dropout_param):
    """Inverted dropout; ``dropout_param``: ``p`` (keep probability in (0, 1]), ``mode``
    (``'train'``/``'test'``), optional ``seed`` (then ``np.random.seed(seed)`` first, as cs231n).
    Returns ``(out, (dropout_param, mask))``.
    """
    x = float_array("x", x)
    mode = mode_of(dropout_param, "dropout_param")
    p = _keep_probability(dropout_param)
    if dropout_param.get("seed") is not None:
        np.random.seed(dropout_param["seed"])
    if mode == "train":
        mask = (np.random.rand(*x.shape) < p) / p
        out = (x * mask).astype(x.dtype, copy=False)
    else:
        mask = None
        out = x.copy()
    return out, (dropout_param, mask)


def dropout_backward(dout, cache):
    """Train: ``dx = dout * mask``; test: ``dx = dout``."""
    dropout_param, mask = cache
    dout = float_array("dout", dout)
    if mode_of(dropout_param, "dropout_param") == "test":
        return dout.copy()
    same_shape("dout", dout, "the dropout mask", mask)
    return (dout * mask).astype(dout.dtype, copy=False)
