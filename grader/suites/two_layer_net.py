"""Suite: TwoLayerNet (c147 hw3 ``nndl/neural_net.py``, cs231n a1 ``classifiers/neural_net.py``): the family
binds its layout and its regularization factor (``family.two_layer_reg_scale``: where it is a choice,
each is accepted and the form found is a note)."""

import pytest

from grader.topics import two_layer_net as tln


@pytest.mark.points(1)
def test_scores(family, golden, rng):
    """TwoLayerNet.loss: scores without labels"""
    tln.check_scores(family.two_layer_net(), golden, rng)


@pytest.mark.points(1)
@pytest.mark.parametrize("reg", [0.0, 0.1])
def test_loss(family, golden, rng, reg):
    """TwoLayerNet.loss: loss with reg={reg}"""
    return tln.check_loss(family.two_layer_net(), golden, rng, reg=reg, reg_scale=family.two_layer_reg_scale)


@pytest.mark.points(2)
@pytest.mark.parametrize("reg", [0.0, 0.1])
def test_gradients(family, golden, rng, reg):
    """TwoLayerNet.loss: gradients with reg={reg}"""
    return tln.check_gradients(family.two_layer_net(), golden, rng, reg=reg, reg_scale=family.two_layer_reg_scale)


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_train(family, golden, rng):
    """TwoLayerNet.train: SGD steps on minibatches"""
    return tln.check_train(family.two_layer_train(), golden, rng, reg_scale=family.two_layer_reg_scale)


@pytest.mark.points(1)
def test_predict(family, golden, rng):
    """TwoLayerNet.predict: the class of the largest score"""
    tln.check_predict(family.two_layer_predict(), golden, rng)
