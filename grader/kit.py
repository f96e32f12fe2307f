"""The student kit: what ``grader check`` needs on a student's machine, and nothing that gives an answer away.

A kit is an assignment folder of its own: ``assignment.toml`` (marked ``kit = true``), the public test
modules with the public helpers beside them (``conftest.py``, shared modules; not ``hidden_*.py``),
``starter/``, ``support/``, and ``golden.json`` — the reference values of the public tests, recorded by running
them against the assignment's correct example and every other example expected to
pass everything (``examples/expected.toml``: variants whose data differ, such as a notebook's other
year, give the values that depend on a submission's own inputs). No reference solution, no hidden
test, no example submission.

It is also a pip-installable distribution of the checker: ``pyproject.toml`` installs the ``grader``
package copied beside it (the harness holds no answer: the answer key is the separate ``reference``
package, which a kit never contains; the hidden suites, ``grader/suites/hidden_*.py``, are left out) and
the ``grader`` command; ``README.md`` says how in three lines.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from grader import __version__
from grader.assignment import HIDDEN_HELPER_PREFIX, METADATA_FILE, Assignment, AssignmentError
from grader.golden import GoldenStore
from grader.outcome import SubmissionResult
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
    store = GoldenStore("record", solution_dir=assignment.solution_dir)
    results: list[SubmissionResult] = []
    run_session(assignment, jobs, results.append, public_only=True, golden=store)
    for job, result in zip(jobs, results):
        failing = result.failing()
        if failing:
            raise AssignmentError(f"{job.path}: a correct example fails public tests: {', '.join(failing)}")

    (out_dir / "tests").mkdir(parents=True)
    meta = (assignment.path / METADATA_FILE).read_text()
    (out_dir / METADATA_FILE).write_text("kit = true  # a student kit: no reference, no hidden tests\n" + meta)
    for test in assignment.test_files(public_only=True) + assignment.helper_files(public_only=True):
        shutil.copy2(test, out_dir / "tests" / test.name)
    for folder in ("starter", "support"):
        if (assignment.path / folder).is_dir():
            shutil.copytree(assignment.path / folder, out_dir / folder,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    store.save(out_dir / "golden.json")
    _add_distribution(assignment, out_dir)
    return out_dir


def _add_distribution(assignment: Assignment, out_dir: Path) -> None:
    """``grader/`` (the checker), ``pyproject.toml`` and ``README.md``: the kit installs with pip."""
    from grader.autograder import REQUIREMENTS

    shutil.copytree(GRADER_PACKAGE, out_dir / "grader",  # without the hidden suites (grader/suites/hidden_*.py)
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", f"{HIDDEN_HELPER_PREFIX}*.py"))
    name = "grader-kit-" + re.sub(r"[^a-z0-9]+", "-", assignment.name.lower()).strip("-")
    dependencies = "".join(f"\n    {json.dumps(r)}," for r in REQUIREMENTS)
    (out_dir / "pyproject.toml").write_text(KIT_PYPROJECT.format(name=name, version=__version__,
                                                                 dependencies=dependencies))
    (out_dir / "README.md").write_text(KIT_README.format(title=assignment.title, kit=out_dir.name))


GRADER_PACKAGE = Path(__file__).resolve().parent
KIT_PYPROJECT = """[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "{version}"
description = "grader check for one assignment: public tests with recorded values, no answer key"
requires-python = ">=3.10"
dependencies = [{dependencies}
]

[project.scripts]
grader = "grader.cli:run"

[tool.setuptools.packages.find]
include = ["grader*"]

[tool.setuptools.package-data]
"*" = ["*.json"]
"""
KIT_README = """# {title}: student kit
Install the checker once: `python3 -m pip install ./{kit}` (in a virtual environment if your Python asks for one).
Check your work before submitting: `grader check ./{kit} YOUR_FOLDER` (a folder, .zip, .py or .ipynb).
Only the public tests run here, on fixed inputs; grading runs them and hidden tests on other inputs.
"""
