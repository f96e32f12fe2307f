import numpy as np
import pytest

from reference import FullyConnectedNet, TwoLayerNet, prelu_elu_net


def _exam_case(rng, n=4, m=3, margin=0.05):
    """Random exam-network inputs with q6 = W1 x and q4 = W2 PReLU(q6) away from the kinks at 0."""
    while True:
        x = rng.standard_normal(n)
        W1, W2 = rng.standard_normal((n, n)), rng.standard_normal((n, n))
        W3 = rng.standard_normal((m, n))
        q6 = W1 @ x
        q4 = W2 @ np.where(q6 >= 0, q6, 0.3 * q6)
        if np.min(np.abs(q6)) > margin and np.min(np.abs(q4)) > margin:
            return x, rng.standard_normal(m), W1, W2, W3


def test_exam_network_matches_lecture_solution(rng):
    for _ in range(3):
        x, y, W1, W2, W3 = _exam_case(rng)
        a_p, a_e = 0.2, 0.7
        loss, grads = prelu_elu_net(x, y, W1, W2, W3, a_p, a_e)
        # lecture 003 solution: q6 = W1 x; q5 = PReLU(q6); q4 = W2 q5; q3 = ELU(q4);
        # q2 = W3 q3; q1 = q2 − y; L = ½‖q1‖²
        q6 = W1 @ x
        q5 = np.where(q6 >= 0, q6, a_p * q6)
        q4 = W2 @ q5
        q3 = np.where(q4 >= 0, q4, a_e * (np.exp(q4) - 1))
        q1 = W3 @ q3 - y
        assert loss == pytest.approx(0.5 * q1 @ q1)
        # dL/dW3 = q1 q3ᵀ
        assert np.allclose(grads["W3"], np.outer(q1, q3))
        # p = 1{q4 > 0} + 1{q4 < 0} α e^{q4};  dL/dq4 = W3ᵀ q1 ⊙ p;  dL/dW2 = dL/dq4 q5ᵀ
        p = (q4 > 0) * 1.0 + (q4 < 0) * a_e * np.exp(q4)
        dq4 = (W3.T @ q1) * p
        assert np.allclose(grads["W2"], np.outer(dq4, q5))
        # r = 1{q6 > 0} + 1{q6 < 0} α;  dL/dq6 = W2ᵀ dL/dq4 ⊙ r;  dL/dW1 = dL/dq6 xᵀ
        r = (q6 > 0) * 1.0 + (q6 < 0) * a_p
        dq6 = (W2.T @ dq4) * r
        assert np.allclose(grads["W1"], np.outer(dq6, x))
        # dL/dα (PReLU) = Σ dL/dq5 ⊙ q6 ⊙ 1{q6 < 0}
        assert grads["alpha_prelu"] == pytest.approx(np.sum((W2.T @ dq4) * q6 * (q6 < 0)))


def test_exam_network_numerical(rng, grad):
    x, y, W1, W2, W3 = _exam_case(rng)
    alpha = np.array([0.1, 0.2, 0.3, 0.4])
    loss, grads = prelu_elu_net(x, y, W1, W2, W3, alpha, 1.0)
    f = lambda: prelu_elu_net(x, y, W1, W2, W3, alpha, 1.0)[0]
    for name, value in (("W1", W1), ("W2", W2), ("W3", W3), ("alpha_prelu", alpha)):
        grad.assert_grad(grads[name], f, value)


def test_exam_network_bad_shapes(rng):
    x, y, W1, W2, W3 = _exam_case(rng)
    with pytest.raises(ValueError, match="W3 must have shape"):
        prelu_elu_net(x, y, W1, W2, W3.T, 0.1, 1.0)
    with pytest.raises(ValueError, match="alpha_prelu"):
        prelu_elu_net(x, y, W1, W2, W3, np.ones(3), 1.0)


@pytest.mark.parametrize("reg_scale", [1.0, 0.5])
def test_two_layer_net_gradients(rng, grad, reg_scale):
    net = TwoLayerNet(5, 7, 3, std=0.5, reg_scale=reg_scale, seed=1)
    X = rng.standard_normal((6, 5))
    y = rng.integers(0, 3, 6)
    loss, grads = net.loss(X, y, reg=0.1)
    data_loss, _ = net.loss(X, y, reg=0.0)
    W1, W2 = net.params["W1"], net.params["W2"]
    assert loss == pytest.approx(data_loss + reg_scale * 0.1 * (np.sum(W1 ** 2) + np.sum(W2 ** 2)))
    for name, value in net.params.items():
        grad.assert_grad(grads[name], lambda: net.loss(X, y, reg=0.1)[0], value)
    assert net.loss(X).shape == (6, 3)
    assert np.array_equal(net.predict(X), np.argmax(net.loss(X), axis=1))


@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
@pytest.mark.parametrize("keep", [1, 0.7])
def test_fully_connected_net_gradients(rng, grad, normalization, keep):
    net = FullyConnectedNet([6, 5], input_dim=4, num_classes=3, dropout_keep_ratio=keep,
                            normalization=normalization, reg=0.2, weight_scale=0.5, seed=3)
    for name in net.params:                 # non-zero biases: no pre-activation exactly at 0
        if name.startswith("b"):
            net.params[name] = rng.uniform(0.1, 0.5, net.params[name].shape)
    X = rng.standard_normal((5, 4))
    y = rng.integers(0, 3, 5)
    loss, grads = net.loss(X, y)
    assert set(grads) == set(net.params)
    if normalization:
        assert {"gamma1", "beta1", "gamma2", "beta2"} <= set(net.params)
        assert "gamma3" not in net.params
    for name, value in net.params.items():
        grad.assert_grad(grads[name], lambda: net.loss(X, y)[0], value, tol=1e-5)


def test_fully_connected_net_regularization_and_test_mode(rng):
    net = FullyConnectedNet([4], input_dim=3, num_classes=2, reg=0.0, weight_scale=0.3, seed=0)
    X = rng.standard_normal((4, 3))
    y = rng.integers(0, 2, 4)
    base = net.loss(X, y)[0]
    net.reg = 0.4
    reg_term = 0.5 * 0.4 * sum(np.sum(net.params[k] ** 2) for k in ("W1", "W2"))
    assert net.loss(X, y)[0] == pytest.approx(base + reg_term)
    scores = net.loss(X)
    assert scores.shape == (4, 2)


def test_fully_connected_net_dtype_and_bad_arguments():
    net = FullyConnectedNet([3], input_dim=2, num_classes=2, dtype=np.float32)
    assert all(v.dtype == np.float32 for v in net.params.values())
    with pytest.raises(ValueError, match="normalization"):
        FullyConnectedNet([3], input_dim=2, num_classes=2, normalization="groupnorm")
    with pytest.raises(ValueError, match="dropout_keep_ratio"):
        FullyConnectedNet([3], input_dim=2, num_classes=2, dropout_keep_ratio=0)
