"""Notebooks: magics, broken cells, snippets carrying their helpers, variables captured at the right cell."""
import ast

from grader.submission import NameSpec

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
