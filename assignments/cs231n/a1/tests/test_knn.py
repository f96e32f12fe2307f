"""cs231n a1: KNearestNeighbor (cs231n/classifiers/k_nearest_neighbor.py)."""

import pytest

from grader.topics import knn

DISTANCES = ["compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops"]


@pytest.mark.points(2)
@pytest.mark.parametrize("method", DISTANCES)
def test_distances(family, golden, rng, method):
    """KNearestNeighbor.{method}: L2 distances match the reference"""
    knn.check_distances(family.knn_distances(method), golden, rng, num_train=9, num_test=4, D=6)


@pytest.mark.points(1)
@pytest.mark.parametrize("k", [1, 5])
def test_predict_labels(family, golden, rng, k):
    """KNearestNeighbor.predict_labels: majority vote of the k={k} nearest"""
    knn.check_predict_labels(family.knn_labels(), golden, rng, k=k, num_train=15,
                             num_test=6, num_classes=2)


@pytest.mark.points(1)
def test_predict_labels_ties(family, golden, rng):
    """KNearestNeighbor.predict_labels: ties go to the smaller label"""
    knn.check_predict_labels(family.knn_labels(), golden, rng, ties=True)


@pytest.mark.points(1)
@pytest.mark.parametrize("num_loops", [0, 1, 2])
def test_predict(family, golden, rng, num_loops):
    """KNearestNeighbor.predict: labels with num_loops={num_loops}, k=3"""
    knn.check_predict(family.knn_predict(num_loops), golden, rng, k=3, num_classes=2)
