"""The bug suite (tests/checks/bugs/): every realistic bug is caught on every seed, and named.

* value bugs: ``assert_close`` against the reference value fails;
* gradient bugs: ``check_gradient`` against the reference forward fails (naming no other cause), and
  ``assert_close`` of the gradients against the reference gradients fails;
* dropout bugs: the stochastic checks fail.
The named cause of each bug (``Bug.cause``) must be ``CheckFailure.diagnosis``, with the same misconception
id (a phrase may carry a detail after it: "padding off by one (shifted ...)"); a bug without a named
cause must get none.
"""
import copy
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import reference
from grader.checks import CheckFailure
from grader.checks.compare import assert_close
from grader.checks.diagnose import diagnose
from grader.checks.gradcheck import check_gradient
from grader.checks.misconceptions import cause, ids_of

sys.path.insert(0, str(Path(__file__).parent))
from bugs import all_bugs  # noqa: E402  (the bug records live beside this file)
from helpers import seed_sweep  # noqa: E402

BUGS = all_bugs()
SEEDS = 5   # seed 0 runs by default, seeds 1-4 are a study (--studies)


def names(diagnosis, cause):
    """True when ``diagnosis`` is the phrase ``cause`` (possibly with a detail) and names its misconception
    ids, or both are None."""
    if cause is None or diagnosis is None:
        return diagnosis is cause
    same_words = diagnosis == cause or diagnosis.startswith((cause + " (", cause + ":"))
    return same_words and ids_of(diagnosis) == ids_of(cause)


def run_value(bug, args):
    actual = bug.student(copy.deepcopy(args))
    expected = bug.expected(reference, copy.deepcopy(args))
    alternatives = bug.alternatives(reference, copy.deepcopy(args)) if bug.alternatives else None
    context = bug.context(args) if bug.context else None
    with pytest.raises(CheckFailure) as caught:
        assert_close(actual, expected, name="output", alternatives=alternatives, context=context)
    return caught.value


SIZE_CAUSES = {cause("summed-not-averaged"), cause("averaged-twice")}


def run_gradient(bug, args, rng):
    """check_gradient catches the bug; any cause it names from finite differences alone (it knows no
    reference gradient and no sizes) agrees with the bug's. Returns assert_close's failure."""
    grads = bug.student(copy.deepcopy(args))
    params = {k: args[k] for k in bug.wrt}
    with pytest.raises(CheckFailure) as caught:
        check_gradient(lambda p: bug.scalar(reference, {**args, **p}), params, grads, rng=rng)
    named = caught.value.diagnosis
    assert named is None or names(named, bug.cause) or (
        bug.cause in SIZE_CAUSES and named.startswith("scaled by")), f"check_gradient named {named!r}"
    return run_value_of(bug, args, grads)


def run_value_of(bug, args, grads):
    expected = bug.expected(reference, copy.deepcopy(args))
    alternatives = bug.alternatives(reference, copy.deepcopy(args)) if bug.alternatives else None
    context = bug.context(args) if bug.context else None
    with pytest.raises(CheckFailure) as caught:
        assert_close(grads, expected, name="grads", alternatives=alternatives, context=context)
    return caught.value


def run_dropout(bug, args):
    stochastic = pytest.importorskip("grader.checks.stochastic")
    arrays = bug.student(copy.deepcopy(args))
    with pytest.raises(CheckFailure) as caught:
        bug.stochastic(stochastic, arrays)
    return caught.value


@pytest.mark.parametrize("seeds", seed_sweep(SEEDS, 1))
@pytest.mark.parametrize("bug", BUGS, ids=[f"{b.topic}: {b.name}" for b in BUGS])
def test_bug_is_caught_and_named(bug, seeds):
    missing = [n for n in bug.needs if not hasattr(reference, n)]
    assert not missing, f"reference lacks {missing}"
    for seed in seeds:
        rng = np.random.default_rng([231, seed])
        args = bug.make(rng)
        if bug.kind == "value":
            failure = run_value(bug, args)
        elif bug.kind == "gradient":
            failure = run_gradient(bug, args, rng)
        else:
            failure = run_dropout(bug, args)
        assert names(failure.diagnosis, bug.cause), (
            f"seed {seed}: diagnosis {failure.diagnosis!r}, expected {bug.cause!r}\n{failure}")


def test_the_suite_is_broad():
    """At least 40 bugs over every topic of the brief, most with a named cause."""
    topics = Counter(b.topic for b in BUGS)
    assert len(BUGS) >= 40
    for topic in ("linear regression", "k-NN", "softmax", "SVM", "ReLU", "PReLU", "ELU", "affine", "dropout",
                  "batch norm", "layer norm", "sgd_momentum", "adam", "conv", "max pool", "RNN", "LSTM",
                  "temporal softmax", "two-layer net"):
        assert topics[topic] >= 1, topic
    assert sum(b.cause is not None for b in BUGS) >= 25
    assert {b.kind for b in BUGS} == {"value", "gradient", "dropout"}


def as_float32(value):
    """The value as float32 student code would return it (arrays and floats rounded to float32)."""
    if isinstance(value, dict):
        return {k: as_float32(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(as_float32(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float32)
    return float(np.float32(value)) if isinstance(value, float) else value


def test_the_reference_itself_passes_every_check():
    """Sanity of the records: the right answer (also rounded to float32), run through the same
    comparisons with the same alternatives and context, is never caught nor diagnosed."""
    for bug in BUGS:
        if bug.kind == "dropout":
            continue
        args = bug.make(np.random.default_rng([231, 99]))
        expected = bug.expected(reference, copy.deepcopy(args))
        alternatives = bug.alternatives(reference, copy.deepcopy(args)) if bug.alternatives else None
        context = bug.context(args) if bug.context else None
        for right in (bug.expected(reference, copy.deepcopy(args)), as_float32(expected)):
            assert_close(right, expected, alternatives=alternatives, context=context)
            assert diagnose(right, expected, alternatives=alternatives, context=context) is None
        if bug.kind == "gradient":
            params = {k: args[k] for k in bug.wrt}
            check_gradient(lambda p: bug.scalar(reference, {**args, **p}), params, expected,
                           rng=np.random.default_rng(0))
