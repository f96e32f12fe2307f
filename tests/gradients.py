"""Finite-difference helpers for the reference tests, independent of grader/ (one entry at a time)."""

import numpy as np

def numeric_grad(f, x, h=1e-5):
    """``∂f/∂x`` of a scalar ``f()`` by central differences, perturbing ``x`` in place."""
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = f()
        x[i] = old - h
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def numerical_vjp(f, x, dout, h=1e-6):
    """``∂ sum(f(x) · dout) / ∂x`` by central differences (x perturbed in place and restored)."""
    return numeric_grad(lambda: np.sum(f(x) * dout), x, h)


def assert_grad_close(numerical, analytic, tol=1e-7):
    """Norm-wise relative error ‖n − a‖ / max(‖n‖, ‖a‖) below tol."""
    assert numerical.shape == analytic.shape
    scale = max(np.linalg.norm(numerical), np.linalg.norm(analytic), 1e-8)
    assert np.linalg.norm(numerical - analytic) / scale < tol
