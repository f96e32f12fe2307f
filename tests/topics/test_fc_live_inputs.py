"""The FC-net checks draw nets whose ReLUs are alive: an all-dead hidden layer hid a ReLU backward that
multiplies by the output instead of the mask (missed on 1 draw in 300 before)."""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.gradcheck import check_gradient
from grader.topics.fc_net import _live_case

DIMS = [7, 5, 6, 4, 4]


def _net(params, X, y, reg, relu_mask):
    """Loss and gradients of an affine-ReLU net with softmax; ``relu_mask(a)`` is the ReLU derivative."""
    L, h, pre = len(DIMS) - 1, X, []
    for i in range(1, L):
        pre.append((h, h @ params[f"W{i}"] + params[f"b{i}"]))
        h = np.maximum(pre[-1][1], 0)
    s = h @ params[f"W{L}"] + params[f"b{L}"]
    p = np.exp(s - s.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    N = len(X)
    loss = -np.log(p[range(N), y]).mean() + 0.5 * reg * sum((params[f"W{i}"] ** 2).sum() for i in range(1, L + 1))
    d, grads = (p - np.eye(p.shape[1])[y]) / N, {}
    for i in range(L, 0, -1):
        inp = X if i == 1 else np.maximum(pre[i - 2][1], 0)
        grads[f"W{i}"], grads[f"b{i}"] = inp.T @ d + reg * params[f"W{i}"], d.sum(0)
        if i > 1:
            d = (d @ params[f"W{i}"].T) * relu_mask(pre[i - 2][1])
    return loss, grads


def test_every_hidden_layer_is_alive():
    for seed in range(300):
        params, X = _live_case(np.random.default_rng(seed), DIMS, None, 6)
        h = X
        for i in range(1, len(DIMS) - 1):
            a = h @ params[f"W{i}"] + params[f"b{i}"]
            assert 0.2 <= np.mean(a > 0) <= 0.8
            h = np.maximum(a, 0)


def test_a_relu_backward_using_the_output_is_caught_on_every_draw():
    missed = 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        params, X = _live_case(rng, DIMS, None, 6)
        y = rng.integers(0, 4, 6)
        _, grads = _net(params, X, y, 0.2, lambda a: np.maximum(a, 0))
        try:
            check_gradient(lambda p: _net(p, X, y, 0.2, lambda a: a > 0)[0], params, grads, rng=rng,
                           rtol=1e-5, joint=True)
            missed += 1
        except CheckFailure:
            pass
    assert missed == 0
