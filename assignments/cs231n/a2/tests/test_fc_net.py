"""cs231n a2: FullyConnectedNet (cs231n/classifiers/fc_net.py); dropout is the keep probability.
Nets with dropout or normalization are graded by the consistency of their own loss and gradients."""

import pytest

from grader.topics import fc_net


@pytest.mark.points(1)
@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
def test_init(family, rng, normalization):
    """FullyConnectedNet: parameter shapes and initialization (normalization {normalization})"""
    fc_net.check_fc_init(family.fc_net(), rng, normalization=normalization)


@pytest.mark.points(3)
def test_loss_no_reg(family, golden, rng):
    """FullyConnectedNet.loss: scores, loss and gradients match the reference (reg 0)"""
    fc_net.check_fc_loss(family.fc_net(), golden, rng, reg=0.0)


@pytest.mark.points(2)
def test_loss_reg(family, golden, rng):
    """FullyConnectedNet.loss: loss and gradients with regularization 0.5 * reg * sum(W**2)"""
    fc_net.check_fc_loss(family.fc_net(), golden, rng, reg=3.14)


@pytest.mark.points(2)
@pytest.mark.parametrize("normalization", ["batchnorm", "layernorm"])
def test_norm_gradient(family, rng, normalization):
    """FullyConnectedNet.loss: with {normalization}, gradients agree with finite differences of the loss"""
    fc_net.check_fc_consistency(family.fc_net(), rng, normalization=normalization, reg=0.1)


@pytest.mark.points(2)
def test_dropout_gradient(family, rng):
    """FullyConnectedNet.loss: with dropout 0.6, gradients agree with finite differences of the loss"""
    fc_net.check_fc_consistency(family.fc_net(), rng, dropout_keep=0.6, hidden_dims=(6, 7, 5))


@pytest.mark.points(1)
def test_dropout_train_only(family, rng):
    """FullyConnectedNet.loss: dropout 0.75 changes the training loss and leaves test-mode scores alone"""
    fc_net.check_fc_dropout_effect(family.fc_net(), rng)
