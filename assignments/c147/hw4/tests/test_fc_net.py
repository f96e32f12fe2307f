"""c147 hw4: FullyConnectedNet (nndl/fc_net.py) with batch norm and dropout (dropout is the keep
probability; 1 means none). Nets with either are graded by the consistency of their own loss and
gradients; test-mode batch norm is never relied on (the starter's `bn_param[mode] = mode`)."""

import pytest

from grader.topics import fc_net


def _make(student, sandbox):
    return fc_net.c147_fc_net(student.FullyConnectedNet, sandbox)


@pytest.mark.points(2)
def test_loss_plain(student, sandbox, golden, rng):
    """FullyConnectedNet.loss: no dropout, no batch norm: matches the reference (reg 0.4)"""
    fc_net.check_fc_loss(_make(student, sandbox), golden, rng, reg=0.4)


@pytest.mark.points(1)
def test_init_batchnorm(student, sandbox, rng):
    """FullyConnectedNet: batch norm parameters gamma (ones) and beta (zeros)"""
    fc_net.check_fc_init(_make(student, sandbox), rng, normalization="batchnorm")


@pytest.mark.points(2)
def test_batchnorm_gradient(student, sandbox, rng):
    """FullyConnectedNet.loss: with batch norm, gradients agree with finite differences of the loss"""
    fc_net.check_fc_consistency(_make(student, sandbox), rng, normalization="batchnorm", reg=0.1)


@pytest.mark.points(2)
def test_dropout_gradient(student, sandbox, rng):
    """FullyConnectedNet.loss: with dropout 0.6, gradients agree with finite differences of the loss"""
    fc_net.check_fc_consistency(_make(student, sandbox), rng, dropout_keep=0.6)


@pytest.mark.points(1)
def test_both_gradient(student, sandbox, rng):
    """FullyConnectedNet.loss: with batch norm and dropout, gradients agree with finite differences"""
    fc_net.check_fc_consistency(_make(student, sandbox), rng, dropout_keep=0.75, normalization="batchnorm",
                                reg=0.3, hidden_dims=(5, 4, 6))


@pytest.mark.points(1)
def test_dropout_train_only(student, sandbox, rng):
    """FullyConnectedNet.loss: dropout 0.75 changes the training loss and leaves test-mode scores alone"""
    fc_net.check_fc_dropout_effect(_make(student, sandbox), rng)
