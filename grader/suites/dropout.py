"""Suite: inverted dropout (c147 hw4, cs231n a2); p is the probability of keeping a unit; cache
(dropout_param, mask)."""

import pytest

from grader.topics import dropout


@pytest.mark.points(1)
@pytest.mark.parametrize("p", [0.3, 0.8])
def test_train(student, rng, p):
    """dropout_forward: train mode keeps a fraction p of the units, scaled by 1/p (p = {p})"""
    dropout.check_dropout_train(student.dropout_forward, rng, p=p)


@pytest.mark.points(1)
def test_test_mode(student, rng):
    """dropout_forward: test mode returns the input unchanged"""
    dropout.check_dropout_test(student.dropout_forward, rng)


@pytest.mark.points(1)
def test_seed(student, rng):
    """dropout_forward: a seed in dropout_param makes the mask repeatable"""
    dropout.check_dropout_seed(student.dropout_forward, rng)


@pytest.mark.points(2)
def test_backward(student, golden, rng):
    """dropout_backward: dx = dout * mask / p with a given cache"""
    dropout.check_dropout_backward_fixed(student.dropout_backward, golden, rng)


@pytest.mark.points(1)
def test_backward_test_mode(student, rng):
    """dropout_backward: test mode passes dout through"""
    dropout.check_dropout_backward_test(student.dropout_backward, rng)


@pytest.mark.points(1)
def test_pair(student, rng):
    """dropout_backward: uses the mask of your dropout_forward's cache"""
    dropout.check_dropout_pair(student.dropout_forward, student.dropout_backward, rng)
