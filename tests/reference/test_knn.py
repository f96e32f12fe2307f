import numpy as np
import pytest

from reference import (compute_distances, compute_distances_no_loops, compute_distances_one_loop,
                       compute_distances_two_loops, predict_labels)


def test_three_distance_versions_agree(rng):
    X_train = rng.standard_normal((15, 6))
    X = rng.standard_normal((7, 6))
    two = compute_distances_two_loops(X_train, X)
    assert two.shape == (7, 15)
    assert np.allclose(two, compute_distances_one_loop(X_train, X))
    assert np.allclose(two, compute_distances_no_loops(X_train, X))
    assert np.allclose(two, compute_distances(X_train, X))
    assert two[2, 4] == pytest.approx(np.linalg.norm(X[2] - X_train[4]))


def test_compute_distances_with_l1_norm(rng):
    X_train = rng.standard_normal((5, 3))
    X = rng.standard_normal((4, 3))
    d = compute_distances(X_train, X, norm=lambda v: np.sum(np.abs(v)))
    assert np.allclose(d, np.abs(X[:, None, :] - X_train[None, :, :]).sum(axis=2))


def test_predict_majority_vote():
    dists = np.array([[0.1, 0.2, 0.3, 5.0],
                      [3.0, 2.0, 0.5, 0.4]])
    y_train = np.array([1, 1, 0, 2])
    assert np.array_equal(predict_labels(dists, y_train, k=1), [1, 2])
    assert np.array_equal(predict_labels(dists, y_train, k=3), [1, 0])


def test_label_tie_goes_to_smaller_label():
    dists = np.array([[0.1, 0.2, 0.3, 0.4]])
    y_train = np.array([3, 1, 3, 1])
    assert predict_labels(dists, y_train, k=2)[0] == 1
    assert predict_labels(dists, y_train, k=4)[0] == 1


def test_bad_arguments():
    with pytest.raises(ValueError, match="features"):
        compute_distances_no_loops(np.ones((3, 4)), np.ones((2, 5)))
    with pytest.raises(ValueError, match="k = 5"):
        predict_labels(np.ones((1, 3)), np.array([0, 1, 2]), k=5)
    with pytest.raises(ValueError, match="y_train"):
        predict_labels(np.ones((1, 3)), np.array([0.0, 1.0, 2.0]))
