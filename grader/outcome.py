"""What grading produces: one ``Outcome`` per test, one ``SubmissionResult`` per submission.

Plain data, independent of pytest and of the report formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VISIBLE = "visible"
AFTER_DUE_DATE = "after_due_date"

# What kind of result a test had; the reports phrase each kind for students.
KINDS = ("passed", "info", "mismatch", "error", "timeout", "crash", "missing", "bad_value", "budget", "internal")
# "info": a 0-point check of a property the assignment does not ask for (@pytest.mark.requires) that the
# code does not have: said to the student, never counted as a failure.
PASSING_KINDS = ("passed", "info")


@dataclass
class Outcome:
    """The verdict of one test on one submission."""

    name: str  # "softmax_loss_vectorized: gradient matches the reference"
    test_id: str  # pytest node id, relative to the assignment folder
    max_score: float
    score: float
    kind: str  # one of KINDS
    output: str  # student-facing explanation (already redacted for hidden tests)
    visibility: str = VISIBLE
    diagnosis: str | None = None  # the named misconception, as the student reads it
    misconceptions: list[str] = field(default_factory=list)  # its ids: what a batch counts by
    notes: list[str] = field(default_factory=list)  # e.g. "regularization with ½ detected: accepted"
    instructor_output: str = ""  # full detail, never shown to students for hidden tests

    @property
    def passed(self) -> bool:
        return self.kind in PASSING_KINDS

    @property
    def hidden(self) -> bool:
        return self.visibility != VISIBLE


@dataclass
class SubmissionResult:
    """All outcomes of one submission, with what the grader noticed while loading it."""

    submission: str  # the submission's label (file or folder name)
    outcomes: list[Outcome]
    load_notes: list[str] = field(default_factory=list)
    student_output: str = ""  # captured stdout/stderr of the student's code (capped)
    execution_time: float = 0.0
    flags: list[str] = field(default_factory=list)  # forbidden shortcuts (grader.integrity): instructor-facing
    zeroed: bool = False  # the assignment's integrity policy set every score to 0 because of the flags

    @property
    def score(self) -> float:
        return round(sum(o.score for o in self.outcomes), 6)

    @property
    def max_score(self) -> float:
        return round(sum(o.max_score for o in self.outcomes), 6)

    def failing(self) -> list[str]:
        return [o.name for o in self.outcomes if not o.passed]
