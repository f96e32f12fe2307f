"""The one registry of the misconceptions the grader names, and the standard vocabulary of ``diagnose``.

A misconception has a stable ``id`` ("reg-without-half"), the short ``name`` a batch counts it under
("regularization without the factor ½") and optionally a ``template`` with ``{fields}`` that a check
fills per call ("regularization without the factor ½ ({detail})"). Checks and topic modules register
their own at import (``register``); registering an id twice with other text raises ``ValueError``.

``cause(id, **params)`` is what a check names: a ``Diagnosis``, the text the student reads (the name,
or the template filled with ``params``) carrying the ``ids`` it names, which the outcome keeps so that
the batch summary counts one mistake under one name. ``either`` names several that fit at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True)
class Misconception:
    id: str
    name: str  # what a batch counts it under, and what a student reads when a check gives no detail
    template: str | None = None  # what a student reads when a check fills its {fields}


_REGISTRY: dict[str, Misconception] = {}


def register(id: str, name: str, template: str | None = None) -> Misconception:
    """Add misconception ``id``; the same id again with the same text is a no-op, with other text an error."""
    if not ID.fullmatch(id):
        raise ValueError(f"misconception id {id!r}: lowercase words joined by '-'")
    new = Misconception(id, name, template)
    old = _REGISTRY.setdefault(id, new)
    if old != new:
        raise ValueError(f"misconception {id!r} registered twice with different text: {old} and {new}")
    return new


def registered() -> dict[str, Misconception]:
    """Every misconception registered so far (by the modules imported so far), by id."""
    return dict(_REGISTRY)


class Diagnosis(str):
    """The text a student reads (a ``str``), carrying ``ids``: the misconceptions it names."""

    ids: tuple[str, ...]

    def __new__(cls, text: str, ids: tuple[str, ...]):
        self = super().__new__(cls, text)
        self.ids = tuple(ids)
        return self

    def __reduce__(self):
        return Diagnosis, (str(self), self.ids)


def cause(id: str, **params) -> Diagnosis:
    """Misconception ``id`` as a check names it: its name, or its template filled with ``params``."""
    try:
        m = _REGISTRY[id]
    except KeyError:
        raise KeyError(f"unknown misconception {id!r}: register it first (grader.checks.misconceptions)") from None
    if not params:
        return Diagnosis(m.name, (id,))
    if m.template is None:
        raise TypeError(f"misconception {id!r} has no template for {sorted(params)}")
    return Diagnosis(m.template.format(**params), (id,))


def as_cause(label) -> str:
    """An alternative's label as a diagnosis: a ``Diagnosis`` as is, a registered id as ``cause(id)``,
    any other text as is (an assignment's own phrase, counted by its words)."""
    if isinstance(label, Diagnosis) or label not in _REGISTRY:
        return label
    return cause(label)


def either(causes) -> str | None:
    """Several diagnoses that fit at once, as one: "a, or b", naming the ids of all (None for none)."""
    causes = list(causes)
    if not causes:
        return None
    return Diagnosis(", or ".join(causes), tuple(i for c in causes for i in ids_of(c)))


def ids_of(diagnosis) -> list[str]:
    """The misconception ids a diagnosis names ([] for None or an unregistered phrase)."""
    return list(getattr(diagnosis, "ids", ()))


def name_of(id: str) -> str:
    """The name a batch counts misconception ``id`` under (the id itself if not registered here)."""
    m = _REGISTRY.get(id)
    return m.name if m else id


# -- the standard vocabulary: what diagnose and the generic checks name -------------------------------

register("transposed", "transposed")
register("reshape-missing", "right values in the wrong shape (a reshape is missing)")
register("summed-axis", "summed over an axis that should be kept")
register("other-layout", "the shape of the other convention", "the shape of the other convention: {shapes}")
register("reversed", "in reverse order")
register("zeros", "zero everywhere (not computed)")
register("sign", "sign flipped")
register("scaled-by-2", "scaled by 2")
register("scaled-by-half", "scaled by ½")
register("scaled", "scaled by a constant factor", "scaled by {factor}")  # a size of the problem, or fitted
register("offset", "off by a constant", "off by a constant ({offset})")
register("summed-not-averaged", "summed instead of averaged over N")
register("averaged-twice", "divided by N once too often")
register("softmax-overflow", "softmax without the max shift (overflow)")
register("off-by-one", "off by one", "off by one ({detail})")
register("crop", "your values are a part of the expected value", "your values are {where} of the expected value")
register("reg-missing", "regularization missing")
register("reg-doubled", "regularization doubled", "regularization doubled ({detail})")
register("reg-with-half", "regularization with the factor ½", "regularization with the factor ½ ({detail})")
register("reg-without-half", "regularization without the factor ½", "regularization without the factor ½ ({detail})")
register("dropout-drop-prob", "dropout p read as the drop probability")
register("dropout-not-inverted", "dropout not inverted (kept units not scaled by 1/p)")
register("dropout-test-mode", "dropout applied in test mode")
register("stale-cache", "mask or cache from the wrong call")
register("mask-ignored", "the mask was not applied")
register("state-key", "optimizer state stored under another key", "optimizer state stored under another key ({keys})")
# named by several topic modules (a topic module names only these and its own: tests/checks/test_misconceptions.py)
register("reg-grad-missing", "regularization gradient missing", "regularization gradient missing {where}")
register("reg-grad-loss-differ", "regularization in the gradient other than in the loss",
         "regularization {grad} in {where}, but {loss} in the loss")
register("relu-missing", "ReLU missing")
register("minibatch-not-sampled", "minibatch not sampled")
register("svm-correct-class", "the correct class's margin counted", "the correct class's margin {detail}")
register("bias-missing", "bias left out")
register("unbiased-variance", "unbiased variance (ddof=1) used; batch norm uses the biased one",
         "unbiased variance (ddof=1) used for {what}; batch norm uses the biased one")
register("momentum-swapped", "momentum applied to the batch statistics instead of the running ones")
register("batch-stats-in-test-mode", "the batch statistics were used in test mode")
register("norm-backward-direct-only", "only the direct term dout * gamma / std (mean and variance terms missing)")
