"""cs231n a3: temporal softmax loss (sum over T, mean over N, masked)."""

import pytest

from grader.topics import rnn


@pytest.mark.points(2)
def test_loss(student, golden, rng):
    """temporal_softmax_loss: loss and dx match the reference (with a mask)"""
    rnn.check_temporal_softmax_loss(student.temporal_softmax_loss, golden, rng)


@pytest.mark.points(1)
def test_gradient(student, rng):
    """temporal_softmax_loss: dx agrees with finite differences of your loss"""
    rnn.check_temporal_softmax_gradient(student.temporal_softmax_loss, rng)
