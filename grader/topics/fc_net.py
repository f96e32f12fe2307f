"""Topic checks: fully connected nets ``{affine - [norm] - relu - [dropout]} x (L-1) - affine - softmax``.

Canonical form: ``make(hidden_dims, input_dim, num_classes, *, dropout_keep=1, normalization=None,
reg=0.0, weight_scale=1e-2, seed=None) -> Model`` where ``Model.params()`` fetches the params,
``Model.set_params(d)`` writes them, ``Model.loss(X, y=None)`` is the student's ``loss`` (reseeded first,
so dropout is deterministic). Params ``W1..WL (d_in, d_out)``, ``b1..bL``, ``gamma1.., beta1..``; loss
``softmax + 0.5 * reg * Σ‖W‖²``. The families' bindings give ``make``
(grader.families: ``family.fc_net()``).

Nets without dropout or normalization are compared with the reference given the same params; with
dropout or batch norm the layout is free, and they are graded by the consistency of the student's own
loss and gradients, plus values pinned at known parameters (``check_fc_pins``).
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import accept_singleton_shape, assert_close, compare
from grader.checks.gradcheck import check_gradient, resample
from grader.checks.misconceptions import cause, register
from grader.checks.values import student_scalar
from grader.sandbox import type_name
from grader.topics.dropout_pin import chain_loss_and_grads, check_dropout_pin, check_same_answer
from grader.topics.helpers import fetch_data, loss_pair, write_entries
from grader.topics.norm_eps import set_net_eps
from grader.topics.pins import check_last_bias_pin, own_params

register("norm-other-kind", "the other normalization applied", "{other} applied where {normalization} was asked")
register("norm-missing", "normalization not applied")
register("dropout-not-applied", "dropout not applied")
NET_WITHOUT_HALF = "the model uses 0.5 * reg * Σ‖W‖²"


class Model:
    """A student's net (a sandbox handle or a local object) behind the canonical interface."""

    def __init__(self, net, reseed, seed):
        self.net, self._reseed, self.seed, self._written = net, reseed, seed, {}

    def params(self):
        return fetch_data(self.net.params)

    def set_params(self, params):
        changed = {}
        for key, value in params.items():
            last = self._written.get(key)
            if last is None or last.shape != value.shape or not np.array_equal(last, value):
                changed[key] = self._written[key] = np.array(value)
        write_entries(self.net.params, changed)

    def loss(self, X, y=None):
        self._reseed(self.seed)
        return self.net.loss(X) if y is None else self.net.loss(X, y)


def reseeder(sandbox):
    """``reseed(seed)``: the worker's RNG (``sandbox``), or this process's for a local net."""
    if sandbox is None:
        return lambda seed: np.random.seed(seed)
    return lambda seed: sandbox.reseed(seed)


def _param_shapes(dims, normalization):
    shapes = {}
    for layer in range(1, len(dims)):
        shapes[f"W{layer}"] = (dims[layer - 1], dims[layer])
        shapes[f"b{layer}"] = (dims[layer],)
        if normalization and layer < len(dims) - 1:
            shapes[f"gamma{layer}"] = (dims[layer],)
            shapes[f"beta{layer}"] = (dims[layer],)
    return shapes


def check_fc_init(make, rng, *, hidden_dims=(20, 15), input_dim=30, num_classes=10, weight_scale=0.05,
                  normalization=None):
    """Params ``W1..WL (d_in, d_out)`` drawn with standard deviation ``weight_scale``, biases 0, and for
    normalization ``gamma`` 1 and ``beta`` 0."""
    model = make(hidden_dims, input_dim, num_classes, normalization=normalization, weight_scale=weight_scale)
    params = model.params()
    shapes = _param_shapes([input_dim, *hidden_dims, num_classes], normalization)
    if not isinstance(params, dict):
        raise CheckFailure(f"params should be a dict, got {type_name(params)}")
    missing = sorted(set(shapes) - set(params))
    if missing:
        raise CheckFailure(f"params is missing {missing} (it has {sorted(map(str, params))})")
    for key, shape in shapes.items():
        value = accept_singleton_shape(np.asarray(params[key]), shape, f"params[{key!r}]")
        if value.shape != shape:
            raise CheckFailure(f"params[{key!r}] has shape {value.shape}, expected {shape}")
        if key[0] == "W":
            std = float(value.std())
            if not 0.75 * weight_scale < std < 1.25 * weight_scale:
                raise CheckFailure(f"params[{key!r}] has standard deviation {std:.3g}; weights should be drawn "
                                   f"from a normal distribution with standard deviation weight_scale = {weight_scale}")
        else:
            target = 1.0 if key.startswith("gamma") else 0.0
            if not np.all(value == target):
                raise CheckFailure(f"params[{key!r}] should be initialized to {target:g}")


def _random_params(rng, dims, normalization, scale=0.6):
    params = {}
    for key, shape in _param_shapes(dims, normalization).items():
        if key.startswith("gamma"):
            params[key] = 1.0 + 0.3 * rng.standard_normal(shape)
        else:
            params[key] = scale * rng.standard_normal(shape) / (np.sqrt(shape[0]) if key[0] == "W" else 1)
    return params


def _live_case(rng, dims, normalization, N):
    """``(params, X)`` where, without normalization, 20–80% of each hidden layer's pre-activations are
    positive: a layer whose ReLUs are all dead for the batch hides every backward bug below it (a ReLU
    backward using the output instead of the mask passed a 4-layer check on 1 draw in 300 that way).
    Normalized layers centre their inputs, so their draws are kept as they come."""
    while True:
        params = _random_params(rng, dims, normalization)
        X = rng.standard_normal((N, dims[0]))
        if normalization:
            return params, X
        h, lively = X, True
        for i in range(1, len(dims) - 1):
            a = h @ params[f"W{i}"] + params[f"b{i}"]
            lively = lively and 0.2 <= float(np.mean(a > 0)) <= 0.8
            h = np.maximum(a, 0)
        if lively:
            return params, X


def _reference_net(ref, hidden_dims, input_dim, num_classes, reg, params):
    net = ref.FullyConnectedNet(list(hidden_dims), input_dim, num_classes, reg=reg, dtype=np.float64)
    net.params = {k: np.array(v) for k, v in params.items()}
    return net


def check_fc_loss(make, golden, rng, *, reg=0.0, hidden_dims=(6, 5), input_dim=7, num_classes=4, N=5):
    """No dropout, no normalization: scores (``loss(X)``), loss and gradients (``loss(X, y)``) match the
    reference given the same params; regularization ``0.5 * reg * Σ‖W‖²`` (``reg`` 0 tests the data term)."""
    dims = [input_dim, *hidden_dims, num_classes]
    params, X = _live_case(rng, dims, None, N)
    y = rng.integers(0, num_classes, size=N)
    scores_ref = golden("fc_scores", lambda ref: _reference_net(ref, hidden_dims, input_dim, num_classes,
                                                                reg, params).loss(X))
    loss_ref, grads_ref = golden("fc_loss", lambda ref: _reference_net(ref, hidden_dims, input_dim,
                                                                        num_classes, reg, params).loss(X, y))
    alternatives = {}
    if reg:
        alt = golden("fc_loss_full_reg", lambda ref: _reference_net(ref, hidden_dims, input_dim, num_classes,
                                                                    2 * reg, params).loss(X, y))
        alternatives = {cause("reg-without-half", detail=NET_WITHOUT_HALF): alt}
        last = f"W{len(dims) - 1}"
        for label, keys in ((cause("reg-grad-missing", where="in the hidden layers"),  # the narrower first
                             lambda k: k.startswith("W") and k != last),
                            (cause("reg-grad-missing"), lambda k: k.startswith("W"))):
            alternatives[label] = (loss_ref, {k: v - reg * params[k] if keys(k) else v for k, v in grads_ref.items()})
    model = make(hidden_dims, input_dim, num_classes, reg=reg)
    model.set_params(params)
    assert_close(model.loss(X.copy()), scores_ref, name="scores")
    result = model.loss(X.copy(), y.copy())
    loss_pair(result, grads_dict=False)
    loss, grads = result
    assert_close(loss, loss_ref, name="loss", context={"N": N},
                 alternatives={k: v[0] for k, v in alternatives.items()})
    if not isinstance(grads, dict):
        raise CheckFailure(f"grads should be a dict, got {type_name(grads)}")
    assert_close({k: grads.get(k) for k in grads_ref}, grads_ref, name="grads", context={"N": N},
                 alternatives={k: v[1] for k, v in alternatives.items()})

def _plain_scores(params, X, layers):
    """Scores of ``affine - relu - ... - affine`` (no dropout, no normalization) with these params."""
    h = X.reshape(len(X), -1)
    for layer in range(1, layers + 1):
        h = h @ params[f"W{layer}"] + params[f"b{layer}"]
        if layer < layers:
            h = np.maximum(h, 0)
    return h


def _softmax_loss(scores, y):
    shifted = scores - scores.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(len(y)), y]))


SCALE_MARGIN = 1e3


def _loss_scale(params, X, y, reg, layers):
    """The value scale the reference allows for a net's loss at these params: SCALE_MARGIN times the loss
    of the plain chain (no dropout, no normalization; those change the loss by small factors, never by
    orders of magnitude). It caps the round-off bound of the gradient check (``check_gradient(scale=)``)."""
    scores = _plain_scores(params, X, layers)
    penalty = 0.5 * reg * sum(float(np.sum(params[f"W{layer}"] ** 2)) for layer in range(1, layers + 1))
    return SCALE_MARGIN * max(1.0, _softmax_loss(scores, y) + penalty)


def check_fc_pins(make, rng, *, dropout_keep=1, normalization=None, reg=0.0, hidden_dims=(6, 5), input_dim=7,
                  num_classes=4, N=6, model=None):
    """Values pinned at parameters the test sets on ``model`` (the net under test; by default a new one),
    so that a constant or zero net cannot pass a consistency test: the layout-free pin of
    ``pins.check_last_bias_pin`` (W_L = 0, b_L = β gives scores β, the softmax loss of β plus the
    penalty, dβ = softmax(β) − label frequencies, only reg·W before the last layer); and where the layout is fixed
    (no normalization: test mode is a plain
    ``affine - relu`` chain whatever the dropout) the test-mode scores at random params, and without
    dropout the training loss ``softmax + 0.5·reg·Σ‖W‖²`` too."""
    dims = [input_dim, *hidden_dims, num_classes]
    L = len(dims) - 1
    X, y = rng.standard_normal((N, input_dim)), rng.integers(0, num_classes, size=N)
    model = model or make(hidden_dims, input_dim, num_classes, dropout_keep=dropout_keep,
                          normalization=normalization, reg=reg, seed=7)
    check_last_bias_pin(own_params(model.params(), _random_params(rng, dims, normalization)), model.set_params,
                        lambda X, y=None: fetch_data(model.loss(X, y)), X, y, rng, last_weight=f"W{L}",
                        last_bias=f"b{L}", reg=reg, weights=[f"W{layer}" for layer in range(1, L + 1)])
    if normalization:
        if dropout_keep == 1:
            check_fc_norm_loss(model, rng, dims, normalization, reg, N)
        return
    params = _random_params(rng, dims, None)
    model.set_params(params)
    scores = _plain_scores(params, X, L)
    assert_close(fetch_data(model.loss(X.copy())), scores, name="scores (test mode, y is None)")
    if dropout_keep == 1:
        penalty = 0.5 * reg * sum(float(np.sum(params[f"W{layer}"] ** 2)) for layer in range(1, L + 1))
        result = fetch_data(model.loss(X.copy(), y.copy()))
        loss_pair(result, grads_dict=False)
        assert_close(result[0], _softmax_loss(scores, y) + penalty, name="loss",
                     alternatives={cause("reg-without-half", detail=NET_WITHOUT_HALF):
                                   _softmax_loss(scores, y) + 2 * penalty})


def _squares(params, L):
    """Σ‖W‖² over the L affine layers."""
    return sum(float(np.sum(params[f"W{layer}"] ** 2)) for layer in range(1, L + 1))


def _no_dropout(params, N):
    """Masks of ones for the hidden layers: ``dropout_pin.chain_loss_and_grads`` of a net without dropout."""
    return [np.ones((1, N, params[f"W{layer}"].shape[1])) for layer in range(1, sum(k.startswith("W") for k in params))]


def _norm_chain_loss(params, X, y, normalization, **layout):
    """Training loss of ``{affine - norm - relu} x (L-1) - affine - softmax`` without dropout, eps 1e-5
    (``layout``: the options of ``dropout_pin.chain_loss_and_grads``)."""
    layout = {"eps": 1e-5, **layout}
    return float(chain_loss_and_grads(params, X, y, _no_dropout(params, len(X)), normalization=normalization,
                                      **layout)[0][0])


def check_fc_norm_loss(model, rng, dims, normalization, reg, N):
    """Without dropout, a net with normalization has the layout its starter fixes up to the order of norm
    and ReLU: its training loss and gradients at random parameters are those of ``affine - norm - relu``
    (or ``affine - relu - norm``), eps 1e-5 or smaller, penalty ½·reg·Σ‖W‖² (or reg·Σ‖W‖², judged
    elsewhere). The consistency test alone passed a net that ran batch norm for layer norm, dropped the
    ReLU or the penalty, and one whose gradients were 0 and whose loss was flat near every point it had
    seen (finite differences of a flat function agree with zero gradients)."""
    L = len(dims) - 1
    params, X = _live_case(rng, dims, normalization, N)
    y = rng.integers(0, dims[-1], size=N)
    model.set_params(params)
    result = fetch_data(model.loss(X.copy(), y.copy()))
    loss_pair(result)
    value = student_scalar(result[0], "the loss returned by loss(X, y)")
    accepted = [chain_loss_and_grads(params, X, y, _no_dropout(params, N), normalization=normalization, before_relu=b,
                                     eps=e, factor=f, reg=reg)
                for b in (True, False) for e in (1e-5, 1e-10) for f in (0.5, 1.0)]
    accepted.sort(key=lambda computed: abs(computed[0][0] - value))
    other = "layernorm" if normalization == "batchnorm" else "batchnorm"
    alternatives = {
        cause("norm-other-kind", other=other, normalization=normalization):
            _norm_chain_loss(params, X, y, other, reg=reg),
        cause("relu-missing"): _norm_chain_loss(params, X, y, normalization, relu=False, reg=reg),
        cause("reg-missing"): _norm_chain_loss(params, X, y, normalization),
        cause("norm-missing"): _softmax_loss(_plain_scores(params, X, L), y) + 0.5 * reg * _squares(params, L),
    }
    what = f"of the net with {normalization} at the test's parameters"
    assert_close(value, float(accepted[0][0][0]), name=f"training loss {what}", rtol=1e-4, alternatives=alternatives)
    grads = {k: result[1].get(k) for k in params}
    candidates = [{k: v[0] for k, v in computed[1].items()} for computed in accepted
                  if compare(value, float(computed[0][0]), name="loss", rtol=1e-4).ok]
    if not any(compare(grads, expected, name="grads", rtol=1e-4).ok for expected in candidates):
        try:
            assert_close(grads, candidates[0], name="grads", rtol=1e-4)
        except CheckFailure as exc:
            raise CheckFailure(f"Your loss(X, y) gives the right training loss {what}, but not its gradients: "
                               f"{exc}", exc.diagnosis) from None


def _dropout_p(net):
    """``net.dropout_param['p']`` when the student's net keeps the starter's dict, else None."""
    from grader.sandbox.errors import StudentException
    try:
        p = fetch_data(net.dropout_param["p"])
        return float(p) if np.ndim(p) == 0 else None
    except (StudentException, AttributeError, TypeError, KeyError, IndexError, ValueError):
        return None


def check_fc_consistency(make, rng, *, dropout_keep=1, normalization=None, reg=0.0, hidden_dims=(6, 5),
                         input_dim=7, num_classes=4, N=6):
    """The gradients of ``loss(X, y)`` agree with finite differences of the same net's loss (the net's
    own layout of dropout and normalization; a fixed seed makes the dropout masks repeat), and the
    values are pinned at known parameters (``check_fc_pins``: a constant or zero net fails)."""
    dims = [input_dim, *hidden_dims, num_classes]

    def build(seed):
        built = make(hidden_dims, input_dim, num_classes, dropout_keep=dropout_keep, normalization=normalization,
                     reg=reg, seed=seed)
        if normalization:
            set_net_eps(built.net)  # where eps goes is not judged by a consistency check (norm_eps)
        return built

    model = build(7)
    L = len(dims) - 1

    def make_case():
        params, X = _live_case(rng, dims, normalization, N)
        return params, X, rng.integers(0, num_classes, size=N)

    def run_check(case):
        nonlocal model
        params, X, y = case
        pinned = None
        if dropout_keep != 1:  # values pinned in distribution; the check runs on one of the pin's nets
            model, pinned = check_dropout_pin(build, params, X, y, rng, keep=dropout_keep,
                                              normalization=normalization, reg=reg)
        model.set_params(params)
        result = model.loss(X, y)
        loss_pair(result)
        grads = result[1]
        missing = sorted(set(params) - set(grads))
        if missing:
            raise CheckFailure(f"grads is missing {missing}")
        if pinned is not None:
            check_same_answer(pinned, fetch_data(result))

        def f(point):
            model.set_params(point)
            return fetch_data(model.loss(X, y)[0])  # its dtype tells the check a float32 net
        try:
            return check_gradient(f, params, {k: grads[k] for k in params}, rng=rng, rtol=1e-5, joint=True,
                                  what="the loss returned by loss(X, y)", scale=_loss_scale(params, X, y, reg, L))
        finally:
            model.set_params(params)
    resample(make_case, run_check)
    check_fc_pins(make, rng, dropout_keep=dropout_keep, normalization=normalization, reg=reg,
                  hidden_dims=hidden_dims, input_dim=input_dim, num_classes=num_classes, N=N, model=model)


def check_fc_dropout_effect(make, rng, *, dropout_keep=0.75, hidden_dims=(30, 30), input_dim=7, num_classes=4, N=8):
    """Dropout acts in training only: with the same params, ``loss(X)`` (test mode) equals the scores of
    the same net without dropout, while the training loss differs from the no-dropout one; the net hands
    its dropout layers ``p = dropout`` (the starters' ``self.dropout_param = {'mode': 'train', 'p':
    dropout}``; a keep probability other than ½, so that ``1 - dropout`` shows)."""
    dims = [input_dim, *hidden_dims, num_classes]
    params = _random_params(rng, dims, None)
    X, y = rng.standard_normal((N, input_dim)), rng.integers(0, num_classes, size=N)
    with_dropout = make(hidden_dims, input_dim, num_classes, dropout_keep=dropout_keep, seed=3)
    without = make(hidden_dims, input_dim, num_classes, seed=3)
    for model in (with_dropout, without):
        model.set_params(params)
    plain_scores = without.loss(X.copy())
    assert_close(with_dropout.loss(X.copy()), plain_scores, name="scores in test mode (y is None)")
    plain_loss = student_scalar(fetch_data(without.loss(X.copy(), y.copy())[0]), "the loss")
    train_loss = student_scalar(fetch_data(with_dropout.loss(X.copy(), y.copy())[0]), "the loss")
    if abs(train_loss - plain_loss) <= 1e-9 * max(1.0, abs(plain_loss)):
        raise CheckFailure(f"with dropout {dropout_keep} the training loss equals the loss without dropout "
                           f"({train_loss:.6g}): dropout is not applied in training",
                           diagnosis=cause("dropout-not-applied"))
    p = _dropout_p(with_dropout.net)
    if p is not None and abs(p - dropout_keep) > 1e-12:
        flipped = abs(p - (1 - dropout_keep)) <= 1e-12
        raise CheckFailure(f"FullyConnectedNet(dropout={dropout_keep}) set dropout_param['p'] = {p:g}: the "
                           "dropout layers get p as given (the probability of keeping a unit)",
                           diagnosis=cause("dropout-drop-prob") if flipped else None)
