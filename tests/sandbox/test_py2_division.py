"""Python 2 division in a real worker: a source marked "py2_division" floor-divides integers (ints,
numpy integer scalars and arrays) and true-divides everything else; unmarked sources and sources
importing division from __future__ keep Python 3 division; error locations do not move. At the end,
a Python 2 conv submission is graded through a real c147/hw5 session."""
import re
import shutil

import numpy as np
import pytest

from grader.assignment import load_assignment
from grader.runner import grade_many
from grader.sandbox import fetch
from grader.sandbox.errors import StudentException

DIVIDE = '''\
import numpy as np
def div(a, b):
    return a / b
def idiv(a, b):
    a /= b
    return a
def idiv_alias(a, b):
    view = a
    view /= b
    return a
def idiv_targets(n):
    x = np.arange(12).reshape(3, 4)
    x[:, 1] /= 2
    d = {"k": n}
    d["k"] /= 2
    class Box(object):
        pass
    box = Box()
    box.v = n
    box.v /= 2
    return x, d["k"], box.v
class Net(object):
    def half(self, n):
        return n / 2
def conv_out(H, HH, pad, stride):
    return 1 + (H + 2 * pad - HH) / stride
def bad(x):
    y = 1
    return (y +
            x / None)
def zero(n):
    return n / 0
'''


@pytest.fixture
def py2(make, plan_for):
    """make_py2(source, marked=True) -> Sandbox of ``source`` with its module marked py2_division."""
    def make_py2(source=DIVIDE, marked=True):
        plan = plan_for(source)
        if marked:
            plan["modules"]["sub"]["py2_division"] = True
        return make(source, plan=plan)
    return make_py2


def test_integers_floor_divide(py2):
    root = py2().root
    assert root.div(7, 2) == 3 and isinstance(root.div(7, 2), int)
    assert root.div(-7, 2) == -4                      # floor, as Python 2 did
    assert root.conv_out(8, 3, 1, 2) == 4
    assert root.Net().half(9) == 4                    # inside a class body too
    assert root.div(np.int64(9), 2) == 4
    assert root.div(True, True) == 1


def test_integer_arrays_floor_divide(py2):
    root = py2().root
    out = root.div(np.array([7, -7, 9]), 2)
    assert out.dtype.kind == "i"
    np.testing.assert_array_equal(out, [3, -4, 4])
    np.testing.assert_array_equal(root.div(np.array([7, 9]), np.array([2, 4])), [3, 2])


def test_a_float_operand_true_divides(py2):
    root = py2().root
    assert root.div(7.0, 2) == 3.5
    assert root.div(7, 2.0) == 3.5
    np.testing.assert_array_equal(root.div(np.array([7, 9]), 2.0), [3.5, 4.5])
    np.testing.assert_array_equal(root.div(np.array([7.0, 9.0]), 2), [3.5, 4.5])
    assert root.div(np.float32(7), 2).dtype == np.float32


def test_augmented_division(py2):
    root = py2().root
    assert root.idiv(7, 2) == 3
    assert root.idiv(7.0, 2) == 3.5
    out = root.idiv(np.array([7, 9]), 2)
    assert out.dtype.kind == "i"                      # Python 3 would raise: no in-place float into int
    np.testing.assert_array_equal(out, [3, 4])
    np.testing.assert_array_equal(root.idiv_alias(np.array([3.0, 5.0]), 2), [1.5, 2.5])   # still in place
    np.testing.assert_array_equal(root.idiv_alias(np.array([3, 5]), 2), [1, 2])
    x, k, v = root.idiv_targets(9)
    np.testing.assert_array_equal(x[:, 1], [0, 2, 4])
    assert (k, v) == (4, 4)


def test_an_unmarked_source_keeps_python3_division(py2):
    root = py2(marked=False).root
    assert root.div(7, 2) == 3.5
    assert root.conv_out(8, 3, 1, 2) == 4.5
    np.testing.assert_array_equal(root.div(np.array([7, 9]), 2), [3.5, 4.5])


def test_future_division_keeps_true_division_even_when_marked(py2):
    root = py2("from __future__ import division\n" + DIVIDE).root
    assert root.div(7, 2) == 3.5
    assert root.idiv(7, 2) == 3.5


def _where(root, name, *args):
    with pytest.raises(StudentException) as info:
        getattr(root, name)(*args)
    return info.value.type_name, info.value.where


def _line(text):
    return DIVIDE.splitlines().index(text) + 1


def test_error_locations_are_unchanged(py2):
    marked, plain = py2().root, py2(marked=False).root
    bad = f"sub.py, line {_line('            x / None)')}, in bad"       # the second line of the expression
    assert _where(marked, "bad", 1) == _where(plain, "bad", 1) == ("TypeError", bad)
    zero = f"sub.py, line {_line('    return n / 0')}, in zero"
    assert _where(marked, "zero", 3) == _where(plain, "zero", 3) == ("ZeroDivisionError", zero)


def test_the_helpers_are_not_star_exported(py2, plan_for, make):
    user = "from sub import *\ndef names():\n    return sorted(n for n in globals() if 'py2' in n)\n"
    plan = plan_for(user, module="user", file="user.py")
    plan["modules"]["sub"] = {"file": "sub.py", "source": DIVIDE, "package": False, "py2_division": True}
    assert fetch(make(DIVIDE, plan=plan, files={"user.py": user}).root.names()) == []


@pytest.fixture
def hw5_py2(tmp_path):
    """make(evidence) -> a copy of c147/hw5's correct example with Python 2 `/` for `//`; `evidence`
    adds a Python 2 print statement to conv_forward_naive."""
    assignment = load_assignment("c147/hw5")
    correct = assignment.examples()["correct"]

    def make(evidence):
        root = tmp_path / ("py2" if evidence else "py3")
        shutil.copytree(correct, root)
        path = root / "nndl" / "conv_layers.py"
        text, count = re.subn(r"\) // stride", ") / stride", path.read_text())
        assert count >= 4
        if evidence:
            text, count = re.subn(r"^(\s*)return out, cache", r"\1print 'out', out.shape\n\1return out, cache",
                                  text, count=1, flags=re.M)
            assert count == 1
        path.write_text(text)
        return root
    return assignment, make


def test_a_python2_conv_submission_gets_full_marks(hw5_py2):
    assignment, make = hw5_py2
    py2, py3 = grade_many(assignment, [make(True), make(False)])
    assert [o.name for o in py2.outcomes if o.score < o.max_score] == []
    assert any("written for Python 2" in note for note in py2.load_notes)
    # the same code without print statements: its `/` used as a shape is Python 2 evidence itself
    assert [o.name for o in py3.outcomes if o.score < o.max_score] == []
    assert any("where an integer is needed" in note for note in py3.load_notes)
