"""c147 hw3: the PReLU/ELU problem (nndl/layers.py), from the backpropagation exam question."""

import pytest

from grader.topics import prelu_elu
from grader.topics.helpers import layer_pair

ALPHA = {"scalar": False, "per_feature": True}


@pytest.mark.points(1)
@pytest.mark.parametrize("alpha", ALPHA)
def test_prelu_forward(student, golden, rng, alpha):
    """prelu_forward: output matches the reference ({alpha} alpha)"""
    prelu_elu.check_prelu_forward(student.prelu_forward, golden, rng, per_feature=ALPHA[alpha])


@pytest.mark.points(2)
@pytest.mark.parametrize("alpha", ALPHA)
def test_prelu_backward(student, golden, rng, alpha):
    """prelu_backward: dx and dalpha match the reference ({alpha} alpha)"""
    run = layer_pair(student.prelu_forward, student.prelu_backward)
    prelu_elu.check_prelu_backward(run, golden, rng, per_feature=ALPHA[alpha])


@pytest.mark.points(1)
def test_prelu_gradient(student, golden, rng):
    """prelu_backward: agrees with finite differences of your prelu_forward"""
    prelu_elu.check_activation_gradient(student.prelu_forward, student.prelu_backward, rng, kind="prelu", golden=golden)


@pytest.mark.points(1)
@pytest.mark.parametrize("part", ["forward", "backward"])
@pytest.mark.parametrize("alpha", [1.0, 0.5])
def test_elu(student, golden, rng, alpha, part):
    """elu_{part}: matches the reference (alpha {alpha})"""
    run = layer_pair(student.elu_forward, student.elu_backward)
    prelu_elu.check_elu(run, golden, rng, alpha=alpha, part=part)


@pytest.mark.points(1)
def test_elu_gradient(student, golden, rng):
    """elu_backward: agrees with finite differences of your elu_forward"""
    prelu_elu.check_activation_gradient(student.elu_forward, student.elu_backward, rng, kind="elu", golden=golden)


@pytest.mark.points(3)
@pytest.mark.parametrize("alpha", ALPHA)
def test_prelu_elu_net(student, golden, rng, alpha):
    """prelu_elu_net: loss and gradients of the exam network ({alpha} PReLU alpha)"""
    prelu_elu.check_prelu_elu_net(student.prelu_elu_net, golden, rng, per_feature=ALPHA[alpha])
