"""compare / assert_close: verdicts, tolerance rule, and the sentences of the failure messages."""

import numpy as np
import pytest

from grader.checks import CheckFailure
from grader.checks.compare import FLOAT32_RTOL, assert_close, compare


@pytest.fixture
def e():
    return np.random.default_rng(0).standard_normal((4, 6)) + 3.0


def message(actual, expected, **kw):
    result = compare(actual, expected, **kw)
    assert not result.ok
    return result.message


def test_equal_values_pass(e):
    assert compare(e.copy(), e).ok
    assert_close({"a": [e, 1.0], "b": (2, None, "x")}, {"a": [e, 1.0], "b": (2, None, "x")})


def test_shape_mismatch_without_broadcasting():
    col = np.arange(5.0)
    # (5, 1) for (5,) differs only by an axis of length 1: judged by value (tests/checks/test_singleton_shapes.py)
    assert "shape mismatch: expected shape (5,), got shape (5, 5)" in message(col[:, None] + 0 * col, col)
    assert "shape mismatch: expected shape (5,), got shape (6,)" in message(np.arange(6.0), col)
    assert "expected a scalar" in message(np.array([1.0, 1.0]), 1.0)
    # one number in a (1,) or (1, 1) array is that scalar (a loss computed as r.T @ r)
    assert compare(np.array([1.0]), 1.0).ok and compare(np.array([[2.0]]), 2.0).ok
    assert "got 2" in message(np.array([[2.0]]), 1.0)


def test_kind_mismatch_and_integer_note():
    assert "expected numbers" in message(np.array([True, False]), np.array([1.0, 0.0]))
    note = message(np.array([1, 2]), np.array([1.5, 2.0]))
    assert "integers" in note
    assert compare(np.array([1, 2]), np.array([1.0, 2.0])).ok  # int vs float judged by value


def test_nan_where_finite_expected(e):
    a = e.copy()
    a[2, 1] = np.nan
    text = message(a, e, name="out")
    assert "contains NaN at 1 of 24 entries (first at out[2, 1])" in text
    assert compare(np.array([np.nan, np.inf]), np.array([np.nan, np.inf])).ok


def test_largest_errors_and_count(e):
    a = e.copy()
    a[1, 2] += 0.5
    a[3, 0] += 0.25
    text = message(a, e, name="out")
    assert "2 of 24 entries differ" in text
    assert "Largest absolute error 0.5 at out[1, 2]" in text


def test_pattern_last_column_zero(e):
    a = e.copy()
    a[:, -1] = 0
    text = message(a, e, name="dx")
    assert "Only the last column differs; the entries are zero where nonzero values were expected." in text


def test_pattern_row(e):
    a = e.copy()
    a[2] += 1.0
    assert "Only row 2 differs." in message(a, e)
    a = e.copy()
    a[3] += 1.0
    assert "Only the last row differs." in message(a, e)


def test_pattern_nd_last_index():
    x = np.random.default_rng(1).standard_normal((2, 3, 4, 5))
    a = x.copy()
    a[..., -1] = 0
    assert "Only dx[:, :, :, -1] differs" in message(a, x, name="dx")


def test_pattern_factor_and_constant(e):
    assert "every entry is off by the factor 2." in message(2 * e, e).lower()
    assert "every entry is off by the constant 0.5." in message(e + 0.5, e).lower()
    assert "wrong sign" in message(-e, e)


def test_pattern_all_zero(e):
    assert "every entry is zero where nonzero values were expected" in message(np.zeros_like(e), e).lower()


def test_recursive_names(e):
    grads = {"W1": e, "b1": e[0]}
    bad = {"W1": e, "b1": e[0] * 2}
    assert message(bad, grads, name="grads").startswith("grads['b1']:")
    assert message((1.0, e + 1), (1.0, e), name="out").startswith("out[1]:")
    assert "missing key 'b1'" in message({"W1": e}, grads, name="grads")
    assert "expected 2 items, got 1" in message([e], [e, e])


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_unsupported_types(e):
    assert "unsupported type" in message(np.matrix(e), e)
    assert "unsupported type" in message(object(), 1.0)
    assert "unsupported type" in message(np.ma.masked_array(e), e)
    assert "missing return" in message(None, e)


def test_diagnosis_attached(e):
    with pytest.raises(CheckFailure) as info:
        assert_close(e.T.copy(), e, name="W")
    assert info.value.diagnosis == "transposed"
    assert "Likely cause: transposed" in str(info.value)
    result = compare(e + 1, e, alternatives={"regularization missing": e + 1})
    assert result.diagnosis is not None


def test_alternatives_follow_the_structure(e):
    expected = (1.0, {"W": e})
    alt = (1.0, {"W": e * 0.5 + 0.123})
    result = compare((1.0, {"W": alt[1]["W"]}), expected, alternatives={"regularization uses ½": alt})
    assert result.diagnosis == "regularization uses ½"


def test_tolerance_scales_with_magnitude():
    e = np.array([1e4, 1e-3])
    a = e + np.array([0.0, 5e-3])  # tiny entry off by 5e-3 < 1e-6 * 1e4
    assert compare(a, e).ok
    assert not compare(e + np.array([0.0, 2e-2]), e).ok


def test_float32_rule(e):
    rng = np.random.default_rng(3)
    for _ in range(50):
        x = rng.standard_normal((5, 7)) * 10
        assert compare(x.astype(np.float32), x).ok
    assert not compare((e * (1 + 3 * FLOAT32_RTOL)).astype(np.float32), e).ok
    assert not compare(e * (1 + 1e-5), e).ok  # float64 stays strict


def test_scalar_messages():
    assert message(True, False) == "output: got True, expected False."
    assert message(float("nan"), 1.0, name="loss").startswith("loss: got nan, expected 1.0.")
    assert message(1.5, 1.0, name="loss").startswith("loss: got 1.5, expected 1 (absolute error 0.5")
    assert compare(3, 3.0).ok and compare([1.0, 2.0], np.array([1.0, 2.0])).ok
