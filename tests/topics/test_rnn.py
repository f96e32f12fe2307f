"""Topic checks of the recurrent layers: the reference passes over seeds and sizes; typical bugs fail with
their diagnosis."""

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure
from grader.topics import rnn as Q


def golden(key, fn):
    return fn(R)


def pair(kind):
    return Q.own_pair(getattr(R, f"{kind}_forward"), getattr(R, f"{kind}_backward"), Q.LAYERS[kind][1])


def test_reference_passes_over_many_seeds():
    for seed in range(5):
        rng = np.random.default_rng(seed)
        for kind in Q.LAYERS:
            for sizes in ({}, {"N": 1, "T": 2, "D": 3, "H": 2, "V": 3}):
                Q.check_forward(kind, getattr(R, f"{kind}_forward"), golden, rng, **sizes)
                Q.check_backward(kind, pair(kind), golden, rng, **sizes)
                Q.check_own_gradient(kind, getattr(R, f"{kind}_forward"), pair(kind), rng, **sizes)
        Q.check_temporal_softmax_loss(R.temporal_softmax_loss, golden, rng)
        Q.check_temporal_softmax_gradient(R.temporal_softmax_loss, rng)


def _diagnosis(fn, *args, **kw):
    with pytest.raises(CheckFailure) as exc:
        fn(*args, golden, np.random.default_rng(5), **kw)
    return exc.value.diagnosis or ""


def test_lstm_gate_order_is_named():
    def forward(x, prev_h, prev_c, Wx, Wh, b):
        H = prev_h.shape[1]
        return R.lstm_step_forward(x, prev_h, prev_c, Q._swap_og(Wx, H), Q._swap_og(Wh, H), Q._swap_og(b, H))
    assert "gate order" in _diagnosis(Q.check_forward, "lstm_step", forward)


def test_rnn_backward_without_the_recurrent_gradient_is_named():
    def backward(dh, cache):
        _, _, Wx, Wh, steps = cache
        dx = np.zeros((dh.shape[0], dh.shape[1], Wx.shape[0]))
        dWx, dWh, db = 0, 0, 0
        for t in reversed(range(dh.shape[1])):
            dx[:, t], dh0, gx, gh, gb = R.rnn_step_backward(dh[:, t], steps[t])
            dWx, dWh, db = dWx + gx, dWh + gh, db + gb
        return dx, dh0, dWx, dWh, db
    run = Q.own_pair(R.rnn_forward, backward)
    assert "step t+1" in _diagnosis(Q.check_backward, "rnn", run)
    with pytest.raises(CheckFailure):
        Q.check_own_gradient("rnn", R.rnn_forward, run, np.random.default_rng(0))


def test_tanh_derivative_at_preactivation_is_named():
    def forward(x, prev_h, Wx, Wh, b):
        a = x @ Wx + prev_h @ Wh + b
        return np.tanh(a), (x, prev_h, Wx, Wh, a)

    def backward(dnext_h, cache):
        x, prev_h, Wx, Wh, a = cache
        da = dnext_h * (1 - a ** 2)
        return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(0)
    assert "pre-activation" in _diagnosis(Q.check_backward, "rnn_step", Q.own_pair(forward, backward))


def test_embedding_overwrite_is_named():
    def backward(dout, cache):
        x, W = cache
        dW = np.zeros_like(W)
        dW[x] += dout
        return dW
    run = Q.own_pair(R.word_embedding_forward, backward)
    assert "np.add.at" in _diagnosis(Q.check_backward, "word_embedding", run)


@pytest.mark.parametrize("bug, phrase", [
    (lambda x, y, m: R.temporal_softmax_loss(x, y, np.ones_like(m)), "mask"),
    (lambda x, y, m: tuple(v / x.shape[1] for v in R.temporal_softmax_loss(x, y, m)), "N·T")])
def test_temporal_softmax_bugs_are_named(bug, phrase):
    assert phrase in _diagnosis(Q.check_temporal_softmax_loss, bug)


def test_a_backward_run_on_a_wrong_forwards_cache_says_to_fix_the_forward():
    def forward(x, prev_h, Wx, Wh, b):  # the forward adds 1 inside tanh; the cache holds its own next_h
        return R.rnn_step_forward(x, prev_h, Wx, Wh, b + 1.0)
    run = Q.own_pair(forward, R.rnn_step_backward, Q.LAYERS["rnn_step"][1])
    with pytest.raises(CheckFailure, match="fix the forward first"):
        Q.check_backward("rnn_step", run, golden, np.random.default_rng(0))
    with pytest.raises(CheckFailure) as exc:  # a wrong backward on a right forward: no such note
        Q.check_backward("rnn_step", Q.own_pair(R.rnn_step_forward, lambda d, c: tuple(2 * g for g in
                                                R.rnn_step_backward(d, c)), 1), golden, np.random.default_rng(0))
    assert "fix the forward first" not in str(exc.value)
