"""Dropout checks: any correct inverted dropout passes, each misconception is named."""

import numpy as np
import pytest

from grader.checks.misconceptions import cause
from grader.checks import CheckFailure
from grader.checks.stochastic import (binomial_bound, check_dropout_backward, check_dropout_test_mode,
                                      check_inverted_dropout)


def dropout(x, p, rng, keep=True, scale=True):
    mask = (rng.random(x.shape) < (p if keep else 1 - p))
    return x * mask / ((p if keep else 1 - p) if scale else 1.0)


def test_binomial_bound():
    low, high = binomial_bound(10_000, 0.3)
    assert 0.27 < low < 0.3 < high < 0.33
    assert binomial_bound(10, 0.5) == (0.0, 1.0)


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.8, 0.95])
def test_correct_dropout_passes_whatever_the_random_calls(p):
    for seed in range(100):
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((50, 40))
        # three styles of drawing the mask: rand < p, binomial, permutation of exactly round(p·n)
        styles = [(rng.random(x.shape) < p), rng.binomial(1, p, x.shape).astype(bool),
                  rng.permutation(np.arange(x.size) < round(p * x.size)).reshape(x.shape)]
        for mask in styles:
            out = x * mask / p
            check_inverted_dropout(x, out, p)
            dout = rng.standard_normal(x.shape)
            check_dropout_backward(dout, dout * mask / p, x, out, p)
            check_dropout_backward(dout, np.where(out != 0, dout, 0) / p, x, out, p)
        check_dropout_test_mode(x, x.copy())


def test_p_read_as_drop_probability():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((50, 40))
    with pytest.raises(CheckFailure, match="p read as the drop probability") as info:
        check_inverted_dropout(x, dropout(x, 0.8, rng, keep=False), 0.8)
    assert info.value.diagnosis == cause("dropout-drop-prob")
    assert "scaled by 1/(1 − p)" in str(info.value)
    # keeping units where rand > p but scaling by 1/p: the message says what the code does
    mask = rng.random(x.shape) > 0.8
    with pytest.raises(CheckFailure, match="p read as the drop probability") as info:
        check_inverted_dropout(x, x * mask / 0.8, 0.8)
    assert "scaled by 1/p." in str(info.value)


def test_not_inverted():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((50, 40))
    with pytest.raises(CheckFailure, match="not inverted: kept units are not scaled by 1/p"):
        check_inverted_dropout(x, dropout(x, 0.6, rng, scale=False), 0.6)


def test_wrong_fraction_and_wrong_scale():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((50, 40))
    with pytest.raises(CheckFailure, match="no unit was dropped"):
        check_inverted_dropout(x, x / 0.7, 0.7)
    with pytest.raises(CheckFailure, match="kept units must equal x/p"):
        check_inverted_dropout(x, dropout(x, 0.7, rng) * 1.5, 0.7)
    with pytest.raises(CheckFailure, match="shape mismatch"):
        check_inverted_dropout(x, x.ravel(), 0.7)


def test_test_mode():
    x = np.random.default_rng(4).standard_normal((20, 10))
    with pytest.raises(CheckFailure, match="zero in test mode"):
        check_dropout_test_mode(x, x * (np.arange(10) > 2))
    with pytest.raises(CheckFailure, match="factor 0.5"):
        check_dropout_test_mode(x, 0.5 * x)


def test_backward_misconceptions():
    rng = np.random.default_rng(5)
    x, dout, p = rng.standard_normal((30, 20)), rng.standard_normal((30, 20)), 0.4
    mask = rng.random(x.shape) < p
    out = x * mask / p
    with pytest.raises(CheckFailure, match="backward uses a fresh mask") as info:
        check_dropout_backward(dout, dout * (rng.random(x.shape) < p) / p, x, out, p)
    assert info.value.diagnosis == cause("stale-cache")
    with pytest.raises(CheckFailure, match="mask is not applied"):
        check_dropout_backward(dout, dout.copy(), x, out, p)
    with pytest.raises(CheckFailure, match="without the 1/p scaling"):
        check_dropout_backward(dout, dout * mask, x, out, p)
    with pytest.raises(CheckFailure):
        check_dropout_backward(dout, dout * mask / p + 0.1, x, out, p)
