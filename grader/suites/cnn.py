"""Suite: ThreeLayerConvNet (c147 hw5, cs231n a2): loss and gradients compared with the reference given the
same parameters; ``family.conv_net()`` builds the family's net."""

import pytest

from grader.topics import cnn


@pytest.mark.points(1)
def test_init(family):
    """ThreeLayerConvNet: parameter shapes and initialization"""
    cnn.check_cnn_init(family.conv_net())


@pytest.mark.points(3)
def test_loss(family, golden, rng):
    """ThreeLayerConvNet.loss: scores, loss and gradients match the reference"""
    cnn.check_cnn_loss(family.conv_net(), golden, rng)


@pytest.mark.points(1)
def test_loss_reg(family, golden, rng):
    """ThreeLayerConvNet.loss: regularization 0.5 * reg * (|W1|² + |W2|² + |W3|²)"""
    cnn.check_cnn_loss(family.conv_net(), golden, rng, reg=0.7)
