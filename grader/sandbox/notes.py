"""What one submission's workers said besides results (contracts §4): notes on the student's code,
captured student output, crash notes, and flags of forbidden shortcuts (grader.integrity).

Every reply of a worker carries ``notes`` (load notes: statements skipped, cells that failed), ``out``
(captured output) and maybe flags; ``absorb`` keeps them, capped. Notes made while the graded names
are loaded before any test input reached the worker (``loading_only``) are the student-facing
``code`` notes; later ones go with the output (student code could write any text into them, hidden
inputs included).
"""
from typing import Any

from grader import integrity

NOTES_CAP = 200          # notes kept per submission
NOTE_CHARS = 16_000      # characters per note


class Notes:
    """The notes, output and flags of one submission, oldest first."""

    def __init__(self) -> None:
        self._all: list[str] = []
        self._code: list[str] = []
        self._output: list[str] = []
        self._flags = integrity.FlagSet()
        self.loading_only = True   # no test input has been sent to the worker yet

    def add(self, text: object, kind: str = "output") -> None:
        """Keep a note (capped); ``kind`` "code" (the worker's notes on the student's code, kept once)
        or "output" (student output, crash notes)."""
        text = str(text)
        if len(text) > NOTE_CHARS:
            half = NOTE_CHARS // 2
            text = f"{text[:half]}\n[... {len(text) - 2 * half} characters truncated ...]\n{text[-half:]}"
        if len(self._all) < NOTES_CAP and text:
            if kind == "code" and text in self._code:
                return  # a restarted worker loads the same files again
            self._all.append(text)
            (self._code if kind == "code" else self._output).append(text)

    def absorb(self, reply: dict[str, Any], name: str | None) -> None:
        """Keep the notes, output and flags of a worker's ``reply`` to a request about graded ``name``."""
        self._flags.absorb(reply, name)
        notes = reply.get("notes")
        kind = "code" if self.loading_only else "output"  # after a test input was sent, a note may carry it
        if type(notes) is list:
            for note in notes[:NOTES_CAP]:
                self.add(note if type(note) is str else "", kind)
        out = reply.get("out")
        if type(out) is str and out:
            self.add("student output:\n" + out)

    def all(self) -> list[str]:
        """Load notes, captured student output (capped) and crash notes."""
        return list(self._all)

    def code(self) -> list[str]:
        """The notes on the student's own code made while loading, each once (student-facing)."""
        return list(self._code)

    def output(self) -> list[str]:
        """Captured student output and crash notes (instructor-only)."""
        return list(self._output)

    def flags(self) -> list[str]:
        """Forbidden shortcuts the worker saw, each once (instructor-facing)."""
        return self._flags.texts()
