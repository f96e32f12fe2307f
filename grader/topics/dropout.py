"""Topic checks: inverted dropout (both families: ``p`` is the probability of KEEPING a unit).

Canonical form: ``dropout_forward(x, dropout_param) -> (out, cache)``, ``dropout_backward(dout, cache)
-> dx``, fixed cache ``(dropout_param, mask)`` where ``mask`` is the 0/1 mask or the scaled one
(``mask / p``). The forward is judged by stochastic checks on its output (any random call passes:
``rand < p``, ``binomial``, ``choice``...), never against the reference's random numbers.
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import accept_singleton_shape, assert_close, compare
from grader.checks.misconceptions import cause, register
from grader.sandbox import is_remote
from grader.topics.helpers import fetch_data, nonzero_normal

register("dropout-scaled-twice", "scaled by 1/p twice")


def _stochastic():
    from grader.checks import stochastic
    return stochastic


def check_dropout_train(dropout_forward, rng, *, p, shape=(40, 50)):
    """Train mode: kept units equal ``x / p``, dropped ones are 0, the kept fraction is ``p`` within a
    binomial bound (names "p read as the drop probability" and "not inverted")."""
    x = nonzero_normal(rng, shape, margin=0.1) + 0.0
    out, _ = dropout_forward(x.copy(), {"mode": "train", "p": p})
    _stochastic().check_inverted_dropout(x, out, p)


def check_dropout_test(dropout_forward, rng, *, p=0.6, shape=(6, 7)):
    """Test mode returns ``x`` unchanged (no scaling: inverted dropout scales at train time)."""
    x = nonzero_normal(rng, shape)
    out, _ = dropout_forward(x.copy(), {"mode": "test", "p": p})
    _stochastic().check_dropout_test_mode(x, out)


def check_dropout_seed(dropout_forward, rng, *, p=0.5, shape=(10, 12)):
    """``dropout_param['seed']`` makes the mask repeatable: two calls with the same seed agree."""
    x = nonzero_normal(rng, shape)
    first, _ = dropout_forward(x.copy(), {"mode": "train", "p": p, "seed": 123})
    second, _ = dropout_forward(x.copy(), {"mode": "train", "p": p, "seed": 123})
    assert_close(second, first, name="out of the second call with the same seed")


def check_dropout_backward_fixed(dropout_backward, golden, rng, *, p=0.7, shape=(8, 9)):
    """Backward with a cache built by the grader: ``dx = dout * mask / p``. The cache holds either the
    0/1 mask or the scaled one (both are valid layouts): the student's backward passes when it is right
    for one of them."""
    keep = rng.random(shape) < p
    dout = rng.standard_normal(shape)
    param = {"mode": "train", "p": p}
    expected = golden("dropout_dx", lambda ref: ref.dropout_backward(dout, (dict(param), keep / p)))
    results = {}
    for layout, mask in (("scaled mask", keep / p), ("0/1 mask", keep.astype(np.float64))):
        results[layout] = dx = dropout_backward(dout.copy(), (dict(param), mask))
        if compare(dx, expected, name="dx").ok:
            return f"dropout_backward: the cache layout with the {layout} was accepted"
    assert_close(results["scaled mask"], expected, name="dx (cache holding the scaled mask)",
                 alternatives={cause("mask-ignored"): dout,
                               cause("dropout-scaled-twice"): expected / p})


def check_dropout_backward_test(dropout_backward, rng, *, shape=(5, 6)):
    """Test mode backward passes ``dout`` through unchanged (the cache's mask is None)."""
    dout = rng.standard_normal(shape)
    dx = dropout_backward(dout.copy(), ({"mode": "test", "p": 0.5}, None))
    assert_close(dx, dout, name="dx")


def check_dropout_pair(dropout_forward, dropout_backward, rng, *, p=0.6, shape=(20, 30)):
    """The backward uses the forward's own mask and scaling: ``dx = dout * out / x`` (the forward's cache
    is kept in the worker and handed back). Judged against what the forward did, so a wrong forward does
    not fail a backward that follows it."""
    x = nonzero_normal(rng, shape, margin=0.1)
    dout = rng.standard_normal(shape)
    param = {"mode": "train", "p": p}
    if is_remote(dropout_forward):
        kept = dropout_forward.keep(x.copy(), param)
        out, dx = fetch_data(kept[0]), dropout_backward(dout.copy(), kept[1])
    else:
        out, cache = dropout_forward(x.copy(), param)
        dx = dropout_backward(dout.copy(), cache)
    out = accept_singleton_shape(np.asarray(out, dtype=np.float64), x.shape, "out")
    if out.shape != x.shape:
        raise CheckFailure(f"dropout_forward returned shape {out.shape}, expected {x.shape}")
    assert_close(dx, dout * out / x, name="dx", alternatives={cause("mask-ignored"): dout})
