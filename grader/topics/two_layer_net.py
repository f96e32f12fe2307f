"""Two-layer net: affine - ReLU - affine - softmax, its loss, gradients, training and prediction.

Canonical form (cs231n layout): params ``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, C)``, ``b2 (C,)``;
``net_fn(params, X, y, reg)`` returns the scores (N, C) when ``y`` is None, else ``(loss, grads)`` with
``loss = mean softmax loss + s * reg * (|W1|^2 + |W2|^2)``; ``s`` is the family's factor (c147 ½),
given to the checks as ``reg_scale``: a number, or a tuple of the factors accepted where the course
changed it between years (cs231n a1: 1 since 2017, ½ before). With a tuple the factor of the student's
own loss is detected, named in a note, and its gradients and training must use it too (the first factor
is the one failures are judged against). ``train_fn(params, X, y, learning_rate, reg,
num_iters, batch_size) -> params`` and ``predict_fn(params, X) -> labels``.

The adapters at the end build the student's ``TwoLayerNet`` with some params stored transposed (c147:
``W1 (H, D)``, ``W2 (C, H)``); the families' bindings (grader.families) choose which.
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import assert_close, compare
from grader.checks.gradcheck import check_gradient
from grader.checks.misconceptions import cause, register
from grader.sandbox import type_name
from grader.sandbox.errors import StudentException
from grader.topics.helpers import write_entries
from grader.topics.knn import assert_labels
from grader.topics.linear_classifiers import assert_shift_invariant, own_gradient_hint

PARAM_NAMES = ("W1", "b1", "W2", "b2")
register("no-b2", "b2 not added to the scores")
register("biases-regularized", "the biases regularized too (only W1 and W2 are)")
register("params-not-updated", "parameters not updated")
register("trained-without-reg", "trained without regularization (reg not passed to loss)")
NO_B2 = cause("no-b2")
TRAIN_MISTAKES = ("params-not-updated", "trained-without-reg")   # mistakes of train itself


def draw_params(rng, *, D, H, C, scale=0.5):
    """Parameters large enough that the scores differ between classes."""
    return {"W1": scale * rng.standard_normal((D, H)), "b1": 0.1 * rng.standard_normal(H),
            "W2": scale * rng.standard_normal((H, C)), "b2": 0.1 * rng.standard_normal(C)}


def draw_inputs(rng, *, N, D, C):
    return rng.standard_normal((N, D)), rng.integers(0, C, size=N)


def reference_loss(ref, params, X, y, reg, reg_scale):
    """The reference net's ``loss`` with these parameters (scores when ``y`` is None)."""
    D, H = params["W1"].shape
    net = ref.TwoLayerNet(D, H, params["W2"].shape[1], reg_scale=reg_scale)
    net.params = {name: np.array(params[name], dtype=np.float64) for name in PARAM_NAMES}
    return net.loss(X, y, reg=reg)


BIASES_REGULARIZED = cause("biases-regularized")


def _biases_regularized(result, params, factor):
    """(loss, grads) of the net whose penalty ``factor * Σ‖W‖²`` also covers b1 and b2."""
    loss, grads = result
    grads = dict(grads)
    for b in ("b1", "b2"):
        grads[b] = grads[b] + 2 * factor * params[b]
    return loss + factor * sum(float(np.sum(params[b] ** 2)) for b in ("b1", "b2")), grads


def _copy(params):
    return {name: value.copy() for name, value in params.items()}


def _without_b2(params):
    """The parameters with b2 zeroed: the reference of a net that never adds b2."""
    return dict(params, b2=np.zeros_like(params["b2"]))


def check_scores(net_fn, golden, rng, *, N=5, D=4, H=6, C=3):
    """``net_fn(params, X, None, 0.0)`` gives the reference scores (N, C)."""
    params = draw_params(rng, D=D, H=H, C=C)
    X, _ = draw_inputs(rng, N=N, D=D, C=C)
    expected = golden("scores", lambda ref: reference_loss(ref, params, X, None, 0.0, 1.0))
    no_relu = golden("scores_no_relu", lambda ref: (X @ params["W1"] + params["b1"]) @ params["W2"]
                     + params["b2"])
    no_b2 = golden("scores_no_b2", lambda ref: reference_loss(ref, _without_b2(params), X, None, 0.0, 1.0))
    scores = net_fn(_copy(params), X.copy(), None, 0.0)
    assert_close(scores, expected, name="scores", alternatives={cause("relu-missing"): no_relu, NO_B2: no_b2})


REG_FORMS = {1.0: "reg * (‖W1‖² + ‖W2‖²)", 0.5: "0.5 * reg * (‖W1‖² + ‖W2‖²)"}


def _scales(reg_scale, reg=1.0):
    """The accepted factors: ``reg_scale`` as a tuple (only the first when there is no regularization)."""
    scales = tuple(float(s) for s in reg_scale) if isinstance(reg_scale, (tuple, list)) else (float(reg_scale),)
    return scales if reg else scales[:1]


def _form_note(scales, chosen):
    return f"regularization detected: {REG_FORMS.get(chosen, chosen)} (accepted)" if len(scales) > 1 else None


def _loss_and_grads(net_fn, golden, rng, *, N, D, H, C, reg, reg_scale, offset=0.0):
    """(params, X, y, {scale: reference (loss, grads)} for each accepted scale, alternatives, result)."""
    params = draw_params(rng, D=D, H=H, C=C)
    params["b2"] = params["b2"] + offset
    X, y = draw_inputs(rng, N=N, D=D, C=C)
    scales = _scales(reg_scale, reg)
    expected = {s: golden("loss_grads" if s == scales[0] else f"loss_grads_reg_scale_{s}",
                          lambda ref, s=s: reference_loss(ref, params, X, y, reg, s)) for s in scales}
    reg_scale = scales[0]
    alternatives = {NO_B2: golden("loss_grads_no_b2", lambda ref: reference_loss(
        ref, _without_b2(params), X, y, reg, reg_scale))}
    if reg:
        alternatives[BIASES_REGULARIZED] = golden("loss_grads_biases_regularized", lambda ref: _biases_regularized(
            reference_loss(ref, params, X, y, reg, reg_scale), params, reg * reg_scale))
        for label, s in {cause("reg-missing"): 0.0,
                         cause("reg-with-half", detail="0.5 * reg"): 0.5,
                         cause("reg-without-half", detail="reg, not 0.5 * reg"): 1.0}.items():
            if s not in scales:
                alternatives[label] = golden(f"loss_grads_reg_scale_{s}",
                                             lambda ref, s=s: reference_loss(ref, params, X, y, reg, s))
    result = net_fn(_copy(params), X.copy(), y.copy(), reg)
    _loss_of(result)   # a (loss, grads) pair
    return params, X, y, expected, alternatives, result


def check_loss(net_fn, golden, rng, *, reg=0.0, reg_scale=1.0, N=5, D=4, H=6, C=3, offset=0.0):
    """The loss matches the reference; with ``offset`` (added to every score through b2) only numerical
    stability is judged: the loss equals the student's own loss without the offset."""
    if offset:
        params = draw_params(rng, D=D, H=H, C=C)
        X, y = draw_inputs(rng, N=N, D=D, C=C)
        shifted = dict(_copy(params), b2=params["b2"] + offset)
        return assert_shift_invariant(_loss_of(net_fn(shifted, X.copy(), y.copy(), reg)),
                                      _loss_of(net_fn(_copy(params), X.copy(), y.copy(), reg)), offset)
    _, _, _, expected, alternatives, (loss, _) = _loss_and_grads(
        net_fn, golden, rng, N=N, D=D, H=H, C=C, reg=reg, reg_scale=reg_scale, offset=offset)
    chosen = next((s for s in expected if compare(loss, expected[s][0], name="loss").ok), None)
    if chosen is None:
        chosen = next(iter(expected))
        assert_close(loss, expected[chosen][0], name="loss", alternatives={
            label: value[0] for label, value in alternatives.items()}, context={"N": N})
    return _form_note(tuple(expected), chosen)


def _loss_of(result):
    """The loss of a ``loss(X, y)`` result, which must be the pair (loss, grads)."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailure(f"loss(X, y) should return (loss, grads); it returned {type_name(result)}")
    return result[0]


def check_gradients(net_fn, golden, rng, *, reg=0.0, reg_scale=1.0, N=5, D=4, H=6, C=3, ref=None):
    """The gradients match the reference's; with ``ref`` (hidden tests) they are also checked by
    finite differences of the reference loss."""
    params, X, y, expected, alternatives, (loss, grads) = _loss_and_grads(
        net_fn, golden, rng, N=N, D=D, H=H, C=C, reg=reg, reg_scale=reg_scale)
    scales = tuple(expected)
    if not isinstance(grads, dict):
        raise CheckFailure(f"grads should be a dict with keys {', '.join(PARAM_NAMES)}; "
                           f"got {type_name(grads)}")
    missing = [name for name in PARAM_NAMES if name not in grads]
    if missing:
        raise CheckFailure(f"grads has no entry for {', '.join(missing)}")
    own = next((s for s in scales if compare(loss, expected[s][0], name="loss").ok), None)
    if own is not None and len(scales) > 1:  # the gradients of the student's own loss (named first)
        alternatives = dict({cause("reg-grad-loss-differ", grad=REG_FORMS.get(s, s), where="grads",
                                   loss=REG_FORMS.get(own, own)): expected[s] for s in scales if s != own},
                            **alternatives)
        scales = (own,)
    chosen = next((s for s in scales if all(compare(grads[name], expected[s][1][name], name=name).ok
                                            for name in PARAM_NAMES)), scales[0])
    for name in PARAM_NAMES:
        assert_close(grads[name], expected[chosen][1][name], name=f"grads['{name}']",
                     alternatives={label: value[1][name] for label, value in alternatives.items()},
                     context={"N": N})
    if ref is not None:
        check_gradient(lambda p: float(reference_loss(ref, p, X, y, reg, chosen)[0]), params,
                       {name: grads[name] for name in PARAM_NAMES}, rng=rng)
    return _form_note(tuple(expected), chosen)


def check_train(train_fn, golden, rng, *, reg=0.01, reg_scale=1.0, N=30, D=4, H=5, C=3,
                learning_rate=0.1, num_iters=12, batch_size=6, uses="TwoLayerNet.loss"):
    """``num_iters`` SGD steps (no learning-rate decay) on copies of one example: whichever rows a
    minibatch samples, its gradient is that of the example, so the result is deterministic. A failure
    says that ``train`` steps with the student's own ``uses`` (both families' ``train`` calls
    ``self.loss``), unless it names a mistake of ``train`` itself."""
    params = draw_params(rng, D=D, H=H, C=C)
    X = np.tile(rng.standard_normal(D), (N, 1))
    y = np.full(N, rng.integers(0, C))

    scales = _scales(reg_scale, reg)

    def descend(ref, reg, scale=scales[0]):
        p = _copy(params)
        for _ in range(num_iters):
            _, grads = reference_loss(ref, p, X[:1], y[:1], reg, scale)
            p = {name: p[name] - learning_rate * grads[name] for name in PARAM_NAMES}
        return p

    expected = {s: golden("trained_params" if s == scales[0] else f"trained_params_reg_scale_{s}",
                          lambda ref, s=s: descend(ref, reg, s)) for s in scales}
    mistakes = {cause("params-not-updated"): params}
    if reg:
        mistakes[cause("trained-without-reg")] = golden("trained_params_no_reg", lambda ref: descend(ref, 0.0))
    trained = train_fn(_copy(params), X.copy(), y.copy(), learning_rate, reg, num_iters, batch_size)
    if not isinstance(trained, dict):
        raise CheckFailure("the parameters after training could not be read")
    chosen = next((s for s in scales if all(compare(trained.get(name), expected[s][name], name=name, rtol=1e-5).ok
                                            for name in PARAM_NAMES)), scales[0])
    with own_gradient_hint(uses, unless=TRAIN_MISTAKES):
        for name in PARAM_NAMES:
            assert_close(trained.get(name), expected[chosen][name], name=f"params['{name}'] after training",
                         rtol=1e-5, alternatives={label: value[name] for label, value in mistakes.items()})
    _check_sampling(train_fn, golden, rng, reg=reg, reg_scale=chosen, N=N, D=D, H=H, C=C,
                    learning_rate=learning_rate, num_iters=num_iters, batch_size=batch_size)
    return _form_note(scales, chosen)


def _check_sampling(train_fn, golden, rng, *, reg, reg_scale, N, D, H, C, learning_rate, num_iters, batch_size):
    """On distinct examples, training must not end where gradient descent on the whole set, or on the
    first ``batch_size`` examples at every step, ends: the minibatch is a random sample."""
    params = draw_params(rng, D=D, H=H, C=C)
    X, y = draw_inputs(rng, N=N, D=D, C=C)

    def descend(ref, rows):
        p = _copy(params)
        for _ in range(num_iters):
            _, grads = reference_loss(ref, p, X[rows], y[rows], reg, reg_scale)
            p = {name: p[name] - learning_rate * grads[name] for name in PARAM_NAMES}
        return p

    full = golden("full_batch_params", lambda ref: descend(ref, slice(None)))
    first = golden("first_batch_params", lambda ref: descend(ref, slice(0, batch_size)))
    trained = train_fn(_copy(params), X.copy(), y.copy(), learning_rate, reg, num_iters, batch_size)
    for wrong, what in ((full, f"all {N} examples at every step instead of a random minibatch of {batch_size}"),
                        (first, f"the first {batch_size} examples at every step instead of a random minibatch "
                                "(sample the indices, e.g. with np.random.choice)")):
        if all(compare(trained.get(name), wrong[name], name=name, rtol=1e-5).ok for name in PARAM_NAMES):
            raise CheckFailure(f"the parameters after training are what gradient descent on {what} gives.",
                               diagnosis=cause("minibatch-not-sampled"))


def check_predict(predict_fn, golden, rng, *, N=8, D=4, H=6, C=3):
    """``predict_fn`` is the argmax of the reference scores."""
    params = draw_params(rng, D=D, H=H, C=C)
    X, _ = draw_inputs(rng, N=N, D=D, C=C)
    expected = golden("predicted", lambda ref: np.argmax(reference_loss(ref, params, X, None, 0.0, 1.0),
                                                          axis=1))
    labels = predict_fn(_copy(params), X.copy())
    assert_labels(labels, expected, N, name="predicted labels")


# ----- family adapters -------------------------------------------------------------------------------

def _to_family(params, transposed):
    return {name: (value.T.copy() if name in transposed else value.copy()) for name, value in params.items()}


def _from_family(params, transposed):
    if not isinstance(params, dict):
        return params
    return {name: (value.T if name in transposed and isinstance(value, np.ndarray) and value.ndim == 2
                   else value) for name, value in params.items()}


def _make_net(student, params, transposed):
    D, H = params["W1"].shape
    try:
        net = student.TwoLayerNet(D, H, params["W2"].shape[1], std=1e-4)
    except StudentException as exc:
        if exc.type_name == "TypeError" and "argument" in exc.message:
            raise CheckFailure(f"TwoLayerNet(input_size, hidden_size, output_size, std=1e-4) could not be "
                               f"built: {exc}. This assignment grades the starter's TwoLayerNet, which takes "
                               "those arguments; the TwoLayerNet of a later year's fc_net.py (input_dim, "
                               "hidden_dim, num_classes, weight_scale, reg) is another API.") from None
        raise
    write_entries(net.params, _to_family(params, transposed))
    return net


def net_fn_of(student, transposed=()):
    """``TwoLayerNet(D, H, C, std)``, ``net.params[...] = ...``, ``net.loss(X, y, reg=reg)``; the params
    named in ``transposed`` are stored transposed (c147: W1, W2; ``family.two_layer_net()``)."""

    def net_fn(params, X, y, reg):
        net = _make_net(student, params, transposed)
        if y is None:
            return net.loss(X)
        result = net.loss(X, y, reg=reg)
        if isinstance(result, (tuple, list)) and len(result) == 2:
            return result[0], _from_family(result[1], transposed)
        return result
    return net_fn


def train_fn_of(student, transposed=()):
    """``net.train(X, y, X_val, y_val, learning_rate, learning_rate_decay=1, reg, num_iters, batch_size)``
    then the net's params (read back)."""
    from grader.sandbox import fetch

    def train_fn(params, X, y, learning_rate, reg, num_iters, batch_size):
        net = _make_net(student, params, transposed)
        net.train(X, y, X[:2], y[:2], learning_rate=learning_rate, learning_rate_decay=1.0, reg=reg,
                  num_iters=num_iters, batch_size=batch_size, verbose=False)
        return _from_family(fetch(net.params), transposed)
    return train_fn


def predict_fn_of(student, transposed=()):
    """``net.predict(X)`` with the given params."""

    def predict_fn(params, X):
        return _make_net(student, params, transposed).predict(X)
    return predict_fn
