"""Who submitted what, from a Gradescope export's ``submission_metadata.yml`` (read as text: no YAML
library, and nothing in it is executed).

The export lists each submission folder with its submitters (several for a group submission)::

    :submission_101:
      :submitters:
      - :name: Ann Lee
        :sid: '1'
        :email: ann@uni.edu
      :created_at: 2024-01-01 10:00:00.000000000 -08:00
"""

from __future__ import annotations

import re
from pathlib import Path

FIELDS = ("name", "sid", "email")
QUOTES = "'\""
_SUBMISSION = re.compile(r"^:?(submission_\d+):\s*$")
_FIELD = re.compile(r"^(-\s+)?:?(\w+):\s*(.*)$")


def read_roster(metadata: Path) -> dict[str, list[dict[str, str]]]:
    """``submission_123`` -> its submitters, each ``{"name", "sid", "email"}`` (missing fields are '')."""
    roster: dict[str, list[dict[str, str]]] = {}
    current, in_submitters, indent = None, False, 0
    for line in metadata.read_text(errors="replace").splitlines():
        stripped = line.strip()
        if not stripped or stripped == "---":
            continue
        depth = len(line) - len(line.lstrip())
        key = _SUBMISSION.match(line.rstrip()) if depth == 0 else None
        if key:
            current, in_submitters = key.group(1), False
            roster.setdefault(current, [])
            continue
        field = _FIELD.match(stripped)
        if current is None or field is None:
            continue
        dash, name, value = field.groups()
        if name == "submitters":
            in_submitters, indent = True, depth
            continue
        if in_submitters and not dash and depth <= indent:
            in_submitters = False  # a sibling key (:created_at:) ends the list
        if not in_submitters:
            continue
        if dash:
            roster[current].append(dict.fromkeys(FIELDS, ""))
        if roster[current] and name in FIELDS:
            roster[current][-1][name] = value.strip().strip(QUOTES)
    return roster


def label_of(folder: str, submitters: list[dict[str, str]]) -> str:
    """The output label of an export's submission folder: ``submission_123-<first e-mail>``."""
    email = next((s["email"] for s in submitters if s["email"]), "")
    return f"{folder}-{email}" if email else folder
