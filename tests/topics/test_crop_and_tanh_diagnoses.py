"""Two diagnoses that name their mechanism: a conv output whose size comes from ``H + pad`` (the top-left
crop of the right output; its backward uses the top-left part of dout) is told apart from a padding that is
off by one (shifted values), and an LSTM backward taking the derivative of tanh(c) from h is named."""

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure
from grader.checks.diagnose import crop_offset, diagnose
from grader.topics import conv as C
from grader.topics import rnn

OUTPUT_SIZE = "output size computed wrong"


def golden(key, fn):
    return fn(R)


def _size_from_h_plus_pad(x, w, p):
    s, pad = p["stride"], p["pad"]
    return 1 + (x.shape[2] + pad - w.shape[2]) // s, 1 + (x.shape[3] + pad - w.shape[3]) // s


def forward_h_plus_pad(x, w, b, p):
    h, v = _size_from_h_plus_pad(x, w, p)
    return R.conv_forward_naive(x, w, b, p)[0][:, :, :h, :v].copy(), (x, w, b, p)


def backward_h_plus_pad(dout, cache, db_in_loop=False):
    x, w, b, p = cache
    h, v = _size_from_h_plus_pad(x, w, p)
    kept = np.zeros_like(dout)
    kept[:, :, :h, :v] = dout[:, :, :h, :v]
    dx, dw, db = R.conv_backward_naive(kept, cache)
    return dx, dw, db if db_in_loop else dout.sum((0, 2, 3))


def _failure(check, fn, **kw):
    with pytest.raises(CheckFailure) as info:
        check(fn, golden, np.random.default_rng(1), **kw)
    return info.value


@pytest.mark.parametrize("case", [dict(), dict(x_shape=(1, 2, 8, 7), w_shape=(2, 2, 3, 3), stride=1, pad=2)])
def test_output_size_from_h_plus_pad_is_named_a_top_left_crop(case):
    failure = _failure(C.check_conv_forward, forward_h_plus_pad, **case)
    assert failure.diagnosis == ("output size computed wrong: your output is the top-left crop of the expected "
                                 "one (H_out = 1 + (H + 2*pad - HH) / stride)")
    assert "padding off by one" not in str(failure)


@pytest.mark.parametrize("case", [dict(), dict(x_shape=(1, 2, 8, 7), w_shape=(2, 2, 3, 3), stride=1, pad=2)])
def test_padding_off_by_one_is_still_named_as_padding(case):
    def forward(x, w, b, p):  # pad − 1: shifted values (stride 2), or the right output without its border
        return R.conv_forward_naive(x, w, b, dict(p, pad=p["pad"] - 1))
    failure = _failure(C.check_conv_forward, forward, **case)
    assert failure.diagnosis == "padding off by one (pad − 1 on each side)"


def test_a_crop_at_another_offset_is_named_as_a_crop():
    def forward(x, w, b, p):
        out, cache = R.conv_forward_naive(x, w, b, p)
        return out[:, :, 1:, :-1].copy(), cache
    failure = _failure(C.check_conv_forward, forward)
    assert failure.diagnosis.startswith("your values are the part expected[:, :, 1:4, :3] of the expected value")


@pytest.mark.parametrize("db_in_loop", [False, True])
def test_backward_with_the_output_size_from_h_plus_pad_is_named(db_in_loop):
    failure = _failure(C.check_conv_backward, lambda d, c: backward_h_plus_pad(d, c, db_in_loop))
    assert failure.diagnosis.startswith("output size computed wrong: only the top-left part of dout was used")


def test_the_reference_conv_passes_and_gets_no_crop_diagnosis():
    for seed in range(4):
        C.check_conv_forward(R.conv_forward_naive, golden, np.random.default_rng(seed))
        C.check_conv_backward(R.conv_backward_naive, golden, np.random.default_rng(seed))


def test_crop_offset_finds_a_sub_array_and_nothing_else():
    e = np.random.default_rng(0).standard_normal((2, 3, 5, 6))
    assert crop_offset(e[:, :, :4, :4].copy(), e) == (0, 0, 0, 0)
    assert crop_offset(e[:, 1:, 1:4, 2:].copy(), e) == (0, 1, 1, 2)
    assert crop_offset(e[:, :, :4, :4] + 1e-3, e) is None
    assert crop_offset(e, e) is None
    assert crop_offset(np.roll(e, 1, axis=2)[:, :, :4, :4], e) is None  # shifted, not a crop
    assert diagnose(e[:, :, 1:4, :].copy(), e) == "your values are the part expected[:, :, 1:4, :] of the expected value"


def _tanh_c_from_h_step(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c = cache
    next_h = o * tanh_c
    dc = dnext_c + dnext_h * o * (1 - next_h ** 2)
    da = np.hstack((dc * g * i * (1 - i), dc * prev_c * f * (1 - f), dnext_h * tanh_c * o * (1 - o),
                    dc * i * (1 - g ** 2)))
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, prev_h.T @ da, da.sum(0)


def _tanh_c_from_h(dh, cache):
    x_shape, h0_shape, Wx, Wh, steps = cache
    dx, dWx, dWh, db = np.zeros(x_shape), 0, 0, 0
    dprev_h = dprev_c = np.zeros(h0_shape)
    for t in reversed(range(x_shape[1])):
        dx[:, t], dprev_h, dprev_c, gx, gh, gb = _tanh_c_from_h_step(dh[:, t] + dprev_h, dprev_c, steps[t])
        dWx, dWh, db = dWx + gx, dWh + gh, db + gb
    return dx, dprev_h, dWx, dWh, db


@pytest.mark.parametrize("kind, backward", [("lstm_step", _tanh_c_from_h_step), ("lstm", _tanh_c_from_h)])
def test_lstm_tanh_derivative_taken_from_h_is_named(kind, backward):
    run = rnn.own_pair(getattr(R, f"{kind}_forward"), backward, rnn.LAYERS[kind][1])
    with pytest.raises(CheckFailure) as info:
        rnn.check_backward(kind, run, golden, np.random.default_rng(2))
    assert info.value.diagnosis == "the derivative of tanh(c) taken from h: use 1 - tanh(c)**2, not 1 - h**2"
    right = rnn.own_pair(getattr(R, f"{kind}_forward"), getattr(R, f"{kind}_backward"), rnn.LAYERS[kind][1])
    rnn.check_backward(kind, right, golden, np.random.default_rng(2))
