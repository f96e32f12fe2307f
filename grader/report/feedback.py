"""Markdown feedback for one submission: score, a table of tests, and each failure explained."""

from __future__ import annotations

from grader.outcome import SubmissionResult
from grader.report.text import budget_note, clean, names_line, said_once, zeroed_note

HIDDEN_LATER = "This hidden test failed; its details are shown after the due date."


def render_feedback(result: SubmissionResult, title: str = "") -> str:
    """Markdown a student can read: hidden tests show only pass/fail; integrity flags only when the
    assignment's policy scored them 0 (the student is owed the reason)."""
    lines = [f"# {title or 'Feedback'}", "", f"**Score: {result.score:g} / {result.max_score:g}**", ""]
    if budget_note(result):
        lines += [_cell(budget_note(result)), ""]
    if result.zeroed:
        lines += [_cell(zeroed_note(result))] + [f"- {_cell(flag)}" for flag in result.flags] + [""]
    lines += ["| | points | test |", "|---|---|---|"]
    for o in result.outcomes:
        mark = "pass" if o.passed else "**fail**"
        hidden = " *(hidden)*" if o.hidden else ""
        lines.append(f"| {mark} | {o.score:g}/{o.max_score:g} | {_cell(o.name)}{hidden} |")
    failures = [o for o in result.outcomes if not o.passed]
    if failures:
        lines += ["", "## What went wrong", ""]
    for names, text in said_once((o.name, HIDDEN_LATER if o.hidden else o.output) for o in failures):
        heading = names_line(names).replace("|", "\\|").replace("\n", " ")
        lines += [f"### {heading}", "", "```text", clean(text, 3000).replace("```", "'''"), "```", ""]
    notes = [n for o in result.outcomes if not o.hidden for n in o.notes]
    if notes or result.load_notes:
        lines += ["", "## Notes", ""] + [f"- {_cell(n)}" for n in result.load_notes + notes]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return clean(text, 300).replace("|", "\\|").replace("\n", " ")
