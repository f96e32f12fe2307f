"""c147 hw2, hidden: the KNN checks on other shapes."""

from grader.topics import knn


def test_compute_distances(family, golden, rng):
    """KNN.compute_distances: L2 distances on odd shapes"""
    knn.check_distances(family.knn_distances("compute_distances"), golden, rng, num_train=11,
                        num_test=1, D=3)


def test_vectorized(family, golden, rng):
    """KNN.compute_L2_distances_vectorized: larger inputs"""
    knn.check_distances(family.knn_distances("compute_L2_distances_vectorized"), golden, rng,
                        num_train=60, num_test=25, D=32)


def test_predict_labels(family, golden, rng):
    """KNN.predict_labels: k=7 on many test points"""
    knn.check_predict_labels(family.knn_labels(), golden, rng, k=7, num_train=40,
                             num_test=9, num_classes=2)
