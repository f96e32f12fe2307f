"""Numerical checks: pure numpy, no I/O, no student process.

The two exceptions below are the verdict vocabulary every check and every test shares.
"""


class CheckFailure(AssertionError):
    """A check failed. ``str(exc)`` is the student-facing explanation.

    ``diagnosis`` names the misconception that fits the wrong value, when one does.
    """

    def __init__(self, message: str, diagnosis: str | None = None):
        super().__init__(message)
        self.diagnosis = diagnosis


class Inconclusive(Exception):
    """A gradient check could not decide (kinks or non-reproducible values in every direction): resample
    the inputs; if it still cannot decide, the test earns nothing ("could not be verified", plugin)."""
