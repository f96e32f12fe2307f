"""Weight initialization (lecture 003): weights ``(fan_in, fan_out)`` drawn from a zero-mean normal."""

import numpy as np

from ._validate import positive_int

__all__ = ["xavier_init", "he_init"]


def _check(fan_in, fan_out, rng):
    fan_in, fan_out = positive_int("fan_in", fan_in), positive_int("fan_out", fan_out)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    return fan_in, fan_out


def xavier_init(fan_in, fan_out, rng):
    """Xavier/Glorot: ``W ~ N(0, 2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _check(fan_in, fan_out, rng)
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / (fan_in + fan_out))


def he_init(fan_in, fan_out, rng):
    """He (for ReLU layers): ``W ~ N(0, 2 / fan_in)``."""
    fan_in, fan_out = _check(fan_in, fan_out, rng)
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
