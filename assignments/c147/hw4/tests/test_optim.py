"""c147 hw4: update rules (nndl/optim.py); state keys velocity, rmsprop a, adam v (first moment),
a (second moment), t."""

import pytest

from grader.topics import optim

RULES = ["sgd", "sgd_momentum", "sgd_nesterov_momentum", "rmsprop", "adam"]
STATEFUL = RULES[1:]


@pytest.mark.points(2)
@pytest.mark.parametrize("rule", RULES)
def test_steps(student, golden, rng, rule):
    """{rule}: four updates from a fresh config match the reference"""
    optim.check_optimizer_steps(getattr(student, rule), golden, rng, rule, optim.C147_KEYS[rule])


@pytest.mark.points(1)
@pytest.mark.parametrize("rule", STATEFUL)
def test_mid_run(student, golden, rng, rule):
    """{rule}: updates from a mid-run state in config match the reference"""
    optim.check_optimizer_steps(getattr(student, rule), golden, rng, rule, optim.C147_KEYS[rule], mid_run=True)


@pytest.mark.points(1)
@pytest.mark.parametrize("rule", RULES)
def test_defaults(student, golden, rng, rule):
    """{rule}: default hyperparameters when config is None"""
    optim.check_optimizer_defaults(getattr(student, rule), golden, rng, rule, optim.C147_KEYS[rule])
