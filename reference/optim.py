"""First-order update rules (lecture 003), cs231n form ``f(w, dw, config=None) -> (next_w, config)``.

State keys (cs231n): momentum ``velocity``; adagrad and rmsprop ``cache``; adam ``m``, ``v``, ``t``.
``config`` is filled with defaults, updated with the new state (fresh arrays) and returned — the
same dict object, as cs231n's tests read it. ``w`` is never modified in place.

``epsilon`` is added outside the square root (cs231n): ``w − lr g / (sqrt(a) + eps)``; pass
``eps_inside_sqrt=True`` for the lecture's ``w − lr g / sqrt(a + ν)``.
"""

import numpy as np

from ._validate import float_array, real_number, same_shape

__all__ = ["sgd", "sgd_momentum", "sgd_nesterov_momentum", "adagrad", "rmsprop", "adam"]


def _start(w, dw, config, defaults):
    w = float_array("w", w)
    dw = float_array("dw", dw)
    same_shape("dw", dw, "w", w)
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise ValueError(f"config must be a dict or None, got {type(config).__name__}")
    for key, value in defaults.items():
        config.setdefault(key, value)
    return w, dw, config


def _rate(config, key, low_open=False, high=None, high_open=False):
    return real_number(f"config[{key!r}]", config[key], low=0, low_open=low_open, high=high,
                       high_open=high_open)


def _state(config, key, w):
    value = config.get(key)
    if value is None:
        return np.zeros_like(w)
    value = float_array(f"config[{key!r}]", value)
    same_shape(f"config[{key!r}]", value, "w", w)
    return value


def _root(a, eps, inside):
    return np.sqrt(a + eps) if inside else np.sqrt(a) + eps


def sgd(w, dw, config=None):
    """``w − learning_rate * dw``; default ``learning_rate`` 1e-2."""
    w, dw, config = _start(w, dw, config, {"learning_rate": 1e-2})
    return w - _rate(config, "learning_rate") * dw, config


def sgd_momentum(w, dw, config=None):
    """``v ← μ v − lr dw``, ``w ← w + v``; defaults lr 1e-2, ``momentum`` μ 0.9, ``velocity`` 0."""
    w, dw, config = _start(w, dw, config, {"learning_rate": 1e-2, "momentum": 0.9})
    lr, mu = _rate(config, "learning_rate"), _rate(config, "momentum", high=1)
    v = mu * _state(config, "velocity", w) - lr * dw
    config["velocity"] = v
    return w + v, config


def sgd_nesterov_momentum(w, dw, config=None):
    """Nesterov momentum (cs231n notes form): ``v_new = μ v − lr dw``,
    ``w ← w − μ v + (1 + μ) v_new`` (= ``w + v_new + μ (v_new − v)``); defaults as momentum.
    """
    w, dw, config = _start(w, dw, config, {"learning_rate": 1e-2, "momentum": 0.9})
    lr, mu = _rate(config, "learning_rate"), _rate(config, "momentum", high=1)
    v_old = _state(config, "velocity", w)
    v = mu * v_old - lr * dw
    config["velocity"] = v
    return w - mu * v_old + (1.0 + mu) * v, config


def adagrad(w, dw, config=None, eps_inside_sqrt=False):
    """``a ← a + dw²``, ``w ← w − lr dw / (sqrt(a) + eps)``; defaults lr 1e-2, ``epsilon`` 1e-7,
    ``cache`` (a) 0.
    """
    w, dw, config = _start(w, dw, config, {"learning_rate": 1e-2, "epsilon": 1e-7})
    lr, eps = _rate(config, "learning_rate"), _rate(config, "epsilon")
    a = _state(config, "cache", w) + dw * dw
    config["cache"] = a
    return w - lr * dw / _root(a, eps, eps_inside_sqrt), config


def rmsprop(w, dw, config=None, eps_inside_sqrt=False):
    """``a ← β a + (1 − β) dw²``, ``w ← w − lr dw / (sqrt(a) + eps)``; defaults lr 1e-2,
    ``decay_rate`` β 0.99, ``epsilon`` 1e-8, ``cache`` (a) 0.
    """
    w, dw, config = _start(w, dw, config,
                           {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8})
    lr, eps = _rate(config, "learning_rate"), _rate(config, "epsilon")
    beta = _rate(config, "decay_rate", high=1)
    a = beta * _state(config, "cache", w) + (1.0 - beta) * dw * dw
    config["cache"] = a
    return w - lr * dw / _root(a, eps, eps_inside_sqrt), config


def adam(w, dw, config=None, bias_correction=True, eps_inside_sqrt=False):
    """Adam: ``t ← t + 1``, ``m ← β1 m + (1 − β1) dw``, ``v ← β2 v + (1 − β2) dw²``,
    ``m̃ = m / (1 − β1ᵗ)``, ``ṽ = v / (1 − β2ᵗ)`` (plain ``m, v`` if not ``bias_correction``),
    ``w ← w − lr m̃ / (sqrt(ṽ) + eps)``. Defaults lr 1e-3, ``beta1`` 0.9, ``beta2`` 0.999,
    ``epsilon`` 1e-8, ``m = v = 0``, ``t = 0`` (incremented before use).
    """
    w, dw, config = _start(w, dw, config, {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999,
                                           "epsilon": 1e-8, "t": 0})
    lr, eps = _rate(config, "learning_rate"), _rate(config, "epsilon")
    beta1 = _rate(config, "beta1", high=1, high_open=True)
    beta2 = _rate(config, "beta2", high=1, high_open=True)
    t = config["t"]
    if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer)) or t < 0:
        raise ValueError(f"config['t'] must be a non-negative integer, got {t!r}")
    t = int(t) + 1
    m = beta1 * _state(config, "m", w) + (1.0 - beta1) * dw
    v = beta2 * _state(config, "v", w) + (1.0 - beta2) * dw * dw
    config.update(t=t, m=m, v=v)
    if bias_correction:
        m_hat, v_hat = m / (1.0 - beta1 ** t), v / (1.0 - beta2 ** t)
    else:
        m_hat, v_hat = m, v
    return w - lr * m_hat / _root(v_hat, eps, eps_inside_sqrt), config
