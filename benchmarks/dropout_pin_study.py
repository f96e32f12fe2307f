"""The dropout net's pin in distribution (grader/topics/dropout_pin.py) over many draws: how often a
correct net fails (at a lowered Z, so that rare failures show), and how often nets that are constant
on a fraction of their seeds (a real backward bug on the others) get through. In process, with the
reference as the student.

    python benchmarks/dropout_pin_study.py [DRAWS] [Z]
"""

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from grader.checks import CheckFailure  # noqa: E402
from grader.topics import dropout_pin, fc_net  # noqa: E402
from topics.test_dropout_pin import CONFIGS, _make  # noqa: E402

import reference as R  # noqa: E402


def liar_class(fraction):
    """Constant (loss 1, zero gradients) on ``fraction`` of the seeds, gradients ×0.8 on the others."""
    class Liar(R.FullyConnectedNet):
        def loss(self, X, y=None):
            if y is None:
                return super().loss(X)
            if (self.dropout_param.get("seed", 0) * 2654435761 % 1000) / 1000 < fraction:
                return 1.0, {k: np.zeros_like(v) for k, v in self.params.items()}
            loss, grads = super().loss(X, y)
            return loss, {k: 0.8 * v for k, v in grads.items()}
    return Liar


def passes(make, config, seed):
    try:
        fc_net.check_fc_consistency(make, np.random.default_rng(10_000 + seed), **config)
        return True
    except CheckFailure:
        return False


def main(argv):
    draws = int(argv[0]) if argv else 100
    dropout_pin.Z = float(argv[1]) if len(argv) > 1 else dropout_pin.Z
    print(f"Z = {dropout_pin.Z:g}, {draws} draws per line")
    for name, config in CONFIGS.items():
        for label, make in (("reference, one stream", _make(R.FullyConnectedNet)),
                            ("reference, no seed", _make(R.FullyConnectedNet, seed=None))):
            start = time.perf_counter()
            failed = sum(not passes(make, config, seed) for seed in range(draws))
            print(f"{name:28s} {label:24s} correct failed {failed}/{draws}  "
                  f"({(time.perf_counter() - start) / draws:.2f} s each)")
    config = CONFIGS["cs231n a2"]
    for fraction in (0.05, 0.2, 0.5, 1.0):
        got_through = sum(passes(_make(liar_class(fraction)), config, seed) for seed in range(draws))
        print(f"constant on {fraction:4.0%} of the seeds: passed {got_through}/{draws}")


if __name__ == "__main__":
    main(sys.argv[1:])
