"""Suite: recurrent layers (cs231n a3 ``rnn_layers.py``), forward, backward through your own cache, and the
backward against finite differences of your forward; ``kind`` (``rnn_step``, ``lstm``, ``word_embedding``,
...) is given by the assignment (``adapt(test, kind=[...])``)."""

import pytest

from grader.topics import rnn


def own_pair(student, kind):
    """The student's ``<kind>_forward``/``<kind>_backward`` bound with their own cache."""
    return rnn.own_pair(getattr(student, f"{kind}_forward"), getattr(student, f"{kind}_backward"), rnn.LAYERS[kind][1])


@pytest.mark.points(2)
def test_forward(student, golden, rng, kind):
    """{kind}_forward: output matches the reference"""
    rnn.check_forward(kind, getattr(student, f"{kind}_forward"), golden, rng)


@pytest.mark.points(2)
def test_backward(student, golden, rng, kind):
    """{kind}_backward: gradients match the reference"""
    rnn.check_backward(kind, own_pair(student, kind), golden, rng)


@pytest.mark.points(1)
def test_backward_gradient(student, golden, rng, kind):
    """{kind}_backward: agrees with finite differences of your {kind}_forward"""
    rnn.check_own_gradient(kind, getattr(student, f"{kind}_forward"), own_pair(student, kind), rng, golden=golden)
