"""Cost and reliability of the REC gradient check against full central differences.

For each problem (default: conv x 4x3x8x8 / w 5x3x3x3, the 2-layer net, softmax; --all for the eight
of research/gradcheck.md §2) prints, over --seeds random inputs:
  * function evaluations and wall time per check: REC (grader.checks.gradcheck.check_gradient) and
    full central differences (numerical_gradient on every tensor);
  * false failures on the correct gradients: REC, and full differences judged by the cs231n rule
    (max elementwise relative error > 1e-7) and a norm-wise rule (max|a−n| / max(|a|+|n|) > 1e-5);
  * detection of each real bug of §2(b): REC and full differences with the norm-wise rule.

Run: python benchmarks/gradcheck_cost.py [--seeds 300] [--all]
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "checks"))

from grader.checks import CheckFailure, Inconclusive  # noqa: E402
from grader.checks.gradcheck import check_gradient, numerical_gradient  # noqa: E402
from problems import PROBLEMS, SUBTHRESHOLD_BUG  # noqa: E402


def full_differences(pr, params, data):
    """Full central differences on every tensor: (numerical grads, evaluations)."""
    grads, evaluations = {}, 0
    for name, value in params.items():
        def f(x, name=name):
            return pr.loss(dict(params, **{name: x}), data)
        grads[name] = numerical_gradient(f, value)
        evaluations += 2 * value.size
    return grads, evaluations


def cs231n_fails(analytic, numeric, threshold=1e-7):
    return any(np.max(np.abs(analytic[k] - numeric[k]) / np.maximum(1e-8, np.abs(analytic[k]) + np.abs(numeric[k])))
               > threshold for k in numeric)


def normwise_fails(analytic, numeric, threshold=1e-5):
    return any(np.max(np.abs(analytic[k] - numeric[k])) / max(1e-300, np.max(np.abs(analytic[k]) + np.abs(numeric[k])))
               > threshold for k in numeric)


def rec(pr, params, data, grads, rng, reference=None):
    """'pass', 'fail' or 'inconclusive', evaluations, seconds."""
    start = time.perf_counter()
    try:
        report = check_gradient(lambda q: pr.loss(q, data), params, grads, rng=rng, reference_grads=reference)
        return "pass", report.evaluations, time.perf_counter() - start
    except CheckFailure:
        return "fail", 0, time.perf_counter() - start
    except Inconclusive:
        return "inconclusive", 0, time.perf_counter() - start


def run(problem, seeds, full_seeds):
    pr = PROBLEMS[problem]
    rec_evals, rec_time, outcomes = [], [], {"pass": 0, "fail": 0, "inconclusive": 0}
    full_evals, full_time, full_cs231n, full_norm = [], [], 0, 0
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        params, data = pr.make(rng)
        grads = pr.grads(params, data)
        outcome, evaluations, seconds = rec(pr, params, data, grads, rng)
        outcomes[outcome] += 1
        if outcome == "pass":
            rec_evals.append(evaluations)
            rec_time.append(seconds)
        if seed < full_seeds:
            start = time.perf_counter()
            numeric, evaluations = full_differences(pr, params, data)
            full_time.append(time.perf_counter() - start)
            full_evals.append(evaluations)
            full_cs231n += cs231n_fails(grads, numeric)
            full_norm += normwise_fails(grads, numeric)
    print(f"\n== {problem} ({sum(v.size for v in pr.make(np.random.default_rng(0))[0].values())} parameters)")
    print(f"  REC  : {np.mean(rec_evals):6.1f} evaluations (max {max(rec_evals)}), "
          f"{1e3 * np.median(rec_time):7.2f} ms median per check; correct gradients over {seeds} seeds: "
          f"{outcomes['fail']} false failures, {outcomes['inconclusive']} inconclusive")
    print(f"  full : {np.mean(full_evals):6.0f} evaluations, {1e3 * np.median(full_time):7.2f} ms median per check; "
          f"false failures over {full_seeds} seeds: cs231n rule {full_cs231n}, norm-wise 1e-5 {full_norm}")
    print(f"  REC cost: {100 * np.mean(rec_evals) / np.mean(full_evals):.1f}% of the evaluations, "
          f"{100 * np.median(rec_time) / np.median(full_time):.1f}% of the time of full differences")
    bugs = list(pr.bugs) + ([SUBTHRESHOLD_BUG[1]] if problem == SUBTHRESHOLD_BUG[0] else [])
    for bug in bugs:
        caught_rec = caught_full = 0
        for seed in range(seeds):
            rng = np.random.default_rng(100_000 + seed)
            params, data = pr.make(rng)
            buggy = pr.grads(params, data, bug=bug)
            caught_rec += rec(pr, params, data, buggy, rng, reference=pr.grads(params, data))[0] == "fail"
            if seed < full_seeds:
                caught_full += normwise_fails(buggy, full_differences(pr, params, data)[0])
        print(f"  bug {bug!r:40}: REC caught {caught_rec}/{seeds}, full differences (norm-wise 1e-5) "
              f"{caught_full}/{full_seeds}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=300)
    parser.add_argument("--full-seeds", type=int, default=30, help="seeds for full differences (slow)")
    parser.add_argument("--all", action="store_true", help="all eight problems")
    args = parser.parse_args()
    problems = sorted(PROBLEMS) if args.all else ["conv", "twolayer", "softmax"]
    for problem in problems:
        run(problem, args.seeds, min(args.full_seeds, args.seeds))


if __name__ == "__main__":
    main()
