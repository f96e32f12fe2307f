"""reference.rnn: tanh RNN, LSTM, word embedding, temporal affine and temporal softmax loss."""

import numpy as np
import pytest

from reference.rnn import (
    lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward, rnn_backward,
    rnn_forward, rnn_step_backward, rnn_step_forward, temporal_affine_backward,
    temporal_affine_forward, temporal_softmax_loss, word_embedding_backward,
    word_embedding_forward,
)

from gradients import numerical_vjp, assert_grad_close


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


N, T, D, H = 3, 4, 5, 6


def params(rng, gates):
    return (rng.standard_normal((N, D)), rng.standard_normal((N, H)),
            0.5 * rng.standard_normal((D, gates * H)), 0.5 * rng.standard_normal((H, gates * H)),
            0.5 * rng.standard_normal(gates * H))


# ------------------------------------------------------------------------------------------------
# vanilla RNN
# ------------------------------------------------------------------------------------------------

def test_rnn_step_forward_formula_and_backward():
    rng = np.random.default_rng(1)
    x, h, Wx, Wh, b = params(rng, 1)
    next_h, cache = rnn_step_forward(x, h, Wx, Wh, b)
    np.testing.assert_allclose(next_h, np.tanh(x @ Wx + h @ Wh + b), rtol=1e-14)
    dnext = rng.standard_normal(next_h.shape)
    grads = rnn_step_backward(dnext, cache)
    args = [x, h, Wx, Wh, b]
    for k, g in enumerate(grads):
        def f(a, k=k):
            return rnn_step_forward(*[a if j == k else v for j, v in enumerate(args)])[0]
        assert_grad_close(numerical_vjp(f, args[k], dnext), g)


def test_rnn_forward_unrolls_the_step_and_backward_matches_numerical():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((N, T, D))
    _, h0, Wx, Wh, b = params(rng, 1)
    h, cache = rnn_forward(x, h0, Wx, Wh, b)
    prev = h0
    for t in range(T):
        prev = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
        np.testing.assert_allclose(h[:, t], prev, rtol=1e-13)
    dh = rng.standard_normal(h.shape)
    grads = rnn_backward(dh, cache)
    args = [x, h0, Wx, Wh, b]
    for k, g in enumerate(grads):
        def f(a, k=k):
            return rnn_forward(*[a if j == k else v for j, v in enumerate(args)])[0]
        assert_grad_close(numerical_vjp(f, args[k], dh), g)


# ------------------------------------------------------------------------------------------------
# word embedding
# ------------------------------------------------------------------------------------------------

def test_word_embedding_lookup_and_repeated_words_accumulate():
    rng = np.random.default_rng(3)
    W = rng.standard_normal((5, 3))
    x = np.array([[0, 3, 3], [4, 0, 1]])
    out, cache = word_embedding_forward(x, W)
    np.testing.assert_array_equal(out[1, 0], W[4])
    np.testing.assert_array_equal(out[0, 2], W[3])
    dout = rng.standard_normal(out.shape)
    dW = word_embedding_backward(dout, cache)
    np.testing.assert_allclose(dW[3], dout[0, 1] + dout[0, 2])
    np.testing.assert_allclose(dW[0], dout[0, 0] + dout[1, 1])
    np.testing.assert_array_equal(dW[2], 0)
    assert_grad_close(numerical_vjp(lambda a: word_embedding_forward(x, a)[0], W, dout), dW)


# ------------------------------------------------------------------------------------------------
# LSTM
# ------------------------------------------------------------------------------------------------

def test_lstm_step_gate_order_is_i_f_o_g():
    rng = np.random.default_rng(4)
    x, h, Wx, Wh, b = params(rng, 4)
    c = rng.standard_normal((N, H))
    next_h, next_c, _ = lstm_step_forward(x, h, c, Wx, Wh, b)
    a = x @ Wx + h @ Wh + b
    i, f, o, g = (sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H]),
                  np.tanh(a[:, 3 * H:]))
    np.testing.assert_allclose(next_c, f * c + i * g, rtol=1e-13)
    np.testing.assert_allclose(next_h, o * np.tanh(f * c + i * g), rtol=1e-13)


def test_lstm_gate_blocks_by_saturation():
    """Bias blocks alone: i open, f closed, o open, g = tanh(0.5) -> next_c = tanh(0.5)."""
    Hs = 2
    b = np.concatenate([np.full(Hs, 40.0), np.full(Hs, -40.0), np.full(Hs, 40.0), np.full(Hs, 0.5)])
    x, h, c = np.zeros((1, 3)), np.zeros((1, Hs)), np.full((1, Hs), 7.0)
    next_h, next_c, _ = lstm_step_forward(x, h, c, np.zeros((3, 4 * Hs)), np.zeros((Hs, 4 * Hs)), b)
    np.testing.assert_allclose(next_c, np.tanh(0.5), rtol=1e-12)
    np.testing.assert_allclose(next_h, np.tanh(np.tanh(0.5)), rtol=1e-12)


def test_lstm_step_backward_matches_numerical():
    rng = np.random.default_rng(5)
    x, h, Wx, Wh, b = params(rng, 4)
    c = rng.standard_normal((N, H))
    next_h, next_c, cache = lstm_step_forward(x, h, c, Wx, Wh, b)
    dnext_h, dnext_c = rng.standard_normal(next_h.shape), rng.standard_normal(next_c.shape)
    dx, dh, dc, dWx, dWh, db = lstm_step_backward(dnext_h, dnext_c, cache)
    args = [x, h, c, Wx, Wh, b]
    for k, g in zip([0, 1, 2, 3, 4, 5], [dx, dh, dc, dWx, dWh, db]):
        def f(a, k=k):
            nh, nc, _ = lstm_step_forward(*[a if j == k else v for j, v in enumerate(args)])
            return np.concatenate([nh, nc], axis=1)
        assert_grad_close(numerical_vjp(f, args[k], np.concatenate([dnext_h, dnext_c], axis=1)), g)


def test_lstm_forward_backward_matches_numerical():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((N, T, D))
    _, h0, Wx, Wh, b = params(rng, 4)
    h, cache = lstm_forward(x, h0, Wx, Wh, b)
    step_h, step_c = h0, np.zeros_like(h0)
    for t in range(T):
        step_h, step_c, _ = lstm_step_forward(x[:, t], step_h, step_c, Wx, Wh, b)
        np.testing.assert_array_equal(h[:, t], step_h)
    dh = rng.standard_normal(h.shape)
    grads = lstm_backward(dh, cache)
    args = [x, h0, Wx, Wh, b]
    for k, g in enumerate(grads):
        def f(a, k=k):
            return lstm_forward(*[a if j == k else v for j, v in enumerate(args)])[0]
        assert_grad_close(numerical_vjp(f, args[k], dh), g)


# ------------------------------------------------------------------------------------------------
# temporal affine and softmax loss
# ------------------------------------------------------------------------------------------------

def test_temporal_affine_forward_backward():
    rng = np.random.default_rng(7)
    x, w, b = rng.standard_normal((N, T, D)), rng.standard_normal((D, 3)), rng.standard_normal(3)
    out, cache = temporal_affine_forward(x, w, b)
    np.testing.assert_allclose(out[1, 2], x[1, 2] @ w + b)
    dout = rng.standard_normal(out.shape)
    grads = temporal_affine_backward(dout, cache)
    args = [x, w, b]
    for k, g in enumerate(grads):
        def f(a, k=k):
            return temporal_affine_forward(*[a if j == k else v for j, v in enumerate(args)])[0]
        assert_grad_close(numerical_vjp(f, args[k], dout), g)


def test_temporal_softmax_loss_sums_over_time_and_averages_over_batch():
    rng = np.random.default_rng(8)
    V = 7
    x = rng.standard_normal((N, T, V))
    y = rng.integers(0, V, size=(N, T))
    mask = rng.random((N, T)) < 0.6
    mask[0, 0], mask[1, 1] = True, False
    loss, dx = temporal_softmax_loss(x, y, mask)
    expected = 0.0
    for n in range(N):
        for t in range(T):
            if mask[n, t]:
                p = np.exp(x[n, t]) / np.exp(x[n, t]).sum()
                expected -= np.log(p[y[n, t]])
    assert loss == pytest.approx(expected / N, rel=1e-12)
    np.testing.assert_array_equal(dx[~mask], 0)
    assert_grad_close(numerical_vjp(lambda a: np.array(temporal_softmax_loss(a, y, mask)[0]),
                                    x, np.array(1.0)), dx)
    loss01, dx01 = temporal_softmax_loss(x, y, mask.astype(np.int64))
    assert loss01 == loss and np.array_equal(dx01, dx)


def test_temporal_softmax_loss_is_stable_under_a_large_offset():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 3, 4))
    y, mask = rng.integers(0, 4, size=(2, 3)), np.ones((2, 3), dtype=bool)
    loss, dx = temporal_softmax_loss(x, y, mask)
    loss_big, dx_big = temporal_softmax_loss(x + 1000.0, y, mask)
    assert loss_big == pytest.approx(loss, rel=1e-10)
    np.testing.assert_allclose(dx_big, dx, atol=1e-12)


def test_uniform_scores_give_T_log_V():
    V = 10
    loss, _ = temporal_softmax_loss(np.zeros((4, 3, V)), np.zeros((4, 3), dtype=int),
                                    np.ones((4, 3), dtype=bool))
    assert loss == pytest.approx(3 * np.log(V))


# ------------------------------------------------------------------------------------------------
# bad arguments
# ------------------------------------------------------------------------------------------------

def test_bad_arguments_raise():
    rng = np.random.default_rng(10)
    x, h, Wx, Wh, b = params(rng, 1)
    with pytest.raises(ValueError, match="Wx"):
        rnn_step_forward(x, h, Wx.T, Wh, b)
    with pytest.raises(ValueError, match="prev_h"):
        rnn_step_forward(x, h[:2], Wx, Wh, b)
    with pytest.raises(ValueError, match="b must have shape"):
        rnn_step_forward(x, h, Wx, Wh, np.zeros(H + 1))
    with pytest.raises(ValueError, match="floating"):
        rnn_step_forward(x.astype(int), h, Wx, Wh, b)
    with pytest.raises(ValueError, match="x must have shape"):
        rnn_forward(x, h, Wx, Wh, b)
    with pytest.raises(ValueError, match="Wx"):
        lstm_step_forward(x, h, h, Wx, Wh, b)
    x4, h4, Wx4, Wh4, b4 = params(rng, 4)
    with pytest.raises(ValueError, match="prev_c"):
        lstm_step_forward(x4, h4, h4[:, :2], Wx4, Wh4, b4)
    with pytest.raises(ValueError, match="integer"):
        word_embedding_forward(np.zeros((2, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"\[0, V=5\)"):
        word_embedding_forward(np.array([[0, 5]]), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="w must have D"):
        temporal_affine_forward(np.zeros((2, 3, 4)), np.zeros((5, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="mask"):
        temporal_softmax_loss(np.zeros((2, 3, 4)), np.zeros((2, 3), dtype=int), np.ones((3, 2), bool))
    with pytest.raises(ValueError, match="mask"):
        temporal_softmax_loss(np.zeros((2, 3, 4)), np.zeros((2, 3), dtype=int), np.full((2, 3), 0.5))
    with pytest.raises(ValueError, match="labels"):
        temporal_softmax_loss(np.zeros((2, 3, 4)), np.full((2, 3), 4), np.ones((2, 3), bool))
    with pytest.raises(ValueError, match="integer"):
        temporal_softmax_loss(np.zeros((2, 3, 4)), np.zeros((2, 3)), np.ones((2, 3), bool))
