"""One or many submissions through an assignment's tests: a pytest session with our plugin.

``grade(assignment, path)`` grades one submission; ``grade_many`` grades several in one session, so
pytest start-up and test collection are paid once. Both return ``SubmissionResult``s. The session
never loads a ``conftest.py``, reads no ini file, writes no cache, and prints nothing.

``python -m grader.runner ASSIGNMENT SUBMISSION [--public]`` prints the terminal table (for authors).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Callable, Iterable

import pytest

from grader.assignment import BUNDLED_DIR, METADATA_FILE, Assignment, AssignmentError, load_assignment
from grader.golden import GoldenStore
from grader.outcome import SubmissionResult
from grader.plugin import GraderPlugin, Job
from grader.sandbox.zygote_client import get_zygote
from grader.secret import grading_secret, secret_file

# pytest's plugins a grading session has no use for: student code never runs in this process (no
# unraisable exceptions or threads of its own to catch, no debugger), tests are plain functions. Not
# loading them saves ~30 ms a session (unraisableexception alone ran five gc.collect at the end).
UNUSED_PLUGINS = ("debugging", "unittest", "pastebin", "junitxml", "doctest", "setuponly", "setupplan",
                  "unraisableexception", "threadexception", "faulthandler", "subtests")


def secret_paths(assignment: Assignment, extra: Iterable[Path] = ()) -> list[Path]:
    """Paths the worker must not see: the answer key, the assignments (tests, examples), the grading
    secret, outputs."""
    paths = [assignment.path, BUNDLED_DIR, secret_file()]
    spec = importlib.util.find_spec("reference")
    if spec is not None and spec.origin:
        paths.append(Path(spec.origin).parent)
    paths.extend(Path(p) for p in extra)
    return [p.resolve() for p in paths if Path(p).exists()]


def run_session(assignment: Assignment, jobs: Iterable[Job], on_result: Callable[[SubmissionResult], None], *,
                public_only: bool = False, golden: GoldenStore | None = None, hide: Iterable[Path] = (),
                plugin_holder: list | None = None, needs_secret: bool = True) -> None:
    """Collect the assignment's tests once and run them on every job; results go to ``on_result``.
    Grading against the reference reads the grading secret (grader.secret), which seeds the inputs."""
    golden = golden or _golden_store(assignment)
    if golden.mode == "replay":
        public_only = True  # a kit has no hidden tests
    secret = grading_secret() if golden.mode == "compute" and needs_secret else ""
    plugin = GraderPlugin(assignment, jobs, on_result, golden, hide=secret_paths(assignment, hide), secret=secret)
    if plugin_holder is not None:
        plugin_holder.append(plugin)
    args = [str(p) for p in assignment.test_files(public_only=public_only)] + [
        # conftest.py files of the assignment's own folder only; its tests/ helpers importable by name
        "--rootdir", str(assignment.path), "-c", os.devnull, f"--confcutdir={assignment.path}",
        "--import-mode=importlib",
        "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:stepwise",
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
    ] + [arg for name in UNUSED_PLUGINS for arg in ("-p", f"no:{name}")]
    saved = os.environ.pop("PYTEST_ADDOPTS", None)
    autoload = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # no third-party plugin in a grading session
    get_zygote()  # starts importing numpy in the sandbox's zygote while pytest collects the tests
    _forget_test_modules()
    sys.path.insert(0, str(assignment.tests_dir))
    try:
        code = pytest.main(args, plugins=[plugin])
    finally:
        sys.path.remove(str(assignment.tests_dir))
        _forget_test_modules()
        if saved is not None:
            os.environ["PYTEST_ADDOPTS"] = saved
        if autoload is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
    if plugin.collection_error:
        raise AssignmentError(plugin.collection_error)
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise AssignmentError(f"{assignment.path}: the tests could not be run (pytest exit code {int(code)})")


def _golden_store(assignment: Assignment) -> GoldenStore:
    """Replay a kit's recorded values, compute them elsewhere; a kit without readable values is an
    AssignmentError naming its file (every test would fail otherwise)."""
    file = assignment.golden_file
    if assignment.is_kit and not file.is_file():
        raise AssignmentError(f"{file}: this student kit has lost its recorded values; get the kit again")
    try:
        return GoldenStore.for_assignment(file, assignment.solution_dir)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AssignmentError(f"{file}: the kit's recorded values cannot be read ({type(exc).__name__})") from None


def collect(assignment: Assignment) -> list[tuple[str, float, bool]]:
    """The tests of an assignment without running them: (name, points, hidden) each."""
    plugin_holder: list[GraderPlugin] = []
    run_session(assignment, [], lambda result: None, plugin_holder=plugin_holder, needs_secret=False)
    return plugin_holder[0].collected


def count_points(assignment: Assignment) -> tuple[float, int]:
    """Total points and number of tests of an assignment."""
    tests = collect(assignment)
    return sum(points for _, points, _ in tests), len(tests)


def _forget_test_modules() -> None:
    """Drop imported modules of assignments' ``tests/`` folders (test modules, helpers, conftest.py).

    Two assignments may both have ``tests/test_knn.py`` or ``tests/shared.py``, which pytest's importlib
    mode and the import system name alike; a session must never reuse another assignment's module.
    """
    for name, module in list(sys.modules.items()):
        file = Path(getattr(module, "__file__", None) or "")
        if file.suffix == ".py" and file.parent.name == "tests" and (file.parent.parent / METADATA_FILE).is_file():
            del sys.modules[name]


def grade_many(assignment: Assignment, submissions: Iterable[Path], *, public_only: bool = False,
               golden: GoldenStore | None = None) -> list[SubmissionResult]:
    """Grade several submissions in one session; results in the order given."""
    results: list[SubmissionResult] = []
    jobs = [Job(Path(p), Path(p).name) for p in submissions]
    run_session(assignment, jobs, results.append, public_only=public_only, golden=golden)
    return results


def grade(assignment: Assignment, submission: Path, *, public_only: bool = False) -> SubmissionResult:
    """Grade one submission."""
    return grade_many(assignment, [submission], public_only=public_only)[0]


def main(argv: list[str] | None = None) -> int:
    from grader.report.terminal import render_table

    argv = sys.argv[1:] if argv is None else argv
    public_only = "--public" in argv
    positional = [a for a in argv if not a.startswith("--")]
    if len(positional) != 2:
        print("usage: python -m grader.runner ASSIGNMENT SUBMISSION [--public]", file=sys.stderr)
        return 2
    result = grade(load_assignment(positional[0]), Path(positional[1]), public_only=public_only)
    print(render_table(result, show_hidden_details=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
