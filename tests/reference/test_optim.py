import numpy as np
import pytest

from reference import adagrad, adam, rmsprop, sgd, sgd_momentum, sgd_nesterov_momentum

RULES = [sgd, sgd_momentum, sgd_nesterov_momentum, adagrad, rmsprop, adam]


def _grads(rng, steps, shape=(3, 4)):
    """Gradients bounded away from 0 (where eps inside/outside the sqrt would matter)."""
    g = rng.uniform(0.5, 2.0, (steps,) + shape)
    return g * rng.choice([-1.0, 1.0], g.shape)


def test_adam_first_steps_match_lecture_formulas(rng):
    w0 = rng.standard_normal((3, 4))
    gs = _grads(rng, 3)
    lr, b1, b2, nu = 1e-2, 0.9, 0.999, 1e-8
    # lecture 003, written out: t ← t+1; v ← β1 v + (1−β1) g; a ← β2 a + (1−β2) g⊙g;
    # ṽ = v / (1 − β1^t); ã = a / (1 − β2^t); θ ← θ − ε / sqrt(ã + ν) ⊙ ṽ
    theta, v, a = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    w, config = w0.copy(), {"learning_rate": lr}
    w_in, config_in = w0.copy(), {"learning_rate": lr}
    for t, g in enumerate(gs, start=1):
        v = b1 * v + (1 - b1) * g
        a = b2 * a + (1 - b2) * g * g
        v_tilde, a_tilde = v / (1 - b1 ** t), a / (1 - b2 ** t)
        theta = theta - lr / np.sqrt(a_tilde + nu) * v_tilde
        w, config = adam(w, g, config)
        w_in, config_in = adam(w_in, g, config_in, eps_inside_sqrt=True)
        assert config["t"] == t
        assert np.allclose(config["m"], v) and np.allclose(config["v"], a)
        assert np.allclose(w_in, theta, rtol=1e-12, atol=1e-14)
        assert np.allclose(w, theta, rtol=1e-7)          # eps outside: same when |g| is not tiny


def test_adam_first_step_is_lr_times_sign():
    w, config = adam(np.zeros(3), np.array([0.5, -2.0, 1.0]), {"learning_rate": 0.1})
    assert np.allclose(w, [-0.1, 0.1, -0.1], rtol=1e-6)
    assert config["t"] == 1


def test_adam_without_bias_correction(rng):
    g = _grads(rng, 1)[0]
    w, _ = adam(np.zeros_like(g), g, {}, bias_correction=False)
    assert np.allclose(w, -1e-3 * 0.1 * g / (np.sqrt(0.001 * g * g) + 1e-8))


def test_momentum_and_nesterov_match_lecture(rng):
    w0 = rng.standard_normal(5)
    gs = _grads(rng, 3, (5,))
    lr, mu = 0.05, 0.9
    theta, v = w0.copy(), np.zeros(5)
    w, config = w0.copy(), {"learning_rate": lr, "momentum": mu}
    wn, config_n = w0.copy(), {"learning_rate": lr, "momentum": mu}
    for g in gs:
        v_old = v
        v = mu * v - lr * g                  # v ← α v − ε g
        theta_n_expected = wn + v + mu * (v - v_old)
        theta = theta + v                    # θ ← θ + v
        w, config = sgd_momentum(w, g, config)
        wn, config_n = sgd_nesterov_momentum(wn, g, config_n)
        assert np.allclose(w, theta) and np.allclose(config["velocity"], v)
        assert np.allclose(wn, theta_n_expected)


def test_adagrad_and_rmsprop_match_lecture(rng):
    w0 = rng.standard_normal(5)
    gs = _grads(rng, 3, (5,))
    lr, beta, nu = 0.05, 0.99, 1e-7
    ta, a_sum = w0.copy(), np.zeros(5)
    tr, a_avg = w0.copy(), np.zeros(5)
    wa, ca = w0.copy(), {"learning_rate": lr, "epsilon": nu}
    wr, cr = w0.copy(), {"learning_rate": lr, "epsilon": nu, "decay_rate": beta}
    for g in gs:
        a_sum = a_sum + g * g
        ta = ta - lr / np.sqrt(a_sum + nu) * g
        a_avg = beta * a_avg + (1 - beta) * g * g
        tr = tr - lr / np.sqrt(a_avg + nu) * g
        wa, ca = adagrad(wa, g, ca, eps_inside_sqrt=True)
        wr, cr = rmsprop(wr, g, cr, eps_inside_sqrt=True)
        assert np.allclose(wa, ta, rtol=1e-12) and np.allclose(ca["cache"], a_sum)
        assert np.allclose(wr, tr, rtol=1e-12) and np.allclose(cr["cache"], a_avg)


def test_defaults():
    w, dw = np.zeros(2), np.ones(2)
    assert np.allclose(sgd(w, dw)[0], -1e-2)
    _, c = rmsprop(w, dw)
    assert (c["learning_rate"], c["decay_rate"], c["epsilon"]) == (1e-2, 0.99, 1e-8)
    _, c = adam(w, dw)
    assert (c["learning_rate"], c["beta1"], c["beta2"], c["epsilon"], c["t"]) == (
        1e-3, 0.9, 0.999, 1e-8, 1)
    _, c = sgd_momentum(w, dw)
    assert c["momentum"] == 0.9


@pytest.mark.parametrize("rule", RULES)
def test_w_and_state_never_modified_in_place(rng, rule):
    w = rng.standard_normal(4)
    w_copy = w.copy()
    config = {}
    rule(w, np.ones(4), config)
    state = {k: v.copy() for k, v in config.items() if isinstance(v, np.ndarray)}
    next_w, config2 = rule(w, np.ones(4), config)
    assert config2 is config
    assert np.array_equal(w, w_copy)
    for k, v in state.items():                 # old state arrays were replaced, not overwritten
        assert not np.shares_memory(v, config[k])


@pytest.mark.parametrize("rule", RULES)
def test_bad_arguments(rule):
    with pytest.raises(ValueError, match="dw must have the shape"):
        rule(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="floating"):
        rule(np.zeros(3, dtype=np.int64), np.zeros(3))
    with pytest.raises(ValueError, match="learning_rate"):
        rule(np.zeros(3), np.zeros(3), {"learning_rate": -1.0})
    with pytest.raises(ValueError, match="config"):
        rule(np.zeros(3), np.zeros(3), [("learning_rate", 1.0)])


def test_adam_bad_state():
    with pytest.raises(ValueError, match="config\\['m'\\]"):
        adam(np.zeros(3), np.ones(3), {"m": np.zeros(4)})
    with pytest.raises(ValueError, match="t"):
        adam(np.zeros(3), np.ones(3), {"t": 1.5})
    with pytest.raises(ValueError, match="beta1"):
        adam(np.zeros(3), np.ones(3), {"beta1": 1.0})


@pytest.mark.parametrize("rule, a_first", [
    (adagrad, lambda g: g * g),
    (rmsprop, lambda g: 0.01 * g * g),
    (adam, lambda g: g * g),                    # bias-corrected second moment after one step
])
def test_epsilon_outside_sqrt_by_default(rule, a_first):
    """A tiny gradient separates ``sqrt(a) + eps`` (cs231n default) from ``sqrt(a + eps)``."""
    g = np.array([1e-5, -2e-5])
    eps = 1e-8
    w, _ = rule(np.zeros(2), g, {"learning_rate": 0.1, "epsilon": eps})
    w_inside, _ = rule(np.zeros(2), g, {"learning_rate": 0.1, "epsilon": eps}, eps_inside_sqrt=True)
    # adam's bias-corrected first moment after one step is g itself
    assert np.allclose(w, -0.1 * g / (np.sqrt(a_first(g)) + eps), rtol=1e-10)
    assert np.allclose(w_inside, -0.1 * g / np.sqrt(a_first(g) + eps), rtol=1e-10)
    assert not np.allclose(w, w_inside, rtol=1e-3)
