"""c147 hw1 through the runner: a finished copy beats the unchanged starter notebook, and the loss
tests report the convention they detected."""

import shutil

from grader.assignment import load_assignment
from grader.runner import grade


def test_completed_copy_beside_the_starter_gets_full_marks_and_notes(tmp_path):
    hw1 = load_assignment("c147/hw1")
    sub = tmp_path / "sub"
    sub.mkdir()
    shutil.copy(hw1.starter_dir / "linear_regression.ipynb", sub / "linear_regression.ipynb")
    shutil.copy(hw1.examples()["correct"] / "linear_regression.ipynb", sub / "linear_regression-Copy1.ipynb")
    result = grade(hw1, sub, public_only=True)
    assert result.failing() == []
    assert any("taken from linear_regression-Copy1.ipynb (linear_regression.ipynb is the unchanged starter "
               "notebook)" in note for note in result.load_notes)
    for name in ("training_errors", "testing_errors"):
        outcome = next(o for o in result.outcomes if o.name.startswith(name + ":"))
        assert any(note.startswith(f"{name}: ") and note.endswith("detected (accepted)") for note in outcome.notes)
