"""The bug suite: realistic buggy student implementations, one bug each, as data.

Each ``Bug`` says how to build its inputs, how to run the buggy code on them, how to get the right
answer from ``reference``, and the named cause ``diagnose`` should give (``None``: no named cause applies,
and none may be given). ``tests/checks/test_bug_suite.py`` runs them.

Kinds:
* ``"value"``: ``student(args)`` is compared with ``expected(ref, args)`` by ``assert_close``.
* ``"gradient"``: ``student(args)`` is a dict of gradients of ``scalar(ref, args)`` with respect to the
  inputs named in ``wrt``; caught by ``check_gradient`` against the reference forward, and diagnosed by
  ``assert_close`` against ``expected(ref, args)`` (the reference gradients, same keys).
* ``"dropout"``: ``student(args)`` returns the arrays of a dropout forward/backward; ``stochastic(st,
  arrays)`` runs the checks of ``grader.checks.stochastic`` on them.
"""
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

import grader.topics.knn  # noqa: F401  (the topics register the misconceptions the bugs are named by)
import grader.topics.linear_classifiers  # noqa: F401
import grader.topics.optim  # noqa: F401
import grader.topics.rnn  # noqa: F401
from grader.checks.misconceptions import register

# The suite's own misconceptions (no topic names these bugs): an assignment's tests may register theirs.
register("w-transposed", "W transposed")
register("tanh-one-minus-h", "tanh derivative written as 1 − h instead of 1 − h²")


@dataclass(frozen=True)
class Bug:
    topic: str
    name: str                                   # what the student did wrong
    kind: str                                   # "value", "gradient" or "dropout"
    make: Callable[[np.random.Generator], dict]  # the inputs
    student: Callable[[dict], Any]              # the buggy code run on the inputs
    cause: Optional[str]                        # the cause(id) diagnose must give (None: none)
    needs: tuple = ()                           # reference names used
    expected: Optional[Callable] = None         # (ref, args) -> right value / reference gradients
    scalar: Optional[Callable] = None           # gradient kind: (ref, args) -> float
    wrt: tuple = ()                             # gradient kind: the differentiated inputs
    alternatives: Optional[Callable] = None     # (ref, args) -> {phrase: value}
    context: Optional[Callable] = None          # args -> context dict for diagnose
    stochastic: Optional[Callable] = None       # dropout kind: (stochastic module, arrays) -> raises


def layer_scalar(forward, names, outputs=1):
    """(ref, args) -> Σ ref.<forward>(*args[names])[i] · args[dout_i] over the first ``outputs`` outputs."""
    def scalar(ref, args):
        result = getattr(ref, forward)(*[args[n] for n in names])
        douts = ["dout"] if outputs == 1 else [f"dout{i}" for i in range(outputs)]
        return float(sum(np.sum(result[i] * args[d]) for i, d in enumerate(douts)))
    return scalar


def loss_scalar(fn, names):
    """(ref, args) -> the loss of ref.<fn>(*args[names]) (the function returns a loss or (loss, grad))."""
    def scalar(ref, args):
        result = getattr(ref, fn)(*[args[n] for n in names])
        return float(result[0] if isinstance(result, tuple) else result)
    return scalar


def layer_grads(forward, backward, names, wrt, outputs=1):
    """(ref, args) -> {wrt[i]: reference gradient}, through the reference forward's cache."""
    def grads(ref, args):
        result = getattr(ref, forward)(*[args[n] for n in names])
        cache = result[-1]
        douts = [args["dout"]] if outputs == 1 else [args[f"dout{i}"] for i in range(outputs)]
        out = getattr(ref, backward)(*douts, cache)
        out = out if isinstance(out, tuple) else (out,)
        return dict(zip(wrt, out))
    return grads


def loss_grads(fn, names, wrt):
    """(ref, args) -> {wrt[0]: the gradient ref.<fn> returns with its loss} (e.g. dW, dx)."""
    def grads(ref, args):
        _, g = getattr(ref, fn)(*[args[n] for n in names])
        return dict(zip(wrt, g if isinstance(g, tuple) else (g,)))
    return grads


def all_bugs():
    """Every bug record of every topic file."""
    from . import classifiers, conv, layers, more, optim, rnn
    return classifiers.BUGS + layers.BUGS + optim.BUGS + conv.BUGS + rnn.BUGS + more.BUGS
