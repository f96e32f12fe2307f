"""Topic checks: recurrent layers (cs231n a3 ``rnn_layers.py``); every cache is the student's own.

Layers (``kind``) and their canonical forms, as in cs231n:

* ``rnn_step``: ``rnn_step_forward(x, prev_h, Wx, Wh, b) -> (next_h, cache)``, ``next_h = tanh(x Wx + prev_h Wh + b)``;
  ``rnn_step_backward(dnext_h, cache) -> (dx, dprev_h, dWx, dWh, db)``.
* ``rnn``: ``rnn_forward(x (N, T, D), h0, Wx, Wh, b) -> (h (N, T, H), cache)``; ``rnn_backward(dh, cache) ->
  (dx, dh0, dWx, dWh, db)`` where ``dh`` is the upstream gradient of every hidden state.
* ``lstm_step``: ``lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b) -> (next_h, next_c, cache)``, gates i, f, o, g
  in that column order; ``lstm_step_backward(dnext_h, dnext_c, cache) -> (dx, dprev_h, dprev_c, dWx, dWh, db)``.
* ``lstm``: ``lstm_forward(x, h0, Wx, Wh, b) -> (h, cache)`` (initial cell 0); ``lstm_backward(dh, cache) ->
  (dx, dh0, dWx, dWh, db)``.
* ``word_embedding``: ``word_embedding_forward(x (N, T) ints, W (V, D)) -> (W[x], cache)``;
  ``word_embedding_backward(dout, cache) -> dW`` (repeated words add up).
* ``temporal_affine``: ``temporal_affine_forward(x, w, b) -> (out, cache)``; backward ``-> (dx, dw, db)``.
* ``temporal_softmax_loss(x (N, T, V), y (N, T), mask (N, T)) -> (loss, dx)``: sum over T of the masked
  cross-entropies, mean over N.

A pair is bound with :func:`own_pair` (the forward's cache is kept in the worker and handed to the backward).
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import accept_singleton_shape, assert_close, compare
from grader.checks.gradcheck import check_gradient
from grader.checks.misconceptions import cause, register
from grader.checks.values import Scalarised
from grader.sandbox import is_remote
from grader.topics.helpers import as_tuple, fetch_data, pin_own_gradient

# kind -> (input names, number of outputs before the cache, names of the gradients, in order)
LAYERS = {
    "rnn_step": (("x", "prev_h", "Wx", "Wh", "b"), 1, ("x", "prev_h", "Wx", "Wh", "b")),
    "rnn": (("x", "h0", "Wx", "Wh", "b"), 1, ("x", "h0", "Wx", "Wh", "b")),
    "lstm_step": (("x", "prev_h", "prev_c", "Wx", "Wh", "b"), 2, ("x", "prev_h", "prev_c", "Wx", "Wh", "b")),
    "lstm": (("x", "h0", "Wx", "Wh", "b"), 1, ("x", "h0", "Wx", "Wh", "b")),
    "word_embedding": (("x", "W"), 1, ("W",)),
    "temporal_affine": (("x", "w", "b"), 1, ("x", "w", "b")),
}

OUTPUTS = {"rnn_step": ("next_h",), "rnn": ("h",), "lstm_step": ("next_h", "next_c"), "lstm": ("h",),
           "word_embedding": ("out",), "temporal_affine": ("out",)}


def own_pair(forward, backward, outputs=1):
    """``run(args, douts) -> (outs, grads)``: the student's forward, then their backward on their own cache
    (kept in the worker for sandbox functions); ``outputs`` values precede the cache in the forward's result."""
    def run(args, douts):
        if is_remote(forward):
            kept = forward.keep(*args)
            outs = tuple(fetch_data(kept[i]) for i in range(outputs))
            return outs, backward(*douts, kept[outputs])
        result = as_tuple(forward(*args), outputs + 1, "the forward pass")
        return tuple(result[:outputs]), backward(*douts, result[outputs])
    return run


def make_case(kind, rng, *, N=3, T=4, D=5, H=4, V=6):
    """Inputs of ``kind`` (dict in argument order) and the upstream gradients of its outputs."""
    w = lambda *shape: 0.4 * rng.standard_normal(shape)  # noqa: E731 (keeps tanh/sigmoid out of saturation)
    gates = 4 if kind.startswith("lstm") else 1
    if kind in ("rnn_step", "lstm_step"):
        args = {"x": rng.standard_normal((N, D)), "prev_h": rng.standard_normal((N, H))}
        if kind == "lstm_step":
            args["prev_c"] = rng.standard_normal((N, H))
        args.update(Wx=w(D, gates * H), Wh=w(H, gates * H), b=w(gates * H))
        douts = tuple(rng.standard_normal((N, H)) for _ in range(LAYERS[kind][1]))
    elif kind in ("rnn", "lstm"):
        args = {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)),
                "Wx": w(D, gates * H), "Wh": w(H, gates * H), "b": w(gates * H)}
        douts = (rng.standard_normal((N, T, H)),)
    elif kind == "word_embedding":
        args = {"x": rng.integers(0, V, size=(N, T)), "W": rng.standard_normal((V, D))}
        douts = (rng.standard_normal((N, T, D)),)
    elif kind == "temporal_affine":
        args = {"x": rng.standard_normal((N, T, D)), "w": rng.standard_normal((D, H)), "b": rng.standard_normal(H)}
        douts = (rng.standard_normal((N, T, H)),)
    else:
        raise ValueError(f"unknown layer kind {kind!r}")
    return args, douts


def _copies(args):
    return tuple(v.copy() for v in args.values())


def _swap_og(a, H):
    """Columns of a gate matrix with the o and g blocks exchanged (gate order i, f, g, o)."""
    return np.concatenate([a[..., :2 * H], a[..., 3 * H:], a[..., 2 * H:3 * H]], axis=-1)


register("lstm-gate-order", "gate order i, f, g, o used; the columns of a are i, f, o, g")
register("rnn-bias-missing", "the bias b was left out")
register("tanh-at-preactivation", "tanh derivative taken at the pre-activation (use 1 − next_h²)")
register("rnn-no-recurrent-grad", "the gradient flowing back from step t+1 is not added to dh[:, t]")
register("tanh-c-from-h", "the derivative of tanh(c) taken from h: use 1 - tanh(c)**2, not 1 - h**2")
register("embedding-overwrite", "repeated words overwrite instead of adding up (use np.add.at)")
register("temporal-averaged-nt", "averaged over N·T instead of summed over T and averaged over N")
register("temporal-averaged-unmasked", "averaged over the unmasked entries instead of over N")
register("temporal-mask-ignored", "the mask was ignored")


def _forward_alternatives(kind, args, ref):
    """Reference values of typical forward misconceptions of ``kind``, by misconception id (a golden
    value: a kit replays it from JSON, so its keys are plain ids)."""
    if kind in ("lstm_step", "lstm"):
        H = args["Wh"].shape[0]
        swapped = dict(args, Wx=_swap_og(args["Wx"], H), Wh=_swap_og(args["Wh"], H), b=_swap_og(args["b"], H))
        outs = getattr(ref, f"{kind}_forward")(*swapped.values())[:LAYERS[kind][1]]
        return {"lstm-gate-order": tuple(outs)}
    if kind in ("rnn_step", "rnn"):
        out = getattr(ref, f"{kind}_forward")(*dict(args, b=np.zeros_like(args["b"])).values())[0]
        return {"rnn-bias-missing": (out,)}
    return {}


def check_forward(kind, forward, golden, rng, **sizes):
    """The outputs of ``<kind>_forward`` match the reference."""
    args, _ = make_case(kind, rng, **sizes)
    count = LAYERS[kind][1]
    key = f"{kind}_forward_{sorted(sizes.items())}"
    expected = tuple(golden(key, lambda ref: tuple(getattr(ref, f"{kind}_forward")(*_copies(args))[:count])))
    alternatives = golden(key + "_alternatives", lambda ref: _forward_alternatives(kind, args, ref))
    result = as_tuple(forward(*_copies(args)), count + 1, f"{kind}_forward")
    keys = OUTPUTS[kind]
    assert_close(dict(zip(keys, (fetch_data(v) for v in result[:count]))), dict(zip(keys, expected)),
                 name="outputs", alternatives={cause(k): dict(zip(keys, v)) for k, v in alternatives.items()})


def _backward_alternatives(kind, args, douts, ref):
    """Reference values of typical backward misconceptions of ``kind``, by misconception id."""
    if kind == "rnn_step":
        a = args["x"] @ args["Wx"] + args["prev_h"] @ args["Wh"] + args["b"]
        da = douts[0] * (1 - a ** 2)
        return {"tanh-at-preactivation":
                (da @ args["Wx"].T, da @ args["Wh"].T, args["x"].T @ da, args["prev_h"].T @ da, da.sum(0))}
    if kind == "rnn":
        _, (_, _, Wx, Wh, steps) = ref.rnn_forward(*args.values())
        dx = np.zeros_like(args["x"])
        dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[1])
        for t in reversed(range(args["x"].shape[1])):
            dx[:, t], dh0, gx, gh, gb = ref.rnn_step_backward(douts[0][:, t], steps[t])
            dWx, dWh, db = dWx + gx, dWh + gh, db + gb
        return {"rnn-no-recurrent-grad": (dx, dh0, dWx, dWh, db)}
    if kind == "lstm_step":
        cache = ref.lstm_step_forward(*_copies(args))[2]
        return {"tanh-c-from-h": _lstm_step_backward_h(*douts, cache)}
    if kind == "lstm":
        return {"tanh-c-from-h": _lstm_backward_h(douts[0], ref.lstm_forward(*_copies(args))[1])}
    if kind == "word_embedding":
        dW = np.zeros_like(args["W"])
        dW[args["x"].ravel()] += douts[0].reshape(-1, dW.shape[1])
        return {"embedding-overwrite": (dW,)}
    return {}


def _lstm_step_backward_h(dnext_h, dnext_c, cache):
    """The reference ``lstm_step_backward`` (its cache) with ``1 − next_h²`` in place of ``1 − tanh²(next_c)``
    in ``dc = dnext_c + dnext_h · o · (1 − tanh²(next_c))`` (a misconception's value)."""
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c = cache
    dc = dnext_c + dnext_h * o * (1.0 - (o * tanh_c) ** 2)
    da = np.concatenate([dc * g * i * (1.0 - i), dc * prev_c * f * (1.0 - f),
                         dnext_h * tanh_c * o * (1.0 - o), dc * i * (1.0 - g ** 2)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def _lstm_backward_h(dh, cache):
    """The reference ``lstm_backward`` (its cache) stepping back with :func:`_lstm_step_backward_h`."""
    x_shape, h0_shape, Wx, Wh, steps = cache
    dx = np.zeros(x_shape)
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(Wh.shape[1])
    dprev_h, dprev_c = np.zeros(h0_shape), np.zeros(h0_shape)
    for t in reversed(range(x_shape[1])):
        dx[:, t], dprev_h, dprev_c, gx, gh, gb = _lstm_step_backward_h(dh[:, t] + dprev_h, dprev_c, steps[t])
        dWx, dWh, db = dWx + gx, dWh + gh, db + gb
    return dx, dprev_h, dWx, dWh, db


def check_backward(kind, run, golden, rng, **sizes):
    """``<kind>_backward`` on the student's own forward's cache matches the reference gradients."""
    args, douts = make_case(kind, rng, **sizes)
    _, _, grad_names = LAYERS[kind]
    key = f"{kind}_backward_{sorted(sizes.items())}"

    def reference(ref):
        cache = getattr(ref, f"{kind}_forward")(*_copies(args))[-1]
        return as_tuple(getattr(ref, f"{kind}_backward")(*douts, cache), len(grad_names), kind)
    expected = tuple(golden(key, reference))
    alternatives = golden(key + "_alternatives", lambda ref: _backward_alternatives(kind, args, douts, ref))
    forward_ref = golden(key + "_forward", lambda ref: getattr(ref, f"{kind}_forward")(*_copies(args))[:-1])
    outs, grads = run(_copies(args), tuple(d.copy() for d in douts))
    grads = tuple(fetch_data(g) for g in as_tuple(grads, len(grad_names), f"{kind}_backward"))
    keys = tuple("d" + n for n in grad_names)
    try:
        assert_close(dict(zip(keys, grads)), dict(zip(keys, expected)), name="grads",
                     alternatives={cause(k): dict(zip(keys, v)) for k, v in alternatives.items()})
    except CheckFailure as failure:
        if not compare(tuple(outs), tuple(forward_ref), name="outputs").ok:  # the cache came from it
            raise CheckFailure(f"{failure} Note: your {kind}_forward gives other outputs than the reference "
                               "on these inputs, and this backward ran on its cache: fix the forward first, "
                               "then check this test again (the backward may well be right).",
                               failure.diagnosis) from None
        raise


def check_own_gradient(kind, forward, run, rng, golden=None, **sizes):
    """The student's ``<kind>_backward`` agrees with finite differences of their own ``<kind>_forward``:
    f = Σ_k Σ out_k · dout_k; with ``golden``, also the reference pin (helpers.pin_own_gradient)."""
    args, douts = make_case(kind, rng, **sizes)
    _, count, grad_names = LAYERS[kind]
    outs, grads = run(_copies(args), tuple(d.copy() for d in douts))
    grads = tuple(fetch_data(g) for g in as_tuple(grads, len(grad_names), f"{kind}_backward"))
    if golden is not None:
        def reference(ref):
            *ref_outs, cache = getattr(ref, f"{kind}_forward")(*_copies(args))
            return tuple(ref_outs), as_tuple(getattr(ref, f"{kind}_backward")(*douts, cache), len(grad_names), kind)
        ref_outs, ref_grads = golden(f"{kind}_own_pin_{sorted(sizes.items())}", reference)
        keys = tuple("d" + n for n in grad_names)
        pin_own_gradient(tuple(fetch_data(o) for o in outs), ref_outs, dict(zip(keys, grads)),
                         dict(zip(keys, ref_grads)))

    def f(point):
        values = {k: point.get(k, v) for k, v in args.items()}
        result = as_tuple(forward(*_copies(values)), count + 1, f"{kind}_forward")
        outputs = [accept_singleton_shape(np.asarray(fetch_data(o), dtype=np.float64), d.shape,
                                          f"{kind}_forward's output") for o, d in zip(result[:count], douts)]
        for o, d in zip(outputs, douts):
            if o.shape != d.shape:
                raise CheckFailure(f"{kind}_forward returned an output of shape {o.shape}, expected {d.shape}")
        terms = [o * d for o, d in zip(outputs, douts)]
        return Scalarised(float(sum(t.sum() for t in terms)), float(sum(np.abs(t).sum() for t in terms)))
    check_gradient(f, {n: args[n] for n in grad_names}, dict(zip(grad_names, grads)), rng=rng)


# ---------------------------------------------------------------- temporal softmax loss

def _loss_case(rng, N, T, V):
    x = rng.standard_normal((N, T, V))
    y = rng.integers(0, V, size=(N, T))
    mask = rng.random((N, T)) > 0.3
    mask[0, 0], mask[-1, -1] = True, False
    return x, y, mask


def check_temporal_softmax_loss(loss_fn, golden, rng, *, N=4, T=5, V=6):
    """loss = −(1/N) Σ_{n,t} mask[n,t]·log softmax(x[n,t])[y[n,t]] and its gradient dx (N, T, V)."""
    x, y, mask = _loss_case(rng, N, T, V)
    key = f"temporal_softmax_{N}_{T}_{V}"
    loss_ref, dx_ref = golden(key, lambda ref: ref.temporal_softmax_loss(x, y, mask))
    unmasked = golden(key + "_unmasked", lambda ref: ref.temporal_softmax_loss(x, y, np.ones_like(mask)))
    count = int(mask.sum())
    loss, dx = as_tuple(loss_fn(x.copy(), y.copy(), mask.copy()), 2, "temporal_softmax_loss")
    assert_close(loss, loss_ref, name="loss", context={"N": N}, alternatives={
        cause("temporal-averaged-nt"): loss_ref / T,
        cause("temporal-averaged-unmasked"): loss_ref * N / count,
        cause("temporal-mask-ignored"): unmasked[0]})
    assert_close(dx, dx_ref, name="dx", context={"N": N}, alternatives={
        cause("temporal-averaged-nt"): dx_ref / T,
        cause("temporal-mask-ignored"): unmasked[1]})


def check_temporal_softmax_gradient(loss_fn, rng, *, N=3, T=4, V=5):
    """dx agrees with finite differences of the same function's loss."""
    x, y, mask = _loss_case(rng, N, T, V)
    _, dx = as_tuple(loss_fn(x.copy(), y.copy(), mask.copy()), 2, "temporal_softmax_loss")

    def f(point):
        return fetch_data(loss_fn(point["x"], y.copy(), mask.copy())[0])
    check_gradient(f, {"x": x}, {"x": fetch_data(dx)}, rng=rng, what="the loss returned by temporal_softmax_loss")
