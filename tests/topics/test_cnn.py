"""Topic checks of the three-layer conv net: the reference passes (with and without regularization, with
batch norm by self-consistency); typical bugs fail with their diagnosis."""

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure
from grader.topics import cnn as K


def golden(key, fn):
    return fn(R)


def make_reference(use_batchnorm=False):
    return lambda **kw: R.ThreeLayerConvNet(use_batchnorm=use_batchnorm, **kw)


def test_reference_passes():
    np.random.seed(0)
    K.check_cnn_init(make_reference())
    for seed in range(3):
        rng = np.random.default_rng(seed)
        K.check_cnn_loss(make_reference(), golden, rng)
        K.check_cnn_loss(make_reference(), golden, rng, reg=0.3, N=2)
        K.check_cnn_self_consistent(make_reference(True), rng, normalized=True)
        K.check_cnn_self_consistent(make_reference(False), rng, reg=0.0)


class RegWithoutHalf(R.ThreeLayerConvNet):
    def loss(self, X, y=None):
        out = super().loss(X, y)
        if y is None:
            return out
        loss, grads = out
        loss += 0.5 * self.reg * sum(np.sum(self.params[w] ** 2) for w in K.WEIGHTS)
        for w in K.WEIGHTS:
            grads[w] = grads[w] + self.reg * self.params[w]
        return loss, grads


class WrongW1Gradient(R.ThreeLayerConvNet):
    def loss(self, X, y=None):
        out = super().loss(X, y)
        if y is None:
            return out
        loss, grads = out
        grads["W1"] = grads["W1"][:, :, ::-1, ::-1]
        return loss, grads


def test_regularization_without_half_is_named():
    with pytest.raises(CheckFailure) as exc:
        K.check_cnn_loss(lambda **kw: RegWithoutHalf(**kw), golden, np.random.default_rng(0), reg=0.5)
    assert exc.value.diagnosis.ids == ("reg-without-half",)


def test_wrong_gradient_fails_both_ways():
    make = lambda **kw: WrongW1Gradient(use_batchnorm=True, **kw)  # noqa: E731
    with pytest.raises(CheckFailure, match="W1"):
        K.check_cnn_self_consistent(make, np.random.default_rng(1))
    with pytest.raises(CheckFailure, match="W1"):
        K.check_cnn_loss(lambda **kw: WrongW1Gradient(**kw), golden, np.random.default_rng(1))


def test_transposed_w2_fails_init():
    class Transposed(R.ThreeLayerConvNet):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.params["W2"] = self.params["W2"].T.copy()
    with pytest.raises(CheckFailure, match="W2"):
        K.check_cnn_init(lambda **kw: Transposed(**kw))


def test_batchnorm_without_parameters_fails():
    with pytest.raises(CheckFailure, match="gamma"):
        K.check_cnn_self_consistent(make_reference(False), np.random.default_rng(0), normalized=True)
