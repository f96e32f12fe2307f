"""Snippets: a definition carries the bindings it needs, in force where it runs and where it is called."""
import ast

from grader.sandbox import Sandbox
from grader.submission import NameSpec

NET = NameSpec("FullyConnectedNet", "class", ("cs231n/classifiers/fc_net.py",))


def test_a_default_argument_sees_the_import_before_it_when_a_later_cell_imports_again(tmp_path, notebook, opened):
    cells = ["import numpy as np",
             "class FullyConnectedNet(object):\n    def __init__(self, dtype=np.float32):\n"
             "        self.dtype = dtype\n    def zeros(self):\n        return np.zeros(2, dtype=self.dtype)\n",
             "import numpy as np\nnp.random.seed(0)"]
    nb = notebook(tmp_path / "sub" / "FullyConnectedNets.ipynb", cells)
    sub = opened(nb.parent, [NET])
    source = sub.plan["snippets"][0]["source"]
    order = [ast.unparse(n) if not hasattr(n, "name") else n.name for n in ast.parse(source).body]
    assert order == ["import numpy as np", "FullyConnectedNet", "import numpy as np"]
    with Sandbox(sub.plan, sub.root) as sandbox:
        net = sandbox.root.FullyConnectedNet.keep()
        assert net.zeros().dtype == "float32"


def test_a_function_body_sees_the_last_definition_of_a_helper(tmp_path, notebook, opened):
    cells = ["def helper():\n    return 1\n",
             "def affine_forward(x, w, b):\n    return helper()\n",
             "def helper():\n    return 2\n"]
    nb = notebook(tmp_path / "sub" / "layers.ipynb", cells)
    sub = opened(nb.parent, [NameSpec("affine_forward", "function", ("cs231n/layers.py",))])
    with Sandbox(sub.plan, sub.root) as sandbox:
        assert sandbox.root.affine_forward(0, 0, 0) == 2
