"""Making text safe to show: control characters escaped, length capped with a visible mark."""

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
