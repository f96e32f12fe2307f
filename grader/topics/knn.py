"""k-nearest neighbours: distance matrices and majority-vote labels.

Canonical forms:

* ``dist_fn(X_train, X) -> dists`` of shape (num_test, num_train), ``dists[i, j] = norm(X[i] - X_train[j])``;
* ``labels_fn(dists, y_train, k) -> labels`` (num_test,): the majority label of the k nearest
  training points, a tie in the vote going to the smaller label.

Inputs avoid ties in distances (continuous random data); the tie test builds label ties explicitly.
The families' bindings (grader.families) give these forms for c147 ``KNN`` and cs231n ``KNearestNeighbor``.
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import assert_close
from grader.checks.misconceptions import as_cause, cause, either, register
from grader.sandbox import type_name

NORMS = {"l2": None, "l1": lambda d: np.sum(np.abs(d))}
register("k-ignored", "only the nearest neighbour is used (k ignored)")
register("k-farthest", "the k farthest neighbours voted (distances sorted in the wrong order)")
register("distances-squared", "squared L2 distances (no square root)")
register("l2-for-other-norm", "L2 distances although another norm was given")
register("ties-to-larger", "ties go to the larger label (or to the nearest neighbour)")
K_IGNORED = cause("k-ignored")
FARTHEST = cause("k-farthest")


def check_distances(dist_fn, golden, rng, *, num_train=7, num_test=4, D=5, norm="l2"):
    """``dist_fn`` gives the reference distance matrix (L2, or the named ``norm`` of ``NORMS``)."""
    X_train = rng.standard_normal((num_train, D))
    X = rng.standard_normal((num_test, D))
    expected = golden(f"dists_{norm}", lambda ref: ref.compute_distances(X_train, X, norm=NORMS[norm]))
    squared = golden(f"squared_{norm}", lambda ref: ref.compute_distances(X_train, X) ** 2)
    dists = dist_fn(X_train.copy(), X.copy())
    alternatives = {cause("distances-squared"): squared}
    if norm != "l2":
        alternatives[cause("l2-for-other-norm")] = np.sqrt(squared)
    assert_close(dists, expected, name="dists", rtol=1e-6, alternatives=alternatives)


def label_problem(rng, *, num_train, num_test, num_classes, k=1):
    """Distinct random distances and labels (no ties in distances). The k nearest of test point 0 hold
    label 1 and those of test point 1 (disjoint from them) label 0, so that the expected labels are
    never all equal: a function that returns zeros (or any constant) fails. For k >= 3 the nearest
    neighbour of test point 0 holds label 0 instead (the vote is still 1, by k-1 to 1), so that a
    function that ignores k and returns the nearest neighbour's label fails."""
    size = num_test * num_train
    dists = (rng.permutation(size).reshape(num_test, num_train) + rng.uniform(0.1, 0.9)).astype(np.float64)
    y_train = rng.integers(0, num_classes, size=num_train)
    first = np.argsort(dists[0])[:k]
    y_train[first] = 1
    if k >= 3:
        y_train[first[0]] = 0
    if num_test > 1:
        dists[1, first] += size
        y_train[np.argsort(dists[1])[:k]] = 0
    return dists, y_train


def tie_problem(rng, *, num_test=4, num_classes=6):
    """Each test point's 4 nearest neighbours (its own block of the training set) hold two labels twice
    each: every vote is a tie. The nearest one holds the larger label ("first nearest wins" is wrong)."""
    num_train = 4 * num_test + 3
    y_train = rng.integers(0, num_classes, size=num_train)
    dists = np.empty((num_test, num_train))
    for i in range(num_test):
        block = 4 * i + rng.permutation(4)
        others = rng.permutation(np.setdiff1d(np.arange(num_train), block))
        dists[i, block] = np.arange(1, 5) + 0.01 * i
        dists[i, others] = np.arange(5, num_train + 1) + 0.01 * i
        low = 1 if i == 0 else 0  # a tie between nonzero labels: returning zeros fails
        a, b = low + rng.choice(num_classes - low, size=2, replace=False)
        y_train[block] = [max(a, b), min(a, b), min(a, b), max(a, b)]
    return dists, y_train


def check_predict_labels(labels_fn, golden, rng, *, k=1, num_train=9, num_test=4, num_classes=3,
                         ties=False):
    """``labels_fn`` votes among the k nearest; with ``ties`` (k=4) every vote is a tie."""
    if ties:
        k = 4
        dists, y_train = tie_problem(rng, num_test=num_test)
    else:
        for _ in range(50):   # until "the k farthest" fails and differs from "k ignored"
            dists, y_train = label_problem(rng, num_train=num_train, num_test=num_test,
                                           num_classes=num_classes, k=k)
            if k == 1 or _nameable(dists, y_train, k):
                break
    expected = golden(f"labels_k{k}", lambda ref: ref.predict_labels(dists, y_train, k=k))
    nearest = _votes(dists, y_train, 1, nearest=True)
    largest = np.array([_vote(y_train[np.argsort(row)[:k]], prefer_larger=True) for row in dists])
    farthest = _votes(dists, y_train, k, nearest=False)
    labels = labels_fn(dists.copy(), y_train.copy(), k)
    alternatives = {cause("ties-to-larger"): largest}
    if k > 1:
        alternatives[K_IGNORED] = nearest
        alternatives[FARTHEST] = farthest
    assert_labels(labels, expected, num_test, alternatives=alternatives)


def _nameable(dists, y_train, k):
    """Ignoring k and voting among the k farthest both give wrong labels here, and different ones."""
    voted = _votes(dists, y_train, k, nearest=True)
    nearest, farthest = _votes(dists, y_train, 1, nearest=True), _votes(dists, y_train, k, nearest=False)
    return np.any(nearest != voted) and np.any(farthest != voted) and np.any(nearest != farthest)


def _votes(dists, y_train, k, *, nearest):
    """The vote (ties to the smaller label) of the k nearest, or of the k farthest, of each row."""
    order = np.argsort(dists, axis=1)
    chosen = order[:, :k] if nearest else order[:, -k:]
    return np.array([_vote(y_train[row], prefer_larger=False) for row in chosen])


def _vote(labels, prefer_larger):
    values, counts = np.unique(labels, return_counts=True)
    winners = values[counts == counts.max()]
    return winners.max() if prefer_larger else winners.min()


def check_predict(predict_fn, golden, rng, *, k=1, num_train=9, num_test=4, D=5, num_classes=3):
    """``predict_fn(X_train, y_train, X, k) -> labels``: distances then vote, end to end (L2). The points
    form one cluster per class and the test points cover the classes, so the labels are not constant.
    For k > 1 each test point also has an outlier of another class right next to it, so that the vote
    of the k nearest differs from the nearest neighbour's label (a ``predict`` that drops k fails)."""
    while True:
        centers = 4.0 * rng.standard_normal((num_classes, D))
        y_train = np.arange(num_train) % num_classes
        X_train = centers[y_train] + rng.standard_normal((num_train, D))
        classes = np.arange(num_test) % num_classes
        X = centers[classes] + rng.standard_normal((num_test, D))
        if k > 1:
            X_train = np.vstack([X_train, X + 0.05 * rng.standard_normal(X.shape)])
            y_train = np.concatenate([y_train, (classes + 1) % num_classes])
        dists = np.linalg.norm(X[:, None, :] - X_train[None, :, :], axis=2)
        nearest, farthest = _votes(dists, y_train, 1, nearest=True), _votes(dists, y_train, k, nearest=False)
        if k == 1 or _nameable(dists, y_train, k):
            break
    expected = golden(f"predict_k{k}", lambda ref: ref.predict_labels(
        ref.compute_distances_no_loops(X_train, X), y_train, k=k))
    labels = predict_fn(X_train.copy(), y_train.copy(), X.copy(), k)
    assert_labels(labels, expected, num_test, alternatives={K_IGNORED: nearest, FARTHEST: farthest} if k > 1 else {})


def assert_labels(labels, expected, n, *, name="labels", alternatives=None):
    """The ``n`` labels equal ``expected``; else a CheckFailure that counts the wrong labels and shows a
    few (not relative errors: labels are categories), naming the alternatives that fit (with two
    classes a flipped vote may fit several explanations: all are named)."""
    expected = np.asarray(expected, dtype=np.float64)
    actual = as_labels(labels, n)
    if actual is None or actual.shape != expected.shape or not np.all(np.isfinite(actual)):
        assert_close(actual, expected, name=name)   # a missing, misshapen or non-finite result
        return
    wrong = np.flatnonzero(actual != expected)
    if not wrong.size:
        return
    named = either(as_cause(label) for label, v in (alternatives or {}).items()
                   if np.array_equal(np.asarray(v, dtype=np.float64), actual))
    shown = ", ".join(f"point {i}: got {actual[i]:g}, expected {expected[i]:g}" for i in wrong[:3])
    raise CheckFailure(f"{name}: {wrong.size} of {n} wrong ({shown}{', ...' if wrong.size > 3 else ''})"
                       + (f". Likely cause: {named}." if named else "."), named)


def as_labels(labels, n):
    """Integer-valued labels of any numeric dtype (students fill float zeros) as a float64 vector."""
    if labels is None:
        return None  # assert_close explains a missing return
    try:
        values = np.asarray(labels, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailure(f"the labels should be an array of {n} numbers, got {type_name(labels)}") from None
    return values.reshape(-1) if values.size == n else values
