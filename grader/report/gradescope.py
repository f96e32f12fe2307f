"""The Gradescope ``results.json``: one entry per test, validated before it is written, atomically.

A hidden test is an ``after_due_date`` entry with its real diagnosis: Gradescope shows it to instructors
at once and to students after the (late) due date (inputs are seeded per submission and grading secret,
grader.secret, so what it reveals is of no use to a later submission). The grader's own detail of a
failure (the traceback) and the ids of the misconceptions it names are in the test's ``extra_data``,
which Gradescope stores and never displays.

Format: ../shared/gradescope/results.schema.json (a copy ships beside this module). Student stdout is
never put in the report (Gradescope shows run_autograder's stdout to instructors only).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

from grader.outcome import SubmissionResult
from grader.report.text import budget_note, clean, zeroed_note

SCHEMA_FILE = Path(__file__).with_name("results.schema.json")
TEST_OUTPUT_LIMIT = 4000
SUMMARY_LIMIT = 8000


class InvalidReport(Exception):
    """A report that does not validate against the schema (a bug of the grader, never of a student)."""


def results_json(result: SubmissionResult, title: str = "") -> dict:
    """The results.json object for one graded submission."""
    tests = []
    for number, outcome in enumerate(result.outcomes, start=1):
        output = outcome.output
        if outcome.notes:
            output += "\n" + "\n".join(outcome.notes)
        test = {
            "name": clean(outcome.name, 300),
            "number": str(number),
            "score": float(outcome.score),
            "max_score": float(outcome.max_score),
            "status": "passed" if outcome.passed else "failed",
            "output": clean(output, TEST_OUTPUT_LIMIT),
            "visibility": outcome.visibility,
        }
        extra: dict[str, object] = {}   # detail text, misconception ids
        if outcome.instructor_output:  # stored for instructors, never displayed
            extra["detail"] = clean(outcome.instructor_output, TEST_OUTPUT_LIMIT)
        if outcome.misconceptions:  # the ids of the named misconceptions (grader.checks.misconceptions)
            extra["misconceptions"] = list(outcome.misconceptions)
        if extra:
            test["extra_data"] = extra
        tests.append(test)
    if result.flags:  # instructors only: a hidden entry, and the list in extra_data
        tests.append({"name": "Integrity flags (instructors only)", "number": str(len(tests) + 1),
                      "score": 0.0, "max_score": 0.0, "status": "failed", "visibility": "hidden",
                      "output": clean("\n".join(result.flags), TEST_OUTPUT_LIMIT)})
    report = {
        "score": float(result.score),
        "execution_time": float(result.execution_time),
        "output": clean(summary(result, title), SUMMARY_LIMIT),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "tests": tests,
    }
    if result.flags:
        report["extra_data"] = {"flags": [clean(f, 300) for f in result.flags]}
    return report


def summary(result: SubmissionResult, title: str = "") -> str:
    """The top-level text: score of the visible tests, whether the time budget ran out, then the notes
    on the student's files (made while loading them, before any test input: never its output)."""
    visible = [o for o in result.outcomes if not o.hidden]
    hidden = len(result.outcomes) - len(visible)
    lines = [title] if title else []
    lines.append(f"Visible tests: {sum(o.passed for o in visible)} of {len(visible)} passed"
                 + (f"; {hidden} hidden test(s) are shown after the due date." if hidden else "."))
    if budget_note(result):
        lines.append(budget_note(result))
    if result.zeroed:
        lines.append(zeroed_note(result))
        lines.extend(f"- {flag}" for flag in result.flags)
    if result.load_notes:
        lines.append("Notes on your files (while loading them):")
        lines.extend(f"- {note}" for note in result.load_notes)
    return "\n".join(lines)


_VALIDATOR_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _build_validator():
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text())
    return jsonschema.validators.validator_for(schema)(schema)


def _validator():
    with _VALIDATOR_LOCK:   # built once, by whichever thread asks first
        return _build_validator()


def prepare_validator() -> None:
    """Build the validator in a background thread (importing jsonschema takes ~45 ms): one submission
    graded in a fresh process spends that time waiting for its worker instead of after its tests."""
    threading.Thread(target=_validator, name="results-schema", daemon=True).start()


def validate(report: dict) -> None:
    errors = sorted(_validator().iter_errors(report), key=lambda e: list(e.path))
    if errors:
        where = "/".join(map(str, errors[0].path)) or "(top level)"
        raise InvalidReport(f"results.json invalid at {where}: {errors[0].message}")


def write_results(report: dict, path: Path) -> None:
    """Validate ``report`` and write it to ``path`` atomically (temp file + rename, no NaN)."""
    validate(report)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, allow_nan=False)
    fd, tmp = tempfile.mkstemp(prefix=".results-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
