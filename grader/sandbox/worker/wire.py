"""Wire protocol between the grader and the worker: framing and tagged values. Never unpickles.

A frame is ``!Q`` header length, the JSON header, then raw buffers whose sizes are ``header["nb"]``.
Values are tagged JSON: null/bool/int/str/finite float as themselves; ``{"$f": "nan"|"inf"|"-inf"}``;
``{"$l": [...]}`` list, ``{"$t": [...]}`` tuple, ``{"$d": [[k, v], ...]}`` dict (str/int keys);
``{"$a": [dtype, shape, buffer_index]}`` ndarray; ``{"$h": id, "type": name}`` worker handle;
``{"$r": id_or_null, "p": [[kind, key], ...]}`` reference to a worker object; ``{"$fn": name}`` helper.
Dict subclasses (OrderedDict, defaultdict) are sent as dicts and namedtuples as tuples, read through
dict's and tuple's own slots; numpy scalars become Python numbers, except float32/float16 ones, which
become 0-d float32 arrays so the grader knows the value was computed in float32.

Both sides import this file (the worker as ``_sandbox_worker.wire``): stdlib and numpy only.
"""
import json
import math
import socket
import struct
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Buffer = memoryview | bytearray          # a received array buffer (a view into a frame, or read alone)
Header = dict[str, Any]                  # a frame's JSON header
Leaf = Callable[[Any], Any]              # Encoder: tagged JSON of a value that is not data
Tag = Callable[[str, dict[str, Any]], Any]   # decode: the value of a "$h", "$r" or "$fn" object

# The caps bound what the grader spends on one reply before it does any work proportional to it
# (benchmarks/hostile_replies.py measures them): parsing JSON costs up to ~70 bytes per token, so the
# header's tokens (``,`` ``:`` ``[`` ``{`` bytes, counted in C before parsing) are capped as well as its size.
HEADER_CAP = 8 * 2**20           # bytes of JSON header
TOKENS_CAP = 300_000             # ``,`` ``:`` ``[`` ``{`` bytes in one header (strings included)
BUFFERS_CAP = 10_000             # arrays in one frame
BYTES_CAP = 128 * 2**20          # bytes of array buffers in one frame
DIM_CAP = 2**31 - 1              # largest axis length of an array
STR_CAP = 100_000                # characters of one string value
DEPTH_CAP = 40                   # nesting of containers
NODES_CAP = 200_000              # values in one frame
JOIN_BYTES = 1 << 20             # frames with at most this many bytes of arrays go in one piece
DTYPES = {"bool": np.dtype(np.bool_), "int64": np.dtype("<i8"),
          "float32": np.dtype("<f4"), "float64": np.dtype("<f8")}
TAGS = ("$f", "$l", "$t", "$d", "$a", "$h", "$r", "$fn")


class WireError(Exception):
    """The bytes or the value break the protocol (unsupported type, over a cap, malformed)."""


class Timeout(Exception):
    """The deadline passed before the frame was complete."""


class Closed(Exception):
    """The other side closed the channel."""


# ---------------------------------------------------------------- framing

def send_frame(sock: socket.socket, header: Header, buffers: Sequence[memoryview] = ()) -> None:
    """Send one frame: the header (a JSON-able dict) and its raw buffers."""
    header = dict(header, nb=[b.nbytes for b in buffers])
    data = json.dumps(header, allow_nan=False, separators=(",", ":")).encode()
    head = struct.pack("!Q", len(data)) + data
    if sum(header["nb"]) <= JOIN_BYTES:  # one system call for a frame of small arrays
        sock.sendall(b"".join([head, *buffers]))
        return
    sock.sendall(head)
    for buf in buffers:
        sock.sendall(buf)


def _read_exact(sock: socket.socket, n: int, deadline: float | None) -> bytearray:
    out = bytearray(n)
    view = memoryview(out)
    got = 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout()
            sock.settimeout(left)
        try:
            k = sock.recv_into(view[got:], min(n - got, 1 << 20))
        except socket.timeout:
            raise Timeout() from None
        except (ConnectionError, OSError) as exc:
            raise Closed(str(exc)) from None
        if k == 0:
            raise Closed("end of stream")
        got += k
    return out


def recv_frame(sock: socket.socket, deadline: float | None = None, header_cap: int = HEADER_CAP,
               bytes_cap: int = BYTES_CAP) -> tuple[Header, list[Buffer]]:
    """Receive one frame -> (header dict, list of byte buffers); sizes are checked before reading."""
    (size,) = struct.unpack("!Q", _read_exact(sock, 8, deadline))
    if size > header_cap:
        raise WireError(f"header of {size} bytes is over the cap")
    raw = bytes(_read_exact(sock, size, deadline))
    tokens = raw.count(b",") + raw.count(b":") + raw.count(b"[") + raw.count(b"{")
    if tokens > TOKENS_CAP:
        raise WireError(f"header of {tokens} values is over the cap of {TOKENS_CAP}")
    try:
        header = json.loads(raw)
    except (ValueError, RecursionError, MemoryError) as exc:
        raise WireError(f"malformed header: {str(exc)[:200]}") from None
    del raw
    sizes = header.get("nb") if isinstance(header, dict) else None
    if not isinstance(sizes, list) or len(sizes) > BUFFERS_CAP \
            or not all(type(s) is int and 0 <= s <= bytes_cap for s in sizes):
        raise WireError("malformed buffer sizes (or more arrays than the cap)")
    if sum(sizes) > bytes_cap:
        raise WireError(f"{sum(sizes)} bytes of arrays is over the cap of {bytes_cap}")
    if sum(sizes) <= JOIN_BYTES:  # small arrays: one read, then views into it
        data, start = memoryview(_read_exact(sock, sum(sizes), deadline)), 0
        views: list[Buffer] = []
        for n in sizes:
            views.append(data[start:start + n])
            start += n
        return header, views
    return header, [_read_exact(sock, s, deadline) for s in sizes]


# ---------------------------------------------------------------- values

def array_to_wire(a: np.ndarray) -> np.ndarray | None:
    """The array as sent (exact dtype of the protocol, C order, little endian) or None if not data."""
    kind = a.dtype.kind
    if a.dtype.fields is not None or a.dtype.subdtype is not None:
        return None
    if kind == "b":
        target = DTYPES["bool"]
    elif kind in "iu":
        target = DTYPES["int64"]
    elif kind == "f":
        target = DTYPES["float32"] if a.dtype.itemsize <= 4 else DTYPES["float64"]
    else:
        return None
    return a.astype(target, order="C", copy=False)


def is_namedtuple_type(t: type) -> bool:
    """``t`` is a class made by ``collections.namedtuple`` (plain metaclass, ``_fields`` of its own)."""
    return type(t) is type and issubclass(t, tuple) and t is not tuple and "_fields" in t.__dict__


class Encoder:
    """Turns a value into tagged JSON + buffers. ``leaf(x)`` is called for anything that is not data
    and returns its tagged JSON (or raises WireError)."""

    def __init__(self, leaf: Leaf, bytes_cap: int = BYTES_CAP, str_cap: int = STR_CAP) -> None:
        self.leaf, self.bytes_cap, self.str_cap = leaf, bytes_cap, str_cap
        self.buffers: list[memoryview] = []
        self.nbytes = self.nodes = 0

    def encode(self, x: Any, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > NODES_CAP:
            raise WireError(f"more than {NODES_CAP} values")
        t = type(x)
        if x is None or t is bool or t is int:
            return x
        if t is float:
            return x if math.isfinite(x) else {"$f": repr(x)}
        if t is str:
            return x if len(x) <= self.str_cap else x[: self.str_cap] + " [truncated]"
        if isinstance(x, np.generic) and t.__module__ == "numpy" and x.dtype.kind in "biuf":
            if x.dtype.kind == "f" and x.dtype.itemsize <= 4:  # keep float32: a 0-d float32 array
                return self.encode(np.array(x, dtype=DTYPES["float32"]), depth)
            return self.encode(x.item(), depth)
        if depth >= DEPTH_CAP:
            return self.leaf(x)
        if t is list or t is tuple:
            return {"$l" if t is list else "$t": [self.encode(v, depth + 1) for v in x]}
        if is_namedtuple_type(t):  # read through tuple's own slots: no method of the class runs
            return {"$t": [self.encode(tuple.__getitem__(x, i), depth + 1) for i in range(tuple.__len__(x))]}
        if issubclass(t, dict):  # OrderedDict, defaultdict...: dict's own items, never overridden ones
            items = list(dict.items(x))
            if not all(type(k) in (str, int) for k, _ in items):
                return self.leaf(x)
            return {"$d": [[k, self.encode(v, depth + 1)] for k, v in items]}
        if t is np.ndarray:
            a = array_to_wire(x)
            if a is None or self.nbytes + a.nbytes > self.bytes_cap or len(self.buffers) >= BUFFERS_CAP:
                return self.leaf(x)
            self.buffers.append(a.data.cast("B") if a.nbytes else memoryview(b""))
            self.nbytes += a.nbytes
            dtype = next(k for k, v in DTYPES.items() if v == a.dtype)
            return {"$a": [dtype, list(a.shape), len(self.buffers) - 1]}
        return self.leaf(x)


def decode(obj: Any, buffers: Sequence[Buffer], tag: Tag | None = None, str_cap: int = STR_CAP) -> Any:
    """Rebuild exact Python/numpy types from tagged JSON. ``tag(key, obj)`` handles "$h", "$r",
    "$fn" (absent: they are rejected). Raises WireError for anything else, and for any exception
    while decoding (the bytes come from student code: nothing in them may raise anything else).
    Each buffer backs at most one array."""
    count = [0]
    used: set[int] = set()

    def walk(o: Any, depth: int) -> Any:
        count[0] += 1
        if count[0] > NODES_CAP or depth > DEPTH_CAP + 1:
            raise WireError("value too large or too deeply nested")
        t = type(o)
        if o is None or t in (bool, int, float):
            return o
        if t is str:
            if len(o) > str_cap + 20:
                raise WireError("string over the cap")
            return o
        if t is not dict or len(o) not in (1, 2):
            raise WireError(f"untagged {t.__name__}")
        key = next(iter(o))
        if key not in TAGS:
            raise WireError(f"unknown tag {key[:20]!r}")
        v = o[key]
        if key == "$f":
            if v not in ("nan", "inf", "-inf"):
                raise WireError("bad float")
            return float(v)
        if key in ("$l", "$t"):
            if type(v) is not list:
                raise WireError("bad sequence")
            items = [walk(i, depth + 1) for i in v]
            return items if key == "$l" else tuple(items)
        if key == "$d":
            if type(v) is not list:
                raise WireError("bad dict")
            out = {}
            for pair in v:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in (str, int):
                    raise WireError("bad dict entry")
                out[pair[0]] = walk(pair[1], depth + 1)
            return out
        if key == "$a":
            return _decode_array(v, buffers, used)
        if tag is None:
            raise WireError(f"{key} not allowed here")
        return tag(key, o)

    try:
        return walk(obj, 0)
    except WireError:
        raise
    except RecursionError:
        raise WireError("value too deeply nested") from None
    except Exception as exc:  # a tag handler or numpy refusing what the bytes describe
        raise WireError(f"malformed value ({type(exc).__name__}: {str(exc)[:200]})") from None


def _decode_array(v: Any, buffers: Sequence[Buffer], used: set[int]) -> np.ndarray:
    """``[dtype, shape, index]`` -> the array over buffer ``index``; shape and size are checked before
    numpy sees them. A buffer read on its own (a bytearray) becomes the array's memory; a view into a
    joined frame is copied (it may be unaligned)."""
    if type(v) is not list or len(v) != 3:
        raise WireError("bad array")
    dtype, shape, index = v
    if type(dtype) is not str or dtype not in DTYPES or type(shape) is not list or len(shape) > 32 \
            or not all(type(s) is int and 0 <= s <= DIM_CAP for s in shape) \
            or type(index) is not int or not 0 <= index < len(buffers) or index in used:
        raise WireError("bad array header")
    used.add(index)
    dt, buf = DTYPES[dtype], buffers[index]
    if math.prod(s for s in shape if s) * dt.itemsize >= 2**62 or math.prod(shape) * dt.itemsize != len(buf):
        raise WireError("array size does not match its buffer")
    a = np.frombuffer(buf, dtype=dt).reshape(shape)
    return a if type(buf) is bytearray else a.copy()
