"""cs231n a2: FullyConnectedNet (cs231n/classifiers/fc_net.py); dropout is the keep probability.
Nets with dropout or normalization are graded by the consistency of their own loss and gradients."""

import pytest

from grader.topics import fc_net


def _make(student, sandbox):
    return fc_net.cs231n_fc_net(student.FullyConnectedNet, sandbox)


@pytest.mark.points(1)
@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
def test_init(student, sandbox, rng, normalization):
    """FullyConnectedNet: parameter shapes and initialization (normalization {normalization})"""
    fc_net.check_fc_init(_make(student, sandbox), rng, normalization=normalization)


@pytest.mark.points(3)
def test_loss_no_reg(student, sandbox, golden, rng):
    """FullyConnectedNet.loss: scores, loss and gradients match the reference (reg 0)"""
    fc_net.check_fc_loss(_make(student, sandbox), golden, rng, reg=0.0)


@pytest.mark.points(2)
def test_loss_reg(student, sandbox, golden, rng):
    """FullyConnectedNet.loss: loss and gradients with regularization 0.5 * reg * sum(W**2)"""
    fc_net.check_fc_loss(_make(student, sandbox), golden, rng, reg=3.14)


@pytest.mark.points(2)
@pytest.mark.parametrize("normalization", ["batchnorm", "layernorm"])
def test_norm_gradient(student, sandbox, rng, normalization):
    """FullyConnectedNet.loss: with {normalization}, gradients agree with finite differences of the loss"""
    fc_net.check_fc_consistency(_make(student, sandbox), rng, normalization=normalization, reg=0.1)


@pytest.mark.points(2)
def test_dropout_gradient(student, sandbox, rng):
    """FullyConnectedNet.loss: with dropout 0.6, gradients agree with finite differences of the loss"""
    fc_net.check_fc_consistency(_make(student, sandbox), rng, dropout_keep=0.6, hidden_dims=(6, 7, 5))


@pytest.mark.points(1)
def test_dropout_train_only(student, sandbox, rng):
    """FullyConnectedNet.loss: dropout 0.75 changes the training loss and leaves test-mode scores alone"""
    fc_net.check_fc_dropout_effect(_make(student, sandbox), rng)
