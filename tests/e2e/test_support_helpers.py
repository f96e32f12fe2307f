"""Starter helpers a student never submits come from the assignment's support files, wherever the course
kept them that year: `nndl/`, `utils/` (C147 2020+), `cs231n/` (older C147, CS231n), imported absolutely or
relatively, or submitted in their Cython form without the compiled extension. The correct bundled
examples, rewritten to those layouts (real files, graded by the real runner and worker), keep full marks;
the student's own helper wins when it works.
"""

import re
import shutil

import pytest

from grader.assignment import load_assignment
from grader.runner import grade_many

CYTHON_FAST_LAYERS = """import numpy as np
try:
  from {pkg}im2col_cython import col2im_cython, im2col_cython
except ImportError:
  print('run the following from the cs231n directory and try again:')
  print('python setup.py build_ext --inplace')
from {pkg}im2col import *


def conv_forward_im2col(x, w, b, conv_param):
  x_cols = im2col_cython(x, w.shape[2], w.shape[3], conv_param['pad'], conv_param['stride'])
  return x_cols, None


conv_forward_fast = conv_forward_im2col
"""

IM2COL_CONV = """import numpy as np
from utils.im2col import im2col_indices, col2im_indices


def _sizes(x, w, conv_param):
  F, _, HH, WW = w.shape
  s, p = conv_param['stride'], conv_param['pad']
  return F, HH, WW, s, p, 1 + (x.shape[2] + 2 * p - HH) // s, 1 + (x.shape[3] + 2 * p - WW) // s


def conv_forward_naive(x, w, b, conv_param):
  F, HH, WW, s, p, Ho, Wo = _sizes(x, w, conv_param)
  cols = im2col_indices(x, HH, WW, p, s)
  out = (w.reshape(F, -1).dot(cols) + b[:, None]).reshape(F, Ho, Wo, x.shape[0]).transpose(3, 0, 1, 2)
  return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
  x, w, b, conv_param = cache
  F, HH, WW, s, p, Ho, Wo = _sizes(x, w, conv_param)
  d = dout.transpose(1, 2, 3, 0).reshape(F, -1)
  dw = d.dot(im2col_indices(x, HH, WW, p, s).T).reshape(w.shape)
  dx = col2im_indices(w.reshape(F, -1).T.dot(d), x.shape, HH, WW, p, s)
  return dx, dw, dout.sum(axis=(0, 2, 3))
"""


def _copy_correct(name, tmp_path, label):
    target = tmp_path / label
    shutil.copytree(load_assignment(name).examples()["correct"], target)
    return target


def _rewrite(folder, pattern, replacement):
    for path in folder.rglob("*.py"):
        path.write_text(re.sub(pattern, replacement, path.read_text()))


def _lost(result):
    return [(o.name, o.output[:200]) for o in result.outcomes if o.score < o.max_score]


def _hw5_variants(tmp_path):
    subs = {}
    for label, package in (("utils", "utils"), ("cs231n", "cs231n")):       # the years' real layouts
        sub = _copy_correct("c147/hw5", tmp_path, f"hw5_{label}")
        (sub / "nndl/fast_layers.py").unlink()
        _rewrite(sub, r"from nndl\.fast_layers import", f"from {package}.fast_layers import")
        subs[label] = sub
    sub = _copy_correct("c147/hw5", tmp_path, "hw5_relative")       # relative imports, no helpers at all
    for helper in ("fast_layers", "layer_utils"):
        (sub / f"nndl/{helper}.py").unlink()
    _rewrite(sub, r"from nndl\.(fast_layers|layer_utils) import", r"from .\1 import")
    subs["relative"] = sub
    sub = _copy_correct("c147/hw5", tmp_path, "hw5_cython")         # the Cython helper, never compiled
    (sub / "nndl/fast_layers.py").unlink()
    _rewrite(sub, r"from nndl\.fast_layers import", "from utils.fast_layers import")
    (sub / "utils").mkdir()
    (sub / "utils/fast_layers.py").write_text(CYTHON_FAST_LAYERS.format(pkg="utils."))
    (sub / "utils/im2col.py").write_text("import numpy as np\n")
    subs["cython"] = sub
    sub = _copy_correct("c147/hw5", tmp_path, "hw5_no_utils")        # only cnn.py and conv_layers.py
    for helper in ("fast_layers", "layer_utils", "conv_layer_utils", "layers"):
        (sub / f"nndl/{helper}.py").unlink()
    _rewrite(sub, r"from nndl\.fast_layers import", "from utils.fast_layers import")
    subs["bare"] = sub
    sub = _copy_correct("c147/hw5", tmp_path, "hw5_im2col")          # conv written on the course's im2col
    conv = (sub / "nndl/conv_layers.py").read_text()
    start = conv.index("def conv_forward_naive")
    end = conv.index("def max_pool_forward_naive")
    (sub / "nndl/conv_layers.py").write_text(IM2COL_CONV + "\n\n" + conv[:start].replace("import numpy as np", "")
                                             + conv[end:])
    subs["im2col"] = sub
    return subs


def test_c147_hw5_without_the_course_helpers_in_every_years_layout_gets_full_marks(tmp_path):
    assignment = load_assignment("c147/hw5")
    subs = _hw5_variants(tmp_path)
    results = grade_many(assignment, list(subs.values()))
    for label, result in zip(subs, results):
        assert _lost(result) == [], label
        assert result.score == result.max_score > 0, label
        assert not result.flags, label
    notes = dict(zip(subs, (r.load_notes for r in results)))
    assert any("provides utils.fast_layers" in n for n in notes["utils"])
    assert any("provides cs231n.fast_layers" in n for n in notes["cs231n"])
    assert any("utils/fast_layers.py: imports utils.im2col_cython" in n for n in notes["cython"])
    assert any("provides utils.im2col" in n for n in notes["im2col"])


def test_a_students_own_working_helper_wins_over_the_support_copy(tmp_path):
    """The student's fast_layers.py is used when it imports: its own (wrong) conv makes the model fail."""
    assignment = load_assignment("c147/hw5")
    sub = _copy_correct("c147/hw5", tmp_path, "own")
    (sub / "nndl/fast_layers.py").unlink()
    _rewrite(sub, r"from nndl\.fast_layers import", "from utils.fast_layers import")
    (sub / "utils").mkdir()
    support = (assignment.path / "support/nndl/fast_layers.py").read_text()
    (sub / "utils/fast_layers.py").write_text(support.replace("out += b[None, :, None, None]", "out += 0.5"))
    result = grade_many(assignment, [sub])[0]
    lost = [name for name, _ in _lost(result)]
    assert lost and all(name.startswith("ThreeLayerConvNet") for name in lost)
    assert not any("provides utils.fast_layers" in n for n in result.load_notes)


@pytest.mark.parametrize("layout", ["relative", "absolute", "cython"])
def test_cs231n_a2_without_layer_utils_or_fast_layers_gets_full_marks(tmp_path, layout):
    assignment = load_assignment("cs231n/a2")
    sub = _copy_correct("cs231n/a2", tmp_path, layout)
    (sub / "cs231n/layer_utils.py").unlink()
    (sub / "cs231n/fast_layers.py").unlink()
    if layout == "absolute":
        _rewrite(sub, r"from \.\.(\w+) import", r"from cs231n.\1 import")
    if layout == "cython":
        (sub / "cs231n/fast_layers.py").write_text(CYTHON_FAST_LAYERS.format(pkg="."))
        (sub / "cs231n/im2col.py").write_text("import numpy as np\n")
    result = grade_many(assignment, [sub])[0]
    assert _lost(result) == []
    assert result.score == result.max_score > 0
