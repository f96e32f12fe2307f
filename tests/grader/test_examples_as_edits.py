"""Bug examples stored as edits of correct/ (grader.examples): each builds, byte for byte, into the
submission it stands for; a broken edit is an error naming its file."""

import pytest

from grader.assignment import bundled_names, load_assignment
from grader.examples import ExampleError, apply_edits, convert, edits_between, is_edited, materialise

from helpers import write_submission


def test_every_bundled_edited_example_builds_and_differs_from_correct():
    built = 0
    for name in bundled_names():
        assignment = load_assignment(name)
        examples = assignment.examples()
        for label, path in examples.items():
            if is_edited(assignment.examples_dir / label):
                assert path.name == label and path.is_dir()
                assert edits_between(examples["correct"], path), label  # it is not the correct one
                built += 1
    assert built > 40


def test_conversion_roundtrip_is_exact(tmp_path):
    correct = write_submission(tmp_path / "hw" / "examples" / "correct", {
        "pkg/a.py": "x = 1\ny = 2\n\n\ndef f():\n    return x + y\n", "pkg/b.py": "import numpy\n", "data.txt": "d"})
    bug = write_submission(tmp_path / "hw" / "examples" / "bug_y", {
        "pkg/a.py": "x = 1\ny = 3\n\n\ndef f():\n    return x - y  # '''\n", "pkg/c.py": "z = 'q'\n", "data.txt": "d"})
    original = {p.relative_to(bug).as_posix(): p.read_bytes() for p in bug.rglob("*") if p.is_file()}
    assert convert(tmp_path / "hw", limit=10) == ["bug_y"]
    assert [p.name for p in bug.iterdir()] == ["edits.toml"]
    rebuilt = materialise(bug, correct)
    assert {p.relative_to(rebuilt).as_posix(): p.read_bytes() for p in rebuilt.rglob("*") if p.is_file()} == original
    assert materialise(bug, correct) == rebuilt  # built once


def test_an_edit_that_does_not_match_once_is_named(tmp_path):
    root = write_submission(tmp_path / "s", {"a.py": "x = 1\nx = 1\n"})
    with pytest.raises(ExampleError, match="occurs 2 times"):
        apply_edits(root, {"edit": [{"file": "a.py", "old": "x = 1\n", "new": "x = 2\n"}]}, tmp_path / "edits.toml")
    with pytest.raises(ExampleError, match="outside"):
        apply_edits(root, {"remove": ["../s2/a.py"]}, tmp_path / "edits.toml")
