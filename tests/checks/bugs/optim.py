"""Bugs in the optimizers (cs231n keys: momentum ``velocity``, rmsprop ``cache``, adam ``m``, ``v``, ``t``).

Each case runs three steps from an empty config on gradients bounded away from 0 (so epsilon inside or
outside the square root agree) and compares ``(w, config)`` after the last step.
"""
import numpy as np

from grader.checks.misconceptions import cause


from . import Bug

STEPS = 3


def optim_case(rng):
    w = rng.standard_normal((4, 3))
    dws = [np.sign(rng.standard_normal(w.shape)) * rng.uniform(0.5, 1.5, w.shape) for _ in range(STEPS)]
    return {"w": w, "dws": dws}


def run(update, a, config=None, **kwargs):
    """Three steps of ``update(w, dw, config)``; returns ``(w, config)``."""
    w, config = a["w"].copy(), config
    for dw in a["dws"]:
        w, config = update(w, dw.copy(), config, **kwargs)
    return w, config


def sgd_momentum_key_v(w, dw, config=None):
    config = config if config is not None else {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("v", np.zeros_like(w))  # the starter's key is 'velocity'
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["v"] = v
    return w + v, config


def sgd_momentum_old_velocity(w, dw, config=None):
    config = config if config is not None else {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    next_w = w + v  # steps with the velocity of the previous call
    config["velocity"] = config["momentum"] * v - config["learning_rate"] * dw
    return next_w, config


def rmsprop_cache_of_dw(w, dw, config=None):
    config = config if config is not None else {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    config["cache"] = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * np.abs(dw)
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), config


def _adam(w, dw, config, *, correct=True, t0=0, beta2_key="beta2"):
    """The shared body of the buggy Adams; each keyword flips one student bug."""
    config = config if config is not None else {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", t0)
    config["t"] += 1
    b1, b2, t = config["beta1"], config[beta2_key], config["t"]
    config["m"] = b1 * config["m"] + (1 - b1) * dw
    config["v"] = b2 * config["v"] + (1 - b2) * dw ** 2
    m, v = config["m"], config["v"]
    if correct:
        m, v = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return w - config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"]), config


def adam_no_bias_correction(w, dw, config=None):
    return _adam(w, dw, config, correct=False)


def adam_t_from_one(w, dw, config=None):
    return _adam(w, dw, config, t0=1)


def adam_beta1_for_both(w, dw, config=None):
    return _adam(w, dw, config, beta2_key="beta1")


BUGS = [
    Bug("sgd_momentum", "velocity stored under 'v'", "value", optim_case, lambda a: run(sgd_momentum_key_v, a),
        cause("state-key"), ("sgd_momentum",), expected=lambda ref, a: run(ref.sgd_momentum, a)),
    Bug("sgd_momentum", "steps with the previous velocity", "value", optim_case,
        lambda a: run(sgd_momentum_old_velocity, a), None, ("sgd_momentum",),
        expected=lambda ref, a: run(ref.sgd_momentum, a)),
    Bug("rmsprop", "cache of |dw| instead of dw²", "value", optim_case, lambda a: run(rmsprop_cache_of_dw, a),
        None, ("rmsprop",), expected=lambda ref, a: run(ref.rmsprop, a)),
    Bug("adam", "no bias correction", "value", optim_case, lambda a: run(adam_no_bias_correction, a),
        cause("adam-no-bias-correction"), ("adam",), expected=lambda ref, a: run(ref.adam, a),
        alternatives=lambda ref, a: {cause("adam-no-bias-correction"): run(ref.adam, a, bias_correction=False)}),
    Bug("adam", "t started at 1", "value", optim_case, lambda a: run(adam_t_from_one, a), cause("adam-t-from-1"),
        ("adam",), expected=lambda ref, a: run(ref.adam, a),
        alternatives=lambda ref, a: {cause("adam-t-from-1"): run(ref.adam, a, config={"t": 1})}),
    Bug("adam", "beta1 used for the second moment", "value", optim_case, lambda a: run(adam_beta1_for_both, a),
        None, ("adam",), expected=lambda ref, a: run(ref.adam, a)),
]
