"""cs231n a2, hidden: layers, normalization, optimizers and nets on other sizes."""

import pytest

from grader.topics import dropout, fc_net, layers, normalization, optim


def test_affine_backward_fd(student, golden, rng, ref):
    """affine_backward: a batch of one, against finite differences of the reference"""
    layers.check_affine_backward(student.affine_backward, golden, rng, x_shape=(1, 3, 3), M=4,
                                 ref_forward=ref.affine_forward)


def test_ln_sizes(student, golden, rng):
    """layernorm_backward: a batch of 2 with 11 features"""
    run = layers.layer_pair(student.layernorm_forward, student.layernorm_backward)
    normalization.check_norm_backward(run, golden, rng, kind="layernorm", backward="layernorm_backward", N=2, D=11)


def test_bn_alt_sizes(student, golden, rng):
    """batchnorm_backward_alt: a batch of 12 with 3 features"""
    run = layers.layer_pair(student.batchnorm_forward, student.batchnorm_backward_alt)
    normalization.check_norm_backward(run, golden, rng, backward="batchnorm_backward_alt", N=12, D=3)


@pytest.mark.parametrize("rule", ["rmsprop", "adam"])
def test_long_run(student, golden, rng, rule):
    """{rule}: ten updates of a larger parameter from a mid-run state"""
    optim.check_optimizer_steps(getattr(student, rule), golden, rng, rule, optim.CS231N_KEYS[rule],
                                steps=10, shape=(6, 4), mid_run=True)  # 2-d, as the notebook passes


def test_dropout_p(student, rng):
    """dropout_forward: keep probability 0.45 on a larger input"""
    dropout.check_dropout_train(student.dropout_forward, rng, p=0.45, shape=(30, 60))  # 2-d (N, D), as the notebook passes


def test_fc_other_sizes(student, sandbox, golden, rng):
    """FullyConnectedNet.loss: a 3-layer net with other sizes"""
    fc_net.check_fc_loss(fc_net.cs231n_fc_net(student.FullyConnectedNet, sandbox), golden, rng, reg=0.9,
                         hidden_dims=(8, 3), input_dim=10, num_classes=6, N=9)
