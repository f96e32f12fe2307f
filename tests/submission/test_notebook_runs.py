"""Notebook variables in a real worker: cells run only as far as the variable asked for, continuing
where the previous call stopped, and the notebook's random stream continues across calls."""
import numpy as np
import pytest

from grader.submission import NameSpec

sandbox = pytest.importorskip("grader.sandbox")
errors = pytest.importorskip("grader.sandbox.errors")

VARS = [NameSpec(v, "variable", notebook="lr.ipynb") for v in ("a", "b", "late")]
CELLS = [
    "import numpy as np\nprint('cell 0 ran')\nnp.random.seed(0)",
    "a = np.random.rand(3)\nprint('cell 1 ran')",
    "b = np.random.rand(2)   # continues the stream of cell 0\nprint('cell 2 ran')",
    "late = []\nwhile True:\n    pass",
]


@pytest.fixture
def box(tmp_path, notebook, opened):
    """A sandbox (2 s a call) on a notebook whose last cell never ends."""
    nb = notebook(tmp_path / "sub" / "lr.ipynb", CELLS)
    sub = opened(nb.parent, VARS)
    sb = sandbox.Sandbox(sub.plan, sub.root, limits=sandbox.Limits(call_seconds=2, submission_seconds=60))
    yield sb
    sb.close()


def _ran(sb, cell):
    return "\n".join(sb.notes()).count(f"cell {cell} ran")


def test_cells_run_once_up_to_the_variable_asked_for(box):
    stream = np.random.RandomState(0)
    a, b = stream.rand(3), stream.rand(2)
    box.reseed(11)
    np.testing.assert_array_equal(sandbox.fetch(box.root.a), a)
    assert (_ran(box, 0), _ran(box, 1), _ran(box, 2)) == (1, 1, 0)
    box.reseed(12)                            # each test reseeds: the notebook's stream must go on
    np.testing.assert_array_equal(sandbox.fetch(box.root.b), b)
    assert (_ran(box, 0), _ran(box, 1), _ran(box, 2)) == (1, 1, 1)
    np.testing.assert_array_equal(sandbox.fetch(box.root.a), a)
    assert _ran(box, 0) == 1


def test_a_cell_that_never_ends_fails_only_its_variable(box):
    stream = np.random.RandomState(0)
    a, b = stream.rand(3), stream.rand(2)
    np.testing.assert_array_equal(sandbox.fetch(box.root.a), a)
    with pytest.raises(errors.StudentTimeout):
        sandbox.fetch(box.root.late)
    box.reseed(13)                            # a new worker: from the start, and only as far as b
    np.testing.assert_array_equal(sandbox.fetch(box.root.b), b)
    assert _ran(box, 0) == 2
    with pytest.raises(errors.StudentTimeout):
        sandbox.fetch(box.root.late)


def test_a_first_cell_that_never_ends_fails_everything(tmp_path, notebook, opened):
    nb = notebook(tmp_path / "sub" / "lr.ipynb", ["while True:\n    pass"] + CELLS)
    sub = opened(nb.parent, VARS[:2])
    sb = sandbox.Sandbox(sub.plan, sub.root, limits=sandbox.Limits(call_seconds=1, submission_seconds=60))
    try:
        for name in ("a", "b"):
            with pytest.raises(errors.StudentTimeout):
                sandbox.fetch(getattr(sb.root, name))
    finally:
        sb.close()


def test_a_writefile_cell_is_imported_as_its_module(tmp_path, notebook, opened):
    nb = notebook(tmp_path / "sub" / "RNN_Captioning.ipynb", [
        "%%writefile cs231n/rnn_layers.py\nimport numpy as np\ndef rnn_step_forward(x):\n    return np.tanh(x), x\n",
        "from cs231n.rnn_layers import *\nwhile True:\n    pass"])
    sub = opened(nb.parent, [NameSpec("rnn_step_forward", "function", ("cs231n/rnn_layers.py",))])
    sb = sandbox.Sandbox(sub.plan, sub.root, limits=sandbox.Limits(call_seconds=5, submission_seconds=60))
    try:
        out, _ = sb.root.rnn_step_forward(np.array([0.0, 1.0]))
        np.testing.assert_allclose(out, np.tanh([0.0, 1.0]))
    finally:
        sb.close()
