"""Run a command as an ordinary user (``nobody``), as a TA's laptop would: the test session is root.

The interpreter may live under a folder other users cannot enter (``/root/.pyenv``): the command then
runs in a private mount namespace where that folder is an empty tmpfs holding only the interpreter's
prefix (bind-mounted back), then drops to the user with ``setpriv``. Nothing of the machine changes.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

USER = 65534   # nobody


def available() -> str | None:
    """Why unprivileged runs are impossible here (None when they are possible)."""
    if os.geteuid() != 0:
        return "needs root to switch to an ordinary user"
    if not (shutil.which("unshare") and shutil.which("setpriv")):
        return "needs util-linux's unshare and setpriv"
    return None


def _blocked(path: Path) -> Path | None:
    """The topmost ancestor of ``path`` that other users cannot enter (mode without o+x)."""
    for parent in reversed(path.parents):
        if parent != Path("/") and not parent.stat().st_mode & 0o001:
            return parent
    return None


def command(argv: list[str]) -> list[str]:
    """``argv`` wrapped to run as USER (with HOME=/nonexistent-style scratch left to the caller)."""
    prefix = Path(sys.base_prefix).resolve()
    drop = ["setpriv", f"--reuid={USER}", f"--regid={USER}", "--clear-groups", "--"] + argv
    blocked = _blocked(prefix)
    if blocked is None:
        return drop
    stage = "/run/grader-test-stage" if Path("/run").is_dir() else "/mnt"
    script = (f"set -e; mkdir -p {stage}; mount --bind {shlex.quote(str(prefix))} {stage}; "
              f"mount -t tmpfs -o mode=0755 tmpfs {shlex.quote(str(blocked))}; "
              f"mkdir -p {shlex.quote(str(prefix))}; mount --move {stage} {shlex.quote(str(prefix))}; "
              f"exec {shlex.join(drop)}")
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = dict(kwargs.pop("env", os.environ))
    env["HOME"] = "/tmp"
    return subprocess.run(command(argv), env=env, **kwargs)
