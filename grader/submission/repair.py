"""Turning a student's source file into Python 3 that parses, losing as little as possible.

decode(bytes) -> text: BOM stripped, UTF-8 (UTF-16 with its BOM) or else latin-1, CRLF/CR -> LF, NUL bytes removed.
repair(text) -> Repaired: if the file parses it is kept as is. Otherwise tabs in indentation are
expanded (Python 2 rule: to the next multiple of 8), Python 2 leftovers are rewritten
(py2.fix_python2); if it still does not parse, the original is split into top-level blocks (a
statement at column 0 with its decorators and else/except/finally parts), Python 2 leftovers are
rewritten in each block that does not parse (py2.fix_python2). In a class that still does not parse,
each method (def at the class body's indentation, with its decorators) holding the error is replaced
by a one-line stub raising SyntaxError("Class.method has a syntax error at line N: ...") and the rest
of the class is kept; other blocks that still do not parse are replaced by blank lines, so every kept
line keeps its line number. The error reported is the first one left after the Python 2 rewrite.
"""
from __future__ import annotations

import ast
import bisect
import io
import re
import sys
import tokenize
import warnings
from dataclasses import dataclass, field

from .py2 import code_spans, fix_literals, fix_python2

_CONTINUATIONS = ("else", "elif", "except", "finally")
_MEMBER = re.compile(r"(?:async\s+def|def|class)\s+([A-Za-z_]\w*)|@")
_CLASS = re.compile(r"class\s+([A-Za-z_]\w*)")
_DEFINES = re.compile(r"^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)|^([A-Za-z_]\w*)\s*(?::[^=\n]*)?=(?!=)")


@dataclass
class Dropped:
    """A block removed because it does not parse even after repair."""

    start: int            # first line (1-based)
    end: int              # last line
    names: list           # top-level names the block defined
    line: int             # line of the SyntaxError
    message: str          # the SyntaxError's message
    stubbed: bool = False  # a method replaced by a stub that raises the SyntaxError (names: "Class.method")


@dataclass
class Repaired:
    source: str
    tree: ast.Module
    dropped: list = field(default_factory=list)
    changes: list = field(default_factory=list)   # "Python 2 code converted in lines 3-9", ...

    @property
    def python2(self) -> bool:
        """Python 2 syntax had to be rewritten (py2.fix_python2) for the source to parse."""
        return any(change.startswith("Python 2 code converted") for change in self.changes)


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
    if sys.version_info < (3, 11) and len(text) > DEEP_SOURCE_CHARS:
        return _parse_on_a_big_stack(text)
    return _parse(text)


def _parse(text: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(text)
        except (ValueError, MemoryError, RecursionError) as exc:
            raise SyntaxError(str(exc)) from None


DEEP_SOURCE_CHARS = 100_000   # long enough to nest deeper than Python 3.10's parser survives


def _parse_on_a_big_stack(text: str) -> ast.Module:
    """Python 3.10's parser has no depth guard: an expression nested ~200,000 deep overflows the C
    stack and kills the grader. A long source is parsed on a thread with a 1 GiB stack instead."""
    import threading

    result = {}

    def work():
        try:
            result["tree"] = _parse(text)
        except SyntaxError as exc:
            result["error"] = exc
    before = threading.stack_size(1 << 30)
    try:
        thread = threading.Thread(target=work, name="parse")
        thread.start()
    finally:
        threading.stack_size(before)
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["tree"]


def expand_indent_tabs(text: str) -> tuple:
    """(text, changed): tabs in the indentation of code lines expanded to the next multiple of 8 (how
    Python 2 read them). Lines that begin inside a string literal (docstrings) and comment lines are
    left as they are; `changed` says whether any code line had a tab in its indentation."""
    spans = code_spans(text)
    span_starts = [a for a, _ in spans]
    out, offset, changed = [], 0, False
    for line in text.split("\n"):
        k = bisect.bisect_right(span_starts, offset) - 1
        in_code = k >= 0 and offset < spans[k][1]
        offset += len(line) + 1
        rest = line.lstrip(" \t")
        indent = line[:len(line) - len(rest)]
        if in_code and "\t" in indent and rest and not rest.startswith("#"):
            line, changed = indent.expandtabs(8) + rest, True
        out.append(line)
    return "\n".join(out), changed


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
            head = re.match(r"[\w@]*", line)   # matches every line, if only by the empty string
            starts.append((n, (head.group() if head else "") or line[:1]))
    begins: list[int] = []
    decorator_only = False
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


def _error_at(text: str) -> tuple[int, str] | None:
    """(line, message) of the syntax error of ``text``; None when it parses."""
    try:
        parse(text)
    except SyntaxError as exc:
        return exc.lineno or 1, exc.msg or str(exc)
    return None


def _real_error(text: str, fixed: str) -> tuple[int, str]:
    """The error to report for `text` whose Python 2 rewrite is `fixed` (neither parses): the rewrite's,
    unless the rewrite broke an earlier line (then the original's)."""
    original, rewritten = _error_at(text), _error_at(fixed)
    if original is None or rewritten is None:
        raise ValueError("_real_error is for two sources that both fail to parse")
    return rewritten if rewritten[0] >= original[0] else original


def _width(line: str) -> int:
    return len(line[:len(line) - len(line.lstrip(" \t"))].expandtabs(8))


def _members(lines: list, header: int, end: int) -> list:
    """[(first, last, name)] of the class whose `class` line is `header` and whose block ends at line
    `end` (1-based; the block may not parse): each def or class at the body's indentation with its
    decorators; name None for a stray decorator."""
    body = [n for n in range(header + 1, end + 1)
            if lines[n - 1].strip() and not lines[n - 1].lstrip().startswith("#")]
    indent = _width(lines[body[0] - 1]) if body else 0
    starts: list[list] = []            # [line, name]
    for n in body:
        match = _MEMBER.match(lines[n - 1].lstrip(" \t"))
        if indent == 0 or _width(lines[n - 1]) != indent or not match:
            continue
        if starts and starts[-1][1] is None and match.group(1):
            starts[-1][1] = match.group(1)         # the def under its decorators
        elif not (starts and starts[-1][1] is None):
            starts.append([n, match.group(1)])
    ends = [n - 1 for n, _ in starts[1:]] + [end]
    for k, (first, _) in enumerate(starts):
        while ends[k] > first and not lines[ends[k] - 1].strip():
            ends[k] -= 1                               # trailing blank lines are not the member's
    return [(first, last, name) for (first, name), last in zip(starts, ends)]


def repair_class(lines: list, start: int, end: int) -> tuple | None:
    """(source of lines start..end, [Dropped], whether Python 2 code was converted) for a class block
    that does not parse: each method holding an error is replaced by a stub raising SyntaxError, Python
    2 leftovers are rewritten. None when the block is not a class or an error lies outside its methods."""
    header = next((n for n in range(start, end + 1) if not lines[n - 1].startswith(("@", "#", "\n"))), end)
    match = _CLASS.match(lines[header - 1])
    if not match:
        return None
    current, members = lines[start - 1:end], _members(lines, header, end)
    dropped: list[Dropped] = []
    while True:
        padded = "\n" * (start - 1) + "".join(current)
        fixed = fix_python2(padded)
        if _error_at(fixed) is None:
            return fixed[start - 1:], dropped, fixed != padded
        line, message = _real_error(padded, fixed)
        member = next((m for m in members if m[0] <= line <= m[1]), None)
        if member is None or any(d.start == member[0] for d in dropped):
            return None
        first, last, name = member
        qualname, stub = f"{match.group(1)}.{name}", ""
        if name:
            reason = f"{qualname} has a syntax error at line {line}: {message}"
            indent = lines[first - 1][:len(lines[first - 1]) - len(lines[first - 1].lstrip(" \t"))]
            stub = indent + f"def {name}(*args, **kwargs): raise SyntaxError({reason!r})"
        for k in range(first, last + 1):
            newline = "\n" if current[k - start].endswith("\n") else ""
            current[k - start] = (stub if k == first else "") + newline
        dropped.append(Dropped(first, last, [qualname] if name else [], line, message, stubbed=bool(name)))


def repair(text: str) -> Repaired:
    """Repair `text` as described in the module docstring."""
    try:
        return Repaired(text, parse(text))
    except SyntaxError:
        pass
    changes = []
    text, expanded = expand_indent_tabs(text)
    if expanded:
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
        in_class = repair_class(lines, start, end)
        if in_class is not None:
            kept[start] = in_class[0]
            dropped.extend(in_class[1])
            if in_class[2]:
                changes.append(f"Python 2 code converted in lines {start}-{end}")
            continue
        line, message = _real_error(padded, fixed)
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
        dropped = [d for d in dropped if not (d.stubbed and culprit[0] <= d.start <= culprit[1])]
        dropped.append(Dropped(culprit[0], culprit[1], defined_names(block), error[0], error[1]))
    dropped.sort(key=lambda d: d.start)
    return Repaired(source, parse(source), dropped, changes)
