"""The terminal table students read after ``grader check`` and instructors after ``grader grade``."""

from __future__ import annotations

from grader.outcome import SubmissionResult
from grader.report.text import budget_note, clean, indent, names_line, said_once, zeroed_note

MARK = {"passed": "PASS", "info": "INFO"}  # every other kind: FAIL


def render_table(result: SubmissionResult, *, title: str = "", show_hidden_details: bool = False) -> str:
    """A table of tests (status, points, name), then each failure with what differs and why, then what
    is for information (INFO: not a failure; points that could not be checked show as ?)."""
    lines = [title] if title else []
    width = max((len(_points(o)) for o in result.outcomes), default=5)
    for o in result.outcomes:
        hidden = "  (hidden)" if o.hidden else ""
        lines.append(f"{MARK.get(o.kind, 'FAIL')}  {_points(o):>{width}}  {clean(o.name, 200)}{hidden}")
    unchecked = sum(o.max_score for o in result.outcomes if o.kind == "info")
    lines.append(f"Total: {result.score:g}/{result.max_score:g}"
                 + (f" ({unchecked:g} of them not checked here)" if unchecked else ""))
    if budget_note(result):
        lines.append(budget_note(result))
    failures = [o for o in result.outcomes if not o.passed]
    if failures:
        lines.append("")
        lines.append("What went wrong:")
    details = [(o.name, o.instructor_output if (o.hidden and show_hidden_details and o.instructor_output)
                else o.output) for o in failures]
    for names, detail in said_once(details):
        lines.append(f"- {names_line(names)}")
        lines.append(indent(clean(detail, 3000)))
    info = [(o.name, o.output) for o in result.outcomes if o.kind == "info"]
    if info:
        lines += ["", "For information (not failures):"]
    for names, detail in said_once(info):
        lines.append(f"- {names_line(names)}")
        lines.append(indent(clean(detail, 3000)))
    notes = [(o.name, n) for o in result.outcomes if not o.hidden for n in o.notes]
    if notes:
        lines.append("")
        lines.append("Notes:")
        lines.extend(f"- {clean(name, 200)}: {clean(n, 500)}" for name, n in notes)
    if result.load_notes:
        lines.append("")
        lines.append("Notes on your files:")
        lines.extend(f"- {clean(n, 500)}" for n in result.load_notes)
    if result.flags:
        lines.append("")
        lines.append(zeroed_note(result) if result.zeroed else
                     "Flags (forbidden shortcuts; instructors see these):")
        lines.extend(f"- {clean(n, 300)}" for n in result.flags)
    return "\n".join(lines)


def _points(o) -> str:
    return f"{'?' if o.kind == 'info' and o.max_score else f'{o.score:g}'}/{o.max_score:g}"
