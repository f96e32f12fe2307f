"""Topic checks: affine and ReLU layers, softmax and SVM losses on scores (both families, same names).

Canonical calling forms (cs231n names and shapes, shared by c147 ``nndl`` and cs231n):

* ``affine_forward(x, w, b) -> (out, cache)``, ``x (N, d1, ...)``, ``w (D, M)``, ``out = x.reshape(N, D) @ w + b``;
  ``affine_backward(dout, cache) -> (dx, dw, db)`` with the fixed cache ``(x, w, b)``.
* own-cache layer pairs are bound with :func:`grader.topics.helpers.layer_pair`: ``run(args, dout) -> (out, grads)``.
* ``loss_fn(x, y) -> (loss, dx)`` for ``softmax_loss`` and ``svm_loss`` (mean over N, SVM margin 1).

Every check computes its golden values first, then calls the student's code, and raises
``CheckFailure`` (through ``assert_close`` / ``check_gradient``) or returns ``None``.
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import assert_close
from grader.checks.gradcheck import check_gradient
from grader.checks.misconceptions import cause, register
from grader.topics.helpers import (
    as_tuple,
    fetch_data,
    forward_objective,
    layer_pair,
    nonzero_normal,
    pin_own_gradient,
    with_fixed_cache,
)

register("db-wrong-axis", "db summed over the wrong axis or missing the sum")
register("relu-backward-uses-output", "the backward masks with the output instead of passing dout where x > 0")

# ---------------------------------------------------------------- affine

def check_affine_forward(affine_forward, golden, rng, *, x_shape=(3, 2, 4, 5), M=6):
    """affine_forward on an input of any shape: ``out = x.reshape(N, -1) @ w + b`` and the cache (x, w, b)."""
    D = int(np.prod(x_shape[1:]))
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal((D, M))
    b = rng.standard_normal(M)
    expected = golden("affine_forward", lambda ref: ref.affine_forward(x, w, b)[0])
    out, cache = affine_forward(x.copy(), w.copy(), b.copy())
    assert_close(out, expected, name="out", alternatives={cause("bias-missing"): expected - b})


def check_affine_backward(affine_backward, golden, rng, *, x_shape=(4, 3, 5), M=7, ref_forward=None):
    """affine_backward with the fixed cache (x, w, b): dx has x's shape, dw (D, M), db (M,).

    With ``ref_forward`` (the reference ``affine_forward``, hidden tests) the student's gradients are also
    checked against finite differences of it.
    """
    D = int(np.prod(x_shape[1:]))
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal((D, M))
    b = rng.standard_normal(M)
    dout = rng.standard_normal((x_shape[0], M))
    expected = golden("affine_backward", lambda ref: ref.affine_backward(dout, (x, w, b)))
    result = with_fixed_cache(lambda: affine_backward(dout.copy(), (x.copy(), w.copy(), b.copy())),
                              "affine_backward", "(x, w, b)")
    dx, dw, db = as_tuple(result, 3, "affine_backward")
    assert_close((dx, dw, db), tuple(expected), name="(dx, dw, db)",
                 alternatives={cause("db-wrong-axis"): expected[2] * 0},
                 context={"N": x_shape[0]})
    if ref_forward is not None:
        f = forward_objective(ref_forward, ["x", "w", "b"], {}, dout)
        check_gradient(f, {"x": x, "w": w, "b": b}, {"x": dx, "w": dw, "b": db}, rng=rng)


# ---------------------------------------------------------------- relu

def check_relu(run_relu, golden, rng, *, shape=(6, 5), part="both"):
    """ReLU forward ``max(0, x)`` and backward ``dout * (x > 0)`` through the student's own cache
    (``part``: ``"forward"``, ``"backward"`` or ``"both"``). The input is 2-d ``(N, D)`` as the course
    notebooks pass it (a ReLU written for 2-d inputs is correct there; 4-d inputs reach it only through
    the conv layers, judged by the CNN tests)."""
    x = nonzero_normal(rng, shape)
    dout = rng.standard_normal(shape)
    exp_out = golden("relu_out", lambda ref: ref.relu_forward(x)[0])
    exp_dx = golden("relu_dx", lambda ref: ref.relu_backward(dout, ref.relu_forward(x)[1]))
    out, dx = run_relu((x.copy(),), None if part == "forward" else dout.copy())
    if part != "backward":
        assert_close(out, exp_out, name="out")
    if part == "forward":
        return
    assert_close(dx, exp_dx, name="dx",
                 alternatives={cause("relu-backward-uses-output"): exp_out * dout})


def check_relu_gradient(relu_forward, relu_backward, rng, *, shape=(5, 6), golden=None):
    """relu_backward agrees with finite differences of the student's relu_forward (inputs away from 0);
    with ``golden``, also the reference pin (helpers.pin_own_gradient)."""
    x = nonzero_normal(rng, shape, margin=0.05)
    dout = rng.standard_normal(shape)
    out, dx = layer_pair(relu_forward, relu_backward)((x.copy(),), dout.copy())
    dx = as_tuple(dx, 1, "relu_backward")[0]
    if golden is not None:
        ref_out, ref_dx = golden("relu_own_pin", lambda ref: (np.maximum(x, 0), dout * (x > 0)))
        pin_own_gradient((fetch_data(out),), (ref_out,), {"dx": fetch_data(dx)}, {"dx": ref_dx})
    f = forward_objective(relu_forward, ["x"], {}, dout)
    check_gradient(f, {"x": x}, {"x": dx}, rng=rng)


# ---------------------------------------------------------------- losses on scores

def _scores_and_labels(rng, N, C, offset=0.0):
    x = rng.standard_normal((N, C)) + offset
    y = rng.integers(0, C, size=N)
    return x, y


def check_softmax_loss(loss_fn, golden, rng, *, N=9, C=5, offset=0.0):
    """softmax_loss(x, y) -> (loss, dx): mean cross-entropy over N and its gradient; ``offset`` shifts
    every score by a constant (the loss is unchanged, naive exponentials overflow at +1000)."""
    x, y = _scores_and_labels(rng, N, C, offset)
    loss_ref, dx_ref = golden(f"softmax_loss_{offset}", lambda ref: ref.softmax_loss(x, y))
    loss, dx = as_tuple(loss_fn(x.copy(), y.copy()), 2, "softmax_loss")
    if offset:
        context = "the scores were shifted by a large constant; subtract the row max before exponentiating"
        for name, value in (("loss", loss), ("dx", dx)):
            if not np.all(np.isfinite(np.asarray(value, dtype=np.float64))):
                raise CheckFailure(f"{name} is not finite: {context}", diagnosis=cause("softmax-overflow"))
    rtol = 1e-4 if offset else 1e-6  # scores near 1000 leave float32 code about 1e-5 of round-off
    assert_close(loss, loss_ref, name="loss", context={"N": N}, rtol=rtol,
                 alternatives={cause("summed-not-averaged"): loss_ref * N})
    assert_close(dx, dx_ref, name="dx", context={"N": N}, rtol=rtol,
                 alternatives={cause("summed-not-averaged"): dx_ref * N})


def check_svm_loss(loss_fn, golden, rng, *, N=9, C=5):
    """svm_loss(x, y) -> (loss, dx): mean multiclass hinge loss with margin 1 and its gradient
    (scores are drawn with every margin at least 0.05 away from the hinge)."""
    while True:
        x, y = _scores_and_labels(rng, N, C)
        margins = x - x[np.arange(N), y][:, None] + 1.0
        margins[np.arange(N), y] = 1.0
        if np.min(np.abs(margins)) > 0.05:
            break
    loss_ref, dx_ref = golden("svm_loss", lambda ref: ref.svm_loss(x, y))
    loss, dx = as_tuple(loss_fn(x.copy(), y.copy()), 2, "svm_loss")
    assert_close(loss, loss_ref, name="loss", context={"N": N},
                 alternatives={cause("summed-not-averaged"): loss_ref * N,
                               cause("svm-correct-class", detail="(1) counted"): loss_ref + 1.0})
    assert_close(dx, dx_ref, name="dx", context={"N": N},
                 alternatives={cause("summed-not-averaged"): dx_ref * N})


def check_loss_gradient(loss_fn, rng, *, N=6, C=4, svm=False, golden=None):
    """The dx of a loss on scores agrees with finite differences of the same function's loss; with
    ``golden``, also the reference pin (helpers.pin_own_gradient)."""
    while True:
        x, y = _scores_and_labels(rng, N, C)
        margins = x - x[np.arange(N), y][:, None] + 1.0
        margins[np.arange(N), y] = 1.0
        if not svm or np.min(np.abs(margins)) > 0.05:
            break
    loss, dx = as_tuple(loss_fn(x.copy(), y.copy()), 2, "the loss")
    if golden is not None:
        name = "svm_loss" if svm else "softmax_loss"
        ref_loss, ref_dx = golden(f"{name}_own_pin", lambda ref: getattr(ref, name)(x, y))
        pin_own_gradient((fetch_data(loss),), (ref_loss,), {"dx": fetch_data(dx)}, {"dx": ref_dx})

    def f(params):
        value = loss_fn(params["x"], y.copy())[0]
        return float(value)
    check_gradient(f, {"x": x}, {"x": dx}, rng=rng)
