"""c147 hw4: FullyConnectedNet (nndl/fc_net.py) with batch norm and dropout (dropout is the keep
probability; 1 means none). Nets with either are graded by the consistency of their own loss and
gradients; test-mode batch norm is never relied on (the starter's `bn_param[mode] = mode`)."""

import pytest

from grader.topics import fc_net


@pytest.mark.points(2)
def test_loss_plain(family, golden, rng):
    """FullyConnectedNet.loss: no dropout, no batch norm: matches the reference (reg 0.4)"""
    fc_net.check_fc_loss(family.fc_net(), golden, rng, reg=0.4)


@pytest.mark.points(1)
def test_init_batchnorm(family, rng):
    """FullyConnectedNet: batch norm parameters gamma (ones) and beta (zeros)"""
    fc_net.check_fc_init(family.fc_net(), rng, normalization="batchnorm")


@pytest.mark.points(2)
def test_batchnorm_gradient(family, rng):
    """FullyConnectedNet.loss: with batch norm, gradients agree with finite differences of the loss"""
    fc_net.check_fc_consistency(family.fc_net(), rng, normalization="batchnorm", reg=0.1)


@pytest.mark.points(2)
def test_dropout_gradient(family, rng):
    """FullyConnectedNet.loss: with dropout 0.6, gradients agree with finite differences of the loss"""
    fc_net.check_fc_consistency(family.fc_net(), rng, dropout_keep=0.6)


@pytest.mark.points(1)
def test_both_gradient(family, rng):
    """FullyConnectedNet.loss: with batch norm and dropout, gradients agree with finite differences"""
    fc_net.check_fc_consistency(family.fc_net(), rng, dropout_keep=0.75, normalization="batchnorm",
                                reg=0.3, hidden_dims=(5, 4, 6))


@pytest.mark.points(1)
def test_dropout_train_only(family, rng):
    """FullyConnectedNet.loss: dropout 0.75 changes the training loss and leaves test-mode scores alone"""
    fc_net.check_fc_dropout_effect(family.fc_net(), rng)
