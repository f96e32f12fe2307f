"""k-nearest neighbours: distance matrices (three ways and with any norm) and majority vote.

``X_train (num_train, D)``, ``X (num_test, D)``; every distance matrix is ``(num_test, num_train)``
with ``dists[i, j] = ‖X[i] − X_train[j]‖``.
"""

import numpy as np

from ._validate import numeric_array, positive_int

__all__ = [
    "compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops",
    "compute_distances", "predict_labels",
]


def _pair(X_train, X):
    X_train = numeric_array("X_train", X_train, ndim=2, shape_doc="(num_train, D)")
    X = numeric_array("X", X, ndim=2, shape_doc="(num_test, D)")
    if X.shape[1] != X_train.shape[1]:
        raise ValueError(f"X has {X.shape[1]} features per row but X_train has "
                         f"{X_train.shape[1]}")
    return X_train.astype(np.float64), X.astype(np.float64)


def compute_distances_two_loops(X_train, X):
    """``dists[i, j] = sqrt(Σ_d (X[i, d] − X_train[j, d])²)``, one pair at a time."""
    X_train, X = _pair(X_train, X)
    dists = np.zeros((X.shape[0], X_train.shape[0]))
    for i in range(X.shape[0]):
        for j in range(X_train.shape[0]):
            dists[i, j] = np.sqrt(np.sum((X[i] - X_train[j]) ** 2))
    return dists


def compute_distances_one_loop(X_train, X):
    """L2 distances, one test row against all training rows at a time."""
    X_train, X = _pair(X_train, X)
    dists = np.zeros((X.shape[0], X_train.shape[0]))
    for i in range(X.shape[0]):
        dists[i, :] = np.sqrt(np.sum((X_train - X[i]) ** 2, axis=1))
    return dists


def compute_distances_no_loops(X_train, X):
    """L2 distances from ``‖a − b‖² = ‖a‖² − 2 a·b + ‖b‖²`` (clipped at 0 before the sqrt)."""
    X_train, X = _pair(X_train, X)
    squared = (np.sum(X ** 2, axis=1)[:, None] - 2.0 * X @ X_train.T
               + np.sum(X_train ** 2, axis=1)[None, :])
    return np.sqrt(np.maximum(squared, 0.0))


def compute_distances(X_train, X, norm=None):
    """``dists[i, j] = norm(X[i] − X_train[j])``; ``norm`` defaults to the L2 norm."""
    X_train, X = _pair(X_train, X)
    if norm is None:
        norm = np.linalg.norm
    if not callable(norm):
        raise ValueError(f"norm must be a function of the difference vector, got {norm!r}")
    dists = np.zeros((X.shape[0], X_train.shape[0]))
    for i in range(X.shape[0]):
        for j in range(X_train.shape[0]):
            dists[i, j] = norm(X[i] - X_train[j])
    return dists


def predict_labels(dists, y_train, k=1):
    """For each test row, the most common label among the ``k`` nearest training points.

    A tie between labels goes to the smaller label; the k nearest are taken by a stable sort
    (equal distances keep training order). Returns int labels ``(num_test,)``.
    """
    dists = numeric_array("dists", dists, ndim=2, shape_doc="(num_test, num_train)")
    y_train = np.asarray(y_train)
    if y_train.dtype.kind not in "iu":
        raise ValueError(f"y_train must hold integer labels, got dtype {y_train.dtype}")
    if y_train.shape != (dists.shape[1],):
        raise ValueError(f"y_train must have shape ({dists.shape[1]},) to match dists "
                         f"{dists.shape}, got shape {y_train.shape}")
    if y_train.size and y_train.min() < 0:
        raise ValueError("y_train must hold non-negative labels")
    k = positive_int("k", k)
    if k > dists.shape[1]:
        raise ValueError(f"k = {k} is larger than the number of training points {dists.shape[1]}")
    y_pred = np.zeros(dists.shape[0], dtype=np.int64)
    for i in range(dists.shape[0]):
        closest_y = y_train[np.argsort(dists[i], kind="stable")[:k]]
        y_pred[i] = np.argmax(np.bincount(closest_y))   # argmax returns the first (smallest) tie
    return y_pred
