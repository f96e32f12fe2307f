"""A gradient check that cannot decide reruns its whole test on a new draw of the inputs (a correct
CNN whose max-pool kinks left every direction undecided lost a point before); a test that stays
undecided on every draw earns nothing."""

import shutil

from grader.assignment import load_assignment
from grader.runner import grade_many

from helpers import MINI

EXTRA = '''from grader.checks import Inconclusive

SEEN = []


def test_undecided_once(student, rng):
    """relu_forward: undecided on the first draw only"""
    SEEN.append(float(rng.random()))
    if len(SEEN) == 1:
        raise Inconclusive("every direction straddles a kink")
    assert SEEN[0] != SEEN[-1]  # a new draw of the inputs


def test_always_undecided(student, rng):
    """affine_forward: never decided"""
    raise Inconclusive("values change from one call to the next")
'''


def test_an_undecided_check_is_redrawn_and_one_never_decided_earns_nothing(tmp_path):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    (folder / "tests" / "test_undecided.py").write_text(EXTRA)
    result = grade_many(load_assignment(folder), [folder / "examples" / "correct"])[0]
    outcomes = {o.name: o for o in result.outcomes}
    assert outcomes["relu_forward: undecided on the first draw only"].passed
    never = outcomes["affine_forward: never decided"]
    assert not never.passed and never.score == 0 and never.output.startswith("Could not be verified")
