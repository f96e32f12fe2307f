import numpy as np
import pytest

from reference import (affine_backward, affine_forward, affine_relu_backward, affine_relu_forward,
                       softmax_loss, svm_loss)
from reference.activations import relu_forward as activations_relu_forward
from reference.layers import relu_forward as layers_relu_forward


def test_relu_has_one_definition():
    assert layers_relu_forward is activations_relu_forward


def test_affine_forward_flattens_input(rng):
    x = rng.standard_normal((3, 2, 4))
    w = rng.standard_normal((8, 5))
    b = rng.standard_normal(5)
    out, _ = affine_forward(x, w, b)
    assert np.allclose(out, x.reshape(3, 8) @ w + b)


@pytest.mark.parametrize("forward, backward", [(affine_forward, affine_backward),
                                               (affine_relu_forward, affine_relu_backward)])
def test_affine_backward_matches_numerical(rng, grad, forward, backward):
    for _ in range(2):
        x = rng.standard_normal((4, 3, 2))
        w = rng.standard_normal((6, 5))
        b = rng.standard_normal(5)
        out, cache = forward(x, w, b)
        dout = rng.standard_normal((4, 5))
        dx, dw, db = backward(dout, cache)
        f = lambda: float(np.sum(forward(x, w, b)[0] * dout))
        grad.assert_grad(dx, f, x)
        grad.assert_grad(dw, f, w)
        grad.assert_grad(db, f, b)


@pytest.mark.parametrize("loss_fn", [softmax_loss, svm_loss])
def test_loss_gradient_matches_numerical(rng, grad, loss_fn):
    for _ in range(3):
        x = rng.standard_normal((6, 4))
        y = rng.integers(0, 4, 6)
        loss, dx = loss_fn(x, y)
        grad.assert_grad(dx, lambda: loss_fn(x, y)[0], x)


def test_loss_values_at_zero_scores():
    y = np.array([0, 2, 1])
    assert softmax_loss(np.zeros((3, 5)), y)[0] == pytest.approx(np.log(5))
    assert svm_loss(np.zeros((3, 5)), y)[0] == pytest.approx(4.0)


def test_softmax_loss_stable_under_offset(rng):
    x = rng.standard_normal((5, 3))
    y = rng.integers(0, 3, 5)
    assert softmax_loss(x + 1000.0, y)[0] == pytest.approx(softmax_loss(x, y)[0])


def test_bad_arguments(rng):
    with pytest.raises(ValueError, match="flattens to 6"):
        affine_forward(np.ones((2, 3, 2)), np.ones((5, 4)), np.ones(4))
    with pytest.raises(ValueError, match="b must have shape"):
        affine_forward(np.ones((2, 5)), np.ones((5, 4)), np.ones(3))
    _, cache = affine_forward(np.ones((2, 5)), np.ones((5, 4)), np.ones(4))
    with pytest.raises(ValueError, match="dout must have shape"):
        affine_backward(np.ones((2, 3)), cache)
    with pytest.raises(ValueError, match="labels"):
        softmax_loss(np.ones((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="integer"):
        svm_loss(np.ones((2, 3)), np.array([0.0, 1.0]))
