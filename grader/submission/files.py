"""The files of a submission: safe zip extraction and the list of sources a grader may read.

Ignored everywhere: `__MACOSX/`, `.ipynb_checkpoints/`, `__pycache__/`, installed packages
(`site-packages/`, `venv/`...), hidden folders and files (`.git/`, `._layers.py`); never used:
`*.pyc`, `*.pyo`, `*.pkl`, `*.pickle`. Symbolic links are never followed.
"""
from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

IGNORED_DIRS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__",
                "site-packages", "dist-packages", "node_modules", "venv"}   # installed packages, not homework
NEVER_USED_SUFFIXES = {".pyc", ".pyo", ".pkl", ".pickle"}

MAX_SOURCE_BYTES = 5 * 2**20          # a .py larger than this is not read
MAX_NOTEBOOK_BYTES = 100 * 2**20      # notebooks carry images in their outputs
MAX_SOURCE_FILES = 1000               # .py and .ipynb files read from one submission

MAX_ZIP_MEMBERS = 5000
MAX_ZIP_TOTAL_BYTES = 300 * 2**20     # sum of uncompressed sizes actually written
MAX_ZIP_RATIO = 200                   # uncompressed / compressed, for members over 1 MiB
MAX_DATA_MEMBER_BYTES = 20 * 2**20    # larger members other than sources (datasets) are skipped
_CHUNK = 2**20


class BadZip(Exception):
    """The zip cannot be used; str() is a reason a student understands."""


@dataclass
class SourceFiles:
    """Relative POSIX paths (from the submission root) of the files the grader reads."""

    py: list = field(default_factory=list)
    notebooks: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def is_ignored(rel: str) -> bool:
    """True for paths the grader never looks at (see module docstring)."""
    parts = PurePosixPath(rel).parts
    if any(p in IGNORED_DIRS or p.startswith(".") for p in parts):
        return True
    return PurePosixPath(rel).suffix.lower() in NEVER_USED_SUFFIXES


def collect(root: Path) -> SourceFiles:
    """Walk `root` (no symlinks) and list its .py and .ipynb files, sorted, with notes on skips."""
    found = SourceFiles()
    root = Path(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = sorted(d for d in dirnames
                             if not is_ignored(rel_dir + d) and not os.path.islink(os.path.join(dirpath, d)))
        for name in sorted(filenames):
            rel = rel_dir + name
            full = os.path.join(dirpath, name)
            if is_ignored(rel):
                continue
            suffix = PurePosixPath(name).suffix.lower()
            if suffix not in (".py", ".ipynb"):
                if suffix == ".pth":
                    found.notes.append(f"{rel}: .pth files are never loaded")
                continue
            if os.path.islink(full):
                found.notes.append(f"{rel}: symbolic link ignored")
                continue
            try:
                info = os.lstat(full)
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):   # a pipe or a device would block or never end
                found.notes.append(f"{rel}: not a regular file; ignored")
                continue
            limit = MAX_SOURCE_BYTES if suffix == ".py" else MAX_NOTEBOOK_BYTES
            size = info.st_size
            if size > limit:
                found.notes.append(f"{rel}: {size} bytes, larger than the {limit} bytes the grader reads; ignored")
                continue
            if len(found.py) + len(found.notebooks) >= MAX_SOURCE_FILES:
                found.notes.append(f"more than {MAX_SOURCE_FILES} source files; the rest (from {rel}) are ignored")
                return found
            (found.py if suffix == ".py" else found.notebooks).append(rel)
    return found


MAX_NAME_BYTES = 255                  # one path component (the file system's limit)
MAX_PATH_BYTES = 1024                 # a whole member path
MAX_DEPTH = 64                        # folders in a member path
MAX_MEMBER_NOTES = 20                 # notes on skipped members; the rest are counted


class UnsafeMember(Exception):
    """One member cannot be extracted; str() says why (student-facing)."""


def _member_path(info: zipfile.ZipInfo) -> str:
    """The member's normalized relative path; raises UnsafeMember for absolute paths, drive letters,
    `..` escapes, NUL bytes and names too long or too deep for a file system."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UnsafeMember("it has an absolute path")
    if "\0" in name:
        raise UnsafeMember("its name holds a NUL byte")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeMember("its path leaves its folder")
    if len(parts) > MAX_DEPTH:
        raise UnsafeMember(f"it is more than {MAX_DEPTH} folders deep")
    rel = "/".join(parts)
    if any(len(os.fsencode(p)) > MAX_NAME_BYTES for p in parts) or len(os.fsencode(rel)) > MAX_PATH_BYTES:
        raise UnsafeMember("its name is too long for a file system")
    return rel


def _size_limit(rel: str) -> int:
    suffix = PurePosixPath(rel).suffix.lower()
    return {".py": MAX_SOURCE_BYTES, ".ipynb": MAX_NOTEBOOK_BYTES}.get(suffix, MAX_DATA_MEMBER_BYTES)


def _check_member(info: zipfile.ZipInfo) -> None:
    """Raises UnsafeMember for a symbolic link, a device or other special file, an encrypted member or
    one that expands more than MAX_ZIP_RATIO times."""
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        raise UnsafeMember("it is a symbolic link")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise UnsafeMember("it is a special file (a device, a pipe or a socket)")
    if info.flag_bits & 0x1:
        raise UnsafeMember("it is encrypted; submit the zip without a password")
    if info.file_size > 2**20 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
        raise UnsafeMember(f"it expands {info.file_size // max(info.compress_size, 1)} times "
                           f"(more than {MAX_ZIP_RATIO})")


def _plan_member(info: zipfile.ZipInfo, strict: bool):
    """(rel, None) for a member to extract, (None, None) to ignore silently, (None, note) to skip with a
    note; with ``strict`` an unsafe member raises BadZip (the whole zip is refused)."""
    try:
        rel = _member_path(info)
        if not rel or info.is_dir() or is_ignored(rel):
            return None, None
        too_big = _size_limit(rel)
        if info.file_size > too_big:
            return None, f"zip member {rel} ({info.file_size} bytes) is larger than {too_big} bytes; skipped"
        _check_member(info)
        return rel, None
    except UnsafeMember as exc:
        if strict:
            raise BadZip(f"the zip file member {info.filename[:200]!r} cannot be extracted: {exc}") from None
        return None, f"zip member {info.filename[:200]!r} skipped: {exc}"


def extract_zip(zip_path: Path, dest: Path, *, max_members: int = MAX_ZIP_MEMBERS,
                max_total_bytes: int = MAX_ZIP_TOTAL_BYTES, strict: bool = False) -> list:
    """Extract `zip_path` into `dest` safely; return notes (student-facing). Raises BadZip with a
    student-facing reason when the zip itself cannot be read or has more than `max_members` members.

    A member is skipped with a note when it is unsafe (absolute path, `..`, symbolic link, special file,
    name too long or too deep, encrypted, expanding more than MAX_ZIP_RATIO times), larger than a file
    of its kind may be (datasets over MAX_DATA_MEMBER_BYTES), clashes with another member, or cannot be
    written; once `max_total_bytes` are written (counted while writing, header sizes are not trusted)
    the rest is skipped. The other members are extracted. ``strict``: an unsafe member refuses the zip.
    """
    notes, skipped = [], 0
    try:
        archive = zipfile.ZipFile(zip_path)
        members = archive.infolist()
    except Exception as exc:  # a malformed archive may raise anything from zipfile's parser
        raise BadZip(f"the file is not a readable zip archive ({type(exc).__name__}: {str(exc)[:200]})") from None

    def skip(note):
        nonlocal skipped
        skipped += 1
        if skipped <= MAX_MEMBER_NOTES:
            notes.append(note)

    with archive:
        if len(members) > max_members:
            raise BadZip(f"the zip file has {len(members)} members (at most {max_members} are accepted)")
        planned = []
        for info in members:
            rel, note = _plan_member(info, strict)
            if note:
                skip(note)
            elif rel:
                planned.append((info, rel))
        written, dest = 0, Path(dest)
        for info, rel in planned:
            target = Path(dest, *rel.split("/"))
            try:
                if target.exists() or any(p.is_file() for p in target.parents if p != dest and p.exists()):
                    skip(f"zip member {info.filename[:200]!r} clashes with another member; skipped")
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                written += _copy_member(archive, info, target, max_total_bytes - written)
            except _OverBudget:
                _remove(target)
                skip(f"the zip file expands to more than {max_total_bytes} bytes; {info.filename[:200]!r} "
                     "and the members after it were not extracted")
                break
            except Exception as exc:  # a corrupt member, a name the file system refuses...
                _remove(target)
                if strict:
                    raise BadZip(f"the zip file member {info.filename[:200]!r} cannot be extracted "
                                 f"({type(exc).__name__}: {str(exc)[:200]})") from None
                skip(f"zip member {info.filename[:200]!r} cannot be extracted "
                     f"({type(exc).__name__}: {str(exc)[:200]}); skipped")
                continue
            if rel.lower().endswith(".zip"):
                notes.append(f"{rel}: a zip inside the zip is not opened")
    if skipped > MAX_MEMBER_NOTES:
        notes.append(f"{skipped - MAX_MEMBER_NOTES} more zip members skipped")
    return notes


class _OverBudget(Exception):
    pass


def _remove(target: Path) -> None:
    try:
        if target.is_file() and not target.is_symlink():
            target.unlink()
    except OSError:
        pass


def _copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int) -> int:
    """Stream one member to `target`, never writing more than its declared size (UnsafeMember) or
    `budget` (what is left of the zip's cap: _OverBudget)."""
    count = 0
    with archive.open(info) as src, open(target, "xb") as out:
        while chunk := src.read(_CHUNK):
            count += len(chunk)
            if count > budget:
                raise _OverBudget()
            if count > info.file_size:
                raise UnsafeMember("it is larger than its header says")
            out.write(chunk)
    return count
