"""Numerical checks: pure numpy, no I/O, no student process.

The two exceptions below are the verdict vocabulary every check and every test shares. ``note`` is
how a check that accepts something worth telling the student (a shape that differs only by axes of
length 1) says so: the plugin collects the notes of each test (``collecting_notes``) into its outcome.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_NOTES: ContextVar = ContextVar("grader_check_notes", default=None)


def note(text: str) -> None:
    """Record a student-facing note for the current test (ignored outside ``collecting_notes``)."""
    sink = _NOTES.get()
    if sink is not None and text and text not in sink:
        sink.append(text)


@contextmanager
def collecting_notes():
    """Collect the ``note``s made inside the block into the yielded list (in order, without repeats)."""
    sink: list[str] = []
    token = _NOTES.set(sink)
    try:
        yield sink
    finally:
        _NOTES.reset(token)


class CheckFailure(AssertionError):
    """A check failed. ``str(exc)`` is the student-facing explanation.

    ``diagnosis`` names the misconception that fits the wrong value, when one does: a
    ``grader.checks.misconceptions.cause(id)`` (the text carries the id a batch counts it by) or a phrase.
    """

    def __init__(self, message: str, diagnosis: str | None = None):
        super().__init__(message)
        self.diagnosis = diagnosis


class Inconclusive(Exception):
    """A gradient check could not decide (kinks or non-reproducible values in every direction): resample
    the inputs; if it still cannot decide, the test earns nothing ("could not be verified", plugin)."""


class PartialCredit(Exception):
    """A test awards ``fraction`` (0..1) of its points; ``message`` says what was missed."""

    def __init__(self, fraction: float, message: str):
        super().__init__(message)
        self.fraction = min(1.0, max(0.0, float(fraction)))
        self.message = message


def partial_credit(fraction: float, message: str) -> None:
    """End the test with ``fraction`` of its points (``partial_credit(3 / 5, "2 of 5 fits differ: ...")``);
    a fraction of 1 is a pass."""
    raise PartialCredit(fraction, message)
