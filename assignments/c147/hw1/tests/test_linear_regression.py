"""c147 hw1: the variables of linear_regression.ipynb, each as it stands right after the cells that compute
it (docs/contracts.md §3), judged on the data the notebook used when it computed them (the notebook's `x`
and `y` then: the training data, or for testing_errors the test data that overwrote them); a loss may
be that of the reference fit or of the notebook's own `thetas` then (a wrong fit costs points once). Whether those
data are the course notebook's own is a test of its own. The loss tests return the detected convention,
shown as a note."""

import pytest

from grader.checks import CheckFailure
from grader.sandbox import fetch
from grader.sandbox.errors import StudentError
from grader.topics import linear_regression as lr


def training_data(student):
    """The data the fits were made on: x, y when thetas was computed, else when theta was."""
    try:
        return lr.notebook_data(student.thetas)
    except (StudentError, CheckFailure):
        return lr.notebook_data(student.theta)


@pytest.mark.points(2)
def test_theta(student, golden):
    """theta: [a, b] from the normal equations on the training data"""
    x, y = lr.notebook_data(student.theta)
    lr.check_theta(fetch(student.theta), golden, x, y)


@pytest.mark.points(2)
def test_thetas(student, golden):
    """thetas: least-squares polynomial fits of orders 1 to 5, highest power first"""
    x, y = lr.notebook_data(student.thetas)
    lr.check_polynomial_fits(fetch(student.thetas), golden, x, y)


@pytest.mark.points(1)
def test_training_errors(student, golden):
    """training_errors: squared loss of each fit on the training data (sum or mean, with or without ½)"""
    train = lr.notebook_data(student.training_errors)
    return lr.check_losses(fetch(student.training_errors), golden, train, name="training_errors",
                           fits=lr.own_fits(student.training_errors))


@pytest.mark.points(1)
def test_testing_errors(student, golden):
    """testing_errors: squared loss of each fit on the test data (sum or mean, with or without ½)"""
    train, test = training_data(student), lr.notebook_data(student.testing_errors)
    return lr.check_losses(fetch(student.testing_errors), golden, train, test, name="testing_errors",
                           fits=lr.own_fits(student.testing_errors))


@pytest.mark.points(1)
def test_data(student):
    """x: the notebook's data are its own (np.random.seed(0), the given generator; the test data continue the stream)"""
    train = {"as generated": lr.notebook_data(student.x)}
    test = {}
    for name in ("theta", "thetas", "training_errors", "testing_errors"):
        try:
            data = lr.notebook_data(getattr(student, name))
        except (StudentError, CheckFailure):
            continue                 # a variable the notebook lacks is the concern of its own test
        (test if name == "testing_errors" else train)[f"when {name} was computed"] = data
    return lr.check_c147_data(train, test)
