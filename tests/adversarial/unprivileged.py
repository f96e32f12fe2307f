"""Run a command as an ordinary user (``nobody``), as a TA's laptop would: the test session is root.

The interpreter may live under a folder other users cannot enter (``/root/.pyenv``): the command then
runs in a private mount namespace where that folder is an empty tmpfs holding only the interpreter's
prefix (bind-mounted back), then drops to the user with ``setpriv``. Nothing of the machine changes.

``run(..., userns=False)``: the same inside a user namespace (mapping root and nobody to themselves)
whose ``user.max_user_namespaces`` is 0, as on a kernel that refuses user namespaces to ordinary users
(``python unprivileged.py ARGV...`` is that launcher).
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


def run(argv: list[str], *, userns: bool = True, **kwargs) -> subprocess.CompletedProcess:
    env = dict(kwargs.pop("env", os.environ))
    env["HOME"] = "/tmp"
    wrapped = command(argv) if userns else [sys.executable, os.path.abspath(__file__), *command(argv)]
    return subprocess.run(wrapped, env=env, **kwargs)


def _launch_without_user_namespaces(argv: list[str]) -> int:
    """Fork a child into a new user namespace (its maps written from here, as root), forbid nested
    user namespaces in it, and exec ``argv`` there; returns its exit code."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        if libc.unshare(0x10000000) != 0:
            os._exit(97)
        os.write(ready_w, b"x")
        os.read(go_r, 1)
        with open("/proc/sys/user/max_user_namespaces", "w") as f:
            f.write("0")
        os.execvp(argv[0], argv)
    os.read(ready_r, 1)
    for name in ("uid_map", "gid_map"):
        with open(f"/proc/{pid}/{name}", "w") as f:
            f.write(f"0 0 1\n{USER} {USER} 1\n")
    os.write(go_w, b"x")
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


if __name__ == "__main__":
    sys.exit(_launch_without_user_namespaces(sys.argv[1:]))
