"""cs231n a2, hidden: layers, normalization, optimizers and nets on other sizes."""

from grader.suites import hidden_optim
from grader.topics import dropout, fc_net, layers, normalization
from grader.topics.helpers import layer_pair


def test_affine_backward_fd(student, golden, rng, ref):
    """affine_backward: a batch of one, against finite differences of the reference"""
    layers.check_affine_backward(student.affine_backward, golden, rng, x_shape=(1, 3, 3), M=4,
                                 ref_forward=ref.affine_forward)


def test_ln_sizes(student, golden, rng):
    """layernorm_backward: a batch of 2 with 11 features"""
    run = layer_pair(student.layernorm_forward, student.layernorm_backward)
    normalization.check_norm_backward(run, golden, rng, kind="layernorm", backward="layernorm_backward", N=2, D=11)


def test_bn_alt_sizes(student, golden, rng):
    """batchnorm_backward_alt: a batch of 12 with 3 features"""
    run = layer_pair(student.batchnorm_forward, student.batchnorm_backward_alt)
    normalization.check_norm_backward(run, golden, rng, backward="batchnorm_backward_alt", N=12, D=3)


test_long_run = hidden_optim.test_long_run  # here: the tests run in this order


def test_dropout_p(student, rng):
    """dropout_forward: keep probability 0.45 on a larger input"""
    dropout.check_dropout_train(student.dropout_forward, rng, p=0.45, shape=(30, 60))  # 2-d (N, D), as the notebook passes


def test_fc_other_sizes(family, golden, rng):
    """FullyConnectedNet.loss: a 3-layer net with other sizes"""
    fc_net.check_fc_loss(family.fc_net(), golden, rng, reg=0.9, hidden_dims=(8, 3), input_dim=10, num_classes=6, N=9)
