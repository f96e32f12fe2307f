"""c147 hw3: affine and ReLU layers, softmax and SVM losses on scores (nndl/layers.py)."""

import pytest

from grader.suites.layers import (test_affine_forward, test_affine_backward, test_relu_forward,
                                  test_relu_backward, test_relu_gradient)
from grader.topics import layers


@pytest.mark.points(2)
def test_softmax_loss(student, golden, rng):
    """softmax_loss: loss and dx match the reference"""
    layers.check_softmax_loss(student.softmax_loss, golden, rng)


@pytest.mark.requires("stability")
@pytest.mark.points(1)
def test_softmax_loss_stable(student, golden, rng):
    """softmax_loss: numerically stable when every score is offset by 1000"""
    layers.check_softmax_loss(student.softmax_loss, golden, rng, offset=1000.0)


@pytest.mark.points(2)
def test_svm_loss(student, golden, rng):
    """svm_loss: loss and dx match the reference"""
    layers.check_svm_loss(student.svm_loss, golden, rng)


@pytest.mark.points(1)
@pytest.mark.parametrize("loss", ["softmax_loss", "svm_loss"])
def test_loss_gradient(student, golden, rng, loss):
    """{loss}: dx agrees with finite differences of the loss"""
    layers.check_loss_gradient(getattr(student, loss), rng, svm=loss == "svm_loss", golden=golden)
