"""Topic checks of PReLU, ELU and the exam network: the reference passes, named bugs fail."""

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure
from grader.topics import prelu_elu as P
from grader.topics.helpers import layer_pair


def golden(key, fn):
    return fn(R)


def test_reference_passes_over_many_seeds():
    prelu = layer_pair(R.prelu_forward, R.prelu_backward)
    elu = layer_pair(R.elu_forward, R.elu_backward)
    for seed in range(20):
        rng = np.random.default_rng(seed)
        for per_feature in (False, True):
            P.check_prelu_forward(R.prelu_forward, golden, rng, per_feature=per_feature)
            P.check_prelu_backward(prelu, golden, rng, per_feature=per_feature)
            P.check_prelu_elu_net(R.prelu_elu_net, golden, rng, per_feature=per_feature)
        P.check_elu(elu, golden, rng, alpha=0.5)
        P.check_activation_gradient(R.prelu_forward, R.prelu_backward, rng)
        P.check_activation_gradient(R.elu_forward, R.elu_backward, rng, kind="elu")


def test_scalar_dalpha_as_0d_array_passes_and_as_vector_fails():
    def as_0d(dout, cache):
        dx, dalpha = R.prelu_backward(dout, cache)
        return dx, np.array(dalpha)

    def as_vector(dout, cache):
        dx, dalpha = R.prelu_backward(dout, cache)
        return dx, (dout * cache[0] * (cache[0] < 0)).sum(0)
    P.check_prelu_backward(layer_pair(R.prelu_forward, as_0d), golden, np.random.default_rng(0))
    with pytest.raises(CheckFailure, match="dalpha"):
        P.check_prelu_backward(layer_pair(R.prelu_forward, as_vector), golden, np.random.default_rng(0))


def test_dalpha_over_every_entry_is_named():
    def backward(dout, cache):
        x, alpha = cache
        return R.prelu_backward(dout, cache)[0], np.sum(dout * x, axis=0)
    with pytest.raises(CheckFailure) as exc:
        P.check_prelu_backward(layer_pair(R.prelu_forward, backward), golden, np.random.default_rng(1),
                               per_feature=True)
    assert "every entry" in exc.value.diagnosis


def test_elu_derivative_bug_is_named():
    def backward(dout, cache):
        x, alpha = cache
        return dout * np.where(x > 0, 1.0, alpha * np.exp(x) - 1)
    run = layer_pair(R.elu_forward, backward)
    with pytest.raises(CheckFailure) as exc:
        P.check_elu(run, golden, np.random.default_rng(2), alpha=0.5)
    assert "alpha * e^x - 1" in exc.value.diagnosis
    with pytest.raises(CheckFailure):
        P.check_activation_gradient(R.elu_forward, backward, np.random.default_rng(2), kind="elu")


def test_net_without_half_is_named():
    def net(*args):
        loss, grads = R.prelu_elu_net(*args)
        return 2 * loss, grads
    with pytest.raises(CheckFailure) as exc:
        P.check_prelu_elu_net(net, golden, np.random.default_rng(3))
    assert exc.value.diagnosis == "the ½ of the squared loss left out"


def test_net_with_transposed_gradients_fails():
    def net(*args):
        loss, grads = R.prelu_elu_net(*args)
        return loss, {k: (v.T if np.ndim(v) == 2 else v) for k, v in grads.items()}
    with pytest.raises(CheckFailure):
        P.check_prelu_elu_net(net, golden, np.random.default_rng(4))


def test_net_with_an_extra_gradient_passes_and_a_missing_one_fails():
    def extra(*args):
        loss, grads = R.prelu_elu_net(*args)
        return loss, dict(grads, x=np.ones(3))
    P.check_prelu_elu_net(extra, golden, np.random.default_rng(5))

    def missing(*args):
        loss, grads = R.prelu_elu_net(*args)
        return loss, {k: v for k, v in grads.items() if k != "W2"}
    with pytest.raises(CheckFailure, match="W2"):
        P.check_prelu_elu_net(missing, golden, np.random.default_rng(5))


def test_the_exam_network_inputs_exercise_both_pieces_of_each_activation():
    """A wrong negative-side derivative of ELU went unnoticed for the 1 draw in 32 where every ELU input
    was positive."""
    from grader.topics.prelu_elu import _net_inputs
    for seed in range(200):
        x, _, W1, W2, _, alpha = _net_inputs(np.random.default_rng(seed), 5, 3, False)
        q6 = W1 @ x
        q4 = W2 @ np.where(q6 >= 0, q6, alpha * q6)
        assert (q6 < 0).any() and (q6 > 0).any() and (q4 < 0).any() and (q4 > 0).any()
