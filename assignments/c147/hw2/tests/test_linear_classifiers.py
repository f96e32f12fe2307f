"""c147 hw2: the Softmax (nndl/softmax.py) and SVM (nndl/svm.py) classes; W is (C, D), no regularization."""

import pytest

from grader.topics import linear_classifiers as lc

CLASSES = {"Softmax": "softmax", "SVM": "svm"}
GRADIENT_METHODS = ["loss_and_grad", "fast_loss_and_grad"]


@pytest.mark.points(1)
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("method", ["loss"] + GRADIENT_METHODS)
def test_loss(family, golden, rng, cls, method):
    """{cls}.{method}: loss matches the reference"""
    lc.check_loss(family.linear_loss(f"{cls}.{method}"), golden, rng, kind=CLASSES[cls], part="loss")


@pytest.mark.points(2)
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("method", GRADIENT_METHODS)
def test_gradient(family, golden, rng, cls, method):
    """{cls}.{method}: gradient matches the reference"""
    lc.check_loss(family.linear_loss(f"{cls}.{method}"), golden, rng, kind=CLASSES[cls], part="gradient")


@pytest.mark.requires("stability")
@pytest.mark.points(1)
def test_softmax_stable(family, golden, rng):
    """Softmax.fast_loss_and_grad: numerically stable when every score is offset by 1000"""
    lc.check_loss(family.linear_loss("Softmax.fast_loss_and_grad"), golden, rng, kind="softmax",
                  part="loss", offset=1000.0)


@pytest.mark.points(1)
@pytest.mark.timeout(60)
@pytest.mark.parametrize("cls", CLASSES)
def test_train(family, golden, rng, cls):
    """{cls}.train: minibatch gradient descent steps W -= learning_rate * grad"""
    lc.check_train(family.linear_train(cls), golden, rng, kind=CLASSES[cls],
                   uses=f"{cls}.fast_loss_and_grad", init_fn=family.linear_init(cls))


@pytest.mark.points(1)
@pytest.mark.parametrize("cls", CLASSES)
def test_predict(family, golden, rng, cls):
    """{cls}.predict: the class of the largest score"""
    lc.check_predict(family.linear_predict(cls), golden, rng)
