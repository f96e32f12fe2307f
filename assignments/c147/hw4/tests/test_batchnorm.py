"""c147 hw4: batch normalization (nndl/layers.py); the cache is your own."""

import pytest

from grader.topics import normalization
from grader.topics.helpers import layer_pair


@pytest.mark.points(2)
def test_train(student, golden, rng):
    """batchnorm_forward: train mode output matches the reference"""
    normalization.check_batchnorm_train(student.batchnorm_forward, golden, rng)


@pytest.mark.points(1)
def test_running_stats(student, sandbox, golden, rng):
    """batchnorm_forward: running mean and variance written back into bn_param"""
    forward = normalization.worker_param_forward(student.batchnorm_forward, sandbox)
    normalization.check_batchnorm_running_stats(forward, golden, rng)


@pytest.mark.points(1)
def test_test_mode(student, sandbox, golden, rng):
    """batchnorm_forward: test mode uses the running statistics"""
    normalization.check_batchnorm_test(student.batchnorm_forward, golden, rng, sandbox=sandbox)


@pytest.mark.points(3)
def test_backward(student, golden, rng):
    """batchnorm_backward: dx, dgamma, dbeta match the reference"""
    run = layer_pair(student.batchnorm_forward, student.batchnorm_backward)
    normalization.check_norm_backward(run, golden, rng)


@pytest.mark.points(1)
def test_backward_gradient(student, rng):
    """batchnorm_backward: agrees with finite differences of your batchnorm_forward"""
    run = layer_pair(student.batchnorm_forward, student.batchnorm_backward)
    normalization.check_norm_gradient(student.batchnorm_forward, run, rng)
