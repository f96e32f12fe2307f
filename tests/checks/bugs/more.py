"""Bugs in spatial batch norm, group norm, attention, the layer-level SVM/softmax losses and k-NN norms."""
import numpy as np

from grader.checks.misconceptions import cause


from . import Bug, layer_grads, layer_scalar

SBN = ("x", "gamma", "beta", "bn_param")
GN = ("x", "gamma", "beta", "G", "gn_param")
ATT = ("q", "k", "v")


def spatial_case(rng):
    x = 3 * rng.standard_normal((3, 4, 3, 3)) + 2
    return {"x": x, "gamma": rng.uniform(0.5, 1.5, 4), "beta": rng.standard_normal(4),
            "bn_param": {"mode": "train"}, "dout": rng.standard_normal(x.shape)}


def group_case(rng):
    x = 3 * rng.standard_normal((2, 4, 3, 3)) + 2
    return {"x": x, "gamma": rng.uniform(0.5, 1.5, (1, 4, 1, 1)), "beta": rng.standard_normal((1, 4, 1, 1)),
            "G": 2, "gn_param": {}, "dout": rng.standard_normal(x.shape)}


def attention_case(rng):
    N, Tq, Tk, d = 2, 3, 4, 5
    return {"q": rng.standard_normal((N, Tq, d)), "k": rng.standard_normal((N, Tk, d)),
            "v": rng.standard_normal((N, Tk, 2)), "dout": rng.standard_normal((N, Tq, 2))}


def scores_case(rng):
    N, C = 7, 4
    x = rng.standard_normal((N, C))
    y = rng.integers(0, C, N)
    margins = x - x[np.arange(N), y][:, None] + 1
    x = np.where(np.abs(margins) < 1e-2, x + 0.05, x)  # no margin at a hinge kink
    return {"x": x, "y": y}


def knn_case(rng):
    return {"X_train": rng.standard_normal((6, 3)), "X": rng.standard_normal((4, 3))}


def N_of(args):
    return {"N": args["x"].shape[0]}


# -- spatial batch norm and group norm --------------------------------------------------------------

def spatial_bn_per_example(x, gamma, beta, bn_param):
    mu = x.mean(axis=(2, 3), keepdims=True)  # statistics per (example, channel): instance norm
    var = x.var(axis=(2, 3), keepdims=True)
    return gamma[None, :, None, None] * (x - mu) / np.sqrt(var + 1e-5) + beta[None, :, None, None]


def spatial_bn_reshape_without_transpose(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    flat = x.reshape(-1, C)  # mixes channels and positions: needs transpose(0, 2, 3, 1) first
    out = (flat - flat.mean(0)) / np.sqrt(flat.var(0) + 1e-5) * gamma + beta
    return out.reshape(N, C, H, W)


def groupnorm_backward_flat_dgamma(x, gamma, beta, G, dout):
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    xhat = ((xg - xg.mean(2, keepdims=True)) / np.sqrt(xg.var(2, keepdims=True) + 1e-5)).reshape(x.shape)
    # (C,), not (1, C, 1, 1): the same entries, accepted with a note (tests/checks/test_singleton_shapes.py)
    return (dout * xhat).sum(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3))


# -- attention ---------------------------------------------------------------------------------------

def attention_without_scaling(q, k, v):
    s = q @ k.transpose(0, 2, 1)  # 1/√d forgotten
    w = np.exp(s - s.max(-1, keepdims=True))
    return (w / w.sum(-1, keepdims=True)) @ v


def attention_dv_without_weights(q, k, v, dout):
    s = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[2])
    w = np.exp(s - s.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    dw = dout @ v.transpose(0, 2, 1)
    ds = w * (dw - (dw * w).sum(-1, keepdims=True)) / np.sqrt(q.shape[2])
    return {"q": ds @ k, "k": ds.transpose(0, 2, 1) @ q, "v": dout.sum(1, keepdims=True).repeat(v.shape[1], 1)}


# -- layer-level losses --------------------------------------------------------------------------------

def svm_loss_dx_summed(x, y):
    N = x.shape[0]
    margins = np.maximum(0, x - x[np.arange(N), y][:, None] + 1)
    margins[np.arange(N), y] = 0
    dx = (margins > 0).astype(float)
    dx[np.arange(N), y] = -dx.sum(1)
    return margins.sum() / N, dx  # dx not divided by N


def softmax_loss_log_of_sum(x, y):
    N = x.shape[0]
    p = np.exp(x - x.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    loss = -np.log(p[np.arange(N), y].sum()) / N  # log of the summed probabilities
    p[np.arange(N), y] -= 1
    return loss, p / N


# -- conventions: the weight layout and the cache of the right call ---------------------------------------------

def square_case(rng):
    N, D = 6, 4
    return {"W": 0.5 * rng.standard_normal((D, D)), "X": rng.standard_normal((N, D)), "y": rng.integers(0, D, N),
            "reg": 0.05}


def softmax_loss_W_transposed(W, X, y, reg):
    """Written for the other layout, W (C, D): with C = D nothing complains."""
    N = X.shape[0]
    s = X @ W.T
    p = np.exp(s - s.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    loss = -np.log(p[np.arange(N), y]).mean() + reg * np.sum(W * W)
    p[np.arange(N), y] -= 1
    return loss, p.T @ X / N + 2 * reg * W


def w_transposed_alternative(ref, a):
    loss, dW = ref.softmax_loss_vectorized(a["W"].T, a["X"], a["y"], a["reg"])
    return {cause("w-transposed"): (loss, dW.T)}


def two_calls_case(rng):
    x1, x2 = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    return {"x1": away(x1), "x2": away(x2), "dout": rng.standard_normal((4, 5))}


def away(x, margin=1e-2):
    return np.where(np.abs(x) < margin, margin, x)


_LAST = {}


def relu_forward_global(x):
    _LAST["x"] = x  # the notebook keeps the last input in a global
    return np.maximum(0, x), x


def relu_backward_global(dout, cache):
    return dout * (_LAST["x"] > 0)  # the cache argument is ignored


def relu_two_calls(a):
    _, cache1 = relu_forward_global(a["x1"])
    relu_forward_global(a["x2"])
    return relu_backward_global(a["dout"], cache1)


def relu_first_call(ref, a):
    return ref.relu_backward(a["dout"], ref.relu_forward(a["x1"])[1])


# -- k-NN norms ------------------------------------------------------------------------------------------

def distances_l1(X_train, X):
    return np.abs(X[:, None, :] - X_train[None, :, :]).sum(-1)  # the default norm is L2


BUGS = [
    Bug("softmax", "written for W (C, D), given a square W (D, C)", "value", square_case,
        lambda a: softmax_loss_W_transposed(a["W"], a["X"], a["y"], a["reg"]), cause("w-transposed"),
        ("softmax_loss_vectorized",),
        expected=lambda ref, a: ref.softmax_loss_vectorized(a["W"], a["X"], a["y"], a["reg"]),
        alternatives=w_transposed_alternative),
    Bug("ReLU", "backward reads the input of the latest forward call", "value", two_calls_case, relu_two_calls,
        cause("stale-cache"), ("relu_backward",), expected=relu_first_call,
        alternatives=lambda ref, a: {cause("stale-cache"):
                                     ref.relu_backward(a["dout"], ref.relu_forward(a["x2"])[1])}),
    Bug("spatial batch norm", "statistics per example and channel", "value", spatial_case,
        lambda a: spatial_bn_per_example(*[a[n] for n in SBN]), None, ("spatial_batchnorm_forward",),
        expected=lambda ref, a: ref.spatial_batchnorm_forward(*[a[n] for n in SBN])[0]),
    Bug("spatial batch norm", "reshape to (N·H·W, C) without the transpose", "value", spatial_case,
        lambda a: spatial_bn_reshape_without_transpose(*[a[n] for n in SBN]), None,
        ("spatial_batchnorm_forward",),
        expected=lambda ref, a: ref.spatial_batchnorm_forward(*[a[n] for n in SBN])[0]),
    Bug("attention", "scores not scaled by 1/√d", "value", attention_case,
        lambda a: attention_without_scaling(*[a[n] for n in ATT]), None, ("attention_forward",),
        expected=lambda ref, a: ref.attention_forward(*[a[n] for n in ATT])[0]),
    Bug("attention", "dv without the attention weights", "gradient", attention_case,
        lambda a: attention_dv_without_weights(*[a[n] for n in ATT], a["dout"]), None, ("attention_forward",),
        scalar=layer_scalar("attention_forward", ATT),
        expected=layer_grads("attention_forward", "attention_backward", ATT, ATT), wrt=ATT),
    Bug("SVM", "layer svm_loss: dx not divided by N", "value", scores_case,
        lambda a: svm_loss_dx_summed(a["x"], a["y"]), cause("summed-not-averaged"), ("svm_loss",),
        expected=lambda ref, a: ref.svm_loss(a["x"], a["y"]), context=N_of),
    Bug("softmax", "layer softmax_loss: log of the summed probabilities", "value", scores_case,
        lambda a: softmax_loss_log_of_sum(a["x"], a["y"]), None, ("softmax_loss",),
        expected=lambda ref, a: ref.softmax_loss(a["x"], a["y"])),
    Bug("k-NN", "L1 distances where L2 is the default", "value", knn_case,
        lambda a: distances_l1(a["X_train"], a["X"]), None, ("compute_distances",),
        expected=lambda ref, a: ref.compute_distances(a["X_train"], a["X"])),
]
