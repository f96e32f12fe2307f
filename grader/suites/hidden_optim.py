"""Hidden suite: rmsprop and adam over longer runs (c147 hw4, cs231n a2)."""

import pytest

from grader.topics import optim


@pytest.mark.parametrize("rule", ["rmsprop", "adam"])
def test_long_run(student, family, golden, rng, rule):
    """{rule}: ten updates of a larger parameter from a mid-run state"""
    optim.check_optimizer_steps(getattr(student, rule), golden, rng, rule, family.state_keys(rule),
                                steps=10, shape=(6, 4), mid_run=True)  # 2-d, as the notebook passes
