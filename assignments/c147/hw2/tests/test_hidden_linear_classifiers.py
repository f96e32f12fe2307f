"""c147 hw2, hidden: Softmax and SVM on larger inputs, gradients also checked by finite differences."""

import pytest

from grader.topics import linear_classifiers as lc

CLASSES = {"Softmax": "softmax", "SVM": "svm"}


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("method", ["loss_and_grad", "fast_loss_and_grad"])
def test_gradient(family, golden, rng, ref, cls, method):
    """{cls}.{method}: gradient on a larger batch (finite differences of the reference loss)"""
    lc.check_loss(family.linear_loss(f"{cls}.{method}"), golden, rng, kind=CLASSES[cls], part="gradient",
                  N=30, D=11, C=7, ref=ref)


@pytest.mark.parametrize("cls", CLASSES)
def test_loss_one(family, golden, rng, cls):
    """{cls}.fast_loss_and_grad: a batch of one example"""
    lc.check_loss(family.linear_loss(f"{cls}.fast_loss_and_grad"), golden, rng, kind=CLASSES[cls],
                  part="loss", N=1, D=4, C=5)
