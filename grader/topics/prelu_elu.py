"""Topic checks: PReLU, ELU and the exam network ``L = ½‖W3 ELU(W2 PReLU(W1 x)) − y‖²`` (c147 hw3).

Canonical forms (the API of assignments.md "The PReLU/ELU problem"):

* ``prelu_forward(x, alpha) -> (out, cache)``, ``prelu_backward(dout, cache) -> (dx, dalpha)`` with
  ``dalpha`` of ``alpha``'s shape (a scalar or 0-d array for a scalar ``alpha``);
* ``elu_forward(x, alpha=1.0) -> (out, cache)``, ``elu_backward(dout, cache) -> dx``;
* ``prelu_elu_net(x, y, W1, W2, W3, alpha_prelu, alpha_elu) -> (loss, grads)``, grads keys
  ``W1, W2, W3, alpha_prelu``.

Caches are the student's own: pairs are bound with ``helpers.layer_pair``. Inputs avoid exact zeros.
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import assert_close
from grader.checks.gradcheck import check_gradient
from grader.checks.misconceptions import cause, register
from grader.sandbox import type_name
from grader.topics.helpers import as_tuple, fetch_data, forward_objective, layer_pair, nonzero_normal, pin_own_gradient


def _alpha(rng, per_feature, D):
    return 0.1 + 0.3 * rng.random(D) if per_feature else 0.25


def check_prelu_forward(prelu_forward, golden, rng, *, shape=(5, 4), per_feature=False):
    """``out = x`` where ``x >= 0`` and ``alpha * x`` elsewhere (scalar alpha or one per feature)."""
    x = nonzero_normal(rng, shape)
    alpha = _alpha(rng, per_feature, shape[-1])
    expected = golden("prelu_out", lambda ref: ref.prelu_forward(x, alpha)[0])
    out, _ = prelu_forward(x.copy(), np.copy(alpha) if per_feature else alpha)
    assert_close(out, expected, name="out",
                 alternatives={cause("alpha-on-positive"): np.where(x >= 0, alpha * x, x)})


def check_prelu_backward(run, golden, rng, *, shape=(5, 4), per_feature=False):
    """``dx = dout * (1 or alpha)`` and ``dalpha = Σ dout * x * [x < 0]`` with alpha's shape."""
    x = nonzero_normal(rng, shape)
    alpha = _alpha(rng, per_feature, shape[-1])
    dout = rng.standard_normal(shape)
    expected = golden("prelu_grads", lambda ref: ref.prelu_backward(dout, ref.prelu_forward(x, alpha)[1]))
    _, grads = run((x.copy(), np.copy(alpha) if per_feature else alpha), dout.copy())
    dx, dalpha = as_tuple(grads, 2, "prelu_backward")
    if not per_feature:
        if np.ndim(dalpha) != 0 and np.size(dalpha) == 1 and np.shape(dalpha) != ():
            raise CheckFailure(f"dalpha has shape {np.shape(dalpha)}; a scalar alpha needs a scalar dalpha",
                               diagnosis=cause("dalpha-shape"))
        if np.ndim(dalpha) != 0:
            raise CheckFailure(f"dalpha has shape {np.shape(dalpha)}: for a scalar alpha the gradient is "
                               "summed over every entry (a scalar)", diagnosis=cause("dalpha-not-reduced"))
        dalpha = float(dalpha)
    assert_close(dx, expected[0], name="dx")
    assert_close(dalpha, expected[1], name="dalpha",
                 alternatives={cause("dalpha-every-entry"):
                               np.sum(dout * x, axis=tuple(range(x.ndim - (1 if per_feature else 0))))})


register("alpha-on-positive", "alpha applied to the positive inputs instead of the negative ones")
register("dalpha-shape", "dalpha shape differs from alpha's")
register("dalpha-not-reduced", "dalpha not reduced")
register("dalpha-every-entry", "dalpha sums dout * x over every entry, not only where x < 0")
register("elu-alpha-ignored", "alpha ignored (the ELU of alpha = 1 computed)")
register("elu-derivative-minus-1", "derivative written as alpha * e^x - 1")
register("elu-derivative-everywhere", "derivative alpha * e^x used for every x")
register("squared-loss-half-missing", "the ½ of the squared loss left out")
register("weight-grads-transposed", "transposed weight gradients")
ELU_ALPHA_IGNORED = cause("elu-alpha-ignored")


def check_elu(run, golden, rng, *, shape=(6, 3), alpha=1.0, part="both"):
    """ELU forward ``alpha (e^x - 1)`` for ``x < 0`` and backward ``dout * (1 or alpha e^x)``
    (``part``: ``"forward"``, ``"backward"`` or ``"both"``). For ``alpha != 1`` the reference values of
    alpha 1 name the misconception "alpha ignored"."""
    x = nonzero_normal(rng, shape)
    dout = rng.standard_normal(shape)
    exp_out = golden("elu_out", lambda ref: ref.elu_forward(x, alpha)[0])
    exp_dx = golden("elu_dx", lambda ref: ref.elu_backward(dout, ref.elu_forward(x, alpha)[1]))
    ignored = {}
    if alpha != 1.0:
        ignored = {ELU_ALPHA_IGNORED: golden("elu_alpha_1", lambda ref: (
            ref.elu_forward(x, 1.0)[0], ref.elu_backward(dout, ref.elu_forward(x, 1.0)[1])))}
    out, dx = run((x.copy(), alpha), None if part == "forward" else dout.copy())
    if part != "backward":
        assert_close(out, exp_out, name="out", alternatives={k: v[0] for k, v in ignored.items()})
    if part == "forward":
        return
    assert_close(as_tuple(dx, 1, "elu_backward")[0], exp_dx, name="dx",
                 alternatives={cause("elu-derivative-minus-1"): dout * np.where(x > 0, 1.0, alpha * np.exp(x) - 1),
                               cause("elu-derivative-everywhere"): dout * alpha * np.exp(x),
                               **{k: v[1] for k, v in ignored.items()}})


def check_activation_gradient(forward, backward, rng, *, kind="prelu", shape=(4, 5), golden=None):
    """The student's backward agrees with finite differences of their own forward (PReLU: x and a
    per-feature alpha; ELU: x with alpha 0.7); with ``golden``, also the reference pin
    (helpers.pin_own_gradient)."""
    x = nonzero_normal(rng, shape, margin=0.05)
    dout = rng.standard_normal(shape)
    alpha = 0.1 + 0.3 * rng.random(shape[-1]) if kind == "prelu" else 0.7
    out, grads = layer_pair(forward, backward)((x.copy(), np.copy(alpha)), dout.copy())
    if golden is not None:
        names = ("dx", "dalpha") if kind == "prelu" else ("dx",)

        def reference(ref):
            ref_out, cache = getattr(ref, f"{kind}_forward")(x.copy(), np.copy(alpha))
            return ref_out, as_tuple(getattr(ref, f"{kind}_backward")(dout.copy(), cache), len(names), kind)
        ref_out, ref_grads = golden(f"{kind}_own_pin", reference)
        mine = as_tuple(grads, len(names), f"{kind}_backward")
        pin_own_gradient((fetch_data(out),), (ref_out,), {n: fetch_data(g) for n, g in zip(names, mine)},
                         dict(zip(names, ref_grads)))
    f = forward_objective(forward, ["x", "alpha"], {"alpha": alpha}, dout)
    if kind == "prelu":
        dx, dalpha = as_tuple(grads, 2, "prelu_backward")
        check_gradient(f, {"x": x, "alpha": alpha}, {"x": dx, "alpha": dalpha}, rng=rng)
    else:
        check_gradient(f, {"x": x}, {"x": as_tuple(grads, 1, "elu_backward")[0]}, rng=rng)


def _net_inputs(rng, n, m, per_feature):
    while True:
        x = rng.standard_normal(n)
        W1, W2 = rng.standard_normal((n, n)) / np.sqrt(n), rng.standard_normal((n, n)) / np.sqrt(n)
        W3 = rng.standard_normal((m, n)) / np.sqrt(n)
        alpha = 0.1 + 0.3 * rng.random(n) if per_feature else 0.2
        q6 = W1 @ x
        q4 = W2 @ np.where(q6 >= 0, q6, alpha * q6)
        both_branches = all((q < 0).any() and (q > 0).any() for q in (q6, q4))  # PReLU's and ELU's two pieces
        if both_branches and min(np.abs(q6).min(), np.abs(q4).min()) > 0.02:
            return x, rng.standard_normal(m), W1, W2, W3, alpha


def check_prelu_elu_net(net, golden, rng, *, n=5, m=3, per_feature=False, alpha_elu=1.0):
    """Loss and gradients (W1, W2, W3, alpha_prelu) of the exam network match the reference, and the
    gradients agree with finite differences of the student's own loss."""
    x, y, W1, W2, W3, alpha = _net_inputs(rng, n, m, per_feature)
    args = (x, y, W1, W2, W3, alpha, alpha_elu)
    loss_ref, grads_ref = golden("prelu_elu_net", lambda ref: ref.prelu_elu_net(*args))
    loss, grads = as_tuple(net(*[np.copy(a) if isinstance(a, np.ndarray) else a for a in args]), 2,
                           "prelu_elu_net")
    if not isinstance(grads, dict):
        raise CheckFailure(f"prelu_elu_net should return (loss, grads) with grads a dict, got {type_name(grads)}")
    assert_close(loss, loss_ref, name="loss", alternatives={cause("squared-loss-half-missing"): 2 * loss_ref})
    grads = {k: (float(v) if not per_feature and k == "alpha_prelu" and np.ndim(v) == 0 else v)
             for k, v in grads.items() if k in grads_ref}  # extra entries (dx, ...) are the student's own
    assert_close(grads, grads_ref, name="grads",
                 alternatives={cause("weight-grads-transposed"): {k: (v.T if np.ndim(v) == 2 else v)
                                                                  for k, v in grads_ref.items()}})

    def f(params):
        return net(x, y, params["W1"], params["W2"], params["W3"],
                   params["alpha_prelu"] if per_feature else float(params["alpha_prelu"]), alpha_elu)[0]
    check_gradient(f, {"W1": W1, "W2": W2, "W3": W3, "alpha_prelu": np.asarray(alpha, dtype=np.float64)},
                   {k: np.asarray(grads[k], dtype=np.float64) for k in ("W1", "W2", "W3", "alpha_prelu")}, rng=rng,
                   what="the loss returned by prelu_elu_net")
