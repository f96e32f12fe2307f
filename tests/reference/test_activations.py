import numpy as np
import pytest

from reference import (elu_backward, elu_forward, leaky_relu_backward, leaky_relu_forward,
                       prelu_backward, prelu_forward, relu_backward, relu_forward,
                       sigmoid_backward, sigmoid_forward, softplus_backward, softplus_forward,
                       tanh_backward, tanh_forward)

PAIRS = {
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (lambda x: leaky_relu_forward(x, 0.05), leaky_relu_backward),
    "elu": (lambda x: elu_forward(x, 0.7), elu_backward),
    "softplus": (softplus_forward, softplus_backward),
    "prelu_scalar": (lambda x: prelu_forward(x, 0.2), lambda d, c: prelu_backward(d, c)[0]),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_backward_matches_numerical(rng, grad, name):
    forward, backward = PAIRS[name]
    for _ in range(3):
        x = grad.away_from_zero(rng, (4, 5))
        dout = rng.standard_normal((4, 5))
        out, cache = forward(x)
        grad.assert_grad(backward(dout, cache), lambda: float(np.sum(forward(x)[0] * dout)), x)


def test_forward_values():
    x = np.array([-2.0, -0.5, 0.5, 2.0])
    assert np.allclose(relu_forward(x)[0], [0, 0, 0.5, 2])
    assert np.allclose(leaky_relu_forward(x)[0], [-0.02, -0.005, 0.5, 2])
    assert np.allclose(prelu_forward(x, 0.3)[0], [-0.6, -0.15, 0.5, 2])
    assert np.allclose(elu_forward(x, 2.0)[0], [2 * (np.exp(-2) - 1), 2 * (np.exp(-0.5) - 1), 0.5, 2])
    assert np.allclose(softplus_forward(x)[0], np.log1p(np.exp(x)))
    assert np.allclose(sigmoid_forward(np.array([-800.0, 0.0, 800.0]))[0], [0, 0.5, 1])


def test_prelu_scalar_alpha_gives_float_dalpha(rng, grad):
    x = grad.away_from_zero(rng, (6, 3))
    dout = rng.standard_normal((6, 3))
    alpha = np.array(0.25)
    _, cache = prelu_forward(x, 0.25)
    dx, dalpha = prelu_backward(dout, cache)
    assert isinstance(dalpha, float)
    numeric = grad.numeric(lambda: float(np.sum(prelu_forward(x, float(alpha))[0] * dout)), alpha)
    assert dalpha == pytest.approx(float(numeric), rel=1e-6)


@pytest.mark.parametrize("alpha_shape", [(3,), (1, 3), (6, 1), (6, 3)])
def test_prelu_array_alpha_gradient(rng, grad, alpha_shape):
    x = grad.away_from_zero(rng, (6, 3))
    dout = rng.standard_normal((6, 3))
    alpha = rng.uniform(0.05, 0.5, alpha_shape)
    _, cache = prelu_forward(x, alpha)
    dx, dalpha = prelu_backward(dout, cache)
    assert dalpha.shape == alpha_shape
    f = lambda: float(np.sum(prelu_forward(x, alpha)[0] * dout))
    grad.assert_grad(dalpha, f, alpha)
    grad.assert_grad(dx, f, x)


def test_bad_arguments():
    x = np.ones((4, 3))
    with pytest.raises(ValueError, match="broadcast"):
        prelu_forward(x, np.ones(4))
    with pytest.raises(ValueError, match="broadcast"):
        prelu_forward(x, np.ones((2, 4, 3)))
    with pytest.raises(ValueError, match="floating"):
        relu_forward(np.ones(3, dtype=np.int64))
    _, cache = relu_forward(x)
    with pytest.raises(ValueError, match="dout"):
        relu_backward(np.ones((3, 4)), cache)
    with pytest.raises(ValueError, match="alpha"):
        elu_forward(x, alpha="1")
