"""The grader's handle on its zygote (one per grader process, started on first use, restarted if dead).

Starting one makes the grader process not dumpable (PR_SET_DUMPABLE 0): without root its workers run
under the grader's own uid, and must not trace it nor read its memory, environment or open files.
"""
import atexit
import ctypes
import json
import os
import socket
import struct
import subprocess
import sys
import threading
from typing import Any

# The zygote's entry point: it loads worker/ as a package of its own (never the grader).
ZYGOTE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker", "boot.py")


def zygote_env() -> dict[str, str]:
    """A scrubbed environment; BLAS threads are 1 before numpy is imported in the zygote."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1"}
    env.update({k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ})
    return env


class Zygote:
    """``spawn(config, fd) -> keeper pid`` and ``reap(pid) -> exit status`` over a unix socket."""

    def __init__(self) -> None:
        self.owner = os.getpid()
        self._userns: bool | None = None
        self.lock = threading.Lock()
        self.chan, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-I", ZYGOTE, str(theirs.fileno())], pass_fds=[theirs.fileno()],
            env=zygote_env(), cwd="/", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            start_new_session=True)
        theirs.close()

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.process.poll() is None

    def _request(self, message: dict[str, Any], fd: int | None = None) -> dict[str, Any]:
        data = json.dumps(message).encode()
        with self.lock:
            self.chan.sendall(struct.pack("!Q", len(data)))
            socket.send_fds(self.chan, [data], [fd] if fd is not None else [])
            head = self._read(8)
            reply: dict[str, Any] = json.loads(self._read(struct.unpack("!Q", head)[0]))
            return reply

    def _read(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            chunk = self.chan.recv(n - len(out))
            if not chunk:
                raise OSError("the sandbox zygote died")
            out += chunk
        return out

    def userns(self) -> bool:
        """Whether sandboxes in a user namespace work here (always False as root: not needed)."""
        if self._userns is None:
            self._userns = bool(self._request({"op": "probe"}).get("userns"))
        return self._userns

    def spawn(self, config: dict[str, Any], fd: int) -> int:
        reply = self._request({"op": "spawn", "config": config}, fd)
        if "error" in reply:
            raise OSError(str(reply["error"])[:300])
        return int(reply["keeper"])

    def reap(self, pid: int) -> int | None:
        return self._request({"op": "reap", "pid": pid})["status"]

    def close(self) -> None:
        self.chan.close()
        if self.owner != os.getpid():
            return
        # It would exit on the closed channel, after a numpy interpreter's teardown (~50 ms that every
        # `grader grade` paid at exit); a fork server holds nothing to save, and its keepers die with it.
        self.process.kill()
        self.process.wait()


_zygote: Zygote | None = None
_lock = threading.Lock()


def get_zygote(fresh: bool = False) -> Zygote:
    """This process's zygote, started (or restarted) on demand; ``fresh``: a new one in any case (the
    old one failed a request: it died or is dying)."""
    global _zygote
    with _lock:
        if fresh and _zygote is not None:
            _zygote.close()
            _zygote = None
        if _zygote is None or not _zygote.alive():
            not_dumpable()
            _zygote = Zygote()
            atexit.register(_zygote.close)
        return _zygote


def not_dumpable() -> None:
    """PR_SET_DUMPABLE 0 for this process (Linux; elsewhere nothing)."""
    try:
        ctypes.CDLL(None).prctl(4, ctypes.c_ulong(0), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def isolation_mode() -> str:
    """"root" (namespaces + the sandbox user), "userns" (namespaces inside a user namespace, same uid)
    or "none" (no root and no user namespaces: the process boundary, limits and seccomp only)."""
    if os.geteuid() == 0:
        return "root"
    return "userns" if get_zygote().userns() else "none"


NO_ISOLATION = ("grader: not root and this kernel refuses user namespaces: student code runs as your user "
                "without namespaces; it can read what you can read (hidden tests, other submissions) and "
                "signal your other processes (README, \"The sandbox\")")
