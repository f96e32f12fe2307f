"""Plans run in a real Sandbox (grader.sandbox): the graded names are callable and behave as written."""
import numpy as np
import pytest

from grader.submission import NameSpec

sandbox = pytest.importorskip("grader.sandbox")
errors = pytest.importorskip("grader.sandbox.errors")


@pytest.fixture
def run(opened):
    """Open a submission and start a Sandbox on its plan; both closed after the test."""
    boxes = []

    def _run(path, specs, support=None):
        sub = opened(path, specs, support)
        box = sandbox.Sandbox(sub.plan, sub.root)
        boxes.append(box)
        return box

    yield _run
    for box in boxes:
        box.close()


LAYERS = '''\
import numpy as np
from cs231n.fast_layers import *
from cs231n.layer_utils import scale


def affine_forward(x, w, b):
    print "affine", x.shape
    out = x.reshape(x.shape[0], -1).dot(w) + b
    return out, (x, w, b)


def relu_forward(x):
    return scale(np.maximum(0, x), 1.0), x


def svm_loss(x, y):
    return x +* y
'''


def test_repaired_module_runs_with_support(write, tmp_path, run):
    helper = tmp_path / "layer_utils.py"
    helper.write_text("def scale(x, k):\n    return x * k\n")
    root = write({"HW 2 - code/assignment2/cs231n/layers.py": LAYERS})
    specs = [NameSpec(n, "function", ("cs231n/layers.py",)) for n in ("affine_forward", "relu_forward", "svm_loss")]
    box = run(root, specs, {"cs231n/layer_utils.py": helper})
    x, w, b = np.arange(6.0).reshape(2, 3), np.ones((3, 2)), np.array([0.5, -0.5])
    out, cache = box.root.affine_forward(x, w, b)
    np.testing.assert_array_equal(out, x.dot(w) + b)
    out, _ = box.root.relu_forward(np.array([-1.0, 2.0]))
    np.testing.assert_array_equal(out, [0.0, 2.0])
    with pytest.raises(errors.NameMissing, match="syntax error at line 17"):
        box.root.svm_loss(x, np.array([0, 1]))
    assert any("affine (2, 3)" in note for note in box.notes())


def test_starter_file_wins_in_the_worker(write, run):
    root = write({
        "hw3/nndl/fc_net.py": "class TwoLayerNet(object):\n    kind = 'layer-based'\n",
        "hw3/nndl/neural_net.py": "class TwoLayerNet(object):\n    kind = 'starter'\n"
                                  "    def __init__(self, D, H, C, std=1e-4):\n        self.params = {'W1': std * __import__('numpy').ones((H, D))}\n",
    })
    box = run(root, [NameSpec("TwoLayerNet", "class", ("nndl/neural_net.py",))])
    net = box.root.TwoLayerNet(3, 2, 4, std=0.5)
    np.testing.assert_array_equal(sandbox.fetch(net.params)["W1"], np.full((2, 3), 0.5))
    assert sandbox.fetch(box.root.TwoLayerNet.kind) == "starter"


def test_notebook_snippet_runs_without_the_dead_cells(tmp_path, notebook, run):
    nb = notebook(tmp_path / "sub" / "softmax.ipynb", [
        "%matplotlib inline\n%load_ext autoreload\nimport numpy as np\nimport matplotlib.pyplot as plt",
        "!pip install tqdm\nX = np.load('/datasets/cifar.npy')\nraise SystemExit('should never run')",
        "def stable(s):\n    return s - s.max(axis=1, keepdims=True)",
        "%%time\nclass Softmax(object):\n    def __init__(self, dims=[3, 4]):\n        self.W = np.ones(dims)\n"
        "    def scores(self, X):\n        return stable(X.dot(self.W.T))",
        "sm = Softmax()\nprint 'done'",
    ])
    box = run(nb.parent, [NameSpec("Softmax", "class", ("nndl/softmax.py",))])
    model = box.root.Softmax(dims=[2, 3])
    scores = model.scores(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_array_equal(scores, [[0.0, 0.0]])


def test_notebook_variables_captured_before_reuse(tmp_path, notebook, run):
    nb = notebook(tmp_path / "sub" / "linear_regression.ipynb", [
        "import numpy as np\n%matplotlib inline\nnp.random.seed(0)",
        "theta = np.array([1.0, 2.0])",
        "thetas = []",
        "for i in range(3):\n    theta = np.full(i + 1, float(i))\n    thetas.append(theta)",
        "testing_errors = [0.5]\ntesting_errors.append(0.25)",
        "testing_errors[0] = 1.0",
        "testing_errors = None\nraise RuntimeError('after the last capture')",
    ])
    specs = [NameSpec(v, "variable", notebook="linear_regression.ipynb") for v in ("theta", "thetas", "testing_errors")]
    box = run(nb.parent, specs)
    np.testing.assert_array_equal(sandbox.fetch(box.root.theta), [1.0, 2.0])
    thetas = sandbox.fetch(box.root.thetas)
    assert [t.tolist() for t in thetas] == [[0.0], [1.0, 1.0], [2.0, 2.0, 2.0]]
    assert sandbox.fetch(box.root.testing_errors) == [1.0, 0.25]


def test_a_notebook_variable_under_an_alias_is_graded_with_its_own_inputs(tmp_path, notebook, run, opened):
    """``testing_errors`` with the alias ``validation_errors`` (some years' name): the notebook's own
    name is read, with the notebook's globals as they stood then; the graded name itself wins."""
    spec = NameSpec("testing_errors", "variable", notebook="linear_regression.ipynb", aliases=("validation_errors",))
    nb = notebook(tmp_path / "year" / "linear_regression.ipynb", [
        "x = [1.0]", "validation_errors = [0.5]", "x = [2.0]\nvalidation_errors = 'reused later'"])
    box = run(nb.parent, [spec])
    assert sandbox.fetch(box.root.testing_errors) == [0.5]
    assert sandbox.fetch(sandbox.inputs_of(box.root.testing_errors, "x")) == [1.0]
    sub = opened(nb.parent, [spec])
    assert sub.plan["names"]["testing_errors"] == {"notebook": 0, "as": "validation_errors"}
    assert "testing_errors: graded from validation_errors (your notebook's name for it)" in sub.notes
    both = notebook(tmp_path / "both" / "linear_regression.ipynb", ["validation_errors = [1.0]", "testing_errors = [2.0]"])
    assert sandbox.fetch(run(both.parent, [spec]).root.testing_errors) == [2.0]
    neither = notebook(tmp_path / "neither" / "linear_regression.ipynb", ["errors = [1.0]"])
    with pytest.raises(errors.NameMissing, match=r"testing_errors \(nor under validation_errors\) is not assigned"):
        sandbox.fetch(run(neither.parent, [spec]).root.testing_errors)
