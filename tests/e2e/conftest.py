import pytest

from helpers import MINI


@pytest.fixture
def mini():
    """The mini assignment of tests/fixtures/mini (affine_forward, relu_forward)."""
    from grader.assignment import load_assignment

    return load_assignment(MINI)
