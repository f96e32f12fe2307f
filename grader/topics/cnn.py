"""Topic checks: the three-layer convolutional network (c147 ``nndl/cnn.py``, cs231n ``classifiers/cnn.py``).

Architecture: conv (stride 1, pad (fs−1)/2) − [spatial batch norm] − relu − 2×2 max pool (stride 2) −
affine − [batch norm] − relu − affine − softmax; loss = softmax loss + ½·reg·(‖W1‖² + ‖W2‖² + ‖W3‖²).

Canonical form: ``make_net(**kwargs) -> net`` builds the student's ``ThreeLayerConvNet`` with the keyword
arguments ``input_dim, num_filters, filter_size, hidden_dim, num_classes, weight_scale, reg, dtype``
(+ ``use_batchnorm=True`` for c147's batch-norm test only, see ``family.conv_net`` in grader.families: an
optional feature's argument is passed only by the tests of that feature); ``net.params`` is a dict the
checks set entry by entry, ``net.loss(X)`` gives scores and ``net.loss(X, y)`` gives ``(loss, grads)``.
Without batch norm the values are compared with the reference given the same parameters; with batch norm
(no fixed layout) the student's gradients are checked against finite differences of their own loss, and
values are pinned at parameters where every layout gives the same (``pins.check_last_bias_pin``).
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import accept_singleton_shape, assert_close
from grader.checks.gradcheck import check_gradient, resample
from grader.checks.misconceptions import cause
from grader.sandbox import type_name
from grader.topics.cnn_norm import check_cnn_norm_gradient, check_cnn_norm_layout
from grader.topics.helpers import fetch_data, loss_pair, write_entries
from grader.topics.norm_eps import set_net_eps
from grader.topics.pins import check_last_bias_pin

WEIGHTS = ("W1", "W2", "W3")
# The value scale the reference allows for the self-consistency loss (caps the gradient check's round-off
# bound): at its parameters (weight_scale 0.3, the SMALL sizes) every layout's scores are O(1) and the loss
# (softmax + ½·reg·Σ‖W‖²) is at most 5.8 (c147 hw5 correct example, 400 draws with and without batch norm); 1e3
# leaves a margin of orders of magnitude and a round-off bound of
# ~2e-7 at most, far below the tolerance, whatever the student's values.
LOSS_SCALE = 1e3
SMALL = dict(input_dim=(2, 6, 8), num_filters=3, filter_size=3, hidden_dim=7, num_classes=4)


def _shapes(input_dim, num_filters, filter_size, hidden_dim, num_classes):
    C, H, W = input_dim
    return {"W1": (num_filters, C, filter_size, filter_size), "b1": (num_filters,),
            "W2": (num_filters * (H // 2) * (W // 2), hidden_dim), "b2": (hidden_dim,),
            "W3": (hidden_dim, num_classes), "b3": (num_classes,)}


def _params_dict(net, what="ThreeLayerConvNet.params"):
    params = fetch_data(net.params)
    if not isinstance(params, dict):
        raise CheckFailure(f"{what} should be a dict of arrays, got {type_name(params)}")
    return params


def check_cnn_init(make_net, *, weight_scale=0.01, dims=None):
    """Parameters W1 (F, C, fs, fs), b1 (F,), W2 (F·H/2·W/2, hidden), b2, W3 (hidden, classes), b3; weights
    with standard deviation ``weight_scale``, biases zero."""
    dims = dims or dict(input_dim=(3, 16, 12), num_filters=8, filter_size=5, hidden_dim=40, num_classes=10)
    params = _params_dict(make_net(weight_scale=weight_scale, reg=0.0, dtype="float64", **dims))
    for name, shape in _shapes(**dims).items():
        if name not in params:
            raise CheckFailure(f"params has no {name!r} (keys: {sorted(params)})")
        value = accept_singleton_shape(np.asarray(params[name]), shape, f"params[{name!r}]")
        if value.shape != shape:
            raise CheckFailure(f"params[{name!r}] has shape {value.shape}, expected {shape}"
                               + (" (transposed)" if value.shape == shape[::-1] else ""),
                               diagnosis=cause("transposed") if value.shape == shape[::-1] else None)
        if name.startswith("b") and np.any(value != 0):
            raise CheckFailure(f"params[{name!r}] should start at zero")
        if name.startswith("W"):
            std = float(np.std(value))
            if not 0.8 * weight_scale <= std <= 1.2 * weight_scale:
                raise CheckFailure(f"params[{name!r}] has standard deviation {std:.3g}; weights are drawn "
                                   f"with weight_scale * np.random.randn (weight_scale = {weight_scale})")


def _draw_params(rng, dims, scale=0.3):
    params = {}
    for name, shape in _shapes(**dims).items():
        fan_in = int(np.prod(shape[1:])) if name == "W1" else shape[0]
        params[name] = rng.standard_normal(shape) * (scale if name.startswith("b") else 1.5 / np.sqrt(fan_in))
    return params


def _set_params(net, params):
    write_entries(net.params, params)


def _reference_net(ref, dims, reg, params):
    net = ref.ThreeLayerConvNet(weight_scale=1e-3, reg=reg, dtype=np.float64, **dims)
    net.params.update({k: v.copy() for k, v in params.items()})
    return net


def check_cnn_loss(make_net, golden, rng, *, reg=0.0, N=3, dims=None):
    """Scores, loss and every gradient match the reference network given the same parameters
    (no batch norm); ``reg`` > 0 checks the ½·reg·Σ‖W‖² term and its gradient reg·W."""
    dims = dims or SMALL
    params = _draw_params(rng, dims)
    X = rng.standard_normal((N,) + tuple(dims["input_dim"]))
    y = rng.integers(0, dims["num_classes"], size=N)
    key = f"cnn_{reg}_{N}_{sorted(dims.items())}"
    scores_ref = golden(key + "_scores", lambda ref: _reference_net(ref, dims, reg, params).loss(X))
    loss_ref, grads_ref = golden(key + "_loss", lambda ref: _reference_net(ref, dims, reg, params).loss(X, y))
    penalty = 0.5 * reg * sum(float(np.sum(params[w] ** 2)) for w in WEIGHTS)
    net = make_net(weight_scale=1e-3, reg=reg, dtype="float64", **dims)
    _set_params(net, params)
    scores = net.loss(X.copy())
    result = net.loss(X.copy(), y.copy())
    assert_close(scores, scores_ref, name="scores (y is None)")
    loss_pair(result, grads_dict=False)
    loss, grads = result
    alternatives = {}
    if reg:
        alternatives = {cause("reg-without-half", detail="the model uses 0.5 * reg * Σ‖W‖²"): loss_ref + penalty,
                        cause("reg-missing"): loss_ref - penalty}
    assert_close(loss, loss_ref, name="loss", alternatives=alternatives)
    if not isinstance(grads, dict):
        raise CheckFailure(f"grads should be a dict, got {type_name(grads)}")
    expected = {k: grads_ref[k] for k in params}
    actual = {k: grads.get(k) for k in params}
    grad_alternatives = {}
    if reg:
        grad_alternatives = {
            cause("reg-without-half", detail="gradient 2·reg·W; the model uses 0.5 * reg * Σ‖W‖², gradient reg·W"):
                {k: v + reg * params[k] if k in WEIGHTS else v for k, v in expected.items()},
            cause("reg-grad-missing"): {k: v - reg * params[k] if k in WEIGHTS else v
                                        for k, v in expected.items()}}
    assert_close(actual, expected, name="grads", alternatives=grad_alternatives)


class _LossOfParams:
    """``f(point)`` = the student's ``loss(X, y)[0]`` with ``net.params`` set to ``point`` (only the
    entries that changed since the last call are sent)."""

    def __init__(self, net, X, y, current):
        self.net, self.X, self.y = net, X, y
        self.current = {k: v.copy() for k, v in current.items()}

    def __call__(self, point):
        changed = {name: value.copy() for name, value in point.items()
                   if not np.array_equal(value, self.current[name])}
        write_entries(self.net.params, changed)
        self.current.update(changed)
        result = self.net.loss(self.X.copy(), self.y.copy())
        return fetch_data(result[0])  # one float, read by the check (a tuple or array is named as an error)


def check_cnn_self_consistent(make_net, rng, *, reg=0.05, N=4, dims=None, normalized=False):
    """The gradients of ``loss(X, y)`` agree with finite differences of the same ``loss`` for every
    parameter, whatever the layout (used with batch norm, which has no fixed parameter names); with
    ``normalized`` the net must have parameters beyond W1, b1, ..., b3 (the scales and shifts), and a new net
    (reg 0) must have the training loss of a layout the starter allows (``cnn_norm.check_cnn_norm_layout``:
    the consistency test and the last-layer pin cannot see what comes before the last layer)."""
    dims = dims or SMALL
    net = make_net(weight_scale=0.3, reg=reg, dtype="float64", **dims)
    if normalized:
        set_net_eps(net)  # where eps goes is not judged by a consistency check (norm_eps)
    base = {k: np.asarray(v, dtype=np.float64) for k, v in _params_dict(net).items()}
    if normalized and not set(base) - set(_shapes(**dims)):
        raise CheckFailure("with use_batchnorm=True, params holds only W1, b1, W2, b2, W3, b3: the batch "
                           "normalization layers' scale and shift parameters (gamma, beta) are missing")

    def make_case():  # new inputs and shifts on every draw: max-pool and ReLU kinks can leave one undecided
        X = rng.standard_normal((N,) + tuple(dims["input_dim"]))
        y = rng.integers(0, dims["num_classes"], size=N)
        shifted = {name: value + 0.2 * rng.standard_normal(value.shape)
                   if name.startswith(("gamma", "beta", "b")) else value.copy() for name, value in base.items()}
        return shifted, X, y

    def run_check(case):
        params, X, y = case
        _set_params(net, params)
        result = net.loss(X.copy(), y.copy())
        loss_pair(result)
        grads = result[1]
        missing = sorted(set(params) - set(grads))
        if missing:
            raise CheckFailure(f"grads has no entry for the parameters {missing}")
        scores = fetch_data(net.loss(X.copy()))
        if not isinstance(scores, np.ndarray) or scores.shape != (N, dims["num_classes"]):
            raise CheckFailure(f"loss(X) should return scores of shape {(N, dims['num_classes'])}")
        _check_gradient_then_pin(net, _LossOfParams(net, X, y, params), params, grads, X, y, rng, reg)
    resample(make_case, run_check)
    if normalized:
        check_cnn_norm_layout(make_net(weight_scale=0.3, reg=0.0, dtype="float64", **dims), rng, dims)
        check_cnn_norm_gradient(make_net(weight_scale=0.3, reg=0.0, dtype="float64", **dims), rng, dims)


def _check_gradient_then_pin(net, f, params, grads, X, y, rng, reg):
    """The gradient check, then ``pins.check_last_bias_pin`` on the same net (W3 = 0, b3 = β: scores β,
    the softmax loss of β plus the penalty, db3 = softmax(β) − label frequencies, only reg·W before the
    last layer, whatever the layout), so that a constant or zero net fails."""
    check_gradient(f, params, {k: grads[k] for k in params}, rng=rng, labels={k: f"grads[{k!r}]" for k in params},
                   what="the loss returned by loss(X, y)", scale=LOSS_SCALE)
    check_last_bias_pin(params, lambda p: _set_params(net, p),
                        lambda X, y=None: fetch_data(net.loss(X) if y is None else net.loss(X, y)),
                        X, y, rng, last_weight="W3", last_bias="b3", reg=reg, weights=WEIGHTS)
