"""c147 hw3: FullyConnectedNet (nndl/fc_net.py) without dropout or batch norm; dropout=1 means none."""

import pytest

from grader.topics import fc_net


@pytest.mark.points(1)
def test_init(family, rng):
    """FullyConnectedNet: parameter shapes and initialization (weight_scale, zero biases)"""
    fc_net.check_fc_init(family.fc_net(), rng)


@pytest.mark.points(3)
def test_loss_no_reg(family, golden, rng):
    """FullyConnectedNet.loss: scores, loss and gradients match the reference (reg 0)"""
    fc_net.check_fc_loss(family.fc_net(), golden, rng, reg=0.0)


@pytest.mark.points(2)
def test_loss_reg(family, golden, rng):
    """FullyConnectedNet.loss: loss and gradients with regularization 0.5 * reg * sum(W**2)"""
    fc_net.check_fc_loss(family.fc_net(), golden, rng, reg=0.7)


@pytest.mark.points(2)
def test_gradient_deeper(family, rng):
    """FullyConnectedNet.loss: gradients of a 4-layer net agree with finite differences of its loss"""
    fc_net.check_fc_consistency(family.fc_net(), rng, reg=0.2, hidden_dims=(5, 6, 4))
