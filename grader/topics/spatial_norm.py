"""Topic checks: spatial batch normalization and spatial group normalization (caches are the student's own).

Canonical forms (same names in both families):

* ``spatial_batchnorm_forward(x, gamma, beta, bn_param) -> (out, cache)``, ``x (N, C, H, W)``, ``gamma, beta
  (C,)``; statistics per channel over (N, H, W); ``bn_param`` as batch norm's (running statistics written
  back). ``forward_with_param`` binds it with ``bn_param`` held in the student's process
  (:func:`param_forward`).
* ``spatial_groupnorm_forward(x, gamma, beta, G, gn_param) -> (out, cache)``, ``gamma, beta (1, C, 1, 1)``.
* ``run(args, dout) -> (out, (dx, dgamma, dbeta))``: a pair bound by ``helpers.layer_pair``.
"""

import numpy as np

from grader.checks.compare import assert_close, compare
from grader.checks.gradcheck import check_gradient
from grader.checks.misconceptions import cause, register
from grader.topics.helpers import as_tuple, fetch_data, forward_objective, pin_own_gradient
from grader.topics.norm_eps import assert_close_eps, eps_forms, with_small_eps
from grader.topics.normalization import (
    check_repeatable,
    check_test_mode_state,
    worker_param_calls,
    worker_param_forward,
)

BN_PARAM = {"mode": "train", "eps": 1e-5, "momentum": 0.9}
GN_PARAM = {"eps": 1e-5}
register("sbn-per-position", "statistics over the batch only (axis 0), per position; use N, H and W of each channel")
register("sbn-per-example", "statistics over each example's C, H, W (that is layer norm)")
register("running-not-written", "running statistics not written back into bn_param")
register("groupnorm-g-ignored", "G ignored: all channels normalized together (layer norm)")
register("groupnorm-per-channel", "each channel normalized alone (instance norm); group C/G channels together")


def param_forward(forward, sandbox=None):
    """``forward_with_param(x, gamma, beta, param) -> (out, param_after)`` for a student's forward
    (the dict lives in the worker: see ``normalization.worker_param_forward``)."""
    return worker_param_forward(forward, sandbox)


def _images(rng, shape, per_channel=True):
    """Inputs with a different mean and scale per channel (so per-channel statistics matter)."""
    N, C, H, W = shape
    scale = 1.0 + 2.0 * rng.random((1, C, 1, 1)) if per_channel else 1.0
    shift = 3.0 * rng.standard_normal((1, C, 1, 1)) if per_channel else 0.0
    return scale * rng.standard_normal(shape) + shift


def _channel_params(rng, C, shape):
    gamma = (1.0 + 0.5 * rng.standard_normal(C)).reshape(shape)
    beta = rng.standard_normal(C).reshape(shape)
    return gamma, beta


# ---------------------------------------------------------------- spatial batch norm

def check_spatial_batchnorm_train(forward, golden, rng, *, shape=(3, 4, 5, 6)):
    """Train mode: each channel c normalized with the mean and biased variance over its N·H·W values."""
    x = _images(rng, shape)
    gamma, beta = _channel_params(rng, shape[1], (shape[1],))
    expected = golden(f"sbn_train_{shape}",
                      lambda ref: ref.spatial_batchnorm_forward(x, gamma, beta, dict(BN_PARAM))[0])
    g4, b4 = gamma[None, :, None, None], beta[None, :, None, None]
    per_position = golden(f"sbn_per_position_{shape}", lambda ref: g4 * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) + b4)
    per_example = golden(f"sbn_per_example_{shape}", lambda ref: g4 * (x - x.mean((1, 2, 3), keepdims=True))
                         / np.sqrt(x.var((1, 2, 3), keepdims=True) + 1e-5) + b4)
    out, _ = as_tuple(forward(x.copy(), gamma.copy(), beta.copy(), dict(BN_PARAM)), 2, "spatial_batchnorm_forward")
    mean, var = x.mean((0, 2, 3), keepdims=True), x.var((0, 2, 3), keepdims=True)
    assert_close_eps(fetch_data(out), expected, name="out", min_var=var.min(),
                     forms=eps_forms(x, mean, var, g4, b4), alternatives={
        cause("sbn-per-position"): per_position,
        cause("sbn-per-example"): per_example})


def check_spatial_batchnorm_running_stats(forward_with_param, golden, rng, *, shape=(3, 4, 5, 6)):
    """Train mode writes ``running = momentum · running + (1 − momentum) · batch`` per channel into bn_param."""
    x = _images(rng, shape)
    C = shape[1]
    gamma, beta = _channel_params(rng, C, (C,))
    param = dict(BN_PARAM, momentum=0.8, running_mean=rng.standard_normal(C), running_var=1 + rng.random(C))

    def reference_stats(ref):
        p = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in param.items()}
        ref.spatial_batchnorm_forward(x, gamma, beta, p)
        return {"running_mean": p["running_mean"], "running_var": p["running_var"]}
    expected = golden(f"sbn_running_{shape}", reference_stats)
    per_channel = x.transpose(1, 0, 2, 3).reshape(C, -1)
    swapped = {"running_mean": 0.2 * param["running_mean"] + 0.8 * per_channel.mean(1),
               "running_var": 0.2 * param["running_var"] + 0.8 * per_channel.var(1)}
    unbiased = dict(expected, running_var=0.8 * param["running_var"] + 0.2 * per_channel.var(1, ddof=1))
    unchanged = {k: param[k] for k in ("running_mean", "running_var")}
    _, after = forward_with_param(x.copy(), gamma.copy(), beta.copy(), param)
    after = after if isinstance(after, dict) else {}
    assert_close({k: after.get(k) for k in expected}, expected, name="bn_param", alternatives={
        cause("momentum-swapped"): swapped,
        cause("unbiased-variance", what="running_var"): unbiased,
        cause("running-not-written"): unchanged})


def check_spatial_batchnorm_test(forward, golden, rng, *, shape=(2, 3, 4, 5), sandbox=None):
    """Test mode normalizes each channel with bn_param's running mean and variance and changes no state
    (``normalization.check_test_mode_state``; ``sandbox`` is the one ``forward`` runs in)."""
    x = _images(rng, shape)
    C = shape[1]
    gamma, beta = _channel_params(rng, C, (C,))
    param = dict(BN_PARAM, mode="test", running_mean=rng.standard_normal(C), running_var=1 + rng.random(C))
    expected = golden(f"sbn_test_{shape}", lambda ref: ref.spatial_batchnorm_forward(x, gamma, beta, dict(param))[0])
    batch = golden(f"sbn_test_batch_{shape}",
                   lambda ref: ref.spatial_batchnorm_forward(x, gamma, beta, dict(BN_PARAM))[0])
    call = worker_param_calls(forward, sandbox, "spatial_batchnorm_forward")(param)
    out, after = call(x.copy(), gamma.copy(), beta.copy())
    if not compare(out, batch).ok:  # batch statistics used: that message names the mechanism
        check_test_mode_state(param, after)
    c4 = (1, C, 1, 1)
    assert_close_eps(out, expected, name="out", min_var=param["running_var"].min(),
                     forms=eps_forms(x, param["running_mean"].reshape(c4), param["running_var"].reshape(c4),
                                     gamma.reshape(c4), beta.reshape(c4)),
                     alternatives={cause("batch-stats-in-test-mode"): batch})
    check_repeatable(out, call(x.copy(), gamma.copy(), beta.copy())[0])


# ---------------------------------------------------------------- spatial group norm

def check_groupnorm_forward(forward, golden, rng, *, shape=(2, 6, 3, 4), G=3):
    """Each (example, group of C/G channels) normalized over its C/G·H·W values, then
    ``gamma[0, c] · x̂ + beta[0, c]`` with gamma, beta (1, C, 1, 1)."""
    x = _images(rng, shape)
    gamma, beta = _channel_params(rng, shape[1], (1, shape[1], 1, 1))
    key = f"gn_forward_{shape}_{G}"
    expected = golden(key, lambda ref: ref.spatial_groupnorm_forward(x, gamma, beta, G, dict(GN_PARAM))[0])
    layer = golden(key + "_layer", lambda ref: ref.spatial_groupnorm_forward(x, gamma, beta, 1, dict(GN_PARAM))[0])
    instance = golden(key + "_instance",
                      lambda ref: ref.spatial_groupnorm_forward(x, gamma, beta, shape[1], dict(GN_PARAM))[0])
    out, _ = as_tuple(forward(x.copy(), gamma.copy(), beta.copy(), G, dict(GN_PARAM)), 2, "spatial_groupnorm_forward")
    mean, var = (_per_group(x, G, np.mean), _per_group(x, G, np.var))
    assert_close_eps(fetch_data(out), expected, name="out", min_var=var.min(),
                     forms=eps_forms(x, mean, var, gamma, beta), alternatives={
        cause("groupnorm-g-ignored"): layer,
        cause("groupnorm-per-channel"): instance})


def _norm_case(rng, kind, shape, G):
    x = _images(rng, shape)
    C = shape[1]
    if kind == "batchnorm":
        gamma, beta = _channel_params(rng, C, (C,))
        return (x, gamma, beta, dict(BN_PARAM)), "spatial_batchnorm"
    gamma, beta = _channel_params(rng, C, (1, C, 1, 1))
    return (x, gamma, beta, G, dict(GN_PARAM)), "spatial_groupnorm"


def _copies(args):
    return tuple(a.copy() if isinstance(a, (np.ndarray, dict)) else a for a in args)


def check_spatial_backward(run, golden, rng, *, kind="batchnorm", shape=(3, 4, 5, 6), G=2):
    """The student's backward on their own forward's cache matches the reference (dx, dgamma, dbeta);
    ``kind`` is ``batchnorm`` (train mode, gamma (C,)) or ``groupnorm`` (gamma (1, C, 1, 1))."""
    args, name = _norm_case(rng, kind, shape, G)
    dout = rng.standard_normal(shape)

    def reference(ref):
        _, cache = getattr(ref, f"{name}_forward")(*_copies(args))
        return getattr(ref, f"{name}_backward")(dout, cache)
    expected = tuple(golden(f"{name}_backward_{shape}_{G}", reference))
    direct = dout * args[1].reshape((1, -1, 1, 1)) * golden(
        f"{name}_inv_std_{shape}_{G}", lambda ref: _inv_std(args[0], kind, G))
    _, grads = run(_copies(args), dout.copy())
    grads = tuple(fetch_data(g) for g in as_tuple(grads, 3, f"{name}_backward"))
    keys = ("dx", "dgamma", "dbeta")
    min_var = (args[0].var((0, 2, 3)) if kind == "batchnorm" else _per_group(args[0], G, np.var)).min()
    assert_close_eps(dict(zip(keys, grads)), dict(zip(keys, expected)), name="grads", context={"N": shape[0]},
                     min_var=min_var, alternatives={
                         cause("norm-backward-direct-only"):
                         dict(zip(keys, (direct,) + expected[1:]))})


def _per_group(x, G, statistic):
    """``statistic`` (np.mean, np.var) of each (example, group of C/G channels), broadcast to x's shape."""
    groups = x.reshape(x.shape[0], G, -1)
    return np.broadcast_to(statistic(groups, axis=2, keepdims=True), groups.shape).reshape(x.shape)


def _inv_std(x, kind, G):
    """1/sqrt(var + eps) broadcast to x's shape (per channel for batch norm, per group for group norm)."""
    N, C, H, W = x.shape
    if kind == "batchnorm":
        return np.broadcast_to(1 / np.sqrt(x.var((0, 2, 3), keepdims=True) + 1e-5), x.shape)
    groups = x.reshape(N, G, -1)
    return np.broadcast_to(1 / np.sqrt(groups.var(2, keepdims=True) + 1e-5), groups.shape).reshape(x.shape)


def check_spatial_gradient(forward, run, rng, *, kind="batchnorm", shape=(2, 3, 4, 3), G=3, golden=None):
    """The student's (dx, dgamma, dbeta) agree with finite differences of their own forward (run with a
    tiny eps: where eps goes is not judged here, see norm_eps)."""
    args, name = _norm_case(rng, kind, shape, G)
    args = args[:-1] + (with_small_eps(args[-1]),)
    dout = rng.standard_normal(shape)
    out, grads = run(_copies(args), dout.copy())
    dx, dgamma, dbeta = (fetch_data(g) for g in as_tuple(grads, 3, f"{name}_backward"))
    if golden is not None:  # the reference pin (helpers.pin_own_gradient)
        def reference(ref):
            ref_out, cache = getattr(ref, f"{name}_forward")(*_copies(args))
            return ref_out, getattr(ref, f"{name}_backward")(dout, cache)
        ref_out, ref_grads = golden(f"{name}_own_pin_{shape}_{G}", reference)
        pin_own_gradient((fetch_data(out),), (ref_out,), {"dx": dx, "dgamma": dgamma, "dbeta": dbeta},
                         dict(zip(("dx", "dgamma", "dbeta"), ref_grads)))
    if kind == "batchnorm":
        names, fixed = ["x", "gamma", "beta", "param"], {"param": args[3]}
    else:
        names, fixed = ["x", "gamma", "beta", "G", "param"], {"G": G, "param": args[4]}
    f = forward_objective(forward, names, fixed, dout)
    check_gradient(f, {"x": args[0], "gamma": args[1], "beta": args[2]},
                   {"x": dx, "gamma": dgamma, "beta": dbeta}, rng=rng)
