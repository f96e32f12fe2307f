"""Topic checks: naive convolution and max pooling (same names and signatures in both families).

Canonical forms: ``conv_forward_naive(x, w, b, conv_param) -> (out, cache)`` with ``x (N, C, H, W)``,
``w (F, C, HH, WW)``, ``conv_param {"stride", "pad"}``; ``conv_backward_naive(dout, cache) -> (dx, dw, db)``
with the fixed cache ``(x, w, b, conv_param)``; ``max_pool_forward_naive(x, pool_param) -> (out, cache)``,
``pool_param {"pool_height", "pool_width", "stride"}``; ``max_pool_backward_naive(dout, cache) -> dx`` with
the fixed cache ``(x, pool_param)``. The backward checks build the fixed cache themselves, so a wrong
forward never costs the backward's points. Pooling inputs have no tied maxima (gap 1e-3).
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import assert_close
from grader.checks.diagnose import crop_offset, crop_phrase
from grader.checks.gradcheck import check_gradient, untie_pool_windows
from grader.checks.misconceptions import cause, register
from grader.topics.helpers import as_tuple, fetch_data, forward_objective, with_fixed_cache

register("pad-off-by-one", "padding off by one", "padding off by one ({detail})")
register("not-padded", "the input was not padded")
register("pad-one-side", "padding added on one side only")
register("stride-ignored", "the stride was ignored (stride 1 used)")
register("filters-flipped", "the filters were flipped (true convolution instead of cross-correlation)")
register("output-size", "output size computed wrong",
         "output size computed wrong: {what} (H_out = 1 + (H + 2*pad - HH) / stride)")
register("output-crop", "the output is a crop of the expected one",
         "{where} (a crop: the output size or its first position is wrong)")
register("dx-keeps-padding", "dx still holds the padding (crop pad rows and columns)")
register("db-averaged", "db averaged instead of summed over the batch and positions")
register("pool-stride-as-size", "the stride was taken to be the pool size (windows assumed not to overlap)")
register("pool-dims-swapped", "pool_height and pool_width swapped")
register("avg-pool", "average pooling instead of max pooling")
register("pool-backward-overwrite", "overlapping windows overwrite dx instead of adding to it (use +=)")


def _out_size(size, filt, stride, pad):
    """``(size - filt + 2 pad) // stride + 1`` as a student's code computes it (None if not positive)."""
    span = int(size - filt + 2 * pad)
    return span // stride + 1 if span >= 0 else None


def _check_output_shape(out, expected_shape, hypotheses, name="out"):
    """Raise CheckFailure naming the hypothesis whose output shape ``out`` has, if its shape is wrong."""
    out = np.asarray(out) if isinstance(out, (np.ndarray, list, float, int)) else out
    if not isinstance(out, np.ndarray) or out.shape == tuple(expected_shape):
        return
    for phrase, shape in hypotheses.items():
        if shape is not None and out.shape == tuple(shape):
            raise CheckFailure(f"{name} has shape {out.shape}, expected {tuple(expected_shape)}. "
                               f"Likely cause: {phrase}.", diagnosis=phrase)


# ---------------------------------------------------------------- convolution

def _conv_case(rng, x_shape, w_shape, stride, pad):
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    return x, w, b, {"stride": stride, "pad": pad}


def check_conv_forward(conv_forward, golden, rng, *, x_shape=(2, 3, 7, 9), w_shape=(4, 3, 3, 5), stride=2, pad=1):
    """out[n, f, i, j] = b[f] + Σ xpad[n, :, i·stride + a, j·stride + e] · w[f, :, a, e] (cross-correlation,
    zero padding ``pad`` on both sides, output size (H − HH + 2·pad)/stride + 1)."""
    x, w, b, param = _conv_case(rng, x_shape, w_shape, stride, pad)
    key = f"conv_forward_{x_shape}_{w_shape}_{stride}_{pad}"
    expected = golden(key, lambda ref: ref.conv_forward_naive(x, w, b, dict(param))[0])
    flipped = golden(key + "_flipped", lambda ref: ref.conv_forward_naive(
        x, np.ascontiguousarray(w[:, :, ::-1, ::-1]), b, dict(param))[0])
    over_padded = golden(key + "_over_padded", lambda ref: _over_padded(ref, x, w, b, stride, pad))
    out, _ = as_tuple(conv_forward(x.copy(), w.copy(), b.copy(), dict(param)), 2, "conv_forward_naive")
    out = fetch_data(out)
    (N, _, H, W), (F, _, HH, WW) = x_shape, w_shape

    def shape(p, s):
        """Output shape with ``p`` rows of zeros in total on each axis (2·pad when correct)."""
        h, v = _out_size(H, HH, s, p / 2), _out_size(W, WW, s, p / 2)
        return None if h is None or v is None else (N, F, int(h), int(v))
    hypotheses = {cause("pad-off-by-one", detail="pad + 1 on each side"): shape(2 * pad + 2, stride),
                  cause("pad-off-by-one", detail="pad − 1 on each side"):
                      shape(2 * pad - 2, stride) if pad > 0 else None,
                  cause("not-padded"): shape(0, stride) if pad > 0 else None,
                  cause("pad-one-side"): shape(pad, stride) if pad > 0 else None,
                  cause("stride-ignored"): shape(2 * pad, 1) if stride > 1 else None}
    _check_crop(out, expected)
    _check_output_shape(out, expected.shape, hypotheses)
    assert_close(out, expected, name="out",
                 alternatives={cause("bias-missing"): expected - b[None, :, None, None],
                               cause("filters-flipped"): flipped,
                               cause("pad-off-by-one", detail="pad + 1 zeros on each side, output size right"):
                               over_padded})


def _check_crop(out, expected):
    """Raise CheckFailure when ``out`` is a smaller crop of ``expected`` (same values, not shifted): the
    top-left one is the output size computed too small with the padding itself right (``H + pad``). The
    centre one (a border cut off evenly, stride 1) is left to the padding hypotheses."""
    if not isinstance(out, np.ndarray) or out.shape == expected.shape:
        return
    offset = crop_offset(out, expected)
    symmetric = offset is not None and all(2 * o == m - n for o, n, m in zip(offset, out.shape, expected.shape))
    if offset is None or (any(offset) and symmetric):  # a border cut off evenly: the padding (stride 1)
        return
    where = crop_phrase(offset, out.shape, expected.shape)
    phrase = (cause("output-size", what="your output is the top-left crop of the expected one")
              if not any(offset) else cause("output-crop", where=where))
    raise CheckFailure(f"out has shape {out.shape}, expected {expected.shape}: {where}. Likely cause: {phrase}.",
                       diagnosis=phrase)


def _top_left_only(ref, dout, cache, stride, pad):
    """The reference backward with dout zeroed outside its top-left H' × W' part, where H' and W' come
    from ``H + pad`` instead of ``H + 2·pad`` (a misconception's value); None when that part is all of dout."""
    x, w = cache[0], cache[1]
    h = _out_size(x.shape[2], w.shape[2], stride, pad / 2)
    v = _out_size(x.shape[3], w.shape[3], stride, pad / 2)
    if h is None or v is None or (h, v) == dout.shape[2:] or h > dout.shape[2] or v > dout.shape[3]:
        return None
    kept = np.zeros_like(dout)
    kept[:, :, :h, :v] = dout[:, :, :h, :v]
    return tuple(ref.conv_backward_naive(kept, cache))


def _over_padded(ref, x, w, b, stride, pad):
    """The first H_out × W_out outputs of a convolution padded with pad + 1 (a misconception's value), or
    None when pad + 1 does not give a whole number of positions."""
    H_out = _out_size(x.shape[2], w.shape[2], stride, pad)
    W_out = _out_size(x.shape[3], w.shape[3], stride, pad)
    try:
        out = ref.conv_forward_naive(x, w, b, {"stride": stride, "pad": pad + 1})[0]
    except ValueError:
        return None
    return np.ascontiguousarray(out[:, :, :H_out, :W_out])


def check_conv_backward(conv_backward, golden, rng, *, x_shape=(2, 3, 7, 9), w_shape=(4, 3, 3, 5), stride=2,
                        pad=1, ref_forward=None):
    """(dx, dw, db) with the fixed cache (x, w, b, conv_param) built here, against the reference backward;
    with ``ref_forward`` (hidden tests) also against finite differences of the reference forward."""
    x, w, b, param = _conv_case(rng, x_shape, w_shape, stride, pad)
    N, F = x_shape[0], w_shape[0]
    H_out = _out_size(x_shape[2], w_shape[2], stride, pad)
    W_out = _out_size(x_shape[3], w_shape[3], stride, pad)
    dout = rng.standard_normal((N, F, H_out, W_out))
    key = f"conv_backward_{x_shape}_{w_shape}_{stride}_{pad}"
    expected = tuple(golden(key, lambda ref: ref.conv_backward_naive(dout, (x, w, b, dict(param)))))
    grads = as_tuple(with_fixed_cache(lambda: conv_backward(dout.copy(), (x.copy(), w.copy(), b.copy(), dict(param))),
                                      "conv_backward_naive", "(x, w, b, conv_param)"), 3, "conv_backward_naive")
    dx, dw, db = (fetch_data(g) for g in grads)
    _check_output_shape(dx, x.shape, {cause("dx-keeps-padding"):
                                      (N, x_shape[1], x_shape[2] + 2 * pad, x_shape[3] + 2 * pad)}, name="dx")
    keys = ("dx", "dw", "db")
    alternatives = {cause("db-averaged"): dict(zip(
        keys, (expected[0], expected[1], expected[2] / (N * H_out * W_out))))}
    top_left = golden(key + "_top_left", lambda ref: _top_left_only(ref, dout, (x, w, b, dict(param)), stride, pad))
    if top_left is not None:
        what = "only the top-left part of dout was used"
        alternatives[cause("output-size", what=what)] = dict(zip(keys, top_left[:2] + expected[2:]))
        alternatives[cause("output-size", what=what + ", db included")] = dict(zip(keys, top_left))
    assert_close(dict(zip(keys, (dx, dw, db))), dict(zip(keys, expected)), name="grads", context={"N": N},
                 alternatives=alternatives)
    if ref_forward is not None:
        f = forward_objective(ref_forward, ["x", "w", "b", "param"], {"param": param}, dout)
        check_gradient(f, {"x": x, "w": w, "b": b}, {"x": dx, "w": dw, "b": db}, rng=rng)


# ---------------------------------------------------------------- max pooling

def _pool_case(rng, x_shape, pool):
    ph, pw, stride = pool
    param = {"pool_height": ph, "pool_width": pw, "stride": stride}
    return untie_pool_windows(rng.standard_normal(x_shape), param), param


def _windows(x, param):
    """(i, j, window (N, C, ph, pw)) for every output position."""
    ph, pw, s = param["pool_height"], param["pool_width"], param["stride"]
    for i in range((x.shape[2] - ph) // s + 1):
        for j in range((x.shape[3] - pw) // s + 1):
            yield i, j, (slice(i * s, i * s + ph), slice(j * s, j * s + pw))


def _pool_mean(x, param):
    """Average pooling (a misconception's value)."""
    ph, pw, s = param["pool_height"], param["pool_width"], param["stride"]
    out = np.zeros(x.shape[:2] + ((x.shape[2] - ph) // s + 1, (x.shape[3] - pw) // s + 1))
    for i, j, (rows, cols) in _windows(x, param):
        out[:, :, i, j] = x[:, :, rows, cols].mean(axis=(2, 3))
    return out


def _pool_backward_assigned(x, dout, param):
    """Max-pool backward that assigns instead of accumulating (overlapping windows overwrite)."""
    dx = np.zeros_like(x)
    for i, j, (rows, cols) in _windows(x, param):
        window = x[:, :, rows, cols]
        mask = window == window.max(axis=(2, 3), keepdims=True)
        region = dx[:, :, rows, cols]
        region[mask] = (mask * dout[:, :, i, j][:, :, None, None])[mask]
    return dx


def check_max_pool_forward(pool_forward, golden, rng, *, x_shape=(2, 3, 5, 7), pool=(3, 3, 2)):
    """out[n, c, i, j] = max of the window x[n, c, i·s : i·s + ph, j·s : j·s + pw]; windows overlap when
    the stride is smaller than the pool size."""
    x, param = _pool_case(rng, x_shape, pool)
    key = f"max_pool_forward_{x_shape}_{pool}"
    expected = golden(key, lambda ref: ref.max_pool_forward_naive(x, dict(param))[0])
    mean = golden(key + "_mean", lambda ref: _pool_mean(x, param))
    out, _ = as_tuple(pool_forward(x.copy(), dict(param)), 2, "max_pool_forward_naive")
    out = fetch_data(out)
    ph, pw, s = pool
    N, C, H, W = x_shape
    hypotheses = {cause("pool-stride-as-size"): (N, C, (H - ph) // ph + 1, (W - pw) // pw + 1) if s != ph else None,
                  cause("pool-dims-swapped"): (N, C, (H - pw) // s + 1, (W - ph) // s + 1)}
    _check_output_shape(out, expected.shape, hypotheses)
    assert_close(out, expected, name="out", alternatives={cause("avg-pool"): mean})


def check_max_pool_backward(pool_backward, golden, rng, *, x_shape=(2, 3, 5, 7), pool=(3, 3, 2), ref_forward=None):
    """dx routes each dout[n, c, i, j] to the maximum of its window (overlapping windows accumulate), with
    the fixed cache (x, pool_param) built here; with ``ref_forward`` also finite differences of it."""
    x, param = _pool_case(rng, x_shape, pool)
    ph, pw, s = pool
    dout = rng.standard_normal(x_shape[:2] + ((x_shape[2] - ph) // s + 1, (x_shape[3] - pw) // s + 1))
    key = f"max_pool_backward_{x_shape}_{pool}"
    expected = golden(key, lambda ref: ref.max_pool_backward_naive(dout, (x, dict(param))))
    assigned = golden(key + "_assigned", lambda ref: _pool_backward_assigned(x, dout, param))
    result = with_fixed_cache(lambda: pool_backward(dout.copy(), (x.copy(), dict(param))),
                              "max_pool_backward_naive", "(x, pool_param)")
    dx = fetch_data(as_tuple(result, 1, "max_pool_backward_naive")[0])
    assert_close(dx, expected, name="dx",
                 alternatives={cause("pool-backward-overwrite"): assigned})
    if ref_forward is not None:
        f = forward_objective(ref_forward, ["x", "param"], {"param": param}, dout)
        check_gradient(f, {"x": x}, {"x": dx}, rng=rng)
