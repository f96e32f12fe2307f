"""Attacks through the whole grader (threats.md §4): every attack submission of attacks.py is graded
by ``grader.runner.grade`` in this process, and those marked ``cli`` also by ``python -m grader grade
... --results F`` in a real process. For each, against its honest-wrong twin (the same code without
the attack): score(attack) <= score(twin) with the same max_score, results.json validates against
the schema, the grader process exits 0, no canary (hidden test, test helper, answer key) appears in
results.json or even in what the student's code printed, no process of the submission is left, no
file is forged or planted outside the sandbox, and the grader's, the assignment's and the answer
key's files are unchanged.

An attack that beats the grader is not hidden by weakening its test: it is listed in DEFECTS and
marked ``xfail(strict=True)``, so the suite stays green while the defect stays visible.
"""

import re
from pathlib import Path

import jsonschema
import pytest

from adversarial.attacks import ATTACKS
from helpers import SCHEMA

# (mode, attack name) -> what goes wrong; mode is "lib" (in-process) or "cli".
DEFECTS: dict[tuple[str, str], str] = {}

# What the student's code prints when an attack succeeded (in the instructor-only output).
SUCCESS_SIGNS = {
    "read_secrets": "READ-OK ",
    "import_grader_and_reference": "IMPORTED ",
    "network_exfiltration": "CONNECTED",
    "tamper_grader_files": "WRITABLE ",
}


def cases(mode):
    chosen = [a for a in ATTACKS if mode == "lib" or a.cli]
    return [pytest.param(a, id=f"{a.threat}-{a.name}", marks=[pytest.mark.xfail(strict=True, reason=DEFECTS[mode, a.name])]
                         if (mode, a.name) in DEFECTS else []) for a in chosen]


def assert_not_better(run, twin):
    assert run.report["tests"], "results.json has no tests"
    assert len(run.text) < 1_000_000, "results.json over 1 MB"
    assert run.report["score"] <= twin.report["score"], (
        f"the attack scored {run.report['score']} but its honest-wrong twin {twin.report['score']}")
    assert sum(t["max_score"] for t in run.report["tests"]) == sum(t["max_score"] for t in twin.report["tests"])
    graded = lambda r: [t["name"] for t in r.report["tests"] if t["visibility"] != "hidden"]  # not the flags
    assert graded(run) == graded(twin)


def assert_no_secret(run, arena, attack, place):
    for where, canary in arena.canaries.items():
        assert canary not in run.text, f"the {where} canary is in results.json"
        assert canary not in run.instructor, f"the student's code found the {where} canary"
    sign = SUCCESS_SIGNS.get(attack.name)
    if sign == "READ-OK ":
        secret = (place["ASSIGNMENT"], place["REFERENCE"], place["GRADER"])
        read = [line for line in run.instructor.splitlines()
                if line.startswith(sign) and line[len(sign):].startswith(secret)]
        assert not read, f"the student's code read secret files: {read[:3]}"
    elif sign:
        assert not re.search(rf"(^|\n){sign}", run.instructor), f"the attack reports success: {sign!r}"


def assert_others_still_graded(run, attack):
    """An attack in affine_forward spoils only its tests: relu_forward is still graded (and right)."""
    relu = next(t for t in run.report["tests"] if t["name"].startswith("relu_forward"))
    if not attack.spoils_others:
        assert relu["status"] == "passed", relu["output"]


def assert_clean_after(arena, place):
    assert arena.leftovers(place["MARK"]) == [], "processes of the submission are still running"
    assert arena.stray_files(place["MARK"]) == [], "the attack planted files outside its sandbox"
    assert arena.tampered() == [], "the grader's, the assignment's or the answer key's files changed"


@pytest.mark.parametrize("attack", cases("lib"))
def test_attack_graded_in_process(attack, arena, twins, cli_runs):  # cli_runs: started early, they overlap
    place = arena.place(attack.name, cli=False)
    twin = twins["notebook" if attack.notebook else "py"]
    run = arena.grade_in_process(arena.write(attack, place))
    assert_not_better(run, twin)
    assert_no_secret(run, arena, attack, place)
    assert_clean_after(arena, place)
    assert_others_still_graded(run, attack)
    if attack.name == "network_exfiltration":
        assert arena.listener.received == b"" and arena.listener.connections == 0


@pytest.mark.parametrize("attack", cases("cli"))
def test_attack_graded_by_the_command_line(attack, arena, twins, cli_runs):
    place, future = cli_runs[attack.name]
    run = future.result()
    assert run.returncode == 0, run.instructor[-2000:]
    jsonschema.validate(run.report, SCHEMA)
    assert_not_better(run, twins["cli"])
    assert_no_secret(run, arena, attack, place)
    assert_clean_after(arena, place)
    assert Path(place["RESULTS"]).read_text() == run.text


def test_twins_are_graded_as_honest_wrong(twins):
    """The baseline itself: affine_forward wrong (public and hidden), relu_forward right."""
    for twin in twins.values():
        assert twin.returncode == 0
        assert (twin.report["score"], [t["status"] for t in twin.report["tests"]]) == (
            1.0, ["failed", "passed", "failed"])


def test_a_batch_grades_a_submission_after_attacks_as_if_it_were_alone(arena, twins):
    """Batch mode (T14, T20): attacks graded earlier in the same session leave nothing that changes the
    grade of the next submission (no daemon, no patched module, no poisoned file)."""
    from grader.runner import grade_many

    names = ("tamper_grader_files", "patch_grader_modules", "daemon_forge", "hijack_files", "pickle_payloads",
             "fork_bomb")
    places = [arena.place(name + "-batch", cli=False) for name in names]
    submissions = [arena.write(next(a for a in ATTACKS if a.name == name), place)
                   for name, place in zip(names, places)]
    submissions.append(arena.write(None, arena.place("twin-batch", cli=False)))
    results = grade_many(arena.assignment, submissions)
    alone = [(t["name"], t["score"], t["status"]) for t in twins["py"].report["tests"]]
    assert [(o.name, o.score, "passed" if o.passed else "failed") for o in results[-1].outcomes] == alone
    for name, result, place in zip(names, results, places):
        assert result.score <= twins["py"].report["score"], name
        assert_clean_after(arena, place)
