"""c147 hw2: the KNN class (nndl/knn.py)."""

import pytest

from grader.topics import knn


@pytest.mark.points(2)
def test_compute_distances(family, golden, rng):
    """KNN.compute_distances: L2 distances (default norm) match the reference"""
    knn.check_distances(family.knn_distances("compute_distances"), golden, rng)


@pytest.mark.points(1)
def test_compute_distances_norm(family, golden, rng):
    """KNN.compute_distances: the norm argument (L1) is used"""
    knn.check_distances(family.knn_distances("compute_distances", norm="l1"), golden, rng, norm="l1")


@pytest.mark.points(2)
def test_vectorized(family, golden, rng):
    """KNN.compute_L2_distances_vectorized: distances match the reference"""
    knn.check_distances(family.knn_distances("compute_L2_distances_vectorized"), golden, rng,
                        num_train=12, num_test=5, D=7)


@pytest.mark.points(1)
@pytest.mark.parametrize("k", [1, 5])
def test_predict_labels(family, golden, rng, k):
    """KNN.predict_labels: majority vote of the k={k} nearest"""
    knn.check_predict_labels(family.knn_labels(), golden, rng, k=k, num_train=15, num_test=6,
                              num_classes=2)


@pytest.mark.points(1)
def test_predict_labels_ties(family, golden, rng):
    """KNN.predict_labels: ties go to the smaller label"""
    knn.check_predict_labels(family.knn_labels(), golden, rng, ties=True)


@pytest.mark.points(1)
def test_predict_labels_one(family, golden, rng):
    """KNN.predict_labels: a batch of one test point"""
    knn.check_predict_labels(family.knn_labels(), golden, rng, k=3, num_test=1,
                             num_classes=2)
