"""c147 hw5, hidden: the same checks on other shapes, and the backward passes against finite differences
of the reference forward passes."""

from grader.suites.hidden_conv import (test_conv_forward_pad2_stride3, test_conv_backward_gradient,
                                       test_pool_backward_gradient, test_spatial_batchnorm_sizes)
from grader.suites.hidden_cnn import test_cnn_other_dims
