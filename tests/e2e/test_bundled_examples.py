"""Every example submission of every bundled assignment gets exactly its expected verdicts.

``examples/expected.toml`` lists, for each example, the report names of the tests that must fail and the
misconceptions its feedback must name (``diagnosis``: ids of grader.checks.misconceptions; every example
whose feedback names one records it); every other
test must pass (correct variants: none may fail), and none is flagged for a forbidden shortcut. Every
diagnosis the feedback gives names a registered misconception (no ad-hoc phrase: a batch counts it by
id). Each assignment is graded in one session, as a batch would be, and every report must validate
against the Gradescope schema.
"""

import shutil

import jsonschema
import pytest

from grader.assignment import bundled_names, load_assignment
from grader.report.gradescope import results_json
from grader.runner import grade_many

from helpers import SCHEMA


def test_every_bundled_assignment_has_examples_with_expectations():
    names = bundled_names()
    assert {"c147/hw1", "c147/hw2", "c147/hw3", "c147/hw4", "c147/hw5", "cs231n/a1", "cs231n/a2",
            "cs231n/a3"} <= set(names)
    for name in names:
        assignment = load_assignment(name)
        expected = assignment.expected_failures()
        assert "correct" in expected and expected["correct"] == [], name
        assert set(expected) == set(assignment.examples()), name
        assert sum(1 for e in expected if e.startswith("bug")) >= 4, name


@pytest.mark.parametrize("name", bundled_names())
def test_examples_get_exactly_their_expected_verdicts(name):
    assignment = load_assignment(name)
    examples = assignment.examples()
    expected = assignment.expected_failures()
    diagnoses = assignment.expected_diagnoses()
    results = grade_many(assignment, list(examples.values()))
    problems = []
    for label, result in zip(examples, results):
        jsonschema.validate(results_json(result, assignment.title), SCHEMA)
        internal = [o.name for o in result.outcomes if o.kind == "internal"]
        if internal:
            problems.append(f"{label}: internal errors in {internal}")
        if result.flags:  # no honest code, right or wrong, is taken for a forbidden shortcut
            problems.append(f"{label}: flagged {result.flags}")
        failed = [o for o in result.outcomes if not o.passed]
        named = {i for o in failed for i in o.misconceptions}
        unnamed = sorted(set(diagnoses.get(label, [])) - named)
        if unnamed:  # the quality of the feedback, not only the score
            problems.append(f"{label}: the feedback does not name {unnamed} (it names {sorted(named)})")
        if named and not diagnoses.get(label):
            problems.append(f"{label}: its feedback names {sorted(named)}: record the ids in expected.toml")
        phrases = [o.diagnosis for o in failed if o.diagnosis and not o.misconceptions]
        if phrases:
            problems.append(f"{label}: diagnoses that name no registered misconception: {phrases}")
        got, want = set(result.failing()), set(expected.get(label, []))
        if got != want:
            problems.append(f"{label}: unexpected failures {sorted(got - want)}, unexpected passes {sorted(want - got)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", ["c147/hw4", "cs231n/a2"])
def test_a_flat_upload_of_the_correct_example_gets_full_marks(name, tmp_path):
    """Gradescope's drag-and-drop drops the folders: `layers.py` must still serve `from nndl.layers import *`."""
    assignment = load_assignment(name)
    for path in assignment.examples()["correct"].rglob("*.py"):
        if path.name != "__init__.py":
            shutil.copy(path, tmp_path / path.name)
    result = grade_many(assignment, [tmp_path])[0]
    assert [o.name for o in result.outcomes if o.score < o.max_score] == []
