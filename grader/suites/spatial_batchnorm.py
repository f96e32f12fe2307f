"""Suite: spatial batch normalization (c147 hw5, cs231n a2); the cache is your own."""

import pytest

from grader.topics import spatial_norm
from grader.topics.helpers import layer_pair


@pytest.mark.points(2)
def test_train(student, golden, rng):
    """spatial_batchnorm_forward: train mode output matches the reference"""
    spatial_norm.check_spatial_batchnorm_train(student.spatial_batchnorm_forward, golden, rng)


@pytest.mark.points(1)
def test_running_stats(student, sandbox, golden, rng):
    """spatial_batchnorm_forward: running mean and variance written back into bn_param"""
    forward = spatial_norm.param_forward(student.spatial_batchnorm_forward, sandbox)
    spatial_norm.check_spatial_batchnorm_running_stats(forward, golden, rng)


@pytest.mark.points(1)
def test_test_mode(student, sandbox, golden, rng):
    """spatial_batchnorm_forward: test mode uses the running statistics"""
    spatial_norm.check_spatial_batchnorm_test(student.spatial_batchnorm_forward, golden, rng, sandbox=sandbox)


@pytest.mark.points(2)
def test_backward(student, golden, rng):
    """spatial_batchnorm_backward: dx, dgamma, dbeta match the reference"""
    run = layer_pair(student.spatial_batchnorm_forward, student.spatial_batchnorm_backward)
    spatial_norm.check_spatial_backward(run, golden, rng)


@pytest.mark.points(1)
def test_backward_gradient(student, golden, rng):
    """spatial_batchnorm_backward: agrees with finite differences of your spatial_batchnorm_forward"""
    run = layer_pair(student.spatial_batchnorm_forward, student.spatial_batchnorm_backward)
    spatial_norm.check_spatial_gradient(student.spatial_batchnorm_forward, run, rng, golden=golden)
