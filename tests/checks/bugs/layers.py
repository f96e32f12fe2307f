"""Bugs in activations (ReLU, tanh, sigmoid, PReLU, ELU), affine, dropout, batch norm and layer norm."""
import numpy as np

from grader.checks.misconceptions import cause


from . import Bug, layer_grads, layer_scalar


# -- inputs ----------------------------------------------------------------------------------------

def away_from_zero(x, margin=1e-2):
    """Inputs of kinked activations kept off the kink."""
    return np.where(np.abs(x) < margin, np.sign(x + 1e-12) * margin, x)


def activation_case(rng):
    x = away_from_zero(rng.standard_normal((4, 6)))
    return {"x": x, "dout": rng.standard_normal(x.shape)}


def prelu_case(rng):
    x = away_from_zero(rng.standard_normal((5, 4)))
    return {"x": x, "alpha": rng.uniform(0.05, 0.5, 4), "dout": rng.standard_normal(x.shape)}


def elu_case(rng):
    x = away_from_zero(rng.standard_normal((5, 4)))
    return {"x": x, "alpha": 1.5, "dout": rng.standard_normal(x.shape)}


def affine_case(rng):
    x = rng.standard_normal((3, 2, 2, 2))
    return {"x": x, "w": rng.standard_normal((8, 5)), "b": rng.standard_normal(5),
            "dout": rng.standard_normal((3, 5))}


def dropout_case(rng):
    x = rng.standard_normal((40, 50)) + 3.0
    return {"x": x, "p": 0.8, "dout": rng.standard_normal(x.shape), "seed": int(rng.integers(1 << 30))}


def norm_case(rng):
    x = 5 * rng.standard_normal((6, 5)) + 12
    return {"x": x, "gamma": rng.uniform(0.5, 1.5, 5), "beta": rng.standard_normal(5),
            "bn_param": {"mode": "train"}, "ln_param": {}, "dout": rng.standard_normal(x.shape)}


def test_mode_case(rng):
    a = norm_case(rng)
    a["bn_param"] = {"mode": "test", "running_mean": rng.standard_normal(5),
                     "running_var": rng.uniform(0.5, 2.0, 5)}
    return a


def N_of(args):
    return {"N": args["x"].shape[0]}


# -- activations (each student's own cache) -----------------------------------------------------------

def relu_dx_masked_by_dout(x, dout):
    return dout * (dout > 0)  # mask taken from the upstream gradient instead of x


def tanh_dx_one_minus_h(x, dout):
    h = np.tanh(x)
    return dout * (1 - h)


def sigmoid_dx_of_input(x, dout):
    return dout * x * (1 - x)  # s(1 - s) written with the input instead of the output


def prelu_no_dalpha(x, alpha, dout):
    dx = np.where(x >= 0, dout, alpha * dout)
    return {"x": dx, "alpha": np.zeros_like(alpha)}


def prelu_dalpha_all_x(x, alpha, dout):
    dx = np.where(x >= 0, dout, alpha * dout)
    return {"x": dx, "alpha": (dout * x).sum(axis=0)}  # should use x only where x < 0


def prelu_dalpha_scalar(x, alpha, dout):
    dx = np.where(x >= 0, dout, alpha * dout)
    return {"x": dx, "alpha": np.sum(np.where(x < 0, dout * x, 0.0))}  # per-feature slopes summed to one


def elu_dx_alpha_exp_minus_one(x, alpha, dout):
    return dout * np.where(x >= 0, 1.0, alpha * np.exp(x) - 1)  # derivative of α(eˣ−1) is αeˣ


# -- affine (fixed cache (x, w, b)) -----------------------------------------------------------------------

def affine_backward_dx_flat(dout, cache):
    x, w, b = cache
    xf = x.reshape(x.shape[0], -1)
    return dout @ w.T, xf.T @ dout, dout.sum(0)  # dx left as (N, D)


def affine_backward_dw_transposed(dout, cache):
    x, w, b = cache
    xf = x.reshape(x.shape[0], -1)
    return (dout @ w.T).reshape(x.shape), dout.T @ xf, dout.sum(0)


def affine_backward_db_mean(dout, cache):
    x, w, b = cache
    xf = x.reshape(x.shape[0], -1)
    return (dout @ w.T).reshape(x.shape), xf.T @ dout, dout.mean(0)


def affine_forward_no_bias(x, w, b):
    return x.reshape(x.shape[0], -1) @ w


# -- dropout (p = keep probability) -------------------------------------------------------------------------

def dropout_p_as_drop(x, p, dout):
    mask = (np.random.rand(*x.shape) >= p) / (1 - p)
    return {"x": x, "p": p, "out": x * mask, "dout": dout, "dx": dout * mask}


def dropout_not_inverted(x, p, dout):
    mask = np.random.rand(*x.shape) < p
    return {"x": x, "p": p, "out": x * mask, "dout": dout, "dx": dout * mask}


def dropout_test_mode_masks(x, p, dout):
    mask = (np.random.rand(*x.shape) < p) / p  # the same code for both modes
    return {"x": x, "p": p, "out": x * mask, "dout": dout, "dx": dout * mask}


def dropout_backward_new_mask(x, p, dout):
    mask = (np.random.rand(*x.shape) < p) / p
    out = x * mask
    fresh = (np.random.rand(*x.shape) < p) / p  # backward draws its own mask
    return {"x": x, "p": p, "out": out, "dout": dout, "dx": dout * fresh}


def seeded(fn):
    def run(a):
        np.random.seed(a["seed"])
        return fn(a["x"], a["p"], a["dout"])
    return run


# -- batch norm / layer norm (the student's own cache) ---------------------------------------------------------

def _bn_forward(x, gamma, beta, eps=1e-5, axis=0):
    mu = x.mean(axis, keepdims=True)
    var = x.var(axis, keepdims=True)
    inv_std = 1 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    return gamma * xhat + beta, (x, xhat, inv_std, gamma)


def bn_missing_mean_term(x, gamma, beta, dout):
    _, (x, xhat, inv_std, gamma) = _bn_forward(x, gamma, beta)
    dxhat = dout * gamma
    dx = inv_std * (dxhat - xhat * (dxhat * xhat).mean(0))  # the -mean(dxhat) term is missing
    return {"x": dx, "gamma": (dout * xhat).sum(0), "beta": dout.sum(0)}


def bn_missing_var_term(x, gamma, beta, dout):
    _, (x, xhat, inv_std, gamma) = _bn_forward(x, gamma, beta)
    dxhat = dout * gamma
    dx = inv_std * (dxhat - dxhat.mean(0))  # the path through the variance is missing
    return {"x": dx, "gamma": (dout * xhat).sum(0), "beta": dout.sum(0)}


def bn_dgamma_uses_x(x, gamma, beta, dout):
    _, (x, xhat, inv_std, gamma) = _bn_forward(x, gamma, beta)
    dxhat = dout * gamma
    dx = inv_std * (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0))
    return {"x": dx, "gamma": (dout * x).sum(0), "beta": dout.sum(0)}


def bn_test_mode_batch_stats(x, gamma, beta, bn_param):
    return _bn_forward(x, gamma, beta)[0]  # ignores mode: normalizes with the batch statistics


def layernorm_over_batch(x, gamma, beta, ln_param):
    return _bn_forward(x, gamma, beta, axis=0)[0]  # copied from batch norm: statistics over N


def layernorm_backward_bn_axes(x, gamma, beta, dout):
    _, (x, xhat, inv_std, gamma) = _bn_forward(x, gamma, beta, axis=1)
    dxhat = dout * gamma
    dx = inv_std * (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0))  # axis 0 kept from batch norm
    return {"x": dx, "gamma": (dout * xhat).sum(0), "beta": dout.sum(0)}


BN = ("x", "gamma", "beta", "bn_param")
LN = ("x", "gamma", "beta", "ln_param")
BN_GRADS = layer_grads("batchnorm_forward", "batchnorm_backward", BN, ("x", "gamma", "beta"))
LN_GRADS = layer_grads("layernorm_forward", "layernorm_backward", LN, ("x", "gamma", "beta"))


def stoch_forward(st, r):
    st.check_inverted_dropout(r["x"], r["out"], r["p"])


def stoch_test_mode(st, r):
    st.check_dropout_test_mode(r["x"], r["out"])


def stoch_backward(st, r):
    st.check_inverted_dropout(r["x"], r["out"], r["p"])
    st.check_dropout_backward(r["dout"], r["dx"], r["x"], r["out"], r["p"])


BUGS = [
    Bug("ReLU", "backward masks with dout > 0 instead of x > 0", "gradient", activation_case,
        lambda a: {"x": relu_dx_masked_by_dout(a["x"], a["dout"])}, None, ("relu_forward",),
        expected=layer_grads("relu_forward", "relu_backward", ("x",), ("x",)),
        scalar=layer_scalar("relu_forward", ("x",)), wrt=("x",)),
    Bug("tanh", "derivative as 1 − h", "gradient", activation_case,
        lambda a: {"x": tanh_dx_one_minus_h(a["x"], a["dout"])}, cause("tanh-one-minus-h"), ("tanh_forward",),
        expected=layer_grads("tanh_forward", "tanh_backward", ("x",), ("x",)),
        scalar=layer_scalar("tanh_forward", ("x",)), wrt=("x",),
        alternatives=lambda ref, a: {cause("tanh-one-minus-h"): {"x": a["dout"] * (1 - np.tanh(a["x"]))}}),
    Bug("sigmoid", "derivative s(1−s) evaluated on the input", "gradient", activation_case,
        lambda a: {"x": sigmoid_dx_of_input(a["x"], a["dout"])}, None, ("sigmoid_forward",),
        expected=layer_grads("sigmoid_forward", "sigmoid_backward", ("x",), ("x",)),
        scalar=layer_scalar("sigmoid_forward", ("x",)), wrt=("x",)),
    Bug("PReLU", "dalpha not computed", "gradient", prelu_case,
        lambda a: prelu_no_dalpha(a["x"], a["alpha"], a["dout"]), cause("zeros"), ("prelu_forward",),
        expected=layer_grads("prelu_forward", "prelu_backward", ("x", "alpha"), ("x", "alpha")),
        scalar=layer_scalar("prelu_forward", ("x", "alpha")), wrt=("x", "alpha")),
    Bug("PReLU", "dalpha uses every x, not only x < 0", "gradient", prelu_case,
        lambda a: prelu_dalpha_all_x(a["x"], a["alpha"], a["dout"]), None, ("prelu_forward",),
        expected=layer_grads("prelu_forward", "prelu_backward", ("x", "alpha"), ("x", "alpha")),
        scalar=layer_scalar("prelu_forward", ("x", "alpha")), wrt=("x", "alpha")),
    Bug("PReLU", "per-feature dalpha summed to a scalar", "value", prelu_case,
        lambda a: prelu_dalpha_scalar(a["x"], a["alpha"], a["dout"]), cause("summed-axis"), ("prelu_forward",),
        expected=layer_grads("prelu_forward", "prelu_backward", ("x", "alpha"), ("x", "alpha"))),
    Bug("ELU", "derivative α·eˣ − 1", "gradient", elu_case,
        lambda a: {"x": elu_dx_alpha_exp_minus_one(a["x"], a["alpha"], a["dout"])}, None, ("elu_forward",),
        expected=layer_grads("elu_forward", "elu_backward", ("x", "alpha"), ("x",)),
        scalar=layer_scalar("elu_forward", ("x", "alpha")), wrt=("x",)),
    Bug("affine", "dx left flat (N, D)", "value", affine_case,
        lambda a: affine_backward_dx_flat(a["dout"], (a["x"], a["w"], a["b"])), cause("reshape-missing"),
        ("affine_backward",),
        expected=lambda ref, a: ref.affine_backward(a["dout"], ref.affine_forward(a["x"], a["w"], a["b"])[1])),
    Bug("affine", "dw = dout.T @ x (M, D)", "value", affine_case,
        lambda a: affine_backward_dw_transposed(a["dout"], (a["x"], a["w"], a["b"])), cause("transposed"),
        ("affine_backward",),
        expected=lambda ref, a: ref.affine_backward(a["dout"], ref.affine_forward(a["x"], a["w"], a["b"])[1])),
    Bug("affine", "db averaged over N", "gradient", affine_case,
        lambda a: dict(zip(("x", "w", "b"), affine_backward_db_mean(a["dout"], (a["x"], a["w"], a["b"])))),
        cause("averaged-twice"), ("affine_forward",),
        expected=layer_grads("affine_forward", "affine_backward", ("x", "w", "b"), ("x", "w", "b")),
        scalar=layer_scalar("affine_forward", ("x", "w", "b")), wrt=("x", "w", "b"), context=N_of),
    Bug("affine", "forward without the bias", "value", affine_case,
        lambda a: affine_forward_no_bias(a["x"], a["w"], a["b"]), None, ("affine_forward",),
        expected=lambda ref, a: ref.affine_forward(a["x"], a["w"], a["b"])[0]),
    Bug("dropout", "p read as the drop probability", "dropout", dropout_case, seeded(dropout_p_as_drop),
        cause("dropout-drop-prob"), stochastic=stoch_forward),
    Bug("dropout", "not inverted (no 1/p)", "dropout", dropout_case, seeded(dropout_not_inverted),
        cause("dropout-not-inverted"), stochastic=stoch_forward),
    Bug("dropout", "mask applied in test mode", "dropout", dropout_case, seeded(dropout_test_mode_masks),
        cause("dropout-test-mode"), stochastic=stoch_test_mode),
    Bug("dropout", "backward draws a fresh mask", "dropout", dropout_case, seeded(dropout_backward_new_mask),
        cause("stale-cache"), stochastic=stoch_backward),
    Bug("batch norm", "backward misses the mean term", "gradient", norm_case,
        lambda a: bn_missing_mean_term(a["x"], a["gamma"], a["beta"], a["dout"]), None, ("batchnorm_forward",),
        expected=BN_GRADS, scalar=layer_scalar("batchnorm_forward", BN), wrt=("x", "gamma", "beta")),
    Bug("batch norm", "backward misses the variance path", "gradient", norm_case,
        lambda a: bn_missing_var_term(a["x"], a["gamma"], a["beta"], a["dout"]), None, ("batchnorm_forward",),
        expected=BN_GRADS, scalar=layer_scalar("batchnorm_forward", BN), wrt=("x", "gamma", "beta")),
    Bug("batch norm", "dgamma uses x instead of x̂", "gradient", norm_case,
        lambda a: bn_dgamma_uses_x(a["x"], a["gamma"], a["beta"], a["dout"]), None, ("batchnorm_forward",),
        expected=BN_GRADS, scalar=layer_scalar("batchnorm_forward", BN), wrt=("x", "gamma", "beta")),
    Bug("batch norm", "test mode uses the batch statistics", "value", test_mode_case,
        lambda a: bn_test_mode_batch_stats(*[a[n] for n in BN]), None, ("batchnorm_forward",),
        expected=lambda ref, a: ref.batchnorm_forward(*[a[n] for n in BN])[0]),
    Bug("layer norm", "statistics over the batch axis", "value", norm_case,
        lambda a: layernorm_over_batch(*[a[n] for n in LN]), None, ("layernorm_forward",),
        expected=lambda ref, a: ref.layernorm_forward(*[a[n] for n in LN])[0]),
    Bug("layer norm", "backward with batch-norm axes", "gradient", norm_case,
        lambda a: layernorm_backward_bn_axes(a["x"], a["gamma"], a["beta"], a["dout"]), None,
        ("layernorm_forward",), expected=LN_GRADS, scalar=layer_scalar("layernorm_forward", LN),
        wrt=("x", "gamma", "beta")),
]
