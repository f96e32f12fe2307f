"""Source repair: Python 2 leftovers converted, broken blocks dropped alone, encodings and whitespace."""
import ast

from grader.submission import NameSpec
from grader.submission.repair import decode, repair

SPECS = [NameSpec(n, "function", ("cs231n/layers.py",)) for n in
         ("affine_forward", "relu_forward", "svm_loss", "softmax_loss")]

PY2_LAYERS = '''\
from __future__ import print_function
import numpy as np
from cs231n.fast_layers import *


def affine_forward(x, w, b):
    print "x shape:", x.shape,
    print >>sys.stderr, "debug"
    out = x.reshape(x.shape[0], -1).dot(w) + b
    return out, (x, w, b)


def helper(msg):
    print msg
    exec "y = 1"
    return `msg`


def svm_loss(x, y):
    margins = np.maximum(0, x - x[range(len(y)), y][:, None] + 1
    return margins.sum(), margins


def relu_forward(x):
    try:
        out = np.maximum(0, x)
    except ValueError, e:
        raise TypeError, "bad input"
    if x.ndim <> 2: pass
    return out, x
'''


def test_python2_prints_converted_and_syntax_error_loses_only_its_function(write, opened):
    root = write({"assignment2/cs231n/layers.py": PY2_LAYERS})
    sub = opened(root, SPECS)
    names = sub.plan["names"]
    assert names["affine_forward"] == {"module": "cs231n.layers"}
    assert names["relu_forward"] == {"module": "cs231n.layers"}
    assert names["svm_loss"]["missing"].startswith(
        "svm_loss is defined in assignment2/cs231n/layers.py, but that part of the file has a syntax error at line 20")
    assert "softmax_loss is not defined in any file of your submission (searched 1 .py file and 0 notebooks)" \
        == names["softmax_loss"]["missing"]
    source = sub.plan["modules"]["cs231n.layers"]["source"]
    tree = ast.parse(source)
    assert [n.name for n in tree.body if isinstance(n, ast.FunctionDef)] == \
        ["affine_forward", "helper", "relu_forward"]
    assert len(source.split("\n")) == len(PY2_LAYERS.split("\n"))          # line numbers kept
    lines = source.split("\n")
    assert lines[6] == '    print("x shape:", x.shape, end=" ")'
    assert lines[7] == '    print("debug", file=sys.stderr)'
    assert lines[13:16] == ["    print(msg)", '    exec("y = 1")', "    return repr(msg)"]
    assert "except ValueError as e:" in source and 'raise TypeError("bad input")' in source
    assert "if x.ndim != 2" in source
    assert "from cs231n.fast_layers import *" in source                     # the worker tolerates it
    assert "cs231n.fast_layers" not in sub.plan["modules"]
    assert any("lines 19-23 dropped (defines svm_loss): SyntaxError at line 20" in n for n in sub.notes)


def test_decode_bom_crlf_latin1_nul():
    text, note = decode(b"\xef\xbb\xbfx = 1\r\ny = 2\r")
    assert text == "x = 1\ny = 2\n" and note is None
    text, note = decode("s = 'caf\xe9'\n".encode("latin-1"))
    assert text == "s = 'caf\xe9'\n" and "latin-1" in note
    text, note = decode("x = 'é'\r\n".encode("utf-16"))
    assert text == "x = 'é'\n" and "UTF-16" in note
    text, note = decode(b"x = 1\x00\n")
    assert text == "x = 1\n" and "NUL" in note


def test_tabs_and_spaces_mixed():
    source = "def f(x):\n    if x:\n\treturn 1\n    return 2\n"
    repaired = repair(source)
    namespace = {}
    exec(compile(repaired.source, "f.py", "exec"), namespace)
    assert namespace["f"](1) == 1 and namespace["f"](0) == 2
    assert repaired.changes == ["tabs in indentation expanded"]


def test_file_with_bom_crlf_latin1_through_open(write, opened):
    data = ("# -*- coding: latin-1 -*-\r\ndef affine_forward(x, w, b):\r\n"
            "    '''r\xe9sum\xe9'''\r\n    return x, None\r\n").encode("latin-1")
    root = write({"layers.py": data})
    sub = opened(root, SPECS[:1])
    assert sub.plan["names"]["affine_forward"] == {"module": "cs231n.layers"}
    assert "\r" not in sub.plan["modules"]["layers"]["source"]
    assert any("latin-1" in n for n in sub.notes)


def test_block_splitting_keeps_decorators_else_and_strings():
    source = ('@staticmethod\n@other\ndef f():\n    s = """\nnot a block\n"""\n    return s\n'
              'try:\n    import cPickle as pickle\nexcept ImportError, e:\n    import pickle\n'
              'def g(:\n    pass\n'
              'if True:\n    pass\nelse:\n    print "no"\n')
    repaired = repair(source)
    tree = ast.parse(repaired.source)
    assert [type(n).__name__ for n in tree.body] == ["FunctionDef", "Try", "If"]
    assert [(d.start, d.end, d.names) for d in repaired.dropped] == [(12, 13, ["g"])]


def test_unterminated_string_drops_the_rest_only():
    source = "def good():\n    return 1\n\ndef bad():\n    return '''never closed\n\ndef later():\n    return 2\n"
    repaired = repair(source)
    tree = ast.parse(repaired.source)
    assert [n.name for n in tree.body] == ["good", "later"]
    assert repaired.dropped[0].names == ["bad"]


def test_whole_python2_file_converted_in_one_pass():
    source = "import sys\ndef f(x):\n    print 'x is', x\n    print >>sys.stderr, `x`\n    return x * 10L\n"
    repaired = repair(source)
    assert repaired.dropped == [] and repaired.changes == ["Python 2 code converted"]
    assert repaired.source == ("import sys\ndef f(x):\n    print('x is', x)\n"
                               "    print(repr(x), file=sys.stderr)\n    return x * 10\n")


def test_literal_fixes_leave_strings_and_comments_alone():
    from grader.submission.py2 import fix_python2
    source = ("s = 'use `np.dot`, 0777 and 10L <> x'  # `comment` 10L\n"
              "doc = '''`a`\n0777'''\n"
              "t = `s` + ur'\\d' + str(0777 + 10L + 0x1fL + 1.5)\n"
              "if s <> t: print s\n")
    fixed = fix_python2(source)
    assert fixed.split("\n")[:3] == [
        "s = 'use `np.dot`, 0777 and 10L <> x'  # `comment` 10L",
        "doc = '''`a`",
        "0777'''"]
    assert fixed.split("\n")[3] == "t = repr(s) + r'\\d' + str(0o777 + 10 + 0x1f + 1.5)"
    assert fixed.split("\n")[4] == "if s != t: print(s)"
    compile(fixed, "f.py", "exec")
