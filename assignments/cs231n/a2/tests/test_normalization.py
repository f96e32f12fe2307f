"""cs231n a2: batch normalization (both backwards) and layer normalization (cs231n/layers.py)."""

import pytest

from grader.topics import normalization
from grader.topics.helpers import layer_pair

BACKWARDS = ["batchnorm_backward", "batchnorm_backward_alt"]


@pytest.mark.points(2)
def test_bn_train(student, golden, rng):
    """batchnorm_forward: train mode output matches the reference"""
    normalization.check_batchnorm_train(student.batchnorm_forward, golden, rng)


@pytest.mark.points(1)
def test_bn_running_stats(student, sandbox, golden, rng):
    """batchnorm_forward: running mean and variance written back into bn_param"""
    forward = normalization.worker_param_forward(student.batchnorm_forward, sandbox)
    normalization.check_batchnorm_running_stats(forward, golden, rng)


@pytest.mark.points(1)
def test_bn_test_mode(student, sandbox, golden, rng):
    """batchnorm_forward: test mode uses the running statistics"""
    normalization.check_batchnorm_test(student.batchnorm_forward, golden, rng, sandbox=sandbox)


@pytest.mark.points(2)
@pytest.mark.parametrize("backward", BACKWARDS)
def test_bn_backward(student, golden, rng, backward):
    """{backward}: dx, dgamma, dbeta match the reference"""
    run = layer_pair(student.batchnorm_forward, getattr(student, backward))
    normalization.check_norm_backward(run, golden, rng, backward=backward)


@pytest.mark.points(1)
@pytest.mark.parametrize("backward", BACKWARDS)
def test_bn_gradient(student, rng, backward):
    """{backward}: agrees with finite differences of your batchnorm_forward"""
    run = layer_pair(student.batchnorm_forward, getattr(student, backward))
    normalization.check_norm_gradient(student.batchnorm_forward, run, rng, backward=backward)


@pytest.mark.points(2)
def test_ln_forward(student, golden, rng):
    """layernorm_forward: output matches the reference"""
    normalization.check_layernorm_forward(student.layernorm_forward, golden, rng)


@pytest.mark.points(2)
def test_ln_backward(student, golden, rng):
    """layernorm_backward: dx, dgamma, dbeta match the reference"""
    run = layer_pair(student.layernorm_forward, student.layernorm_backward)
    normalization.check_norm_backward(run, golden, rng, kind="layernorm", backward="layernorm_backward")


@pytest.mark.points(1)
def test_ln_gradient(student, rng):
    """layernorm_backward: agrees with finite differences of your layernorm_forward"""
    run = layer_pair(student.layernorm_forward, student.layernorm_backward)
    normalization.check_norm_gradient(student.layernorm_forward, run, rng, kind="layernorm",
                                      backward="layernorm_backward")
