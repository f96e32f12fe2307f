"""The eight problems of research/gradcheck.md §2, with correct gradients and the real bugs of §2(b).

Each problem: ``make(rng) -> (params, data)``; ``loss(params, data) -> Scalarised(value, F)`` (F = sum of the
absolute values of the summed terms); ``grads(params, data, bug=None) -> {name: array}`` computed in
the dtype of the arrays passed (cast both dicts with ``cast`` for a float32 student). Layers are
scalarised as Σ out·dout with a Gaussian dout.
"""

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from grader.checks.values import Scalarised


@dataclass(frozen=True)
class Problem:
    name: str
    make: object
    loss: object
    grads: object
    bugs: tuple


def cast(d, dtype):
    return {k: (v.astype(dtype) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v) for k, v in d.items()}


def _scalarise(out, dout):
    terms = out * dout
    return Scalarised(float(terms.sum()), float(np.abs(terms).sum()))


# softmax + L2 ------------------------------------------------------------------------------------

def _softmax_probs(scores):
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def softmax_make(rng):
    return {"W": 0.1 * rng.standard_normal((30, 10))}, {"X": rng.standard_normal((20, 30)),
                                                         "y": rng.integers(0, 10, 20), "reg": 0.05}


def softmax_loss(p, d):
    W, X, y = p["W"], d["X"], d["y"]
    probs = _softmax_probs(X @ W)
    data = -np.log(probs[np.arange(len(y)), y])
    reg = d["reg"] * np.sum(W * W)
    return Scalarised(float(data.mean() + reg), float(np.abs(data).mean() + reg))


def softmax_loss_naive(W, X, y, reg):
    """Loop-based loss and gradient (for the loop-vs-vectorized comparison)."""
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(X.shape[0]):
        s = X[i] @ W
        s = s - s.max()
        prob = np.exp(s) / np.sum(np.exp(s))
        loss -= np.log(prob[y[i]])
        for c in range(W.shape[1]):
            dW[:, c] += (prob[c] - (c == y[i])) * X[i]
    n = X.shape[0]
    return loss / n + reg * np.sum(W * W), dW / n + 2 * reg * W


def softmax_grads(p, d, bug=None):
    W, X, y, reg = p["W"], d["X"], d["y"], d["reg"]
    ds = _softmax_probs(X @ W)
    ds[np.arange(len(y)), y] -= 1
    data = X.T @ ds
    if bug != "missing 1/N":
        data = data / len(y)
    if bug == "wrong sign (data term)":
        data = -data
    reg_grad = {"reg missing factor 2": reg * W, "reg grad missing": 0 * W}.get(bug, 2 * reg * W)
    return {"W": data + reg_grad}


# 2-layer ReLU net + softmax ----------------------------------------------------------------------

def twolayer_make(rng):
    return ({"W1": 0.3 * rng.standard_normal((20, 30)), "b1": 0.1 * rng.standard_normal(30),
             "W2": 0.3 * rng.standard_normal((30, 5)), "b2": 0.1 * rng.standard_normal(5)},
            {"X": rng.standard_normal((10, 20)), "y": rng.integers(0, 5, 10), "reg": 0.05})


def twolayer_loss(p, d):
    z1 = d["X"] @ p["W1"] + p["b1"]
    probs = _softmax_probs(np.maximum(z1, 0) @ p["W2"] + p["b2"])
    data = -np.log(probs[np.arange(len(d["y"])), d["y"]])
    reg = d["reg"] * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
    return Scalarised(float(data.mean() + reg), float(data.mean() + reg))


def twolayer_grads(p, d, bug=None):
    X, y, reg = d["X"], d["y"], d["reg"]
    z1 = X @ p["W1"] + p["b1"]
    a1 = np.maximum(z1, 0)
    ds = _softmax_probs(a1 @ p["W2"] + p["b2"])
    ds[np.arange(len(y)), y] -= 1
    db2 = ds.sum(axis=0) if bug == "db2 missing 1/N" else ds.sum(axis=0) / len(y)
    ds /= len(y)
    da1 = ds @ p["W2"].T
    dz1 = da1 * a1 if bug == "ReLU mask uses activation" else da1 * (z1 > 0)
    return {"W1": X.T @ dz1 + 2 * reg * p["W1"], "b1": dz1.sum(axis=0),
            "W2": a1.T @ ds + 2 * reg * p["W2"], "b2": db2}


# PReLU -> ELU 3-layer net, squared loss ----------------------------------------------------------

def prelu_make(rng, n=12, m=8):
    return ({"W1": rng.standard_normal((n, n)) / np.sqrt(n), "W2": rng.standard_normal((n, n)) / np.sqrt(n),
             "W3": rng.standard_normal((m, n)) / np.sqrt(n), "alpha": 0.1 + 0.2 * rng.random(n)},
            {"x": rng.standard_normal(n), "y": rng.standard_normal(m)})


def _prelu_forward(p, d):
    z1 = p["W1"] @ d["x"]
    a1 = np.where(z1 >= 0, z1, p["alpha"] * z1)
    z2 = p["W2"] @ a1
    a2 = np.where(z2 >= 0, z2, np.exp(np.minimum(z2, 0)) - 1)
    return z1, a1, z2, a2, p["W3"] @ a2 - d["y"]


def prelu_loss(p, d):
    r = _prelu_forward(p, d)[-1]
    return Scalarised(float(0.5 * r @ r), float(0.5 * r @ r))


def prelu_grads(p, d, bug=None):
    z1, a1, z2, a2, r = _prelu_forward(p, d)
    da2 = p["W3"].T @ r
    neg = np.exp(np.minimum(z2, 0)) - (1 if bug == "ELU deriv α·exp(x)−1" else 0)
    dz2 = da2 * np.where(z2 >= 0, 1.0, neg)
    da1 = p["W2"].T @ dz2
    dz1 = da1 * np.where(z1 >= 0, 1.0, p["alpha"])
    dalpha = {"PReLU dα missing": 0 * z1, "PReLU dα uses all x": da1 * z1}.get(bug, da1 * np.where(z1 < 0, z1, 0))
    return {"W1": np.outer(dz1, d["x"]), "W2": np.outer(dz2, a1), "W3": np.outer(r, a2), "alpha": dalpha}


# 2x2 max-pool ------------------------------------------------------------------------------------

def pool_make(rng):
    return {"x": rng.standard_normal((2, 3, 8, 8))}, {"dout": rng.standard_normal((2, 3, 4, 4))}


def _pool_windows(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2, w // 2, 4)


def pool_forward(x):
    return _pool_windows(x).max(axis=-1)


def pool_forward_naive(x):
    n, c, h, w = x.shape
    out = np.zeros((n, c, h // 2, w // 2), dtype=x.dtype)
    for i in range(h // 2):
        for j in range(w // 2):
            out[:, :, i, j] = x[:, :, 2 * i:2 * i + 2, 2 * j:2 * j + 2].max(axis=(2, 3))
    return out


def pool_loss(p, d):
    return _scalarise(pool_forward(p["x"]), d["dout"])


def pool_grads(p, d, bug=None):
    x, dout = p["x"], d["dout"]
    windows = _pool_windows(x)
    if bug == "routes to all 4":
        route = np.ones_like(windows)
    elif bug == "routes to first":
        route = np.zeros_like(windows)
        route[..., 0] = 1
    else:
        route = (np.arange(4) == windows.argmax(axis=-1)[..., None]).astype(x.dtype)
    n, c, h, w = x.shape
    dwin = route * dout[..., None]
    return {"x": dwin.reshape(n, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(x.shape)}


# batchnorm (train mode) --------------------------------------------------------------------------

def bn_make(rng):
    return ({"x": 5 * rng.standard_normal((4, 5)) + 12, "gamma": rng.standard_normal(5),
             "beta": rng.standard_normal(5)}, {"dout": rng.standard_normal((4, 5))})


def _bn_xhat(x, eps=1e-5):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    return (x - mu) / np.sqrt(var + eps), var


def bn_loss(p, d):
    return _scalarise(p["gamma"] * _bn_xhat(p["x"])[0] + p["beta"], d["dout"])


def bn_grads(p, d, bug=None, eps=1e-5):
    x, dout = p["x"], d["dout"]
    xhat, var = _bn_xhat(x, eps)
    inv_std = 1 / (np.sqrt(var) + eps) if bug == "eps outside sqrt in bwd only" else 1 / np.sqrt(var + eps)
    dxhat = dout * p["gamma"]
    n = x.shape[0]
    mean_term = 0 if bug == "missing mean term" else dxhat.sum(axis=0)
    var_term = 0 if bug == "missing var term" else xhat * (dxhat * xhat).sum(axis=0)
    dx = inv_std / n * (n * dxhat - mean_term - var_term)
    dgamma = (dout * (x if bug == "dγ uses x not x̂" else xhat)).sum(axis=0)
    return {"x": dx, "gamma": dgamma, "beta": dout.sum(axis=0)}


# conv 3x3, pad 1, stride 1 -----------------------------------------------------------------------

def conv_make(rng):
    return ({"x": rng.standard_normal((4, 3, 8, 8)), "w": rng.standard_normal((5, 3, 3, 3)),
             "b": rng.standard_normal(5)}, {"dout": rng.standard_normal((4, 5, 8, 8))})


def _conv_windows(x):
    return sliding_window_view(np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))), (3, 3), axis=(2, 3))


def conv_forward(x, w, b):
    out = np.tensordot(_conv_windows(x), w, axes=([1, 4, 5], [1, 2, 3]))  # (N, H, W, F)
    return out.transpose(0, 3, 1, 2) + b[None, :, None, None]


def conv_forward_naive(x, w, b):
    n, _, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.zeros((n, w.shape[0], h, wd), dtype=x.dtype)
    for i in range(n):
        for f in range(w.shape[0]):
            for r in range(h):
                for c in range(wd):
                    out[i, f, r, c] = np.sum(xp[i, :, r:r + 3, c:c + 3] * w[f]) + b[f]
    return out


def conv_loss(p, d):
    return _scalarise(conv_forward(p["x"], p["w"], p["b"]), d["dout"])


def conv_grads(p, d, bug=None):
    x, w, dout = p["x"], p["w"], d["dout"]
    if bug == "backward loop starts at 1":
        dout = dout.copy()
        dout[0] = 0
    h, wd = x.shape[2:]
    dw = np.tensordot(dout, _conv_windows(x), axes=([0, 2, 3], [0, 2, 3]))
    dxp = np.zeros((x.shape[0], x.shape[1], h + 2, wd + 2), dtype=x.dtype)
    for i in range(3):
        for j in range(3):
            dxp[:, :, i:i + h, j:j + wd] += np.tensordot(dout, w[:, :, i, j], axes=([1], [0])).transpose(0, 3, 1, 2)
    dx = dxp[:, :, :h, :wd] if bug == "dx pad-crop off by one" else dxp[:, :, 1:-1, 1:-1].copy()
    if bug == "dx last column missing":
        dx[..., -1] = 0
    return {"x": dx, "w": dw, "b": dout.sum(axis=(0, 2, 3))}


# dropout with a fixed mask -----------------------------------------------------------------------

def dropout_make(rng, p=0.5):
    return {"x": rng.standard_normal((10, 20))}, {"mask": (rng.random((10, 20)) < p) / p,
                                                  "dout": rng.standard_normal((10, 20))}


def dropout_loss(p, d):
    return _scalarise(p["x"] * d["mask"], d["dout"])


def dropout_grads(p, d, bug=None):
    return {"x": d["dout"] if bug == "mask not applied in bwd" else d["dout"] * d["mask"]}


# tanh RNN step -----------------------------------------------------------------------------------

def rnn_make(rng, n=4, dim=5, hidden=6):
    return ({"x": rng.standard_normal((n, dim)), "h": rng.standard_normal((n, hidden)),
             "Wx": 0.3 * rng.standard_normal((dim, hidden)), "Wh": 0.3 * rng.standard_normal((hidden, hidden)),
             "b": 0.1 * rng.standard_normal(hidden)}, {"dout": rng.standard_normal((n, hidden))})


def rnn_loss(p, d):
    return _scalarise(np.tanh(p["x"] @ p["Wx"] + p["h"] @ p["Wh"] + p["b"]), d["dout"])


def rnn_grads(p, d, bug=None):
    nh = np.tanh(p["x"] @ p["Wx"] + p["h"] @ p["Wh"] + p["b"])
    dt = d["dout"] * ((1 - nh) if bug == "tanh' = 1−h" else (1 - nh ** 2))
    dWh = p["h"].T @ dt
    return {"x": dt @ p["Wx"].T, "h": dt @ p["Wh"].T, "Wx": p["x"].T @ dt,
            "Wh": dWh.T if bug == "dWh transposed" else dWh, "b": dt.sum(axis=0)}


PROBLEMS = {p.name: p for p in [
    Problem("softmax", softmax_make, softmax_loss, softmax_grads,
            ("missing 1/N", "reg missing factor 2", "reg grad missing", "wrong sign (data term)")),
    Problem("twolayer", twolayer_make, twolayer_loss, twolayer_grads,
            ("ReLU mask uses activation", "db2 missing 1/N")),
    Problem("prelu_elu", prelu_make, prelu_loss, prelu_grads,
            ("ELU deriv α·exp(x)−1", "PReLU dα missing", "PReLU dα uses all x")),
    Problem("maxpool", pool_make, pool_loss, pool_grads, ("routes to all 4", "routes to first")),
    Problem("batchnorm", bn_make, bn_loss, bn_grads, ("missing mean term", "missing var term", "dγ uses x not x̂")),
    Problem("conv", conv_make, conv_loss, conv_grads,
            ("dx pad-crop off by one", "backward loop starts at 1", "dx last column missing")),
    Problem("dropout", dropout_make, dropout_loss, dropout_grads, ("mask not applied in bwd",)),
    Problem("rnn_step", rnn_make, rnn_loss, rnn_grads, ("dWh transposed", "tanh' = 1−h")),
]}

SUBTHRESHOLD_BUG = ("batchnorm", "eps outside sqrt in bwd only")
