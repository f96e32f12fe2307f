"""``grader demo``: grade the bundled example submissions and show the reports — a newcomer's first run."""

from __future__ import annotations

from pathlib import Path

from grader.assignment import bundled_names, load_assignment
from grader.batch import grade_batch
from grader.batch_summary import summarize
from grader.outcome import PASSING_KINDS, Outcome, SubmissionResult
from grader.report.terminal import render_table


def run_demo(name: str | None, out_dir: Path) -> int:
    """Grade every example of one bundled assignment (or all); print tables and where reports are."""
    names = [name] if name else bundled_names()
    mismatches = 0
    for assignment_name in names:
        assignment = load_assignment(assignment_name)
        examples = assignment.examples()
        if not examples:
            continue
        out = out_dir / assignment_name.replace("/", "-")
        print(f"== {assignment_name}: {assignment.title} — grading {len(examples)} example submissions")
        records = grade_batch(assignment, list(examples.values()), out, progress=False)
        expected = assignment.expected_failures()
        for record in records:
            failing = sorted(o["name"] for o in record["outcomes"] if o["kind"] not in PASSING_KINDS)
            if record["submission"] not in expected:
                verdict = "(no expected verdicts in examples/expected.toml)"
            elif failing == sorted(expected[record["submission"]]):
                verdict = "as expected"
            else:
                verdict = "UNEXPECTED"
                mismatches += 1
            print(f"   {record['submission']:<28} {record['score']:g}/{record['max_score']:g}  {verdict}")
        shown = next((r for r in records if r["submission"] != "correct" and r["score"] < r["max_score"]), None)
        if shown:
            result = SubmissionResult(shown["submission"], [Outcome(**o) for o in shown["outcomes"]])
            print(f"\n   What a student sees for '{shown['submission']}':")
            print("   " + render_table(result).replace("\n", "\n   "))
        print("\n" + summarize(records))
        print(f"   reports: {out}/<example>/results.json, feedback.md; table: {out / 'grades.csv'}\n")
    return 1 if mismatches else 0
