"""Bugs in the naive convolution and max pooling (fixed caches: conv (x, w, b, conv_param), pool (x, pool_param))."""
import numpy as np

from grader.checks.misconceptions import cause


from . import Bug, layer_grads, layer_scalar

CONV = ("x", "w", "b", "conv_param")
POOL = ("x", "pool_param")


def conv_case(rng, stride=1, pad=1, size=5):
    x = rng.standard_normal((2, 2, size, size))
    w = rng.standard_normal((3, 2, 3, 3))
    H_out = (size + 2 * pad - 3) // stride + 1
    return {"x": x, "w": w, "b": rng.standard_normal(3), "conv_param": {"stride": stride, "pad": pad},
            "dout": rng.standard_normal((2, 3, H_out, H_out))}


def pad2_case(rng):
    return conv_case(rng, stride=1, pad=2)


def stride2_case(rng):
    return conv_case(rng, stride=2, pad=1, size=7)


def pool_case(rng):
    """Distinct values at least 0.01 apart, so no window has a tie or a near tie (no kink)."""
    n = 2 * 3 * 6 * 6
    x = (rng.permutation(n) * 0.01 + 0.001 * rng.uniform(0, 1, n)).reshape(2, 3, 6, 6)
    return {"x": x, "pool_param": {"pool_height": 2, "pool_width": 2, "stride": 2},
            "dout": rng.standard_normal((2, 3, 3, 3))}


def N_of(args):
    return {"N": args["x"].shape[0]}


# -- convolution -------------------------------------------------------------------------------------

def _conv_backward(dout, cache, *, last=0, first=0, crop=0, db_mean=False):
    """The shared body of the buggy conv backwards; each keyword flips one student bug:
    ``last=1`` skips the last output column, ``first=1`` starts the loops at 1, ``crop=-1`` crops the
    padded gradient one entry too early, ``db_mean`` averages db over N."""
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out, W_out = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(first, H_out):
                for j in range(first, W_out - last):
                    window = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    dw[f] += dout[n, f, i, j] * window
                    dxp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW] += dout[n, f, i, j] * w[f]
    start = pad + crop
    dx = dxp[:, :, start:start + H, start:start + W]
    db = dout.sum(axis=(0, 2, 3)) / (N if db_mean else 1)
    return dx, dw, db


def conv_backward_misses_last_column(dout, cache):
    return _conv_backward(dout, cache, last=1)


def conv_backward_loops_from_one(dout, cache):
    return _conv_backward(dout, cache, first=1)


def conv_backward_crop_off_by_one(dout, cache):
    return _conv_backward(dout, cache, crop=-1)


def conv_backward_db_mean(dout, cache):
    return _conv_backward(dout, cache, db_mean=True)


def conv_forward_flipped_filter(x, w, b, conv_param):
    """A true convolution (filter flipped), not the cross-correlation of the course."""
    pad = conv_param["pad"]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    F, _, HH, WW = w.shape
    H_out, W_out = xp.shape[2] - HH + 1, xp.shape[3] - WW + 1
    out = np.zeros((x.shape[0], F, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", xp[:, :, i:i + HH, j:j + WW], w[:, :, ::-1, ::-1]) + b
    return out


def conv_forward_ignores_stride(x, w, b, conv_param):
    pad = conv_param["pad"]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    F, _, HH, WW = w.shape
    H_out, W_out = xp.shape[2] - HH + 1, xp.shape[3] - WW + 1  # stride never used
    out = np.zeros((x.shape[0], F, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", xp[:, :, i:i + HH, j:j + WW], w) + b
    return out


# -- max pooling --------------------------------------------------------------------------------------------

def _pool_backward(dout, cache, route):
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dx = np.zeros_like(x)
    N, C, H_out, W_out = dout.shape
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * s:i * s + ph, j * s:j * s + pw]
                    dx[n, c, i * s:i * s + ph, j * s:j * s + pw] += dout[n, c, i, j] * route(window)
    return dx


def pool_backward_routes_to_first(dout, cache):
    return _pool_backward(dout, cache, lambda win: np.eye(1, win.size).reshape(win.shape))


def pool_backward_routes_to_all(dout, cache):
    return _pool_backward(dout, cache, lambda win: np.ones_like(win))


def pool_forward_average(x, pool_param):
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    H_out, W_out = (x.shape[2] - ph) // s + 1, (x.shape[3] - pw) // s + 1
    out = np.zeros(x.shape[:2] + (H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            out[:, :, i, j] = x[:, :, i * s:i * s + ph, j * s:j * s + pw].mean(axis=(2, 3))
    return out


def conv_grads(backward):
    return lambda a: dict(zip(("x", "w", "b"), backward(a["dout"], (a["x"], a["w"], a["b"], a["conv_param"]))))


def pool_grads(backward):
    return lambda a: {"x": backward(a["dout"], (a["x"], a["pool_param"]))}


CONV_REF = dict(needs=("conv_forward_naive",), scalar=layer_scalar("conv_forward_naive", CONV),
                expected=layer_grads("conv_forward_naive", "conv_backward_naive", CONV, ("x", "w", "b")),
                wrt=("x", "w", "b"))
POOL_REF = dict(needs=("max_pool_forward_naive",), scalar=layer_scalar("max_pool_forward_naive", POOL),
                expected=layer_grads("max_pool_forward_naive", "max_pool_backward_naive", POOL, ("x",)),
                wrt=("x",))

BUGS = [
    Bug("conv", "backward skips the last output column", "gradient", conv_case,
        conv_grads(conv_backward_misses_last_column), None, **CONV_REF),
    Bug("conv", "backward loops start at 1", "gradient", conv_case,
        conv_grads(conv_backward_loops_from_one), None, **CONV_REF),
    Bug("conv", "dx cropped from pad − 1", "gradient", pad2_case,
        conv_grads(conv_backward_crop_off_by_one), cause("off-by-one"), **CONV_REF),
    Bug("conv", "db averaged over N", "gradient", conv_case, conv_grads(conv_backward_db_mean),
        cause("averaged-twice"), context=N_of, **CONV_REF),
    Bug("conv", "filter flipped (true convolution)", "value", conv_case,
        lambda a: conv_forward_flipped_filter(*[a[n] for n in CONV]), None, ("conv_forward_naive",),
        expected=lambda ref, a: ref.conv_forward_naive(*[a[n] for n in CONV])[0]),
    Bug("conv", "stride ignored", "value", stride2_case,
        lambda a: conv_forward_ignores_stride(*[a[n] for n in CONV]), None, ("conv_forward_naive",),
        expected=lambda ref, a: ref.conv_forward_naive(*[a[n] for n in CONV])[0]),
    Bug("max pool", "backward routes to the first element of the window", "gradient", pool_case,
        pool_grads(pool_backward_routes_to_first), None, **POOL_REF),
    Bug("max pool", "backward routes to every element of the window", "gradient", pool_case,
        pool_grads(pool_backward_routes_to_all), None, **POOL_REF),
    Bug("max pool", "forward averages the window", "value", pool_case,
        lambda a: pool_forward_average(a["x"], a["pool_param"]), None, ("max_pool_forward_naive",),
        expected=lambda ref, a: ref.max_pool_forward_naive(a["x"], a["pool_param"])[0]),
]
