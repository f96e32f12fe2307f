"""Suite: update rules (c147 hw4, cs231n a2); ``rule`` is given by the assignment (``adapt(test,
rule=[...])``: the families' optimizers differ), the state keys by ``family.state_keys(rule)``."""

import pytest

from grader.topics import optim


@pytest.mark.points(2)
def test_steps(student, family, golden, rng, rule):
    """{rule}: four updates from a fresh config match the reference"""
    optim.check_optimizer_steps(getattr(student, rule), golden, rng, rule, family.state_keys(rule))


@pytest.mark.points(1)
def test_mid_run(student, family, golden, rng, rule):
    """{rule}: updates from a mid-run state in config match the reference"""
    optim.check_optimizer_steps(getattr(student, rule), golden, rng, rule, family.state_keys(rule), mid_run=True)


@pytest.mark.points(1)
def test_defaults(student, family, golden, rng, rule):
    """{rule}: default hyperparameters when config is None"""
    optim.check_optimizer_defaults(getattr(student, rule), golden, rng, rule, family.state_keys(rule))
