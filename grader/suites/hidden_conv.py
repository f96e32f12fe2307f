"""Hidden suite: convolution, pooling and spatial batch norm on other shapes, and the fixed-cache backward
passes against finite differences of the reference forward passes (c147 hw5, cs231n a2)."""

from grader.topics import conv, spatial_norm
from grader.topics.helpers import layer_pair


def test_conv_forward_pad2_stride3(student, golden, rng):
    """conv_forward_naive: pad 2, stride 3, one image"""
    conv.check_conv_forward(student.conv_forward_naive, golden, rng, x_shape=(1, 2, 9, 5), w_shape=(2, 2, 4, 3),
                            stride=3, pad=2)


def test_conv_backward_gradient(student, golden, rng, ref):
    """conv_backward_naive: agrees with finite differences of the reference forward (odd shapes)"""
    conv.check_conv_backward(student.conv_backward_naive, golden, rng, x_shape=(3, 1, 5, 7), w_shape=(2, 1, 3, 3),
                             stride=2, pad=1, ref_forward=ref.conv_forward_naive)


def test_pool_backward_gradient(student, golden, rng, ref):
    """max_pool_backward_naive: 3x2 windows with stride 1, against finite differences of the reference"""
    conv.check_max_pool_backward(student.max_pool_backward_naive, golden, rng, x_shape=(1, 2, 5, 4), pool=(3, 2, 1),
                                 ref_forward=ref.max_pool_forward_naive)


def test_spatial_batchnorm_sizes(student, golden, rng):
    """spatial_batchnorm_backward: a batch of one with a single channel"""
    run = layer_pair(student.spatial_batchnorm_forward, student.spatial_batchnorm_backward)
    spatial_norm.check_spatial_backward(run, golden, rng, shape=(1, 1, 4, 5))
