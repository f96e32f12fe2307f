"""Bugs in the tanh RNN, the LSTM (gates i, f, o, g), word embeddings and the temporal softmax loss."""
import numpy as np

from grader.checks.misconceptions import cause


from . import Bug, layer_grads, layer_scalar

STEP = ("x", "prev_h", "Wx", "Wh", "b")
SEQ = ("x", "h0", "Wx", "Wh", "b")
LSTM = ("x", "prev_h", "prev_c", "Wx", "Wh", "b")
STEP_GRADS = ("x", "prev_h", "Wx", "Wh", "b")
LSTM_GRADS = ("x", "prev_h", "prev_c", "Wx", "Wh", "b")


def step_case(rng):
    N, D, H = 3, 4, 5
    return {"x": rng.standard_normal((N, D)), "prev_h": rng.standard_normal((N, H)),
            "Wx": 0.5 * rng.standard_normal((D, H)), "Wh": 0.5 * rng.standard_normal((H, H)),
            "b": 0.1 * rng.standard_normal(H), "dout": rng.standard_normal((N, H))}


def seq_case(rng):
    N, T, D, H = 2, 4, 3, 5
    return {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)),
            "Wx": 0.5 * rng.standard_normal((D, H)), "Wh": 0.5 * rng.standard_normal((H, H)),
            "b": 0.1 * rng.standard_normal(H), "dout": rng.standard_normal((N, T, H))}


def lstm_case(rng):
    N, D, H = 3, 4, 5
    return {"x": rng.standard_normal((N, D)), "prev_h": rng.standard_normal((N, H)),
            "prev_c": rng.standard_normal((N, H)), "Wx": 0.5 * rng.standard_normal((D, 4 * H)),
            "Wh": 0.5 * rng.standard_normal((H, 4 * H)), "b": 0.1 * rng.standard_normal(4 * H),
            "dout0": rng.standard_normal((N, H)), "dout1": rng.standard_normal((N, H))}


def embedding_case(rng):
    x = np.array([[0, 3, 3, 1], [2, 3, 0, 0]])  # repeated words
    return {"x": x, "W": rng.standard_normal((5, 3)), "dout": rng.standard_normal((2, 4, 3))}


def temporal_case(rng):
    N, T, V = 3, 4, 5
    mask = rng.uniform(size=(N, T)) < 0.6
    mask[:, 0], mask[:, -1] = True, False
    return {"x": rng.standard_normal((N, T, V)), "y": rng.integers(0, V, (N, T)), "mask": mask}


# -- RNN ---------------------------------------------------------------------------------------------

def _rnn_step_grads(a, dtanh_of):
    """Step backward with the local derivative ``dtanh_of(next_h)``; returns the five gradients."""
    next_h = np.tanh(a["x"] @ a["Wx"] + a["prev_h"] @ a["Wh"] + a["b"])
    da = a["dout"] * dtanh_of(next_h)
    return {"x": da @ a["Wx"].T, "prev_h": da @ a["Wh"].T, "Wx": a["x"].T @ da,
            "Wh": a["prev_h"].T @ da, "b": da.sum(0)}


def rnn_step_tanh_one_minus_h(a):
    return _rnn_step_grads(a, lambda h: 1 - h)


def rnn_step_dWh_transposed(a):
    grads = _rnn_step_grads(a, lambda h: 1 - h ** 2)
    grads["Wh"] = grads["Wh"].T  # da.T @ prev_h: the square Wh hides the shape error
    return grads


def rnn_backward_without_carry(a):
    """Backward through time that drops the gradient carried from step t+1."""
    x, h0, Wx, Wh, b, dh = (a[k] for k in ("x", "h0", "Wx", "Wh", "b", "dout"))
    N, T, _ = x.shape
    hs, prev = [], h0
    for t in range(T):
        prev = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
        hs.append(prev)
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dprev = np.zeros_like(h0)
    for t in reversed(range(T)):
        da = dh[:, t] * (1 - hs[t] ** 2)  # + dprev forgotten
        h_before = hs[t - 1] if t > 0 else h0
        dx[:, t] = da @ Wx.T
        dprev = da @ Wh.T
        dWx += x[:, t].T @ da
        dWh += h_before.T @ da
        db += da.sum(0)
    return {"x": dx, "h0": dprev, "Wx": dWx, "Wh": dWh, "b": db}


def rnn_forward_h0_every_step(x, h0, Wx, Wh, b):
    return np.stack([np.tanh(x[:, t] @ Wx + h0 @ Wh + b) for t in range(x.shape[1])], axis=1)


def tanh_alternative(ref, a):
    return {cause("tanh-one-minus-h"): _rnn_step_grads(a, lambda h: 1 - h)}


# -- LSTM --------------------------------------------------------------------------------------------

def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_step_gates_ifgo(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), _sigmoid(a[:, 3 * H:])  # i, f, g, o: the starter says i, f, o, g
    next_c = f * prev_c + i * g
    return np.tanh(next_c) * o, next_c


def gate_order_alternative(ref, a):
    """The reference with the o and g column blocks swapped computes the i, f, g, o student's output."""
    H = a["prev_h"].shape[1]
    order = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]
    h, c, _ = ref.lstm_step_forward(a["x"], a["prev_h"], a["prev_c"], a["Wx"][:, order], a["Wh"][:, order],
                                    a["b"][order])
    return {cause("lstm-gate-order"): (h, c)}


def lstm_step_backward_ignores_dnext_c(a):
    x, prev_h, prev_c, Wx, Wh, b = (a[k] for k in LSTM)
    H = prev_h.shape[1]
    z = x @ Wx + prev_h @ Wh + b
    i, f, o, g = _sigmoid(z[:, :H]), _sigmoid(z[:, H:2 * H]), _sigmoid(z[:, 2 * H:3 * H]), np.tanh(z[:, 3 * H:])
    next_c = f * prev_c + i * g
    dh = a["dout0"]
    dc = dh * o * (1 - np.tanh(next_c) ** 2)  # + dnext_c forgotten
    da = np.hstack([dc * g * i * (1 - i), dc * prev_c * f * (1 - f), dh * np.tanh(next_c) * o * (1 - o),
                    dc * i * (1 - g ** 2)])
    return {"x": da @ Wx.T, "prev_h": da @ Wh.T, "prev_c": dc * f, "Wx": x.T @ da, "Wh": prev_h.T @ da,
            "b": da.sum(0)}


# -- embeddings and the temporal softmax --------------------------------------------------------------------

def word_embedding_backward_assign(a):
    dW = np.zeros_like(a["W"])
    dW[a["x"]] += a["dout"]  # fancy-index += keeps only one of the repeated words
    return {"W": dW}


def temporal_softmax_ignores_mask(x, y, mask):
    N, T, V = x.shape
    s = x.reshape(N * T, V)
    p = np.exp(s - s.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    yf = y.reshape(-1)
    loss = -np.log(p[np.arange(N * T), yf]).sum() / N
    p[np.arange(N * T), yf] -= 1
    return loss, (p / N).reshape(N, T, V)


def temporal_softmax_mean_over_NT(x, y, mask):
    N, T, V = x.shape
    s = x.reshape(N * T, V)
    p = np.exp(s - s.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    yf, m = y.reshape(-1), mask.reshape(-1)
    loss = -(np.log(p[np.arange(N * T), yf]) * m).sum() / (N * T)  # mean over N·T, not N
    p[np.arange(N * T), yf] -= 1
    return loss, (p * m[:, None] / (N * T)).reshape(N, T, V)


TEMPORAL = ("x", "y", "mask")


BUGS = [
    Bug("RNN", "tanh derivative as 1 − h", "gradient", step_case, rnn_step_tanh_one_minus_h,
        cause("tanh-one-minus-h"), ("rnn_step_forward",), scalar=layer_scalar("rnn_step_forward", STEP),
        expected=layer_grads("rnn_step_forward", "rnn_step_backward", STEP, STEP_GRADS), wrt=STEP_GRADS,
        alternatives=tanh_alternative),
    Bug("RNN", "dWh transposed (square Wh)", "gradient", step_case, rnn_step_dWh_transposed, cause("transposed"),
        ("rnn_step_forward",), scalar=layer_scalar("rnn_step_forward", STEP),
        expected=layer_grads("rnn_step_forward", "rnn_step_backward", STEP, STEP_GRADS), wrt=STEP_GRADS),
    Bug("RNN", "backward through time drops the carried gradient", "gradient", seq_case,
        rnn_backward_without_carry, None, ("rnn_forward",), scalar=layer_scalar("rnn_forward", SEQ),
        expected=layer_grads("rnn_forward", "rnn_backward", SEQ, SEQ), wrt=SEQ),
    Bug("RNN", "forward feeds h0 at every step", "value", seq_case,
        lambda a: rnn_forward_h0_every_step(*[a[n] for n in SEQ]), None, ("rnn_forward",),
        expected=lambda ref, a: ref.rnn_forward(*[a[n] for n in SEQ])[0]),
    Bug("LSTM", "gates in the order i, f, g, o", "value", lstm_case,
        lambda a: lstm_step_gates_ifgo(*[a[n] for n in LSTM]), cause("lstm-gate-order"), ("lstm_step_forward",),
        expected=lambda ref, a: ref.lstm_step_forward(*[a[n] for n in LSTM])[:2],
        alternatives=gate_order_alternative),
    Bug("LSTM", "step backward ignores dnext_c", "gradient", lstm_case, lstm_step_backward_ignores_dnext_c,
        None, ("lstm_step_forward",), scalar=layer_scalar("lstm_step_forward", LSTM, outputs=2),
        expected=layer_grads("lstm_step_forward", "lstm_step_backward", LSTM, LSTM_GRADS, outputs=2),
        wrt=LSTM_GRADS),
    Bug("word embedding", "dW[x] += dout loses repeated words", "gradient", embedding_case,
        word_embedding_backward_assign, None, ("word_embedding_forward",),
        scalar=layer_scalar("word_embedding_forward", ("x", "W")),
        expected=layer_grads("word_embedding_forward", "word_embedding_backward", ("x", "W"), ("W",)),
        wrt=("W",)),
    Bug("temporal softmax", "mask ignored", "value", temporal_case,
        lambda a: temporal_softmax_ignores_mask(*[a[n] for n in TEMPORAL]), cause("mask-ignored"),
        ("temporal_softmax_loss",), expected=lambda ref, a: ref.temporal_softmax_loss(*[a[n] for n in TEMPORAL]),
        alternatives=lambda ref, a: {cause("mask-ignored"):
                                     ref.temporal_softmax_loss(a["x"], a["y"], np.ones_like(a["mask"]))}),
    Bug("temporal softmax", "averaged over N·T instead of N", "value", temporal_case,
        lambda a: temporal_softmax_mean_over_NT(*[a[n] for n in TEMPORAL]), cause("scaled", factor="1/T"),
        ("temporal_softmax_loss",), expected=lambda ref, a: ref.temporal_softmax_loss(*[a[n] for n in TEMPORAL]),
        context=lambda a: {"N": a["x"].shape[0], "T": a["x"].shape[1]}),
]
