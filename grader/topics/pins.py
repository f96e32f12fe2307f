"""Pinning a softmax classifier's loss, scores and gradients at known parameters, whatever its layout.

A self-consistency test (the gradients agree with finite differences of the same net's loss) is passed
by a net whose loss is a constant and whose gradients are zero. These pins tie the net to values the
grader knows, without assuming a layout (the order of normalization, dropout and ReLU, the names of
the normalization parameters, the batch-norm state):

``check_last_bias_pin``: on the net under test (its own instance and reg: nothing tells the pin from the
rest of the test but the parameters), the last affine layer's weights W_L are set to 0 and its bias to a
random β; the other parameters keep the values the test drew (so no normalization sees a zero variance). Whatever
comes before the last layer (the order of normalization, dropout and
ReLU, the names of their parameters, the batch-norm mode and running statistics), for any layout

    scores = h·W_L + β = β on every row             (loss(X), test mode)
    loss = mean_i (logsumexp(β) − β[y_i]) + ½·reg·Σ_k‖W_k‖²      (loss(X, y), train mode)
    dβ = softmax(β) − mean_i onehot(y_i)            (nonzero unless softmax(β) is the label frequency)
    dW_k = reg·W_k, every other gradient = 0        (the data part is dscores·W_Lᵀ = 0 carried backwards)

(the penalty reg·Σ‖W‖² with gradient 2·reg·W is accepted too: other tests judge that convention)

where W_k are the regularized weights (both families: every affine/conv weight, never a bias, γ or β).

(dW_L = hᵀ·dscores depends on the layout and is not pinned.) With β = 0 the loss is the familiar log(C)
of an untrained net; a random β makes the loss depend on the parameters, so a constant loss, zero
gradients or a zero model fail. (A net that recognises W_L = 0 and answers only there can still
dodge it; fixed layouts are also pinned at generic parameters, e.g. ``fc_net.check_fc_pins``.)
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import assert_close, compare
from grader.sandbox import type_name
from grader.topics.helpers import loss_pair

PENALTY_FACTORS = (0.5, 1.0)   # ½·reg·Σ‖W‖² (the models' convention) or reg·Σ‖W‖², gradient 2·factor·reg·W


def last_bias_expectations(beta, y):
    """(scores row, loss, dβ) of a softmax classifier whose scores are β on every row (module docstring)."""
    beta = np.asarray(beta, dtype=np.float64)
    shifted = beta - beta.max()
    log_norm = np.log(np.exp(shifted).sum())
    probs = np.exp(shifted - log_norm)
    loss = float(np.mean(log_norm - shifted[y]))
    frequency = np.bincount(y, minlength=beta.size) / len(y)
    return beta, loss, probs - frequency


def own_params(current, drawn):
    """The net's own parameters (``current``: names and shapes as the student's net has them), each
    taking the test's ``drawn`` value when the test drew one of that name and shape (else its own)."""
    if not isinstance(current, dict):
        raise CheckFailure(f"params should be a dict of arrays, got {type_name(current)}")
    out = {}
    for key, value in current.items():
        value = np.asarray(value)
        if value.dtype.kind not in "iuf":
            raise CheckFailure(f"params[{key!r}] should be an array of numbers, got dtype {value.dtype}")
        mine = drawn.get(key)
        out[key] = np.array(mine if mine is not None and np.shape(mine) == value.shape else value, dtype=np.float64)
    return out


def check_last_bias_pin(params, set_params, loss, X, y, rng, *, last_weight, last_bias, reg=0.0, weights=()):
    """The pin of the module docstring. ``params`` are parameters the test drew, under the net's own
    names (any layout); ``set_params(dict)`` writes them; ``loss(X, y=None)`` is the student's loss of
    the net under test, built with ``reg`` and penalty ½·reg·Σ‖W‖² over ``weights``; ``last_weight`` and
    ``last_bias`` name the last affine layer's weights and bias (``W<L>``, ``b<L>`` in every family).
    Raises CheckFailure."""
    for key in (last_weight, last_bias):
        if key not in params:
            raise CheckFailure(f"the net has no parameter {key!r} (the last affine layer); its parameters "
                               f"are {sorted(map(str, params))}")
    C = np.asarray(params[last_bias]).size
    beta = rng.standard_normal(C)
    pinned = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    pinned[last_weight] = np.zeros_like(pinned[last_weight])
    pinned[last_bias] = beta.reshape(np.shape(params[last_bias]))
    row, data_loss, dbeta = last_bias_expectations(beta, y)
    squares = sum(float(np.sum(pinned[w] ** 2)) for w in weights)
    set_params(pinned)
    why = (f"With {last_weight} = 0 and {last_bias} = β (the test's β), the scores are β on every row whatever "
           "comes before the last layer")
    result = loss(X.copy(), y.copy())
    loss_pair(result)
    scores = loss(X.copy())
    if not isinstance(scores, np.ndarray) or scores.shape != (len(X), C):
        shape = scores.shape if isinstance(scores, np.ndarray) else type_name(scores)
        raise CheckFailure(f"loss(X) should return the scores, an array of shape {(len(X), C)}; got {shape}")
    try:
        assert_close(scores, np.tile(row, (len(X), 1)), name="scores")
    except CheckFailure as exc:
        raise CheckFailure(f"{exc} {why}.", exc.diagnosis) from None
    value, grads = result
    actual = {k: grads.get(k) for k in params if k != last_weight}
    candidates = []
    for factor in PENALTY_FACTORS:  # the regularization convention is judged by other tests, not here
        expected = {k: (2 * factor * reg * pinned[k] if k in weights else np.zeros(np.shape(v)))
                    for k, v in params.items() if k != last_weight}
        expected[last_bias] = dbeta.reshape(np.shape(params[last_bias]))
        candidates.append((data_loss + factor * reg * squares, expected))
        if compare(value, candidates[-1][0], name="loss").ok and compare(actual, expected, name="grads").ok:
            return
    expected_loss, expected = candidates[0]
    try:
        assert_close(value, expected_loss, name="loss")
        assert_close(actual, expected, name="grads")
    except CheckFailure as exc:
        raise CheckFailure(f"{exc} {why}: the loss is mean(logsumexp(β) − β[y]) + ½·reg·Σ‖W‖² = "
                           f"{expected_loss:.6g}, d{last_bias} = softmax(β) − (the label frequencies), and the "
                           f"gradients of the layers before it are their regularization terms alone (reg·W, "
                           f"0 for biases and normalization parameters).", exc.diagnosis) from None
