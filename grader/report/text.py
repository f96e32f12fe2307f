"""Making text safe to show (control characters escaped, length capped with a visible mark), and the
sentences every report shares."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str, limit: int) -> str:
    """``text`` without control characters (ANSI escapes, ``\\r``...), at most ``limit`` characters."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
    if len(text) > limit:
        keep = max(limit - 25, 0)
        head, tail = keep * 3 // 4, keep // 4
        text = text[:head] + "\n... [truncated] ...\n" + (text[-tail:] if tail else "")
    return text


def indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def zeroed_note(result) -> str:
    """The sentence for a submission the assignment's integrity policy scored 0 ('' otherwise)."""
    if not result.zeroed:
        return ""
    return ("Your score is 0: this assignment forbids the shortcut(s) found in your code "
            "(ask your instructor if this is a mistake):")


def budget_note(result) -> str:
    """A sentence for the student when the submission's time budget ran out ('' otherwise): how many
    tests could not run because of it (hidden ones counted, not named)."""
    stopped = [o for o in result.outcomes if o.kind == "budget"]
    if not stopped:
        return ""
    hidden = sum(o.hidden for o in stopped)
    timed_out = sum(o.kind == "timeout" for o in result.outcomes)
    text = (f"Your code used up the time limit of the whole submission, so {len(stopped)} test(s) could "
            f"not run and scored 0{f' ({hidden} of them hidden)' if hidden else ''}.")
    if timed_out:
        text += f" Before that, {timed_out} test(s) timed out: a call that never finishes uses up the time."
    return text


def said_once(pairs) -> list[tuple[list[str], str]]:
    """``(name, text)`` pairs grouped by identical text, in first-seen order: a message that many tests
    share (a class missing from the submission) is said once with the names it covers."""
    groups: dict[str, list[str]] = {}
    for name, text in pairs:
        groups.setdefault(text, []).append(name)
    return [(names, text) for text, names in groups.items()]


def names_line(names: list[str], limit: int = 200) -> str:
    """``a``, or ``a, b and c (3 tests)`` with long lists shortened."""
    if len(names) == 1:
        return clean(names[0], limit)
    shown = names if len(names) <= 6 else names[:5] + [f"{len(names) - 5} more"]
    return clean(", ".join(shown[:-1]) + " and " + shown[-1], 4 * limit) + f" ({len(names)} tests)"
