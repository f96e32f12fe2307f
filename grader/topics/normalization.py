"""Topic checks: batch normalization (train/test, running statistics, two backwards) and layer norm.

Canonical forms (same names in both families):

* ``forward(x, gamma, beta, param) -> (out, cache)``, ``x (N, D)``, ``gamma, beta (D,)``;
* ``forward_with_param(x, gamma, beta, param) -> (out, param_after)``: the dict as the student's forward
  left it (running statistics are written back into ``bn_param``); see :func:`worker_param_forward`;
* ``run(args, dout) -> (out, (dx, dgamma, dbeta))``: a pair bound by ``helpers.layer_pair`` (the
  normalization caches are the student's own).

Test mode changes no state: after a test-mode call every entry of ``bn_param`` the test passed is as it
was, and a second call with the same dict on the same input gives the same output
(:func:`check_test_mode_state`; the calls share one dict held in the student's process,
:func:`worker_param_calls`).
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import assert_close, compare
from grader.checks.gradcheck import check_gradient
from grader.checks.misconceptions import cause, register
from grader.sandbox import is_remote, type_name
from grader.topics.helpers import as_tuple, fetch_data, forward_objective
from grader.topics.norm_eps import assert_close_eps, eps_forms, with_small_eps

BN_PARAM = {"mode": "train", "eps": 1e-5, "momentum": 0.9}


def worker_param_forward(forward, sandbox=None):
    """Bind ``forward`` so that the parameter dict lives where the student's code runs.

    In a sandbox the dict is put into the worker (``sandbox.put``), passed by reference, and fetched
    after the call with whatever the student's forward wrote into it. Without a sandbox (plain
    callables, in the topic tests) a local dict plays that part.
    """
    def run(x, gamma, beta, param):
        if sandbox is None:
            local = dict(param)
            out, _ = forward(x, gamma, beta, local)
            return out, local
        remote = sandbox.put(dict(param))
        result = forward.keep(x, gamma, beta, remote)
        return fetch_data(result[0]), fetch_data(remote)
    return run


def worker_param_calls(forward, sandbox=None, name="batchnorm_forward"):
    """Bind ``forward`` for several calls that share ONE parameter dict (as a model passes the same
    ``bn_param`` to every forward): ``open(param)`` puts a copy of ``param`` where the student's code runs
    and returns ``call(*args) -> (out, param_after)``, which calls ``forward(*args, the_dict)`` (a pair
    ``(out, cache)`` expected back; the cache stays in the worker) and snapshots the dict as that call left
    it. Without a sandbox a local dict plays that part."""
    if sandbox is None and is_remote(forward):
        raise TypeError("worker_param_calls: a sandboxed forward needs its sandbox to read the dict back")

    def open_(param):
        if sandbox is None:
            local = _snapshot(param)

            def call(*args):
                return as_tuple(forward(*args, local), 2, name)[0], _snapshot(local)
            return call
        remote = sandbox.put(dict(param))

        def call(*args):
            result = forward.keep(*args, remote)
            if type_name(result) not in ("tuple", "list"):
                as_tuple(fetch_data(result), 2, name)  # raises: names what came back
            return fetch_data(result[0]), fetch_data(remote)
        return call
    return open_


def _snapshot(param):
    return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in dict(param).items()}


def _change(before, after):
    """How far ``after`` is from ``before`` (0.0 when the same; inf when not comparable). Arrays may
    differ by singleton axes ((1, D) for (D,)) and by rounding (1e-7 of the largest magnitude; 1e-4
    when written back as float32), far below any update with a momentum under 0.999."""
    if isinstance(before, str) or isinstance(after, str):
        return 0.0 if type(before) is type(after) and before == after else float("inf")
    rtol = 1e-4 if getattr(after, "dtype", None) == np.float32 else 1e-7
    try:
        b = np.asarray(before, dtype=float)
        a = np.asarray(after, dtype=float)
    except (TypeError, ValueError):
        return float("inf")
    if a.shape != b.shape:
        if a.size != b.size or [n for n in a.shape if n != 1] != [n for n in b.shape if n != 1]:
            return float("inf")
        a = a.reshape(b.shape)
    with np.errstate(invalid="ignore"):
        diff = float(np.max(np.abs(a - b), initial=0.0))
    if not np.isfinite(diff):
        return float("inf")
    return 0.0 if diff <= rtol * max(1.0, float(np.max(np.abs(b), initial=0.0))) else diff


RUNNING = ("running_mean", "running_var")
register("test-mode-updated-running", "test mode updated the running statistics", "test mode updated {stat}")
register("test-mode-changed-param", "test mode changed bn_param", "test mode changed {entry}")
register("test-mode-not-repeatable", "two test-mode calls on the same input gave different outputs")
register("layernorm-over-batch", "normalized over the batch (axis 0) instead of each example's features")


def check_test_mode_state(param, after, name="bn_param"):
    """Raise ``CheckFailure`` naming the mechanism when a test-mode call changed ``param``: a running
    statistic updated or removed ("test mode updated running_mean: ..."), or any other entry the test
    passed changed or removed. Entries the call added are not judged."""
    after = after if isinstance(after, dict) else {}
    changed = {k: _change(param[k], after[k]) if k in after else None for k in param}
    running = [k for k in RUNNING if k in changed and changed[k] != 0.0]
    if running:
        how = "; ".join(f"{name}[{k!r}] removed" if changed[k] is None else
                        f"{name}[{k!r}] changed by up to {changed[k]:.3g}" for k in running)
        phrase = cause("test-mode-updated-running", stat=running[0])  # the details name every statistic that changed
        raise CheckFailure(f"{phrase}: the running statistics must only change in train mode ({how} in "
                           "one test-mode call).", phrase)
    for k, change in changed.items():
        if change != 0.0:
            what = "removed" if change is None else f"changed from {param[k]!r} to {after[k]!r}"
            phrase = cause("test-mode-changed-param", entry=f"{name}[{k!r}]")
            raise CheckFailure(f"{phrase} ({name}[{k!r}] {what}): a test-mode call must leave {name} "
                               "as it was.", phrase)


def check_repeatable(first, second, name="out"):
    """Raise ``CheckFailure`` when two test-mode calls on the same input gave different outputs."""
    result = compare(second, first, name=name, rtol=1e-9)
    if not result.ok:
        phrase = cause("test-mode-not-repeatable")
        raise CheckFailure(f"{phrase}: test mode must not update any state (the running statistics change "
                           f"only in train mode). Second call against the first:\n{result.message}", phrase)


def _bn_inputs(rng, N=8, D=5, axis=0):
    """x (N, D), gamma, beta (D,). Along ``axis`` (0: each feature over the batch, 1: each example's
    features) x has a random mean and a variance of exactly 1 to 9: bounded away from 0, so every
    placement of eps agrees within ``norm_eps.eps_rtol(1)``."""
    z = rng.standard_normal((N, D))
    if z.shape[axis] > 1:
        z = (z - z.mean(axis, keepdims=True)) / z.std(axis, keepdims=True)
    size = (1, D) if axis == 0 else (N, 1)
    x = (1.0 + 2.0 * rng.random(size)) * z + 2.0 * rng.standard_normal(size)
    gamma = 1.0 + 0.5 * rng.standard_normal(D)
    beta = rng.standard_normal(D)
    return x, gamma, beta


def check_batchnorm_train(forward, golden, rng, *, N=8, D=5):
    """Train mode: ``out = gamma * (x - mean) / sqrt(var + eps) + beta`` with the batch mean and the
    biased batch variance of each feature."""
    x, gamma, beta = _bn_inputs(rng, N, D)
    expected = golden("bn_train", lambda ref: ref.batchnorm_forward(x, gamma, beta, dict(BN_PARAM))[0])
    unbiased = golden("bn_train_ddof1", lambda ref: gamma * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + 1e-5)
                      + beta)
    out, _ = forward(x.copy(), gamma.copy(), beta.copy(), dict(BN_PARAM))
    assert_close_eps(out, expected, name="out", min_var=x.var(0).min(),
                     forms=eps_forms(x, x.mean(0), x.var(0), gamma, beta),
                     alternatives={cause("unbiased-variance"): unbiased})


def check_batchnorm_running_stats(forward_with_param, golden, rng, *, N=8, D=5):
    """Train mode writes ``running = momentum * running + (1 - momentum) * batch`` (mean and biased
    variance) back into ``bn_param``; the swapped momentum and the unbiased variance are named."""
    x, gamma, beta = _bn_inputs(rng, N, D)
    param = dict(BN_PARAM, momentum=0.8, running_mean=rng.standard_normal(D), running_var=1 + rng.random(D))

    def reference_stats(ref):
        p = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in param.items()}
        ref.batchnorm_forward(x, gamma, beta, p)
        return {"running_mean": p["running_mean"], "running_var": p["running_var"]}
    expected = golden("bn_running", reference_stats)
    swapped = golden("bn_running_swapped", lambda ref: {
        "running_mean": 0.2 * param["running_mean"] + 0.8 * x.mean(0),
        "running_var": 0.2 * param["running_var"] + 0.8 * x.var(0)})
    unbiased = golden("bn_running_ddof1", lambda ref: dict(
        expected, running_var=0.8 * param["running_var"] + 0.2 * x.var(0, ddof=1)))
    _, after = forward_with_param(x.copy(), gamma.copy(), beta.copy(), param)
    stats = {k: after.get(k) for k in ("running_mean", "running_var")}
    assert_close(stats, expected, name="bn_param",
                 alternatives={cause("momentum-swapped"): swapped,
                               cause("unbiased-variance", what="running_var"): unbiased})


def check_batchnorm_test(forward, golden, rng, *, N=6, D=4, sandbox=None):
    """Test mode normalizes with ``bn_param['running_mean']`` and ``['running_var']``, not the batch, and
    changes no state (:func:`check_test_mode_state`; ``sandbox`` is the one ``forward`` runs in)."""
    x, gamma, beta = _bn_inputs(rng, N, D)
    param = dict(BN_PARAM, mode="test", running_mean=rng.standard_normal(D), running_var=1 + rng.random(D))
    expected = golden("bn_test", lambda ref: ref.batchnorm_forward(x, gamma, beta, dict(param))[0])
    batch = golden("bn_test_batch", lambda ref: ref.batchnorm_forward(x, gamma, beta, dict(BN_PARAM))[0])
    call = worker_param_calls(forward, sandbox)(param)
    out, after = call(x.copy(), gamma.copy(), beta.copy())
    if not compare(out, batch).ok:  # batch statistics used: that message names the mechanism
        check_test_mode_state(param, after)
    assert_close_eps(out, expected, name="out", min_var=param["running_var"].min(),
                     forms=eps_forms(x, param["running_mean"], param["running_var"], gamma, beta),
                     alternatives={cause("batch-stats-in-test-mode"): batch})
    check_repeatable(out, call(x.copy(), gamma.copy(), beta.copy())[0])


def check_layernorm_forward(forward, golden, rng, *, N=5, D=7):
    """Layer norm: each row (example) normalized over its D features, then ``gamma * x_hat + beta``."""
    x, gamma, beta = _bn_inputs(rng, N, D, axis=1)
    expected = golden("ln_forward", lambda ref: ref.layernorm_forward(x, gamma, beta, {"eps": 1e-5})[0])
    over_batch = golden("ln_over_batch", lambda ref: ref.batchnorm_forward(x, gamma, beta, dict(BN_PARAM))[0])
    out, _ = forward(x.copy(), gamma.copy(), beta.copy(), {"eps": 1e-5})
    assert_close_eps(out, expected, name="out", min_var=x.var(1).min(),
                     forms=eps_forms(x, x.mean(1, keepdims=True), x.var(1, keepdims=True), gamma, beta),
                     alternatives={cause("layernorm-over-batch"): over_batch})


def check_norm_backward(run, golden, rng, *, kind="batchnorm", backward="batchnorm_backward", N=8, D=5):
    """The student's backward on their own forward's cache matches the reference ``(dx, dgamma, dbeta)``
    (``kind`` is ``batchnorm`` (train mode) or ``layernorm``; ``backward`` names the reference backward)."""
    axis = 0 if kind == "batchnorm" else 1
    x, gamma, beta = _bn_inputs(rng, N, D, axis)
    dout = rng.standard_normal((N, D))
    param = dict(BN_PARAM) if kind == "batchnorm" else {"eps": 1e-5}

    def reference(ref):
        _, cache = getattr(ref, f"{kind}_forward")(x, gamma, beta, dict(param))
        return getattr(ref, backward)(dout, cache)
    expected = tuple(golden(f"{backward}_grads", reference))
    _, grads = run((x.copy(), gamma.copy(), beta.copy(), dict(param)), dout.copy())
    grads = as_tuple(grads, 3, backward)
    alternatives = {cause("norm-backward-direct-only"):
                    (dout * gamma / np.sqrt(x.var(0 if kind == "batchnorm" else 1,
                                                keepdims=kind != "batchnorm") + 1e-5),)
                    + expected[1:]}
    assert_close_eps(grads, expected, name="(dx, dgamma, dbeta)", min_var=x.var(axis).min(),
                     alternatives=alternatives, context={"N": N})


def check_norm_gradient(forward, run, rng, *, kind="batchnorm", backward="batchnorm_backward", N=6, D=4):
    """The student's ``(dx, dgamma, dbeta)`` agree with finite differences of their own forward."""
    x, gamma, beta = _bn_inputs(rng, N, D, 0 if kind == "batchnorm" else 1)
    dout = rng.standard_normal((N, D))
    param = with_small_eps(BN_PARAM if kind == "batchnorm" else {})  # consistency: eps not judged here
    _, grads = run((x.copy(), gamma.copy(), beta.copy(), dict(param)), dout.copy())
    dx, dgamma, dbeta = as_tuple(grads, 3, backward)
    f = forward_objective(forward, ["x", "gamma", "beta", "param"], {"param": param}, dout)
    check_gradient(f, {"x": x, "gamma": gamma, "beta": beta}, {"x": dx, "gamma": dgamma, "beta": dbeta}, rng=rng)
