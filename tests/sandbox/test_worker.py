"""A real worker: data round trips, handles, RPCs, loading a plan, notes, errors."""
import math

import numpy as np
import pytest

from grader.sandbox import Func, Remote, fetch
from grader.sandbox.errors import BadValue, NameMissing, StudentCrash, StudentException


ECHO = '''
import numpy as np
def echo(x):
    return x
def make(kind):
    if kind == "object":
        return np.array([1, "a"], dtype=object)
    if kind == "subclass":
        class Liar(np.ndarray):
            def __eq__(self, other): return np.ones(np.shape(other), bool)
            def __array_function__(self, *a, **k): return True
        return np.zeros(3).view(Liar)
    if kind == "eq":
        class Eq:
            def __eq__(self, other): return True
            def __array__(self, dtype=None, copy=None): return np.zeros(3)
            def __float__(self): return 0.0
        return Eq()
    if kind == "floatsub":
        class F(float):
            def __eq__(self, other): return True
        return F(1.0)
    if kind == "deep":
        v = []
        for _ in range(100): v = [v]
        return v
    if kind == "cycle":
        v = []; v.append(v); return v
    if kind == "complex":
        return np.array([1j])
    if kind == "many":
        return list(range(300000))
    if kind == "scalars":
        return np.float32(1.5), np.int8(3), np.bool_(False)
def relu_forward(x):
    return np.maximum(x, 0), {"mask": x > 0, "fn": (lambda: 1)}
def relu_backward(dout, cache):
    return dout * cache["mask"]
def dist(a, b, norm=None):
    return norm(a - b)
def rand():
    import random
    return np.random.rand(), random.random()
class Net:
    def __init__(self, n):
        self.params = {"W": np.ones(n)}
        self.reg = 0.0
    def loss(self):
        return float(self.params["W"].sum() + self.reg)
'''


@pytest.fixture
def sb(make):
    return make(ECHO)


def test_every_data_type_round_trips(sb):
    value = {"n": None, "b": False, "i": 2**62, "f": -0.5, "s": "ü" * 5, "l": [1, (2, [3.0])],
             3: np.arange(12, dtype=np.float32).reshape(3, 4), "bool": np.array([True, False]),
             "nan": [math.nan, math.inf, -math.inf], "0d": np.array(2.0), "empty": np.zeros((0, 2))}
    back = sb.root.echo(value)
    assert back.keys() == value.keys()
    assert back["l"] == [1, (2, [3.0])] and type(back["l"][1]) is tuple and back["i"] == 2**62
    a = back[3]
    assert type(a) is np.ndarray and a.dtype == np.float32 and a.flags.owndata and a.flags.c_contiguous
    np.testing.assert_array_equal(a, value[3])
    assert math.isnan(back["nan"][0]) and back["nan"][1:] == [math.inf, -math.inf]
    assert back["0d"].shape == () and back["bool"].dtype == bool and back["empty"].shape == (0, 2)


def test_dtypes_are_normalised_and_scalars_become_numbers(sb):
    assert sb.root.echo(np.arange(3, dtype=np.int16)).dtype == np.int64
    assert sb.root.echo(np.ones(2, np.float16)).dtype == np.float32
    f32, i8, b = sb.root.make("scalars")
    assert [type(i8), type(b)] == [int, bool]
    assert type(f32) is np.ndarray and f32.dtype == np.float32 and f32.shape == () and f32 == 1.5


@pytest.mark.parametrize("kind", ["object", "subclass", "eq", "floatsub", "complex"])
def test_non_data_comes_back_as_a_handle_and_never_as_data(sb, kind):
    value = sb.root.make(kind)
    assert type(value) is Remote
    with pytest.raises(BadValue) as info:
        fetch(value)
    assert ("np.asarray" in str(info.value)) == (kind == "subclass")  # the fix is named for arrays


@pytest.mark.parametrize("kind", ["deep", "many", "cycle"])
def test_huge_or_deeply_nested_values_are_refused_as_data(sb, kind):
    value = sb.root.make(kind)
    with pytest.raises(BadValue):
        fetch(value)


def test_caches_stay_in_the_worker_and_go_back_by_reference(sb):
    x = np.array([-1.0, 2.0, -3.0, 4.0])
    out, cache = sb.root.relu_forward(x)
    assert type(cache) is dict and type(cache["fn"]) is Remote
    np.testing.assert_array_equal(sb.root.relu_backward(np.ones(4), cache), [0, 1, 0, 1])
    kept = sb.root.relu_forward.keep(x)
    assert type(kept) is Remote
    np.testing.assert_array_equal(fetch(kept[0]), np.maximum(x, 0))
    np.testing.assert_array_equal(sb.root.relu_backward(np.ones(4), kept[1]), [0, 1, 0, 1])


def test_objects_attributes_and_items(sb):
    net = sb.root.Net(3)
    assert type(net) is Remote
    net.params["W"] = np.arange(3.0)
    net.reg = 0.5
    assert net.loss() == 3.5
    assert fetch(net.params)["W"].tolist() == [0.0, 1.0, 2.0]
    for probe in (bool, len, iter):
        with pytest.raises(TypeError):
            probe(net)


def test_named_helper_functions(sb):
    a, b = np.array([1.0, 5.0]), np.array([4.0, 1.0])
    assert sb.root.dist(a, b, norm=Func("l1")) == 7.0
    assert sb.root.dist(a, b, norm=Func("l2")) == 5.0
    assert sb.root.dist(a, b, norm=Func("linf")) == 4.0
    with pytest.raises(BadValue):
        sb.root.dist(a, b, norm=Func("os.system"))


def test_reseed_makes_calls_repeatable(sb):
    sb.reseed(7)
    first = sb.root.rand()
    sb.root.rand()
    sb.reseed(7)
    assert sb.root.rand() == first


def test_handles_die_with_the_worker(sb):
    net = sb.root.Net(2)
    sb.restart()
    with pytest.raises(StudentCrash, match="lost"):
        net.loss()
    assert sb.root.Net(2).loss() == 2.0


def test_loading_tolerates_failing_statements_and_packages(make):
    layers = ("import numpy as np\nfrom cs231n.fast_layers import *\nimport matplotlib.pyplot as plt\n"
              "from past.builtins import xrange\nfig, ax = plt.subplots()\nplt.show()\n"
              "get_ipython().run_line_magic('matplotlib', 'inline')\nopen('data/missing.npy')\n"
              "print 'py2'\n")
    layers_ok = ("import numpy as np\nfrom cs231n.fast_layers import *\nimport matplotlib.pyplot as plt\n"
                 "from past.builtins import xrange\nfig, ax = plt.subplots()\nplt.show()\n"
                 "get_ipython().run_line_magic('matplotlib', 'inline')\nopen('data/missing.npy')\n"
                 "def total(n):\n    print('summing', n)\n    return sum(xrange(n)) + np.int(0) + np.float(0)\n"
                 "def broken():\n    return helper() + 1\n")
    uses = "from nndl.layers import *\ndef twice(n):\n    return 2 * total(n)\n"
    plan = {"modules": {"nndl": {"file": "nndl/__init__.py", "source": "", "package": True},
                        "nndl.layers": {"file": "nndl/layers.py", "source": layers_ok, "package": False},
                        "nndl.use": {"file": "nndl/use.py", "source": uses, "package": False},
                        "py2": {"file": "py2.py", "source": layers, "package": False}},
            "names": {"twice": {"module": "nndl.use"}, "broken": {"module": "nndl.layers"},
                      "gone": {"missing": "gone is not defined in any file of the submission"},
                      "absent": {"module": "nndl.layers"}}}
    sb = make("", plan=plan)
    assert sb.root.twice(4) == 12
    with pytest.raises(StudentException) as info:
        sb.root.broken()
    assert info.value.type_name == "NameError" and info.value.where == "layers.py, line 13, in broken"
    with pytest.raises(NameMissing, match="any file"):
        sb.root.gone()
    with pytest.raises(NameMissing):
        sb.root.absent()
    notes = "\n".join(sb.notes())
    assert "nndl/layers.py, line 2: skipped `from cs231n.fast_layers import *`" in notes
    assert "line 8: skipped `open('data/missing.npy')`" in notes and "summing 4" in notes


def test_snippets_and_notebook_variables(make):
    plan = {"modules": {},
            "snippets": [{"file": "hw.ipynb", "source": "import numpy as np\nK = 3\n"
                                                        "def scale(x):\n    return K * x\n"}],
            "notebooks": [{"file": "lr.ipynb", "capture": {"theta": 1, "errs": 2},
                           "cells": ["import numpy as np\nnp.random.seed(0)\nx = np.random.rand(3)",
                                     "theta = x * 2\nundefined_name()",
                                     "errs = [1.0]\nerrs.append(2.0)\ntheta = 'loop variable'",
                                     "raise SystemExit('never run')"]}],
            "names": {"scale": {"snippet": 0}, "theta": {"notebook": 0}, "errs": {"notebook": 0}}}
    sb = make("", plan=plan)
    assert sb.root.scale(2) == 6
    np.random.seed(0)
    np.testing.assert_allclose(fetch(sb.root.theta), np.random.rand(3) * 2)
    assert fetch(sb.root.errs) == [1.0, 2.0]


def test_student_output_is_captured_with_head_and_tail(make):
    sb = make("import os\ndef noisy():\n    print('START')\n    for i in range(50000):\n"
              "        print('line', i)\n    os.write(1, b'RAW-FD-WRITE')\n    print('END')\n    return 1\n")
    assert sb.root.noisy() == 1
    notes = "\n".join(sb.notes())
    assert "START" in notes and "END" in notes and "truncated" in notes and "RAW-FD-WRITE" in notes
    assert len(notes) < 100_000


def test_non_isolated_mode_round_trips(make):
    sb = make(ECHO, isolation=False)
    np.testing.assert_array_equal(sb.root.echo(np.eye(2)), np.eye(2))
    assert sb.root.Net(1).loss() == 1.0


def test_plan_for_helper_names_defs(plan_for):
    assert set(plan_for("def a(): pass\nclass B: pass\nc = 1\n")["names"]) == {"a", "B"}


def test_a_dead_zygote_is_replaced(make):
    from grader.sandbox.zygote_client import get_zygote
    sb = make(ECHO)
    assert sb.root.echo(1) == 1
    old = get_zygote()
    old.process.kill()
    old.process.wait()
    sb.close()
    assert sb.root.echo(2) == 2 and get_zygote() is not old


def test_a_zygote_that_fails_while_starting_a_worker_is_replaced_once(make):
    """Its channel breaks mid-request (as when the zygote is killed or runs out of processes): the
    worker is started by a fresh zygote and the call runs; before, pytest stopped with INTERNALERROR."""
    import socket

    from grader.sandbox.zygote_client import get_zygote
    sb = make(ECHO)
    assert sb.root.echo(1) == 1
    sb.close()
    old = get_zygote()
    old.chan.shutdown(socket.SHUT_RDWR)
    assert sb.root.echo(2) == 2 and get_zygote() is not old
    assert any("zygote died while starting a worker" in note for note in sb.notes())


def test_put_keeps_a_value_in_the_worker_that_student_code_can_change(tmp_path):
    """A dict put into the worker is passed by reference; what the student writes into it comes back."""
    import numpy as np
    from grader.sandbox import Sandbox, fetch

    source = ("def remember(param, x):\n"
              "    param['running_mean'] = x.mean(axis=0)\n"
              "    param['calls'] = param.get('calls', 0) + 1\n"
              "    return x\n")
    plan = {"modules": {"m": {"file": "m.py", "source": source, "package": False}},
            "names": {"remember": {"module": "m"}}, "snippets": [], "notebooks": []}
    with Sandbox(plan, tmp_path) as sb:
        param = sb.put({"mode": "train"})
        x = np.arange(6.0).reshape(3, 2)
        sb.root.remember(param, x)
        sb.root.remember(param, x)
        kept = fetch(param)
    assert kept["mode"] == "train" and kept["calls"] == 2
    np.testing.assert_array_equal(kept["running_mean"], [2.0, 3.0])


def test_names_numpy_2_removed_still_mean_what_they_meant(make):
    sb = make("import numpy as np\ndef old(x):\n    x = np.asarray(x, dtype=np.float_)\n"
              "    return (np.asscalar(np.product(x[:2])), float(np.cumproduct(x)[-1]), bool(np.alltrue(x > 0)),\n"
              "            bool(np.isnan(np.NaN)), np.Inf, float(np.round_(2.26, 1)), np.in1d([1, 5], x).tolist())\n")
    assert sb.root.old([1.0, 2.0, 3.0]) == (2.0, 6.0, True, True, float("inf"), 2.3, [True, False])


def test_older_students_one_element_array_conversions_still_work(make):
    """Code of earlier years turns a (1, 1) loss into a number with float() or '%f'; NumPy 2.4 made
    that an error, which is why numpy is held below 2.4 (README, Dependencies)."""
    import numpy as np

    sb = make("import numpy as np\n"
              "def cost(err):\n"
              "    loss = err.T.dot(err) / 2\n"
              "    print('loss: %f' % loss)\n"
              "    return float(loss), int(np.array([len(err)]))\n")
    assert sb.root.cost(np.array([[1.0], [2.0]])) == (2.5, 2)
