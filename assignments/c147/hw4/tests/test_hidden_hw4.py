"""c147 hw4, hidden: optimizers on other shapes and longer runs, batch norm on other sizes, dropout with
other keep probabilities."""

import pytest

from grader.topics import dropout, layers, normalization, optim


@pytest.mark.parametrize("rule", ["rmsprop", "adam"])
def test_long_run(student, golden, rng, rule):
    """{rule}: ten updates of a larger parameter from a mid-run state"""
    optim.check_optimizer_steps(getattr(student, rule), golden, rng, rule, optim.C147_KEYS[rule],
                                steps=10, shape=(6, 4), mid_run=True)  # 2-d, as the notebook passes


def test_batchnorm_sizes(student, golden, rng):
    """batchnorm_backward: a batch of 3 with 9 features"""
    run = layers.layer_pair(student.batchnorm_forward, student.batchnorm_backward)
    normalization.check_norm_backward(run, golden, rng, N=3, D=9)


def test_batchnorm_train_sizes(student, golden, rng):
    """batchnorm_forward: a larger batch with a single feature"""
    normalization.check_batchnorm_train(student.batchnorm_forward, golden, rng, N=20, D=1)


def test_dropout_p(student, rng):
    """dropout_forward: keep probability 0.55 on a larger input"""
    dropout.check_dropout_train(student.dropout_forward, rng, p=0.55, shape=(30, 60))  # 2-d (N, D), as the notebook passes
