"""c147 hw3, hidden: the same checks on other shapes, a batch of one, and finite differences of the
reference forward."""

import pytest

from grader.topics import fc_net, layers, prelu_elu


def test_affine_forward_2d(student, golden, rng):
    """affine_forward: a 2-d input and a batch of one"""
    layers.check_affine_forward(student.affine_forward, golden, rng, x_shape=(1, 9), M=4)


def test_affine_backward_fd(student, golden, rng, ref):
    """affine_backward: gradients of a 3-d input against finite differences of the reference"""
    layers.check_affine_backward(student.affine_backward, golden, rng, x_shape=(6, 2, 3, 2), M=5,
                                 ref_forward=ref.affine_forward)


def test_losses_batch_of_one(student, golden, rng):
    """softmax_loss: a batch of one with ten classes"""
    layers.check_softmax_loss(student.softmax_loss, golden, rng, N=1, C=10)


def test_svm_larger(student, golden, rng):
    """svm_loss: a larger batch"""
    layers.check_svm_loss(student.svm_loss, golden, rng, N=30, C=7)


def test_prelu_net_larger(student, golden, rng):
    """prelu_elu_net: a larger network with ELU alpha 0.6"""
    prelu_elu.check_prelu_elu_net(student.prelu_elu_net, golden, rng, n=8, m=4, per_feature=True, alpha_elu=0.6)


def test_fc_net_other_sizes(family, golden, rng):
    """FullyConnectedNet.loss: a 2-layer net with other sizes and regularization"""
    fc_net.check_fc_loss(family.fc_net(), golden, rng, reg=1.3, hidden_dims=(9,), input_dim=11, num_classes=3, N=7)
