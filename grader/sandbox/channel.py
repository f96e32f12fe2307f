"""Requests to a submission's worker and what comes back (contracts §4).

``encode`` turns the grader's arguments into the wire's tagged values (a Remote becomes its reference,
a ``Func`` its name, an ndarray subclass its plain array; anything else that is not data is refused).
``Channel.exchange`` sends one request and waits for its reply under a deadline; ``read_value`` reads
the reply strictly. The worker runs student code, so everything it sends is untrusted: a reply that
breaks the protocol, or comes too late, stops the worker.
"""
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .errors import BadValue, NameMissing, StudentCrash, StudentException, StudentTimeout
from .process import WorkerProcess, describe
from .remote import Func, Owner, Remote, Target, target_of
from .worker import wire


def encode(value: Any, reference: Callable[[Target], dict[str, Any]]) -> tuple[Any, list[memoryview]]:
    """(tagged value, buffers) of ``value``; ``reference(target)``: the wire reference of a Remote's
    target (or TypeError when it cannot be sent)."""
    def leaf(x: Any) -> Any:
        if type(x) is Remote:
            return reference(target_of(x))
        if type(x) is Func:
            return {"$fn": x.name}
        if isinstance(x, np.ndarray):
            return enc.encode(np.array(x, subok=False))
        raise TypeError(f"cannot send a {type(x).__name__} to the student's code")
    enc = wire.Encoder(leaf, bytes_cap=1 << 40, str_cap=1 << 30)
    return enc.encode(value), enc.buffers


class Channel:
    """Requests to the running worker of ``process``; replies of at most ``bytes_cap`` bytes of arrays.
    ``note`` keeps a crash note."""

    def __init__(self, process: WorkerProcess, bytes_cap: int, note: Callable[[str], None]) -> None:
        self._process, self._bytes_cap, self._note = process, bytes_cap, note
        self._next_id = 0

    def exchange(self, header: wire.Header, buffers: Sequence[memoryview],
                 seconds: float) -> tuple[wire.Header, list[wire.Buffer]]:
        """Send ``header`` (numbered here) and ``buffers``; the reply within ``seconds``. A timeout
        (StudentTimeout), a dead worker (StudentCrash) or a reply that breaks the protocol (BadValue,
        StudentCrash) stops the worker."""
        self._next_id += 1
        header["id"] = self._next_id
        deadline = time.monotonic() + seconds
        try:
            sock = self._process.sock
            wire.send_frame(sock, header, buffers)
            reply, bufs = wire.recv_frame(sock, deadline, bytes_cap=self._bytes_cap)
        except wire.Timeout:
            self._process.stop()
            raise StudentTimeout(seconds) from None
        except (wire.Closed, OSError) as exc:
            status = self._process.stop()
            self._note(f"the worker stopped: {describe(status)}")
            raise StudentCrash(f"your code terminated the grader's worker process ({describe(status)})") from exc
        except wire.WireError as exc:
            self._process.stop()
            raise BadValue(str(exc)) from None
        if reply.get("id") != header["id"]:
            self._process.stop()
            raise StudentCrash("your code wrote into the grader's protocol channel")
        return reply, bufs


def read_value(reply: wire.Header, bufs: Sequence[wire.Buffer], target: Target, owner: Owner,
               generation: int) -> Any:
    """The value of a ``reply`` to a request about ``target``: its error raised as a StudentError, or
    its value with handles as Remotes of ``owner``'s worker ``generation``. WireError: a forged
    value (the worker's encoder never sends one)."""
    err = reply.get("err")
    if err is not None:
        if type(err) is not dict:
            raise BadValue("malformed error")
        text = lambda key, cap: str(err.get(key) or "")[:cap]
        kind = err.get("kind")
        if kind == "missing":
            name = target.path[0][1] if target.handle is None and target.path else ""
            raise NameMissing(str(name), text("message", 2000))
        if kind == "bad":
            raise BadValue(text("message", 2000))
        raise StudentException(text("type", 200), text("message", 2000), text("where", 300) or None)
    origin = target.origin if target.handle is not None else (str(target.path[0][1]) if target.path else None)

    def tag(key: str, obj: dict[str, Any]) -> Remote:
        if key == "$h" and type(obj["$h"]) is int and type(obj.get("type", "")) is str:
            return Remote(Target(owner, obj["$h"], (), generation, obj.get("type", "")[:80], origin))
        raise wire.WireError(f"{key} not allowed in a reply")
    return wire.decode(reply.get("ok"), bufs, tag)
