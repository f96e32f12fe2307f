"""Topic checks of dropout: any random call passes, either mask layout in the cache passes, p read as the
drop probability and a missing 1/p fail."""

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure
from grader.topics import dropout as D


def golden(key, fn):
    return fn(R)


def binomial_dropout(x, param):
    """A correct variant: another random call and a 0/1 mask in the cache."""
    p = param["p"]
    if "seed" in param:
        np.random.seed(param["seed"])
    if param["mode"] == "test":
        return x, (param, None)
    mask = np.random.binomial(1, p, size=x.shape)
    return x * mask / p, (param, mask)


def binomial_backward(dout, cache):
    param, mask = cache
    return dout if param["mode"] == "test" else dout * mask / param["p"]


@pytest.mark.parametrize("forward, backward", [(R.dropout_forward, R.dropout_backward),
                                               (binomial_dropout, binomial_backward)])
def test_correct_variants_pass_over_many_seeds(forward, backward):
    for seed in range(30):
        np.random.seed(seed)
        rng = np.random.default_rng(seed)
        for p in (0.3, 0.55, 0.8):
            D.check_dropout_train(forward, rng, p=p)
        D.check_dropout_test(forward, rng)
        D.check_dropout_seed(forward, rng)
        D.check_dropout_backward_fixed(backward, golden, rng)
        D.check_dropout_backward_test(backward, rng)
        D.check_dropout_pair(forward, backward, rng)


def test_backward_layout_is_reported():
    note = D.check_dropout_backward_fixed(binomial_backward, golden, np.random.default_rng(0))
    assert "0/1 mask" in note


def test_p_as_drop_probability_fails():
    def forward(x, param):
        mask = (np.random.rand(*x.shape) >= param["p"]) / (1 - param["p"])
        return x * mask, (param, mask)
    with pytest.raises(CheckFailure) as exc:
        D.check_dropout_train(forward, np.random.default_rng(1), p=0.3)
    assert "drop" in str(exc.value)


def test_not_inverted_fails():
    def forward(x, param):
        mask = np.random.rand(*x.shape) < param["p"]
        return x * mask, (param, mask)
    with pytest.raises(CheckFailure):
        D.check_dropout_train(forward, np.random.default_rng(2), p=0.6)


def test_test_mode_scaled_fails():
    with pytest.raises(CheckFailure):
        D.check_dropout_test(lambda x, param: (x * param["p"], (param, None)), np.random.default_rng(3))


def test_seed_ignored_fails():
    def forward(x, param):
        return R.dropout_forward(x, {k: v for k, v in param.items() if k != "seed"})
    with pytest.raises(CheckFailure):
        D.check_dropout_seed(forward, np.random.default_rng(4))


def test_backward_with_fresh_mask_fails():
    def backward(dout, cache):
        param, _ = cache
        return dout * (np.random.rand(*dout.shape) < param["p"]) / param["p"]
    with pytest.raises(CheckFailure):
        D.check_dropout_pair(R.dropout_forward, backward, np.random.default_rng(5))
    with pytest.raises(CheckFailure):
        D.check_dropout_backward_fixed(backward, golden, np.random.default_rng(5))


def test_backward_mask_not_applied_fails():
    with pytest.raises(CheckFailure):
        D.check_dropout_backward_fixed(lambda dout, cache: dout, golden, np.random.default_rng(6))
