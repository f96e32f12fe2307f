"""c147 hw3: TwoLayerNet (nndl/neural_net.py): W1 (H, D), W2 (C, H), 0.5 * reg * (|W1|^2 + |W2|^2)."""

import pytest

from grader.topics import two_layer_net as tln

REG_SCALE = 0.5


@pytest.mark.points(1)
def test_scores(student, golden, rng):
    """TwoLayerNet.loss: scores without labels"""
    tln.check_scores(tln.net_fn_of(student, "c147"), golden, rng)


@pytest.mark.points(1)
@pytest.mark.parametrize("reg", [0.0, 0.1])
def test_loss(student, golden, rng, reg):
    """TwoLayerNet.loss: loss with reg={reg}"""
    tln.check_loss(tln.net_fn_of(student, "c147"), golden, rng, reg=reg, reg_scale=REG_SCALE)


@pytest.mark.points(2)
@pytest.mark.parametrize("reg", [0.0, 0.1])
def test_gradients(student, golden, rng, reg):
    """TwoLayerNet.loss: gradients with reg={reg}"""
    tln.check_gradients(tln.net_fn_of(student, "c147"), golden, rng, reg=reg, reg_scale=REG_SCALE)


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_train(student, golden, rng):
    """TwoLayerNet.train: SGD steps on minibatches"""
    tln.check_train(tln.train_fn_of(student, "c147"), golden, rng, reg_scale=REG_SCALE)


@pytest.mark.points(1)
def test_predict(student, golden, rng):
    """TwoLayerNet.predict: the class of the largest score"""
    tln.check_predict(tln.predict_fn_of(student, "c147"), golden, rng)
