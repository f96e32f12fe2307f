"""Turning a student's source file into Python 3 that parses, losing as little as possible.

decode(bytes) -> text: BOM stripped, UTF-8 (UTF-16 with its BOM) or else latin-1, CRLF/CR -> LF, NUL bytes removed.
repair(text) -> Repaired: if the file parses it is kept as is. Otherwise tabs in indentation are
expanded (Python 2 rule: to the next multiple of 8), Python 2 leftovers are rewritten
(py2.fix_python2); if it still does not parse, the original is split into top-level blocks (a
statement at column 0 with its decorators and else/except/finally parts), Python 2 leftovers are
rewritten in each block that does not parse (py2.fix_python2), and blocks that still do not parse are
replaced by blank lines, so every kept line keeps its line number.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from dataclasses import dataclass, field

from .py2 import fix_literals, fix_python2

_CONTINUATIONS = ("else", "elif", "except", "finally")
_DEFINES = re.compile(r"^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)|^([A-Za-z_]\w*)\s*(?::[^=\n]*)?=(?!=)")


@dataclass
class Dropped:
    """A block removed because it does not parse even after repair."""

    start: int            # first line (1-based)
    end: int              # last line
    names: list           # top-level names the block defined
    line: int             # line of the SyntaxError
    message: str          # the SyntaxError's message


@dataclass
class Repaired:
    source: str
    tree: ast.Module
    dropped: list = field(default_factory=list)
    changes: list = field(default_factory=list)   # "Python 2 code converted in lines 3-9", ...


def decode(data: bytes) -> tuple:
    """(text, note or None): UTF-8 (BOM stripped) or latin-1, newlines normalized, NULs removed."""
    note = None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text, note = data.decode("utf-16"), "read as UTF-16"
        else:
            text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        note = "not UTF-8, read as latin-1"
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
        note = (note + "; " if note else "") + "NUL bytes removed"
    return text, note


def parse(text: str) -> ast.Module:
    """ast.parse without SyntaxWarnings (invalid escapes in old code); raises SyntaxError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(text)
        except (ValueError, MemoryError, RecursionError) as exc:
            raise SyntaxError(str(exc)) from None


def expand_indent_tabs(text: str) -> str:
    """Tabs in leading whitespace expanded to the next multiple of 8 (how Python 2 read them)."""
    return "\n".join(line[:len(line) - len(line.lstrip(" \t"))].expandtabs(8) + line.lstrip(" \t")
                     for line in text.split("\n"))


def _token_starts(lines: list) -> tuple:
    """([(line, first token string)] of column-0 statements, last line tokenize got through)."""
    starts, good_until, at_start = [], 0, True
    try:
        for tok in tokenize.generate_tokens(io.StringIO("".join(lines)).readline):
            if tok.type in (tokenize.NEWLINE, tokenize.NL):
                good_until = tok.end[0] if tok.type == tokenize.NEWLINE or at_start else good_until
                at_start = at_start or tok.type == tokenize.NEWLINE
                continue
            if tok.type in (tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            if at_start and tok.start[1] == 0:
                starts.append((tok.start[0], tok.string))
            at_start = False
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return starts, good_until
    return starts, len(lines)


def split_blocks(lines: list) -> list:
    """[(start, end)] 1-based line ranges of top-level blocks covering all lines."""
    starts, good_until = _token_starts(lines)
    starts = [(n, s) for n, s in starts if n <= good_until]
    for n in range(good_until + 1, len(lines) + 1):            # past a tokenize error: column 0 rule
        line = lines[n - 1]
        if line[:1] not in ("", " ", "\t", "\n", "#"):
            starts.append((n, re.match(r"[\w@]*", line).group() or line[:1]))
    begins, decorator_only = [], False
    for n, first in starts:
        word = "@" if first.startswith("@") else first
        if begins and (word in _CONTINUATIONS or decorator_only):
            decorator_only = decorator_only and word == "@"
            continue
        begins.append(n)
        decorator_only = word == "@"
    if not begins or begins[0] != 1:
        begins.insert(0, 1)
    ends = [b - 1 for b in begins[1:]] + [len(lines)]
    return [(b, e) for b, e in zip(begins, ends) if b <= e]


def defined_names(text: str) -> list:
    """Top-level names a block of source defines (by a regex: it may not parse)."""
    names = []
    for line in text.split("\n"):
        match = _DEFINES.match(line)
        if match:
            names.append(match.group(1) or match.group(2))
    return names


def _error_at(text: str) -> tuple:
    try:
        parse(text)
    except SyntaxError as exc:
        return exc.lineno or 1, exc.msg or str(exc)
    return None


def repair(text: str) -> Repaired:
    """Repair `text` as described in the module docstring."""
    try:
        return Repaired(text, parse(text))
    except SyntaxError:
        pass
    changes = []
    if re.search(r"^[ ]*\t|^\t+[ ]", text, re.M):
        text = expand_indent_tabs(text)
        changes.append("tabs in indentation expanded")
        try:
            return Repaired(text, parse(text), changes=changes)
        except SyntaxError:
            pass
    fixed = fix_python2(text)
    if _error_at(fixed) is None:
        return Repaired(fixed, parse(fixed), changes=changes + ["Python 2 code converted"])
    text = fix_literals(text)               # lets the tokenizer of Python 3.12+ see every block
    lines = text.split("\n")
    lines = [line + "\n" for line in lines[:-1]] + [lines[-1]]
    blocks = split_blocks(lines)
    kept, dropped = {}, []
    for start, end in blocks:
        block = "".join(lines[start - 1:end])
        padded = "\n" * (start - 1) + block
        if _error_at(padded) is None:
            kept[start] = block
            continue
        fixed = fix_python2(padded)
        if _error_at(fixed) is None:
            kept[start] = fixed[start - 1:]
            changes.append(f"Python 2 code converted in lines {start}-{end}")
            continue
        line, message = _error_at(padded)
        dropped.append(Dropped(start, end, defined_names(block), line, message))
    while True:
        source = "".join(kept.get(start, "\n" * "".join(lines[start - 1:end]).count("\n"))
                         for start, end in blocks)
        error = _error_at(source)
        if error is None:
            break
        culprit = next(((s, e) for s, e in blocks if s <= error[0] <= e and s in kept), None)
        if culprit is None:
            culprit = next((s, e) for s, e in blocks if s in kept)
        block = kept.pop(culprit[0])
        dropped.append(Dropped(culprit[0], culprit[1], defined_names(block), error[0], error[1]))
    dropped.sort(key=lambda d: d.start)
    return Repaired(source, parse(source), dropped, changes)
