"""c147 hw5: ThreeLayerConvNet (nndl/cnn.py). Without batch norm the loss and gradients are compared with
the reference given the same parameters; with batch norm your gradients are checked against finite
differences of your own loss."""

import pytest

from grader.topics import cnn


@pytest.mark.points(1)
def test_init(student):
    """ThreeLayerConvNet: parameter shapes and initialization"""
    cnn.check_cnn_init(cnn.c147_net(student))


@pytest.mark.points(3)
def test_loss(student, golden, rng):
    """ThreeLayerConvNet.loss: scores, loss and gradients match the reference"""
    cnn.check_cnn_loss(cnn.c147_net(student), golden, rng)


@pytest.mark.points(1)
def test_loss_reg(student, golden, rng):
    """ThreeLayerConvNet.loss: regularization 0.5 * reg * (|W1|² + |W2|² + |W3|²)"""
    cnn.check_cnn_loss(cnn.c147_net(student), golden, rng, reg=0.7)


@pytest.mark.points(2)
def test_batchnorm(student, rng):
    """ThreeLayerConvNet.loss: with batch norm, gradients agree with finite differences of your loss"""
    cnn.check_cnn_self_consistent(cnn.c147_net(student, use_batchnorm=True), rng, normalized=True)
