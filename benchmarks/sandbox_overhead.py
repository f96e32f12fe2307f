"""Sandbox overhead: zygote start-up, per-submission sandbox start (fork), per-call round trip.

Usage: python benchmarks/sandbox_overhead.py [--submissions N] [--calls N]
Prints medians (and the 90th percentile) in milliseconds. Runs isolated (namespaces + uid drop) when
run as root, plain fork otherwise; --no-isolation forces the plain path.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from grader.sandbox import Sandbox  # noqa: E402
from grader.sandbox import zygote_client  # noqa: E402

SOURCE = "import numpy as np\ndef echo(x):\n    return x\ndef relu(x):\n    return np.maximum(x, 0)\n"
PLAN = {"modules": {"sub": {"file": "sub.py", "source": SOURCE, "package": False}},
        "names": {"echo": {"module": "sub"}, "relu": {"module": "sub"}}}


def summary(name, seconds):
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    print(f"{name:<44} median {statistics.median(ms):8.3f} ms   p90 {p90:8.3f} ms   (n={len(ms)})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=30)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--no-isolation", action="store_true")
    args = parser.parse_args()
    isolation = False if args.no_isolation else None
    files = tempfile.mkdtemp(prefix="sandbox-bench-")
    with open(os.path.join(files, "sub.py"), "w") as fh:
        fh.write(SOURCE)

    starts = []
    for _ in range(3):
        t = time.perf_counter()
        zygote = zygote_client.Zygote()
        sb = Sandbox(PLAN, files, isolation=isolation)
        zygote_client._zygote = zygote
        sb.root.echo(0)
        starts.append(time.perf_counter() - t)
        sb.close()
        zygote.close()
    summary("zygote start-up + first sandbox + first call", starts)

    forks, firsts = [], []
    for _ in range(args.submissions):
        sb = Sandbox(PLAN, files, isolation=isolation)
        t = time.perf_counter()
        sb.root.echo(0)
        forks.append(time.perf_counter() - t)
        sb.close()
    summary("sandbox start (fork, limits, load) + 1st call", forks)

    sb = Sandbox(PLAN, files, isolation=isolation)
    sb.root.echo(0)
    small = np.random.default_rng(0).standard_normal((4, 5))
    for label, value, calls in (("round trip, small array (4x5)", small, args.calls),
                                ("round trip, int", 1, args.calls),
                                ("round trip, 1000x1000 float64 (8 MB each way)", np.ones((1000, 1000)), 50)):
        times = []
        for _ in range(calls):
            t = time.perf_counter()
            sb.root.echo(value)
            times.append(time.perf_counter() - t)
        summary(label, times)
    t = time.perf_counter()
    sb.close()
    summary("close (kill + reap)", [time.perf_counter() - t])
    print(f"isolation: {sb.isolation}  (root: {os.geteuid() == 0})")


if __name__ == "__main__":
    main()
