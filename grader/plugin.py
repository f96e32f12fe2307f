"""The pytest plugin: markers, fixtures, and the loop that runs every test on every submission.

Tests are collected once per session; ``pytest_runtestloop`` then runs the whole collection once per
submission (so pytest start-up and collection are paid once per batch). For each test the plugin
turns pytest's reports into an ``Outcome``: only an explicit pass earns points; a ``CheckFailure``,
an ``AssertionError`` or a ``StudentError`` is a verdict, and so is an ``Inconclusive`` gradient check
(it earns nothing: "could not be verified"); anything else is an internal error of the test. Hidden tests keep their explanation for the instructor only.
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pytest
from _pytest.runner import runtestprotocol

from grader.assignment import Assignment, AssignmentError, is_hidden_file
from grader.checks import CheckFailure, Inconclusive
from grader.golden import GoldenStore
from grader.integrity import scan_plan
from grader.outcome import AFTER_DUE_DATE, VISIBLE, Outcome, SubmissionResult
from grader.sandbox import Limits, Sandbox
from grader.sandbox.errors import (BadValue, BudgetExhausted, NameMissing, StudentCrash, StudentError,
                                   StudentTimeout)
from grader.submission import NameSpec, open_submission
from grader.test_names import test_name

HIDDEN_FAILED = "This hidden test failed; its details are shown after the due date."
UNVERIFIED = ("Could not be verified: your function's values are not smooth/reproducible at the test inputs "
              "({detail}), on every input drawn. Correct code is smooth there (the inputs keep away from "
              "kinks); a test that cannot decide earns no points.")
INTERNAL = ("The test could not use what your code returned ({error}). If your code returns what the "
            "assignment asks for, this is a problem of the test: tell your instructor.")

_KIND_OF_ERROR = [
    (StudentTimeout, "timeout"),
    (StudentCrash, "crash"),
    (NameMissing, "missing"),
    (BadValue, "bad_value"),
    (BudgetExhausted, "budget"),
    (StudentError, "error"),
]


@dataclass
class Job:
    """One submission to grade: its path and the label used in reports."""

    path: Path
    label: str


class GraderPlugin:
    """Runs the collected tests on each submission of ``jobs`` and hands each result to ``on_result``."""

    def __init__(self, assignment: Assignment, jobs: Iterable[Job], on_result: Callable[[SubmissionResult], None],
                 golden: GoldenStore, hide: Iterable[Path] = ()):
        self.assignment = assignment
        self.jobs = jobs
        self.on_result = on_result
        self.golden_store = golden
        self.hide = [Path(p) for p in hide]
        self.collection_error: str | None = None
        self.collected: list[tuple[str, float, bool]] = []  # (name, points, hidden) of each test
        self._sandbox: Sandbox | None = None
        self._digest = ""
        self._failure: BaseException | None = None
        self._failure_text = ""
        self._notes: list[str] = []

    # ----------------------------------------------------------------- configuration and collection
    def pytest_configure(self, config):
        config.addinivalue_line("markers", "points(n): points of the test (default 1)")
        config.addinivalue_line("markers", "hidden: hidden until after the due date (test_hidden_*.py only)")
        config.addinivalue_line("markers", "timeout(seconds): per-call time limit for this test")
        # A failure's report holds Python's own traceback: pytest's long form parses the source file of
        # every frame (~10% of a batch's time), and _short_traceback is what instructors read anyway.
        config.option.tbstyle = "native"

    def pytest_collectreport(self, report):
        if report.failed and self.collection_error is None:
            text = str(report.longrepr).strip().splitlines()
            self.collection_error = f"{report.nodeid}: {text[-1] if text else 'cannot be collected'}"

    def pytest_collection_modifyitems(self, session, config, items):
        seen = {}
        for item in items:
            try:
                item.stash[_NAME] = test_name(item, self.assignment.names)
            except AssignmentError as exc:
                self.collection_error = self.collection_error or str(exc)
                continue
            hidden_file = is_hidden_file(Path(str(item.fspath)))
            if item.get_closest_marker("hidden") and not hidden_file:
                self.collection_error = self.collection_error or (
                    f"{item.nodeid}: @pytest.mark.hidden outside a test_hidden_*.py file "
                    "(hidden tests live in their own modules so the student kit can leave them out)")
            item.stash[_HIDDEN] = hidden_file
            try:
                item.stash[_POINTS] = _points(item)
            except AssignmentError as exc:
                self.collection_error = self.collection_error or str(exc)
            name = item.stash[_NAME]
            if name in seen:
                self.collection_error = self.collection_error or (
                    f"{item.nodeid}: the test name '{name}' is also the name of {seen[name]}")
            seen[name] = item.nodeid
            self.collected.append((name, item.stash.get(_POINTS, 0.0), hidden_file))

    # ------------------------------------------------------------------------------ the main loop
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        if self.collection_error:
            raise session.Interrupted(self.collection_error)
        if session.testsfailed:
            raise session.Interrupted("errors during collection")
        specs = [NameSpec(n.name, n.kind, files=(n.file,) if n.file else (), notebook=n.notebook)
                 for n in self.assignment.names.values()]
        for job in self.jobs:
            self.on_result(self._grade(session.items, job, specs))
        return True

    def _grade(self, items, job: Job, specs) -> SubmissionResult:
        start = time.monotonic()
        limits, policy = self.assignment.limits, self.assignment.integrity
        with open_submission(job.path, specs, support=self.assignment.support_files(),
                             starter=self.assignment.starter_dir) as submission:
            self._digest = hashlib.sha256(json.dumps(submission.plan, sort_keys=True).encode()).hexdigest()
            flags = scan_plan(submission.plan, policy.forbidden)
            self._sandbox = Sandbox(
                submission.plan, submission.root, hide=self.hide, forbidden=policy.forbidden,
                limits=Limits(call_seconds=limits.call_seconds, submission_seconds=limits.submission_seconds,
                              memory_mb=limits.memory_mb))
            try:
                self._sandbox.load_all()  # before any test input: the notes made now are student-facing
                outcomes = [self._run(item) for item in items]
                student_output = "\n".join(self._sandbox.output())  # instructor-only
                code_notes = self._sandbox.code_notes()  # the student's own code and its errors
                flags += [flag for flag in self._sandbox.flags() if flag not in flags]
            finally:
                self._sandbox.close()
                self._sandbox = None
            load_notes = list(submission.notes) + [n for n in code_notes if n not in submission.notes]
            zeroed = bool(flags) and policy.on_flag == "zero"
            for outcome in outcomes if zeroed else []:
                outcome.score = 0.0
            return SubmissionResult(job.label, outcomes, load_notes=load_notes,
                                    student_output=student_output, flags=flags, zeroed=zeroed,
                                    execution_time=round(time.monotonic() - start, 3))

    def _run(self, item) -> Outcome:
        self._failure, self._failure_text, self._notes = None, "", []
        self._sandbox.reseed(self._seed(item) % 2**32)
        reports = runtestprotocol(item, nextitem=None, log=False)
        points = item.stash[_POINTS]
        hidden = item.stash[_HIDDEN]
        outcome = Outcome(name=item.stash[_NAME], test_id=item.nodeid, max_score=points, score=0.0,
                          kind="passed", output="", visibility=AFTER_DUE_DATE if hidden else VISIBLE)
        outcome.notes = list(self._notes)
        if all(r.passed for r in reports) and self._failure is None:
            outcome.score = points
            outcome.output = "Passed."
        else:
            self._explain(outcome, reports)
        return outcome

    def _explain(self, outcome: Outcome, reports) -> None:
        exc = self._failure
        kind = "internal"
        message = INTERNAL.format(error=f"{type(exc).__name__}: {str(exc)[:300]}" if exc else "unknown error")
        if isinstance(exc, StudentError):
            kind = next(k for cls, k in _KIND_OF_ERROR if isinstance(exc, cls))
            message = str(exc)
        elif isinstance(exc, CheckFailure):
            kind, message, outcome.diagnosis = "mismatch", str(exc), exc.diagnosis
        elif isinstance(exc, AssertionError):
            kind, message = "mismatch", str(exc) or "a check failed"
        elif isinstance(exc, Inconclusive):  # an undecided check earns nothing
            kind, message = "mismatch", UNVERIFIED.format(detail=str(exc))
        outcome.kind = kind
        outcome.instructor_output = self._failure_text or "\n".join(str(r.longrepr) for r in reports if r.failed)
        outcome.output = HIDDEN_FAILED if outcome.hidden else message

    def _seed(self, item) -> int:
        """Seed of a test: the assignment seed and the test id, plus the submission digest for hidden
        tests, and for public ones too when grading against the reference (a student kit records and
        replays public values on fixed inputs, which a submission could otherwise carry as answers)."""
        text = f"{self.assignment.seed}:{item.nodeid}"
        if item.stash[_HIDDEN] or self.golden_store.mode == "compute":
            text += f":{self._digest}"
        return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")

    # ------------------------------------------------------------------------------- phase hooks
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        yield
        if call.excinfo is not None and self._failure is None:
            self._failure = call.excinfo.value
            self._failure_text = _short_traceback(call.excinfo.value)

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem):
        """Call the test; a returned string (or list of strings) is a note for the feedback."""
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        returned = pyfuncitem.obj(**args)
        if isinstance(returned, str):
            returned = [returned]
        if isinstance(returned, (list, tuple)):
            self._notes.extend(str(note) for note in returned if note)
        return True

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        marker = item.get_closest_marker("timeout")
        if marker is None:
            yield
            return
        with self._sandbox.timeout(float(marker.args[0])):
            yield

    # ---------------------------------------------------------------------------------- fixtures
    @pytest.fixture
    def sandbox(self):
        """The current submission's ``Sandbox``."""
        return self._sandbox

    @pytest.fixture
    def student(self):
        """``Remote`` root of the graded names of the current submission."""
        return self._sandbox.root

    @pytest.fixture
    def rng(self, request):
        """A ``np.random.Generator`` seeded from the assignment seed and the test id."""
        return np.random.default_rng(self._seed(request.node))

    @pytest.fixture
    def golden(self, request):
        """``golden(key, fn)``: ``fn(reference)``, or the value recorded in a student kit."""
        return self.golden_store.getter(request.node.nodeid)

    @pytest.fixture
    def ref(self, request):
        """The ``reference`` module (hidden tests only: the student kit has no reference)."""
        if not request.node.stash[_HIDDEN]:
            raise AssignmentError(f"{request.node.nodeid}: the 'ref' fixture is for hidden tests; use 'golden'")
        return self.golden_store.reference


_NAME = pytest.StashKey[str]()
_HIDDEN = pytest.StashKey[bool]()
_POINTS = pytest.StashKey[float]()


def _short_traceback(exc: BaseException) -> str:
    """The traceback of a test's exception without pytest's and pluggy's own frames (for instructors)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not any(part in f.filename for part in ("/_pytest/", "/pluggy/", "grader/plugin.py"))]
    text = "".join(traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc))
    return text[-4000:]


def _points(item) -> float:
    marker = item.get_closest_marker("points")
    if marker is None:
        return 1.0
    value = marker.args[0] if marker.args else marker.kwargs.get("n", 1)
    if not isinstance(value, (int, float)) or value < 0:
        raise AssignmentError(f"{item.nodeid}: points must be a non-negative number, got {value!r}")
    return float(value)
