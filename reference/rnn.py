"""Recurrent layers (cs231n assignment 3 names and signatures): vanilla tanh RNN, LSTM,
word embeddings, temporal affine and temporal softmax loss.

Shapes: N sequences of length T, input dimension D, hidden dimension H, vocabulary V.
Caches are this module's own; every backward takes the cache its forward returned.
"""

import numpy as np

from ._validate import expect_shape, float_array

__all__ = [
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
    "word_embedding_forward", "word_embedding_backward",
    "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
    "temporal_affine_forward", "temporal_affine_backward", "temporal_softmax_loss",
]


# ----------------------------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------------------------

def _float_of_shape(name, a, shape):
    """``a`` as a floating ndarray of exactly ``shape`` (a tuple of ints), else ValueError."""
    a = float_array(name, a)
    expect_shape(name, a, shape)
    return a


def _int_array(name, a, shape):
    a = np.asarray(a)
    if a.dtype.kind not in "iu":
        raise ValueError(f"{name} must be an integer array, got dtype {a.dtype}")
    if a.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got shape {a.shape}")
    return a


def _check_cache(cache, length, what):
    if not isinstance(cache, tuple) or len(cache) != length:
        raise ValueError(f"cache must be the {length}-tuple {what} returned by the forward pass")
    return cache


def _sigmoid(a):
    """Logistic function 1 / (1 + exp(-a)), written as 0.5 * (1 + tanh(a / 2)) (no overflow)."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _check_weights(D, H, Wx, Wh, b, gates):
    """Validated Wx (D, gates*H), Wh (H, gates*H), b (gates*H,)."""
    return (_float_of_shape("Wx", Wx, (D, gates * H)), _float_of_shape("Wh", Wh, (H, gates * H)),
            _float_of_shape("b", b, (gates * H,)))


def _check_cell(x, prev_h, Wx, Wh, b, gates):
    """Validated step arguments: x (N, D), prev_h (N, H), Wx (D, gates*H), Wh (H, gates*H), b."""
    x = float_array("x", x, 2, "(N, D)")
    prev_h = float_array("prev_h", prev_h, 2, "(N, H)")
    if prev_h.shape[0] != x.shape[0]:
        raise ValueError(f"prev_h must have N={x.shape[0]} rows like x, got shape {prev_h.shape}")
    return (x, prev_h) + _check_weights(x.shape[1], prev_h.shape[1], Wx, Wh, b, gates)


def _check_sequence(x, h0, Wx, Wh, b, gates):
    """Validated x (N, T, D) with T >= 1, h0 (N, H) and the weights of ``_check_weights``."""
    x = float_array("x", x, 3, "(N, T, D)")
    h0 = float_array("h0", h0, 2, "(N, H)")
    if x.shape[1] < 1:
        raise ValueError(f"x must hold at least one time step, got shape {x.shape}")
    if h0.shape[0] != x.shape[0]:
        raise ValueError(f"h0 must have N={x.shape[0]} rows like x, got shape {h0.shape}")
    return (x, h0) + _check_weights(x.shape[2], h0.shape[1], Wx, Wh, b, gates)


# ----------------------------------------------------------------------------------------------
# vanilla RNN
# ----------------------------------------------------------------------------------------------

def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """One tanh RNN step: next_h = tanh(x Wx + prev_h Wh + b).

    x (N, D), prev_h (N, H), Wx (D, H), Wh (H, H), b (H,) -> next_h (N, H), cache.
    """
    x, prev_h, Wx, Wh, b = _check_cell(x, prev_h, Wx, Wh, b, gates=1)
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    """Gradients of one RNN step. With da = dnext_h * (1 - next_h**2):
    dx = da Wxᵀ, dprev_h = da Whᵀ, dWx = xᵀ da, dWh = prev_hᵀ da, db = sum_n da.
    Returns (dx, dprev_h, dWx, dWh, db).
    """
    x, prev_h, Wx, Wh, next_h = _check_cache(cache, 5, "(x, prev_h, Wx, Wh, next_h)")
    dnext_h = _float_of_shape("dnext_h", dnext_h, next_h.shape)
    da = dnext_h * (1.0 - next_h ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    """A tanh RNN over T steps: h[:, t] = tanh(x[:, t] Wx + h[:, t-1] Wh + b), h[:, -1] = h0.

    x (N, T, D), h0 (N, H), Wx (D, H), Wh (H, H), b (H,) -> h (N, T, H), cache.
    """
    x, h0, Wx, Wh, b = _check_sequence(x, h0, Wx, Wh, b, gates=1)
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]), dtype=np.result_type(x, h0, Wx, Wh, b))
    step_caches = []
    prev_h = h0
    for t in range(T):
        prev_h, step_cache = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)
        h[:, t] = prev_h
        step_caches.append(step_cache)
    return h, (x.shape, h0.shape, Wx, Wh, step_caches)


def rnn_backward(dh, cache):
    """Backpropagation through time. dh (N, T, H) is the upstream gradient of every hidden state
    (not of the recurrence); step t receives dh[:, t] + the gradient flowing back from step t+1.
    Returns (dx (N, T, D), dh0 (N, H), dWx, dWh, db).
    """
    x_shape, h0_shape, Wx, Wh, step_caches = _check_cache(
        cache, 5, "(x shape, h0 shape, Wx, Wh, step caches)")
    N, T, D = x_shape
    dh = _float_of_shape("dh", dh, (N, T, h0_shape[1]))
    dx = np.zeros(x_shape, dtype=np.result_type(dh, Wx))
    dWx, dWh = np.zeros_like(Wx, dtype=dx.dtype), np.zeros_like(Wh, dtype=dx.dtype)
    db = np.zeros(Wh.shape[1], dtype=dx.dtype)
    dprev_h = np.zeros(h0_shape, dtype=dx.dtype)
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev_h, step_caches[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db


# ----------------------------------------------------------------------------------------------
# word embedding
# ----------------------------------------------------------------------------------------------

def word_embedding_forward(x, W):
    """Embedding lookup out[n, t] = W[x[n, t]].

    x (N, T) integers in [0, V), W (V, D) -> out (N, T, D), cache (x, W).
    """
    W = float_array("W", W, 2, "(V, D)")
    x = np.asarray(x)
    if x.dtype.kind not in "iu":
        raise ValueError(f"x must be an integer array of word indices, got dtype {x.dtype}")
    if x.ndim != 2:
        raise ValueError(f"x must have shape (N, T), got shape {x.shape}")
    if x.size and (x.min() < 0 or x.max() >= W.shape[0]):
        raise ValueError(f"word indices must lie in [0, V={W.shape[0]}), "
                         f"got values from {x.min()} to {x.max()}")
    return W[x], (x, W)


def word_embedding_backward(dout, cache):
    """dW[v] = sum of dout[n, t] over all (n, t) with x[n, t] == v (repeated words add up).

    dout (N, T, D) -> dW (V, D).
    """
    x, W = _check_cache(cache, 2, "(x, W)")
    dout = _float_of_shape("dout", dout, x.shape + (W.shape[1],))
    dW = np.zeros_like(W, dtype=np.result_type(W, dout))
    np.add.at(dW, x, dout)
    return dW


# ----------------------------------------------------------------------------------------------
# LSTM
# ----------------------------------------------------------------------------------------------

def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One LSTM step. a = x Wx + prev_h Wh + b (N, 4H), split into columns in the order
    i = σ(a[:, :H]), f = σ(a[:, H:2H]), o = σ(a[:, 2H:3H]), g = tanh(a[:, 3H:]);
    next_c = f * prev_c + i * g, next_h = o * tanh(next_c).

    x (N, D), prev_h and prev_c (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,) -> next_h, next_c, cache.
    """
    x, prev_h, Wx, Wh, b = _check_cell(x, prev_h, Wx, Wh, b, gates=4)
    prev_c = _float_of_shape("prev_c", prev_c, prev_h.shape)
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), _sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    """Gradients of one LSTM step.

    dc = dnext_c + dnext_h * o * (1 - tanh(next_c)**2); do = dnext_h * tanh(next_c);
    di = dc * g; df = dc * prev_c; dg = dc * i; dprev_c = dc * f;
    da = [di i(1-i), df f(1-f), do o(1-o), dg (1-g²)] (N, 4H);
    dx = da Wxᵀ, dprev_h = da Whᵀ, dWx = xᵀ da, dWh = prev_hᵀ da, db = sum_n da.
    Returns (dx, dprev_h, dprev_c, dWx, dWh, db).
    """
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c = _check_cache(
        cache, 10, "(x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh(next_c))")
    dnext_h = _float_of_shape("dnext_h", dnext_h, prev_h.shape)
    dnext_c = _float_of_shape("dnext_c", dnext_c, prev_h.shape)
    dc = dnext_c + dnext_h * o * (1.0 - tanh_c ** 2)
    da = np.concatenate([dc * g * i * (1.0 - i),
                         dc * prev_c * f * (1.0 - f),
                         dnext_h * tanh_c * o * (1.0 - o),
                         dc * i * (1.0 - g ** 2)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    """An LSTM over T steps with initial cell state 0.

    x (N, T, D), h0 (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,) -> h (N, T, H), cache.
    """
    x, h0, Wx, Wh, b = _check_sequence(x, h0, Wx, Wh, b, gates=4)
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]), dtype=np.result_type(x, h0, Wx, Wh, b))
    step_caches = []
    prev_h, prev_c = h0, np.zeros_like(h0)
    for t in range(T):
        prev_h, prev_c, step_cache = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)
        h[:, t] = prev_h
        step_caches.append(step_cache)
    return h, (x.shape, h0.shape, Wx, Wh, step_caches)


def lstm_backward(dh, cache):
    """Backpropagation through time for ``lstm_forward``; dh (N, T, H) is the upstream gradient
    of every hidden state. Returns (dx (N, T, D), dh0 (N, H), dWx, dWh, db)."""
    x_shape, h0_shape, Wx, Wh, step_caches = _check_cache(
        cache, 5, "(x shape, h0 shape, Wx, Wh, step caches)")
    N, T, D = x_shape
    dh = _float_of_shape("dh", dh, (N, T, h0_shape[1]))
    dx = np.zeros(x_shape, dtype=np.result_type(dh, Wx))
    dWx, dWh = np.zeros_like(Wx, dtype=dx.dtype), np.zeros_like(Wh, dtype=dx.dtype)
    db = np.zeros(Wh.shape[1], dtype=dx.dtype)
    dprev_h = np.zeros(h0_shape, dtype=dx.dtype)
    dprev_c = np.zeros(h0_shape, dtype=dx.dtype)
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t] + dprev_h, dprev_c, step_caches[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db


# ----------------------------------------------------------------------------------------------
# temporal affine and softmax loss
# ----------------------------------------------------------------------------------------------

def temporal_affine_forward(x, w, b):
    """The same affine map at every time step: out[n, t] = x[n, t] w + b.

    x (N, T, D), w (D, M), b (M,) -> out (N, T, M), cache (x, w, b).
    """
    x = float_array("x", x, 3, "(N, T, D)")
    w = float_array("w", w, 2, "(D, M)")
    if w.shape[0] != x.shape[2]:
        raise ValueError(f"w must have D={x.shape[2]} rows like x's last axis, got shape {w.shape}")
    b = _float_of_shape("b", b, (w.shape[1],))
    return x @ w + b, (x, w, b)


def temporal_affine_backward(dout, cache):
    """dx = dout wᵀ, dw = sum_{n,t} x[n, t]ᵀ dout[n, t], db = sum_{n,t} dout[n, t].

    Returns (dx (N, T, D), dw (D, M), db (M,)).
    """
    x, w, b = _check_cache(cache, 3, "(x, w, b)")
    dout = _float_of_shape("dout", dout, x.shape[:2] + (w.shape[1],))
    dw = np.tensordot(x, dout, axes=([0, 1], [0, 1]))
    return dout @ w.T, dw, dout.sum(axis=(0, 1))


def temporal_softmax_loss(x, y, mask):
    """Softmax cross-entropy at every time step, counted where mask is true.

    loss = -(1/N) * sum_{n,t} mask[n, t] * log softmax(x[n, t])[y[n, t]]   (sum over T, mean over N)
    dx[n, t] = mask[n, t] * (softmax(x[n, t]) - onehot(y[n, t])) / N.
    x (N, T, V) scores, y (N, T) integers in [0, V), mask (N, T) boolean (or 0/1) -> (loss, dx).
    """
    x = float_array("x", x, 3, "(N, T, V)")
    N, T, V = x.shape
    y = _int_array("y", y, (N, T))
    if y.size and (y.min() < 0 or y.max() >= V):
        raise ValueError(f"labels y must lie in [0, V={V}), got values from {y.min()} to {y.max()}")
    mask = np.asarray(mask)
    if mask.shape != (N, T):
        raise ValueError(f"mask must have shape {(N, T)}, got shape {mask.shape}")
    if mask.dtype != bool:
        if mask.dtype.kind not in "iuf" or not np.isin(mask, (0, 1)).all():
            raise ValueError("mask must be boolean (or hold only 0 and 1)")
        mask = mask.astype(bool)
    shifted = x - x.max(axis=2, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    n_idx, t_idx = np.meshgrid(np.arange(N), np.arange(T), indexing="ij")
    loss = -np.sum(mask * log_probs[n_idx, t_idx, y]) / N
    dx = np.exp(log_probs)
    dx[n_idx, t_idx, y] -= 1.0
    dx *= mask[:, :, None] / N
    return float(loss), dx
