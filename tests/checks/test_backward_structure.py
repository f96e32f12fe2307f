"""check_backward_structure and the kink-avoidance helpers."""

import numpy as np
import pytest

from grader.checks import CheckFailure
from grader.checks.gradcheck import (away_from_zero, check_backward_structure, hinge_margin_ok,
                                     untie_pool_windows)

rng = np.random.default_rng(0)
X, W = rng.standard_normal((4, 6)), rng.standard_normal((6, 3))
DOUT = rng.standard_normal((4, 3))
SHAPES = [(4, 6), (6, 3), (3,)]
NAMES = ["dx", "dw", "db"]


def affine_backward(dout):
    return dout @ W.T, X.T @ dout, dout.sum(axis=0)


def test_correct_backward_passes():
    check_backward_structure(affine_backward, DOUT, expected_shapes=SHAPES, names=NAMES)
    check_backward_structure(lambda d: d @ W.T, DOUT, expected_shapes=(4, 6))


def test_term_without_dout():
    with pytest.raises(CheckFailure, match="db is not zero when dout is zero"):
        check_backward_structure(lambda d: (d @ W.T, X.T @ d, d.sum(axis=0) + 1.0), DOUT,
                                 expected_shapes=SHAPES, names=NAMES)


def test_not_linear_in_dout():
    with pytest.raises(CheckFailure, match="dx does not double"):
        check_backward_structure(lambda d: d @ W.T * np.abs(d).sum(), DOUT, expected_shapes=(4, 6), names=["dx"])


def test_modifies_dout_in_place():
    def backward(d):
        d *= 2
        return d @ W.T
    with pytest.raises(CheckFailure, match="modified dout in place"):
        check_backward_structure(backward, DOUT, expected_shapes=(4, 6))


def test_second_call_differs():
    state = {"calls": 0}

    def backward(d):
        state["calls"] += 1
        return d @ W.T * state["calls"]
    with pytest.raises(CheckFailure, match="second call"):
        check_backward_structure(backward, DOUT, expected_shapes=(4, 6), names=["dx"])


def test_wrong_shapes_and_types():
    with pytest.raises(CheckFailure, match=r"dw has shape \(3, 6\), expected \(6, 3\)"):
        check_backward_structure(lambda d: (d @ W.T, (X.T @ d).T, d.sum(0)), DOUT, expected_shapes=SHAPES, names=NAMES)
    with pytest.raises(CheckFailure, match="returned 2 values, expected 3"):
        check_backward_structure(lambda d: (d @ W.T, X.T @ d), DOUT, expected_shapes=SHAPES, names=NAMES)
    with pytest.raises(CheckFailure, match="tuple of arrays or an array"):
        check_backward_structure(lambda d: {"dx": d}, DOUT, expected_shapes=(4, 3))
    with pytest.raises(CheckFailure, match="db is None"):
        check_backward_structure(lambda d: (d @ W.T, X.T @ d, None), DOUT, expected_shapes=SHAPES, names=NAMES)


def test_away_from_zero():
    x = np.array([0.0, 1e-5, -1e-5, 0.5, -2.0])
    y = away_from_zero(x)
    assert np.all(np.abs(y) >= 1e-3)
    assert np.array_equal(np.sign(y[1:]), np.sign(x[1:]))
    assert y[3] == 0.5 and y[4] == -2.0 and x[0] == 0.0


@pytest.mark.parametrize("pool", [{"pool_height": 2, "pool_width": 2, "stride": 2},
                                  {"pool_height": 3, "pool_width": 3, "stride": 1}])
def test_untie_pool_windows(pool):
    x = np.round(np.random.default_rng(1).standard_normal((2, 3, 8, 8)), 1)
    y = untie_pool_windows(x, pool)
    k, s = pool["pool_height"], pool["stride"]
    for i in range(0, 8 - k + 1, s):
        for j in range(0, 8 - k + 1, s):
            window = np.sort(y[:, :, i:i + k, j:j + k].reshape(2, 3, -1), axis=-1)
            assert np.all(window[..., -1] - window[..., -2] >= 1e-3)
    assert np.max(np.abs(y - x)) < 0.05


def test_hinge_margin_ok():
    scores = np.array([[1.0, 0.0, 2.5], [0.3, 0.2, 0.1]])
    assert not hinge_margin_ok(scores, np.array([0, 1]))     # s1 − s0 + 1 = 0 exactly
    assert hinge_margin_ok(scores + np.array([[0, 0.01, 0], [0, 0, 0]]), np.array([0, 1]))
