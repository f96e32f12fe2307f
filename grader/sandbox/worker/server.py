"""The worker: runs ONLY in the forked sandbox child and serves the grader's RPCs. Stdlib and numpy only.

Requests (one frame each, answered by one frame with the same ``id``):
``hello {plan, forbidden}``, ``call {ref, args, kwargs, keep, count}``, ``get {ref}``, ``setattr {ref,
name, value}``, ``setitem {ref, key, value}``, ``ping``. Any request may carry ``seed`` (np.random.seed
+ random.seed before it runs). Replies: ``{"id", "ok": value}`` or ``{"id", "err": {"kind", "type",
"message", "where"}}`` with ``kind`` in exception/missing/bad, plus ``notes`` (new load notes), ``out``
(captured student stdout/stderr, head and tail) and maybe ``flags`` (forbidden shortcuts, guard.py).
A ``count`` call runs under guard.CallCounter; its reply also carries ``calls`` [function, count] and
``fast`` / ``numeric`` (the course's fast layers / numerical gradient helpers it called, if any).
Non-data leaves of results stay in a
handle table.
"""
import collections
import io
import os
import random
import signal
import socket
import sys
import types
from typing import Any, Literal

import numpy as np

from . import guard, loader, stubs, wire

Mode = Literal[True, False, "strict"]   # a result: tagged already / encoded, kept when not data / data only

OUT_CAP = 32_000     # characters of captured output kept per reply (head + tail)
MSG_CAP = 2_000      # characters of an exception message


class CappedText:
    """A text stream that keeps the first and last ``cap // 2`` characters and counts the rest."""

    def __init__(self, cap: int = OUT_CAP) -> None:
        self.half = cap // 2
        self.reset()

    def reset(self) -> None:
        self.head: list[str] = []
        self.tail: collections.deque[str] = collections.deque()
        self.dropped = 0
        self.head_len = self.tail_len = 0

    def write(self, s: object) -> int:
        text = str(s)
        n = len(text)
        if self.head_len < self.half:
            part = text[: self.half - self.head_len]
            self.head.append(part)
            self.head_len += len(part)
            text = text[len(part):]
        if text:
            self.tail.append(text)
            self.tail_len += len(text)
            while self.tail_len - len(self.tail[0]) >= self.half:
                self.tail_len -= len(self.tail[0])
                self.dropped += len(self.tail.popleft())
        return n

    def flush(self) -> None:
        pass

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def take(self) -> str:
        tail = "".join(self.tail)
        cut = max(0, len(tail) - self.half)
        text = "".join(self.head)
        if self.dropped + cut:
            text += f"\n[... {self.dropped + cut} characters truncated ...]\n"
        text += tail[cut:]
        self.reset()
        return text


class Worker:
    """Serves the grader's requests on ``sock`` (one worker process: one submission's incarnation)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.pid = sock, os.getpid()
        self.handles: dict[int, Any] = {}
        self.next_handle = 1
        self.handle_of: dict[int, int] = {}      # id(object) -> its handle
        self.handle_types: dict[int, str] = {}   # handle -> type name
        self.result_encoder = wire.Encoder(self.result_leaf)
        self.notes: list[str] = []
        self.plan: loader.Plan | None = None
        self.flags: list[str] = []               # forbidden shortcuts seen (guard.py)
        self.graded: frozenset[str] = frozenset()
        self.count_reply: list[Any] | None = None   # of the last counted call
        self.fast_reply: list[str] | None = None
        self.numeric_reply: list[str] | None = None
        self.out = CappedText()
        self.raw = os.memfd_create("student-output")

    # ---------------------------------------------------------- values
    def store(self, obj: object) -> dict[str, Any]:
        """Keep ``obj`` in the handle table; its tagged reference. An object the table already holds (one
        the grader sent or got before: the student returned its input, ``self``, a cache) goes back under
        its own handle, so it crosses back as what it is."""
        hid = self.handle_of.get(id(obj))
        if hid is not None and self.handles.get(hid) is obj:
            return {"$h": hid, "type": self.handle_types[hid]}
        hid = self.next_handle
        self.next_handle += 1
        self.handles[hid] = obj
        self.handle_of[id(obj)] = hid       # the table keeps obj alive: its id is not reused
        try:
            name = str(type(obj).__name__)[:80]
        except BaseException:
            name = "object"
        self.handle_types[hid] = name
        return {"$h": hid, "type": name}

    def result_leaf(self, obj: object) -> Any:
        """A non-data leaf of a call's result: a ``np.matrix`` (old code, or an ndarray minus a scipy sparse
        matrix) is its 2-d array, as the course's ``rel_error`` saw it; anything else is kept (store)."""
        if isinstance(obj, np.matrix):
            return self.result_encoder.encode(np.asarray(obj))
        return self.store(obj)

    def strict_result_leaf(self, obj: object) -> Any:
        """``result_leaf`` for a fetched value: a matrix is its array, anything else not data is an error."""
        if isinstance(obj, np.matrix):
            return self.result_encoder.encode(np.asarray(obj))
        return self.strict_leaf(obj)

    def strict_leaf(self, obj: object) -> Any:
        if type(obj) is np.ndarray:
            raise wire.WireError(f"an array of dtype {obj.dtype} is not plain data (use float or integer values)")
        hint = "; return a plain numpy array (np.asarray(...))" if isinstance(obj, np.ndarray) else ""
        raise wire.WireError(f"a value of type {str(type(obj).__name__)[:80]} is not plain data{hint}")

    def decode_arg(self, key: str, obj: dict[str, Any]) -> Any:
        if key == "$fn":
            if obj["$fn"] not in stubs.HELPERS:
                raise wire.WireError(f"unknown helper {obj['$fn']!r}")
            return stubs.HELPERS[obj["$fn"]]
        if key == "$r":
            return self.resolve(obj)
        raise wire.WireError(f"{key} not allowed in a request")

    def resolve(self, ref: dict[str, Any]) -> Any:
        """Follow a reference ``{"$r": handle or None, "p": [[kind, key], ...]}``; a step ``["g", var]``
        right after a graded notebook variable is the notebook global ``var`` as it stood when that
        variable was captured (loader.Plan.notebook_input)."""
        path = ref.get("p", [])
        if ref["$r"] is None:
            if not path or path[0][0] != "a":
                raise wire.WireError("a reference from the root must start with a name")
            if len(path) > 1 and path[1][0] == "g" and type(path[1][1]) is str:
                obj, path = self.loaded().notebook_input(path[0][1], path[1][1]), path[2:]
            else:
                obj, path = self.loaded().resolve(path[0][1]), path[1:]
        elif ref["$r"] in self.handles:
            obj = self.handles[ref["$r"]]
        else:
            raise wire.WireError("unknown handle")
        for kind, key in path:
            if kind == "g":
                raise wire.WireError("a notebook input follows a graded notebook variable")
            obj = getattr(obj, key) if kind == "a" else obj[key]
        return obj

    # ---------------------------------------------------------- requests
    def loaded(self) -> loader.Plan:
        """The plan of the ``hello`` request (a request before it breaks the protocol)."""
        if self.plan is None:
            raise wire.WireError("no plan yet")
        return self.plan

    def handle(self, req: dict[str, Any], bufs: list[wire.Buffer]) -> tuple[Any, Mode]:
        op = req.get("op")
        if "seed" in req:
            np.random.seed(req["seed"])
            random.seed(req["seed"])
        if op == "hello":
            plan = self.plan = loader.Plan(req["plan"], self.notes)
            self.graded = frozenset(plan.plan.get("names", {}))
            sys.meta_path.insert(0, guard.ImportBlocker(req.get("forbidden", ()), plan.files, self.flags))
            return None, False
        if op == "ping":
            return "pong", False
        decode = lambda v: wire.decode(v, bufs, self.decode_arg)
        if op == "call":
            target = self.resolve(req["ref"])
            args = decode(req["args"])
            kwargs = decode(req["kwargs"])
            if not req.get("count"):
                result = target(*args, **kwargs)
            else:
                counter = guard.CallCounter(target, (args, kwargs), self.loaded().files, self.graded)
                try:
                    with counter:
                        result = target(*args, **kwargs)
                finally:
                    self.count_reply = counter.most_called()
                    self.fast_reply = counter.course_fast()
                    self.numeric_reply = counter.course_numeric()
                    if counter.tampered:
                        self.flag("changes the interpreter's trace function while a graded function runs")
            return (self.store(result), True) if req.get("keep") else (result, False)
        if op == "load":  # import what a reference needs, nothing else
            self.resolve(req["ref"])
            return None, False
        if op == "put":
            return self.store(decode(req["value"])), True
        if op == "get":
            return self.resolve(req["ref"]), "strict"
        if op == "setattr":
            setattr(self.resolve(req["ref"]), req["name"], decode(req["value"]))
            return None, False
        if op == "setitem":
            self.resolve(req["ref"])[decode(req["key"])] = decode(req["value"])
            return None, False
        raise wire.WireError(f"unknown operation {op!r}")

    def where(self, tb: types.TracebackType | None) -> str | None:
        """The innermost frame in a submission file: "layers.py, line 42, in affine_forward"."""
        found = None
        files = self.plan.files if self.plan else set()
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_filename in files or code.co_filename.split(" cell ")[0] in files:
                found = f"{os.path.basename(code.co_filename)}, line {tb.tb_lineno}, in {code.co_name}"
            tb = tb.tb_next
        return found

    def reply_error(self, kind: str, exc: BaseException, tb: types.TracebackType | None = None) -> dict[str, Any]:
        try:
            name = str(type(exc).__name__)[:200]
        except BaseException:
            name = "Exception"
        return {"err": {"kind": kind, "type": name, "message": loader.str_safe(exc)[:MSG_CAP],
                        "where": self.where(tb) if tb is not None else None}}

    def answer(self, req: dict[str, Any], bufs: list[wire.Buffer]) -> tuple[dict[str, Any], list[memoryview]]:
        buffers = []
        try:
            value, mode = self.handle(req, bufs)
            if mode is True:
                reply = {"ok": value}
            else:
                leaf = self.strict_result_leaf if mode == "strict" else self.result_leaf
                enc = self.result_encoder = wire.Encoder(leaf)
                try:
                    reply = {"ok": enc.encode(value)}
                    buffers = enc.buffers
                except wire.WireError:
                    if mode == "strict":
                        raise
                    reply = {"ok": self.store(value)}
                    buffers = []
        except loader.Missing as exc:
            reply = {"err": {"kind": "missing", "type": "NameMissing", "message": str(exc)[:MSG_CAP],
                             "where": None}}
        except wire.WireError as exc:
            reply = self.reply_error("bad", exc)
        except BaseException as exc:  # student code may raise anything: SystemExit, KeyboardInterrupt
            tb = exc.__traceback__
            reply = self.reply_error("exception", exc, tb.tb_next if tb is not None else None)
        reply.update(id=req.get("id"), notes=self.notes[:], out=self.take_output())
        self.notes.clear()
        if self.flags:
            reply["flags"] = self.flags[:]
            self.flags.clear()
        if self.count_reply is not None:
            reply["calls"], self.count_reply = self.count_reply, None
        if self.fast_reply:
            reply["fast"], self.fast_reply = self.fast_reply, None
        if self.numeric_reply:
            reply["numeric"], self.numeric_reply = self.numeric_reply, None
        return reply, buffers

    def flag(self, text: str) -> None:
        if text not in self.flags and len(self.flags) < guard.FLAGS_CAP:
            self.flags.append(text)

    def take_output(self) -> str:
        text = self.out.take()
        size = os.lseek(self.raw, 0, os.SEEK_END)
        if size:
            raw = os.pread(self.raw, OUT_CAP // 2, 0)
            if size > OUT_CAP // 2:
                raw += b"\n[... %d bytes truncated ...]\n" % (size - OUT_CAP // 2)
            text += raw.decode("utf-8", "replace")
            os.ftruncate(self.raw, 0)
            os.lseek(self.raw, 0, os.SEEK_SET)
        return text

    def serve(self) -> None:
        while True:
            try:
                req, bufs = wire.recv_frame(self.sock)
            except wire.Closed:
                return
            reply, buffers = self.answer(req, bufs)
            if os.getpid() != self.pid:  # a child the student forked came back here: it must not answer
                os._exit(0)
            try:
                wire.send_frame(self.sock, reply, buffers)
            except (OSError, ValueError):
                wire.send_frame(self.sock, {"id": req.get("id"), "err": {
                    "kind": "bad", "type": "BadValue", "message": "the result could not be sent",
                    "where": None}, "notes": [], "out": ""})


def serve(sock: socket.socket, work: str) -> None:
    """Entry from the zygote: redirect fds 0-2, install stubs, serve until the grader hangs up."""
    worker = Worker(sock)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(worker.raw, 1)
    os.dup2(worker.raw, 2)
    _close_others({sock.fileno(), worker.raw, 0, 1, 2})
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    sys.stdout = sys.stderr = worker.out
    sys.stdin = io.StringIO("")
    sys.path[:] = [p for p in sys.path if "site-packages" in p or p.startswith(sys.base_prefix)]
    sys.argv = ["student"]
    stubs.install()
    wire.send_frame(sock, {"ready": True})
    worker.serve()


def _close_others(keep: set[int]) -> None:
    for fd in map(int, os.listdir("/proc/self/fd")):
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
