"""c147 hw2, hidden: the KNN checks on other shapes."""

from grader.topics import knn


def test_compute_distances(student, golden, rng):
    """KNN.compute_distances: L2 distances on odd shapes"""
    knn.check_distances(knn.c147_dist_fn(student, "compute_distances"), golden, rng, num_train=11,
                        num_test=1, D=3)


def test_vectorized(student, golden, rng):
    """KNN.compute_L2_distances_vectorized: larger inputs"""
    knn.check_distances(knn.c147_dist_fn(student, "compute_L2_distances_vectorized"), golden, rng,
                        num_train=60, num_test=25, D=32)


def test_predict_labels(student, golden, rng):
    """KNN.predict_labels: k=7 on many test points"""
    knn.check_predict_labels(knn.labels_fn_of(student, "KNN"), golden, rng, k=7, num_train=40,
                             num_test=9, num_classes=2)
