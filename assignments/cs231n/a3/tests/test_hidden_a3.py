"""cs231n a3, hidden: the same checks on other sizes (a batch of one, one time step, wider layers)."""

import pytest

from grader.suites.rnn import own_pair
from grader.topics import rnn

SIZES = {"one": dict(N=1, T=1, D=3, H=2, V=4), "wide": dict(N=5, T=6, D=7, H=6, V=9)}


@pytest.mark.parametrize("kind", ["rnn", "lstm", "word_embedding", "temporal_affine"])
def test_backward_one(student, golden, rng, kind):
    """{kind}_backward: a batch of one sequence of one step"""
    rnn.check_backward(kind, own_pair(student, kind), golden, rng, **SIZES["one"])


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_backward_wide(student, golden, rng, kind):
    """{kind}_backward: longer sequences and a wider hidden state"""
    rnn.check_backward(kind, own_pair(student, kind), golden, rng, **SIZES["wide"])


@pytest.mark.parametrize("kind", ["rnn_step", "lstm_step"])
def test_step_forward_wide(student, golden, rng, kind):
    """{kind}_forward: a wider hidden state"""
    rnn.check_forward(kind, getattr(student, f"{kind}_forward"), golden, rng, **SIZES["wide"])


def test_temporal_softmax_sizes(student, golden, rng):
    """temporal_softmax_loss: a larger vocabulary and longer sequences"""
    rnn.check_temporal_softmax_loss(student.temporal_softmax_loss, golden, rng, N=3, T=9, V=12)
