"""reference.cnn.ThreeLayerConvNet: shapes, scores, regularization and gradients."""

import numpy as np
import pytest

from reference.cnn import ThreeLayerConvNet
from reference.conv import conv_forward_naive, max_pool_forward_naive

from gradients import numeric_grad as numerical_grad, assert_grad_close


def small_net(seed, **kwargs):
    np.random.seed(seed)
    options = dict(input_dim=(2, 6, 8), num_filters=3, filter_size=3, hidden_dim=5,
                   num_classes=4, weight_scale=0.5)
    options.update(kwargs)
    return ThreeLayerConvNet(**options)


def test_parameter_shapes_and_initialization():
    np.random.seed(0)
    net = ThreeLayerConvNet(weight_scale=1e-2)
    shapes = {name: value.shape for name, value in net.params.items()}
    assert shapes == {"W1": (32, 3, 7, 7), "b1": (32,), "W2": (32 * 16 * 16, 100), "b2": (100,),
                      "W3": (100, 10), "b3": (10,)}
    assert abs(net.params["W1"].std() - 1e-2) < 1e-3
    assert not net.params["b1"].any()
    np.random.seed(0)
    expected_W1 = 1e-2 * np.random.randn(32, 3, 7, 7)
    np.testing.assert_array_equal(net.params["W1"], expected_W1)

    net = small_net(0, use_batchnorm=True, dtype=np.float32)
    assert net.params["gamma1"].shape == (3,) and net.params["beta2"].shape == (5,)
    assert all(v.dtype == np.float32 for v in net.params.values())


def test_scores_are_the_composition_of_the_layers():
    net = small_net(1)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 2, 6, 8))
    p = net.params
    a1, _ = conv_forward_naive(X, p["W1"], p["b1"], {"stride": 1, "pad": 1})
    pooled, _ = max_pool_forward_naive(np.maximum(a1, 0),
                                       {"pool_height": 2, "pool_width": 2, "stride": 2})
    hidden = np.maximum(pooled.reshape(3, -1) @ p["W2"] + p["b2"], 0)
    np.testing.assert_allclose(net.loss(X), hidden @ p["W3"] + p["b3"], rtol=1e-10, atol=1e-12)


def test_initial_loss_is_log_C_and_regularization_is_half_reg_sum_of_squares():
    np.random.seed(2)
    net = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=4, hidden_dim=6, weight_scale=1e-4)
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((10, 3, 8, 8)), rng.integers(0, 10, size=10)
    loss, _ = net.loss(X, y)
    assert loss == pytest.approx(np.log(10), abs=1e-3)
    net.reg = 3.0
    loss_reg, grads = net.loss(X, y)
    penalty = 0.5 * 3.0 * sum(np.sum(net.params[w] ** 2) for w in ("W1", "W2", "W3"))
    assert loss_reg - loss == pytest.approx(penalty, rel=1e-9)


@pytest.mark.parametrize("use_batchnorm,reg", [(False, 0.0), (False, 0.7), (True, 0.3)])
def test_gradients_match_numerical(use_batchnorm, reg):
    net = small_net(3, use_batchnorm=use_batchnorm, reg=reg)
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((2, 2, 6, 8)), rng.integers(0, 4, size=2)
    if use_batchnorm:
        X, y = rng.standard_normal((4, 2, 6, 8)), rng.integers(0, 4, size=4)
        net.params["gamma2"] += rng.uniform(0.5, 1.5, size=5)
    _, grads = net.loss(X, y)
    assert set(grads) == set(net.params)
    for name, param in net.params.items():
        assert grads[name].shape == param.shape
        assert_grad_close(numerical_grad(lambda: net.loss(X, y)[0], param), grads[name])


def test_batchnorm_running_statistics_and_test_mode():
    net = small_net(4, use_batchnorm=True)
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((6, 2, 6, 8)), rng.integers(0, 4, size=6)
    net.loss(X, y)
    assert net.bn_params[0]["running_mean"].shape == (3,)
    assert net.bn_params[1]["running_var"].shape == (5,)
    scores = net.loss(X)
    assert net.bn_params[0]["mode"] == "test"
    # test mode normalizes each example on its own: one example's scores do not depend on the rest
    np.testing.assert_allclose(net.loss(X[:1]), scores[:1], rtol=1e-12)


def test_a_few_sgd_steps_reduce_the_loss():
    net = small_net(5, weight_scale=0.3)
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((8, 2, 6, 8)), rng.integers(0, 4, size=8)
    first, _ = net.loss(X, y)
    for _ in range(20):
        loss, grads = net.loss(X, y)
        for name in net.params:
            net.params[name] -= 0.3 * grads[name]
    assert net.loss(X, y)[0] < 0.1 * first


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="odd"):
        ThreeLayerConvNet(filter_size=4)
    with pytest.raises(ValueError, match="even"):
        ThreeLayerConvNet(input_dim=(3, 31, 32))
    with pytest.raises(ValueError, match="input_dim"):
        ThreeLayerConvNet(input_dim=(32, 32))
    with pytest.raises(ValueError, match="reg"):
        ThreeLayerConvNet(reg=-1.0)
    with pytest.raises(ValueError, match="num_filters"):
        ThreeLayerConvNet(num_filters=0)
    net = small_net(6)
    with pytest.raises(ValueError, match="X must have shape"):
        net.loss(np.zeros((2, 3, 6, 8)))
    with pytest.raises(ValueError, match="y"):
        net.loss(np.zeros((2, 2, 6, 8)), np.array([0, 4]))
