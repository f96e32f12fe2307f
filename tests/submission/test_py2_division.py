"""Python 2 submissions: the plan marks the sources whose `/` must divide integers as Python 2 did
("py2_division"), with one note; Python 3 submissions and `from __future__ import division` files are
left alone (parse only: nothing here runs student code)."""
import ast

import pytest

from grader.submission import NameSpec
from grader.submission.py2 import future_division, python2_names

CONV = NameSpec("conv_out", "function", ("nndl/conv_layers.py",))
HELPER = NameSpec("helper", "function", ("nndl/helpers.py",))

CONV_PY3 = "def conv_out(H, HH, pad, stride):\n    return 1 + (H + 2 * pad - HH) / stride\n"
CONV_PY2 = "def conv_out(H, HH, pad, stride):\n    print 'conv', H\n    return 1 + (H + 2 * pad - HH) / stride\n"
NOTE = "`/` between integers divides as in Python 2 (floor)"


def assert_unmarked(sub):
    assert not any("py2_division" in m for m in sub.plan["modules"].values())
    assert not any(NOTE in n for n in sub.notes)


def names(source):
    return python2_names(ast.parse(source))


@pytest.mark.parametrize("source, found", [
    ("for i in xrange(3): pass", ["xrange"]),
    ("s = raw_input()", ["raw_input"]),
    ("ok = isinstance(s, basestring) or isinstance(s, unicode)", ["basestring", "unicode"]),
    ("for k, v in d.iteritems(): pass\nvals = list(d.itervalues())", [".iteritems()", ".itervalues()"]),
    ("if d.has_key('W1'): pass", [".has_key()"]),
])
def test_python2_names_are_evidence(source, found):
    assert names(source) == found


@pytest.mark.parametrize("source", [
    "from past.builtins import xrange\nfor i in xrange(3): pass",
    "from six.moves import xrange, range\nfor i in xrange(3): pass",
    "from builtins import *\nfor i in xrange(3): pass",
    "import six\nfor k, v in six.iteritems(d): pass",
    "from future.utils import iteritems\nfor k, v in iteritems(d): pass",
    "try:\n    xrange\nexcept NameError:\n    xrange = range\nfor i in xrange(3): pass",
    "class D(dict):\n    def iteritems(self):\n        return iter(self.items())\nD().iteritems()",
    "def f(unicode):\n    return unicode",
    "for i in range(3): print(i)",
    "d.has_key()\nd.iteritems(1)",          # not the Python 2 signatures
])
def test_imported_defined_or_python3_names_are_not_evidence(source):
    assert names(source) == []


def test_future_division_is_seen_only_as_the_future_import():
    assert future_division(ast.parse("from __future__ import print_function, division\nx = 1 / 2"))
    assert not future_division(ast.parse("from __future__ import print_function\nx = 1 / 2"))
    assert not future_division(ast.parse("division = 1"))


def test_python2_syntax_marks_every_module_of_the_submission(write, opened):
    root = write({"nndl/conv_layers.py": CONV_PY2, "nndl/helpers.py": "def helper(n):\n    return n / 2\n"})
    sub = opened(root, [CONV, HELPER])
    marked = {name: m.get("py2_division", False) for name, m in sub.plan["modules"].items() if not m["package"]}
    assert marked and all(marked.values()), marked
    notes = [n for n in sub.notes if NOTE in n]
    assert notes == ["written for Python 2 (nndl/conv_layers.py has Python 2 syntax): " + NOTE]


def test_python3_submission_is_not_marked(write, opened):
    root = write({"nndl/conv_layers.py": CONV_PY3, "nndl/helpers.py": "def helper(n):\n    return n / 2\n"})
    sub = opened(root, [CONV, HELPER])
    assert_unmarked(sub)


def test_xrange_alone_is_evidence_and_names_the_file(write, opened):
    root = write({"nndl/conv_layers.py": CONV_PY3,
                  "nndl/helpers.py": "def helper(n):\n    return [i / 2 for i in xrange(n)]\n"})
    sub = opened(root, [CONV, HELPER])
    assert sub.plan["modules"]["nndl.conv_layers"].get("py2_division") is True
    assert any(n.startswith("written for Python 2 (nndl/helpers.py uses xrange)") for n in sub.notes)


def test_an_old_helper_file_without_graded_names_is_no_evidence(write, opened):
    """A Python 3 student's folder may still hold an old course file (a Python 2 `data_utils.py`) they
    never ran: only the files holding graded names tell which Python the student wrote for."""
    root = write({"nndl/conv_layers.py": CONV_PY3, "nndl/data_utils.py": "print 'loading'\nN = 10 / 4\n"})
    sub = opened(root, [CONV])
    assert_unmarked(sub)


def test_a_file_with_future_division_is_not_marked(write, opened):
    root = write({"nndl/conv_layers.py": CONV_PY2,
                  "nndl/helpers.py": "from __future__ import division\ndef helper(n):\n    return n / 2\n"})
    sub = opened(root, [CONV, HELPER])
    assert sub.plan["modules"]["nndl.conv_layers"].get("py2_division") is True
    assert "py2_division" not in sub.plan["modules"]["nndl.helpers"]


def test_only_future_division_files_means_no_note(write, opened):
    root = write({"nndl/conv_layers.py": "from __future__ import division\n" + CONV_PY2})
    sub = opened(root, [CONV])
    assert_unmarked(sub)


def test_support_modules_are_not_marked(write, opened, tmp_path):
    support = tmp_path / "helpers.py"
    support.write_text("def helper(n):\n    return n / 2\n")
    root = write({"nndl/conv_layers.py": CONV_PY2})
    sub = opened(root, [CONV, HELPER], {"nndl/helpers.py": support})
    assert sub.plan["modules"]["nndl.conv_layers"].get("py2_division") is True
    assert "py2_division" not in sub.plan["modules"]["nndl.helpers"]


def test_notebook_snippets_and_notebooks_are_marked(tmp_path, notebook, opened):
    nb = notebook(tmp_path / "sub" / "hw.ipynb", [
        "import numpy as np\nprint 'loaded'",
        "def conv_out(H, HH, pad, stride):\n    return 1 + (H + 2 * pad - HH) / stride",
        "half = 7 / 2",
    ])
    sub = opened(nb.parent, [CONV, NameSpec("half", "variable", notebook="hw.ipynb")])
    assert sub.plan["names"]["conv_out"] == {"snippet": 0}
    assert sub.plan["snippets"][0]["py2_division"] is True
    assert sub.plan["notebooks"][0]["py2_division"] is True
    assert any(n.startswith("written for Python 2 (hw.ipynb has Python 2 syntax)") for n in sub.notes)


def test_notebook_importing_future_division_is_not_marked(tmp_path, notebook, opened):
    nb = notebook(tmp_path / "sub" / "hw.ipynb", [
        "from __future__ import division\nimport numpy as np\nprint 'loaded'",
        "half = 7 / 2",
    ])
    sub = opened(nb.parent, [NameSpec("half", "variable", notebook="hw.ipynb")])
    assert "py2_division" not in sub.plan["notebooks"][0]
