"""Linear regression: normal equations, polynomial fits and their squared losses.

Canonical values (as a notebook leaves them):

* ``theta``: the least-squares ``[a, b]`` of ``y ~ a x + b``;
* ``thetas``: a list of polynomial fits of orders 1..K, coefficients from the highest power down to
  the constant;
* ``errors``: a list of K losses of those fits on some data. A loss may be a sum or a mean over the
  examples, with or without ½ (each accepted, the detected one reported); the root of the mean is
  wrong.

The c147 hw1 notebook makes its own data: ``c147_notebook_data`` replays its random stream.
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import assert_close, compare
from grader.sandbox import type_name

LOSS_CONVENTIONS = {
    "mean squared error with ½ (0.5 * mean)": {"mean": True, "half": True},
    "mean squared error (mean)": {"mean": True, "half": False},
    "sum of squared errors with ½ (0.5 * sum)": {"mean": False, "half": True},
    "sum of squared errors (sum)": {"mean": False, "half": False},
}


def c147_notebook_data(num_train=100, num_test=20, slope=1.5, intercept=0.5, noise=0.3):
    """The c147 hw1 notebook's data: ``np.random.seed(0)``; x ~ U(0, 1), y = slope x + intercept +
    N(0, noise²) for training; then, continuing the same stream, x_test ~ U(1, 2) and y_test likewise."""
    stream = np.random.RandomState(0)
    x = stream.uniform(low=0, high=1, size=(num_train,))
    y = slope * x + intercept + stream.normal(loc=0, scale=noise, size=(num_train,))
    x_test = stream.uniform(low=1, high=2, size=(num_test,))
    y_test = slope * x_test + intercept + stream.normal(loc=0, scale=noise, size=(num_test,))
    return x, y, x_test, y_test


def as_vector(value, name, size=None):
    """A 1-d float64 array; singleton axes are dropped when what is left is 1-d (students keep a
    (k, 1) column, or a (1, 1) array per entry: shape (k, 1, 1))."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailure(f"{name} should be an array of numbers, got {type_name(value)}")
    shape = array.shape
    if array.ndim >= 2 and sum(n != 1 for n in shape) <= 1:
        array = array.reshape(-1)
    if size is not None and array.shape != (size,):
        raise CheckFailure(f"{name} should hold {size} numbers, got shape {shape}")
    return array


def check_theta(theta, golden, x, y):
    """``theta`` is ``[a, b]`` from the normal equations on (x, y)."""
    expected = golden("theta", lambda ref: ref.normal_equations(ref.polynomial_features(x, 1), y))
    actual = as_vector(theta, "theta", size=2)
    assert_close(actual, np.asarray(expected), name="theta", rtol=1e-6,
                 alternatives={"coefficients in the other order ([b, a] instead of [a, b])": expected[::-1]})


def _as_list(values, name, count):
    if not isinstance(values, (list, tuple)) and not (isinstance(values, np.ndarray) and values.ndim >= 1):
        raise CheckFailure(f"{name} should be a list of {count} entries, got {type_name(values)}")
    if len(values) != count:
        raise CheckFailure(f"{name} should hold {count} entries (one per polynomial order), got {len(values)}")
    return list(values)


def check_polynomial_fits(thetas, golden, x, y, *, count=5):
    """``thetas[i]`` is the least-squares polynomial fit of order i+1, highest power first.

    High orders make the normal equations ill-conditioned: rtol 1e-4 of the largest coefficient."""
    expected = golden("thetas", lambda ref: [np.asarray(ref.polyfit(x, y, order)) for order in
                                             range(1, count + 1)])
    entries = _as_list(thetas, "thetas", count)
    for i, (value, fit) in enumerate(zip(entries, expected)):
        actual = as_vector(value, f"thetas[{i}]", size=i + 2)
        assert_close(actual, fit, name=f"thetas[{i}] (order {i + 1})", rtol=1e-4,
                     alternatives={"coefficients from the constant up (lowest power first)": fit[::-1]})


def check_losses(errors, golden, train, data=None, *, count=5, name="errors"):
    """``errors[i]`` is the squared loss on ``data`` (x, y) (default: the training data) of the
    reference fit of order i+1 on ``train`` (x, y), under one of the accepted conventions
    (``LOSS_CONVENTIONS``) for all entries. Returns the detected convention as a note. When ``data``
    is given, the losses on the training data (any convention) name the misconception."""
    x, y = data if data is not None else train
    candidates = golden(f"{name}_losses", lambda ref: _losses(ref, train, x, y, count))
    on_train = {}
    if data is not None:
        on_train = {f"computed on the training data instead of the test data ({label})": value
                    for label, value in golden(f"{name}_losses_on_train",
                                               lambda ref: _losses(ref, train, *train, count)).items()}
    entries = as_vector(_as_list(errors, name, count), name, size=count)
    for label, expected in candidates.items():
        if label in LOSS_CONVENTIONS and compare(entries, expected, name=name, rtol=1e-4).ok:
            return f"{name}: {label} detected (accepted)"
    mean_losses = candidates["mean squared error (mean)"]
    assert_close(entries, mean_losses, name=name, rtol=1e-4,
                 alternatives={"root mean squared error (RMSE): not the squared loss asked for":
                               np.sqrt(mean_losses),
                               **{label: value for label, value in candidates.items() if label != "mean squared error (mean)"},
                               **on_train},
                 context={"N": len(x)})
    return None


def _losses(ref, train, x, y, count):
    """Losses on (x, y) of the reference fits on ``train`` of orders 1..count, under every convention."""
    fits = [(order, ref.polyfit(*train, order)) for order in range(1, count + 1)]
    losses = {}
    for label, options in LOSS_CONVENTIONS.items():
        losses[label] = np.array([ref.squared_loss(theta, ref.polynomial_features(x, order), y, **options)
                                  for order, theta in fits], dtype=np.float64)
    return losses
