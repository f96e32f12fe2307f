"""Test mode of batch norm and spatial batch norm changes no state: a forward that folds the test batch
into the running statistics (after or before normalizing, by assignment or in place), that changes another
entry of bn_param, or that keeps state of its own fails and is named; correct code in its real variants
(running statistics written back unchanged, as (1, D), dict untouched) passes."""

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure
from grader.topics import normalization as N
from grader.topics import spatial_norm as S


def golden(key, fn):
    return fn(R)


def _fold(bn_param, flat):
    m = bn_param.get("momentum", 0.9)
    bn_param["running_mean"] = m * bn_param["running_mean"] + (1 - m) * flat.mean(0)
    bn_param["running_var"] = m * bn_param["running_var"] + (1 - m) * flat.var(0)


def folds_after(x, gamma, beta, bn_param):
    out, cache = R.batchnorm_forward(x, gamma, beta, bn_param)
    if bn_param["mode"] == "test":
        _fold(bn_param, x)
    return out, cache


def folds_before(x, gamma, beta, bn_param):
    if bn_param["mode"] == "test":
        _fold(bn_param, x)
    return R.batchnorm_forward(x, gamma, beta, bn_param)


def folds_in_place(x, gamma, beta, bn_param):
    out, cache = R.batchnorm_forward(x, gamma, beta, bn_param)
    if bn_param["mode"] == "test":
        bn_param["running_mean"] *= 0.9
        bn_param["running_mean"] += 0.1 * x.mean(0)
    return out, cache


def changes_eps(x, gamma, beta, bn_param):
    out, cache = R.batchnorm_forward(x, gamma, beta, bn_param)
    bn_param["eps"] = 1e-8
    return out, cache


def ignores_mode(x, gamma, beta, bn_param):
    out, cache = R.batchnorm_forward(x, gamma, beta, dict(bn_param, mode="train"))
    _fold(bn_param, x)
    return out, cache


def counter():
    calls = []

    def forward(x, gamma, beta, bn_param):
        calls.append(1)
        out, cache = R.batchnorm_forward(x, gamma, beta, bn_param)
        return out * (1 + 0.01 * (len(calls) - 1)), cache
    return forward


def _failure(check, forward, seed=0):
    with pytest.raises(CheckFailure) as info:
        check(forward, golden, np.random.default_rng(seed))
    return info.value


@pytest.mark.parametrize("forward", [folds_after, folds_before])
def test_a_test_batch_folded_into_the_running_statistics_is_named(forward):
    failure = _failure(N.check_batchnorm_test, forward)
    assert failure.diagnosis == "test mode updated running_mean"
    assert str(failure).startswith("test mode updated running_mean: the running statistics "
                                   "must only change in train mode")
    assert "bn_param['running_mean'] changed by up to" in str(failure)
    assert "bn_param['running_var'] changed by up to" in str(failure)


def test_the_running_variance_alone_updated_is_named():
    def forward(x, gamma, beta, bn_param):
        out, cache = R.batchnorm_forward(x, gamma, beta, bn_param)
        bn_param["running_var"] = 0.9 * bn_param["running_var"] + 0.1 * x.var(0)
        return out, cache
    failure = _failure(N.check_batchnorm_test, forward)
    assert failure.diagnosis == "test mode updated running_var"
    assert "running_mean" not in str(failure)


def test_an_in_place_update_of_the_running_mean_is_named():
    failure = _failure(N.check_batchnorm_test, folds_in_place)
    assert failure.diagnosis == "test mode updated running_mean"


def test_another_entry_changed_is_named():
    failure = _failure(N.check_batchnorm_test, changes_eps)
    assert failure.diagnosis == "test mode changed bn_param['eps']"
    assert "from 1e-05 to 1e-08" in str(failure)


def test_state_kept_outside_bn_param_fails_on_the_second_call():
    failure = _failure(N.check_batchnorm_test, counter())
    assert failure.diagnosis == "two test-mode calls on the same input gave different outputs"


def test_mode_ignored_is_named_by_the_batch_statistics_not_the_update():
    failure = _failure(N.check_batchnorm_test, ignores_mode)
    assert failure.diagnosis == "the batch statistics were used in test mode"


def test_correct_code_in_its_variants_passes():
    def writes_back_row_vectors(x, gamma, beta, bn_param):  # keeps its running statistics as (1, D)
        flat = {k: np.ravel(bn_param[k]) for k in ("running_mean", "running_var")}
        out, cache = R.batchnorm_forward(x, gamma, beta, dict(bn_param, **flat))
        bn_param["running_mean"] = flat["running_mean"].reshape(1, -1)
        bn_param["running_var"] = flat["running_var"].reshape(1, -1) * 1.0
        return out, cache

    def adds_an_entry(x, gamma, beta, bn_param):
        bn_param.setdefault("calls", 0)
        return R.batchnorm_forward(x, gamma, beta, bn_param)
    for seed in range(5):
        for forward in (R.batchnorm_forward, writes_back_row_vectors, adds_an_entry):
            N.check_batchnorm_test(forward, golden, np.random.default_rng(seed))
        S.check_spatial_batchnorm_test(R.spatial_batchnorm_forward, golden, np.random.default_rng(seed))


def test_spatial_batchnorm_folding_the_test_batch_is_named():
    def forward(x, gamma, beta, bn_param):
        out, cache = R.spatial_batchnorm_forward(x, gamma, beta, bn_param)
        if bn_param["mode"] == "test":
            _fold(bn_param, x.transpose(0, 2, 3, 1).reshape(-1, x.shape[1]))
        return out, cache
    failure = _failure(S.check_spatial_batchnorm_test, forward)
    assert failure.diagnosis == "test mode updated running_mean"


def test_a_sandboxed_forward_without_its_sandbox_is_refused():
    from grader.sandbox import Remote
    with pytest.raises(TypeError, match="needs its sandbox"):
        N.worker_param_calls(Remote.__new__(Remote))  # a handle of a worker-side function
