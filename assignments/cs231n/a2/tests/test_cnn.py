"""cs231n a2: ThreeLayerConvNet (cs231n/classifiers/cnn.py): loss and gradients compared with the reference
given the same parameters."""

import pytest

from grader.topics import cnn


@pytest.mark.points(1)
def test_init(student):
    """ThreeLayerConvNet: parameter shapes and initialization"""
    cnn.check_cnn_init(cnn.cs231n_net(student))


@pytest.mark.points(3)
def test_loss(student, golden, rng):
    """ThreeLayerConvNet.loss: scores, loss and gradients match the reference"""
    cnn.check_cnn_loss(cnn.cs231n_net(student), golden, rng)


@pytest.mark.points(1)
def test_loss_reg(student, golden, rng):
    """ThreeLayerConvNet.loss: regularization 0.5 * reg * (|W1|² + |W2|² + |W3|²)"""
    cnn.check_cnn_loss(cnn.cs231n_net(student), golden, rng, reg=0.7)


@pytest.mark.points(1)
def test_self_consistent(student, rng):
    """ThreeLayerConvNet.loss: gradients agree with finite differences of your loss"""
    cnn.check_cnn_self_consistent(cnn.cs231n_net(student), rng)
