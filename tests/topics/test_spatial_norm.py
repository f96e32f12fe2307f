"""Topic checks of spatial batch norm and group norm: the reference passes over seeds; typical bugs fail
with their diagnosis."""

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure, collecting_notes
from grader.topics import spatial_norm as S
from grader.topics.helpers import layer_pair


def golden(key, fn):
    return fn(R)


def test_reference_passes_over_many_seeds():
    sbn = layer_pair(R.spatial_batchnorm_forward, R.spatial_batchnorm_backward)
    gn = layer_pair(R.spatial_groupnorm_forward, R.spatial_groupnorm_backward)
    for seed in range(8):
        rng = np.random.default_rng(seed)
        S.check_spatial_batchnorm_train(R.spatial_batchnorm_forward, golden, rng)
        S.check_spatial_batchnorm_running_stats(S.param_forward(R.spatial_batchnorm_forward), golden, rng)
        S.check_spatial_batchnorm_test(R.spatial_batchnorm_forward, golden, rng)
        S.check_groupnorm_forward(R.spatial_groupnorm_forward, golden, rng)
        S.check_groupnorm_forward(R.spatial_groupnorm_forward, golden, rng, shape=(3, 4, 2, 5), G=2)
        S.check_spatial_backward(sbn, golden, rng)
        S.check_spatial_backward(gn, golden, rng, kind="groupnorm", shape=(2, 6, 3, 2), G=3)
        S.check_spatial_gradient(R.spatial_batchnorm_forward, sbn, rng)
        S.check_spatial_gradient(R.spatial_groupnorm_forward, gn, rng, kind="groupnorm")


def _named(check, fn, diagnosis, **kw):
    with pytest.raises(CheckFailure) as exc:
        check(fn, golden, np.random.default_rng(4), **kw)
    assert exc.value.diagnosis and diagnosis in exc.value.diagnosis, str(exc.value)


def test_statistics_over_the_batch_only_are_named():
    def forward(x, gamma, beta, bn_param):
        g, b = gamma[None, :, None, None], beta[None, :, None, None]
        return g * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) + b, None
    _named(S.check_spatial_batchnorm_train, forward, "axis 0")


def test_running_stats_not_written_back_fail():
    def forward(x, gamma, beta, bn_param):
        return R.spatial_batchnorm_forward(x, gamma, beta, dict(bn_param))
    with pytest.raises(CheckFailure) as info:
        S.check_spatial_batchnorm_running_stats(S.param_forward(forward), golden, np.random.default_rng(0))
    assert info.value.diagnosis == "running statistics not written back into bn_param"


def test_running_stats_with_momentum_swapped_are_named():
    def forward(x, gamma, beta, bn_param):
        out, cache = R.spatial_batchnorm_forward(x, gamma, beta, dict(bn_param, momentum=1 - bn_param["momentum"]))
        C = x.shape[1]
        flat = x.transpose(1, 0, 2, 3).reshape(C, -1)
        m = bn_param["momentum"]
        bn_param["running_mean"] = (1 - m) * bn_param["running_mean"] + m * flat.mean(1)
        bn_param["running_var"] = (1 - m) * bn_param["running_var"] + m * flat.var(1)
        return out, cache
    with pytest.raises(CheckFailure) as info:
        S.check_spatial_batchnorm_running_stats(S.param_forward(forward), golden, np.random.default_rng(0))
    assert info.value.diagnosis == "momentum applied to the batch statistics instead of the running ones"


def test_groupnorm_ignoring_groups_is_named():
    def forward(x, gamma, beta, G, gn_param):
        return R.spatial_groupnorm_forward(x, gamma, beta, 1, gn_param)
    _named(S.check_groupnorm_forward, forward, "layer norm")


def test_backward_with_only_the_direct_term_is_named():
    def forward(x, gamma, beta, bn_param):
        out, cache = R.spatial_batchnorm_forward(x, gamma, beta, bn_param)
        return out, (x, gamma, cache)

    def backward(dout, cache):
        x, gamma, inner = cache
        _, dgamma, dbeta = R.spatial_batchnorm_backward(dout, inner)
        std = np.sqrt(x.var((0, 2, 3), keepdims=True) + 1e-5)
        return dout * gamma[None, :, None, None] / std, dgamma, dbeta
    run = layer_pair(forward, backward)
    with pytest.raises(CheckFailure) as exc:
        S.check_spatial_backward(run, golden, np.random.default_rng(1))
    assert "direct term" in exc.value.diagnosis
    with pytest.raises(CheckFailure):
        S.check_spatial_gradient(forward, run, np.random.default_rng(1))


def test_groupnorm_dgamma_of_shape_c_is_judged_by_value():
    """(C,) for (1, C, 1, 1) differs only by axes of length 1: accepted with a note; wrong values in
    that shape, or a shape of other sizes, still fail."""
    def backward_with(scale=1.0, take=None):
        def backward(dout, cache):
            dx, dgamma, dbeta = R.spatial_groupnorm_backward(dout, cache)
            return dx, (scale * dgamma).ravel()[:take], dbeta.ravel()
        return layer_pair(R.spatial_groupnorm_forward, backward)

    def check(run):
        S.check_spatial_backward(run, golden, np.random.default_rng(2), kind="groupnorm", shape=(2, 4, 3, 3), G=2)
    with collecting_notes() as notes:
        check(backward_with())
    assert any("returned shape (4,) where (1, 4, 1, 1) is expected" in n for n in notes)
    for wrong in (backward_with(scale=1.5), backward_with(take=3)):
        with pytest.raises(CheckFailure):
            check(wrong)
