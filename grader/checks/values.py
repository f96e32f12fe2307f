"""The plain numbers a gradient check decides with, made by the grader from what it received.

A student's function value (a loss) becomes one float by ``student_scalar``: a Python or numpy number,
or a numpy array of one element (``(1,)``, ``(1, 1)``: real students return those) is accepted; a
tuple or list, an array of more than one element, a non-number or a non-finite value is the student's
error and is named as such. Only the grader builds a ``Scalarised`` (value, F), where F = Σ|summed
terms| bounds the round-off of the value: a pair returned by student code is never read as one, so no
student sets a tolerance.
"""

from typing import NamedTuple

import numpy as np

from grader.checks import CheckFailure


class Scalarised(NamedTuple):
    """A value the grader computed from plain student outputs, with F = Σ|terms summed into it|."""

    value: float
    bound: float


def describe(value):
    """What a student's value is, for a message: 'a tuple of 2 values', 'an array of shape (3, 1)'."""
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} values"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}"


def student_scalar(value, what="the function's value"):
    """``value`` as one finite float (module docstring); CheckFailure naming the student's error."""
    if isinstance(value, (bool, np.bool_)):
        raise CheckFailure(f"{what} is a boolean ({value}); it must be one number (a float).")
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
    elif type(value) is np.ndarray and value.dtype.kind in "iuf":
        if value.size != 1:
            raise CheckFailure(f"{what} is {describe(value)}; it must be one number (a float), "
                               "not an array of several values.")
        number = float(value.reshape(-1)[0])
    elif isinstance(value, (tuple, list)):
        raise CheckFailure(f"{what} is {describe(value)}; it must be one number (a float). Return the "
                           "loss as a single float (e.g. loss(X, y) returns the pair (loss, grads) with "
                           "loss a float).")
    else:
        raise CheckFailure(f"{what} is {describe(value)}; it must be one number (a float).")
    if not np.isfinite(number):
        raise CheckFailure(f"{what} is not finite ({number}) at the test point.")
    return number


def value_and_bound(out, what="the function's value"):
    """(value, F) of ``f``'s result: a grader-made ``Scalarised``, or a student value with F = |value|."""
    if isinstance(out, Scalarised):
        value, bound = float(out.value), float(out.bound)
        if not (np.isfinite(value) and np.isfinite(bound)):
            raise CheckFailure(f"{what} is not finite ({value}) at the test point.")
        return value, abs(bound)
    value = student_scalar(out, what)
    return value, abs(value)
