"""The grading secret and the submission digest: what makes grading inputs unpredictable.

At grading time (``grader grade``, Gradescope) a test's inputs are seeded by
``sha256(assignment seed : test id : submission digest : secret)``:

- the **secret** exists only where grading happens: on the instructor's machine (``GRADER_SECRET``, or
  a random file ``$XDG_CONFIG_HOME/dl-grader/secret`` made on first use, mode 0600) and in the autograder
  zip built there (``grading.secret``, read through ``GRADER_SECRET_FILE``). It never goes into a student
  kit, so inputs cannot be computed before a submission is graded;
- the **digest** covers every file of the submission (paths and bytes, notebook metadata included):
  whatever a student changes, answers harvested from an earlier grading's feedback belong to other inputs.

``grader check`` (a student kit) replays recorded values on fixed public inputs and uses neither.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from pathlib import Path

SECRET_ENV = "GRADER_SECRET"
SECRET_FILE_ENV = "GRADER_SECRET_FILE"
ZIP_NAME = "grading.secret"  # the secret's name in the autograder zip (beside run_autograder)
_CHUNK = 1 << 20


class SecretError(Exception):
    """The grading secret cannot be read or made (a one-line message for the instructor)."""


def secret_file() -> Path:
    """Where the secret lives: ``GRADER_SECRET_FILE``, else ``$XDG_CONFIG_HOME/dl-grader/secret``."""
    if os.environ.get(SECRET_FILE_ENV):
        return Path(os.environ[SECRET_FILE_ENV])
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config) / "dl-grader" / "secret"


def grading_secret() -> str:
    """The secret: ``GRADER_SECRET``, else the secret file's text; the default file is made on first use
    (a named ``GRADER_SECRET_FILE`` must exist). Raises SecretError when it can be neither read nor made."""
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV]
    path = secret_file()
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        if os.environ.get(SECRET_FILE_ENV):
            raise SecretError(f"{path}: the grading secret named by {SECRET_FILE_ENV} does not exist") from None
        text = _make(path)
    except OSError as exc:
        raise SecretError(f"{path}: cannot read the grading secret ({exc.strerror or exc})") from None
    if not text:
        raise SecretError(f"{path}: the grading secret is empty")
    return text


def _make(path: Path) -> str:
    """Write a new random secret at ``path`` atomically (the first of concurrent graders wins)."""
    fresh = secrets.token_hex(32)
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(fresh + "\n")
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
        return path.read_text().strip()
    except OSError as exc:
        raise SecretError(f"{path}: cannot create the grading secret ({exc.strerror or exc}); "
                          f"set {SECRET_ENV} or {SECRET_FILE_ENV}") from None
    finally:
        try:
            os.unlink(temp)
        except OSError:
            pass


def tree_digest(root: Path) -> str:
    """sha256 over every entry under ``root`` in sorted order: each file's relative path and bytes, each
    symlink's target text, each folder's name (unreadable files count by their path and error)."""
    digest = hashlib.sha256()
    top = os.fspath(root)
    for folder, dirs, files in os.walk(top):
        dirs.sort()
        rel_folder = os.path.relpath(folder, top)
        digest.update(f"D{rel_folder}\0".encode("utf-8", "surrogateescape"))
        for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]):
            path = os.path.join(folder, name)
            digest.update(f"F{os.path.join(rel_folder, name)}\0".encode("utf-8", "surrogateescape"))
            _hash_entry(digest, path)
    return digest.hexdigest()


def content_digest(path: Path) -> str:
    """``tree_digest`` of a folder, sha256 of a file's bytes."""
    if Path(path).is_dir():
        return tree_digest(path)
    digest = hashlib.sha256()
    _hash_entry(digest, os.fspath(path))
    return digest.hexdigest()


def _hash_entry(digest, path: str) -> None:
    """A symlink by its target, a regular file by its bytes, anything else (a pipe, a device: opening
    one could block forever) by its kind."""
    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            digest.update(b"L" + os.fsencode(os.readlink(path)))
            return
        if not stat.S_ISREG(mode):
            digest.update(f"T{stat.S_IFMT(mode)}".encode())
            return
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        digest.update(f"E{exc.errno}".encode())
