"""An untouched copy of the starter loses to the student's completed code, wherever each sits."""
import shutil
from pathlib import Path

from grader.assignment import load_assignment
from grader.runner import grade_many
from grader.submission import NameSpec

# Starter bodies as the c147 starters have them: placeholders around "YOUR CODE HERE", not empty.
STARTER = '''\
import numpy as np


def affine_forward(x, w, b):
  """
  Computes the forward pass for an affine layer.
  """
  # ================================================================ #
  # YOUR CODE HERE:
  # ================================================================ #
  pass
  cache = (x, w, b)
  return out, cache


def relu_forward(x):
  out = None
  pass
  cache = x
  return out, cache


class TwoLayerNet(object):
  def __init__(self, input_size, hidden_size, output_size, std=1e-4):
    self.params = {}
    self.params['W1'] = std * np.random.randn(hidden_size, input_size)

  def loss(self, X, y=None, reg=0.0):
    scores = None
    pass
    return scores
'''

# The same code re-indented, comments and docstrings changed: still the untouched starter.
STARTER_RESTYLED = '''\
import numpy as np

def affine_forward(x, w, b):
    """My notes."""
    pass
    cache = (x, w, b)   # keep for backward
    return out, cache

def relu_forward(x):
    out = None
    pass
    cache = x
    return out, cache
'''

DONE = '''\
import numpy as np


def affine_forward(x, w, b):
  out = x.reshape(x.shape[0], -1).dot(w) + b
  cache = (x, w, b)
  return out, cache


def relu_forward(x):
  out = None
  pass
  cache = x
  return out, cache


class TwoLayerNet(object):
  def __init__(self, input_size, hidden_size, output_size, std=1e-4):
    self.params = {}
    self.params['W1'] = std * np.random.randn(hidden_size, input_size)

  def loss(self, X, y=None, reg=0.0):
    return X.dot(self.params['W1'].T)
'''

SPECS = [NameSpec("affine_forward", "function", ("nndl/layers.py",)),
         NameSpec("relu_forward", "function", ("nndl/layers.py",)),
         NameSpec("TwoLayerNet", "class", ("nndl/layers.py",))]


def _starter(tmp_path) -> Path:
    folder = tmp_path / "starter"
    (folder / "nndl").mkdir(parents=True, exist_ok=True)
    (folder / "nndl/layers.py").write_text(STARTER)
    return folder


def test_completed_copy_beats_the_starter_laid_out_copy(write, tmp_path):
    from grader.submission import open_submission
    root = write({"nndl/layers.py": STARTER, "work/hw3/nndl/layers.py": DONE})
    with open_submission(root, SPECS, starter=_starter(tmp_path)) as sub:
        names = sub.plan["names"]
        assert names["affine_forward"] == names["TwoLayerNet"] == {"module": "hw3.nndl.layers"}
        assert names["relu_forward"] == {"module": "nndl.layers"}      # both copies are the starter's
        assert ("affine_forward: taken from work/hw3/nndl/layers.py (also defined in nndl/layers.py; "
                "empty or the starter's own code unchanged in nndl/layers.py)") in sub.notes
        assert "relu_forward: taken from nndl/layers.py (also defined in work/hw3/nndl/layers.py)" in sub.notes
    with open_submission(root, SPECS) as sub:                            # no starter: the layout decides
        assert sub.plan["names"]["affine_forward"] == {"module": "nndl.layers"}


def test_restyled_starter_copy_still_loses_and_completed_starter_layout_wins(write, tmp_path):
    from grader.submission import open_submission
    root = write({"nndl/layers.py": DONE, "old/nndl/layers.py": STARTER, "nndl copy/layers.py": STARTER_RESTYLED,
                  "a/layers.py": STARTER_RESTYLED})
    with open_submission(root, SPECS, starter=_starter(tmp_path)) as sub:
        assert sub.plan["names"]["affine_forward"] == {"module": "nndl.layers"}
        assert ("affine_forward: taken from nndl/layers.py (also defined in a/layers.py, nndl copy/layers.py, "
                "old/nndl/layers.py; empty or the starter's own code unchanged in a/layers.py, "
                "nndl copy/layers.py, old/nndl/layers.py)") in sub.notes


def test_notebook_beats_py_files_that_are_only_starter_copies(write, notebook, tmp_path):
    from grader.submission import open_submission
    root = write({"nndl/layers.py": STARTER})
    notebook(root / "layers.ipynb", ["import numpy as np",
                                     "def affine_forward(x, w, b):\n    return x.dot(w) + b, (x, w, b)"])
    with open_submission(root, SPECS[:1], starter=_starter(tmp_path)) as sub:
        assert sub.plan["names"]["affine_forward"] == {"snippet": 0}
        assert "affine_forward: the .py definitions are empty starter code; taken from layers.ipynb" in sub.notes


def test_starter_copy_is_used_when_it_is_the_only_definition(write, tmp_path):
    from grader.submission import open_submission
    root = write({"nndl/layers.py": STARTER})
    with open_submission(root, SPECS, starter=_starter(tmp_path)) as sub:
        assert sub.plan["names"]["affine_forward"] == {"module": "nndl.layers"}
        assert not any("taken from" in note for note in sub.notes)


def test_graded_with_the_assignment_starter(tmp_path):
    """The real c147/hw3: the completed files in a subfolder, the untouched starter at the top."""
    assignment = load_assignment("c147/hw3")
    sub = tmp_path / "dup"
    shutil.copytree(assignment.examples()["correct"], sub / "work" / "hw3")
    shutil.copytree(assignment.starter_dir, sub, dirs_exist_ok=True)
    result, = grade_many(assignment, [sub])
    failed = [o.name for o in result.outcomes if o.score < o.max_score]
    assert failed == []
    assert any(note.startswith("affine_forward: taken from work/hw3/nndl/layers.py") for note in result.load_notes)
