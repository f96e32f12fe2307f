"""A submission's worker process, seen from the grader (contracts §4).

``start`` copies the submission's files, has the zygote fork a keeper and the worker (worker/zygote.py)
and exchanges the start-up frames; ``stop`` kills the worker and so its whole sandbox: through a pidfd
(a dead worker's recycled pid is never signalled) and its process group; as root the worker is pid 1
of its own pid namespace, so every process of the sandbox dies with it; otherwise its keeper kills
the orphans it subreaped. Then the keeper is reaped. ``generation`` counts the workers that ended: a
handle of the worker is valid in one generation only.
"""
import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable
from typing import Any

from .errors import StudentCrash
from .worker import wire
from .zygote_client import Zygote, get_zygote

SIGNALS = {9: "it was killed (SIGKILL; often the memory limit)", 11: "segmentation fault",
           24: "CPU time limit exceeded", 25: "file size limit exceeded", 6: "aborted"}
START_SECONDS = 30   # for the zygote to fork, the keeper to set up and the worker to load the plan


def describe(status: int | None) -> str:
    """A worker's exit status (128 + n: signal n) for a message."""
    if status is None:
        return "it stopped"
    if status > 128 and status - 128 in SIGNALS:
        return SIGNALS[status - 128]
    if status > 128:
        return f"signal {status - 128}"
    return f"exit code {status}"


class WorkerProcess:
    """One worker at a time for the files under ``files_root``. ``config(files)``: the zygote's spawn
    config for a copy ``files`` of them (worker_setup.worker_config); ``note``: keeps a note on what
    happened to the sandbox (a zygote that died)."""

    def __init__(self, files_root: str, config: Callable[[str], dict[str, Any]],
                 note: Callable[[str], None]) -> None:
        self.files_root, self._config, self._note = files_root, config, note
        self.generation = 0
        self._tmp: str | None = None
        self._sock: socket.socket | None = None
        self._worker: int | None = None
        self._keeper: int | None = None
        self._pidfd: int | None = None

    @property
    def pid(self) -> int | None:
        """The running worker's pid (None when stopped)."""
        return self._worker

    @property
    def running(self) -> bool:
        return self._sock is not None

    @property
    def sock(self) -> socket.socket:
        """The channel to the running worker."""
        if self._sock is None:
            raise RuntimeError("the worker is not running")
        return self._sock

    def start(self, hello: wire.Header, absorb: Callable[[wire.Header], None]) -> None:
        """Start a worker and send it ``hello``; ``absorb`` takes the reply. A zygote that died
        meanwhile (killed, out of memory) is replaced once. StudentCrash when the worker broke while
        starting; RuntimeError when the sandbox itself could not be set up (not the student's doing)."""
        try:
            self._spawn(get_zygote(), hello, absorb)
        except OSError:
            self.stop()
            self._note("the sandbox zygote died while starting a worker; it was restarted")
            try:
                self._spawn(get_zygote(fresh=True), hello, absorb)
            except OSError as exc:
                self.stop()
                raise StudentCrash("the sandbox could not be started (the grader's own process failed: "
                                   "tell your instructor)") from exc

    def _spawn(self, zygote: Zygote, hello: wire.Header, absorb: Callable[[wire.Header], None]) -> None:
        if self._tmp is None:
            self._tmp = tempfile.mkdtemp(prefix="grader-sandbox-")   # mode 0700: the grader's user only
        files = os.path.join(self._tmp, f"files{self.generation}")
        shutil.rmtree(files, ignore_errors=True)   # left by a start that failed
        shutil.copytree(self.files_root, files, symlinks=True)
        config = self._config(files)
        mine, theirs = socket.socketpair()
        try:
            self._keeper = zygote.spawn(config, theirs.fileno())
        finally:
            theirs.close()
        self._sock = mine
        deadline = time.monotonic() + START_SECONDS
        try:
            spawned = wire.recv_frame(mine, deadline)[0]
            if "fatal" in spawned:
                self.stop()
                raise RuntimeError(str(spawned["fatal"])[:2000])
            self._worker = int(spawned["worker"])
            self._pidfd = os.pidfd_open(self._worker)
            ready = wire.recv_frame(mine, deadline)[0]
            if not ready.get("ready"):
                self.stop()
                raise RuntimeError(str(ready.get("fatal", "the sandbox did not start"))[:2000])
            wire.send_frame(mine, dict(hello, id=0))
            absorb(wire.recv_frame(mine, deadline)[0])
        except RuntimeError:  # the sandbox itself could not be set up: not the student's doing
            raise
        except Exception as exc:  # whatever the worker sent or did while starting
            status = self.stop()
            raise StudentCrash(f"your code crashed while loading ({describe(status)})") from exc

    def stop(self) -> int | None:
        """Kill the worker (and so its whole sandbox), reap the keeper; its exit status or None."""
        status = None
        if self._pidfd is not None:
            try:  # through a pidfd: a dead worker's recycled pid is never signalled
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
                if self._worker is not None:
                    os.killpg(self._worker, signal.SIGKILL)
            except OSError:
                pass
            os.close(self._pidfd)
            self._pidfd = None
        if self._keeper:
            try:
                status = get_zygote().reap(self._keeper)
            except OSError:
                self._note("the sandbox zygote died; it is restarted")
        if self._sock:
            self._sock.close()
        if self._worker or self._keeper:
            self.generation += 1
        self._sock = self._worker = self._keeper = None
        return status

    def close(self) -> None:
        """Stop the worker and remove the copies of the files."""
        self.stop()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
