"""Example submissions stored as small edits of ``examples/correct/``.

A bug example is usually the correct one with one to four lines changed. Instead of a whole copy, its
folder may hold just ``edits.toml``::

    # bug_bn_backward_no_mean_term: the correct example with these edits
    [[edit]]
    file = "nndl/layers.py"
    old = '''  dx = dxhat / std - ...'''
    new = '''  dx = dxhat / std'''

Each ``old`` must occur exactly once in its file; ``[[add]]`` (``file``, ``text``) writes a new file and
``remove = ["path", ...]`` drops one. ``materialise`` builds the submission once per content (in the temp
folder, keyed by a digest of ``correct/`` and the edits, atomically) and returns its folder, whose name
is the example's. ``python -m grader.examples ASSIGNMENT_FOLDER`` turns whole copies into edits.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from grader.secret import tree_digest

EDITS = "edits.toml"
CONTEXT = 2  # lines of context around a changed block, widened until the old text is unique


class ExampleError(Exception):
    """An ``edits.toml`` that cannot be applied (named with its file and the edit)."""


def is_edited(folder: Path) -> bool:
    return (folder / EDITS).is_file()


def materialise(folder: Path, correct: Path) -> Path:
    """The submission ``folder/edits.toml`` describes, built from ``correct`` (once per content)."""
    text = (folder / EDITS).read_text()
    key = hashlib.sha256(f"{tree_digest(correct)}:{text}".encode()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / "grader-examples" / key / folder.name
    if target.is_dir():
        return target
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=_made(target.parent.parent)))
    try:
        built = staging / folder.name
        shutil.copytree(correct, built, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        apply_edits(built, _read_toml(folder / EDITS), folder / EDITS)
        _made(target.parent)
        try:
            os.rename(built, target)
        except OSError:  # another process built it first
            if not target.is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def apply_edits(root: Path, spec: dict, where: Path) -> None:
    """Apply ``spec`` (the parsed edits.toml) to the files under ``root``."""
    for rel in spec.get("remove", []):
        _inside(root, rel, where).unlink()
    for entry in spec.get("edit", []):
        path = _inside(root, entry["file"], where)
        source = path.read_bytes().decode()
        found = source.count(entry["old"])
        if found != 1:
            raise ExampleError(f"{where}: the text to replace in {entry['file']} occurs {found} times, not once: "
                               f"{entry['old'][:80]!r}")
        path.write_bytes(source.replace(entry["old"], entry["new"]).encode())
    for entry in spec.get("add", []):
        path = _inside(root, entry["file"], where)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(entry["text"].encode())


def edits_between(correct: Path, example: Path) -> dict:
    """The edits that turn ``correct`` into ``example`` (files compared as text)."""
    ours = _files(correct)
    theirs = _files(example)
    spec: dict = {"remove": sorted(set(ours) - set(theirs)), "edit": [], "add": []}
    for rel in sorted(set(theirs) - set(ours)):
        spec["add"].append({"file": rel, "text": theirs[rel]})
    for rel in sorted(set(ours) & set(theirs)):
        if ours[rel] != theirs[rel]:
            spec["edit"] += _file_edits(rel, ours[rel], theirs[rel])
    return {k: v for k, v in spec.items() if v}


def _file_edits(rel: str, old: str, new: str) -> list[dict]:
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    edits = []
    opcodes = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    for _, i1, i2, j1, j2 in reversed(opcodes):  # from the end, so earlier offsets stay valid
        for context in range(CONTEXT, len(a) + 1):
            lo, hi = max(0, i1 - context), min(len(a), i2 + context)
            old_text = "".join(a[lo:hi])
            if old_text and old.count(old_text) == 1:
                break
        new_text = "".join(a[lo:i1] + b[j1:j2] + a[i2:hi])
        edits.append({"file": rel, "old": old_text, "new": new_text})
        old = old.replace(old_text, new_text)
        a = old.splitlines(keepends=True)
    return edits


def to_toml(spec: dict, title: str) -> str:
    """``spec`` as edits.toml text (multi-line literal strings where the text allows)."""
    lines = [f"# {title}: the correct example with these edits (grader.examples)"]
    if spec.get("remove"):
        lines.append("remove = [" + ", ".join(_string(r) for r in spec["remove"]) + "]")
    for table, keys in (("edit", ("file", "old", "new")), ("add", ("file", "text"))):
        for entry in spec.get(table, []):
            lines += ["", f"[[{table}]]"] + [f"{k} = {_string(entry[k])}" for k in keys]
    return "\n".join(lines) + "\n"


def convert(assignment_dir: Path, limit: float = 0.5) -> list[str]:
    """Replace each example folder of ``assignment_dir`` that is a small edit of ``correct/`` (edit text at
    most ``limit`` of the example's size) by its edits.toml, after checking that materialising it gives the
    same files byte for byte. Returns the converted names."""
    examples, converted = assignment_dir / "examples", []
    correct = examples / "correct"
    for folder in sorted(p for p in examples.iterdir() if p.is_dir() and p.name != "correct" and not is_edited(p)):
        spec = edits_between(correct, folder)
        text = to_toml(spec, folder.name)
        if not spec or len(text) > limit * sum(len(t) for t in _files(folder).values()):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            probe = Path(tmp) / folder.name
            probe.mkdir()
            (probe / EDITS).write_text(text)
            built = materialise(probe, correct)
            if _files(built, raw=True) != _files(folder, raw=True):
                continue
        shutil.rmtree(folder)
        folder.mkdir()
        (folder / EDITS).write_text(text)
        converted.append(folder.name)
    return converted


def _files(root: Path, raw: bool = False) -> dict:
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            data = path.read_bytes()
            found[path.relative_to(root).as_posix()] = data if raw else data.decode(errors="surrogateescape")
    return found


def _string(text: str) -> str:
    if "'''" not in text and "\r" not in text and all(c == "\n" or c == "\t" or c >= " " for c in text):
        return "'''\n" + text + "'''" if "\n" in text else f"'{text}'" if "'" not in text else _basic(text)
    return _basic(text)


def _basic(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c >= " " or c == "\t" else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def _inside(root: Path, rel: str, where: Path) -> Path:
    path = (root / rel).resolve()
    if root.resolve() not in path.parents:
        raise ExampleError(f"{where}: {rel} is outside the example")
    return path


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _read_toml(path: Path) -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ExampleError(f"{path}: {exc}") from None


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        names = convert(Path(arg))
        print(f"{arg}: {len(names)} example(s) stored as edits: {', '.join(names)}")
