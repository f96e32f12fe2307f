"""c147 hw4, hidden: optimizers on other shapes and longer runs, batch norm on other sizes, dropout with
other keep probabilities."""

from grader.suites.hidden_optim import test_long_run
from grader.topics import dropout, normalization
from grader.topics.helpers import layer_pair


def test_batchnorm_sizes(student, golden, rng):
    """batchnorm_backward: a batch of 3 with 9 features"""
    run = layer_pair(student.batchnorm_forward, student.batchnorm_backward)
    normalization.check_norm_backward(run, golden, rng, N=3, D=9)


def test_batchnorm_train_sizes(student, golden, rng):
    """batchnorm_forward: a larger batch with a single feature"""
    normalization.check_batchnorm_train(student.batchnorm_forward, golden, rng, N=20, D=1)


def test_dropout_p(student, rng):
    """dropout_forward: keep probability 0.55 on a larger input"""
    dropout.check_dropout_train(student.dropout_forward, rng, p=0.55, shape=(30, 60))  # 2-d (N, D), as the notebook passes
