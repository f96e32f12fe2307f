"""Conventions named in the feedback: Adam's ``t`` incremented after its use in the bias correction (from 0:
NaN on the first step; from 1: right updates, final ``t`` one ahead) in both families, and the unbiased
variance (ddof=1) in batch norm's running variance. Topic checks on local rules, then real submissions
(the bundled correct example with one line moved) through the real runner."""


import numpy as np
import pytest

import reference as R
from grader.assignment import load_assignment
from grader.checks import CheckFailure
from grader.families import C147, CS231n
from grader.runner import grade_many
from grader.topics import normalization as N
from grader.topics import optim as O
from grader.topics import spatial_norm as S

from helpers import edited_example


def golden(key, fn):
    return fn(R)


def adam_t_after_use(keys, start):
    """Adam with the family's state ``keys`` that uses ``t`` before incrementing it (``t`` defaults to ``start``)."""
    first, second = keys["m"], keys["v"]

    def step(w, dw, config=None):
        config = {} if config is None else config
        for key, value in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8),
                           (first, np.zeros_like(w)), (second, np.zeros_like(w)), ("t", start)):
            config.setdefault(key, value)
        b1, b2, t = config["beta1"], config["beta2"], config["t"]
        config[first] = b1 * config[first] + (1 - b1) * dw
        config[second] = b2 * config[second] + (1 - b2) * dw ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            m_hat, v_hat = config[first] / (1 - b1 ** t), config[second] / (1 - b2 ** t)
            next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
        config["t"] = t + 1
        return next_w, config
    return step


@pytest.mark.parametrize("keys", [C147.optim_keys["adam"], CS231n.optim_keys["adam"]])
def test_adam_t_after_use_from_0_names_the_cause_of_the_nan(keys):
    step = adam_t_after_use(keys, start=0)
    for check in (lambda rng: O.check_optimizer_steps(step, golden, rng, "adam", keys),
                  lambda rng: O.check_optimizer_defaults(step, golden, rng, "adam", keys)):
        with pytest.raises(CheckFailure) as exc:
            check(np.random.default_rng(5))
        assert "NaN" in str(exc.value)
        assert exc.value.diagnosis == O.T_AFTER_USE_FROM_0
        assert f"Likely cause: {O.T_AFTER_USE_FROM_0}" in str(exc.value)


@pytest.mark.parametrize("keys", [C147.optim_keys["adam"], CS231n.optim_keys["adam"]])
@pytest.mark.parametrize("start", [0, 1])
def test_adam_t_after_use_mid_run_is_named(keys, start):
    with pytest.raises(CheckFailure) as exc:
        O.check_optimizer_steps(adam_t_after_use(keys, start), golden, np.random.default_rng(6), "adam", keys,
                                mid_run=True)
    assert exc.value.diagnosis == O.T_AFTER_USE


@pytest.mark.parametrize("keys", [C147.optim_keys["adam"], CS231n.optim_keys["adam"]])
def test_adam_t_from_1_after_use_is_named_on_the_final_t(keys):
    step = adam_t_after_use(keys, start=1)
    O.check_optimizer_defaults(step, golden, np.random.default_rng(7), "adam", keys)  # the updates are right
    with pytest.raises(CheckFailure) as exc:
        O.check_optimizer_steps(step, golden, np.random.default_rng(7), "adam", keys)
    assert "['t']" in str(exc.value)
    assert exc.value.diagnosis == O.T_FROM_1_AFTER_USE


def test_running_variance_with_ddof1_is_named():
    def forward(x, gamma, beta, param):  # forward_with_param: (out, bn_param after the call)
        after = dict(param)
        out, _ = R.batchnorm_forward(x, gamma, beta, after)
        m = param["momentum"]
        return out, dict(after, running_var=m * param["running_var"] + (1 - m) * x.var(0, ddof=1))
    with pytest.raises(CheckFailure) as exc:
        N.check_batchnorm_running_stats(forward, golden, np.random.default_rng(8))
    assert "ddof=1" in exc.value.diagnosis and "running_mean" not in str(exc.value)


def test_spatial_running_variance_with_ddof1_is_named():
    def forward(x, gamma, beta, param):
        C, after = x.shape[1], dict(param)
        out, _ = R.spatial_batchnorm_forward(x, gamma, beta, after)
        m, flat = param["momentum"], x.transpose(1, 0, 2, 3).reshape(C, -1)
        return out, dict(after, running_var=m * param["running_var"] + (1 - m) * flat.var(1, ddof=1))
    with pytest.raises(CheckFailure) as exc:
        S.check_spatial_batchnorm_running_stats(forward, golden, np.random.default_rng(9))
    assert "ddof=1" in exc.value.diagnosis and "running_mean" not in str(exc.value)


# --- real submissions through the runner ---------------------------------------------------------

def failures(result):
    """``{test name: diagnosis}`` of the failing tests of one submission."""
    return {o.name: o.diagnosis for o in result.outcomes if not o.passed}


C147_T_AFTER = [("  config['t'] += 1\n", ""),
                ("(np.sqrt(a_unbias) + config['epsilon'])\n", "(np.sqrt(a_unbias) + config['epsilon'])\n"
                                                               "  config['t'] += 1\n")]


def test_hw4_submissions_get_the_convention_named(tmp_path):
    hw4 = load_assignment("c147/hw4")
    subs = [edited_example(tmp_path, hw4, "t_after", "nndl/optim.py", C147_T_AFTER),
            edited_example(tmp_path, hw4, "t1_after", "nndl/optim.py",
                           C147_T_AFTER + [("config.setdefault('t', 0)", "config.setdefault('t', 1)")]),
            edited_example(tmp_path, hw4, "ddof1", "nndl/layers.py", [
                ("running_var = momentum * running_var + (1 - momentum) * var",
                 "running_var = momentum * running_var + (1 - momentum) * np.var(x, axis=0, ddof=1)")])]
    t_after, t1_after, ddof1 = (failures(r) for r in grade_many(hw4, subs, public_only=True))
    assert t_after == {"adam: four updates from a fresh config match the reference": O.T_AFTER_USE_FROM_0,
                       "adam: default hyperparameters when config is None": O.T_AFTER_USE_FROM_0,
                       "adam: updates from a mid-run state in config match the reference": O.T_AFTER_USE}
    assert t1_after == {"adam: four updates from a fresh config match the reference": O.T_FROM_1_AFTER_USE,
                        "adam: updates from a mid-run state in config match the reference": O.T_AFTER_USE}
    assert list(ddof1) == ["batchnorm_forward: running mean and variance written back into bn_param"]
    assert "ddof=1" in ddof1["batchnorm_forward: running mean and variance written back into bn_param"]


def test_a2_adam_t_after_use_is_named(tmp_path):
    a2 = load_assignment("cs231n/a2")
    sub = edited_example(tmp_path, a2, "t_after", "cs231n/optim.py", [
        ("  config['t'] += 1\n", ""),
        ("(np.sqrt(v_hat) + config['epsilon'])\n", "(np.sqrt(v_hat) + config['epsilon'])\n  config['t'] += 1\n")])
    got = failures(grade_many(a2, [sub], public_only=True)[0])
    assert set(got.values()) == {O.T_AFTER_USE_FROM_0, O.T_AFTER_USE}
    assert all(name.startswith("adam: ") for name in got)
