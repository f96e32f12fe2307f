"""Linear regression: normal equations, polynomial fits and their squared losses.

Canonical values (as a notebook leaves them):

* ``theta``: the least-squares ``[a, b]`` of ``y ~ a x + b``;
* ``thetas``: a list of polynomial fits of orders 1..K, coefficients from the highest power down to
  the constant;
* ``errors``: a list of K losses of those fits on some data. A loss may be a sum or a mean over the
  examples, with or without ½ (each accepted, the detected one reported); the root of the mean is
  wrong.

Each is judged on the data the student's notebook used (``notebook_data``: the notebook's ``x`` and
``y`` when the variable was captured); golden values are keyed by those inputs. Separately,
``check_c147_data`` checks that the data are the course notebook's own (``c147_notebook_data``).
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import assert_close, compare
from grader.checks.misconceptions import cause, register
from grader.sandbox import fetch, graded_name, inputs_of, type_name
from grader.sandbox.errors import StudentError

register("theta-order", "coefficients in the other order ([b, a] instead of [a, b])")
register("lowest-power-first", "coefficients from the constant up (lowest power first)")
register("rmse", "root mean squared error (RMSE): not the squared loss asked for")
register("loss-convention", "another squared-loss convention", "{convention}")
register("errors-on-train", "computed on the training data instead of the test data",
         "computed on the training data instead of the test data ({convention})")
LOSS_CONVENTIONS = {
    "mean squared error with ½ (0.5 * mean)": {"mean": True, "half": True},
    "mean squared error (mean)": {"mean": True, "half": False},
    "sum of squared errors with ½ (0.5 * sum)": {"mean": False, "half": True},
    "sum of squared errors (sum)": {"mean": False, "half": False},
}

C147_FORMULAS = {      # the data models of the course notebook's years
    "x - 2*x**2 + x**3": lambda x: x - 2 * x ** 2 + x ** 3,
    "x + 2*x**2 - 3*x**3": lambda x: x + 2 * x ** 2 - 3 * x ** 3,
}
C147_NOISES = (0.03, 0.05)


def c147_notebook_data(formula="x - 2*x**2 + x**3", noise=0.03, num_train=200):
    """The c147 hw1 notebook's data: ``np.random.seed(0)``; x ~ U(0, 1) (num_train,), y = f(x) +
    N(0, noise²); then, continuing the same stream (no reseed), the test data overwrite them:
    x ~ U(1, 2), y likewise. Returns (x, y, x_test, y_test)."""
    f = C147_FORMULAS[formula]
    stream = np.random.RandomState(0)
    x = stream.uniform(low=0, high=1, size=(num_train,))
    y = f(x) + stream.normal(loc=0, scale=noise, size=(num_train,))
    x_test = stream.uniform(low=1, high=2, size=(num_train,))
    y_test = f(x_test) + stream.normal(loc=0, scale=noise, size=(num_train,))
    return x, y, x_test, y_test


def notebook_data(variable, names=("x", "y")):
    """The notebook's data (x, y) as they stood when the graded notebook ``variable`` (a Remote,
    ``student.theta``) was captured, as two float vectors of one length (CheckFailure otherwise)."""
    name = graded_name(variable)
    x, y = (as_vector(value, f"the notebook's `{label}` when {name} was computed")
            for label, value in zip(names, fetch(inputs_of(variable, *names))))
    if x.shape != y.shape:
        raise CheckFailure(f"the notebook's `{names[0]}` and `{names[1]}` when {name} was computed hold "
                           f"{x.size} and {y.size} numbers: not one data set")
    return x, y


def _same(a, b):
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


def check_c147_data(train, test=None):
    """``train`` and ``test``: {what: (x, y)}, the data each graded variable used, are the course
    notebook's (``c147_notebook_data``: one of its years' formula and noise for all). Returns a note
    naming the data model found; CheckFailure says which data differ and how."""
    test = {what: data for what, data in (test or {}).items()   # test data that are the training data:
            if not any(_same(data[0], a) for a, _ in train.values())}   # the errors' test says so
    candidates = [(f, n, c147_notebook_data(f, n)) for f in C147_FORMULAS for n in C147_NOISES]
    for formula, noise, (x, y, x_test, y_test) in candidates:
        if all(_same(a, x) and _same(b, y) for a, b in train.values()) and \
                all(_same(a, x_test) and _same(b, y_test) for a, b in test.values()):
            return f"data: np.random.seed(0), y = {formula} + N(0, {noise}²), as the course notebook makes them"
    for what, (a, b) in train.items():
        if not any(_same(a, data[0]) and _same(b, data[1]) for _, _, data in candidates):
            raise CheckFailure(f"the training data ({what}) are not the notebook's own (np.random.seed(0), "
                               f"num_train = 200, x ~ U(0, 1), y = {' or '.join(C147_FORMULAS)} plus "
                               f"noise): {_looks(a, 0, 1)}; keep the notebook's data generation cells as given")
    for what, (a, _) in test.items():
        raise CheckFailure(f"the test data ({what}) are not the notebook's own: they continue the random stream "
                           f"of the training data (no reseed, nothing else drawn in between), x ~ U(1, 2), "
                           f"the training data's formula and noise; {_looks(a, 1, 2, test=True)}")
    raise CheckFailure("the graded variables were computed on training data of different data models")


def _looks(x, low, high, test=False):
    """What a data set looks like, for a message."""
    if x.size == 0:
        return "got no data points"
    if x.size == 200 and x.min() >= low and x.max() <= high:
        if test and _same(x, np.random.RandomState(0).uniform(low=1, high=2, size=(200,))):
            return "the stream was reseeded (np.random.seed(0) again) before drawing them"
        return "the values differ (another seed, or random numbers drawn in between)"
    return f"got {x.size} points with x in [{x.min():.3g}, {x.max():.3g}] (expected 200 in [{low}, {high}])"


def as_vector(value, name, size=None):
    """A 1-d float64 array; singleton axes are dropped when what is left is 1-d (students keep a
    (k, 1) column, or a (1, 1) array per entry: shape (k, 1, 1))."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailure(f"{name} should be an array of numbers, got {type_name(value)}") from None
    shape = array.shape
    if array.ndim >= 2 and sum(n != 1 for n in shape) <= 1:
        array = array.reshape(-1)
    if size is not None and array.shape != (size,):
        raise CheckFailure(f"{name} should hold {size} numbers, got shape {shape}")
    return array


def check_theta(theta, golden, x, y):
    """``theta`` is ``[a, b]`` from the normal equations on (x, y). ``golden(key, fn, inputs=)`` as the
    fixture (grader.golden): the expected values depend on the data."""
    expected = golden("theta", lambda ref: ref.normal_equations(ref.polynomial_features(x, 1), y), inputs=(x, y))
    actual = as_vector(theta, "theta", size=2)
    assert_close(actual, np.asarray(expected), name="theta", rtol=1e-6,
                 alternatives={cause("theta-order"): expected[::-1]})


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
                                             range(1, count + 1)], inputs=(x, y))
    entries = _as_list(thetas, "thetas", count)
    for i, (value, fit) in enumerate(zip(entries, expected)):
        actual = as_vector(value, f"thetas[{i}]", size=i + 2)
        assert_close(actual, fit, name=f"thetas[{i}] (order {i + 1})", rtol=1e-4,
                     alternatives={cause("lowest-power-first"): fit[::-1]})


def own_fits(variable, count=5):
    """The notebook's ``thetas`` as they stood when ``variable`` was computed (the fits its cells
    read), as ``count`` coefficient vectors, highest power first; None when they are not that."""
    try:
        thetas = fetch(inputs_of(variable, "thetas"))
        return [as_vector(fit, "fit", size=i + 2) for i, fit in enumerate(_as_list(thetas, "thetas", count))]
    except (StudentError, CheckFailure):
        return None


def check_losses(errors, golden, train, data=None, *, count=5, name="errors", fits=None):
    """``errors[i]`` is the squared loss on ``data`` (x, y) (default: the training data) of the
    reference fit of order i+1 on ``train`` (x, y), or of the student's own ``fits[i]`` (``own_fits``:
    a wrong fit is the fits' test's concern, not the losses'), under one of the accepted conventions
    (``LOSS_CONVENTIONS``) for all entries. Returns the detected convention as a note. When ``data``
    is given, the losses on the training data (any convention) name the misconception."""
    x, y = data if data is not None else train
    candidates = golden(f"{name}_losses", lambda ref: _losses(ref, train, x, y, count), inputs=(train, (x, y)))
    if data is not None and _same(as_vector(x, "x"), as_vector(train[0], "x")):
        raise CheckFailure(f"{name} was computed on the training data: the notebook's data when {name} was "
                           "computed are still the training data (compute it after the test data are made)")
    on_train = {}
    if data is not None:
        on_train = {cause("errors-on-train", convention=label): value
                    for label, value in golden(f"{name}_losses_on_train",
                                               lambda ref: _losses(ref, train, *train, count),
                                               inputs=train).items()}
    entries = as_vector(_as_list(errors, name, count), name, size=count)
    for label, expected in candidates.items():
        if label in LOSS_CONVENTIONS and compare(entries, expected, name=name, rtol=1e-4).ok:
            return f"{name}: {label} detected (accepted)"
    for label, expected in (_own_losses(fits, x, y) if fits is not None else {}).items():
        if compare(entries, expected, name=name, rtol=1e-4).ok:
            return f"{name}: {label} of your own thetas detected (accepted; thetas is judged by its own test)"
    mean_losses = candidates["mean squared error (mean)"]
    assert_close(entries, mean_losses, name=name, rtol=1e-4,
                 alternatives={cause("rmse"): np.sqrt(mean_losses),
                               **{cause("loss-convention", convention=label): value
                                  for label, value in candidates.items()
                                  if label != "mean squared error (mean)"},
                               **on_train},
                 context={"N": len(x)})
    return None


def _own_losses(fits, x, y):
    """Losses on (x, y) of the given fits (highest power first), under every convention."""
    residuals = [np.polyval(fit, x) - y for fit in fits]
    return {label: np.array([(0.5 if o["half"] else 1.0) * np.sum(r ** 2) / (len(x) if o["mean"] else 1)
                             for r in residuals]) for label, o in LOSS_CONVENTIONS.items()}


def _losses(ref, train, x, y, count):
    """Losses on (x, y) of the reference fits on ``train`` of orders 1..count, under every convention."""
    fits = [(order, ref.polyfit(*train, order)) for order in range(1, count + 1)]
    losses = {}
    for label, options in LOSS_CONVENTIONS.items():
        losses[label] = np.array([ref.squared_loss(theta, ref.polynomial_features(x, order), y, **options)
                                  for order, theta in fits], dtype=np.float64)
    return losses
