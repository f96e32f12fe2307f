"""One submission through the runner: verdicts, hidden redaction, determinism, reports."""

import json

import jsonschema

from grader.report.gradescope import results_json, write_results
from grader.runner import collect, grade, grade_many

from helpers import MINI, SCHEMA, write_submission


def test_examples_get_their_expected_verdicts(mini):
    expected = mini.expected_failures()
    results = grade_many(mini, [MINI / "examples" / name for name in expected])
    for name, result in zip(expected, results):
        assert sorted(result.failing()) == sorted(expected[name]), name
    correct = results[0]
    assert correct.score == correct.max_score == 4


def test_report_validates_and_hides_hidden_details(mini, tmp_path):
    result = grade(mini, MINI / "examples" / "wrong")
    report = results_json(result, mini.title)
    jsonschema.validate(report, SCHEMA)
    write_results(report, tmp_path / "results.json")
    text = (tmp_path / "results.json").read_text()
    hidden = [t for t in report["tests"] if t["visibility"] == "after_due_date"]
    assert hidden and all(t["status"] == "passed" or "differ" in t["output"] for t in hidden)
    assert "CANARY" not in text
    relu = next(t for t in report["tests"] if t["name"].startswith("relu_forward"))
    assert "a returned string is a note for the feedback" in relu["output"]
    visible_failure = next(t for t in report["tests"] if t["status"] == "failed" and t["visibility"] == "visible")
    assert "factor 2" in visible_failure["output"]


def test_grading_twice_gives_the_same_scores(mini):
    first, second = grade_many(mini, [MINI / "examples" / "wrong"] * 2)
    assert [(o.name, o.score) for o in first.outcomes] == [(o.name, o.score) for o in second.outcomes]


def test_public_only_leaves_hidden_tests_out(mini):
    result = grade(mini, MINI / "examples" / "correct", public_only=True)
    assert [o.name for o in result.outcomes] == [
        "affine_forward: output matches the reference", "relu_forward: output matches the reference"]


def test_collect_lists_names_and_points(mini):
    assert collect(mini) == [("affine_forward: output matches the reference", 2.0, False),
                             ("relu_forward: output matches the reference", 1.0, False),
                             ("affine_forward: a batch of one", 1.0, True)]


def test_a_crash_spoils_only_its_tests(mini, tmp_path):
    sub = write_submission(tmp_path / "s", {"layers.py": (
        "import numpy as np, os\n"
        "def affine_forward(x, w, b):\n    os._exit(3)\n"
        "def relu_forward(x):\n    return np.maximum(x, 0), x\n")})
    result = grade(mini, sub)
    kinds = {o.name: o.kind for o in result.outcomes}
    assert kinds["affine_forward: output matches the reference"] == "crash"
    assert kinds["relu_forward: output matches the reference"] == "passed"


def test_a_missing_name_is_explained(mini, tmp_path):
    sub = write_submission(tmp_path / "s", {"layers.py": "import numpy as np\ndef relu_forward(x):\n    return np.maximum(x, 0), x\n"})
    result = grade(mini, sub)
    affine = next(o for o in result.outcomes if o.name.startswith("affine_forward: output"))
    assert affine.kind == "missing" and "affine_forward" in affine.output


def test_public_inputs_depend_on_the_submission_when_grading(mini, tmp_path):
    """At grading time public tests get inputs salted by the submission, as hidden ones do, so answers
    recorded from a student kit's fixed inputs are of no use; the same submission gets the same inputs."""
    code = (MINI / "examples" / "correct" / "layers.py").read_text().replace(
        "def relu_forward(x):\n", "def relu_forward(x):\n    print('INPUT', repr(float(x.sum())))\n")
    first = write_submission(tmp_path / "a", {"layers.py": code})
    second = write_submission(tmp_path / "b", {"layers.py": code + "\n# another comment\n"})
    inputs = [[line for line in grade(mini, sub).student_output.splitlines() if "INPUT" in line]
              for sub in (first, first, second)]
    assert inputs[0] and inputs[0] == inputs[1] and inputs[0] != inputs[2]
