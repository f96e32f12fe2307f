"""reference.conv: convolution, max pooling, spatial batch norm and group norm."""

import numpy as np
import pytest

from reference.conv import (
    conv_backward_fast, conv_backward_naive, conv_forward_fast, conv_forward_naive,
    conv_output_size, max_pool_backward_fast, max_pool_backward_naive, max_pool_forward_fast,
    max_pool_forward_naive, spatial_batchnorm_backward, spatial_batchnorm_forward,
    spatial_groupnorm_backward, spatial_groupnorm_forward,
)

from gradients import numerical_vjp, assert_grad_close


def direct_conv(x, w, b, stride, pad):
    """Independent convolution: gather every padded window, then one einsum."""
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    F, C, HH, WW = w.shape
    H_out = (xp.shape[2] - HH) // stride + 1
    W_out = (xp.shape[3] - WW) // stride + 1
    windows = np.array([[xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                         for j in range(W_out)] for i in range(H_out)])  # (Ho, Wo, N, C, HH, WW)
    return np.einsum("ijncab,fcab->nfij", windows, w) + b[None, :, None, None]


def pool_input(rng, shape):
    """Random input whose entries are all distinct (no tied maxima in any window)."""
    return rng.permutation(np.arange(np.prod(shape), dtype=np.float64)).reshape(shape) * 0.1 \
        + rng.uniform(0, 0.01, size=shape)


# ------------------------------------------------------------------------------------------------
# sizes and convolution
# ------------------------------------------------------------------------------------------------

def test_conv_output_size_follows_the_lecture_formula():
    assert conv_output_size(32, 7, 1, 3) == 32
    assert conv_output_size(7, 3, 2, 1) == 4
    assert conv_output_size(5, 5, 1, 0) == 1


@pytest.mark.parametrize("stride,pad", [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2)])
def test_conv_forward_naive_matches_direct_sum(stride, pad):
    rng = np.random.default_rng(10 * stride + pad)
    HH, WW = 3, 2
    H = 7 if (7 + 2 * pad - HH) % stride == 0 else 8
    W = 6 if (6 + 2 * pad - WW) % stride == 0 else 7
    x = rng.standard_normal((2, 3, H, W))
    w = rng.standard_normal((4, 3, HH, WW))
    b = rng.standard_normal(4)
    param = {"stride": stride, "pad": pad}
    out, cache = conv_forward_naive(x, w, b, param)
    np.testing.assert_allclose(out, direct_conv(x, w, b, stride, pad), rtol=1e-12, atol=1e-12)
    assert cache[0] is x and cache[1] is w and cache[2] is b and cache[3] is param
    fast, fast_cache = conv_forward_fast(x, w, b, param)
    np.testing.assert_allclose(fast, out, rtol=1e-12, atol=1e-12)
    assert len(fast_cache) == 4 and fast_cache[0] is x


def test_conv_forward_known_values():
    """A 1-channel 3x3 image, one 2x2 filter of ones: sums of 2x2 blocks plus the bias."""
    x = np.arange(9, dtype=float).reshape(1, 1, 3, 3)
    w = np.ones((1, 1, 2, 2))
    out, _ = conv_forward_naive(x, w, np.array([0.5]), {"stride": 1, "pad": 0})
    np.testing.assert_array_equal(out[0, 0], [[8.5, 12.5], [20.5, 24.5]])


@pytest.mark.parametrize("stride,pad", [(1, 1), (2, 1), (1, 0)])
def test_conv_backward_naive_matches_numerical(stride, pad):
    rng = np.random.default_rng(stride + 7 * pad)
    x = rng.standard_normal((2, 2, 5, 7))
    w = rng.standard_normal((3, 2, 3, 3))
    b = rng.standard_normal(3)
    param = {"stride": stride, "pad": pad}
    out, cache = conv_forward_naive(x, w, b, param)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_backward_naive(dout, cache)
    assert_grad_close(numerical_vjp(lambda a: conv_forward_naive(a, w, b, param)[0], x, dout), dx)
    assert_grad_close(numerical_vjp(lambda a: conv_forward_naive(x, a, b, param)[0], w, dout), dw)
    assert_grad_close(numerical_vjp(lambda a: conv_forward_naive(x, w, a, param)[0], b, dout), db)
    for fast, naive in zip(conv_backward_fast(dout, cache), (dx, dw, db)):
        np.testing.assert_allclose(fast, naive, rtol=1e-10, atol=1e-12)


def test_conv_fast_agrees_on_a_larger_case():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3, 17, 12))
    w = rng.standard_normal((5, 3, 5, 4))
    b = rng.standard_normal(5)
    param = {"stride": 2, "pad": 1}
    out, cache = conv_forward_naive(x, w, b, param)
    fast, fast_cache = conv_forward_fast(x, w, b, param)
    np.testing.assert_allclose(fast, out, rtol=1e-10, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    for got, want in zip(conv_backward_fast(dout, fast_cache), conv_backward_naive(dout, cache)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


# ------------------------------------------------------------------------------------------------
# max pooling
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ph,pw,stride", [(2, 2, 2), (3, 2, 1), (3, 3, 2), (2, 3, 1)])
def test_max_pool_forward_and_backward(ph, pw, stride):
    """Includes overlapping windows (stride < pool size)."""
    rng = np.random.default_rng(ph * 100 + pw * 10 + stride)
    H = 7 if (7 - ph) % stride == 0 else 8
    W = 6 if (6 - pw) % stride == 0 else 7
    x = pool_input(rng, (2, 3, H, W))
    param = {"pool_height": ph, "pool_width": pw, "stride": stride}
    out, cache = max_pool_forward_naive(x, param)
    expected = np.array([[x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw].max((2, 3))
                          for j in range(out.shape[3])] for i in range(out.shape[2])])
    np.testing.assert_array_equal(out, expected.transpose(2, 3, 0, 1))
    assert cache[0] is x and cache[1] is param
    fast, fast_cache = max_pool_forward_fast(x, param)
    np.testing.assert_array_equal(fast, out)

    dout = rng.standard_normal(out.shape)
    dx = max_pool_backward_naive(dout, cache)
    assert_grad_close(numerical_vjp(lambda a: max_pool_forward_naive(a, param)[0], x, dout, h=1e-5), dx)
    np.testing.assert_allclose(max_pool_backward_fast(dout, fast_cache), dx, rtol=1e-12, atol=1e-12)


def test_max_pool_backward_routes_to_the_maximum_only():
    x = np.array([[[[1.0, 5.0], [3.0, 2.0]]]])
    out, cache = max_pool_forward_naive(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    assert out[0, 0, 0, 0] == 5.0
    dx = max_pool_backward_naive(np.array([[[[7.0]]]]), cache)
    np.testing.assert_array_equal(dx, [[[[0.0, 7.0], [0.0, 0.0]]]])


def test_max_pool_tied_maxima_go_to_the_first_in_both_versions():
    """Documented convention: with ties, the first maximum in row-major window order wins."""
    x = np.array([[[[2.0, 2.0, 1.0], [0.0, 2.0, 2.0], [2.0, 0.0, 1.0]]]])
    param = {"pool_height": 2, "pool_width": 2, "stride": 1}
    _, cache = max_pool_forward_naive(x, param)
    dout = np.array([[[[1.0, 10.0], [100.0, 1000.0]]]])
    expected = np.array([[[[1.0, 10.0, 0.0], [0.0, 1100.0, 0.0], [0.0, 0.0, 0.0]]]])
    np.testing.assert_array_equal(max_pool_backward_naive(dout, cache), expected)
    np.testing.assert_array_equal(max_pool_backward_fast(dout, cache), expected)


# ------------------------------------------------------------------------------------------------
# spatial batch norm and group norm
# ------------------------------------------------------------------------------------------------

def test_spatial_batchnorm_train_mode_normalizes_each_channel():
    rng = np.random.default_rng(5)
    x = 4.0 + 3.0 * rng.standard_normal((5, 3, 4, 6))
    bn_param = {"mode": "train"}
    out, _ = spatial_batchnorm_forward(x, np.ones(3), np.zeros(3), bn_param)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), 1, atol=1e-5)
    np.testing.assert_allclose(bn_param["running_mean"], 0.1 * x.mean(axis=(0, 2, 3)))
    np.testing.assert_allclose(bn_param["running_var"], 0.1 * x.var(axis=(0, 2, 3)))
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.0, 1.0])
    out, _ = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), beta, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), gamma, rtol=1e-5)


def test_spatial_batchnorm_test_mode_uses_running_statistics():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 2, 3, 3))
    bn_param = {"mode": "test", "running_mean": np.array([1.0, -1.0]),
                "running_var": np.array([4.0, 0.25]), "eps": 1e-12}
    out, _ = spatial_batchnorm_forward(x, np.ones(2), np.zeros(2), bn_param)
    np.testing.assert_allclose(out[:, 0], (x[:, 0] - 1.0) / 2.0)
    np.testing.assert_allclose(out[:, 1], (x[:, 1] + 1.0) / 0.5)


@pytest.mark.parametrize("mode", ["train", "test"])
def test_spatial_batchnorm_backward_matches_numerical(mode):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 2, 3, 4))
    gamma, beta = rng.standard_normal(2), rng.standard_normal(2)

    def forward(x_, gamma_, beta_):
        param = {"mode": mode, "running_mean": np.array([0.3, -0.2]), "running_var": np.array([1.5, 0.7])}
        return spatial_batchnorm_forward(x_, gamma_, beta_, param)

    out, cache = forward(x, gamma, beta)
    dout = rng.standard_normal(out.shape)
    dx, dgamma, dbeta = spatial_batchnorm_backward(dout, cache)
    assert_grad_close(numerical_vjp(lambda a: forward(a, gamma, beta)[0], x, dout), dx)
    assert_grad_close(numerical_vjp(lambda a: forward(x, a, beta)[0], gamma, dout), dgamma)
    assert_grad_close(numerical_vjp(lambda a: forward(x, gamma, a)[0], beta, dout), dbeta)
    assert dgamma.shape == (2,) and dbeta.shape == (2,)


def test_groupnorm_with_one_group_is_layer_norm_and_with_C_groups_is_instance_norm():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((3, 4, 2, 5)) * 2 + 1
    gamma = rng.standard_normal((1, 4, 1, 1))
    beta = rng.standard_normal((1, 4, 1, 1))
    eps = 1e-5
    layer = (x - x.mean(axis=(1, 2, 3), keepdims=True)) / np.sqrt(x.var(axis=(1, 2, 3), keepdims=True) + eps)
    out, _ = spatial_groupnorm_forward(x, gamma, beta, 1, {})
    np.testing.assert_allclose(out, gamma * layer + beta, rtol=1e-12, atol=1e-12)
    inst = (x - x.mean(axis=(2, 3), keepdims=True)) / np.sqrt(x.var(axis=(2, 3), keepdims=True) + eps)
    out, _ = spatial_groupnorm_forward(x, gamma, beta, 4, {"eps": eps})
    np.testing.assert_allclose(out, gamma * inst + beta, rtol=1e-12, atol=1e-12)


def test_groupnorm_two_groups_normalize_channel_halves():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 6, 3, 3)) + 5
    out, _ = spatial_groupnorm_forward(x, np.ones((1, 6, 1, 1)), np.zeros((1, 6, 1, 1)), 2, {"eps": 1e-12})
    for half in (out[:, :3], out[:, 3:]):
        np.testing.assert_allclose(half.mean(axis=(1, 2, 3)), 0, atol=1e-12)
        np.testing.assert_allclose(half.std(axis=(1, 2, 3)), 1, rtol=1e-10)


@pytest.mark.parametrize("G", [1, 2, 4])
def test_groupnorm_backward_matches_numerical(G):
    rng = np.random.default_rng(G)
    x = rng.standard_normal((2, 4, 3, 2))
    gamma = rng.standard_normal((1, 4, 1, 1))
    beta = rng.standard_normal((1, 4, 1, 1))
    out, cache = spatial_groupnorm_forward(x, gamma, beta, G, {})
    dout = rng.standard_normal(out.shape)
    dx, dgamma, dbeta = spatial_groupnorm_backward(dout, cache)
    assert dgamma.shape == (1, 4, 1, 1) and dbeta.shape == (1, 4, 1, 1)
    f = spatial_groupnorm_forward
    assert_grad_close(numerical_vjp(lambda a: f(a, gamma, beta, G, {})[0], x, dout), dx)
    assert_grad_close(numerical_vjp(lambda a: f(x, a, beta, G, {})[0], gamma, dout), dgamma)
    assert_grad_close(numerical_vjp(lambda a: f(x, gamma, a, G, {})[0], beta, dout), dbeta)


# ------------------------------------------------------------------------------------------------
# bad arguments
# ------------------------------------------------------------------------------------------------

X = np.zeros((2, 3, 8, 8))
Wt = np.zeros((4, 3, 3, 3))
B = np.zeros(4)


@pytest.mark.parametrize("args,match", [
    ((X, Wt, B, {"stride": 2, "pad": 0}), "does not divide"),
    ((X, Wt, B, {"stride": 1, "pad": -1}), "pad"),
    ((X, Wt, B, {"stride": 0, "pad": 1}), "stride"),
    ((X, Wt, B, {"stride": 1.0, "pad": 1}), "integer"),
    ((X, Wt, B, {"pad": 1}), "missing"),
    ((X, np.zeros((4, 2, 3, 3)), B, {"stride": 1, "pad": 1}), "channel"),
    ((X, Wt, np.zeros(3), {"stride": 1, "pad": 1}), "b must have shape"),
    ((X[0], Wt, B, {"stride": 1, "pad": 1}), "x must have shape"),
    ((X.astype(np.int64), Wt, B, {"stride": 1, "pad": 1}), "floating"),
    ((X, np.zeros((4, 3, 11, 3)), B, {"stride": 1, "pad": 1}), "larger"),
])
def test_conv_bad_arguments_raise(args, match):
    for forward in (conv_forward_naive, conv_forward_fast):
        with pytest.raises(ValueError, match=match):
            forward(*args)


def test_conv_backward_rejects_wrong_dout_shape():
    _, cache = conv_forward_naive(X, Wt, B, {"stride": 1, "pad": 1})
    for backward in (conv_backward_naive, conv_backward_fast):
        with pytest.raises(ValueError, match="dout"):
            backward(np.zeros((2, 4, 7, 8)), cache)


@pytest.mark.parametrize("param,match", [
    ({"pool_height": 3, "pool_width": 2, "stride": 2}, "does not divide"),
    ({"pool_height": 2, "pool_width": 2}, "missing"),
    ({"pool_height": 0, "pool_width": 2, "stride": 2}, "pool_height"),
    ({"pool_height": 9, "pool_width": 2, "stride": 1}, "larger"),
])
def test_pool_bad_arguments_raise(param, match):
    for forward in (max_pool_forward_naive, max_pool_forward_fast):
        with pytest.raises(ValueError, match=match):
            forward(X, param)


def test_normalization_bad_arguments_raise():
    with pytest.raises(ValueError, match="gamma"):
        spatial_batchnorm_forward(X, np.ones(4), np.zeros(3), {"mode": "train"})
    with pytest.raises(ValueError, match="mode"):
        spatial_batchnorm_forward(X, np.ones(3), np.zeros(3), {"mode": "eval"})
    with pytest.raises(ValueError, match="divide"):
        spatial_groupnorm_forward(X, np.ones((1, 3, 1, 1)), np.zeros((1, 3, 1, 1)), 2, {})
    with pytest.raises(ValueError, match="gamma"):
        spatial_groupnorm_forward(X, np.ones(3), np.zeros((1, 3, 1, 1)), 3, {})
    with pytest.raises(ValueError, match="eps"):
        spatial_groupnorm_forward(X, np.ones((1, 3, 1, 1)), np.zeros((1, 3, 1, 1)), 3, {"eps": 0.0})
    with pytest.raises(ValueError, match="G"):
        spatial_groupnorm_forward(X, np.ones((1, 3, 1, 1)), np.zeros((1, 3, 1, 1)), 0, {})
