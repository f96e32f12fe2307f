"""What real student code returns and prints, through a real worker: dict subclasses, float32 losses,
the type names of opaque results, notes on the code kept apart from its output, scipy imports."""
import numpy as np
import pytest

from grader.sandbox import Remote, fetch, type_name
from grader.sandbox.worker_setup import libraries_for

NET = '''
import collections
import numpy as np

class MyCache:
    pass

class Net:
    def __init__(self):
        self.params = collections.OrderedDict()
        self.params["W1"] = np.ones((2, 2), dtype=np.float32)
        self.params["b1"] = np.zeros(2, dtype=np.float32)

    def loss(self):
        grads = collections.defaultdict(lambda: None)
        for name, value in self.params.items():
            grads[name] = 2 * value
        return np.float32(1.25) * np.float32(2), grads

Cache = collections.namedtuple("Cache", "x mask")

def relu_forward(x):
    return np.maximum(x, 0), Cache(x, x > 0)

def relu_backward(dout, cache):
    x, mask = cache
    return dout * mask

def opaque():
    return MyCache(), lambda: 1
'''


def test_ordered_and_default_dicts_of_a_net_arrive_as_dicts(make):
    sb = make(NET)
    net = sb.root.Net()
    params = fetch(net.params)
    assert type(params) is dict and list(params) == ["W1", "b1"] and params["W1"].dtype == np.float32
    loss, grads = net.loss()
    assert type(grads) is dict and sorted(grads) == ["W1", "b1"]
    np.testing.assert_array_equal(grads["W1"], 2 * np.ones((2, 2)))


def test_a_float32_loss_reaches_the_grader_as_float32(make):
    from grader.checks.compare import compare

    loss, _ = make(NET).root.Net().loss()
    assert type(loss) is np.ndarray and loss.dtype == np.float32 and loss.shape == () and loss == 2.5
    assert float(loss) == 2.5 and f"{loss:.2f}" == "2.50"
    # compare sees float32 and uses its float32 tolerance against a float64 expected value
    assert compare(loss, 2.5 * (1 + 5e-5)).ok
    assert not compare(2.5, 2.5 * (1 + 5e-5)).ok
    assert not compare(loss, 2.6).ok


def test_a_namedtuple_cache_comes_back_as_a_tuple_and_goes_back_in(make):
    sb = make(NET)
    x = np.array([-1.0, 2.0])
    out, cache = sb.root.relu_forward(x)
    assert type(cache) is tuple and len(cache) == 2
    np.testing.assert_array_equal(sb.root.relu_backward(np.ones(2), cache), [0.0, 1.0])


def test_opaque_results_carry_the_students_type_name(make):
    cache, fn = make(NET).root.opaque()
    assert type(cache) is Remote and type_name(cache) == "MyCache" and "MyCache" in repr(cache)
    assert type_name(fn) == "function" and type_name(np.zeros(1)) == "ndarray"


def test_notes_on_the_code_are_kept_apart_from_its_output(make):
    sb = make("import numpy as np\nfrom nowhere_module import thing\nprint('hello from the student')\n"
              "def f():\n    return 1\n")
    sb.load_all()
    assert sb.code_notes() == ["sub.py, line 2: skipped `from nowhere_module import thing` "
                               "(ModuleNotFoundError: No module named 'nowhere_module')"]
    assert sb.root.f() == 1
    sb.restart()
    assert sb.root.f() == 1  # loaded again by the new worker, after a test input: not student-facing
    assert len(sb.code_notes()) == 1
    output = "\n".join(sb.output())
    assert output.count("hello from the student") == 2
    assert set(sb.notes()) == set(sb.code_notes() + sb.output())


def test_a_note_written_by_student_code_during_a_test_never_reaches_the_student(make):
    """Student code can append to the worker's notes; once a test input was sent, such a note could
    carry hidden inputs, so it is instructor-only output."""
    sb = make("import sys\ndef f(x):\n    for finder in sys.meta_path:\n        if hasattr(finder, 'notes'):\n"
              "            finder.notes.append('LEAK ' + repr(x))\n    return 1\n")
    sb.load_all()
    assert sb.root.f([7, 7, 7]) == 1
    assert not any("LEAK" in n for n in sb.code_notes())
    assert any("LEAK [7, 7, 7]" in n for n in sb.output())


def test_libraries_are_preloaded_only_when_the_code_mentions_them():
    plan = {"modules": {"a": {"source": "import numpy as np\n"}}, "names": {},
            "notebooks": [{"cells": ["x = 1", "# scipyish = 1"]}]}
    assert libraries_for(plan) == []
    plan["notebooks"][0]["cells"].append("from scipy.stats import mode")
    assert libraries_for(plan) == ["scipy", "scipy.stats", "scipy.special"]


def test_scipy_imports_work_in_the_worker(make):
    pytest.importorskip("scipy.stats")
    sb = make("import numpy as np\nfrom scipy.stats import mode\nimport scipy.special\n"
              "def vote(labels):\n    return int(np.ravel(mode(labels)[0])[0])\n"
              "def sigmoid(x):\n    return scipy.special.expit(x)\n")
    assert sb.root.vote(np.array([3, 1, 3, 2])) == 3
    assert sb.root.sigmoid(0.0) == 0.5
    assert sb.code_notes() == []
