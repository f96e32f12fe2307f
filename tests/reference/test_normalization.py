import numpy as np
import pytest

from reference import (batchnorm_backward, batchnorm_backward_alt, batchnorm_forward,
                       layernorm_backward, layernorm_forward)


def _inputs(rng, N=8, D=5):
    x = 4.0 + 3.0 * rng.standard_normal((N, D))
    return x, rng.standard_normal(D), rng.standard_normal(D)


def test_batchnorm_train_gives_zero_mean_unit_variance(rng):
    x, _, _ = _inputs(rng, N=200)
    out, _ = batchnorm_forward(x, np.ones(5), np.zeros(5), {"mode": "train"})
    assert np.allclose(out.mean(axis=0), 0, atol=1e-12)
    assert np.allclose(out.std(axis=0), 1, atol=1e-4)
    gamma, beta = np.arange(1.0, 6.0), np.arange(5.0)
    out, _ = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    assert np.allclose(out.mean(axis=0), beta)
    assert np.allclose(out.std(axis=0), gamma, rtol=1e-4)


def test_batchnorm_running_statistics_and_test_mode(rng):
    x, gamma, beta = _inputs(rng)
    param = {"mode": "train", "momentum": 0.8}
    batchnorm_forward(x, gamma, beta, param)
    assert np.allclose(param["running_mean"], 0.2 * x.mean(axis=0))
    assert np.allclose(param["running_var"], 0.2 * x.var(axis=0))
    param["mode"] = "test"
    out, _ = batchnorm_forward(x, gamma, beta, param)
    expected = gamma * (x - param["running_mean"]) / np.sqrt(param["running_var"] + 1e-5) + beta
    assert np.allclose(out, expected)


@pytest.mark.parametrize("backward", [batchnorm_backward, batchnorm_backward_alt])
def test_batchnorm_backward_matches_numerical(rng, grad, backward):
    for _ in range(2):
        x, gamma, beta = _inputs(rng)
        dout = rng.standard_normal(x.shape)
        f = lambda: float(np.sum(batchnorm_forward(x, gamma, beta, {"mode": "train"})[0] * dout))
        _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
        dx, dgamma, dbeta = backward(dout, cache)
        grad.assert_grad(dx, f, x, tol=1e-5)
        grad.assert_grad(dgamma, f, gamma)
        grad.assert_grad(dbeta, f, beta)


def test_two_batchnorm_backwards_agree(rng):
    x, gamma, beta = _inputs(rng, N=30, D=7)
    dout = rng.standard_normal(x.shape)
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    for a, b in zip(batchnorm_backward(dout, cache), batchnorm_backward_alt(dout, cache)):
        assert np.allclose(a, b, rtol=1e-10, atol=1e-12)


def test_batchnorm_test_mode_backward(rng, grad):
    x, gamma, beta = _inputs(rng)
    param = {"mode": "test", "running_mean": rng.standard_normal(5),
             "running_var": rng.uniform(0.5, 2, 5)}
    dout = rng.standard_normal(x.shape)
    _, cache = batchnorm_forward(x, gamma, beta, dict(param))
    dx, _, _ = batchnorm_backward(dout, cache)
    grad.assert_grad(dx, lambda: float(np.sum(batchnorm_forward(x, gamma, beta, dict(param))[0] * dout)), x)


def test_layernorm_forward_and_backward(rng, grad):
    x, gamma, beta = _inputs(rng, N=4, D=9)
    out, cache = layernorm_forward(x, np.ones(9), np.zeros(9), {})
    assert np.allclose(out.mean(axis=1), 0, atol=1e-12)
    assert np.allclose(out.std(axis=1), 1, atol=1e-3)
    dout = rng.standard_normal(x.shape)
    f = lambda: float(np.sum(layernorm_forward(x, gamma, beta, {})[0] * dout))
    _, cache = layernorm_forward(x, gamma, beta, {})
    dx, dgamma, dbeta = layernorm_backward(dout, cache)
    grad.assert_grad(dx, f, x, tol=1e-5)
    grad.assert_grad(dgamma, f, gamma)
    grad.assert_grad(dbeta, f, beta)


def test_bad_arguments(rng):
    x, gamma, beta = _inputs(rng)
    with pytest.raises(ValueError, match="gamma must have shape"):
        batchnorm_forward(x, np.ones(4), beta, {"mode": "train"})
    with pytest.raises(ValueError, match="mode"):
        batchnorm_forward(x, gamma, beta, {"mode": "Train"})
    with pytest.raises(ValueError, match="momentum"):
        batchnorm_forward(x, gamma, beta, {"mode": "train", "momentum": 1.5})
    with pytest.raises(ValueError, match="x must have shape"):
        layernorm_forward(x[None], gamma, beta, {})
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    with pytest.raises(ValueError, match="dout must have shape"):
        batchnorm_backward(x[:-1], cache)
