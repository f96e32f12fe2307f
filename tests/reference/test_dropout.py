import numpy as np
import pytest

from reference import dropout_backward, dropout_forward


@pytest.mark.parametrize("p", [0.25, 0.6, 0.9])
def test_keep_fraction_and_scaling(p):
    x = np.ones((500, 400)) * 3.0
    out, (param, mask) = dropout_forward(x, {"mode": "train", "p": p, "seed": 7})
    kept = out != 0
    n = x.size
    # binomial bound: |kept - p n| <= 6 sqrt(n p (1 - p))
    assert abs(kept.sum() - p * n) <= 6 * np.sqrt(n * p * (1 - p))
    assert np.allclose(out[kept], 3.0 / p)                  # inverted: kept units scaled by 1/p
    assert np.array_equal(mask != 0, kept)
    assert abs(out.mean() - 3.0) < 0.05 * 3.0 / np.sqrt(p)


def test_test_mode_is_identity(rng):
    x = rng.standard_normal((5, 4))
    out, cache = dropout_forward(x, {"mode": "test", "p": 0.3})
    assert np.array_equal(out, x)
    dout = rng.standard_normal((5, 4))
    assert np.array_equal(dropout_backward(dout, cache), dout)


def test_seed_reproduces_mask(rng):
    x = rng.standard_normal((10, 10))
    a, _ = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 3})
    b, _ = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 3})
    np.random.seed(3)
    expected = x * (np.random.rand(10, 10) < 0.5) / 0.5
    assert np.array_equal(a, b)
    assert np.allclose(a, expected)


def test_p_one_keeps_everything(rng):
    x = rng.standard_normal((4, 4))
    out, _ = dropout_forward(x, {"mode": "train", "p": 1.0})
    assert np.array_equal(out, x)


def test_backward_uses_forward_mask_and_matches_numerical(rng, grad):
    x = rng.standard_normal((6, 5))
    dout = rng.standard_normal((6, 5))
    param = {"mode": "train", "p": 0.6, "seed": 11}
    out, cache = dropout_forward(x, param)
    dx = dropout_backward(dout, cache)
    assert np.allclose(dx, dout * cache[1])
    grad.assert_grad(dx, lambda: float(np.sum(dropout_forward(x, param)[0] * dout)), x)


@pytest.mark.parametrize("p", [0.0, -0.1, 1.5, "0.5", True])
def test_bad_p_raises(p):
    with pytest.raises(ValueError, match="p"):
        dropout_forward(np.ones((2, 2)), {"mode": "train", "p": p})


def test_bad_mode_and_missing_p_raise():
    with pytest.raises(ValueError, match="mode"):
        dropout_forward(np.ones((2, 2)), {"mode": "eval", "p": 0.5})
    with pytest.raises(ValueError, match="missing"):
        dropout_forward(np.ones((2, 2)), {"mode": "train"})
