"""The student kit: what ``grader check`` needs on a student's machine, and nothing that gives an answer away.

A kit is an assignment folder of its own: ``assignment.toml`` (marked ``kit = true``), the public test
modules, ``starter/``, ``support/``, and ``golden.json`` — the reference values of the public tests,
recorded by running them against the assignment's correct example and every other example expected to
pass everything (``examples/expected.toml``: variants whose data differ, such as a notebook's other
year, give the values that depend on a submission's own inputs). No reference solution, no hidden
test, no example submission.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.assignment import METADATA_FILE, Assignment, AssignmentError
from grader.golden import GoldenStore
from grader.plugin import Job


def build_kit(assignment: Assignment, out_dir: Path) -> Path:
    """Write the student kit of ``assignment`` into ``out_dir`` (which must be empty or absent)."""
    from grader.runner import run_session

    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise AssignmentError(f"{out_dir}: the kit folder must be empty or absent")
    examples = assignment.examples()
    if "correct" not in examples:
        raise AssignmentError(f"{assignment.path}: examples/correct is needed to record the public tests' values")
    expected = assignment.expected_failures()
    jobs = [Job(path, label) for label, path in examples.items()
            if label == "correct" or expected.get(label, None) == []]
    store = GoldenStore("record")
    results = []
    run_session(assignment, jobs, results.append, public_only=True, golden=store)
    for job, result in zip(jobs, results):
        failing = result.failing()
        if failing:
            raise AssignmentError(f"{job.path}: a correct example fails public tests: {', '.join(failing)}")

    (out_dir / "tests").mkdir(parents=True)
    meta = (assignment.path / METADATA_FILE).read_text()
    (out_dir / METADATA_FILE).write_text("kit = true  # a student kit: no reference, no hidden tests\n" + meta)
    for test in assignment.test_files(public_only=True):
        shutil.copy2(test, out_dir / "tests" / test.name)
    for folder in ("starter", "support"):
        if (assignment.path / folder).is_dir():
            shutil.copytree(assignment.path / folder, out_dir / folder,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    store.save(out_dir / "golden.json")
    return out_dir
