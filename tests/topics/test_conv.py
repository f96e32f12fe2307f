"""Topic checks of convolution and max pooling: the reference passes over seeds and shapes (padding 0,
strides above 1, non-square inputs and filters, overlapping windows); typical bugs fail with their diagnosis."""

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure
from grader.topics import conv as C

CONV_CASES = [dict(), dict(x_shape=(1, 2, 5, 6), w_shape=(3, 2, 3, 2), stride=1, pad=0),
              dict(x_shape=(2, 1, 6, 6), w_shape=(2, 1, 4, 4), stride=2, pad=2)]
POOL_CASES = [dict(), dict(x_shape=(2, 2, 4, 6), pool=(2, 2, 2)), dict(x_shape=(1, 3, 7, 5), pool=(3, 2, 1))]


def golden(key, fn):
    return fn(R)


def test_reference_passes_over_many_seeds():
    for seed in range(6):
        rng = np.random.default_rng(seed)
        for case in CONV_CASES:
            C.check_conv_forward(R.conv_forward_naive, golden, rng, **case)
            C.check_conv_forward(R.conv_forward_fast, golden, rng, **case)
            C.check_conv_backward(R.conv_backward_fast, golden, rng, ref_forward=R.conv_forward_naive, **case)
        for case in POOL_CASES:
            C.check_max_pool_forward(R.max_pool_forward_fast, golden, rng, **case)
            C.check_max_pool_backward(R.max_pool_backward_fast, golden, rng, ref_forward=R.max_pool_forward_naive,
                                      **case)


def _fails(check, fn, diagnosis=None, **kw):
    with pytest.raises(CheckFailure) as exc:
        check(fn, golden, np.random.default_rng(3), **kw)
    if diagnosis:
        assert exc.value.diagnosis and diagnosis in exc.value.diagnosis, str(exc.value)
    return exc.value


def test_padding_off_by_one_is_named():
    def forward(x, w, b, conv_param):
        return R.conv_forward_naive(x, w, b, dict(conv_param, pad=conv_param["pad"] + 1))
    _fails(C.check_conv_forward, forward, "padding off by one")


def test_stride_ignored_is_named():
    def forward(x, w, b, conv_param):
        return R.conv_forward_naive(x, w, b, dict(conv_param, stride=1))
    _fails(C.check_conv_forward, forward, "stride", x_shape=(1, 2, 6, 6), w_shape=(2, 2, 4, 4), stride=2, pad=2)


def test_missing_bias_and_flipped_filters_are_named():
    def no_bias(x, w, b, conv_param):
        return R.conv_forward_naive(x, w, np.zeros_like(b), conv_param)

    def flipped(x, w, b, conv_param):
        return R.conv_forward_naive(x, w[:, :, ::-1, ::-1], b, conv_param)
    _fails(C.check_conv_forward, no_bias, "bias")
    _fails(C.check_conv_forward, flipped, "flipped")


def test_conv_backward_with_padding_left_in_dx_is_named():
    def backward(dout, cache):
        x, w, b, p = cache
        xp = np.pad(x, ((0, 0), (0, 0), (p["pad"],) * 2, (p["pad"],) * 2))
        dxp, dw, db = R.conv_backward_naive(dout, (xp, w, b, dict(p, pad=0)))
        return dxp, dw, db
    _fails(C.check_conv_backward, backward, "padding")


def test_conv_backward_wrong_dw_fails_the_gradient_check():
    def backward(dout, cache):
        dx, dw, db = R.conv_backward_naive(dout, cache)
        return dx, dw * 0.5, db
    _fails(C.check_conv_backward, backward, ref_forward=R.conv_forward_naive)


def test_average_pooling_is_named():
    def forward(x, pool_param):
        return C._pool_mean(x, pool_param), (x, pool_param)
    _fails(C.check_max_pool_forward, forward, "average")


def test_stride_as_pool_size_is_named():
    def forward(x, pool_param):
        ph, pw = pool_param["pool_height"], pool_param["pool_width"]
        out = np.zeros(x.shape[:2] + ((x.shape[2] - ph) // ph + 1, (x.shape[3] - pw) // pw + 1))
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                out[:, :, i, j] = x[:, :, i * ph:i * ph + ph, j * pw:j * pw + pw].max(axis=(2, 3))
        return out, (x, pool_param)
    _fails(C.check_max_pool_forward, forward, "stride")


def test_overlapping_windows_overwritten_is_named():
    def backward(dout, cache):
        x, p = cache
        return C._pool_backward_assigned(x, dout, p)
    _fails(C.check_max_pool_backward, backward, "+=")
    # non-overlapping windows: the same code is correct
    C.check_max_pool_backward(backward, golden, np.random.default_rng(0), x_shape=(2, 2, 4, 6), pool=(2, 2, 2))


def test_over_padding_with_the_right_output_size_is_named():
    def forward(x, w, b, conv_param):
        stride, pad = conv_param["stride"], conv_param["pad"]
        out, cache = R.conv_forward_naive(x, w, b, dict(conv_param, pad=pad + 1))
        H_out = (x.shape[2] - w.shape[2] + 2 * pad) // stride + 1
        W_out = (x.shape[3] - w.shape[3] + 2 * pad) // stride + 1
        return out[:, :, :H_out, :W_out], cache
    _fails(C.check_conv_forward, forward, "padding off by one", x_shape=(2, 3, 7, 7), w_shape=(2, 3, 3, 3),
           stride=1, pad=1)


def test_a_backward_reading_another_cache_layout_is_told_the_fixed_cache():
    from grader.sandbox.errors import StudentException

    def backward(dout, cache):
        raise StudentException("ValueError", "not enough values to unpack (expected 5, got 4)")
    with pytest.raises(CheckFailure) as info:
        C.check_conv_backward(backward, golden, np.random.default_rng(0))
    assert "with the cache the starter defines, (x, w, b, conv_param)" in str(info.value)
    assert info.value.diagnosis == "cache in another layout than the starter's"

    def crash(dout, cache):
        raise StudentException("ZeroDivisionError", "division by zero")
    with pytest.raises(StudentException):  # other errors are the student's own, reported as such
        C.check_conv_backward(crash, golden, np.random.default_rng(0))
