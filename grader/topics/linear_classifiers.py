"""Linear classifiers: softmax and multiclass SVM (margin 1) loss and gradient, training, prediction.

Canonical forms (W is always (D, C), as in the reference):

* ``loss_fn(W, X, y, reg) -> (loss, dW)`` with ``loss = mean_i L_i + s * reg * sum(W**2)`` where the
  regularization factor ``s`` is 1 or ½ (``reg_scale`` of the reference); ``dW`` may be ``None`` when
  the bound method computes the loss only;
* ``train_fn(W0, X, y, learning_rate, num_iters, batch_size, seed) -> W`` (the weights after training;
  the student's RNG is seeded with ``seed`` right before ``train``), and optionally
  ``init_fn((D, C), seed) -> W`` (what the student's own ``init_weights`` draws after that seeding);
* ``predict_fn(W, X) -> labels`` (N,).

The families' bindings (grader.families: c147 ``Softmax``/``SVM`` with ``W (C, D)`` and no
regularization, cs231n ``softmax_loss_*``/``svm_loss_*`` with ``W (D, C)``) give these forms.
"""

from contextlib import contextmanager

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import assert_close, compare
from grader.checks.gradcheck import check_gradient
from grader.checks.misconceptions import cause, ids_of, register
from grader.sandbox import type_name
from grader.topics.knn import assert_labels

KINDS = {"softmax": "softmax_loss_vectorized", "svm": "svm_loss_vectorized"}
REG_SCALE_LABELS = {1.0: "reg * sum(W**2)", 0.5: "0.5 * reg * sum(W**2)"}
# Known misconceptions about the regularization term, as reg_scale values of the reference.
SAMPLING_RTOL = 1e-3  # the start is known: a wrong sampling scheme ends there to round-off
register("weights-not-updated", "weights not updated")
REG_MISTAKES = {cause("reg-missing"): 0.0, cause("reg-doubled", detail="2 * reg * sum(W**2)"): 2.0}
SVM_CORRECT_CLASS = {
    "loss": cause("svm-correct-class",
                  detail="counted (skip j == y[i]: its margin is always 1, adding 1 per example)"),
    "gradient": cause("svm-correct-class", detail="(always 1) not zeroed: the gradient counts it as one more "
                                                  "positive margin")}
TRAIN_USES_OWN = ("train takes its steps with the loss and gradient of your own {uses}: if the tests of "
                  "{uses} fail, fix those first.")


def draw_problem(rng, *, N, D, C, w_scale=0.1, offset=0.0):
    """Random (W (D, C), X (N, D), y (N,)); ``offset`` is added to every score (X[:, -1] = 1)."""
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, size=N)
    W = w_scale * rng.standard_normal((D, C))
    if offset:
        X[:, -1] = 1.0
        W[-1, :] = offset
    return W, X, y


def _reference_loss(kind):
    return lambda ref, W, X, y, reg, s: getattr(ref, KINDS[kind])(W, X, y, reg, reg_scale=s)


def unpack_pair(result, what):
    """The student's ``(loss, grad)`` result as a pair, or a CheckFailure saying what came back."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailure(f"{what} should return a pair (loss, gradient); it returned {type_name(result)}")
    return result[0], result[1]


def check_loss(loss_fn, golden, rng, *, kind, part="loss", N=8, D=5, C=4, reg=0.0, offset=0.0,
               accepted_reg_scales=(1.0, 0.5), ref=None):
    """Check the loss (``part="loss"``) or the gradient (``part="gradient"``) of ``loss_fn``; with
    ``offset`` (added to every score) only numerical stability is judged (assert_shift_invariant).

    With ``reg > 0`` each factor of ``accepted_reg_scales`` is accepted and the one detected is
    returned as a note; other factors are diagnosed. With ``ref`` (hidden tests) the gradient is also
    checked by finite differences of the reference loss (``check_gradient``).
    """
    W, X, y = draw_problem(rng, N=N, D=D, C=C, offset=offset)
    if offset:
        unshifted = W.copy()
        unshifted[-1, :] = 0.0  # the same scores without the offset
        return assert_shift_invariant(loss_fn(W.copy(), X.copy(), y.copy(), reg)[0],
                                      loss_fn(unshifted, X.copy(), y.copy(), reg)[0], offset)
    ref_loss = _reference_loss(kind)
    scales = tuple(accepted_reg_scales) if reg else (1.0,)
    mistakes = REG_MISTAKES if reg else {}
    all_scales = scales + tuple(s for s in mistakes.values() if s not in scales)
    expected = {s: golden(f"{kind}_{part}_reg_scale_{s}", lambda r, s=s: ref_loss(r, W, X, y, reg, s))
                for s in all_scales}

    loss, dW = loss_fn(W.copy(), X.copy(), y.copy(), reg)
    index = 0 if part == "loss" else 1
    actual = loss if part == "loss" else dW
    name = "loss" if part == "loss" else "dW"
    rtol = 1e-4 if offset else 1e-6  # scores near 1000 leave float32 code about 1e-5 of round-off
    if part == "gradient" and len(scales) > 1:
        own = next((s for s in scales if compare(loss, expected[s][0], name="loss").ok), None)
        if own is not None:  # dW must be the gradient of the student's own loss
            mistakes = dict(mistakes, **{cause("reg-grad-loss-differ", grad=REG_SCALE_LABELS[s], where="dW",
                                               loss=REG_SCALE_LABELS[own]): s for s in scales if s != own})
            scales = (own,)
    chosen = next((s for s in scales if compare(actual, expected[s][index], name=name, rtol=rtol).ok), None)
    if chosen is None:
        alternatives = {label: expected[s][index] for label, s in mistakes.items()}
        if kind == "svm":
            alternatives[SVM_CORRECT_CLASS[part]] = svm_correct_class_counted(expected[scales[0]], X, y, C)[index]
        context = {"N": N, "offset": offset} if offset else {"N": N}
        assert_close(actual, expected[scales[0]][index], name=name, alternatives=alternatives,
                     context=context, rtol=rtol)
        chosen = scales[0]
    if part == "gradient" and ref is not None:
        check_gradient(lambda p: float(ref_loss(ref, p["W"], X, y, reg, chosen)[0]), {"W": W}, {"W": dW},
                       rng=rng)
    if reg and len(scales) > 1:
        return f"regularization detected: {REG_SCALE_LABELS.get(chosen, chosen)} (accepted)"
    return None


def assert_shift_invariant(shifted, unshifted, offset):
    """A softmax loss is unchanged when every score moves by the same constant: the student's loss with
    the scores offset by ``offset`` must equal their own loss without it (so a stability test judges
    stability only: a loss summed instead of averaged passes it, an overflow does not)."""
    unshifted = np.asarray(unshifted, dtype=np.float64) if _is_number(unshifted) else unshifted
    if not _is_number(unshifted) or not np.all(np.isfinite(unshifted)):
        raise CheckFailure(f"the loss without the offset is {unshifted!r}, not a finite number: the "
                           "stability test compares the loss with and without the offset")
    assert_close(shifted, unshifted, rtol=1e-4,
                 name=f"loss with every score offset by {offset:g} (expected: your own loss without it)",
                 context={"large_offset": True})


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.number)) or (isinstance(value, np.ndarray) and value.size == 1
                                                          and value.dtype.kind in "fiu")


def svm_correct_class_counted(expected, X, y, C):
    """The reference SVM ``(loss, dW)`` when the correct class's margin (always 1) is not zeroed: the
    loss is 1 more, and the usual vectorized gradient (a mask of positive margins, the correct class set
    to minus the row's count) counts that margin too: ``dW[:, y_i]`` gets one more ``-x_i / N``."""
    loss, dW = expected
    return loss + 1.0, np.asarray(dW) - X.T @ np.eye(C)[y] / len(y)


@contextmanager
def own_gradient_hint(uses, *, unless=("weights-not-updated",)):
    """Re-raise a ``CheckFailure`` of a train check with one more sentence: ``train`` steps with the
    student's own ``uses`` (a method name), so failures of that method's tests come first. Unchanged
    when ``uses`` is None or the failure names a mistake of ``train`` itself (a misconception id in ``unless``)."""
    try:
        yield
    except CheckFailure as exc:
        if uses is None or set(ids_of(exc.diagnosis)) & set(unless):
            raise
        raise CheckFailure(f"{exc} {TRAIN_USES_OWN.format(uses=uses)}", exc.diagnosis) from None


def one_example_problem(rng, *, N, D, C, W_start=None):
    """N copies of one example of class C-1: every minibatch has the gradient of the full batch. With
    ``W_start`` (D, C) the example is drawn so that class C-1 scores lowest there: an SVM started from a
    large W then still has positive margins to step on (it would not move at all otherwise)."""
    for _ in range(200):
        x = rng.standard_normal(D)
        if W_start is None or np.argmin(x @ W_start) == C - 1:
            break
    X = np.tile(x, (N, 1))
    y = np.full(N, C - 1)
    return X, y


INIT_SCALES = (1e-4, 1.0)  # c147 init_weights: np.random.normal(size=dims) * 0.0001, or without the factor
START_LABELS = {"given": "the W it was given", 1e-4: "init_weights' W (np.random.normal(size=dims) * 0.0001)",
                1.0: "init_weights' W (np.random.normal(size=dims))"}


def seeded_normal(seed, shape):
    """What ``np.random.normal(size=shape)`` draws right after ``np.random.seed(seed)``."""
    return np.random.RandomState(seed).normal(size=shape)


def init_scale(W_init, Z):
    """The factor ``c`` with ``W_init == c * Z`` (the student's ``init_weights`` draws ``c * N(0, 1)`` from the
    seeded RNG), snapped to a starter's scale when it is one; None when W_init is no such multiple."""
    if not isinstance(W_init, np.ndarray) or W_init.shape != Z.shape or not np.all(np.isfinite(W_init)):
        return None
    c = float(np.sum(W_init * Z) / np.sum(Z * Z))
    if np.linalg.norm(W_init - c * Z) > 1e-6 * max(np.linalg.norm(W_init), 1e-300):
        return None
    return next((s for s in INIT_SCALES if abs(c - s) <= 1e-9 * s), c)


def _starts(init_fn, seed, W0, shape):
    """The W's a student's ``train`` may start from, as ``{key: W}``: the W it was given (a ``train`` that
    does not re-initialize) and ``c * Z``, the draw of ``init_weights`` from the RNG seeded with ``seed``,
    for both starter scales, and for the scale ``init_fn`` measured on the student's own ``init_weights``.
    Also returns the key of the start the student's ``train`` most likely uses (the measured one, else
    "given"); any of them is accepted."""
    Z = seeded_normal(seed, shape[::-1]).T   # init_weights draws (C, D); canonical W is (D, C)
    starts = {"given": W0, **{s: s * Z for s in INIT_SCALES}}
    scale = init_scale(init_fn(shape, seed), Z) if init_fn is not None else None
    if scale is not None and scale not in starts:
        starts[scale] = scale * Z
    return starts, (scale if scale is not None else "given")


def check_train(train_fn, golden, rng, *, kind, N=40, D=6, C=3, learning_rate=0.5, num_iters=15,
                batch_size=10, uses=None, init_fn=None):
    """``train_fn`` performs ``num_iters`` steps ``W -= learning_rate * dW`` on minibatches.

    The data are copies of one example, so whichever rows a minibatch samples its gradient is that of
    the example and the result is deterministic. ``train_fn(W0, X, y, lr, num_iters, batch_size, seed)``
    seeds the student's RNG with ``seed`` right before ``train``: a ``train`` that re-initializes W
    through the starter's ``init_weights`` starts from that RNG's draw, at whichever scale the student's
    starter has (``init_fn(shape, seed)`` measures it: the student's ``init_weights`` after the same
    seeding); the start is never assumed. ``uses`` (``"SVM.fast_loss_and_grad"``) names the student's
    method that ``train`` calls for its gradient: a failure then says so.
    """
    seed = int(rng.integers(2**31))
    X, y = one_example_problem(rng, N=N, D=D, C=C, W_start=seeded_normal(seed, (C, D)).T)
    W0 = 1e-4 * rng.standard_normal((D, C))
    ref_loss = _reference_loss(kind)
    starts, primary = _starts(init_fn, seed, W0, (D, C))

    def descend(ref, W):
        for _ in range(num_iters):
            W = W - learning_rate * ref_loss(ref, W, X[:1], y[:1], 0.0, 1.0)[1]
        return W

    expected = {key: golden(f"{kind}_trained_W_from_{key}", lambda ref, W=W: descend(ref, W))
                for key, W in starts.items()}
    W = train_fn(W0.copy(), X.copy(), y.copy(), learning_rate, num_iters, batch_size, seed)
    if not any(compare(W, expected[key], name="W", rtol=1e-4).ok for key in starts):
        start = START_LABELS[primary] if primary in START_LABELS else f"init_weights' W (scale {primary:g})"
        with own_gradient_hint(uses):
            assert_close(W, expected[primary], name=f"W after training (starting from {start})", rtol=1e-4,
                         alternatives={cause("weights-not-updated"): starts[primary]})
    _check_sampling(train_fn, golden, rng, kind=kind, N=N, D=D, C=C, learning_rate=learning_rate,
                    num_iters=num_iters, batch_size=batch_size, init_fn=init_fn)


def _check_sampling(train_fn, golden, rng, *, kind, N, D, C, learning_rate, num_iters, batch_size, init_fn=None):
    """On distinct examples, ``train_fn`` must not end where gradient descent on the whole set, or on
    the first ``batch_size`` examples at every step, ends from the same start (the RNG is seeded as in
    ``check_train``, so the start is known): the minibatch is a random sample."""
    seed = int(rng.integers(2**31))
    X, y = rng.standard_normal((N, D)), rng.integers(0, C, size=N)
    y[0] = C - 1   # init_weights is sized by max(y) + 1
    W0 = 1e-4 * rng.standard_normal((D, C))
    ref_loss = _reference_loss(kind)
    starts, primary = _starts(init_fn, seed, W0, (D, C))

    def descend(ref, W, rows):
        for _ in range(num_iters):
            W = W - learning_rate * ref_loss(ref, W, X[rows], y[rows], 0.0, 1.0)[1]
        return W

    wrong = {}
    for key in starts:
        wrong[(key, "full")] = golden(f"{kind}_full_batch_W_from_{key}",
                                      lambda ref, W=starts[key]: descend(ref, W, slice(None)))
        wrong[(key, "first")] = golden(f"{kind}_first_batch_W_from_{key}",
                                       lambda ref, W=starts[key]: descend(ref, W, slice(0, batch_size)))
    W = np.asarray(train_fn(W0.copy(), X.copy(), y.copy(), learning_rate, num_iters, batch_size, seed),
                   dtype=np.float64)
    what = {"full": f"all {N} examples at every step instead of a random minibatch of {batch_size}",
            "first": f"the first {batch_size} examples at every step instead of a random minibatch "
                     "(sample the indices, e.g. with np.random.choice)"}
    for (_, rows), end in wrong.items():
        if W.shape == end.shape and np.linalg.norm(W - end) < SAMPLING_RTOL * np.linalg.norm(end):
            raise CheckFailure(f"W after training is what gradient descent on {what[rows]} gives.",
                               diagnosis=cause("minibatch-not-sampled"))


def check_predict(predict_fn, golden, rng, *, N=12, D=5, C=4):
    """``predict_fn(W, X)`` is the argmax of the scores ``X W`` for each example."""
    W, X, _ = draw_problem(rng, N=N, D=D, C=C, w_scale=1.0)
    expected = golden("predicted_labels", lambda ref: ref.linear_predict(W, X))
    labels = predict_fn(W.copy(), X.copy())
    assert_labels(labels, expected, N, name="predicted labels")
