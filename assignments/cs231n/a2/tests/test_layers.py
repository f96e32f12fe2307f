"""cs231n a2: affine and ReLU layers, softmax and SVM losses on scores (cs231n/layers.py)."""

import pytest

from grader.suites.layers import (test_affine_forward, test_affine_backward, test_relu_forward,
                                  test_relu_backward, test_relu_gradient)
from grader.topics import layers


@pytest.mark.points(1)
def test_softmax_loss(student, golden, rng):
    """softmax_loss: loss and dx match the reference, also with scores offset by 1000"""
    layers.check_softmax_loss(student.softmax_loss, golden, rng)
    layers.check_softmax_loss(student.softmax_loss, golden, rng, offset=1000.0)


@pytest.mark.points(1)
def test_svm_loss(student, golden, rng):
    """svm_loss: loss and dx match the reference"""
    layers.check_svm_loss(student.svm_loss, golden, rng)
