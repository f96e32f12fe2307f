"""Topic checks of batch and layer normalization: the reference passes (both backwards, several seeds),
typical bugs fail."""

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure
from grader.topics import normalization as N
from grader.topics.helpers import layer_pair


def golden(key, fn):
    return fn(R)


def test_reference_passes_over_many_seeds():
    for seed in range(15):
        rng = np.random.default_rng(seed)
        N.check_batchnorm_train(R.batchnorm_forward, golden, rng)
        N.check_batchnorm_running_stats(N.worker_param_forward(R.batchnorm_forward, None), golden, rng)
        N.check_batchnorm_test(R.batchnorm_forward, golden, rng)
        N.check_layernorm_forward(R.layernorm_forward, golden, rng)
        for kind, backward in (("batchnorm", "batchnorm_backward"), ("batchnorm", "batchnorm_backward_alt"),
                               ("layernorm", "layernorm_backward")):
            run = layer_pair(getattr(R, f"{kind}_forward"), getattr(R, backward))
            N.check_norm_backward(run, golden, rng, kind=kind, backward=backward)
            N.check_norm_backward(run, golden, rng, kind=kind, backward=backward, N=2, D=9)
            N.check_norm_gradient(getattr(R, f"{kind}_forward"), run, rng, kind=kind, backward=backward)


def test_unbiased_variance_is_named():
    def forward(x, gamma, beta, bn_param):
        xh = (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + bn_param.get("eps", 1e-5))
        return gamma * xh + beta, None
    with pytest.raises(CheckFailure) as exc:
        N.check_batchnorm_train(forward, golden, np.random.default_rng(0))
    assert "ddof=1" in exc.value.diagnosis


def test_running_stats_not_written_back_fails():
    def forward(x, gamma, beta, bn_param):
        return R.batchnorm_forward(x, gamma, beta, dict(bn_param))
    with pytest.raises(CheckFailure):
        N.check_batchnorm_running_stats(N.worker_param_forward(forward, None), golden, np.random.default_rng(1))


def test_running_stats_momentum_swapped_is_named():
    def forward(x, gamma, beta, bn_param):
        m = bn_param.get("momentum", 0.9)
        out = R.batchnorm_forward(x, gamma, beta, dict(bn_param))
        bn_param["running_mean"] = m * x.mean(0) + (1 - m) * bn_param["running_mean"]
        bn_param["running_var"] = m * x.var(0) + (1 - m) * bn_param["running_var"]
        return out
    with pytest.raises(CheckFailure) as exc:
        N.check_batchnorm_running_stats(N.worker_param_forward(forward, None), golden, np.random.default_rng(2))
    assert "momentum" in exc.value.diagnosis


def test_test_mode_with_batch_statistics_is_named():
    def forward(x, gamma, beta, bn_param):
        return R.batchnorm_forward(x, gamma, beta, dict(bn_param, mode="train"))
    with pytest.raises(CheckFailure) as exc:
        N.check_batchnorm_test(forward, golden, np.random.default_rng(3))
    assert "batch statistics" in exc.value.diagnosis


def test_layernorm_over_the_batch_is_named():
    def forward(x, gamma, beta, ln_param):
        return R.batchnorm_forward(x, gamma, beta, {"mode": "train"})
    with pytest.raises(CheckFailure) as exc:
        N.check_layernorm_forward(forward, golden, np.random.default_rng(4))
    assert "axis 0" in exc.value.diagnosis


def _missing_mean_term(dout, cache):
    dx, dgamma, dbeta = R.batchnorm_backward(dout, cache)
    return dx + dout.sum(0) * cache["gamma"] * cache["inv_std"] / len(dout), dgamma, dbeta


def test_backward_missing_a_term_fails_both_checks():
    run = layer_pair(R.batchnorm_forward, _missing_mean_term)
    with pytest.raises(CheckFailure):
        N.check_norm_backward(run, golden, np.random.default_rng(5))
    with pytest.raises(CheckFailure):
        N.check_norm_gradient(R.batchnorm_forward, run, np.random.default_rng(5))


def test_backward_dgamma_from_x_fails():
    def backward(dout, cache):
        dx, _, dbeta = R.batchnorm_backward(dout, cache)
        return dx, np.sum(dout * cache["x"], axis=0), dbeta
    with pytest.raises(CheckFailure, match="dgamma|\\[1\\]"):
        N.check_norm_backward(layer_pair(R.batchnorm_forward, backward), golden, np.random.default_rng(6))
