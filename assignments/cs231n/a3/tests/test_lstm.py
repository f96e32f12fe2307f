"""cs231n a3: LSTM (gates i, f, o, g) (cs231n/rnn_layers.py); the caches are your own."""

import pytest

from grader.topics import rnn

KINDS = ["lstm_step", "lstm"]


def _run(student, kind):
    return rnn.own_pair(getattr(student, f"{kind}_forward"), getattr(student, f"{kind}_backward"), rnn.LAYERS[kind][1])


@pytest.mark.points(2)
@pytest.mark.parametrize("kind", KINDS)
def test_forward(student, golden, rng, kind):
    """{kind}_forward: output matches the reference"""
    rnn.check_forward(kind, getattr(student, f"{kind}_forward"), golden, rng)


@pytest.mark.points(2)
@pytest.mark.parametrize("kind", KINDS)
def test_backward(student, golden, rng, kind):
    """{kind}_backward: gradients match the reference"""
    rnn.check_backward(kind, _run(student, kind), golden, rng)


@pytest.mark.points(1)
@pytest.mark.parametrize("kind", KINDS)
def test_backward_gradient(student, rng, kind):
    """{kind}_backward: agrees with finite differences of your {kind}_forward"""
    rnn.check_own_gradient(kind, getattr(student, f"{kind}_forward"), _run(student, kind), rng)
