"""``Sandbox``: one submission's worker, seen from the grader (contracts §4).

A facade over its parts: the worker process (process.py: forked by the zygote on the first call,
killed with its whole sandbox), the requests and their replies (channel.py), the time budget
(budget.py) and the notes (notes.py). A timeout or crash kills the worker, and the next call starts
a fresh one; a graded name whose call timed out is not called again (later calls fail at once), so
one endless loop cannot use up the whole submission's time. Replies are decoded strictly: the worker
runs student code, so everything it sends is untrusted.
"""
import contextlib
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from grader import integrity

from .budget import Budget
from .channel import Channel, encode, read_value
from .errors import BadValue, BudgetExhausted, StudentCrash, StudentError, StudentTimeout
from .notes import Notes
from .process import WorkerProcess
from .remote import Remote, Target, target_of
from .worker import wire
from .worker_setup import Limits, default_hidden, libraries_for, worker_config
from .zygote_client import isolation_mode


class Sandbox:
    """Runs one submission's code in a worker; ``root`` is the Remote of the graded names.

    ``isolation``: None (default) isolates (namespaces + uid drop) when the grader is root, and without
    root in a user namespace when the kernel allows it (``isolation_mode``).
    ``forbidden``: top-level packages the worker refuses to import (grader.integrity)."""

    def __init__(self, plan: dict[str, Any], files_root: str | os.PathLike[str], limits: Limits = Limits(),
                 hide: Iterable[str | os.PathLike[str]] = (), isolation: bool | None = None,
                 forbidden: Iterable[str] = ()) -> None:
        self.plan, self.files_root, self.limits = plan, os.fspath(files_root), limits
        self.forbidden = sorted(forbidden)
        self.hide = list(dict.fromkeys(os.path.realpath(p) for p in default_hidden() + list(hide)))
        self._isolation = isolation
        self._preload = libraries_for(plan)   # the same for every worker of this submission
        self._lock = threading.RLock()
        self._notes = Notes()
        self._budget = Budget(limits)
        self._process = WorkerProcess(self.files_root, self._config, self._notes.add)
        self._channel = Channel(self._process, limits.value_mb << 20, self._notes.add)
        self._loaded_modules: set[str] = set()   # modules imported alone (see _load)
        self._seed: int | None = None
        self._root = Target(self, None)
        self.root = Remote(self._root)

    # ------------------------------------------------------------ public
    def reseed(self, seed: int) -> None:
        """np.random and random are seeded with ``seed`` before the next call."""
        self._seed = int(seed)

    @contextlib.contextmanager
    def timeout(self, seconds: float) -> Iterator["Sandbox"]:
        """A longer (or shorter) per-call limit inside the block."""
        with self._budget.timeout(seconds):
            yield self

    def put(self, value: Any) -> Any:
        """A copy of ``value`` (plain data) kept in the worker, as a ``Remote``: pass it to the student's
        code by reference and ``fetch`` it afterwards to see what that code wrote into it (a
        ``bn_param`` whose running statistics are written back, for instance)."""
        self._notes.loading_only = False
        with self._lock:
            encoded, buffers = self._encode(value)
            return self._rpc({"op": "put", "value": encoded}, buffers, self._root)

    def notes(self) -> list[str]:
        """Load notes, captured student output (capped) and crash notes, oldest first."""
        return self._notes.all()

    def code_notes(self) -> list[str]:
        """The worker's notes on the student's own code made by ``load_all`` (statements skipped while
        loading), each once: student-facing, since no test input had reached the worker yet. Later
        notes (failing notebook cells, modules first imported in a test) go with the output: student
        code could write any text into them, hidden inputs included."""
        return self._notes.code()

    def load_all(self) -> None:
        """Load every graded name that lives in a module or a snippet before any test input is sent
        (notebook variables are left to their tests: their cells may run long). Errors are left for
        the tests to report; the notes made here are the student-facing ``code_notes``."""
        with self._lock:
            for name, spec in sorted(self.plan.get("names", {}).items()):
                if not isinstance(spec, dict) or not ({"module", "snippet"} & set(spec)):
                    continue
                module = spec.get("module")
                if module in self._loaded_modules or self._budget.is_hung(module):
                    continue
                try:
                    if module is not None:
                        self._load(name, module)
                    else:
                        self._rpc({"op": "load", "ref": {"$r": None, "p": [["a", name]]}}, [], self._root)
                except StudentError:
                    continue
                except Exception as exc:  # never ends the grading: the tests of the name report it
                    self._process.stop()
                    self._notes.add(f"loading {name} failed: {type(exc).__name__}: {str(exc)[:300]}")
            self._notes.loading_only = False

    def flags(self) -> list[str]:
        """Forbidden shortcuts the worker saw (refused imports, a forward called by the dozen in a
        backward, a replaced trace function): instructor-facing, each once."""
        return self._notes.flags()

    def output(self) -> list[str]:
        """Captured student output and crash notes (instructor-only), oldest first."""
        return self._notes.output()

    def restart(self) -> None:
        with self._lock:
            self._process.stop()

    def close(self) -> None:
        """Kill the worker and everything it started; remove temp files."""
        with self._lock:
            self._process.close()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def isolation(self) -> bool:
        """True when workers run in their own namespaces (as root, or in a user namespace)."""
        if self._isolation is None:
            self._isolation = isolation_mode() != "none"
        return self._isolation

    @property
    def worker_pid(self) -> int | None:
        """Pid of the running worker (None when stopped); for tests and diagnostics."""
        return self._process.pid

    @property
    def generation(self) -> int:
        """How many workers of this sandbox ended (a handle is valid in one generation only)."""
        return self._process.generation

    def read_reply(self, reply: wire.Header, bufs: Sequence[wire.Buffer], remote: Remote) -> Any:
        """What a worker's reply to a request about ``remote`` comes to: its notes and flags are kept,
        its error is raised as a StudentError, its value returned (handles as Remotes). The reply is
        untrusted: whatever else it would raise stops the worker and is BadValue."""
        return self._read(reply, bufs, target_of(remote))

    # ------------------------------------------------------------ requests of a Remote (remote.Owner)
    def call(self, target: Target, args: tuple[Any, ...], kwargs: dict[str, Any], keep: bool) -> Any:
        """Call the object at ``target`` with ``args`` and ``kwargs``; ``keep``: its whole result stays
        in the worker (a Remote)."""
        with self._lock:
            ref = self._reference(target)
            (a, k), buffers = self._encode_pair(args, kwargs)
            header = {"op": "call", "ref": ref, "args": a, "kwargs": k, "keep": keep}
            if integrity.counted(target.graded_name):
                header["count"] = True
            return self._guarded(header, buffers, target)

    def get(self, target: Target) -> Any:
        """The plain data at ``target`` (BadValue when it is not data)."""
        with self._lock:
            return self._guarded({"op": "get", "ref": self._reference(target)}, [], target)

    def assign(self, target: Target, op: str, key: Any, value: Any) -> None:
        """``setattr`` (``key``: an attribute name) or ``setitem`` on the object at ``target``."""
        self._notes.loading_only = False
        with self._lock:
            ref = self._reference(target)
            if op == "setattr" and type(key) is not str:
                raise TypeError("attribute names are str")
            encoded, buffers = self._encode([key, value])
            k, v = encoded["$l"]
            header = {"op": op, "ref": ref, "value": v}
            header["name" if op == "setattr" else "key"] = key if op == "setattr" else k
            self._rpc(header, buffers, target)

    # ------------------------------------------------------------ machinery
    def _config(self, files: str) -> dict[str, Any]:
        return worker_config(files, self.limits, self.hide, self.isolation, self._preload)

    def _reference(self, target: Target) -> dict[str, Any]:
        if target.owner is not self:
            raise TypeError("a Remote of another sandbox")
        if target.handle is not None and target.generation != self._process.generation:
            raise StudentCrash("the object was lost when your code crashed (the worker was restarted)")
        return target.reference()

    def _encode(self, value: Any) -> tuple[Any, list[memoryview]]:
        return encode(value, self._reference)

    def _encode_pair(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, Any], list[memoryview]]:
        value, buffers = self._encode([list(args), dict(kwargs)])
        return tuple(value["$l"]), buffers

    def _guarded(self, header: wire.Header, buffers: list[memoryview], target: Target) -> Any:
        """``_rpc`` for a call or a get; a graded name that timed out before is refused at once (it
        would time out again and use up the submission's time budget, failing tests that never use it)."""
        self._notes.loading_only = False
        name = target.graded_name
        module = self._module_of(name)
        self._budget.refuse(name, module)
        if module is not None and module not in self._loaded_modules:
            self._load(name, module)
        try:
            return self._rpc(header, buffers, target)
        except StudentTimeout as exc:
            if name is None:
                raise
            self._budget.timed_out(name, exc.seconds)
            raise StudentTimeout(exc.seconds, name) from None

    def _load(self, name: str | None, module: str) -> None:
        """Import the graded name's module alone first, so that a file whose top-level code never ends
        is known as such: its names are refused at once instead of each timing out in turn."""
        top = (name or "").split(".")[0]
        try:
            self._rpc({"op": "load", "ref": {"$r": None, "p": [["a", top]]}}, [], self._root)
        except StudentTimeout as exc:
            file = self.plan["modules"].get(module, {}).get("file") or module
            self._budget.hung(module, exc.seconds, file)
            raise StudentTimeout(exc.seconds, name, earlier=False, loading=file) from None
        except StudentError:
            return  # the call itself reports it
        self._loaded_modules.add(module)

    def _module_of(self, name: str | None) -> str | None:
        """The module a graded name ("Net.loss" -> "Net") is imported from, when it is one."""
        spec = self.plan.get("names", {}).get((name or "").split(".")[0])
        return spec.get("module") if isinstance(spec, dict) else None

    def _rpc(self, header: wire.Header, buffers: list[memoryview], target: Target) -> Any:
        """One request to the worker (started when none runs) within the time budget; its value."""
        self._budget.next_call()   # BudgetExhausted before a worker is started for nothing
        start = time.monotonic()
        try:
            if not self._process.running:
                self._process.start({"op": "hello", "plan": self.plan, "forbidden": self.forbidden},
                                    lambda reply: self._notes.absorb(reply, None))
            seconds = self._budget.next_call()
            if self._seed is not None:
                header["seed"], self._seed = self._seed, None
            try:
                reply, bufs = self._channel.exchange(header, buffers, seconds)
            except StudentTimeout:
                if self._budget.exhausted_by(seconds):
                    raise BudgetExhausted(self._budget.total) from None
                raise
        finally:
            self._budget.charge(time.monotonic() - start)
        return self._read(reply, bufs, target)

    def _read(self, reply: wire.Header, bufs: Sequence[wire.Buffer], target: Target) -> Any:
        try:
            self._notes.absorb(reply, target.graded_name)
            return read_value(reply, bufs, target, self, self._process.generation)
        except StudentError:
            raise
        except wire.WireError as exc:  # a forged value: the channel is spoiled
            self._process.stop()
            raise BadValue(str(exc)) from None
        except Exception as exc:  # the reply comes from student code: whatever it breaks is its error
            self._process.stop()
            raise BadValue(f"malformed reply ({type(exc).__name__}: {str(exc)[:200]})") from None
