"""cs231n a2, hidden: convolution, pooling and the spatial normalizations on other shapes, and the fixed-cache
backward passes against finite differences of the reference forward passes."""

from grader.suites.hidden_conv import (test_conv_forward_pad2_stride3, test_conv_backward_gradient,
                                       test_pool_backward_gradient, test_spatial_batchnorm_sizes)
from grader.topics import spatial_norm
from grader.topics.helpers import layer_pair


def test_groupnorm_instance(student, golden, rng):
    """spatial_groupnorm_backward: one channel per group (G = C) on a batch of one"""
    run = layer_pair(student.spatial_groupnorm_forward, student.spatial_groupnorm_backward)
    spatial_norm.check_spatial_backward(run, golden, rng, kind="groupnorm", shape=(1, 3, 4, 2), G=3)
