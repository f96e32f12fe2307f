"""Reliability of the layout pin of the conv net with batch norm (grader.topics.cnn_norm).

Over --seeds seeds, on the pin's own draws (3 conditioned cases of N = 16), prints:
  * false failures: every accepted layout (6 placements of the two batch norms) computed with forms of eps
    the pin does not list (1e-8 inside the square root, 3e-6 and 1e-7 outside) or lists (1e-5 in and out);
  * misses: wrong layouts (no ReLU after the hidden affine layer or after the conv, per-pixel statistics,
    a batch norm left out) whose losses match an accepted layout on every draw;
  * draws taken per check (conditioning) and the time per check.

Run: python benchmarks/cnn_norm_study.py [--seeds 1000]
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.checks.compare import compare  # noqa: E402
from grader.topics import cnn as K  # noqa: E402
from grader.topics import cnn_norm as M  # noqa: E402

PAIRS = {"s": ("gamma1", "beta1", False), "h": ("gamma2", "beta2", False)}
STUDENT_EPS = ((1e-5, True), (1e-8, True), (1e-5, False), (3e-6, False), (1e-7, False))
CANONICAL = dict(spatial="before relu", hidden="before relu")
BUGS = {"no ReLU after the hidden affine": dict(CANONICAL, relu2=False),
        "no ReLU after the conv": dict(CANONICAL, relu1=False),
        "per-pixel statistics": dict(CANONICAL, per_pixel=True),
        "per-pixel statistics after the pool": dict(CANONICAL, spatial="after pool", per_pixel=True),
        "no spatial batch norm": dict(CANONICAL, spatial=None),
        "no hidden batch norm": dict(CANONICAL, hidden=None),
        "hidden batch norm after a missing ReLU": dict(CANONICAL, hidden="after relu", relu2=False)}


def passes(values, accepted):
    """Whether the losses ``values`` (one per case) are those of one accepted layout and form of eps."""
    return any(compare(values, a, rtol=M.RTOL).ok for a in accepted)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=1000)
    args = parser.parse_args()
    dims, draws = dict(K.SMALL), 3
    counted, original = [0], M._draw

    def counting(*a, **k):
        counted[0] += 1
        return original(*a, **k)
    M._draw = counting
    false_failures, misses, tries, seconds = 0, dict.fromkeys(BUGS, 0), [], 0.0
    for seed in range(args.seeds):
        rng, counted[0] = np.random.default_rng(seed), 0
        start = time.perf_counter()
        cases, candidates = zip(*(M.conditioned_case(rng, dims, PAIRS, 16) for _ in range(draws)))
        seconds += time.perf_counter() - start
        tries.append(counted[0])
        accepted = [np.array([c[key] for c in candidates]) for key in candidates[0]]
        for spatial, hidden in M.accepted_layouts(PAIRS):
            for eps, inside in STUDENT_EPS:
                values = M._losses(cases, spatial=spatial, hidden=hidden, eps=eps, inside=inside)
                false_failures += not passes(values, accepted)
        for name, layout in BUGS.items():
            misses[name] += passes(M._losses(cases, **layout), accepted)
    students = args.seeds * len(M.accepted_layouts(PAIRS)) * len(STUDENT_EPS)
    print(f"seeds {args.seeds}: false failures {false_failures} of {students} correct nets")
    for name, count in misses.items():
        print(f"  missed {count} of {args.seeds}: {name}")
    print(f"draws per check: mean {np.mean(tries):.1f}, max {max(tries)} (3 cases); grader time per check "
          f"{1000 * seconds / args.seeds:.0f} ms")


if __name__ == "__main__":
    main()
