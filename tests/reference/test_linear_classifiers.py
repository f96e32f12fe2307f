import numpy as np
import pytest

from reference import (l1_penalty, l2_penalty, linear_predict, softmax_loss_naive,
                       softmax_loss_vectorized, svm_loss_naive, svm_loss_vectorized)

LOSSES = [softmax_loss_naive, softmax_loss_vectorized, svm_loss_naive, svm_loss_vectorized]


def _problem(rng, N=9, D=5, C=4):
    return rng.standard_normal((D, C)) * 0.5, rng.standard_normal((N, D)), rng.integers(0, C, N)


@pytest.mark.parametrize("loss_fn", [softmax_loss_naive, softmax_loss_vectorized])
def test_softmax_loss_at_zero_is_log_c(rng, loss_fn):
    _, X, y = _problem(rng, C=7)
    loss, dW = loss_fn(np.zeros((5, 7)), X, y, 0.0)
    assert loss == pytest.approx(np.log(7))


@pytest.mark.parametrize("loss_fn", [svm_loss_naive, svm_loss_vectorized])
def test_svm_loss_at_zero_is_c_minus_one(rng, loss_fn):
    _, X, y = _problem(rng, C=7)
    loss, _ = loss_fn(np.zeros((5, 7)), X, y, 0.0)
    assert loss == pytest.approx(6.0)


@pytest.mark.parametrize("loss_fn", LOSSES)
@pytest.mark.parametrize("reg, reg_scale", [(0.0, 1.0), (0.3, 1.0), (0.3, 0.5)])
def test_gradient_matches_numerical(rng, grad, loss_fn, reg, reg_scale):
    for _ in range(2):
        W, X, y = _problem(rng)
        loss, dW = loss_fn(W, X, y, reg, reg_scale)
        grad.assert_grad(dW, lambda: loss_fn(W, X, y, reg, reg_scale)[0], W, tol=1e-6)


@pytest.mark.parametrize("naive, fast", [(softmax_loss_naive, softmax_loss_vectorized),
                                         (svm_loss_naive, svm_loss_vectorized)])
def test_naive_and_vectorized_agree(rng, naive, fast):
    W, X, y = _problem(rng, N=20)
    l1, g1 = naive(W, X, y, 0.1)
    l2, g2 = fast(W, X, y, 0.1)
    assert l1 == pytest.approx(l2)
    assert np.allclose(g1, g2)


def test_regularization_term(rng):
    W, X, y = _problem(rng)
    base = softmax_loss_vectorized(W, X, y, 0.0)[0]
    assert softmax_loss_vectorized(W, X, y, 0.2)[0] == pytest.approx(base + 0.2 * np.sum(W ** 2))
    assert softmax_loss_vectorized(W, X, y, 0.2, reg_scale=0.5)[0] == pytest.approx(
        base + 0.1 * np.sum(W ** 2))


def test_softmax_stable_under_large_offset(rng):
    W, X, y = _problem(rng)
    X = np.column_stack([X, np.ones(X.shape[0])])
    W = np.vstack([W, np.full(W.shape[1], 1000.0)])        # adds +1000 to every score
    loss, dW = softmax_loss_vectorized(W, X, y, 0.0)
    assert np.isfinite(loss) and np.all(np.isfinite(dW))
    assert loss == pytest.approx(softmax_loss_vectorized(W[:-1], X[:, :-1], y, 0.0)[0])


def test_penalties(grad, rng):
    W = grad.away_from_zero(rng, (3, 4))
    value, dW = l2_penalty(W, 0.3, reg_scale=0.5)
    assert value == pytest.approx(0.15 * np.sum(W ** 2))
    grad.assert_grad(dW, lambda: l2_penalty(W, 0.3, 0.5)[0], W)
    value, dW = l1_penalty(W, 0.3)
    assert value == pytest.approx(0.3 * np.abs(W).sum())
    grad.assert_grad(dW, lambda: l1_penalty(W, 0.3)[0], W)


def test_linear_predict():
    W = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert np.array_equal(linear_predict(W, np.array([[2.0, 1.0], [0.0, 3.0]])), [0, 1])


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_bad_arguments(rng, loss_fn):
    W, X, y = _problem(rng)
    with pytest.raises(ValueError, match="W must be"):
        loss_fn(W.T, X, y, 0.0)                               # (C, D) layout
    with pytest.raises(ValueError, match="labels"):
        loss_fn(W, X, y + 10, 0.0)
    with pytest.raises(ValueError, match="y must have shape"):
        loss_fn(W, X, y[:-1], 0.0)
    with pytest.raises(ValueError, match="floating"):
        loss_fn(W, X.astype(np.int64), y, 0.0)
    with pytest.raises(ValueError, match="reg"):
        loss_fn(W, X, y, -1.0)
