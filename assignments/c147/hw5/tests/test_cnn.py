"""c147 hw5: ThreeLayerConvNet (nndl/cnn.py). Without batch norm the loss and gradients are compared with
the reference given the same parameters (the suite grader/suites/cnn.py); with batch norm your gradients
are checked against finite differences of your own loss, and your training loss at random parameters must
be that of conv - spatial batch norm - relu - 2x2 max pool - affine - batch norm - relu - affine - softmax
(each batch norm before or after its ReLU, the spatial one also after the pool)."""

import pytest

from grader.suites.cnn import test_init, test_loss, test_loss_reg
from grader.topics import cnn


@pytest.mark.points(2)
def test_batchnorm(family, rng):
    """ThreeLayerConvNet.loss: with batch norm, gradients agree with finite differences of your loss"""
    cnn.check_cnn_self_consistent(family.conv_net(use_batchnorm=True), rng, normalized=True)
