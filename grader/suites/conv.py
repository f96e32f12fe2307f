"""Suite: naive convolution and max pooling (c147 hw5, cs231n a2); the backward tests build the fixed
caches (x, w, b, conv_param) and (x, pool_param) themselves."""

import pytest

from grader.topics import conv


@pytest.mark.points(2)
def test_conv_forward(student, golden, rng):
    """conv_forward_naive: output matches the reference (stride 2, pad 1, non-square input and filter)"""
    conv.check_conv_forward(student.conv_forward_naive, golden, rng)


@pytest.mark.points(1)
def test_conv_forward_no_pad(student, golden, rng):
    """conv_forward_naive: padding 0, stride 1"""
    conv.check_conv_forward(student.conv_forward_naive, golden, rng, x_shape=(2, 2, 5, 6), w_shape=(3, 2, 3, 2),
                            stride=1, pad=0)


@pytest.mark.points(3)
def test_conv_backward(student, golden, rng):
    """conv_backward_naive: dx, dw, db match the reference (stride 2, pad 1)"""
    conv.check_conv_backward(student.conv_backward_naive, golden, rng)


@pytest.mark.points(1)
def test_conv_backward_no_pad(student, golden, rng):
    """conv_backward_naive: padding 0, stride 1"""
    conv.check_conv_backward(student.conv_backward_naive, golden, rng, x_shape=(2, 2, 5, 6), w_shape=(3, 2, 3, 2),
                             stride=1, pad=0)


@pytest.mark.points(2)
def test_pool_forward(student, golden, rng):
    """max_pool_forward_naive: overlapping 3x2 windows with stride 1"""
    conv.check_max_pool_forward(student.max_pool_forward_naive, golden, rng, x_shape=(2, 3, 5, 7), pool=(3, 2, 1))


@pytest.mark.points(1)
def test_pool_forward_2x2(student, golden, rng):
    """max_pool_forward_naive: 2x2 windows with stride 2"""
    conv.check_max_pool_forward(student.max_pool_forward_naive, golden, rng, x_shape=(2, 3, 4, 6), pool=(2, 2, 2))


@pytest.mark.points(2)
def test_pool_backward(student, golden, rng):
    """max_pool_backward_naive: overlapping 3x3 windows with stride 2 (gradients add up)"""
    conv.check_max_pool_backward(student.max_pool_backward_naive, golden, rng)


@pytest.mark.points(1)
def test_pool_backward_2x2(student, golden, rng):
    """max_pool_backward_naive: 2x2 windows with stride 2"""
    conv.check_max_pool_backward(student.max_pool_backward_naive, golden, rng, x_shape=(2, 3, 4, 6), pool=(2, 2, 2))
