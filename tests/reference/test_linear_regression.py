import numpy as np
import pytest

from reference import (gradient_descent, minibatch_sgd, normal_equations, polyfit,
                       polynomial_features, squared_loss, squared_loss_grad)


def test_normal_equations_match_lstsq(rng):
    X = rng.standard_normal((30, 4))
    y = rng.standard_normal(30)
    expected = np.linalg.lstsq(X, y, rcond=None)[0]
    assert np.allclose(normal_equations(X, y), expected, rtol=1e-12, atol=1e-12)
    # and the textbook formula when XᵀX is invertible
    assert np.allclose(normal_equations(X, y), np.linalg.solve(X.T @ X, X.T @ y))


def test_normal_equations_rank_deficient_gives_minimum_norm(rng):
    base = rng.standard_normal((20, 2))
    X = np.column_stack([base, base[:, 0] + base[:, 1]])     # rank 2, 3 columns
    y = rng.standard_normal(20)
    theta = normal_equations(X, y)
    assert np.allclose(theta, np.linalg.lstsq(X, y, rcond=None)[0])
    assert np.allclose(theta, np.linalg.pinv(X) @ y)
    assert np.all(np.isfinite(theta))


def test_polynomial_features_highest_power_first():
    F = polynomial_features(np.array([2.0, 3.0]), 3)
    assert np.array_equal(F, [[8, 4, 2, 1], [27, 9, 3, 1]])


def test_polyfit_recovers_coefficients_highest_first(rng):
    x = rng.uniform(-2, 2, 50)
    coeffs = np.array([0.5, -1.0, 2.0, 3.0])
    y = np.polyval(coeffs, x)
    assert np.allclose(polyfit(x, y, 3), coeffs)
    assert np.allclose(polyfit(x, y, 3), np.polyfit(x, y, 3))


@pytest.mark.parametrize("mean", [True, False])
@pytest.mark.parametrize("half", [True, False])
def test_squared_loss_factors_and_gradient(rng, grad, mean, half):
    X = rng.standard_normal((12, 3))
    y = rng.standard_normal(12)
    theta = rng.standard_normal(3)
    r = X @ theta - y
    expected = np.sum(r ** 2) / (12 if mean else 1) * (0.5 if half else 1)
    assert squared_loss(theta, X, y, mean=mean, half=half) == pytest.approx(expected)
    analytic = squared_loss_grad(theta, X, y, mean=mean, half=half)
    grad.assert_grad(analytic, lambda: squared_loss(theta, X, y, mean=mean, half=half), theta)


def test_gradient_descent_follows_lecture_loop():
    # f(x) = ½‖x‖², grad = x: each step multiplies x by (1 - eps)
    def func(x):
        return 0.5 * float(x @ x), x.copy()
    x0 = np.array([1.0, -2.0])
    path, costs, grads, hit_max = gradient_descent(func, x0, eps=0.5, tol=1e-3)
    assert not hit_max
    assert np.array_equal(x0, [1.0, -2.0])                  # x0 untouched
    for k in range(1, len(path)):
        assert np.allclose(path[k], 0.5 * path[k - 1])
        assert np.allclose(grads[k - 1], path[k - 1])       # gradient at the point before the step
        assert costs[k] == pytest.approx(func(path[k - 1])[0])
    assert costs[0] == pytest.approx(func(x0)[0])
    assert np.linalg.norm(path[-1] - path[-2]) <= 1e-3      # the step meeting tol is kept
    assert np.linalg.norm(path[-2] - path[-3]) > 1e-3
    assert len(path) == len(costs) == len(grads) + 1


def test_gradient_descent_hits_max_iters():
    path, costs, grads, hit_max = gradient_descent(lambda x: (float(x @ x), 0 * x + 1.0),
                                                   np.zeros(2), eps=0.1, tol=1e-3, max_iters=5)
    assert hit_max
    assert len(path) == 5                                   # x0 and the steps with i = 2..5
    assert np.allclose(path[-1], [-0.4, -0.4])


def test_minibatch_sgd_converges_on_least_squares(rng):
    X = rng.standard_normal((200, 3))
    true = np.array([1.0, -2.0, 0.5])
    y = X @ true
    def loss_and_grad(theta, Xb, yb):
        return squared_loss(theta, Xb, yb), squared_loss_grad(theta, Xb, yb)
    theta0 = np.zeros(3)
    theta, losses = minibatch_sgd(loss_and_grad, theta0, X, y, learning_rate=0.1, batch_size=20,
                                  num_iters=300, rng=np.random.default_rng(1))
    assert np.allclose(theta, true, atol=1e-3)
    assert losses[-1] < losses[0]
    assert np.array_equal(theta0, np.zeros(3))


def test_bad_arguments():
    with pytest.raises(ValueError, match="y must have shape"):
        normal_equations(np.ones((5, 2)), np.ones(4))
    with pytest.raises(ValueError, match="theta must have shape"):
        squared_loss(np.ones(3), np.ones((5, 2)), np.ones(5))
    with pytest.raises(ValueError, match="order"):
        polynomial_features(np.ones(3), -1)
    with pytest.raises(ValueError, match="X must have shape"):
        normal_equations(np.ones(5), np.ones(5))
