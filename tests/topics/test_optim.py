"""Topic checks of optimizers: the reference passes under both families' state keys, with epsilon inside
or outside the square root; no bias correction, t from 1 and state under another key are named."""

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure
from grader.families import C147, CS231n
from grader.topics import optim as O


def golden(key, fn):
    return fn(R)


def renamed(rule, keys, **options):
    """The reference rule behind a family's state keys (ref key -> family key)."""
    def step(w, dw, config=None):
        inner = {}
        for k, v in (config or {}).items():
            inner[next((r for r, f in keys.items() if f == k), k) if k in keys.values() else k] = v
        next_w, out = getattr(R, rule)(w, dw, inner, **options)
        return next_w, O._to_family(out, keys)
    return step


@pytest.mark.parametrize("family", [C147.optim_keys, CS231n.optim_keys])
def test_reference_passes_over_seeds(family):
    for seed in range(10):
        rng = np.random.default_rng(seed)
        for rule, keys in family.items():
            for options in ({}, {"eps_inside_sqrt": True}) if rule in ("rmsprop", "adam") else ({},):
                step = renamed(rule, keys, **options)
                O.check_optimizer_steps(step, golden, rng, rule, keys)
                O.check_optimizer_steps(step, golden, rng, rule, keys, mid_run=True, steps=6)
                O.check_optimizer_defaults(step, golden, rng, rule, keys)


def test_adam_without_bias_correction_is_named():
    step = renamed("adam", C147.optim_keys["adam"], bias_correction=False)
    with pytest.raises(CheckFailure) as exc:
        O.check_optimizer_steps(step, golden, np.random.default_rng(0), "adam", C147.optim_keys["adam"])
    assert exc.value.diagnosis == "Adam without bias correction"


def test_adam_t_started_at_1_is_named():
    base = renamed("adam", CS231n.optim_keys["adam"])

    def step(w, dw, config=None):
        config = dict(config or {})
        config.setdefault("t", 1)
        return base(w, dw, config)
    with pytest.raises(CheckFailure) as exc:
        O.check_optimizer_steps(step, golden, np.random.default_rng(1), "adam", CS231n.optim_keys["adam"])
    assert "t started at 1" in exc.value.diagnosis


def test_state_under_another_key_is_named():
    # cs231n keys (m, v) in a c147 assignment (v, a)
    step = renamed("adam", CS231n.optim_keys["adam"])
    with pytest.raises(CheckFailure) as exc:
        O.check_optimizer_steps(step, golden, np.random.default_rng(2), "adam", C147.optim_keys["adam"])
    assert exc.value.diagnosis.ids == ("state-key",)
    assert "'a'" in str(exc.value)


def test_momentum_state_not_kept_fails():
    def step(w, dw, config=None):
        next_w, config = R.sgd_momentum(w, dw, {k: v for k, v in (config or {}).items() if k != "velocity"})
        return next_w, dict(config, v=config.pop("velocity"))
    with pytest.raises(CheckFailure, match="velocity|step 2"):
        O.check_optimizer_steps(step, golden, np.random.default_rng(3), "sgd_momentum", {"velocity": "velocity"})


def test_wrong_default_learning_rate_fails():
    def step(w, dw, config=None):
        return R.adam(w, dw, config if config is not None else {"learning_rate": 1e-2})
    with pytest.raises(CheckFailure):
        O.check_optimizer_defaults(step, golden, np.random.default_rng(4), "adam", CS231n.optim_keys["adam"])


def test_nesterov_written_as_plain_momentum_fails():
    step = renamed("sgd_momentum", {"velocity": "velocity"})
    with pytest.raises(CheckFailure) as exc:
        O.check_optimizer_steps(step, golden, np.random.default_rng(5), "sgd_nesterov_momentum",
                                {"velocity": "velocity"})
    assert exc.value.diagnosis.startswith("plain momentum")


def test_momentum_with_the_velocity_negated_passes_long_runs_and_is_named_mid_run():
    def step(w, dw, config=None):
        config = dict(config or {})
        v = config.get("momentum", 0.9) * config.get("velocity", np.zeros_like(w)) + config["learning_rate"] * dw
        return w - v, dict(config, velocity=v)
    keys = {"velocity": "velocity"}
    with pytest.raises(CheckFailure):  # the final state has the other sign
        O.check_optimizer_steps(step, golden, np.random.default_rng(6), "sgd_momentum", keys)
    with pytest.raises(CheckFailure) as exc:
        O.check_optimizer_steps(step, golden, np.random.default_rng(6), "sgd_momentum", keys, mid_run=True)
    assert exc.value.diagnosis.startswith("velocity stored with the opposite sign")


def test_adam_moments_stored_under_each_others_keys_are_named_with_the_familys_keys():
    keys = C147.optim_keys["adam"]
    plain = renamed("adam", keys)

    def step(w, dw, config=None):
        config = dict(config or {})
        config["v"], config["a"] = config.get("a"), config.get("v")  # back to the right places
        config = {k: v for k, v in config.items() if v is not None}
        next_w, out = plain(w, dw, config)
        out["v"], out["a"] = out["a"], out["v"]
        return next_w, out
    with pytest.raises(CheckFailure) as exc:
        O.check_optimizer_steps(step, golden, np.random.default_rng(7), "adam", keys)
    assert "state after 4 steps['v']" in str(exc.value) and "['m']" not in str(exc.value)
    assert exc.value.diagnosis.startswith("the two moments stored under each other's keys ('v'")


@pytest.mark.parametrize("family", [C147.optim_keys, CS231n.optim_keys])
def test_a_changed_default_momentum_is_named(family):
    base = renamed("sgd_momentum", family["sgd_momentum"])

    def step(w, dw, config=None):  # the starter's line edited: config.setdefault('momentum', 0.5)
        config = {} if config is None else config
        config.setdefault("momentum", 0.5)
        return base(w, dw, config)
    with pytest.raises(CheckFailure) as exc:
        O.check_optimizer_defaults(step, golden, np.random.default_rng(0), "sgd_momentum", family["sgd_momentum"])
    assert exc.value.diagnosis == O.DEFAULT_CHANGED
    assert "config['momentum'] = 0.5 (the starter's default is 0.9)" in str(exc.value)
