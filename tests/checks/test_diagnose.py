"""diagnose: each hypothesis is named on a constructed case; correct values are never diagnosed."""
import numpy as np
import pytest

from grader.checks.misconceptions import cause
from grader.checks.diagnose import (diagnose, overflow_hint, regularization_alternatives,
                                    scale_alternatives)




@pytest.fixture
def e():
    return np.random.default_rng(0).standard_normal((4, 5))


def shifted(x, axis):
    out = x.copy()
    src = [slice(None)] * x.ndim
    dst = [slice(None)] * x.ndim
    src[axis], dst[axis] = slice(None, -1), slice(1, None)
    out[tuple(dst)] = x[tuple(src)]
    return out


def test_each_generic_hypothesis_is_named(e):
    square = np.random.default_rng(1).standard_normal((4, 4))
    cases = [
        (e.T, e, {}, cause("transposed")),
        (square.T, square, {}, cause("transposed")),
        (e.ravel(), e, {}, cause("reshape-missing")),
        (e.sum(axis=0), e, {}, cause("summed-axis")),
        (np.float64(e.sum()), e, {}, cause("summed-axis")),
        (np.ones((5, 4)), e, {}, cause("other-layout") + ": (5, 4) instead of (4, 5)"),
        (e[:, ::-1], e, {}, cause("reversed")),
        (np.zeros_like(e), e, {}, cause("zeros")),
        (-e, e, {}, cause("sign")),
        (2 * e, e, {}, "scaled by 2"),
        (0.5 * e, e, {}, "scaled by ½"),
        (4 * e, e, {"N": 4}, cause("summed-not-averaged")),
        (e / 4, e, {"N": 4}, cause("averaged-twice")),
        (3 * e, e, {"N": 4, "T": 3}, "scaled by T"),
        (e / 3, e, {"T": 3}, "scaled by 1/T"),
        (3.7 * e, e, {}, "scaled by 3.7"),
        (e + 0.25, e, {}, "off by a constant (0.25)"),
        (shifted(e, 1), e, {}, cause("off-by-one") + " (shifted by one position along axis 1: a padding, crop or index)"),
        (shifted(e, 0), e, {}, cause("off-by-one") + " (shifted by one position along axis 0: a padding, crop or index)"),
        (np.array(np.nan), np.array(2.3), {"large_offset": True}, cause("softmax-overflow")),
    ]
    for actual, expected, context, phrase in cases:
        assert diagnose(actual, expected, context=context) == phrase, phrase


def test_scalar_losses_get_only_named_factors():
    assert diagnose(2.0 * 2.31, 2.31) == "scaled by 2"
    assert diagnose(-2.31, 2.31) == cause("sign")
    assert diagnose(5 * 2.31, 2.31, context={"N": 5}) == cause("summed-not-averaged")
    assert diagnose(2.47, 2.31) is None  # any scalar is "a factor" or "an offset" of another: not a diagnosis


def test_named_alternatives_are_tried_before_the_generic_ones(e):
    rng = np.random.default_rng(2)
    bump = rng.standard_normal(e.shape)
    alternatives = {"first": e + bump, "second": e - bump}
    assert diagnose(e - bump, e, alternatives=alternatives) == "second"
    assert diagnose(e + bump * 1.01, e, alternatives=alternatives) is None
    # a value that is also a generic pattern gets the test's own name (contracts §2 order)
    assert diagnose(2 * e, e, alternatives={"summed twice": 2 * e}) == "summed twice"
    assert diagnose(2 * e, e, alternatives={"other": 3 * e}) == "scaled by 2"


def test_an_alternative_equal_to_the_expected_value_is_never_named(e):
    assert diagnose(e, e, alternatives={cause("reg-missing"): e.copy()}) is None
    assert diagnose(e + 1e-3, e, alternatives={cause("reg-missing"): e.copy()}) is not None  # off by a constant


def test_correct_values_are_never_diagnosed():
    rng = np.random.default_rng(3)
    for seed in range(200):
        expected = rng.standard_normal((rng.integers(1, 6), rng.integers(1, 6))) * 10.0 ** rng.integers(-4, 4)
        noise = 1 + 1e-12 * rng.standard_normal(expected.shape)
        alternatives = scale_alternatives(expected, N=3)
        alternatives.update({"near": expected * (1 + 1e-9)})
        for actual in (expected.copy(), expected * noise, expected.astype(np.float32)):
            assert diagnose(actual, expected, alternatives=alternatives, context={"N": 3, "T": 2}) is None
        assert diagnose(float(expected.flat[0]), float(expected.flat[0])) is None
        assert diagnose(np.float32(expected.flat[0]), float(expected.flat[0])) is None


def test_float32_wrong_values_are_still_diagnosed(e):
    assert diagnose((2 * e).astype(np.float32), e) == "scaled by 2"
    assert diagnose(e.T.astype(np.float32), e) == cause("transposed")


def test_structures_name_the_first_differing_leaf(e):
    grads = {"W1": e, "b1": e[0]}
    assert diagnose({"W1": e, "b1": 3 * e[0]}, grads, context={"N": 3}) == cause("summed-not-averaged")
    assert diagnose((1.5, -e), (1.5, e)) == cause("sign")
    assert diagnose((1.5, e), (1.5, e)) is None
    assert diagnose((1.5, e), [1.5, e, e]) is None  # structure mismatch: no guess


def test_structure_alternatives_match_as_a_whole():
    rng = np.random.default_rng(4)
    W = rng.standard_normal((3, 2))
    data = (1.25, rng.standard_normal((3, 2)))
    penalty = (0.1 * np.sum(W * W), 2 * 0.1 * W)
    expected = (data[0] + penalty[0], data[1] + penalty[1])
    alternatives = regularization_alternatives(data, penalty, scale=1.0)
    assert set(alternatives) == {cause("reg-missing"), cause("reg-doubled"), cause("reg-with-half")}
    assert diagnose(data, expected, alternatives=alternatives) == cause("reg-missing")
    doubled = (data[0] + 2 * penalty[0], data[1] + 2 * penalty[1])
    assert diagnose(doubled, expected, alternatives=alternatives) == cause("reg-doubled")
    half = (data[0] + 0.5 * penalty[0], data[1] + 0.5 * penalty[1])
    assert diagnose(half, expected, alternatives=alternatives) == cause("reg-with-half")
    assert set(regularization_alternatives(data, penalty, scale=0.5)) == {cause("reg-missing"), cause("reg-without-half")}


def test_renamed_state_keys_are_named():
    rng = np.random.default_rng(5)
    v = rng.standard_normal(4)
    expected = {"learning_rate": 0.01, "momentum": 0.9, "velocity": v}
    actual = {"learning_rate": 0.01, "momentum": 0.9, "v": v.copy()}
    assert diagnose(actual, expected) == cause("state-key") + " ('v' instead of 'velocity')"
    actual = {"learning_rate": 0.01, "momentum": 0.9, "v": v + 1}
    assert diagnose(actual, expected) is None


def test_overflow_needs_the_offset_context():
    nan = np.array([np.nan, 1.0])
    assert diagnose(nan, np.array([0.5, 1.0])) is None
    assert overflow_hint(nan, np.array([0.5, 1.0])) == cause("softmax-overflow")
    assert overflow_hint(np.array([0.5, 1.0]), np.array([0.5, 1.0])) is None


def test_non_numeric_values_are_not_diagnosed():
    assert diagnose("abc", "abd") is None
    assert diagnose(None, 1.0) is None
    assert diagnose(True, False) is None


def test_scale_alternatives_values(e):
    alts = scale_alternatives(e, N=5, T=2)
    np.testing.assert_allclose(alts[cause("summed-not-averaged")], 5 * e)
    np.testing.assert_allclose(alts["scaled by 1/T"], e / 2)
    np.testing.assert_allclose(alts[cause("sign")], -e)


def test_a_crop_shifted_along_two_axes_is_padding_off_by_one():
    e = np.random.default_rng(6).standard_normal((2, 3, 5, 5))
    a = e.copy()
    a[:, :, 1:, 1:] = e[:, :, :-1, :-1]
    assert diagnose(a, e) == cause("off-by-one") + " (shifted by one position along axis 2 and 3: a padding, crop or index)"


def test_a_size_of_two_is_named_before_the_factor_two(e):
    assert diagnose(e / 2, e, context={"N": 2}) == cause("averaged-twice")
    assert diagnose(e / 2, e) == "scaled by ½"


def test_integer_labels_get_offsets_but_no_factors():
    expected = np.array([0, 1, 2, 1])
    assert diagnose(2 * expected, expected) is None
    assert diagnose(expected + 1, expected) == "off by a constant (1)"


def test_unrelated_wrong_values_get_no_named_cause():
    """A wrong value with no pattern (an independent draw) is never given a cause."""
    rng = np.random.default_rng(7)
    for _ in range(300):
        shape = tuple(rng.integers(1, 5, rng.integers(0, 4)))
        expected, actual = rng.standard_normal(shape), rng.standard_normal(shape)
        alternatives = {"named": rng.standard_normal(shape)}
        found = diagnose(actual, expected, alternatives=alternatives, context={"N": 3})
        assert found is None, (shape, found)


def test_a_flat_list_of_numbers_is_compared_as_an_array():
    assert diagnose([2.0, 4.0, 6.5], np.array([1.0, 2.0, 3.25])) == "scaled by 2"
    assert diagnose(np.array([3.25, 2.0, 1.0]), [1.0, 2.0, 3.25]) == cause("reversed")
    assert diagnose([1.0, 2.0], [1.0, 2.0]) is None
