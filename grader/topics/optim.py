"""Topic checks: first-order optimizers over several steps, with their state.

Canonical form: the student's ``step(w, dw, config) -> (next_w, config)`` and a ``state_keys`` map from
the reference's (cs231n) state keys to the family's keys (``family.state_keys(rule)``, grader.families):

* cs231n: momentum ``velocity``; rmsprop ``cache``; adam ``m``, ``v``, ``t`` (the identity map);
* c147: momentum ``velocity``; rmsprop ``a``; adam ``v`` (first moment), ``a`` (second), ``t``.

Updates are compared step by step with the reference run on the same gradients, the state is handed
back as the student's code returned it. Gradients are bounded away from 0 (|dw| >= 0.3) so that Adam
and RMSprop with epsilon inside or outside the square root agree to 1e-7: both are accepted.

Adam's ``t`` counts the steps done: incremented before its use in the bias correction. The other
conventions are named (t from 1; t incremented after its use, which divides by 1 − β⁰ = 0 on a fresh
config: NaN), including when only the final ``t`` shows them.
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import assert_close, compare
from grader.checks.misconceptions import as_cause, cause, register
from grader.sandbox import type_name
from grader.topics.helpers import nonzero_normal

HYPERPARAMETERS = {
    "sgd": {"learning_rate": 0.05},
    "sgd_momentum": {"learning_rate": 0.05, "momentum": 0.8},
    "sgd_nesterov_momentum": {"learning_rate": 0.05, "momentum": 0.8},
    "rmsprop": {"learning_rate": 0.02, "decay_rate": 0.9, "epsilon": 1e-8},
    "adam": {"learning_rate": 0.02, "beta1": 0.8, "beta2": 0.95, "epsilon": 1e-8},
}


def _to_family(config, state_keys):
    """A reference-keyed config renamed to the family's state keys (hyperparameters unchanged)."""
    out = {k: v for k, v in config.items() if k not in state_keys}
    for ref_key, family_key in state_keys.items():
        if ref_key in config:
            out[family_key] = config[ref_key]
    return out


def _state_of(config, state_keys, rule):
    """The family-keyed state of a returned config, as a reference-keyed dict; a clear failure when a
    state key is missing (e.g. Adam's first moment stored as ``m`` where the starter says ``v``)."""
    if not isinstance(config, dict):
        raise CheckFailure(f"{rule} should return (next_w, config) with config a dict, "
                           f"got {type_name(config)}")
    missing = [k for k in state_keys.values() if k not in config]
    if missing:
        known = set(HYPERPARAMETERS[rule]) | set(state_keys.values())
        others = sorted(str(k) for k in config if k not in known)
        where = f"; the config holds other keys: {', '.join(others)}" if others else ""
        raise CheckFailure(f"{rule}: the optimizer state must be stored in config under "
                           f"{', '.join(repr(k) for k in state_keys.values())}; missing {missing}{where}",
                           diagnosis=cause("state-key"))
    return {ref_key: config[family_key] for ref_key, family_key in state_keys.items()}


def _reference_run(ref, rule, w, dws, config, **options):
    """The reference's iterates ``[(next_w, state), ...]`` of ``rule`` from ``config`` over ``dws``."""
    fn = getattr(ref, rule)
    config = {k: (np.array(v) if isinstance(v, np.ndarray) else v) for k, v in config.items()}
    runs = []
    for dw in dws:
        w, config = fn(w, dw, config, **options)
        runs.append((w, {k: config[k] for k in ("velocity", "cache", "m", "v", "t") if k in config}))
    return runs


def _opposite_velocity_run(expected, w, dws, config):
    """Momentum with the velocity stored negated (``v ← μv + lr·dw``, ``w ← w − v``) from the given
    state, each step starting from the reference's previous ``next_w`` (as the check does)."""
    lr, mu = config["learning_rate"], config["momentum"]
    v, runs, previous = np.array(config.get("velocity", np.zeros_like(w))), [], w
    for i, dw in enumerate(dws):
        v = mu * v + lr * dw
        runs.append((previous - v, {"velocity": v}))
        previous = np.asarray(expected[i][0])
    return runs


def _adam_t_after_run(ref, w, dws, config):
    """The reference's Adam with ``t`` used in the bias correction before it is incremented: a step from
    ``t`` uses ``t`` (the reference uses ``t + 1``); from ``t = 0`` it divides by 1 − β⁰ = 0 (NaN)."""
    config = {k: (np.array(v) if isinstance(v, np.ndarray) else v) for k, v in config.items()}
    t, runs = config.get("t", 0), []
    for dw in dws:
        next_w, config = ref.adam(w, dw, dict(config, t=max(t - 1, 0)))
        if t == 0:
            next_w = np.full_like(next_w, np.nan)
        t += 1
        config["t"] = t
        runs.append((next_w, {k: config[k] for k in ("m", "v", "t")}))
        w = next_w
    return runs


register("adam-no-bias-correction", "Adam without bias correction")
register("adam-t-from-1", "t started at 1 (it must start at 0 and be incremented before use)")
register("adam-t-after-use",
         "t incremented after its use in the bias correction (t counts the steps done: increment it before use)",
         "t incremented after its use in the bias correction: {detail} (t counts the steps done: increment it "
         "before use)")
register("adam-t-from-1-after-use", "t started at 1 and incremented after its use in the bias correction (the "
         "updates agree, but t counts the steps done: start at 0 and increment it before use)")
register("adam-moments-swapped", "the two moments stored under each other's keys",
         "the two moments stored under each other's keys ({first} is the first moment)")
register("velocity-sign", "velocity stored with the opposite sign (v = μv + lr·dw, w −= v; the starter's is "
         "v = μv − lr·dw, w += v)")
register("nesterov-as-momentum", "plain momentum: the Nesterov look-ahead term μ(v_new − v) is missing")
T_AFTER_USE = cause("adam-t-after-use")
T_AFTER_USE_FROM_0 = cause("adam-t-after-use", detail="the first step divides by 1 − β⁰ = 0")
T_FROM_1_AFTER_USE = cause("adam-t-from-1-after-use")


def _alternative_runs(golden, rule, w, dws, config, expected=None):
    """Reference runs of the misconceptions named in the feedback (momentum, Nesterov, Adam)."""
    if rule == "sgd_momentum" and "velocity" in config and expected is not None:
        return {cause("velocity-sign"): golden("momentum_opposite_velocity",
                                               lambda ref: _opposite_velocity_run(expected, w, dws, config))}
    if rule == "sgd_nesterov_momentum":
        return {cause("nesterov-as-momentum"): golden(
            "nesterov_as_momentum", lambda ref: _reference_run(ref, "sgd_momentum", w, dws, config))}
    if rule != "adam":
        return {}
    runs = {cause("adam-no-bias-correction"): golden(
        "adam_no_bias_correction", lambda ref: _reference_run(ref, rule, w, dws, config, bias_correction=False))}
    if "t" not in config:
        started = dict(config, t=1)
        runs[cause("adam-t-from-1")] = golden(
            "adam_t_from_1", lambda ref: _reference_run(ref, rule, w, dws, started))
    after_use = T_AFTER_USE if config.get("t", 0) else T_AFTER_USE_FROM_0
    runs[after_use] = golden("adam_t_after_use", lambda ref: _adam_t_after_run(ref, w, dws, config))
    return runs


def _nonfinite_match(actual, alternatives):
    """The first alternative with NaN and inf exactly where ``actual`` has them and the same finite values
    (``diagnose`` names no cause for non-finite values), or None."""
    if type(actual) is not np.ndarray or actual.dtype.kind != "f" or np.isfinite(actual).all():
        return None
    for phrase, value in alternatives.items():
        h = np.asarray(value, dtype=np.float64)
        if h.shape == actual.shape and np.array_equal(np.isnan(h), np.isnan(actual)) and \
                np.array_equal(np.isinf(h), np.isinf(actual)) and \
                np.allclose(actual[np.isfinite(actual)], h[np.isfinite(h)], rtol=1e-6, atol=1e-8):
            return as_cause(phrase)
    return None


def _assert_update(actual, expected, name, alternatives):
    """``assert_close`` of an update, also naming the alternative that has the same NaN/inf entries."""
    result = compare(actual, expected, name=name, alternatives=alternatives)
    if result.ok:
        return
    diagnosis = result.diagnosis or _nonfinite_match(actual, alternatives)
    message = result.message
    if diagnosis and not result.diagnosis:
        message += f" Likely cause: {diagnosis}."
    raise CheckFailure(message, diagnosis)


def check_optimizer_steps(step, golden, rng, rule, state_keys, *, steps=4, shape=(4, 5), mid_run=False):
    """``steps`` updates of ``rule`` with non-default hyperparameters; each ``next_w`` and the final state
    match the reference. ``mid_run`` starts from a given state (and, for Adam, ``t = 5``)."""
    w = rng.standard_normal(shape)
    dws = [nonzero_normal(rng, shape, margin=0.3) for _ in range(steps)]
    config = dict(HYPERPARAMETERS[rule])
    if mid_run:
        for ref_key in state_keys:
            if ref_key == "t":
                config["t"] = 5
            elif ref_key in ("cache", "v"):
                config[ref_key] = 0.5 + rng.random(shape)
            else:
                config[ref_key] = 0.3 * rng.standard_normal(shape)
    expected = golden(f"{rule}_steps", lambda ref: _reference_run(ref, rule, w, dws, config))
    alternatives = _alternative_runs(golden, rule, w, dws, config, expected)

    current_w, current_config = w.copy(), _to_family(config, state_keys)
    for i, dw in enumerate(dws):
        result = step(current_w.copy(), dw.copy(), current_config)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise CheckFailure(f"{rule} should return the pair (next_w, config)")
        next_w, current_config = result
        _assert_update(next_w, expected[i][0], f"next_w after step {i + 1}",
                       {name: run[i][0] for name, run in alternatives.items()})
        current_w = np.asarray(expected[i][0])
        if state_keys:
            state = _state_of(current_config, state_keys, rule)
    if state_keys:  # compared under the family's own key names
        family = {state_keys[k]: v for k, v in state.items()}
        want = {state_keys[k]: v for k, v in expected[-1][1].items() if k in state_keys}
        alternatives = {}
        if rule == "adam":
            first, second = state_keys["m"], state_keys["v"]
            alternatives[cause("adam-moments-swapped", first=repr(first))] = \
                dict(want, **{first: want[second], second: want[first]})
            if "t" not in config:  # every update right, yet t one ahead
                alternatives[T_FROM_1_AFTER_USE] = dict(want, **{state_keys["t"]: want[state_keys["t"]] + 1})
        assert_close(family, want, name=f"state after {steps} steps", alternatives=alternatives)


register("default-changed", "a default hyperparameter changed from the starter's")
DEFAULT_CHANGED = cause("default-changed")


def _changed_defaults(config, defaults):
    """``"config['momentum'] = 0.5 (the starter's default is 0.9)"``, ... for each hyperparameter the
    student's returned ``config`` holds with another value than the reference's default."""
    if not isinstance(config, dict):
        return []
    changed = []
    for key, default in defaults.items():
        value = config.get(key)
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)) \
                and not np.isclose(float(value), default, rtol=1e-9, atol=0):
            changed.append(f"config[{key!r}] = {float(value):g} (the starter's default is {default:g})")
    return changed


def check_optimizer_defaults(step, golden, rng, rule, state_keys, *, shape=(3, 4)):
    """With ``config=None`` the rule fills in the default hyperparameters (lr 1e-2, Adam lr 1e-3,
    momentum 0.9, decay_rate 0.99, beta1 0.9, beta2 0.999, epsilon 1e-8): two updates match. The course's
    notebooks pass only ``learning_rate`` (the Solver's ``optim_config``), so the defaults are graded; a
    default the returned config shows changed is named."""
    w = rng.standard_normal(shape)
    dws = [nonzero_normal(rng, shape, margin=0.3) for _ in range(2)]
    iterates = golden(f"{rule}_defaults", lambda ref: [r[0] for r in _reference_run(ref, rule, w, dws, {})])
    defaults = golden(f"{rule}_default_config", lambda ref: {
        k: float(v) for k, v in getattr(ref, rule)(w.copy(), dws[0].copy(), None)[1].items()
        if k in HYPERPARAMETERS[rule]})
    expected = [iterates[0] - w, iterates[1] - iterates[0]]
    alternatives = {name: run[0][0] - w for name, run in _alternative_runs(golden, rule, w, dws, {}).items()}
    next_w, config = step(w.copy(), dws[0].copy(), None)
    changed = _changed_defaults(config, defaults)
    try:
        _assert_update(np.asarray(next_w) - w, expected[0], "first update (next_w - w)", alternatives)
        second_w, _ = step(np.asarray(next_w).copy(), dws[1].copy(), config)
        assert_close(np.asarray(second_w) - np.asarray(next_w), expected[1], name="second update")
    except CheckFailure as exc:
        if exc.diagnosis or not changed:
            raise
        raise CheckFailure(f"{exc} After a call with config=None, {'; '.join(changed)}: code that passes "
                           "only the learning rate (the notebooks' Solver) relies on the defaults.",
                           DEFAULT_CHANGED) from None
