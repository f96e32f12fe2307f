"""The grader's own cost of one hostile reply: peak memory over idle and time, per forged frame.

Usage: python benchmarks/hostile_replies.py [--sandbox] [NAME ...]

Each frame is measured in a fresh process: a forked child writes it into a socket pair; the grader
side receives it with the Sandbox's caps (wire.recv_frame), decodes it and hands it to the Sandbox's
reply handling (Sandbox.read_reply), as a call does. Printed: the peak resident memory over the idle size
(VmHWM after resetting it through /proc/self/clear_refs), tracemalloc's peak of Python and numpy
allocations, the time, and the outcome. ``--sandbox``: the frames are written by student code in a real
worker (the submission's module writes them into its socket when called) and one call is made.
Frames: the unseen attacks of issue 13 and the worst replies the caps still let through.
"""
import argparse
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from grader.sandbox import Limits, Sandbox  # noqa: E402
from grader.sandbox.worker import wire  # noqa: E402

MIB = 2 ** 20


# ---- frames (this part is also the source of the student's module in --sandbox mode)
def frame(header, buffers=()):
    data = header if isinstance(header, bytes) else json.dumps(header, separators=(",", ":"),
                                                               ensure_ascii=False).encode()
    return struct.pack("!Q", len(data)) + data + b"".join(buffers)


CONTAINER = b'{"ab":1},'   # the costliest JSON per token measured (~90 bytes each once parsed)


def _max_containers():
    """Just under the caps: TOKENS_CAP tokens, as one-entry dicts."""
    n = wire.TOKENS_CAP // 3 - 10   # '{"ab":1},' is three tokens
    return frame(b'{"id":1,"nb":[],"notes":[],"out":"","x":[' + CONTAINER * n + b"{}]}")


def _max_strings():
    """A header of HEADER_CAP bytes of strings, each at the string cap."""
    k = wire.HEADER_CAP // (wire.STR_CAP + 3) - 1   # "é" is two bytes of UTF-8, one character
    ok = {"$l": ["\u00e9" * (wire.STR_CAP // 2)] * k}
    return frame({"id": 1, "ok": ok, "nb": [], "notes": [], "out": ""})


def _max_bytes():
    """BYTES_CAP bytes of arrays (one per buffer), a handful of arrays."""
    n, size = 8, wire.BYTES_CAP // 8
    ok = {"$l": [{"$a": ["float64", [size // 8], i]} for i in range(n)]}
    return frame({"id": 1, "ok": ok, "nb": [size] * n, "notes": [], "out": ""}, [bytes(size)] * n)


def _max_buffers():
    """BUFFERS_CAP empty arrays."""
    n = wire.BUFFERS_CAP
    ok = {"$l": [{"$a": ["float64", [0], i]} for i in range(n)]}
    return frame({"id": 1, "ok": ok, "nb": [0] * n, "notes": [], "out": ""})


def _max_everything():
    """Containers up to the token cap in the header and BYTES_CAP bytes of arrays."""
    n, size = 4, wire.BYTES_CAP // 4
    arrays = ",".join(json.dumps({"$a": ["float64", [size // 8], i]}) for i in range(n))
    head = (b'{"id":1,"notes":[],"out":"","nb":' + json.dumps([size] * n).encode()
            + b',"ok":{"$l":[' + arrays.encode() + b']},"x":[' + CONTAINER * (wire.TOKENS_CAP // 3 - 100) + b"{}]}")
    return frame(head, [bytes(size)] * n)


FRAMES = {
    "issue13: 8M empty buffers": lambda: frame(b'{"id":1,"ok":null,"nb":[' + b"0," * 8_000_000 + b"0]}"),
    "issue13: 15M empty buffers": lambda: frame(b'{"id":1,"ok":null,"nb":[' + b"0," * 15_000_000 + b"0]}"),
    "issue13: size-0 array of shape (0, 1e30)": lambda: frame(
        {"id": 1, "ok": {"$a": ["float64", [0, 10 ** 30], 0]}, "nb": [0], "notes": [], "out": ""}),
    "2M empty dicts (under the header cap)": lambda: frame(
        b'{"id":1,"ok":null,"nb":[],"x":[' + b"{}," * 2_000_000 + b"{}]}"),
    "header size 2^40 announced": lambda: struct.pack("!Q", 2 ** 40) + b"{}",
    "buffer size 2^40 announced": lambda: frame({"id": 1, "ok": None, "nb": [2 ** 40]}),
    "worst allowed: containers": _max_containers,
    "worst allowed: strings": _max_strings,
    "worst allowed: array bytes": _max_bytes,
    "worst allowed: buffers": _max_buffers,
    "worst allowed: containers + array bytes": _max_everything,
}
# ---- end of frames


def _status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def measure_decoder(name):
    """Receive, decode and absorb one frame written by a forked child; returns the measures."""
    mine, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:   # the writer: builds the frame in its own memory
        mine.close()
        try:
            theirs.sendall(FRAMES[name]())
        except OSError:
            pass
        os._exit(0)
    theirs.close()
    limits = Limits()
    sandbox = Sandbox({"modules": {}, "names": {}}, tempfile.gettempdir(), limits=limits)
    return _measure(lambda: _handle(sandbox, mine, limits), lambda: (mine.close(), os.waitpid(pid, 0)))


def _handle(sandbox, sock, limits):
    reply, bufs = wire.recv_frame(sock, time.monotonic() + limits.call_seconds,
                                  bytes_cap=min(limits.value_mb * MIB, wire.BYTES_CAP))
    return sandbox.read_reply(reply, bufs, sandbox.root)


def measure_sandbox(name):
    """One call of a real worker whose student code writes the frame into its socket, then returns."""
    text = open(__file__).read()
    builders = text[text.index("# ---- frames"):text.index("# ---- end of frames")]
    caps = {k: getattr(wire, k) for k in ("HEADER_CAP", "TOKENS_CAP", "BUFFERS_CAP", "BYTES_CAP", "STR_CAP")}
    source = ("import json, os, stat, struct, sys, types\n"
              f"wire = types.SimpleNamespace(**{caps!r})\n" + builders +
              "def f():\n"
              f"    data = FRAMES[{name!r}]()\n"
              "    req = sys._getframe().f_back\n"
              "    while req is not None and not isinstance(req.f_locals.get('req'), dict):\n"
              "        req = req.f_back\n"
              "    rid = req.f_locals['req']['id'] if req else 1\n"
              "    size = int.from_bytes(data[:8], 'big')\n"
              "    if size < 2 ** 32 and data[8:16] == b'{\"id\":1,':\n"
              "        data = (size + len(str(rid)) - 1).to_bytes(8, 'big') + b'{\"id\":%d,' % rid + data[16:]\n"
              "    for fd in range(3, 256):\n"
              "        try:\n"
              "            if stat.S_ISSOCK(os.fstat(fd).st_mode):\n"
              "                os.write(fd, data)\n"
              "        except OSError:\n"
              "            pass\n"
              "    return 0\n")
    files = tempfile.mkdtemp(prefix="hostile-bench-")
    with open(os.path.join(files, "sub.py"), "w") as fh:
        fh.write(source)
    plan = {"modules": {"sub": {"file": "sub.py", "source": source, "package": False}},
            "names": {"f": {"module": "sub"}}}
    sandbox = Sandbox(plan, files, limits=Limits(call_seconds=60), isolation=False)
    sandbox.load_all()
    return _measure(lambda: sandbox.root.f(), sandbox.close)


def _measure(work, after):
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")   # resets VmHWM to the current resident size
    idle = _status("VmRSS")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        value = work()
        outcome = f"decoded ({type(value).__name__})"
    except Exception as exc:
        outcome = f"{type(exc).__name__}: {str(exc)[:90]}"
    seconds = time.perf_counter() - start
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    peak = _status("VmHWM")
    after()
    return {"rss_over_idle_mib": (peak - idle) / MIB, "traced_peak_mib": traced / MIB,
            "seconds": seconds, "outcome": outcome}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sandbox", action="store_true", help="frames written by student code in a real worker")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("names", nargs="*", help="frames to measure (default: all)")
    args = parser.parse_args()
    if args.one:
        measure = measure_sandbox if args.sandbox else measure_decoder
        print(json.dumps(measure(args.one)))
        return 0
    print(f"caps: header {wire.HEADER_CAP // MIB} MiB, {wire.TOKENS_CAP} tokens, {wire.BUFFERS_CAP} arrays, "
          f"{wire.BYTES_CAP // MIB} MiB of arrays; {'real worker' if args.sandbox else 'decoder'}")
    print(f"{'frame':<42} {'RSS over idle':>14} {'traced peak':>12} {'time':>8}  outcome")
    worst = 0.0
    for name in args.names or FRAMES:
        command = [sys.executable, __file__, "--one", name] + (["--sandbox"] if args.sandbox else [])
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            print(f"{name:<42} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        m = json.loads(done.stdout.strip().splitlines()[-1])
        worst = max(worst, m["rss_over_idle_mib"])
        print(f"{name:<42} {m['rss_over_idle_mib']:11.1f} MiB {m['traced_peak_mib']:8.1f} MiB "
              f"{m['seconds']:7.3f}s  {m['outcome']}")
    print(f"largest peak over idle: {worst:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
