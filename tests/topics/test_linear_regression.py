"""Topic checks of linear regression on the c147 hw1 notebook's data."""

import numpy as np
import pytest

import reference
from grader.checks import CheckFailure
from grader.topics import linear_regression as lr


def golden(key, fn, inputs=None):
    return fn(reference)


def inv_fits(x, y, count=5):
    """The notebook's way: xhat (features, N), theta = inv(xhat xhat^T) xhat y."""
    fits, xhat = [], np.vstack((x, np.ones_like(x)))
    for i in range(count):
        if i:
            xhat = np.vstack((x ** (i + 1), xhat))
        fits.append(np.linalg.inv(xhat @ xhat.T) @ xhat @ y)
    return fits


def test_notebook_data_replay_the_course_notebook_and_continue_the_stream():
    for formula, noise in (("x - 2*x**2 + x**3", 0.03), ("x + 2*x**2 - 3*x**3", 0.05)):
        x, y, x_test, y_test = lr.c147_notebook_data(formula, noise)
        np.random.seed(0)
        nx = np.random.uniform(low=0, high=1, size=(200,))
        ny = eval(formula, {"x": nx}) + np.random.normal(loc=0, scale=noise, size=(200,))
        tx = np.random.uniform(low=1, high=2, size=(200,))
        ty = eval(formula, {"x": tx}) + np.random.normal(loc=0, scale=noise, size=(200,))
        for mine, theirs in ((x, nx), (y, ny), (x_test, tx), (y_test, ty)):
            np.testing.assert_array_equal(mine, theirs)
        assert "seed(0)" in lr.check_c147_data({"t": (x, y)}, {"t": (x_test, y_test)})


def test_data_that_are_not_the_notebooks_fail_naming_what_differs():
    x, y, x_test, y_test = lr.c147_notebook_data()
    with pytest.raises(CheckFailure, match="training data .* got 100 points"):
        lr.check_c147_data({"as generated": (x[:100], y[:100])})
    with pytest.raises(CheckFailure, match="reseeded"):
        lr.check_c147_data({"a": (x, y)}, {"b": (x.copy() * 0 + np.random.RandomState(0).uniform(1, 2, 200), y_test)})
    with pytest.raises(CheckFailure, match="values differ"):
        lr.check_c147_data({"a": (x, y)}, {"b": (x_test, y_test + 1e-3)})
    other = lr.c147_notebook_data("x + 2*x**2 - 3*x**3", 0.05)
    with pytest.raises(CheckFailure, match="different data models"):
        lr.check_c147_data({"a": (x, y), "b": other[:2]})


def test_correct_values_pass_and_conventions_are_reported():
    x, y, x_test, y_test = lr.c147_notebook_data()
    fits = inv_fits(x, y)
    lr.check_theta(fits[0], golden, x, y)
    lr.check_polynomial_fits(fits, golden, x, y)
    lr.check_polynomial_fits([f[:, None] for f in fits], golden, x, y)
    for mean in (True, False):
        for half in (True, False):
            for xs, ys in ((x, y), (x_test, y_test)):
                errors = [(0.5 if half else 1.0) * np.sum((f @ np.vstack([xs ** p for p in range(len(f) - 1, -1, -1)]) - ys) ** 2)
                          / (len(xs) if mean else 1) for f in fits]
                note = lr.check_losses(errors, golden, (x, y), None if xs is x else (xs, ys))
                assert ("mean" in note) == mean and ("½" in note) == half


def test_bugs_fail():
    x, y, x_test, y_test = lr.c147_notebook_data()
    fits = inv_fits(x, y)
    with pytest.raises(CheckFailure) as info:
        lr.check_theta(fits[0][::-1], golden, x, y)
    assert "order" in str(info.value)
    with pytest.raises(CheckFailure):
        lr.check_polynomial_fits(fits[:4], golden, x, y)
    rmse = [np.sqrt(np.mean((np.polyval(f, x_test) - y_test) ** 2)) for f in fits]
    with pytest.raises(CheckFailure) as info:
        lr.check_losses(rmse, golden, (x, y), (x_test, y_test))
    assert "RMSE" in str(info.value)


def test_errors_computed_while_the_data_are_still_the_training_data_fail():
    x, y, _, _ = lr.c147_notebook_data()
    errors = [0.5 * np.sum((np.polyval(f, x) - y) ** 2) for f in inv_fits(x, y)]
    with pytest.raises(CheckFailure, match="computed on the training data"):
        lr.check_losses(errors, golden, (x, y), (x.copy(), y.copy()), name="testing_errors")
    assert "the test data" not in lr.check_c147_data({"a": (x, y)}, {"b": (x, y)})


def test_singleton_axes_are_dropped_when_the_size_matches():
    x, y, x_test, y_test = lr.c147_notebook_data()
    fits = inv_fits(x, y)
    errors = [np.array([[np.mean((np.polyval(f, x) - y) ** 2)]]) for f in fits]     # (1, 1) per order
    assert np.asarray(errors).shape == (5, 1, 1)
    assert "mean squared error (mean)" in lr.check_losses(errors, golden, (x, y))
    np.testing.assert_array_equal(lr.as_vector(np.ones((1, 3, 1)), "v", size=3), np.ones(3))
    for shape in ((5, 2), (2, 5, 1)):
        with pytest.raises(CheckFailure, match=r"should hold 5 numbers, got shape \(" + ", ".join(map(str, shape))):
            lr.as_vector(np.ones(shape), "errors", size=5)
