"""Notebooks: magics, broken cells, snippets carrying their helpers, variables captured at the right cell."""
import ast

import pytest

from grader.submission import NameSpec, open_submission

SOFTMAX = NameSpec("Softmax", "class", ("nndl/softmax.py",))
SVM_LOSS = NameSpec("svm_loss", "function", ("nndl/layers.py",))
VARS = [NameSpec(v, "variable", notebook="linear_regression.ipynb")
        for v in ("theta", "thetas", "training_errors", "testing_errors")]

CLASSIFIER_CELLS = [
    "%matplotlib inline\n%load_ext autoreload\n%autoreload 2\nimport numpy as np\nimport matplotlib.pyplot as plt\n"
    "from cs231n.data_utils import load_CIFAR10\nfrom nndl.helpers import *",
    "!pip install tqdm\nX_train, y_train, X_test, y_test = load_CIFAR10('/datasets/cifar-10-batches-py')",
    ("md", "## Softmax"),
    "EPS = 1e-12\nBIG = np.ones(3)\ndef stable(scores):\n    return scores - scores.max(axis=1, keepdims=True)\n"
    "def unused_helper():\n    return plt.figure()",
    "%%time\nclass Softmax(object):\n    def __init__(self, dims=[10, 3073]):\n        self.W = np.zeros(dims)\n"
    "    def loss(self, X, y):\n        s = stable(X.dot(self.W.T))\n        return -np.log(EPS + s).mean()\n",
    "sm = Softmax(dims=[10, 3073])\nloss = sm.loss(X_train, y_train)\nprint 'loss:', loss",
    "def svm_loss(x, y):\n    return x +* y\n",
    "%%bash\necho hi\n",
]


def test_notebook_class_becomes_snippet_with_helpers_and_imports(tmp_path, notebook, opened):
    nb = notebook(tmp_path / "sub" / "softmax.ipynb", CLASSIFIER_CELLS)
    sub = opened(nb.parent, [SOFTMAX, SVM_LOSS])
    names = sub.plan["names"]
    assert names["Softmax"] == {"snippet": 0}
    assert names["svm_loss"]["missing"].startswith(
        "svm_loss is defined in softmax.ipynb, but code cell 6 has a syntax error at line 2 of the cell")
    snippet = sub.plan["snippets"][0]
    assert snippet["file"] == "softmax.ipynb"
    source = snippet["source"]
    tree = ast.parse(source)
    bound = [getattr(n, "name", None) or ast.unparse(n) for n in tree.body]
    assert bound == ["import numpy as np", "from nndl.helpers import *", "EPS = 1e-12", "stable", "Softmax"]
    assert "get_ipython" not in source and "load_CIFAR10" not in source and "unused_helper" not in source
    assert "%%time" not in source


def test_notebook_cells_transform_magics_and_python2(tmp_path, notebook, opened):
    cells = ["%matplotlib inline\nimport numpy as np\ntheta = None",
             "!pip install something\nX = np.load('data/train.npy')   # data file not in the submission",
             "print 'theta', theta\ntheta = np.array([1.0, 2.0])",
             "def broken(:\n    pass"]
    nb = notebook(tmp_path / "sub" / "linear_regression.ipynb", cells)
    sub = opened(nb.parent, VARS[:1])
    assert sub.plan["names"]["theta"] == {"notebook": 0}
    entry = sub.plan["notebooks"][0]
    assert entry["file"] == "linear_regression.ipynb"
    assert entry["capture"] == {"theta": 0}
    assert entry["cells"] == ["get_ipython().run_line_magic('matplotlib', 'inline')\nimport numpy as np\ntheta = None\n"]


LINEAR_REGRESSION = [
    "import numpy as np\nimport matplotlib.pyplot as plt\n%matplotlib inline\nnp.random.seed(0)",
    "x = np.random.uniform(-1, 1, 50)\ny = 2 * x + 1 + np.random.randn(50) * 0.1\nplt.plot(x, y)",
    "xhat = np.vstack((x, np.ones_like(x)))\n",
    "theta = np.linalg.inv(xhat.dot(xhat.T)).dot(xhat.dot(y))\nprint(theta)",
    ("md", "### polynomial fits"),
    "thetas = []\nN = 5",
    "for i in range(N):\n    order = i + 1\n    X = np.vstack([x ** k for k in range(order, -1, -1)])\n"
    "    theta = np.linalg.pinv(X.T).dot(y)\n    thetas.append(theta)",
    "plt.figure()\nfor theta in thetas:\n    plt.plot(x, np.polyval(theta, x))",
    "training_errors = []\ntesting_errors = []",
    "for theta in thetas:\n    training_errors.append(np.mean((np.polyval(theta, x) - y) ** 2))\n",
    "x_test = np.random.uniform(-1, 1, 50)\n",
    "for i in range(N):\n    testing_errors += [float(i)]\n",
    "testing_errors[0] = 0.0",
    "summary = sorted(testing_errors)",
    "testing_errors = 'reused name'",
    "print('the end')",
]


def test_variables_captured_after_the_right_cell(tmp_path, notebook, opened, write):
    root = write({"hw1/linear_regression.ipynb": b"", "hw1/scratch.ipynb": b""})
    notebook(root / "hw1/linear_regression.ipynb", LINEAR_REGRESSION)
    notebook(root / "hw1/scratch.ipynb", ["theta = 'not this one'"])
    sub = opened(root, VARS)
    assert all(sub.plan["names"][v.name] == {"notebook": 0} for v in VARS)
    assert len(sub.plan["notebooks"]) == 1
    entry = sub.plan["notebooks"][0]
    assert entry["file"] == "hw1/linear_regression.ipynb"
    # code cells (markdown excluded): theta first bound in cell 3 and rebound as a loop variable later;
    # thetas bound in 4, appended in 5; training_errors bound in 7, appended in 8;
    # testing_errors bound in 7, += in 10, item set in 11, rebound in 13.
    assert entry["capture"] == {"theta": 3, "thetas": 5, "training_errors": 8, "testing_errors": 11}
    assert len(entry["cells"]) == 12
    assert entry["cells"][0].startswith("import numpy as np\nimport matplotlib.pyplot as plt\n"
                                        "get_ipython().run_line_magic('matplotlib', 'inline')")


def test_variable_missing_reasons(tmp_path, notebook, opened):
    nb = notebook(tmp_path / "sub" / "linear_regression.ipynb", ["import numpy as np", "theta = [1, 2"])
    sub = opened(nb.parent, VARS[:2])
    assert "theta is defined in linear_regression.ipynb, but code cell 2 has a syntax error" \
        in sub.plan["names"]["theta"]["missing"]
    assert sub.plan["names"]["thetas"]["missing"] == (
        "thetas is not assigned in any notebook of your submission (the starter notebook is "
        "linear_regression.ipynb) (searched 0 .py files and 1 notebook)")
    assert sub.plan["notebooks"] == []


def test_py_file_beats_notebook(tmp_path, notebook, opened, write):
    root = write({"nndl/softmax.py": "class Softmax(object):\n    source = 'py'\n"})
    notebook(root / "softmax.ipynb", ["class Softmax(object):\n    source = 'notebook'"])
    sub = opened(root, [SOFTMAX])
    assert sub.plan["names"]["Softmax"] == {"module": "nndl.softmax"}
    assert sub.plan["snippets"] == []


def test_notebook_implementation_beats_an_empty_starter_stub(tmp_path, notebook, opened, write):
    root = write({"nndl/layers.py": "def svm_loss(x, y):\n    '''starter'''\n    pass\n",
                  "old/layers.py": "def svm_loss(x, y):\n    raise NotImplementedError\n"})
    notebook(root / "hw.ipynb", ["import numpy as np", "def svm_loss(x, y):\n    return np.sum(x), None"])
    sub = opened(root, [SVM_LOSS])
    assert sub.plan["names"]["svm_loss"] == {"snippet": 0}
    assert sub.plan["snippets"][0]["source"] == "import numpy as np\ndef svm_loss(x, y):\n    return np.sum(x), None\n"
    assert any("empty starter code" in n for n in sub.notes)


def test_real_py_body_beats_stub_in_starter_path(write, opened):
    root = write({"nndl/layers.py": "def svm_loss(x, y):\n    pass\n",
                  "work/my_layers.py": "def svm_loss(x, y):\n    return 1.0, None\n"})
    sub = opened(root, [SVM_LOSS])
    assert sub.plan["names"]["svm_loss"] == {"module": "my_layers"}


def test_work_in_a_new_cell_replaces_the_starters_placeholder(tmp_path, notebook, opened):
    nb = notebook(tmp_path / "sub" / "linear_regression.ipynb", [
        "import numpy as np\ntheta = np.nan",                               # 0: starter placeholder
        "theta = np.array([1.0, 2.0])",                                     # 1: the student's new cell
        "print(theta)",                                                     # 2: a use: stops
        "theta = np.zeros(2)",                                              # 3: a later reuse
        "thetas = []\nxhats = []\nfor i in range(3):\n    xhats.append(i)", # 4: placeholder left
        "thetas = [x * 2.0 for x in xhats]",                                # 5: new cell: captured
        "thetas = ['reused']",                                              # 6: not a placeholder any more
        "training_errors = []",                                             # 7
        "for i in range(3):\n    training_errors = training_errors + [i]",  # 8: updated from itself
        "for training_errors in range(2):\n    pass",                       # 9: a loop variable
        "testing_errors = [1.0]",                                           # 10
        "testing_errors = [2.0]",                                           # 11: [1.0] was no placeholder
    ])
    sub = opened(nb.parent, VARS)
    assert sub.plan["notebooks"][0]["capture"] == {"theta": 1, "thetas": 5, "training_errors": 8,
                                                   "testing_errors": 10}


STARTER = ["import numpy as np\nnp.random.seed(0)\nx = np.random.rand(5)",
           "theta = np.nan # Calculate theta here.\nprint(theta)",
           "thetas = []\npass"]
DONE = STARTER[:1] + ["theta = np.array([1.0, 2.0])\nprint(theta)", "thetas = [theta]"]


@pytest.fixture
def starter(tmp_path, notebook):
    notebook(tmp_path / "starter" / "linear_regression.ipynb", STARTER)
    return tmp_path / "starter"


def test_an_unchanged_starter_notebook_loses_to_a_completed_copy(tmp_path, notebook, starter):
    root = tmp_path / "sub"
    # the starter re-saved (other whitespace, outputs) at the starter's name, the work in a copy
    notebook(root / "linear_regression.ipynb", [c.replace("\n", "\n\n") + "  " for c in STARTER])
    notebook(root / "linear_regression-Copy1.ipynb", DONE)
    with open_submission(root, VARS[:2], starter=starter) as sub:
        assert sub.plan["notebooks"][0]["file"] == "linear_regression-Copy1.ipynb"
        assert sub.plan["names"]["theta"] == sub.plan["names"]["thetas"] == {"notebook": 0}
        assert "theta, thetas: taken from linear_regression-Copy1.ipynb (linear_regression.ipynb is the " \
               "unchanged starter notebook)" in sub.notes
    with open_submission(root, VARS[:2]) as sub:           # no starter known: the starter's name wins
        assert sub.plan["notebooks"][0]["file"] == "linear_regression.ipynb"


def test_an_unchanged_starter_notebook_alone_is_still_graded(tmp_path, notebook, starter):
    root = tmp_path / "sub"
    notebook(root / "linear_regression.ipynb", STARTER)
    with open_submission(root, VARS[:1], starter=starter) as sub:
        assert sub.plan["names"]["theta"] == {"notebook": 0}
        assert "theta: taken from linear_regression.ipynb (it is the unchanged starter notebook)" in sub.notes


def test_writefile_cells_are_files_of_the_submission(tmp_path, notebook, write):
    root = write({"hw/real.py": "def rnn_step(x):\n    return 'real file'\n"})
    notebook(root / "hw" / "RNN.ipynb", [
        "%%writefile cs231n/rnn_layers.py\nimport numpy as np\ndef rnn_step(x):\n    return 'written'\n",
        "%%writefile -a cs231n/rnn_layers.py\ndef rnn_backward(x):\n    return 'appended'\n",
        "%%writefile real.py\ndef rnn_step(x):\n    return 'from the notebook'\n",
        "%%writefile ../escape.py\nx = 1\n",
        "%%writefile /etc/evil.py\nx = 1\n",
        "from cs231n.rnn_layers import *",
    ])
    specs = [NameSpec("rnn_step", "function", ("cs231n/rnn_layers.py",)),
             NameSpec("rnn_backward", "function", ("cs231n/rnn_layers.py",))]
    with open_submission(root, specs) as sub:
        modules = sub.plan["modules"]
        assert sub.plan["names"]["rnn_step"] == sub.plan["names"]["rnn_backward"] == {"module": "cs231n.rnn_layers"}
        assert modules["cs231n.rnn_layers"]["file"] == "hw/cs231n/rnn_layers.py"
        assert "'written'" in modules["cs231n.rnn_layers"]["source"]
        assert "'appended'" in modules["cs231n.rnn_layers"]["source"]
        assert "'real file'" in modules["real"]["source"]
        assert not any("escape" in m or "evil" in m for m in modules)
        notes = "\n".join(sub.notes)
        assert "the %%writefile cell writing hw/cs231n/rnn_layers.py is used as that file" in notes
        assert "writes hw/real.py, but that file was submitted too; the submitted file is used" in notes
        assert "code cell 4 writes `../escape.py`, not a .py file inside the notebook's folder" in notes
        assert "code cell 5 writes `/etc/evil.py`" in notes
        assert not any(c.startswith("get_ipython().run_cell_magic('writefile'")
                       for nb in sub.plan["notebooks"] for c in nb["cells"])
