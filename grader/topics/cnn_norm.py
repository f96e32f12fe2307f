"""Topic check: the layout of the three-layer conv net with batch norm, pinned at generic parameters.

The consistency test of a net with batch norm (its gradients against finite differences of its own loss)
and the last-layer pin (``pins.check_last_bias_pin``, W3 = 0) cannot see what comes before the last layer:
a net without its second ReLU, or with a batch norm over the wrong axes, passed both. The c147 starter
fixes the net up to where the normalizations go,

    conv - [spatial batch norm] - relu - 2x2 max pool - affine - [batch norm] - relu - affine - softmax,

and correct code puts the spatial batch norm before the ReLU, after it or after the pool, and the hidden
batch norm before or after its ReLU. A net built with reg = 0 must give, at ``draws`` random parameters and
inputs, the training losses ``loss(X, y)`` (softmax loss of the scores) of one of these layouts, with
spatial batch norm = per channel over (N, H, W), batch norm = per unit over N, and
x̂ = (x − μ)/√(σ² + eps), eps 1e-5 or 1e-10, or (x − μ)/(σ + 1e-5). A draw is kept when these forms of
eps change no accepted layout's loss by more than ``EPS_SPREAD``, half the tolerance (a batch whose
ReLUs leave a unit nearly constant makes eps matter). Several draws, because one wrong loss can land
near one of the accepted layouts' by chance (benchmarks/cnn_norm_study.py: over 1000 seeds no miss, no false
failure).

The student's normalization parameters are told apart by size (``num_filters`` entries: the spatial batch
norm; ``hidden_dim``: the hidden one) and, within a pair, by name (gamma/scale, beta/shift); a pair whose
names do not tell gets one value for both, so that either reading gives the same net. A layer without a
pair is taken as not normalized.
"""

import itertools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from grader.checks import CheckFailure
from grader.checks.compare import assert_close, compare
from grader.checks.misconceptions import cause, register
from grader.checks.values import student_scalar
from grader.sandbox import type_name
from grader.topics.helpers import fetch_data, loss_pair, write_entries

SPATIAL_PLACES = ("before relu", "after relu", "after pool")
HIDDEN_PLACES = ("before relu", "after relu")
EPS_FORMS = ((1e-5, True), (1e-10, True), (1e-5, False))  # (eps, inside the square root)
RTOL = 1e-4         # the tolerance of the loss, relative
EPS_SPREAD = 5e-5   # the largest effect of the form of eps on a draw's loss, relative (half the tolerance)
DRAWS = 100
register("norm-per-pixel", "batch norm per pixel instead of per channel (spatial batch norm)")
register("cnn-relu-missing", "a ReLU of the conv net left out", "the ReLU after {layer} left out")
register("cnn-norm-missing", "a batch norm of the conv net not applied", "{which} not applied")
PER_PIXEL = cause("norm-per-pixel")
SCALE_WORDS, SHIFT_WORDS = ("gamma", "scale", "weight"), ("beta", "shift", "bias")


def _conv(X, W, b):
    """Convolution, stride 1, pad (fs − 1)/2: (N, C, H, W) → (N, F, H, W)."""
    pad = (W.shape[2] - 1) // 2
    padded = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(padded, W.shape[2:], axis=(2, 3))   # (N, C, H, W, fs, fs)
    return np.tensordot(windows, W, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2) + b[None, :, None, None]


def _pool(x):
    """2×2 max pool, stride 2, over the last two axes."""
    H, W = x.shape[-2:]
    cropped = x[..., :H // 2 * 2, :W // 2 * 2]
    return cropped.reshape(*x.shape[:-2], H // 2, 2, W // 2, 2).max(axis=(-3, -1))


def _norm(x, gamma, beta, axes, forms):
    """gamma·x̂ + beta with x̂ = (x − mean)/√(var + eps) (or /(√var + eps)) over ``axes`` of ``x`` (its axis 0
    runs over ``forms``, the (eps, inside) pairs; gamma and beta act on axis 2, the channels or units)."""
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    eps = np.array([e for e, _ in forms]).reshape((-1,) + (1,) * (x.ndim - 1))
    inside = np.array([i for _, i in forms]).reshape(eps.shape)
    std = np.where(inside, np.sqrt(var + eps), np.sqrt(var) + eps)
    shape = [1] * x.ndim
    shape[2] = x.shape[2]
    return gamma.reshape(shape) * (x - mean) / std + beta.reshape(shape)


def layout_losses(p, X, y, *, spatial=None, hidden=None, relu1=True, relu2=True, per_pixel=False,
                  forms=((1e-5, True),), conv=None):
    """The training losses, one per form of eps in ``forms`` ((eps, inside the square root) pairs), of the
    net with canonical parameters ``p`` (W1..b3; ``sg``, ``sb``: the spatial batch norm's gamma and beta,
    ``hg``, ``hb``: the hidden one's), the spatial batch norm at ``spatial`` (one of SPATIAL_PLACES, None:
    none) and the hidden one at ``hidden``; ``relu1``/``relu2`` False leave a ReLU out, ``per_pixel``
    normalizes each (channel, row, column) over N (a misconception); ``conv``: the convolution's output
    when known."""
    axes = (1,) if per_pixel else (1, 3, 4)   # axis 0 runs over the forms of eps

    def spatial_norm(h, place):
        return _norm(h, p["sg"], p["sb"], axes, forms) if spatial == place else h

    def hidden_norm(h, place):
        return _norm(h, p["hg"], p["hb"], (1,), forms) if hidden == place else h

    conv = _conv(X, p["W1"], p["b1"]) if conv is None else conv
    h = spatial_norm(np.broadcast_to(conv, (len(forms),) + conv.shape), "before relu")
    h = spatial_norm(np.maximum(h, 0) if relu1 else h, "after relu")
    h = spatial_norm(_pool(h), "after pool")
    h = hidden_norm(h.reshape(len(forms), len(X), -1) @ p["W2"] + p["b2"], "before relu")
    h = hidden_norm(np.maximum(h, 0) if relu2 else h, "after relu")
    scores = h @ p["W3"] + p["b3"]
    shifted = scores - scores.max(axis=2, keepdims=True)
    return np.mean(np.log(np.exp(shifted).sum(axis=2)) - shifted[:, np.arange(len(y)), y], axis=1)


def layout_loss(p, X, y, *, eps=1e-5, inside=True, **layout):
    """The training loss of one layout (``layout_losses``) with one form of eps."""
    return float(layout_losses(p, X, y, forms=((eps, inside),), **layout)[0])


def _role(name):
    lower = str(name).lower()
    if any(word in lower for word in SCALE_WORDS):
        return "gamma"
    return "beta" if any(word in lower for word in SHIFT_WORDS) else None


def _pair(names):
    """(gamma key, beta key, tied) of a pair of the student's parameter names; ``tied`` when the names do
    not tell which is which (both then get one value)."""
    first, second = names
    roles = (_role(first), _role(second))
    if roles == ("beta", "gamma"):
        return second, first, False
    return first, second, roles != ("gamma", "beta")


def norm_pairs(params, dims):
    """``{"s": (gamma key, beta key, tied) or None, "h": ...}``: the student's spatial and hidden batch norm
    parameters, told apart by size. CheckFailure when the extra parameters are not such pairs."""
    C, H, W = dims["input_dim"]
    F, hidden = dims["num_filters"], dims["hidden_dim"]
    extra = {k: np.shape(v) for k, v in params.items() if k not in ("W1", "b1", "W2", "b2", "W3", "b3")}
    by_size = {F: [], hidden: []}
    per_pixel = [k for k, shape in extra.items() if int(np.prod(shape)) in (F * H * W, F * (H // 2) * (W // 2))]
    if per_pixel:
        raise CheckFailure(f"with use_batchnorm=True, params {per_pixel} have shapes "
                           f"{[extra[k] for k in per_pixel]}: one scale or shift per pixel of the conv layer's "
                           f"output; spatial batch norm normalizes each channel over the batch and the image, "
                           f"with one gamma and one beta per channel (shape ({F},))",
                           diagnosis=PER_PIXEL)
    for key, shape in extra.items():
        if int(np.prod(shape)) not in by_size:
            raise CheckFailure(f"with use_batchnorm=True, params[{key!r}] has shape {shape}: the normalization "
                               f"parameters are one gamma and one beta per channel ({F},) for the spatial batch "
                               f"norm and per hidden unit ({hidden},) for the batch norm")
        by_size[int(np.prod(shape))].append(key)
    pairs = {}
    for label, size, what in (("s", F, "spatial batch norm"), ("h", hidden, "batch norm of the hidden layer")):
        keys = sorted(by_size[size], key=str)
        if len(keys) not in (0, 2):
            raise CheckFailure(f"with use_batchnorm=True, params {keys} have {size} entries each: the {what} "
                               "has two parameters of that size, gamma and beta")
        pairs[label] = _pair(keys) if keys else None
    return pairs


def _draw(rng, dims, pairs, N):
    """Canonical parameters (W1..b3, and the norms' ``sg, sb, hg, hb``), X and y."""
    C, H, W = dims["input_dim"]
    F, hidden, classes, fs = dims["num_filters"], dims["hidden_dim"], dims["num_classes"], dims["filter_size"]
    shapes = {"W1": (F, C, fs, fs), "b1": (F,), "W2": (F * (H // 2) * (W // 2), hidden), "b2": (hidden,),
              "W3": (hidden, classes), "b3": (classes,)}
    p = {}
    for name, shape in shapes.items():
        fan_in = int(np.prod(shape[1:])) if name == "W1" else shape[0]
        p[name] = rng.standard_normal(shape) * (0.3 if name.startswith("b") else 1.5 / np.sqrt(fan_in))
    for label, size in (("s", F), ("h", hidden)):
        p[label + "g"] = rng.uniform(0.5, 1.5, size)
        p[label + "b"] = p[label + "g"] if pairs[label] and pairs[label][2] else rng.uniform(-0.5, 0.5, size)
    X = rng.standard_normal((N, C, H, W))
    return p, X, rng.integers(0, classes, size=N)


def accepted_layouts(pairs):
    """The (spatial, hidden) placements a correct net with these parameter pairs may have."""
    spatial = SPATIAL_PLACES if pairs["s"] else (None,)
    hidden = HIDDEN_PLACES if pairs["h"] else (None,)
    return list(itertools.product(spatial, hidden))


def conditioned_case(rng, dims, pairs, N):
    """``(case, losses)``: a draw ``(p, X, y)`` where, in every accepted layout, the forms of eps change the
    loss by at most EPS_SPREAD (relative), and ``losses[(spatial, hidden, eps, inside)]`` the loss of each
    accepted layout and form of eps on it; after DRAWS tries, the last draw."""
    for _ in range(DRAWS):
        case = _draw(rng, dims, pairs, N)
        conv = _conv(case[1], case[0]["W1"], case[0]["b1"])
        forms = {(s, h): layout_losses(*case, spatial=s, hidden=h, forms=EPS_FORMS, conv=conv)
                 for s, h in accepted_layouts(pairs)}
        if all(np.ptp(v) <= EPS_SPREAD * abs(v[0]) for v in forms.values()):
            break
    losses = {(s, h, eps, inside): float(v[i]) for (s, h), v in forms.items()
              for i, (eps, inside) in enumerate(EPS_FORMS)}
    return case, losses


def _student_params(p, params, pairs):
    """``p`` under the student's names and shapes."""
    out = {k: p[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3")}
    for label in ("s", "h"):
        if pairs[label]:
            gamma_key, beta_key, _ = pairs[label]
            out[gamma_key] = p[label + "g"].reshape(np.shape(params[gamma_key]))
            out[beta_key] = p[label + "b"].reshape(np.shape(params[beta_key]))
    return out


def _losses(cases, **layout):
    return np.array([layout_loss(p, X, y, **layout) for p, X, y in cases])


def check_cnn_norm_layout(net, rng, dims, *, N=16, draws=3):
    """The training losses of ``net`` (a ThreeLayerConvNet built with batch norm, reg = 0 and ``dims``) at
    ``draws`` random parameters and inputs are those of one accepted layout (module docstring). Several
    draws: a wrong net's single loss can land near one of the accepted layouts' by chance."""
    params = fetch_data(net.params)
    if not isinstance(params, dict):
        raise CheckFailure(f"ThreeLayerConvNet.params should be a dict of arrays, got {type_name(params)}")
    pairs = norm_pairs(params, dims)
    cases, candidates = zip(*(conditioned_case(rng, dims, pairs, N) for _ in range(draws)))
    values = []
    for p, X, y in cases:
        write_entries(net.params, _student_params(p, params, pairs))
        result = fetch_data(net.loss(X.copy(), y.copy()))
        loss_pair(result, grads_dict=False)
        values.append(student_scalar(result[0], "the loss returned by loss(X, y)"))
    values = np.array(values)
    accepted = [np.array([losses[key] for losses in candidates]) for key in candidates[0]]
    if any(compare(values, losses, rtol=RTOL).ok for losses in accepted):
        return
    canonical = dict(spatial="before relu" if pairs["s"] else None, hidden="before relu" if pairs["h"] else None)
    alternatives = {}
    if pairs["h"]:
        alternatives[cause("cnn-relu-missing", layer="the hidden affine layer")] = _losses(cases, relu2=False,
                                                                                           **canonical)
        alternatives[cause("cnn-norm-missing", which="batch norm of the hidden layer")] = _losses(
            cases, **dict(canonical, hidden=None))
    if pairs["s"]:
        alternatives[cause("cnn-relu-missing", layer="the convolution")] = _losses(cases, relu1=False, **canonical)
        alternatives[cause("cnn-norm-missing", which="spatial batch norm")] = _losses(cases, **dict(canonical,
                                                                                                  spatial=None))
        alternatives[PER_PIXEL] = _losses(cases, per_pixel=True, **canonical)
    nearest = min(accepted, key=lambda losses: float(np.max(np.abs(losses - values) / np.abs(losses))))
    try:
        assert_close(values, nearest, rtol=RTOL, alternatives=alternatives,
                     name=f"training loss at {draws} random parameter and input draws")
    except CheckFailure as exc:
        raise CheckFailure(f"{exc} The expected values are those of the nearest layout the starter allows: conv - "
                           "[spatial batch norm] - relu - 2x2 max pool - affine - [batch norm] - relu - affine - "
                           "softmax, each batch norm before or after its ReLU (the spatial one also after the "
                           "pool), per channel over (N, H, W) for the spatial one.", exc.diagnosis) from None


def _direction(rng, p, pairs):
    """A random direction in the canonical parameters; a pair whose names do not tell gamma from beta
    moves both alike (they hold one value)."""
    d = {k: rng.standard_normal(np.shape(v)) for k, v in p.items()}
    for label in ("s", "h"):
        if pairs[label] and pairs[label][2]:
            d[label + "b"] = d[label + "g"]
    return d


def _layout_slope(p, d, X, y, key, step):
    """(slope at ``step``, slope at ``step / 2``): central differences along ``d`` of the accepted layout
    ``key = (spatial, hidden, eps, inside)``'s loss; they disagree where a step crosses a kink."""
    spatial, hidden, eps, inside = key

    def loss(t):
        return layout_loss({k: v + t * d[k] for k, v in p.items()}, X, y, spatial=spatial, hidden=hidden,
                           eps=eps, inside=inside)
    return tuple((loss(t) - loss(-t)) / (2 * t) for t in (step, step / 2))


def check_cnn_norm_gradient(net, rng, dims, *, N=16, step=1e-5, rtol=1e-3):
    """At a random draw where ``net`` (batch norm, reg 0) has the loss of an accepted layout, the gradients
    it returns have, along a random direction d, the slope of that layout's loss computed here: Σ g·d =
    (L(θ + h·d) − L(θ − h·d)) / 2h within ``rtol``. A net whose gradients are 0 and whose loss is flat near
    every point it has seen agrees with its own finite differences, and fails here. A draw whose slopes at
    h and h/2 disagree (a kink) is drawn again; a loss of no accepted layout is left to
    ``check_cnn_norm_layout``."""
    params = fetch_data(net.params)
    if not isinstance(params, dict):
        raise CheckFailure(f"ThreeLayerConvNet.params should be a dict of arrays, got {type_name(params)}")
    pairs = norm_pairs(params, dims)
    for _ in range(DRAWS):
        (p, X, y), losses = conditioned_case(rng, dims, pairs, N)
        write_entries(net.params, _student_params(p, params, pairs))
        result = fetch_data(net.loss(X.copy(), y.copy()))
        loss_pair(result)
        value = student_scalar(result[0], "the loss returned by loss(X, y)")
        matched = [key for key, loss in losses.items() if compare(value, loss, rtol=RTOL).ok]
        if not matched:
            return
        d = _direction(rng, p, pairs)
        mine = _student_params(d, params, pairs)
        missing = sorted(k for k in mine if not isinstance(result[1].get(k), np.ndarray))
        if missing:
            raise CheckFailure(f"grads is missing {missing} (or holds no array there)")
        slope = sum(float(np.sum(np.asarray(result[1][k], dtype=np.float64).reshape(np.shape(v)) * v))
                    for k, v in mine.items())
        smooth = [s for s in (_layout_slope(p, d, X, y, key, step) for key in matched)
                  if abs(s[0] - s[1]) <= 1e-3 * rtol * (1 + abs(s[1]))]
        if not smooth:
            continue
        if any(abs(slope - s[1]) <= rtol * (1 + abs(s[1])) for s in smooth):
            return
        raise CheckFailure(f"At random parameters your loss(X, y) is that of the net's layout, but along a random "
                           f"direction its gradients give the slope {slope:.6g} where that loss changes at the rate "
                           f"{smooth[0][1]:.6g}: the gradients are not those of the loss.")
