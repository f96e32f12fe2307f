"""cs231n a1, hidden: linear classifier gradients on larger inputs, checked by finite differences too."""

import pytest

from grader.topics import linear_classifiers as lc

FUNCTIONS = {"svm_loss_naive": "svm", "svm_loss_vectorized": "svm",
             "softmax_loss_naive": "softmax", "softmax_loss_vectorized": "softmax"}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_gradient(family, golden, rng, ref, name):
    """{name}: gradient with regularization on a larger batch (finite differences of the reference loss)"""
    lc.check_loss(family.linear_loss(name), golden, rng, kind=FUNCTIONS[name], part="gradient",
                  N=40, D=13, C=10, reg=0.05, ref=ref)
