"""c147 hw1, hidden: the fits judged by their predictions, the errors by their trend."""

import numpy as np

from grader.checks.compare import assert_close
from grader.sandbox import fetch
from grader.topics import linear_regression as lr

GRID = np.linspace(1, 2, 50)   # where the test data lie


def test_thetas_predictions(student, ref):
    """thetas: each fit predicts the reference fit's values on the test inputs"""
    x, y = lr.notebook_data(student.thetas)
    expected = [ref.polynomial_features(GRID, order) @ ref.polyfit(x, y, order) for order in range(1, 6)]
    thetas = fetch(student.thetas)
    predictions = []
    for i, fit in enumerate(thetas if isinstance(thetas, (list, tuple)) else []):
        coefficients = lr.as_vector(fit, f"thetas[{i}]", size=i + 2)
        predictions.append(ref.polynomial_features(GRID, i + 1) @ coefficients)
    assert len(predictions) == 5, "thetas should be a list of 5 fits"
    assert_close(predictions, expected, name="predictions of thetas", rtol=1e-5)


def test_training_errors_decrease(student):
    """training_errors: the training error never increases with the order"""
    errors = lr.as_vector(fetch(student.training_errors), "training_errors", size=5)
    assert np.all(np.diff(errors) <= 1e-9 * max(1.0, float(np.max(np.abs(errors))))), \
        "a higher-order polynomial fits the training data at least as well: the errors should not increase"
