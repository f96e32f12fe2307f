"""cs231n a1, hidden: KNearestNeighbor on other shapes."""

import pytest

from grader.topics import knn


@pytest.mark.parametrize("method", ["compute_distances_two_loops", "compute_distances_one_loop",
                                    "compute_distances_no_loops"])
def test_distances(family, golden, rng, method):
    """KNearestNeighbor.{method}: one test point, odd shapes"""
    knn.check_distances(family.knn_distances(method), golden, rng, num_train=13, num_test=1, D=3)


def test_predict_labels_one(family, golden, rng):
    """KNearestNeighbor.predict_labels: a batch of one, k=3"""
    knn.check_predict_labels(family.knn_labels(), golden, rng, k=3, num_test=1,
                             num_classes=2)
