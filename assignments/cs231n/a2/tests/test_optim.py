"""cs231n a2: update rules (cs231n/optim.py); state keys velocity, rmsprop cache, adam m, v, t."""

import pytest

from grader.topics import optim

RULES = ["sgd", "sgd_momentum", "rmsprop", "adam"]


@pytest.mark.points(2)
@pytest.mark.parametrize("rule", RULES)
def test_steps(student, golden, rng, rule):
    """{rule}: four updates from a fresh config match the reference"""
    optim.check_optimizer_steps(getattr(student, rule), golden, rng, rule, optim.CS231N_KEYS[rule])


@pytest.mark.points(1)
@pytest.mark.parametrize("rule", RULES[1:])
def test_mid_run(student, golden, rng, rule):
    """{rule}: updates from a mid-run state in config match the reference"""
    optim.check_optimizer_steps(getattr(student, rule), golden, rng, rule, optim.CS231N_KEYS[rule], mid_run=True)


@pytest.mark.points(1)
@pytest.mark.parametrize("rule", RULES)
def test_defaults(student, golden, rng, rule):
    """{rule}: default hyperparameters when config is None"""
    optim.check_optimizer_defaults(getattr(student, rule), golden, rng, rule, optim.CS231N_KEYS[rule])
