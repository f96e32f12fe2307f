"""A property the assignment does not ask for is a 0-point note (issue 11, item 4).

``@pytest.mark.requires("stability")`` tests count only where assignment.toml's ``[requires]`` asks for
the property (cs231n a1/a2, whose softmax docstrings warn of numeric instability); in c147 hw2/hw3
(neither notebooks nor starters mention it) an unstable softmax loses no points and is told so, in
results.json too. Real runner, real worker, real files.
"""

import shutil

import jsonschema
import pytest

from grader.assignment import AssignmentError, load_assignment
from grader.report.gradescope import results_json
from grader.runner import grade_many

from helpers import MINI, SCHEMA, variant_of

NOTE = "For information only (0 points): this assignment does not ask for numerical stability"


def _write_toml(folder, extra):
    toml = (MINI / "assignment.toml").read_text() + extra
    (folder / "assignment.toml").write_text(toml)


@pytest.mark.parametrize("extra, message", [
    ("\n[requires]\nstabilty = true\n", "unknown key(s) in [requires]: stabilty"),
    ("\n[requires]\nstability = 1\n", "[requires] stability must be true or false"),
    ("\nrequires = [\"stability\"]\n", None),   # a key of [names] after the table: caught as a bad name
])
def test_requires_table_mistakes_are_one_line_errors(tmp_path, extra, message):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    _write_toml(folder, extra)
    with pytest.raises(AssignmentError) as info:
        load_assignment(folder)
    if message:
        assert message in str(info.value)


def test_bundled_assignments_ask_for_stability_where_their_starters_do():
    asks = {name: "stability" in load_assignment(name).requires
            for name in ("c147/hw2", "c147/hw3", "cs231n/a1", "cs231n/a2")}
    assert asks == {"c147/hw2": False, "c147/hw3": False, "cs231n/a1": True, "cs231n/a2": True}


def test_an_unknown_property_in_the_marker_is_the_instructors_mistake(tmp_path):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    (folder / "tests" / "test_extra.py").write_text(
        'import pytest\n\n\n@pytest.mark.requires("stabilty")\ndef test_x(student):\n'
        '    """relu_forward: extra"""\n')
    with pytest.raises(AssignmentError, match="requires takes one of stability, dtype, speed"):
        grade_many(load_assignment(folder), [folder / "examples" / "correct"])


def test_a_marked_test_counts_where_the_assignment_asks(tmp_path):
    """The same failing marked test: 0 of 0 points without [requires], 0 of 2 with it."""
    scores = {}
    for asks in (False, True):
        folder = tmp_path / f"mini_{asks}"
        shutil.copytree(MINI, folder)
        _write_toml(folder, "\n[requires]\nstability = true\n" if asks else "")
        (folder / "tests" / "test_extra.py").write_text(
            'import pytest\n\n\n@pytest.mark.requires("stability")\n@pytest.mark.points(2)\n'
            'def test_x(student):\n    """relu_forward: stable"""\n    assert False, "overflow"\n')
        result = grade_many(load_assignment(folder), [folder / "examples" / "correct"])[0]
        outcome = next(o for o in result.outcomes if o.name == "relu_forward: stable")
        scores[asks] = (outcome.score, outcome.max_score, outcome.kind, outcome.output.startswith(NOTE))
    assert scores == {False: (0.0, 0.0, "info", True), True: (0.0, 2.0, "mismatch", False)}


def _graded(assignment, tmp_path, name, edits):
    return grade_many(assignment, [variant_of(tmp_path, assignment, name, edits)])[0]


def test_an_unstable_c147_softmax_loses_no_points_and_is_told(tmp_path):
    assignment = load_assignment("c147/hw2")
    result = _graded(assignment, tmp_path, "unstable", [
        ("nndl/softmax.py", "    scores = scores - np.max(scores, axis=1, keepdims=True)\n", "")])
    assert result.score == result.max_score
    stable = next(o for o in result.outcomes if "numerically stable" in o.name)
    assert (stable.kind, stable.passed, stable.max_score) == ("info", True, 0.0)  # said, not a failure
    report = results_json(result, assignment.title)
    jsonschema.validate(report, SCHEMA)
    entry = next(t for t in report["tests"] if "numerically stable" in t["name"])
    assert entry["score"] == entry["max_score"] == 0.0 and entry["status"] == "passed"
    assert entry["output"].startswith(NOTE) and "offset by 1000" in entry["output"]


def test_the_unstable_c147_hw3_example_loses_no_points():
    assignment = load_assignment("c147/hw3")
    result = grade_many(assignment, [assignment.examples()["bug_softmax_unstable"]])[0]
    assert result.failing() == [] and result.score == result.max_score
    stable = next(o for o in result.outcomes if o.name == "softmax_loss: numerically stable when every score is offset by 1000")
    assert stable.kind == "info" and stable.output.startswith(NOTE)


def test_an_unstable_cs231n_softmax_still_loses_the_stability_points(tmp_path):
    assignment = load_assignment("cs231n/a1")
    result = _graded(assignment, tmp_path, "unstable", [
        ("cs231n/classifiers/softmax.py", "    scores -= np.max(scores, axis=1, keepdims=True)\n", "")])
    lost = [(o.name, o.max_score) for o in result.outcomes if o.score < o.max_score]
    assert lost == [("softmax_loss_vectorized: numerically stable when every score is offset by 1000", 1.0)]
