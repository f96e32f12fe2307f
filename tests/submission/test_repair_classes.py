"""Repair inside classes (a broken method costs only that method), the error reported after the
Python 2 rewrite, and the tab note only for tabs in real indentation."""
import ast

import numpy as np

import pytest

from grader.submission import NameSpec
from grader.submission.repair import repair

SVM = '''\
import numpy as np


class SVM(object):

  def __init__(self, dims=[10, 3073]):
    """
\tInitializes the weight matrix.
\t"""
    self.W = np.ones(dims)

  @staticmethod
  def helper(x):
    return x + 1

  def loss_and_grad(self, X, y):
    """
\tSame as loss, with the gradient.
\t"""
    loss = 0.0
    for i in range(X.shape[0]):
      margin = 1.0 + X[i, 0] - X[i, y[i]
      loss += margin
    return loss, None

  def loss(self, X, y):
    return float(X.sum())

  def predict(self, X):
    print "predicting"
    return X.argmax(axis=1)


class KNN(object):
  def train(self, X):
    self.X = X
'''


def test_broken_method_becomes_a_stub_and_the_class_keeps_the_rest():
    repaired = repair(SVM)
    assert repaired.source.count("\n") == SVM.count("\n")                   # line numbers kept
    tree = ast.parse(repaired.source)
    svm = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "SVM")
    assert [n.name for n in svm.body] == ["__init__", "helper", "loss_and_grad", "loss", "predict"]
    assert [(d.start, d.end, d.names, d.line, d.stubbed) for d in repaired.dropped] == \
        [(16, 24, ["SVM.loss_and_grad"], 22, True)]
    assert repaired.dropped[0].message == "'[' was never closed"
    lines = repaired.source.split("\n")
    assert lines[15].startswith("  def loss_and_grad(*args, **kwargs): raise SyntaxError(")
    assert lines[16:24] == [""] * 8
    assert lines[29] == '    print("predicting")'                          # Python 2 in a kept method
    namespace = {}
    exec(compile(repaired.source, "svm.py", "exec"), namespace)
    svm = namespace["SVM"]()
    assert svm.loss(namespace["np"].ones((2, 2)), None) == 4.0
    assert svm.helper(1) == 2
    with pytest.raises(SyntaxError) as info:
        svm.loss_and_grad(None, None)
    assert str(info.value) == "SVM.loss_and_grad has a syntax error at line 22: '[' was never closed"


def test_every_broken_method_is_stubbed_and_decorators_go_with_it():
    source = ("class A:\n"
              "    x = 1\n"
              "    @property\n"
              "    def p(self):\n"
              "        return (1\n"
              "    def ok(self):\n"
              "        return 2\n"
              "    def q(self)\n"
              "        return 3\n")
    repaired = repair(source)
    assert [(d.start, d.end, d.names) for d in repaired.dropped] == [(3, 5, ["A.p"]), (8, 9, ["A.q"])]
    assert repaired.dropped[1].message == "expected ':'"
    namespace = {}
    exec(compile(repaired.source, "a.py", "exec"), namespace)
    a = namespace["A"]()
    assert a.ok() == 2 and a.x == 1
    with pytest.raises(SyntaxError, match=r"^A.q has a syntax error at line 8: expected ':'$"):
        a.q()


def test_error_outside_methods_drops_the_whole_class():
    source = "class A:\n    x = [1,\n    def f(self):\n        return 1\n\ndef g():\n    return 2\n"
    repaired = repair(source)
    assert [n.name for n in ast.parse(repaired.source).body] == ["g"]
    assert [(d.names, d.stubbed) for d in repaired.dropped] == [(["A"], False)]


def test_top_level_function_still_dropped_whole():
    source = "def f(x):\n    return [x\n\ndef g():\n    return 2\n"
    repaired = repair(source)
    assert [n.name for n in ast.parse(repaired.source).body] == ["g"]
    assert [(d.names, d.stubbed) for d in repaired.dropped] == [(["f"], False)]


def test_real_error_named_rather_than_a_python2_print():
    source = ("import numpy as np\n\n"
              "def step(x):\n"
              "    y = x * 2\n"
              "    print 'debug', y.shape\n"
              "    if True\n"
              "        pass\n"
              "    return y\n\n"
              "def uses_step(x):\n"
              "    return step(x)\n")
    repaired = repair(source)
    assert [(d.names, d.line, d.message) for d in repaired.dropped] == [(["step"], 6, "expected ':'")]
    assert [n.name for n in ast.parse(repaired.source).body if hasattr(n, "name")] == ["uses_step"]


def test_python2_print_reported_when_it_is_the_only_error():
    source = "def f():\n    print 'a'\n    return (\n"
    repaired = repair(source)
    assert repaired.dropped[0].line == 3 and "never closed" in repaired.dropped[0].message


def test_tabs_only_in_docstrings_are_not_noted_and_kept():
    source = 'def f(x):\n    """\n\tDocstring with a tab.\n\t"""\n    return x +\n\ndef g():\n    return 1\n'
    repaired = repair(source)
    assert repaired.changes == []
    assert "\n\tDocstring with a tab." not in repaired.source                    # f is dropped
    assert [d.names for d in repaired.dropped] == [["f"]]
    kept = 'def f(x):\n    """\n\tDocstring with a tab.\n\t"""\n    print x\n'
    repaired = repair(kept)
    assert repaired.changes == ["Python 2 code converted"]
    assert "\n\tDocstring with a tab.\n" in repaired.source                      # string contents untouched


def test_tabs_in_code_indentation_still_expanded_and_noted():
    source = 'def f(x):\n    """\n\tdoc\n\t"""\n    if x:\n\treturn 1\n    return 2\n'
    repaired = repair(source)
    assert repaired.changes == ["tabs in indentation expanded"]
    assert "\n\tdoc\n" in repaired.source and "\n        return 1\n" in repaired.source


def test_stub_note_and_class_located(write, opened):
    root = write({"nndl/svm.py": SVM})
    sub = opened(root, [NameSpec("SVM", "class", ("nndl/svm.py",)), NameSpec("KNN", "class", ("nndl/knn.py",))])
    assert sub.plan["names"]["SVM"] == {"module": "nndl.svm"}
    assert sub.plan["names"]["KNN"] == {"module": "nndl.svm"}
    assert "nndl/svm.py: lines 16-24 replaced by a stub that raises the error (defines SVM.loss_and_grad): " \
           "SyntaxError at line 22: '[' was never closed" in sub.notes
    assert "nndl/svm.py: Python 2 code converted in lines 4-33" in sub.notes
    assert not any("tabs" in note for note in sub.notes)


def test_stubbed_method_in_the_worker(write, opened):
    sandbox = pytest.importorskip("grader.sandbox")
    errors = pytest.importorskip("grader.sandbox.errors")
    root = write({"nndl/svm.py": SVM})
    sub = opened(root, [NameSpec("SVM", "class", ("nndl/svm.py",))])
    box = sandbox.Sandbox(sub.plan, sub.root)
    try:
        svm = box.root.SVM(dims=[2, 3])
        assert sandbox.fetch(svm.loss(np.ones((2, 3)), np.array([0, 1]))) == 6.0
        np.testing.assert_array_equal(svm.predict(np.array([[0.0, 2.0, 1.0]])), [1])
        with pytest.raises(errors.StudentException) as info:
            svm.loss_and_grad(np.ones((2, 3)), np.array([0, 1]))
        assert ("SyntaxError: SVM.loss_and_grad has a syntax error at line 22: '[' was never closed"
                in str(info.value))
    finally:
        box.close()
