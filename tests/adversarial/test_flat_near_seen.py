"""A forward that returns, near any input it has seen, the output it gave there (flat for finite
differences), with a backward of zeros: honest at every fresh input, so it passes the forward's
reference test, and self-consistent for finite differences. Nets are pinned with their gradients (fc_net.check_fc_norm_loss, dropout_pin), and the
layer tests that judge a backward by finite differences of the student's own forward (relu, PReLU/ELU,
losses, spatial norms, RNN steps) by helpers.pin_own_gradient."""

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure
from grader.topics import layers


def _flat_relu():
    seen = []

    def relu_forward(x):
        for point, out in seen:
            if point.shape == x.shape and np.max(np.abs(point - x)) < 0.05:
                return out.copy(), x
        out = np.maximum(x, 0)
        seen.append((x.copy(), out))
        return out.copy(), x

    def relu_backward(dout, cache):
        return np.zeros_like(dout)
    return relu_forward, relu_backward


def test_the_flat_forward_is_honest_at_fresh_inputs():
    forward, _ = _flat_relu()
    x = np.random.default_rng(0).standard_normal((4, 5))
    np.testing.assert_array_equal(forward(x)[0], np.maximum(x, 0))


def test_without_the_reference_pin_the_flat_forward_passes_finite_differences():
    """Why the pin exists: finite differences of the flat forward agree with its zero backward."""
    layers.check_relu_gradient(*_flat_relu(), np.random.default_rng(0))


def test_a_flat_forward_with_a_zero_backward_fails_the_own_gradient_test():
    with pytest.raises(CheckFailure, match="so its gradients there are the reference's"):
        layers.check_relu_gradient(*_flat_relu(), np.random.default_rng(0), golden=lambda key, fn: fn(R))


def test_a_consistent_backward_of_a_wrong_forward_keeps_the_own_gradient_test():
    """The pin applies only where the forward equals the reference: a leaky forward with its own
    consistent backward still passes (its forward is judged by its own test)."""
    def forward(x):
        return np.where(x > 0, x, 0.1 * x), x

    def backward(dout, x):
        return dout * np.where(x > 0, 1.0, 0.1)
    layers.check_relu_gradient(forward, backward, np.random.default_rng(0), golden=lambda key, fn: fn(R))
