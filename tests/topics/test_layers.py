"""Topic checks of affine/ReLU layers and losses on scores: the reference passes over many seeds,
typical bugs fail with a diagnosis."""

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure
from grader.topics import layers as L
from grader.topics.helpers import layer_pair


def golden(key, fn):
    return fn(R)


def test_reference_passes_over_many_seeds():
    relu = layer_pair(R.relu_forward, R.relu_backward)
    for seed in range(25):
        rng = np.random.default_rng(seed)
        L.check_affine_forward(R.affine_forward, golden, rng)
        L.check_affine_backward(R.affine_backward, golden, rng, ref_forward=R.affine_forward)
        L.check_affine_backward(R.affine_backward, golden, rng, x_shape=(1, 4))
        L.check_relu(relu, golden, rng)
        L.check_relu_gradient(R.relu_forward, R.relu_backward, rng)
        L.check_softmax_loss(R.softmax_loss, golden, rng)
        L.check_softmax_loss(R.softmax_loss, golden, rng, offset=1000.0, N=1)
        L.check_svm_loss(R.svm_loss, golden, rng)
        L.check_loss_gradient(R.softmax_loss, rng)
        L.check_loss_gradient(R.svm_loss, rng, svm=True)


def test_affine_forward_without_bias_is_named():
    with pytest.raises(CheckFailure) as exc:
        L.check_affine_forward(lambda x, w, b: (x.reshape(len(x), -1) @ w, None), golden,
                               np.random.default_rng(0))
    assert exc.value.diagnosis == "bias left out"


def test_affine_backward_db_mean_fails():
    def backward(dout, cache):
        dx, dw, db = R.affine_backward(dout, cache)
        return dx, dw, db / dout.shape[0]
    with pytest.raises(CheckFailure, match="db|\\[2\\]"):
        L.check_affine_backward(backward, golden, np.random.default_rng(1))


def test_affine_backward_wrong_arity_fails():
    with pytest.raises(CheckFailure, match="tuple of 3"):
        L.check_affine_backward(lambda dout, cache: R.affine_backward(dout, cache)[:2], golden,
                                np.random.default_rng(1))


def test_relu_backward_masked_with_output_is_named():
    def forward(x):
        return np.maximum(0, x), x

    def backward(dout, x):
        return dout * np.maximum(0, x)
    with pytest.raises(CheckFailure) as exc:
        L.check_relu(layer_pair(forward, backward), golden, np.random.default_rng(2))
    assert "masks with the output" in (exc.value.diagnosis or "")
    with pytest.raises(CheckFailure):
        L.check_relu_gradient(forward, backward, np.random.default_rng(2))


def test_unstable_softmax_fails_only_with_offset():
    def unstable(x, y):
        p = np.exp(x) / np.exp(x).sum(1, keepdims=True)
        N = len(y)
        dx = p.copy()
        dx[np.arange(N), y] -= 1
        return -np.log(p[np.arange(N), y]).mean(), dx / N
    with np.errstate(all="ignore"):
        L.check_softmax_loss(unstable, golden, np.random.default_rng(3))
        with pytest.raises(CheckFailure):
            L.check_softmax_loss(unstable, golden, np.random.default_rng(3), offset=1000.0)


def test_softmax_summed_is_named():
    def summed(x, y):
        loss, dx = R.softmax_loss(x, y)
        return loss * len(y), dx * len(y)
    with pytest.raises(CheckFailure) as exc:
        L.check_softmax_loss(summed, golden, np.random.default_rng(4))
    assert exc.value.diagnosis


def test_svm_counting_the_correct_class_is_named():
    def counted(x, y):
        loss, dx = R.svm_loss(x, y)
        return loss + 1.0, dx
    with pytest.raises(CheckFailure) as exc:
        L.check_svm_loss(counted, golden, np.random.default_rng(5))
    assert exc.value.diagnosis


def test_loss_gradient_inconsistent_fails():
    def wrong(x, y):
        loss, dx = R.softmax_loss(x, y)
        return loss, dx * 2
    with pytest.raises(CheckFailure):
        L.check_loss_gradient(wrong, np.random.default_rng(6))


def test_a_forward_test_does_not_call_the_backward():
    """A relu_backward that raises (a forbidden import, a typo) fails only the backward's tests."""
    def broken_backward(dout, cache):
        raise ImportError("torch is not allowed in this assignment")
    run = layer_pair(R.relu_forward, broken_backward)
    L.check_relu(run, golden, np.random.default_rng(0), part="forward")
    with pytest.raises(ImportError):
        L.check_relu(run, golden, np.random.default_rng(0), part="backward")
