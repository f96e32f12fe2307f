"""What the student is told about their own code: notes made while it ran (shown), its output (kept
for the instructor), a graded name that timed out (not called again), a time budget used up."""

import shutil

from grader.assignment import load_assignment
from grader.report.feedback import render_feedback
from grader.report.gradescope import results_json
from grader.report.terminal import render_table
from grader.runner import grade

from helpers import MINI, write_submission

NOTED = ("import numpy as np\nfrom nowhere_module import mode\nprint('STUDENT-STDOUT-MARK')\n"
         "def affine_forward(x, w, b):\n    return x.reshape(x.shape[0], -1) @ w + b, (x, w, b)\n"
         "def relu_forward(x):\n    return mode(x), x\n")
SKIPPED = "layers.py, line 2: skipped `from nowhere_module import mode` (ModuleNotFoundError"


def test_notes_on_the_students_code_are_shown_and_its_output_is_not(mini, tmp_path):
    result = grade(mini, write_submission(tmp_path / "s", {"layers.py": NOTED}))
    assert {o.name.split(":")[0]: o.kind for o in result.outcomes} == {
        "affine_forward": "passed", "relu_forward": "error"}
    assert sum(SKIPPED in note for note in result.load_notes) == 1
    assert "STUDENT-STDOUT-MARK" in result.student_output and SKIPPED not in result.student_output
    report = results_json(result, mini.title)
    assert SKIPPED in report["output"] and "STUDENT-STDOUT-MARK" not in str(report)
    table = render_table(result)
    assert SKIPPED in table.split("Notes on your files:")[1] and "STUDENT-STDOUT-MARK" not in table
    feedback = render_feedback(result)
    assert SKIPPED in feedback and "STUDENT-STDOUT-MARK" not in feedback


def _mini_with_limits(tmp_path, call_seconds, submission_seconds):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    toml = (folder / "assignment.toml").read_text()
    toml = toml.replace("call_seconds = 5", f"call_seconds = {call_seconds}")
    toml = toml.replace("submission_seconds = 60", f"submission_seconds = {submission_seconds}")
    (folder / "assignment.toml").write_text(toml)
    return load_assignment(folder)


def test_a_timed_out_name_is_not_called_again_and_a_correct_one_still_passes(tmp_path):
    assignment = _mini_with_limits(tmp_path, 1, 60)
    sub = write_submission(tmp_path / "s", {"layers.py": (
        "import numpy as np\ndef affine_forward(x, w, b):\n    while True:\n        pass\n"
        "def relu_forward(x):\n    return np.maximum(x, 0), x\n")})
    result = grade(assignment, sub)
    kinds = {o.name: o.kind for o in result.outcomes}
    assert kinds == {"affine_forward: output matches the reference": "timeout",
                     "affine_forward: a batch of one": "timeout",
                     "relu_forward: output matches the reference": "passed"}
    outputs = [o.instructor_output for o in result.outcomes if o.kind == "timeout"]
    assert sum("affine_forward did not finish within 1 s (timed out)" in t for t in outputs) == 1
    assert sum("in an earlier test; it was not called again" in t for t in outputs) == 1
    assert "time limit of the whole submission" not in results_json(result)["output"]


def test_a_used_up_time_budget_is_said_at_the_top(tmp_path):
    assignment = _mini_with_limits(tmp_path, 1, 1.5)
    spin = "    while True:\n        pass\n"
    sub = write_submission(tmp_path / "s", {"layers.py": (
        f"def affine_forward(x, w, b):\n{spin}def relu_forward(x):\n{spin}")})
    result = grade(assignment, sub)
    assert {o.name: o.kind for o in result.outcomes} == {
        "affine_forward: a batch of one": "timeout",
        "affine_forward: output matches the reference": "timeout",
        "relu_forward: output matches the reference": "budget"}
    top = results_json(result, assignment.title)["output"]
    assert "used up the time limit of the whole submission, so 1 test(s) could not run" in top
    assert "Before that, 2 test(s) timed out" in top
    assert "could not run" in render_table(result) and "could not run" in render_feedback(result)


def test_the_accepted_regularization_convention_is_reported():
    """cs231n a1 leaves the factor of the regularization open (reg or 0.5 * reg): the loss tests with
    regularization accept either and say which one the code uses."""
    assignment = load_assignment("cs231n/a1")
    result = grade(assignment, assignment.examples()["correct"], public_only=True)
    notes = {o.name: o.notes for o in result.outcomes if "loss with regularization" in o.name}
    assert len(notes) == 4
    assert all(len(n) == 1 and n[0].startswith("regularization detected: ") and n[0].endswith("(accepted)")
               for n in notes.values()), notes
    shown = {t["name"]: t["output"] for t in results_json(result)["tests"]}
    assert all(n[0] in shown[name] for name, n in notes.items())


def test_a_long_generated_expression_is_graded_like_any_code(mini, tmp_path):
    """A statement of 2,000 chained terms (generated code, a pasted table) imports in Python: the
    grader's own passes over the tree and the worker's compiler must not stop at the recursion limit
    (it ended the session with INTERNALERROR, no report)."""
    chain = "+".join(["0"] * 2000)
    source = ("import numpy as np\n"
              f"def affine_forward(x, w, b):\n    k = {chain}\n"
              "    return x.reshape(x.shape[0], -1) @ w + b + k, (x, w, b)\n"
              "def relu_forward(x):\n    return np.maximum(0, x), x\n"
              f"TABLE = {chain}\n")
    result = grade(mini, write_submission(tmp_path / "s", {"layers.py": source}))
    assert result.score == result.max_score, [o.output for o in result.outcomes]
