"""cs231n a2: spatial group normalization (cs231n/layers.py); gamma, beta, dgamma, dbeta are (1, C, 1, 1) and
the cache is your own."""

import pytest

from grader.topics import spatial_norm
from grader.topics.helpers import layer_pair


def _run(student):
    return layer_pair(student.spatial_groupnorm_forward, student.spatial_groupnorm_backward)


@pytest.mark.points(2)
def test_forward(student, golden, rng):
    """spatial_groupnorm_forward: output matches the reference (6 channels in 3 groups)"""
    spatial_norm.check_groupnorm_forward(student.spatial_groupnorm_forward, golden, rng)


@pytest.mark.points(1)
def test_forward_two_groups(student, golden, rng):
    """spatial_groupnorm_forward: 4 channels in 2 groups on non-square inputs"""
    spatial_norm.check_groupnorm_forward(student.spatial_groupnorm_forward, golden, rng, shape=(3, 4, 2, 5), G=2)


@pytest.mark.points(2)
def test_backward(student, golden, rng):
    """spatial_groupnorm_backward: dx, dgamma, dbeta match the reference"""
    spatial_norm.check_spatial_backward(_run(student), golden, rng, kind="groupnorm", shape=(2, 6, 3, 4), G=3)


@pytest.mark.points(1)
def test_backward_gradient(student, golden, rng):
    """spatial_groupnorm_backward: agrees with finite differences of your spatial_groupnorm_forward"""
    spatial_norm.check_spatial_gradient(student.spatial_groupnorm_forward, _run(student), rng, kind="groupnorm",
                                        golden=golden)
