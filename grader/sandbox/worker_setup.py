"""What a worker is started with (grader side): its limits, the paths hidden from it, its user, its
environment, the installed libraries imported for it before the privilege drop, and the zygote's
spawn config made of them (``worker_config``; read by worker/zygote.py)."""
import dataclasses
import os
import pwd
import re
from collections.abc import Sequence
from typing import Any

LIBRARIES = {"scipy": ["scipy", "scipy.stats", "scipy.special"]}   # zygote.LIBRARIES allows these


@dataclasses.dataclass(frozen=True)
class Limits:
    call_seconds: float = 10.0          # wall clock per call
    submission_seconds: float = 300.0   # wall clock of all calls of the submission
    memory_mb: int = 2048               # RLIMIT_AS of the worker
    processes: int = 32                 # RLIMIT_NPROC (non-root sandbox uid only)
    file_mb: int = 16                   # RLIMIT_FSIZE
    open_files: int = 64                # RLIMIT_NOFILE
    tmpfs_mb: int = 64                  # size of the private /tmp (root only)
    value_mb: int = 512                 # array bytes in one reply

    @property
    def cpu_seconds(self) -> int:
        return int(self.submission_seconds) + 10


def default_hidden() -> list[str]:
    """Paths hidden from every sandbox: the grader, the answer key, Gradescope's secrets and, when the
    grader runs from a source checkout, everything in that checkout (its .git holds every hidden test
    and solution) but a Python environment kept there (a folder with pyvenv.cfg)."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = [here, os.path.join(os.path.dirname(here), "reference"), "/autograder/source",
             "/autograder/results", "/autograder/submission_metadata.json"]
    checkout = os.path.dirname(here)
    if os.path.isfile(os.path.join(checkout, "pyproject.toml")):
        for entry in sorted(os.listdir(checkout)):
            path = os.path.join(checkout, entry)
            if not os.path.isfile(os.path.join(path, "pyvenv.cfg")):
                paths.append(path)
    return [p for p in dict.fromkeys(paths) if os.path.exists(p)]


def home_mask() -> list[str]:
    """Without root: the user's home folder, covered in the worker by an empty tmpfs (but for the
    Python the worker runs; zygote.mask): other years' solutions, other students' work, keys."""
    home = os.path.realpath(os.path.expanduser("~"))
    return [home] if home != "/" and os.path.isdir(home) else []


def sandbox_user() -> tuple[int, int]:
    """(uid, gid) of GRADER_SANDBOX_USER, else "grader-student", else "nobody"."""
    for name in (os.environ.get("GRADER_SANDBOX_USER"), "grader-student", "nobody"):
        if name:
            try:
                entry = pwd.getpwnam(name)
                return entry.pw_uid, entry.pw_gid
            except KeyError:
                pass
    return 65534, 65534


def tree_size(path: str) -> tuple[int, int]:
    """(bytes, entries) of a folder: the private /tmp is made that much larger than the limit."""
    size = count = 0
    for root, dirs, files in os.walk(path):
        count += len(dirs) + len(files)
        for name in files:
            size += os.lstat(os.path.join(root, name)).st_size
    return size, count


def processes_of(uid: int) -> int:
    """Live threads of real uid ``uid``: without a sandbox uid, RLIMIT_NPROC counts the grader's own
    ones (read from status: the /proc folder of a process that is not dumpable belongs to root)."""
    count = 0
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit():
                with open(f"/proc/{entry}/status") as f:
                    fields = dict(line.split(":", 1) for line in f if ":" in line)
                if int(fields["Uid"].split()[0]) == uid:
                    count += int(fields.get("Threads", "1"))
        except (OSError, ValueError, KeyError, IndexError):
            pass
    return count


def libraries_for(plan: dict[str, Any]) -> list[str]:
    """Installed libraries the plan's sources mention (``LIBRARIES``): the zygote imports them before
    forking, since after the uid drop the worker may not read the grader's site-packages."""
    texts = [m.get("source") or "" for m in plan.get("modules", {}).values()]
    texts += [s.get("source") or "" for s in plan.get("snippets", [])]
    texts += [c for n in plan.get("notebooks", []) for c in n.get("cells", [])]
    found = []
    for key, modules in LIBRARIES.items():
        word = re.compile(rf"\b{key}\b")
        if any(type(t) is str and word.search(t) for t in texts):
            found += modules
    return found


def worker_env() -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env.update({k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ})
    return env


def worker_config(files: str, limits: Limits, hide: Sequence[str], isolation: bool,
                  preload: Sequence[str]) -> dict[str, Any]:
    """The zygote's spawn config of a worker serving the copy ``files`` of a submission: as root with
    ``isolation`` it runs as the sandbox user, else as the grader's user (in a user namespace of its
    own with ``isolation``; its RLIMIT_NPROC then counts the user's other threads too)."""
    root = os.geteuid() == 0
    uid, gid = sandbox_user() if isolation and root else (os.getuid(), os.getgid())
    size, count = tree_size(files)
    return {"files": files, "hide": list(hide), "isolate": isolation, "uid": uid, "gid": gid,
            "userns": isolation and not root, "mask": home_mask() if isolation and not root else [],
            "tmpfs_mb": limits.tmpfs_mb + (size >> 20) + 1, "inodes": 4096 + count,
            "cpu_seconds": limits.cpu_seconds,
            "fsize_mb": limits.file_mb, "nofile": limits.open_files,
            "nproc": limits.processes + (0 if isolation and root else processes_of(uid)),
            "memory_mb": limits.memory_mb, "preload": list(preload),
            "env": worker_env()}
