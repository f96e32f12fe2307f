"""Values that cross back from the student's code as what they are: an object the grader already holds
a handle of (the student returned ``self``, its input, a cache) comes back under that same handle, and a
``np.matrix`` (old code, or an ndarray minus a scipy sparse matrix) comes back as its 2-d array."""
import numpy as np

from grader.sandbox import Remote, fetch, is_remote, type_name
from grader.sandbox.remote import Target, target_of

SOURCE = """import numpy as np


class Model(object):
    def __init__(self, scale):
        self.scale = scale

    def fit(self, x):
        self.x = x
        return self

    def pair(self, other):
        return self, other

    def grad(self, W):
        return 1.5, np.asmatrix(W) * self.scale


class Cache(object):
    def __init__(self, x):
        self.x = x


def forward(x):
    return 2 * x, Cache(x)


def backward(dout, cache):
    return dout * 2, cache


def sparse_grad(probs, y):
    from scipy import sparse
    onehot = sparse.csr_matrix((np.ones(len(y)), (np.arange(len(y)), y)), shape=probs.shape)
    return probs - onehot
"""


def test_an_object_returned_by_its_own_method_crosses_back_as_its_handle(make):
    sb = make(SOURCE)
    model = sb.root.Model.keep(3.0)
    again = model.fit(np.arange(3.0))
    assert is_remote(again) and target_of(again).handle == target_of(model).handle
    first, second = model.pair(model)
    assert target_of(first).handle == target_of(second).handle == target_of(model).handle
    np.testing.assert_array_equal(fetch(again.x), [0.0, 1.0, 2.0])
    assert fetch(again.scale) == 3.0


def test_a_cache_handed_back_by_the_backward_is_the_forwards_cache(make):
    sb = make(SOURCE)
    kept = sb.root.forward.keep(np.ones(2))
    dx, cache = sb.root.backward(np.ones(2), kept[1])
    np.testing.assert_array_equal(dx, [2.0, 2.0])
    assert is_remote(cache) and type_name(cache) == "Cache"
    np.testing.assert_array_equal(fetch(cache.x), [1.0, 1.0])
    assert target_of(cache).handle == target_of(sb.root.backward(np.ones(2), kept[1])[1]).handle    # one handle per object


def test_a_matrix_gradient_comes_back_as_its_array(make):
    sb = make(SOURCE)
    model = sb.root.Model.keep(2.0)
    loss, dW = model.grad(np.arange(6.0).reshape(2, 3))
    assert loss == 1.5 and type(dW) is np.ndarray and not is_remote(dW)
    np.testing.assert_array_equal(dW, 2.0 * np.arange(6.0).reshape(2, 3))
    probs = np.full((3, 2), 0.5)
    got = sb.root.sparse_grad(probs, np.array([0, 1, 1]))
    np.testing.assert_array_equal(got, probs - np.eye(2)[[0, 1, 1]])
    kept = sb.root.Model.keep(1.0).grad.keep(np.ones((2, 2)))
    np.testing.assert_array_equal(fetch(kept[1]), np.ones((2, 2)))    # fetched too


def test_is_remote_tells_handles_from_data():
    assert not is_remote(np.zeros(2)) and not is_remote({"a": 1}) and not is_remote(None)
    assert is_remote(Remote(Target(None, 1)))
