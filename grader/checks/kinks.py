"""Drawing test inputs away from kinks (ReLU at 0, tied max-pool windows, hinge margins).

research/gradcheck.md §3.2: inputs within 1e-3 of a kink are moved or rejected, so that a gradient
check never straddles a non-differentiable point by construction.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MAX_UNTIE_PASSES = 20


def away_from_zero(x, margin=1e-3):
    """A copy of ``x`` whose entries with |x| < margin are moved to sign(x)·(|x| + margin) (0 -> margin)."""
    x = np.array(x, dtype=np.float64)
    near = np.abs(x) < margin
    x[near] = np.where(x[near] < 0, x[near] - margin, x[near] + margin)
    return x


def _windows(x, pool_param):
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    view = sliding_window_view(x, (ph, pw), axis=(2, 3))[:, :, ::stride, ::stride]
    return view.reshape(view.shape[:4] + (ph * pw,)), (ph, pw, stride)


def untie_pool_windows(x, pool_param, gap=1e-3):
    """A copy of ``x`` (N, C, H, W) where in every pooling window the largest value exceeds the
    second largest by at least ``gap`` (the maximum of a close window is raised by 2·gap)."""
    x = np.array(x, dtype=np.float64)
    for _ in range(MAX_UNTIE_PASSES):
        flat, (ph, pw, stride) = _windows(x, pool_param)
        top2 = np.sort(flat, axis=-1)[..., -2:]
        close = top2[..., 1] - top2[..., 0] < gap
        if not close.any():
            return x
        winners = np.argmax(flat, axis=-1)
        raised = set()
        for n, c, i, j in np.argwhere(close):
            k = winners[n, c, i, j]
            cell = (n, c, i * stride + k // pw, j * stride + k % pw)
            if cell not in raised:
                raised.add(cell)
                x[cell] += 2 * gap
    raise ValueError("could not untie the pooling windows (pathological input)")


def hinge_margin_ok(scores, y, margin=1e-3, delta=1.0):
    """True iff every hinge term s_j − s_{y_i} + delta (j ≠ y_i) is at least ``margin`` away from 0."""
    scores = np.asarray(scores, dtype=np.float64)
    n = scores.shape[0]
    terms = scores - scores[np.arange(n), y][:, None] + delta
    others = np.ones(scores.shape, dtype=bool)
    others[np.arange(n), y] = False
    return bool(np.all(np.abs(terms[others]) >= margin))
