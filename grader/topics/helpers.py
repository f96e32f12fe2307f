"""Helpers shared by the topic modules: inputs away from kinks, plain data of sandbox results, writing a
student's parameter dict, layer pairs bound with the student's own cache, a fixed cache's failures, the
student's tuple results, and the objective ``sum(forward(...) * dout)`` of a gradient check."""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import accept_singleton_shape, assert_close, compare
from grader.checks.misconceptions import cause, register
from grader.checks.values import Scalarised, describe
from grader.sandbox import is_remote

register("cache-layout", "cache in another layout than the starter's")


def nonzero_normal(rng, shape, margin=0.05, scale=1.0):
    """Standard normal draws pushed at least ``margin`` away from 0 (no input sits on a ReLU/PReLU kink)."""
    x = rng.standard_normal(shape) * scale
    small = np.abs(x) < margin
    x[small] = np.where(x[small] < 0, -margin, margin) * (1 + rng.random(int(small.sum())))
    return x


def fetch_data(value):
    """Plain data of a sandbox result (``Remote`` handles are fetched); plain values pass through."""
    if is_remote(value):
        from grader.sandbox import fetch
        return fetch(value)
    return value


def write_entries(params, changed):
    """``params[k] = v`` for each entry of ``changed`` (arrays, copied), in one call of the student's
    ``params.update`` (one round trip instead of one per entry: a gradient check writes every parameter
    at each point); entry by entry when ``params`` has no working ``update``."""
    changed = {key: np.array(value) for key, value in changed.items()}
    if len(changed) > 1:
        from grader.sandbox.errors import StudentException
        try:
            params.update(changed)
            return
        except (StudentException, AttributeError, TypeError):
            pass
    for key, value in changed.items():
        params[key] = value


def layer_pair(forward, backward):
    """Bind a forward/backward pair whose cache is the student's own.

    Returns ``run(args, dout) -> (out, grads)``: with sandbox functions the forward result is kept in
    the worker (``forward.keep``) so the cache never leaves it; plain callables are called directly.
    With ``dout`` None the backward is not called (grads None): a forward test must not fail because
    the backward raises.
    """
    def run(args, dout):
        if is_remote(forward):
            kept = forward.keep(*args)
            return fetch_data(kept[0]), None if dout is None else backward(dout, kept[1])
        out, cache = forward(*args)
        return out, None if dout is None else backward(dout, cache)
    return run


def as_tuple(result, count, name):
    """The student's result as a tuple of ``count`` values (a single value when count is 1)."""
    if count == 1:
        return (result,)
    if not isinstance(result, (tuple, list)) or len(result) != count:
        what = "gradients" if "backward" in name else "values"
        raise CheckFailure(f"{name} should return a tuple of {count} {what}, got {describe(result)}")
    return tuple(result)


def forward_objective(forward, names, fixed, dout, out_index=0):
    """``f(params) = sum(forward(**point)[out_index] * dout)`` and ``F = sum|...|`` for ``check_gradient``
    (a ``Scalarised``: both numbers computed here from the forward's plain output).

    ``names`` are the positional argument names of ``forward`` in order; ``fixed`` gives the values of
    the arguments that are not perturbed.
    """
    def f(params):
        args = [params[n] if n in params else fixed[n] for n in names]
        result = forward(*args)
        out = np.asarray(fetch_data(result[out_index] if isinstance(result, (tuple, list)) else result),
                         dtype=np.float64)
        out = accept_singleton_shape(out, dout.shape, "the forward's output")
        if out.shape != dout.shape:
            raise CheckFailure(f"the forward returned shape {out.shape}, expected {dout.shape}")
        terms = out * dout
        return Scalarised(float(terms.sum()), float(np.abs(terms).sum()))
    return f


CACHE_ERRORS = ("ValueError", "TypeError", "IndexError", "KeyError", "AttributeError")


def with_fixed_cache(call, function, cache):
    """``call()``; when the student's backward breaks while reading the cache the test built (unpacking,
    indexing), the failure says so: the starter fixes that cache, the student's forward made another."""
    from grader.sandbox.errors import StudentException
    try:
        return call()
    except StudentException as exc:
        if exc.type_name not in CACHE_ERRORS:
            raise
        raise CheckFailure(f"{exc}. This test calls {function} with the cache the starter defines, {cache}, "
                           "built by the test (not your forward's): read the cache as the starter's "
                           "forward stores it.", diagnosis=cause("cache-layout")) from None


def loss_pair(result, *, grads_dict=True):
    """``result`` of a net's ``loss(X, y)`` checked to be the pair (loss, grads), grads a dict unless
    ``grads_dict`` is False (a check that reads only the loss); raises CheckFailure, else returns it."""
    pair = isinstance(result, (tuple, list)) and len(result) == 2
    if not pair or (grads_dict and not isinstance(result[1], dict)):
        with_dict = " with grads a dict" if grads_dict else ""
        raise CheckFailure(f"loss(X, y) should return the pair (loss, grads){with_dict}")
    return result


def pin_own_gradient(outs, ref_outs, grads, ref_grads):
    """The reference pin of a test that judges a backward by finite differences of the student's own
    forward: where the forward's outputs equal the reference's at the test point, a backward consistent
    with that forward is the reference's backward there, so ``grads`` ({name: array}) must equal
    ``ref_grads``. A forward that is honest at every fresh input but flat near the inputs it has seen, with
    a zero backward, agrees with its own finite differences; it fails here. Where the forward differs
    (a forward bug, judged by its own test), consistency alone is judged."""
    if not compare(tuple(outs), tuple(ref_outs), name="outputs").ok:
        return
    try:
        assert_close(grads, ref_grads, name="grads")
    except CheckFailure as exc:
        raise CheckFailure(f"Your forward gives the reference's outputs at the test's inputs, so its gradients "
                           f"there are the reference's; your backward's are not: {exc}", exc.diagnosis) from None
