"""Adversarial examples."""

import numpy as np

from ._validate import float_array, real_number, same_shape

__all__ = ["fgsm"]


def fgsm(x, dx, epsilon):
    """Fast gradient sign method: ``x + epsilon * sign(dx)`` (``dx`` = dLoss/dx, ``epsilon >= 0``)."""
    x = float_array("x", x)
    dx = float_array("dx", dx)
    same_shape("dx", dx, "x", x)
    epsilon = real_number("epsilon", epsilon, low=0)
    return x + epsilon * np.sign(dx)
