"""c147 hw5: naive convolution and max pooling (nndl/conv_layers.py): the suite grader/suites/conv.py."""

from grader.suites.conv import (test_conv_forward, test_conv_forward_no_pad, test_conv_backward,
                                test_conv_backward_no_pad, test_pool_forward, test_pool_forward_2x2,
                                test_pool_backward, test_pool_backward_2x2)
