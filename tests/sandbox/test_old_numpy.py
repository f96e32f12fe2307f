"""NumPy behaviour of earlier years inside the worker: a list display as an index reads as NumPy < 1.23
read it, and a ragged ``np.array``/``np.asarray`` without a dtype is an object array as before 1.24.
Everything else indexes and builds arrays exactly as the installed NumPy does."""
import numpy as np

SOURCE = """import numpy as np
from numpy import array


def pick(x, rows, cols):
    return x[[rows, cols]]


def add_at(x, rows, cols, v):
    x = x.copy()
    x[[rows, cols]] += v
    return x


def column(x):
    return x[[slice(None), 1]], x[[Ellipsis, 0]], x[[None, 0]].shape


def plain(x, rows):
    kept = [x[[0, 2]], x[[rows]].shape, x[np.array([rows, rows])].shape, [10, 20, 30][1]]
    try:
        return kept + [{(1, 2): 'tuple'}[[1, 2]]]
    except TypeError as exc:
        return kept + [str(exc)]


def ragged(n):
    a = np.array([np.arange(k) for k in range(1, n + 1)])
    b = np.asarray([[1, 2], [3]])
    c = array([np.zeros(2), 1.0])
    return a.dtype.kind, a.shape, [float(r.sum()) for r in a], b.dtype.kind, len(b[1]), c.dtype.kind


def ragged_with_dtype():
    return np.array([[1, 2], [3]], dtype=float)


def regular():
    return np.array([[1, 2], [3, 4]]), np.asarray([1.5, 2]), np.array(3)
"""


def test_a_list_display_of_arrays_or_slices_indexes_as_a_tuple(make):
    sb = make(SOURCE)
    x = np.arange(12.0).reshape(3, 4)
    rows, cols = np.array([0, 2, 2]), np.array([1, 3, 0])
    np.testing.assert_array_equal(sb.root.pick(x, rows, cols), x[rows, cols])
    expected = x.copy()
    np.add.at(expected, (rows[:2], cols[:2]), 5.0)
    np.testing.assert_array_equal(sb.root.add_at(x, rows[:2], cols[:2], 5.0), expected)
    first, second, shape = sb.root.column(x)
    np.testing.assert_array_equal(first, x[:, 1])
    np.testing.assert_array_equal(second, x[..., 0])
    assert tuple(shape) == (1, 4)


def test_other_indices_are_untouched(make):
    sb = make(SOURCE)
    x = np.arange(12.0).reshape(3, 4)
    taken, one_list, stacked, item, key = sb.root.plain(x, np.array([0, 1]))
    np.testing.assert_array_equal(taken, x[[0, 2]])       # integers only: rows, as in every NumPy
    assert tuple(one_list) == (2, 4) and tuple(stacked) == (2, 2, 4) and item == 20
    assert "unhashable" in key                              # a list of integers stays a list


def test_a_ragged_array_is_an_object_array_as_before_numpy_1_24(make):
    sb = make(SOURCE)
    assert sb.root.ragged(3) == ("O", (3,), [0.0, 1.0, 3.0], "O", 1, "O")


def test_a_ragged_array_with_a_dtype_still_raises_and_regular_arrays_are_unchanged(make):
    from grader.sandbox.errors import StudentException

    sb = make(SOURCE)
    try:
        sb.root.ragged_with_dtype()
        raised = None
    except StudentException as exc:
        raised = str(exc)
    assert raised is not None and "inhomogeneous" in raised
    a, b, c = sb.root.regular()
    assert a.dtype == np.int64 and a.shape == (2, 2) and b.dtype == np.float64 and c.shape == ()
