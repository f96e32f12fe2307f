"""Pinning a dropout net's training loss and gradients at generic parameters, in distribution.

With dropout on, a net's training loss depends on its masks, and the masks on how the student draws
them, so the values cannot be pinned net by net; the layout-free pin (``pins.check_last_bias_pin``)
holds only at W_L = 0, which a net can recognise and answer honestly there alone. At generic
parameters θ the masks are unknown but their law is not: each hidden unit is kept with probability q
and scaled by 1/q. Over K nets built with different seeds, the means of the training loss L_k and of the
directional derivatives g_k·d_j of the returned gradients estimate E_m[L(θ, m)] and d_j·∇E_m[L(θ, m)].
The grader computes both over M Monte Carlo mask sets of the layout the starters fix,
``{affine - [norm] - relu - dropout} x (L-1) - affine - softmax`` (each mask set's loss and gradients
exactly, by backpropagation), and requires, for s = L and s = g·d_j,

    |mean_K(s) − E[s]| ≤ Z·SD[s]·√(1/K + 1/M) + 1e-6·(1 + |E[s]|)

(Z = 6: a correct net is outside on one statistic with probability ~2e-9 under the normal law of a mean
of K draws; the no-false-failure study in tests/topics/test_dropout_pin.py measures it). Directions:
d_1 = ∇E[L]/‖∇E[L]‖, along which a constant or zero-gradient net is furthest off, and two random unit
directions. Accepted (any one variant): keep probability q or 1 − q (years where p is the drop
probability: judged by the dropout tests, not here); masks of the layers from one reseeded stream (the
starters' ``np.random.seed(seed)`` in every dropout_forward: layer l's mask is the first N·H_l draws) or
independent; norm before or after the ReLU; penalty ½·reg·Σ‖W‖² or reg·Σ‖W‖².

The gradient check then runs on one of the K nets, chosen at random after all K have answered, and that
net must give the answer it gave here: no net can tell the calls of this pin from those of the check.
(A net dishonest on a small fraction f of its seeds moves the means little and is the one checked with
probability about f: the residual risk, measured in benchmarks/dropout_pin_study.py.)
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import accept_singleton_shape
from grader.checks.values import student_scalar
from grader.sandbox import type_name
from grader.topics.helpers import fetch_data, loss_pair

NETS = 48          # K: nets built with different seeds
MASKS = 2000       # M: Monte Carlo masks of the reference
Z = 6.0
EPS = 1e-10        # the consistency test writes this eps into the nets' normalization params


def _norm_forward(a, gamma, beta, normalization, eps):
    """Train-mode batch norm (each feature over the batch, axis 1) or layer norm (each example's features,
    axis 2) of ``a`` (M, N, H); returns (out, cache)."""
    axis = 1 if normalization == "batchnorm" else 2
    mean, var = a.mean(axis, keepdims=True), a.var(axis, keepdims=True)
    inv_std = 1 / np.sqrt(var + eps)
    normed = (a - mean) * inv_std
    return gamma * normed + beta, (normed, inv_std, gamma, axis)


def _norm_backward(dout, cache):
    """(dx, dgamma (M, H), dbeta (M, H)): dx = inv_std·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dx̂ = dout·γ."""
    normed, inv_std, gamma, axis = cache
    dnormed = dout * gamma
    dx = inv_std * (dnormed - dnormed.mean(axis, keepdims=True)
                    - normed * (dnormed * normed).mean(axis, keepdims=True))
    return dx, (dout * normed).sum(axis=1), dout.sum(axis=1)


def chain_loss_and_grads(params, X, y, masks, *, normalization=None, before_relu=True, factor=0.5, reg=0.0,
                         eps=EPS, relu=True):
    """Training losses (M,) and gradients {name: (M, *shape)}, one per mask set, of ``{affine - [norm] -
    relu - mask} x (L-1) - affine - softmax`` with penalty ``factor·reg·Σ‖W‖²``; ``masks[l]`` (M, N, H_l)
    multiplies layer l's ReLU output (kept units scaled by 1/q), norm before (or after) the ReLU;
    ``relu`` False: the ReLUs left out (a misconception's value)."""
    L = sum(1 for key in params if key.startswith("W"))
    M, N = masks[0].shape[0] if masks else 1, len(X)
    h = np.broadcast_to(X.reshape(1, N, -1), (M, N, X[0].size))
    caches = []
    for layer in range(1, L):
        cache = {"in": h}
        a = h @ params[f"W{layer}"] + params[f"b{layer}"]
        norm_args = (params.get(f"gamma{layer}"), params.get(f"beta{layer}"), normalization, eps)
        if normalization and before_relu:
            a, cache["norm"] = _norm_forward(a, *norm_args)
        cache["live"] = a > 0 if relu else np.ones(a.shape, dtype=bool)
        a = np.maximum(a, 0) if relu else a
        if normalization and not before_relu:
            a, cache["norm"] = _norm_forward(a, *norm_args)
        h = a * masks[layer - 1]
        caches.append(cache)
    scores = h @ params[f"W{L}"] + params[f"b{L}"]
    shifted = scores - scores.max(axis=2, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    onehot = np.eye(scores.shape[2])[y]
    squares = sum(float(np.sum(params[f"W{layer}"] ** 2)) for layer in range(1, L + 1))
    losses = (log_norm[..., 0] - (shifted * onehot).sum(axis=2)).mean(axis=1) + factor * reg * squares
    dout = (np.exp(shifted - log_norm) - onehot) / N
    grads = {f"W{L}": np.einsum("mni,mnj->mij", h, dout), f"b{L}": dout.sum(axis=1)}
    dh = dout @ params[f"W{L}"].T
    for layer in range(L - 1, 0, -1):
        cache = caches[layer - 1]
        da = dh * masks[layer - 1]
        if normalization and not before_relu:
            da, grads[f"gamma{layer}"], grads[f"beta{layer}"] = _norm_backward(da, cache["norm"])
        da = da * cache["live"]
        if normalization and before_relu:
            da, grads[f"gamma{layer}"], grads[f"beta{layer}"] = _norm_backward(da, cache["norm"])
        grads[f"W{layer}"] = np.einsum("mni,mnj->mij", cache["in"], da)
        grads[f"b{layer}"] = da.sum(axis=1)
        dh = da @ params[f"W{layer}"].T
    for layer in range(1, L + 1):
        grads[f"W{layer}"] = grads[f"W{layer}"] + 2 * factor * reg * params[f"W{layer}"]
    return losses, grads


def draw_masks(rng, M, N, widths, keep, shared):
    """M mask sets for hidden layers of these widths: Bernoulli(keep)/keep; ``shared``: every layer's mask
    is the start of one stream of draws (a dropout reseeded with the same seed in each layer)."""
    if shared:
        stream = rng.random((M, N * max(widths)))
        draws = [stream[:, :N * w].reshape(M, N, w) for w in widths]
    else:
        draws = [rng.random((M, N, w)) for w in widths]
    return [(u < keep) / keep for u in draws]


def _unit(direction):
    norm = np.sqrt(sum(float(np.sum(v ** 2)) for v in direction.values()))
    return {k: v / norm for k, v in direction.items()} if norm > 0 else direction


def _dots(grads, direction):
    """Per-mask directional derivatives (M,) of per-mask gradients {name: (M, *shape)}."""
    return sum((grads[k] * direction[k]).reshape(len(grads[k]), -1).sum(axis=1) for k in direction)


def _dot(grads, direction):
    return sum(float(np.sum(grads[k] * direction[k])) for k in direction)


def _answer(model, params, X, y):
    """The (loss, grads) a net gives at ``params`` for (X, y), as plain float64 values."""
    model.set_params(params)
    result = fetch_data(model.loss(X.copy(), y.copy()))
    loss_pair(result)
    loss = student_scalar(result[0], "the loss returned by loss(X, y)")
    grads = {}
    for key, value in params.items():
        given = result[1].get(key)
        if not isinstance(given, np.ndarray):
            raise CheckFailure(f"grads[{key!r}] should be an array, got {type_name(given)}")
        given = accept_singleton_shape(given, value.shape, f"grads[{key!r}]")
        if given.shape != value.shape or given.dtype.kind not in "iuf" or not np.all(np.isfinite(given)):
            raise CheckFailure(f"grads[{key!r}] should hold finite numbers of shape {value.shape}; got "
                               f"shape {given.shape}, dtype {given.dtype}")
        grads[key] = given.astype(np.float64)
    return loss, grads


def check_dropout_pin(make, params, X, y, rng, *, keep, normalization=None, reg=0.0, prepare=None):
    """The pin of the module docstring. ``make(seed)`` builds the net under test (canonical ``Model``)
    with that seed; ``prepare(model)`` (optional) runs on each before its answer. Returns ``(model,
    answer)``: the net chosen for the gradient check and the (loss, grads) it gave here. Raises
    CheckFailure."""
    params = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    seeds = rng.choice(2 ** 31 - 1, size=NETS, replace=False) + 1
    models, answers = [], []
    for seed in seeds:
        model = make(int(seed))
        if prepare is not None:
            prepare(model)
        models.append(model)
        answers.append(_answer(model, params, X, y))
    widths = [params[f"W{layer}"].shape[1] for layer in range(1, sum(k.startswith("W") for k in params))]
    masks_rng = np.random.default_rng(rng.integers(2 ** 63))
    variants = [dict(keep=k, shared=s, before_relu=b, factor=f)
                for k in (keep, 1 - keep) for s in (True, False) for b in ((True, False) if normalization else (True,))
                for f in ((0.5, 1.0) if reg else (0.5,))]
    checked = []
    for variant in variants:
        masks = draw_masks(masks_rng, MASKS, len(X), widths, variant["keep"], variant["shared"])
        losses, grads = chain_loss_and_grads(params, X, y, masks, normalization=normalization,
                                             before_relu=variant["before_relu"], factor=variant["factor"], reg=reg)
        if not checked:
            mean_gradient = {k: v.mean(axis=0) for k, v in grads.items()}
            directions = [_unit(mean_gradient), *(_unit({k: rng.standard_normal(v.shape) for k, v in params.items()})
                                                  for _ in range(2))]
            student = np.array([[loss, *(_dot(g, d) for d in directions)] for loss, g in answers])
            observed = student.mean(axis=0)
        reference = [losses, *(_dots(grads, d) for d in directions)]
        expected = np.array([s.mean() for s in reference])
        spread = np.array([s.std() for s in reference]) * np.sqrt(1 / NETS + 1 / MASKS)
        bound = Z * spread + 1e-6 * (1 + np.abs(expected))
        if np.all(np.abs(observed - expected) <= bound):
            chosen = int(rng.integers(NETS))
            return models[chosen], answers[chosen]
        checked.append((expected, bound))
    expected, bound = checked[0]
    worst = int(np.argmax(np.abs(observed - expected) / bound))
    what = ("mean training loss" if worst == 0 else
            "mean of your gradients along the gradient of the expected loss" if worst == 1 else
            "mean of your gradients along a random direction")
    raise CheckFailure(
        f"Over {NETS} nets built with different seeds at the same parameters and input, the {what} is "
        f"{observed[worst]:.6g}; a net with dropout (keep {keep:g}) gives {expected[worst]:.6g} on average "
        f"(± {bound[worst]:.2g} allowed). Your training loss or its gradients are not those of the net's "
        "layout {affine - " + ("[norm] - " if normalization else "") + "relu - dropout} x (L-1) - affine - "
        "softmax averaged over dropout masks.")


def check_same_answer(pinned, result):
    """The net chosen for the gradient check gives at the pin's point the (loss, grads) it gave in the pin
    (same parameters, input and seed: a deterministic net repeats itself bit for bit; 1e-9 relative)."""
    loss, grads = pinned
    again = student_scalar(result[0], "the loss returned by loss(X, y)")
    same = abs(again - loss) <= 1e-9 * max(1.0, abs(loss)) and all(
        isinstance(result[1].get(k), np.ndarray) and result[1][k].size == v.size
        and np.allclose(np.reshape(result[1][k], v.shape), v, rtol=1e-9, atol=1e-12) for k, v in grads.items())
    if not same:
        raise CheckFailure("Called twice with the same parameters, input and seed, your net's loss(X, y) gave "
                           f"different values (loss {loss:.10g}, then {again:.10g}): its training loss and "
                           "gradients must depend only on them.")
