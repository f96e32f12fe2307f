"""c147 hw1: the variables of linear_regression.ipynb, each as it stands right after the cells that compute
it (docs/contracts.md §3). The notebook makes its own data (np.random.seed(0)); the test data continue that
stream. The loss tests return the detected convention, shown as a note."""

import pytest

from grader.sandbox import fetch
from grader.topics import linear_regression as lr

X, Y, X_TEST, Y_TEST = lr.c147_notebook_data()


@pytest.mark.points(2)
def test_theta(student, golden):
    """theta: [a, b] from the normal equations on the training data"""
    lr.check_theta(fetch(student.theta), golden, X, Y)


@pytest.mark.points(2)
def test_thetas(student, golden):
    """thetas: least-squares polynomial fits of orders 1 to 5, highest power first"""
    lr.check_polynomial_fits(fetch(student.thetas), golden, X, Y)


@pytest.mark.points(1)
def test_training_errors(student, golden):
    """training_errors: squared loss of each fit on the training data (sum or mean, with or without ½)"""
    return lr.check_losses(fetch(student.training_errors), golden, (X, Y), name="training_errors")


@pytest.mark.points(1)
def test_testing_errors(student, golden):
    """testing_errors: squared loss of each fit on the test data (sum or mean, with or without ½)"""
    return lr.check_losses(fetch(student.testing_errors), golden, (X, Y), (X_TEST, Y_TEST), name="testing_errors")
