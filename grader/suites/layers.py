"""Suite: affine and ReLU layers (c147 hw3, cs231n a2): the canonical cs231n forms in both families."""

import pytest

from grader.topics import layers
from grader.topics.helpers import layer_pair


@pytest.mark.points(2)
def test_affine_forward(student, golden, rng):
    """affine_forward: output matches the reference on a 4-d input"""
    layers.check_affine_forward(student.affine_forward, golden, rng)


@pytest.mark.points(2)
def test_affine_backward(student, golden, rng):
    """affine_backward: gradients match the reference (cache (x, w, b))"""
    layers.check_affine_backward(student.affine_backward, golden, rng)


@pytest.mark.points(1)
def test_relu_forward(student, golden, rng):
    """relu_forward: output matches the reference"""
    layers.check_relu(layer_pair(student.relu_forward, student.relu_backward), golden, rng, part="forward")


@pytest.mark.points(1)
def test_relu_backward(student, golden, rng):
    """relu_backward: dx matches the reference through your own cache"""
    layers.check_relu(layer_pair(student.relu_forward, student.relu_backward), golden, rng, part="backward")


@pytest.mark.points(1)
def test_relu_gradient(student, golden, rng):
    """relu_backward: agrees with finite differences of your relu_forward"""
    layers.check_relu_gradient(student.relu_forward, student.relu_backward, rng, golden=golden)
