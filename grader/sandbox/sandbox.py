"""``Sandbox``: one submission's worker, seen from the grader (contracts §4).

The worker is forked by the zygote on the first call; every call has a wall-clock deadline enforced
here (SIGKILL of the worker; as root it is pid 1 of its own pid namespace, so every process of the
sandbox dies with it; otherwise its keeper kills the orphans it subreaped). A timeout or crash kills
the worker, and the next call starts a fresh one; a graded name whose call timed out is not called
again (later calls fail at once), so one endless loop cannot use up the whole submission's time.
Replies are decoded strictly (wire.py): the worker runs student code, so everything it sends is
untrusted.
"""
import contextlib
import os
import shutil
import signal
import socket
import tempfile
import threading
import time

import numpy as np

from grader import integrity

from .errors import BadValue, BudgetExhausted, NameMissing, StudentCrash, StudentError, StudentException, StudentTimeout
from .remote import Func, Remote
from .worker import wire
from .worker_setup import (
    Limits,
    default_hidden,
    home_mask,
    libraries_for,
    processes_of,
    sandbox_user,
    tree_size,
    worker_env,
)
from .zygote_client import get_zygote, isolation_mode

NOTES_CAP = 200          # notes kept per submission
NOTE_CHARS = 16_000      # characters per note
SIGNALS = {9: "it was killed (SIGKILL; often the memory limit)", 11: "segmentation fault",
           24: "CPU time limit exceeded", 25: "file size limit exceeded", 6: "aborted"}


class Sandbox:
    """Runs one submission's code in a worker; ``root`` is the Remote of the graded names.

    ``isolation``: None (default) isolates (namespaces + uid drop) when the grader is root, and without
    root in a user namespace when the kernel allows it (``isolation_mode``).
    ``forbidden``: top-level packages the worker refuses to import (grader.integrity)."""

    def __init__(self, plan, files_root, limits=Limits(), hide=(), isolation=None, forbidden=()):
        self.plan, self.files_root, self.limits = plan, os.fspath(files_root), limits
        self.forbidden, self._flags = sorted(forbidden), integrity.FlagSet()
        self._preload = libraries_for(plan)   # the same for every worker of this submission
        self.hide = list(dict.fromkeys(os.path.realpath(p) for p in default_hidden() + list(hide)))
        self._isolation = isolation
        self.root = Remote(self, None, (), 0)
        self.generation = 0
        self._lock = threading.RLock()
        self._notes, self._used, self._next_id = [], 0.0, 0
        self._code_notes, self._output = [], []
        self._timed_out = {}     # graded name -> seconds it ran out of; later calls are refused
        self._loaded_modules, self._hung_modules = set(), {}   # modules used / whose first use hung
        self._loading_only = True   # no test input has been sent yet (see code_notes)
        self._call_seconds, self._seed = limits.call_seconds, None
        self._sock = self._worker = self._keeper = self._tmp = self._pidfd = None

    # ------------------------------------------------------------ public
    def reseed(self, seed):
        """np.random and random are seeded with ``seed`` before the next call."""
        self._seed = int(seed)

    @contextlib.contextmanager
    def timeout(self, seconds):
        """A longer (or shorter) per-call limit inside the block."""
        before, self._call_seconds = self._call_seconds, float(seconds)
        try:
            yield self
        finally:
            self._call_seconds = before

    def put(self, value):
        """A copy of ``value`` (plain data) kept in the worker, as a ``Remote``: pass it to the student's
        code by reference and ``fetch`` it afterwards to see what that code wrote into it (a
        ``bn_param`` whose running statistics are written back, for instance)."""
        self._loading_only = False
        with self._lock:
            encoded, buffers = self._encode(value)
            return self._rpc({"op": "put", "value": encoded}, buffers, self.root)

    def notes(self):
        """Load notes, captured student output (capped) and crash notes, oldest first."""
        return list(self._notes)

    def code_notes(self):
        """The worker's notes on the student's own code made by ``load_all`` (statements skipped while
        loading), each once: student-facing, since no test input had reached the worker yet. Later
        notes (failing notebook cells, modules first imported in a test) go with the output: student
        code could write any text into them, hidden inputs included."""
        return list(self._code_notes)

    def load_all(self):
        """Load every graded name that lives in a module or a snippet before any test input is sent
        (notebook variables are left to their tests: their cells may run long). Errors are left for
        the tests to report; the notes made here are the student-facing ``code_notes``."""
        with self._lock:
            for name, spec in sorted(self.plan.get("names", {}).items()):
                if not isinstance(spec, dict) or not ({"module", "snippet"} & set(spec)):
                    continue
                module = spec.get("module")
                if module in self._loaded_modules or module in self._hung_modules:
                    continue
                try:
                    if module is not None:
                        self._load(name, module)
                    else:
                        self._rpc({"op": "load", "ref": {"$r": None, "p": [["a", name]]}}, [], self.root)
                except StudentError:
                    continue
                except Exception as exc:  # never ends the grading: the tests of the name report it
                    self._stop()
                    self._note(f"loading {name} failed: {type(exc).__name__}: {str(exc)[:300]}")
            self._loading_only = False

    def flags(self):
        """Forbidden shortcuts the worker saw (refused imports, a forward called by the dozen in a
        backward, a replaced trace function): instructor-facing, each once."""
        return self._flags.texts()

    def output(self):
        """Captured student output and crash notes (instructor-only), oldest first."""
        return list(self._output)

    def restart(self):
        with self._lock:
            self._stop()

    def close(self):
        """Kill the worker and everything it started; remove temp files."""
        with self._lock:
            self._stop()
            if self._tmp:
                shutil.rmtree(self._tmp, ignore_errors=True)
                self._tmp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def isolation(self):
        """True when workers run in their own namespaces (as root, or in a user namespace)."""
        if self._isolation is None:
            self._isolation = isolation_mode() != "none"
        return self._isolation

    @property
    def worker_pid(self):
        """Pid of the running worker (None when stopped); for tests and diagnostics."""
        return self._worker

    # ------------------------------------------------------------ RPCs used by Remote
    def _ref(self, remote):
        if remote._sandbox is not self:
            raise TypeError("a Remote of another sandbox")
        if remote._handle is not None and remote._generation != self.generation:
            raise StudentCrash("the object was lost when your code crashed (the worker was restarted)")
        return {"$r": remote._handle, "p": [list(step) for step in remote._path]}

    def _encode(self, value):
        def leaf(x):
            if type(x) is Remote:
                return self._ref(x)
            if type(x) is Func:
                return {"$fn": x.name}
            if isinstance(x, np.ndarray):
                return enc.encode(np.array(x, subok=False))
            raise TypeError(f"cannot send a {type(x).__name__} to the student's code")
        enc = wire.Encoder(leaf, bytes_cap=1 << 40, str_cap=1 << 30)
        return enc.encode(value), enc.buffers

    def _call(self, remote, args, kwargs, keep):
        with self._lock:
            ref = self._ref(remote)
            (a, k), buffers = self._encode_pair(args, kwargs)
            header = {"op": "call", "ref": ref, "args": a, "kwargs": k, "keep": keep}
            if integrity.counted(remote._graded_name()):
                header["count"] = True
            return self._guarded(header, buffers, remote)

    def _guarded(self, header, buffers, remote):
        self._loading_only = False
        """``_rpc`` for a call or a get; a graded name that timed out before is refused at once (it
        would time out again and use up the submission's time budget, failing tests that never use it)."""
        name = remote._graded_name()
        module = self._module_of(name)
        if name in self._timed_out:
            raise StudentTimeout(self._timed_out[name], name, earlier=True)
        if module in self._hung_modules:
            seconds, file = self._hung_modules[module]
            raise StudentTimeout(seconds, name, earlier=True, loading=file)
        if module is not None and module not in self._loaded_modules:
            self._load(name, module)
        try:
            return self._rpc(header, buffers, remote)
        except StudentTimeout as exc:
            if name is None:
                raise
            self._timed_out[name] = exc.seconds
            raise StudentTimeout(exc.seconds, name) from None

    def _load(self, name, module):
        """Import the graded name's module alone first, so that a file whose top-level code never ends
        is known as such: its names are refused at once instead of each timing out in turn."""
        top = name.split(".")[0]
        try:
            self._rpc({"op": "load", "ref": {"$r": None, "p": [["a", top]]}}, [], self.root)
        except StudentTimeout as exc:
            file = self.plan["modules"].get(module, {}).get("file") or module
            self._hung_modules[module] = (exc.seconds, file)
            raise StudentTimeout(exc.seconds, name, earlier=False, loading=file) from None
        except StudentError:
            return  # the call itself reports it
        self._loaded_modules.add(module)

    def _module_of(self, name):
        """The module a graded name ("Net.loss" -> "Net") is imported from, when it is one."""
        spec = self.plan.get("names", {}).get((name or "").split(".")[0])
        return spec.get("module") if isinstance(spec, dict) else None

    def _encode_pair(self, args, kwargs):
        value, buffers = self._encode([list(args), dict(kwargs)])
        return tuple(value["$l"]), buffers

    def _get(self, remote):
        with self._lock:
            return self._guarded({"op": "get", "ref": self._ref(remote)}, [], remote)

    def _set(self, remote, op, key, value):
        self._loading_only = False
        with self._lock:
            ref = self._ref(remote)
            if op == "setattr" and type(key) is not str:
                raise TypeError("attribute names are str")
            encoded, buffers = self._encode([key, value])
            k, v = encoded["$l"]
            header = {"op": op, "ref": ref, "value": v}
            header["name" if op == "setattr" else "key"] = key if op == "setattr" else k
            self._rpc(header, buffers, remote)

    # ------------------------------------------------------------ machinery
    def _note(self, text, kind="output"):
        """Keep a note (capped); ``kind`` "code" (the worker's notes on the student's code, kept once)
        or "output" (student output, crash notes)."""
        text = str(text)
        if len(text) > NOTE_CHARS:
            half = NOTE_CHARS // 2
            text = f"{text[:half]}\n[... {len(text) - 2 * half} characters truncated ...]\n{text[-half:]}"
        if len(self._notes) < NOTES_CAP and text:
            if kind == "code" and text in self._code_notes:
                return  # a restarted worker loads the same files again
            self._notes.append(text)
            (self._code_notes if kind == "code" else self._output).append(text)

    def _start(self):
        """Start a worker; a zygote that dies meanwhile (killed, out of memory) is replaced once."""
        try:
            self._spawn(get_zygote())
        except OSError:
            self._stop()
            self._note("the sandbox zygote died while starting a worker; it was restarted")
            try:
                self._spawn(get_zygote(fresh=True))
            except OSError as exc:
                self._stop()
                raise StudentCrash("the sandbox could not be started (the grader's own process failed: "
                                   "tell your instructor)") from exc

    def _spawn(self, zygote):
        if self._tmp is None:
            self._tmp = tempfile.mkdtemp(prefix="grader-sandbox-")
        files = os.path.join(self._tmp, f"files{self.generation}")
        shutil.rmtree(files, ignore_errors=True)   # left by a start that failed
        shutil.copytree(self.files_root, files, symlinks=True)
        root = os.geteuid() == 0
        uid, gid = sandbox_user() if self.isolation and root else (os.getuid(), os.getgid())
        if not (self.isolation and root):
            os.chmod(self._tmp, 0o700)
        size, count = tree_size(files)
        config = {"files": files, "hide": self.hide, "isolate": self.isolation, "uid": uid, "gid": gid,
                  "userns": self.isolation and not root, "mask": home_mask() if self.isolation and not root else [],
                  "tmpfs_mb": self.limits.tmpfs_mb + (size >> 20) + 1, "inodes": 4096 + count,
                  "cpu_seconds": self.limits.cpu_seconds,
                  "fsize_mb": self.limits.file_mb, "nofile": self.limits.open_files,
                  "nproc": self.limits.processes + (0 if self.isolation and root else processes_of(uid)),
                  "memory_mb": self.limits.memory_mb, "preload": self._preload,
                  "env": worker_env()}
        mine, theirs = socket.socketpair()
        try:
            self._keeper = zygote.spawn(config, theirs.fileno())
        finally:
            theirs.close()
        self._sock = mine
        deadline = time.monotonic() + 30
        try:
            spawned = wire.recv_frame(mine, deadline)[0]
            if "fatal" in spawned:
                self._stop()
                raise RuntimeError(str(spawned["fatal"])[:2000])
            self._worker = int(spawned["worker"])
            self._pidfd = os.pidfd_open(self._worker)
            ready = wire.recv_frame(mine, deadline)[0]
            if not ready.get("ready"):
                self._stop()
                raise RuntimeError(str(ready.get("fatal", "the sandbox did not start"))[:2000])
            wire.send_frame(mine, {"op": "hello", "id": 0, "plan": self.plan, "forbidden": self.forbidden})
            self._absorb(wire.recv_frame(mine, deadline)[0], self.root)
        except RuntimeError:  # the sandbox itself could not be set up: not the student's doing
            raise
        except Exception as exc:  # whatever the worker sent or did while starting
            status = self._stop()
            raise StudentCrash(f"your code crashed while loading ({self._describe(status)})") from exc

    def _stop(self):
        """Kill the worker (and so its whole sandbox), reap the keeper; its exit status or None."""
        status = None
        if self._pidfd is not None:
            try:  # through a pidfd: a dead worker's recycled pid is never signalled
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
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

    def _describe(self, status):
        if status is None:
            return "it stopped"
        if status > 128 and status - 128 in SIGNALS:
            return SIGNALS[status - 128]
        if status > 128:
            return f"signal {status - 128}"
        return f"exit code {status}"

    def _absorb(self, reply, remote):
        self._flags.absorb(reply, remote._graded_name())
        notes = reply.get("notes")
        kind = "code" if self._loading_only else "output"  # after a test input was sent, a note may carry it
        if type(notes) is list:
            for note in notes[:NOTES_CAP]:
                self._note(note if type(note) is str else "", kind)
        out = reply.get("out")
        if type(out) is str and out:
            self._note("student output:\n" + out)

    def _rpc(self, header, buffers, remote):
        if self._used >= self.limits.submission_seconds:
            raise BudgetExhausted(self.limits.submission_seconds)
        start = time.monotonic()
        try:
            if self._sock is None:
                self._start()
            seconds = min(self._call_seconds, self.limits.submission_seconds - self._used)
            self._next_id += 1
            header["id"] = self._next_id
            if self._seed is not None:
                header["seed"], self._seed = self._seed, None
            deadline = time.monotonic() + seconds
            try:
                wire.send_frame(self._sock, header, buffers)
                reply, bufs = wire.recv_frame(self._sock, deadline,
                                              bytes_cap=self.limits.value_mb << 20)
            except wire.Timeout:
                self._stop()
                if seconds < self._call_seconds:
                    raise BudgetExhausted(self.limits.submission_seconds) from None
                raise StudentTimeout(seconds) from None
            except (wire.Closed, OSError) as exc:
                status = self._stop()
                self._note(f"the worker stopped: {self._describe(status)}")
                raise StudentCrash(f"your code terminated the grader's worker process "
                                   f"({self._describe(status)})") from exc
            except wire.WireError as exc:
                self._stop()
                raise BadValue(str(exc)) from None
            if reply.get("id") != header["id"]:
                self._stop()
                raise StudentCrash("your code wrote into the grader's protocol channel")
        finally:
            self._used += time.monotonic() - start
        try:
            self._absorb(reply, remote)
            return self._result(reply, bufs, remote)
        except StudentError:
            raise
        except Exception as exc:  # the reply comes from student code: whatever it breaks is its error
            self._stop()
            raise BadValue(f"malformed reply ({type(exc).__name__}: {str(exc)[:200]})") from None

    def _result(self, reply, bufs, remote):
        err = reply.get("err")
        if err is not None:
            if type(err) is not dict:
                raise BadValue("malformed error")
            text = lambda key, cap: str(err.get(key) or "")[:cap]
            kind = err.get("kind")
            if kind == "missing":
                name = remote._path[0][1] if remote._handle is None and remote._path else ""
                raise NameMissing(str(name), text("message", 2000))
            if kind == "bad":
                raise BadValue(text("message", 2000))
            raise StudentException(text("type", 200), text("message", 2000), text("where", 300) or None)
        generation = self.generation
        origin = remote._origin if remote._handle is not None else (
            str(remote._path[0][1]) if remote._path else None)

        def tag(key, obj):
            if key == "$h" and type(obj["$h"]) is int and type(obj.get("type", "")) is str:
                return Remote(self, obj["$h"], (), generation, obj.get("type", "")[:80], origin)
            raise wire.WireError(f"{key} not allowed in a reply")
        try:
            return wire.decode(reply.get("ok"), bufs, tag)
        except wire.WireError as exc:  # the worker's encoder never sends this: forged, the channel is spoiled
            self._stop()
            raise BadValue(str(exc)) from None

