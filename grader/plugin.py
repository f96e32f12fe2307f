"""The pytest plugin: markers, fixtures, and the loop that runs every test on every submission.

Tests are collected once per session; ``pytest_runtestloop`` then runs the whole collection once per
submission (so pytest start-up and collection are paid once per batch). For each test the plugin
turns pytest's reports into an ``Outcome``: only an explicit pass earns points; a ``CheckFailure``,
an ``AssertionError`` or a ``StudentError`` is a verdict, and so is an ``Inconclusive`` gradient check
(it earns nothing: "could not be verified"); anything else is an internal error of the test. A hidden
test's explanation is shown to students after the due date, never its source. A submission that cannot be read,
extracted or
loaded gets every test 0 with a one-line reason; the session goes on.
"""

from __future__ import annotations

import ast
import hashlib
import json
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pytest
from _pytest.runner import runtestprotocol

from grader.assignment import (
    HIDDEN_HELPER_PREFIX,
    REQUIREMENTS,
    Assignment,
    AssignmentError,
    is_hidden_file,
)
from grader.checks import CheckFailure, Inconclusive, PartialCredit, collecting_notes
from grader.checks.misconceptions import ids_of
from grader.families import bind, unbound_family
from grader.golden import GoldenStore, GoldenUnknownInputs
from grader.integrity import scan_plan
from grader.outcome import AFTER_DUE_DATE, VISIBLE, Outcome, SubmissionResult
from grader.sandbox import Limits, Sandbox
from grader.sandbox.errors import BadValue, BudgetExhausted, NameMissing, StudentCrash, StudentError, StudentTimeout
from grader.secret import tree_digest
from grader.submission import NameSpec, open_submission
from grader.test_names import test_name

# draws of a test's inputs before an undecided gradient check fails as "could not be verified" (a check that
# resamples inside, gradcheck.resample, is not drawn again)
TEST_DRAWS = 3
NOT_ASKED = "For information only (0 points): this assignment does not ask for {what}."
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
    """One submission to grade: its path, the label used in reports, and (from a Gradescope export's
    metadata, grader.roster) who submitted it."""

    path: Path
    label: str
    submitters: list = field(default_factory=list)


def without_assert_source(message: str) -> str:
    """A failed hidden test's message without pytest's explanation of a bare ``assert`` (its ``assert ...``
    and ``where`` lines quote the test's source, which a hidden test never shows); the author's message
    (``assert ok, "message"``) is kept. The message reaches students after the due date."""
    kept = []
    for line in message.splitlines():
        if line.lstrip().startswith("assert "):
            break
        kept.append(line)
    return "\n".join(kept).strip() or "a check of this hidden test failed"


class GraderPlugin:
    """Runs the collected tests on each submission of ``jobs`` and hands each result to ``on_result``."""

    def __init__(self, assignment: Assignment, jobs: Iterable[Job], on_result: Callable[[SubmissionResult], None],
                 golden: GoldenStore, hide: Iterable[Path] = (), secret: str = ""):
        self.assignment = assignment
        self.secret = secret  # grader.secret: set when grading against the reference
        self._attempt = 0  # the draw of the current test's inputs (TEST_DRAWS)
        self.jobs = jobs
        self.on_result = on_result
        self.golden_store = golden
        self.hide = [Path(p) for p in hide]
        self.collection_error: str | None = None
        self.collected: list[tuple[str, float, bool]] = []  # (name, points, hidden) of each test
        self.test_ids: list[str] = []  # the pytest node id of each test (its inputs' seed and golden keys)
        self._sandbox: Sandbox | None = None
        self._digest = ""
        self._failure: BaseException | None = None
        self._failure_text = ""
        self._notes: list[str] = []
        self.items: list = []  # the collected tests, once the session runs them

    # ----------------------------------------------------------------- configuration and collection
    def pytest_configure(self, config):
        config.addinivalue_line("markers", "points(n): points of the test (default 1)")
        config.addinivalue_line("markers", "hidden: hidden until after the due date (test_hidden_*.py only)")
        config.addinivalue_line("markers", "timeout(seconds): per-call time limit for this test")
        config.addinivalue_line("markers", "requires(property): checks a property (stability, dtype, speed) that "
                                "counts only where assignment.toml's [requires] asks for it; else a 0-point note")
        # A failure's report holds Python's own traceback: pytest's long form parses the source file of
        # every frame (~10% of a batch's time), and _short_traceback is what instructors read anyway.
        config.option.tbstyle = "native"

    def pytest_collectreport(self, report):
        if report.failed and self.collection_error is None:
            text = str(report.longrepr).strip().splitlines()
            self.collection_error = f"{report.nodeid}: {text[-1] if text else 'cannot be collected'}"

    def pytest_collection_modifyitems(self, session, config, items):
        public = self.assignment.test_files(public_only=True) + self.assignment.helper_files(public_only=True)
        for path in public:
            hidden = hidden_helper_import(path)
            if hidden and self.collection_error is None:
                self.collection_error = (f"{path}: imports the hidden helper {hidden}, which the student kit "
                                         "does not have (only test_hidden_*.py files may)")
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
            if not hidden_file:
                self.collection_error = self.collection_error or _public_test_mistake(item)
            self.collection_error = self.collection_error or unbound_family(item, self.assignment)
            try:
                item.stash[_POINTS] = _points(item)
                item.stash[_NOT_ASKED] = _not_asked(item, self.assignment.requires)
                if item.stash[_NOT_ASKED]:
                    item.stash[_POINTS] = 0.0
            except AssignmentError as exc:
                self.collection_error = self.collection_error or str(exc)
            name = item.stash[_NAME]
            if name in seen:
                self.collection_error = self.collection_error or (
                    f"{item.nodeid}: the test name '{name}' is also the name of {seen[name]}")
            seen[name] = item.nodeid
            self.collected.append((name, item.stash.get(_POINTS, 0.0), hidden_file))
            self.test_ids.append(item.nodeid)

    # ------------------------------------------------------------------------------ the main loop
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        if self.collection_error:
            raise session.Interrupted(self.collection_error)
        if session.testsfailed:
            raise session.Interrupted("errors during collection")
        specs = [NameSpec(n.name, n.kind, files=(n.file,) if n.file else (), notebook=n.notebook, aliases=n.aliases)
                 for n in self.assignment.names.values()]
        self.items = session.items
        for job in self.jobs:
            self.on_result(self._grade(session.items, job, specs))
        return True

    def _grade(self, items, job: Job, specs) -> SubmissionResult:
        """The submission's result; whatever goes wrong while reading, extracting or loading it becomes
        its own result (every test 0 with the reason), never the end of the session."""
        start = time.monotonic()
        try:
            return self._grade_one(items, job, specs, start)
        except AssignmentError:  # the instructor's mistake: every submission would have it
            raise
        except Exception as exc:
            if self._sandbox is not None:
                self._sandbox.close()
                self._sandbox = None
            return self._ungradable(items, job, exc, start)

    def _ungradable(self, items, job: Job, exc: BaseException, start: float) -> SubmissionResult:
        """Every test 0 with a one-line reason (the traceback is for the instructor)."""
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        reason = f"This submission could not be graded ({type(exc).__name__}: {first})."
        outcomes = self.zero_outcomes(reason, "error", _short_traceback(exc), items)
        return SubmissionResult(job.label, outcomes, load_notes=[reason],
                                execution_time=round(time.monotonic() - start, 3))

    def zero_outcomes(self, output: str, kind: str, detail: str = "", items=None) -> list[Outcome]:
        """Every test (of ``items``, default the session's) at 0 with one explanation."""
        return [Outcome(name=item.stash[_NAME], test_id=item.nodeid, max_score=item.stash[_POINTS],
                        score=0.0, kind=kind, output=output, instructor_output=detail,
                        visibility=AFTER_DUE_DATE if item.stash[_HIDDEN] else VISIBLE)
                for item in (self.items if items is None else items)]

    def _grade_one(self, items, job: Job, specs, start: float) -> SubmissionResult:
        limits, policy = self.assignment.limits, self.assignment.integrity
        with open_submission(job.path, specs, support=self.assignment.support_files(),
                             starter=self.assignment.starter_dir) as submission:
            self._digest = self._submission_digest(submission)
            flags = scan_plan(submission.plan, policy.forbidden)
            self._sandbox = sandbox = Sandbox(
                submission.plan, submission.root, hide=self.hide, forbidden=policy.forbidden,
                limits=Limits(call_seconds=limits.call_seconds, submission_seconds=limits.submission_seconds,
                              memory_mb=limits.memory_mb))
            try:
                sandbox.load_all()  # before any test input: the notes made now are student-facing
                outcomes = [self._run(sandbox, item, items[i + 1] if i + 1 < len(items) else None)
                            for i, item in enumerate(items)]
                student_output = "\n".join(sandbox.output())  # instructor-only
                code_notes = sandbox.code_notes()  # the student's own code and its errors
                flags += [flag for flag in sandbox.flags() if flag not in flags]
            finally:
                sandbox.close()
                self._sandbox = None
            load_notes = list(submission.notes) + [n for n in code_notes if n not in submission.notes]
            zeroed = bool(flags) and policy.on_flag == "zero"
            for outcome in outcomes if zeroed else []:
                outcome.score = 0.0
            return SubmissionResult(job.label, outcomes, load_notes=load_notes,
                                    student_output=student_output, flags=flags, zeroed=zeroed,
                                    execution_time=round(time.monotonic() - start, 3))

    def _run(self, sandbox: Sandbox, item, nextitem) -> Outcome:
        """One test. Fixtures live as long as their scope says while the same submission is graded
        (``nextitem``); after its last test every fixture is torn down."""
        attempts = TEST_DRAWS if self.golden_store.mode == "compute" else 1  # a kit's values are for one draw
        for attempt in range(attempts):
            self._attempt = attempt
            self._failure, self._failure_text, self._notes = None, "", []
            sandbox.reseed(self._seed(item) % 2**32)
            with collecting_notes() as check_notes:  # notes of the checks (a shape accepted, ...)
                reports = runtestprotocol(item, nextitem=nextitem, log=False)
            if not isinstance(self._failure, Inconclusive) or getattr(self._failure, "redrawn", False):
                break  # an undecided gradient check reruns the whole test on a new draw of its inputs,
                # unless the check already drew new inputs itself (gradcheck.resample)
        points = item.stash[_POINTS]
        hidden = item.stash[_HIDDEN]
        outcome = Outcome(name=item.stash[_NAME], test_id=item.nodeid, max_score=points, score=0.0,
                          kind="passed", output="", visibility=AFTER_DUE_DATE if hidden else VISIBLE)
        outcome.notes = list(self._notes) + [n for n in check_notes if n not in self._notes]
        if all(r.passed for r in reports) and self._failure is None:
            outcome.score = points
            outcome.output = "Passed."
        else:
            self._explain(outcome, reports)
        if item.stash.get(_NOT_ASKED, None):
            outcome.output = NOT_ASKED.format(what=REQUIREMENTS[item.stash[_NOT_ASKED]]) + "\n" + outcome.output
            if outcome.kind != "passed":
                outcome.kind = "info"  # said, never counted as a failure
        return outcome

    def _explain(self, outcome: Outcome, reports) -> None:
        exc = self._failure
        kind = "internal"
        message = INTERNAL.format(error=f"{type(exc).__name__}: {str(exc)[:300]}" if exc else "unknown error")
        if isinstance(exc, StudentError):
            kind = next(k for cls, k in _KIND_OF_ERROR if isinstance(exc, cls))
            message = str(exc)
        elif isinstance(exc, GoldenUnknownInputs):  # a kit on data it has no values for: no verdict either way
            kind, message = "info", str(exc)
        elif isinstance(exc, CheckFailure):
            kind, message = "mismatch", str(exc)
            outcome.diagnosis = None if exc.diagnosis is None else str(exc.diagnosis)
            outcome.misconceptions = ids_of(exc.diagnosis)
        elif isinstance(exc, PartialCredit):
            outcome.score = round(outcome.max_score * exc.fraction, 6)
            if exc.fraction >= 1.0:
                outcome.output = "Passed."
                return
            kind, message = "mismatch", f"Partial credit ({outcome.score:g} of {outcome.max_score:g}): {exc.message}"
        elif isinstance(exc, AssertionError):
            kind, message = "mismatch", str(exc) or "a check failed"
        elif isinstance(exc, Inconclusive):  # an undecided check earns nothing
            kind, message = "mismatch", UNVERIFIED.format(detail=str(exc))
        outcome.kind = kind
        outcome.instructor_output = self._failure_text or "\n".join(str(r.longrepr) for r in reports if r.failed)
        outcome.output = without_assert_source(message) if outcome.hidden else message

    def _submission_digest(self, submission) -> str:
        """When grading against the reference: the digest of every file of the submission and of its
        load plan (grader.secret); a kit's replay of public values needs none."""
        if self.golden_store.mode != "compute":
            return ""
        plan = hashlib.sha256(json.dumps(submission.plan, sort_keys=True).encode()).hexdigest()
        return f"{plan}:{tree_digest(submission.root)}"

    def _seed(self, item) -> int:
        """Seed of a test: the assignment seed and the test id; when grading against the reference, also
        the digest of the whole submission and the grading secret, so that inputs cannot be known before a
        submission is graded and change with any change to it (answers harvested from an earlier grading's
        feedback belong to other inputs). A student kit replays public values on fixed inputs."""
        text = f"{self.assignment.seed}:{item.nodeid}"
        if self.golden_store.mode == "compute":
            text += f":{self._digest}:{self.secret}"
        if self._attempt:
            text += f":draw {self._attempt}"
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
    def family(self, student, sandbox):
        """The binding of assignment.toml's ``family`` (grader.families) for the current submission."""
        return bind(self.assignment, student, sandbox)

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
# the property a requires-marked test checks, when the assignment does not ask for it
_NOT_ASKED = pytest.StashKey[str]()


def _public_test_mistake(item) -> str | None:
    """The ``ref`` fixture in a public test: an authoring mistake said at collection (a kit has no answer
    key)."""
    if "ref" in getattr(item, "fixturenames", ()):
        return (f"{item.nodeid}: a public test uses the 'ref' fixture, which the student kit does not have; "
                "use golden(key, fn) or move the test to a test_hidden_*.py file")
    return None


def hidden_helper_import(path: Path) -> str | None:
    """The first ``hidden_*`` module that the file at ``path`` (a public test module or helper) imports (a
    hidden helper, or a hidden suite ``grader.suites.hidden_*``): the student kit, which has neither,
    could not import it."""
    try:
        tree = ast.parse(path.read_text(), str(path))
    except (OSError, SyntaxError, ValueError):
        return None  # pytest reports an unreadable test module itself
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):  # from hidden_x import ..., from grader.suites import hidden_conv
            names = [node.module or ""] + [f"{node.module or ''}.{alias.name}" for alias in node.names]
        else:
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            if any(part.startswith(HIDDEN_HELPER_PREFIX) for part in name.split(".")):
                return name
    return None


def _short_traceback(exc: BaseException) -> str:
    """The traceback of a test's exception without pytest's and pluggy's own frames (for instructors)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not any(part in f.filename for part in ("/_pytest/", "/pluggy/", "grader/plugin.py"))]
    text = "".join(traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc))
    return text[-4000:]


def _not_asked(item, required) -> str:
    """The property of ``@pytest.mark.requires(property)`` when the assignment does not ask for it, else ""."""
    marker = item.get_closest_marker("requires")
    if marker is None:
        return ""
    prop = marker.args[0] if marker.args else None
    if prop not in REQUIREMENTS:
        raise AssignmentError(f"{item.nodeid}: @pytest.mark.requires takes one of {', '.join(REQUIREMENTS)}, "
                              f"got {prop!r}")
    return "" if prop in required else prop


def _points(item) -> float:
    marker = item.get_closest_marker("points")
    if marker is None:
        return 1.0
    value = marker.args[0] if marker.args else marker.kwargs.get("n", 1)
    if not isinstance(value, (int, float)) or value < 0:
        raise AssignmentError(f"{item.nodeid}: points must be a non-negative number, got {value!r}")
    return float(value)
