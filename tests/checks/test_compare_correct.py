"""assert_close never fails correct code: loops against vectorized, float32 against float64. The first
seeds run by default, the rest of each sweep is a study (--studies)."""

import sys
from pathlib import Path

import numpy as np
import pytest

from grader.checks.compare import assert_close

sys.path.insert(0, str(Path(__file__).parent))
from problems import (PROBLEMS, cast, conv_forward, conv_forward_naive, pool_forward,  # noqa: E402
                      pool_forward_naive, softmax_grads, softmax_loss, softmax_loss_naive)

from helpers import seed_sweep  # noqa: E402


@pytest.mark.parametrize("seeds", seed_sweep(150, 20))
def test_loop_based_against_vectorized(seeds):
    for seed in seeds:
        rng = np.random.default_rng(seed)
        params, data = PROBLEMS["softmax"].make(rng)
        loss, dW = softmax_loss_naive(params["W"], data["X"], data["y"], data["reg"])
        assert_close((loss, dW), (softmax_loss(params, data)[0], softmax_grads(params, data)["W"]))
        x = rng.standard_normal((2, 3, 6, 6)) * 10.0 ** rng.uniform(-3, 3)
        w, b = rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
        assert_close(conv_forward_naive(x, w, b), conv_forward(x, w, b))
        assert_close(pool_forward_naive(x), pool_forward(x))


@pytest.mark.parametrize("seeds", seed_sweep(300, 30))
@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_float32_results_against_float64(problem, seeds):
    pr = PROBLEMS[problem]
    for seed in seeds:
        rng = np.random.default_rng(seed)
        params, data = pr.make(rng)
        expected = pr.grads(params, data)
        p32, d32 = cast(params, np.float32), cast(data, np.float32)
        assert_close(pr.grads(p32, d32), expected, name="grads")
        assert_close(np.float32(pr.loss(p32, d32)[0]), pr.loss(params, data)[0], name="loss")


def test_float32_loss_is_judged_as_float32():
    """A float32 loss value (numpy float32 scalar) gets the float32 tolerance."""
    assert_close(np.float32(1.0 + 3e-5), 1.0)
