"""The files of a submission: safe zip extraction and the list of sources a grader may read.

Ignored everywhere: `__MACOSX/`, `.ipynb_checkpoints/`, `__pycache__/`, installed packages
(`site-packages/`, `venv/`...), hidden folders and files (`.git/`, `._layers.py`); never used:
`*.pyc`, `*.pyo`, `*.pkl`, `*.pickle`. Symbolic links are never followed.
"""
from __future__ import annotations

import os
import stat
import zipfile
import zlib
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
            limit = MAX_SOURCE_BYTES if suffix == ".py" else MAX_NOTEBOOK_BYTES
            size = os.path.getsize(full)
            if size > limit:
                found.notes.append(f"{rel}: {size} bytes, larger than the {limit} bytes the grader reads; ignored")
                continue
            if len(found.py) + len(found.notebooks) >= MAX_SOURCE_FILES:
                found.notes.append(f"more than {MAX_SOURCE_FILES} source files; the rest (from {rel}) are ignored")
                return found
            (found.py if suffix == ".py" else found.notebooks).append(rel)
    return found


def _member_path(info: zipfile.ZipInfo) -> str:
    """The member's normalized relative path; raises BadZip for absolute paths and `..` escapes."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise BadZip(f"the zip file contains an absolute path ({info.filename!r}); it was not extracted")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise BadZip(f"the zip file contains a path that leaves its folder ({info.filename!r}); "
                     "it was not extracted")
    return "/".join(parts)


def _size_limit(rel: str) -> int:
    suffix = PurePosixPath(rel).suffix.lower()
    return {".py": MAX_SOURCE_BYTES, ".ipynb": MAX_NOTEBOOK_BYTES}.get(suffix, MAX_DATA_MEMBER_BYTES)


def _check_member(info: zipfile.ZipInfo) -> None:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise BadZip(f"the zip file contains a symbolic link ({info.filename!r}); it was not extracted")
    if info.flag_bits & 0x1:
        raise BadZip(f"the zip file is encrypted ({info.filename!r}); submit it without a password")
    if info.file_size > 2**20 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
        raise BadZip(f"the zip file member {info.filename!r} expands {info.file_size // max(info.compress_size, 1)}"
                     f" times (more than {MAX_ZIP_RATIO}); it was not extracted")


def extract_zip(zip_path: Path, dest: Path, *, max_members: int = MAX_ZIP_MEMBERS,
                max_total_bytes: int = MAX_ZIP_TOTAL_BYTES) -> list:
    """Extract `zip_path` into `dest` safely; return notes. Raises BadZip with a student-facing reason.

    Rejects the whole zip on absolute paths, `..` members, symlinks, encryption, more than
    `max_members` members, a member expanding more than MAX_ZIP_RATIO times, or more than
    `max_total_bytes` written (counted while writing, header sizes are not trusted). Members larger
    than a source file may be (datasets over MAX_DATA_MEMBER_BYTES) are skipped with a note.
    """
    notes = []
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BadZip(f"the file is not a readable zip archive ({exc})") from None
    with archive:
        members = archive.infolist()
        if len(members) > max_members:
            raise BadZip(f"the zip file has {len(members)} members (at most {max_members} are accepted)")
        planned = []
        for info in members:
            rel = _member_path(info)
            if not rel or info.is_dir() or is_ignored(rel):
                continue
            too_big = _size_limit(rel)
            if info.file_size > too_big:
                notes.append(f"zip member {rel} ({info.file_size} bytes) is larger than {too_big} bytes; skipped")
                continue
            _check_member(info)
            planned.append((info, rel))
        written = 0
        for info, rel in planned:
            target = Path(dest, *rel.split("/"))
            if target.exists() or any(p.is_file() for p in target.parents if p != Path(dest) and p.exists()):
                notes.append(f"zip member {info.filename!r} clashes with another member; skipped")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            written += _copy_member(archive, info, target, max_total_bytes - written, max_total_bytes)
            if rel.lower().endswith(".zip"):
                notes.append(f"{rel}: a zip inside the zip is not opened")
    return notes


def _copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int, cap: int) -> int:
    """Stream one member to `target`, never writing more than its declared size or `budget` (what is
    left of the zip's `cap`)."""
    count = 0
    try:
        with archive.open(info) as src, open(target, "xb") as out:
            while chunk := src.read(_CHUNK):
                count += len(chunk)
                if count > budget:
                    raise BadZip(f"the zip file expands to more than {cap} bytes; "
                                 "it was not extracted")
                if count > info.file_size:
                    raise BadZip(f"the zip file member {info.filename!r} is larger than its header says")
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise BadZip(f"the zip file member {info.filename!r} cannot be extracted ({exc})") from None
    return count
