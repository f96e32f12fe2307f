"""Topic checks of k-NN: reference-based callables pass, typical bugs fail."""

import re

import numpy as np
import pytest

import reference
from grader.checks import CheckFailure
from grader.topics import knn


def golden(key, fn):
    return fn(reference)


def test_distances_pass_and_squared_is_diagnosed():
    for seed in range(20):
        for name in ("compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops"):
            knn.check_distances(getattr(reference, name), golden, np.random.default_rng(seed))
        knn.check_distances(lambda A, B: reference.compute_distances(A, B, norm=knn.NORMS["l1"]), golden,
                            np.random.default_rng(seed), norm="l1")
    with pytest.raises(CheckFailure) as info:
        knn.check_distances(lambda A, B: reference.compute_distances_no_loops(A, B) ** 2, golden,
                            np.random.default_rng(0))
    assert "squared" in str(info.value)
    with pytest.raises(CheckFailure):
        knn.check_distances(reference.compute_distances, golden, np.random.default_rng(0), norm="l1")


def first_nearest_wins(dists, y_train, k):
    out = []
    for row in dists:
        nearest = y_train[np.argsort(row)[:k]]
        counts = {label: list(nearest).count(label) for label in nearest}
        best = max(counts.values())
        out.append(next(label for label in nearest if counts[label] == best))
    return np.array(out, dtype=float)


def test_labels_pass_and_tie_bugs_fail():
    for seed in range(20):
        for k in (1, 3, 5):
            knn.check_predict_labels(reference.predict_labels, golden, np.random.default_rng(seed), k=k)
        knn.check_predict_labels(reference.predict_labels, golden, np.random.default_rng(seed), ties=True)
        knn.check_predict_labels(reference.predict_labels, golden, np.random.default_rng(seed), num_test=1)
        with pytest.raises(CheckFailure):
            knn.check_predict_labels(first_nearest_wins, golden, np.random.default_rng(seed), ties=True)
    with pytest.raises(CheckFailure) as info:
        knn.check_predict_labels(lambda d, y, k: reference.predict_labels(d, y, 1), golden,
                                 np.random.default_rng(0), k=5, num_train=30, num_test=20)
    assert "nearest neighbour" in str(info.value)


def test_predict_end_to_end():
    def predict(X_train, y_train, X, k):
        return reference.predict_labels(reference.compute_distances_no_loops(X_train, X), y_train, k)
    for seed in range(20):
        knn.check_predict(predict, golden, np.random.default_rng(seed), k=3)
        knn.check_predict(predict, golden, np.random.default_rng(seed), k=3, num_classes=2)


def test_predict_that_drops_k_fails():
    def predict(X_train, y_train, X, k):
        return reference.predict_labels(reference.compute_distances_no_loops(X_train, X), y_train)
    for seed in range(20):
        with pytest.raises(CheckFailure, match="k ignored"):
            knn.check_predict(predict, golden, np.random.default_rng(seed), k=3, num_classes=2)


def test_the_k_farthest_and_k_ignored_are_told_apart_and_labels_are_counted():
    """With two classes a flipped vote fits 'k ignored' as well: each bug gets its own name, and the
    message counts wrong labels instead of giving relative errors."""
    def farthest(dists, y_train, k):
        return reference.predict_labels(-dists, y_train, k)      # argsort in the wrong order

    def predict_farthest(X_train, y_train, X, k):
        return farthest(reference.compute_distances_no_loops(X_train, X), y_train, k)

    def predict_nearest_only(X_train, y_train, X, k):
        return reference.predict_labels(reference.compute_distances_no_loops(X_train, X), y_train)
    for seed in range(20):
        for fn, cause in ((predict_farthest, knn.FARTHEST), (predict_nearest_only, knn.K_IGNORED)):
            with pytest.raises(CheckFailure) as info:
                knn.check_predict(fn, golden, np.random.default_rng(seed), k=3, num_classes=2)
            assert info.value.diagnosis == cause
            assert re.match(r"labels: \d of 4 wrong \(point \d: got \d, expected \d", str(info.value))
        with pytest.raises(CheckFailure) as info:
            knn.check_predict_labels(farthest, golden, np.random.default_rng(seed), k=5, num_classes=2)
        assert info.value.diagnosis == knn.FARTHEST
