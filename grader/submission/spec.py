"""What the grader asks a submission for: graded names, and the one error that stops indexing."""
from __future__ import annotations

from dataclasses import dataclass

KINDS = ("function", "class", "variable")


class SubmissionError(Exception):
    """The submission path does not exist or cannot be read (one-line reason)."""


@dataclass(frozen=True)
class NameSpec:
    """A graded name.

    `kind`: "function", "class" or "variable" (a notebook variable).
    `files`: the starter's relative paths that define it ("nndl/layers.py"), preferred when several
    files of the submission define the name. `notebook`: the starter notebook's file name (variables).
    `aliases`: other names a notebook may assign the variable under, tried in order when it does not
    assign `name` itself.
    """

    name: str
    kind: str = "function"
    files: tuple = ()
    notebook: str | None = None
    aliases: tuple = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"NameSpec kind must be one of {KINDS}, not {self.kind!r}")
        if isinstance(self.files, str):
            object.__setattr__(self, "files", (self.files,))
        else:
            object.__setattr__(self, "files", tuple(self.files))
        object.__setattr__(self, "aliases", tuple(self.aliases))
