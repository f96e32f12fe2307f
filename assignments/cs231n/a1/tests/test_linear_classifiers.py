"""cs231n a1: softmax_loss_* and svm_loss_* (W is (D, C)); reg * sum(W**2) or 0.5 * reg * sum(W**2)."""

import pytest

from grader.topics import linear_classifiers as lc

FUNCTIONS = {"svm_loss_naive": "svm", "svm_loss_vectorized": "svm",
             "softmax_loss_naive": "softmax", "softmax_loss_vectorized": "softmax"}


@pytest.mark.points(1)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_loss(family, golden, rng, name):
    """{name}: loss matches the reference"""
    lc.check_loss(family.linear_loss(name), golden, rng, kind=FUNCTIONS[name], part="loss")


@pytest.mark.points(2)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_gradient(family, golden, rng, name):
    """{name}: gradient matches the reference"""
    lc.check_loss(family.linear_loss(name), golden, rng, kind=FUNCTIONS[name], part="gradient")


@pytest.mark.points(1)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_loss_reg(family, golden, rng, name):
    """{name}: loss with regularization"""
    return lc.check_loss(family.linear_loss(name), golden, rng, kind=FUNCTIONS[name], part="loss",
                         reg=0.7)


@pytest.mark.points(1)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_gradient_reg(family, golden, rng, name):
    """{name}: gradient with regularization"""
    return lc.check_loss(family.linear_loss(name), golden, rng, kind=FUNCTIONS[name],
                         part="gradient", reg=0.7)


@pytest.mark.requires("stability")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", ["softmax_loss_naive", "softmax_loss_vectorized"])
def test_stable(family, golden, rng, name):
    """{name}: numerically stable when every score is offset by 1000"""
    lc.check_loss(family.linear_loss(name), golden, rng, kind="softmax", part="loss", offset=1000.0)
