"""Topic suites: test functions written once for the assignments that grade the same topic.

An assignment's test module imports a suite's tests by name, and pytest collects them there: their
ids, seeds, golden keys and visibility are the importing module's, as if written in it::

    from grader.suites.conv import test_conv_forward, test_conv_backward

A suite's tests take ``student``, ``golden``, ``rng`` and, where the family's API differs, ``family``
(grader.families), and carry the points the assignments give them. :func:`adapt` gives a test other
points or the values of a parameter the suite leaves to the assignment (``rule``, ``kind``)::

    test_steps = adapt(optim.test_steps, rule=["sgd", "adam"])
    test_backward = adapt(rnn.test_backward, points=3, kind=["rnn"])

Hidden suites are the ``hidden_*`` modules: a student kit does not ship them, and only
``test_hidden_*.py`` modules may import them.
"""

from __future__ import annotations

import functools

import pytest


def adapt(test, *, points: float | None = None, **parameters):
    """A copy of the suite's ``test`` with ``points`` (replacing the suite's) and each parameter
    parametrized over the values given; the suite's function, and every other assignment using it,
    keep their own marks."""
    @functools.wraps(test)
    def copy(*args, **kwargs):
        return test(*args, **kwargs)

    copy.pytestmark = [mark for mark in getattr(test, "pytestmark", [])  # type: ignore[attr-defined]
                       if points is None or mark.name != "points"]
    if points is not None:
        copy = pytest.mark.points(points)(copy)
    for name, values in parameters.items():
        copy = pytest.mark.parametrize(name, values)(copy)
    return copy
