"""cs231n a1: TwoLayerNet (cs231n/classifiers/neural_net.py): W1 (D, H), reg * (|W1|^2 + |W2|^2) or, as
in the course's years before 2017, 0.5 * reg * (|W1|^2 + |W2|^2): either is accepted, the form named."""

import pytest

from grader.topics import two_layer_net as tln

REG_SCALE = (1.0, 0.5)  # the starter leaves the factor open; the course changed it in 2017


@pytest.mark.points(1)
def test_scores(student, golden, rng):
    """TwoLayerNet.loss: scores without labels"""
    tln.check_scores(tln.net_fn_of(student, "cs231n"), golden, rng)


@pytest.mark.points(1)
@pytest.mark.parametrize("reg", [0.0, 0.1])
def test_loss(student, golden, rng, reg):
    """TwoLayerNet.loss: loss with reg={reg}"""
    return tln.check_loss(tln.net_fn_of(student, "cs231n"), golden, rng, reg=reg, reg_scale=REG_SCALE)


@pytest.mark.points(2)
@pytest.mark.parametrize("reg", [0.0, 0.1])
def test_gradients(student, golden, rng, reg):
    """TwoLayerNet.loss: gradients with reg={reg}"""
    return tln.check_gradients(tln.net_fn_of(student, "cs231n"), golden, rng, reg=reg, reg_scale=REG_SCALE)


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_train(student, golden, rng):
    """TwoLayerNet.train: SGD steps on minibatches"""
    return tln.check_train(tln.train_fn_of(student, "cs231n"), golden, rng, reg_scale=REG_SCALE)


@pytest.mark.points(1)
def test_predict(student, golden, rng):
    """TwoLayerNet.predict: the class of the largest score"""
    tln.check_predict(tln.predict_fn_of(student, "cs231n"), golden, rng)
