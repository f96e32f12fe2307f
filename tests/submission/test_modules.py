"""Module names, conflicts, files that must never be importable, support modules, graded-name choice."""
from grader.submission import NameSpec
from grader.submission.modules import dotted_names

NET = NameSpec("TwoLayerNet", "class", ("nndl/neural_net.py",))
FC = NameSpec("FullyConnectedNet", "class", ("nndl/fc_net.py",))
AFFINE = NameSpec("affine_forward", "function", ("cs231n/layers.py",))


def test_dotted_names_only_identifier_suffixes():
    assert dotted_names(["hw4", "nndl", "layers"]) == [("hw4.nndl.layers", 0), ("nndl.layers", 1), ("layers", 2)]
    assert dotted_names(["HW 4", "nndl", "layers"]) == [("nndl.layers", 1), ("layers", 2)]
    assert dotted_names(["hw4", "class", "layers"]) == [("layers", 2)]
    assert dotted_names(["layers (1)"]) == []


def test_duplicate_class_resolved_by_starter_path(write, opened):
    root = write({
        "hw3/nndl/fc_net.py": "from .layers import *\nclass TwoLayerNet(object):\n    kind = 'layers'\n"
                              "class FullyConnectedNet(object):\n    pass\n",
        "hw3/nndl/neural_net.py": "import numpy as np\nclass TwoLayerNet(object):\n    kind = 'starter'\n",
        "hw3/nndl/layers.py": "",
    })
    sub = opened(root, [NET, FC])
    assert sub.plan["names"] == {"TwoLayerNet": {"module": "nndl.neural_net"},
                                 "FullyConnectedNet": {"module": "nndl.fc_net"}}
    assert any("TwoLayerNet: taken from hw3/nndl/neural_net.py (also defined in hw3/nndl/fc_net.py)" == n
               for n in sub.notes)


def test_starter_layout_wins_module_name_conflicts(write, opened):
    root = write({
        "old/layers.py": "def affine_forward(x, w, b):\n    return 'old'\n",
        "assignment2/cs231n/layers.py": "def affine_forward(x, w, b):\n    return 'new'\n",
        "assignment2/cs231n/__init__.py": "VERSION = 2\n",
    })
    sub = opened(root, [AFFINE])
    modules = sub.plan["modules"]
    assert sub.plan["names"]["affine_forward"] == {"module": "cs231n.layers"}
    assert modules["cs231n"] == {"file": "assignment2/cs231n/__init__.py", "source": "VERSION = 2\n",
                                 "package": True}
    assert modules["layers"]["file"] == "old/layers.py"            # fewer leading folders left over
    assert modules["old.layers"]["file"] == "old/layers.py"


def test_same_file_name_elsewhere_beats_other_files(write, opened):
    root = write({
        "notes/scratch.py": "def affine_forward(x, w, b):\n    return 'scratch'\n",
        "mycode/layers.py": "def affine_forward(x, w, b):\n    return 'layers'\n",
    })
    sub = opened(root, [AFFINE])
    assert sub.plan["names"]["affine_forward"] == {"module": "layers"}


def test_shadowing_files_are_not_modules(write, opened):
    root = write({
        "numpy.py": "def affine_forward(x, w, b):\n    pass\n",
        "conftest.py": "import pytest\n",
        "sitecustomize.py": "import os\n",
        "test_layers.py": "def test_x():\n    pass\n",
        "reference_solution.py": "x = 1\n",
        "evil.pth": "import os; os.system('echo pwned')\n",
        "hw/random.py": "def affine_forward(x, w, b):\n    return 1\n",
        "code/layers.py": "",
    })
    sub = opened(root, [AFFINE])
    modules = sub.plan["modules"]
    assert "numpy" not in modules and "conftest" not in modules and "sitecustomize" not in modules
    assert "test_layers" not in modules and "reference_solution" not in modules
    assert "random" not in modules and modules["hw.random"]["file"] == "hw/random.py"
    assert "code" not in modules and "code.layers" not in modules and "layers" in modules
    assert sub.plan["names"]["affine_forward"] == {"module": "hw.random"}
    joined = "\n".join(sub.notes)
    assert "numpy.py: not loaded as a module" in joined and ".pth files are never loaded" in joined
    assert "hw/random.py: not importable as random" in joined


def test_name_only_in_blocked_file_has_a_reason(write, opened):
    root = write({"numpy.py": "def affine_forward(x, w, b):\n    pass\n"})
    sub = opened(root, [AFFINE])
    assert "defined only in numpy.py" in sub.plan["names"]["affine_forward"]["missing"]


def test_support_modules_fill_only_what_is_missing(write, opened, tmp_path):
    support_dir = tmp_path / "support"
    (support_dir / "cs231n").mkdir(parents=True)
    (support_dir / "cs231n/layer_utils.py").write_text("from cs231n.layers import *\ndef affine_relu_forward(x, w, b):\n    pass\n")
    (support_dir / "cs231n/fast_layers.py").write_text("FAST = True\n")
    root = write({
        "a2/cs231n/layers.py": "from cs231n.fast_layers import *\ndef affine_forward(x, w, b):\n    pass\n",
        "a2/cs231n/fast_layers.py": "FAST = 'student'\n",
    })
    support = {"cs231n/layer_utils.py": support_dir / "cs231n/layer_utils.py",
               "cs231n/fast_layers.py": support_dir / "cs231n/fast_layers.py"}
    sub = opened(root, [AFFINE], support)
    modules = sub.plan["modules"]
    assert modules["cs231n.fast_layers"]["source"] == "FAST = 'student'\n"
    assert modules["cs231n.layer_utils"]["source"].startswith("from cs231n.layers import *")
    assert modules["layer_utils"]["file"] == "cs231n/layer_utils.py"
    assert any("support file cs231n/layer_utils.py provides" in n for n in sub.notes)


def test_a_course_helper_that_needs_an_uncompiled_extension_is_replaced_by_the_support_copy(write, opened, tmp_path):
    (tmp_path / "support/cs231n").mkdir(parents=True)
    (tmp_path / "support/cs231n/fast_layers.py").write_text("FAST = 'support'\n")
    cython = ("try:\n    from cs231n.im2col_cython import col2im_cython\nexcept ImportError:\n"
              "    print('run python setup.py build_ext --inplace')\nFAST = 'student'\n")
    root = write({"cs231n/layers.py": "from cs231n.fast_layers import *\ndef affine_forward(x, w, b):\n    pass\n",
                  "cs231n/fast_layers.py": cython, "cs231n/im2col_cython.pyx": "# cython source\n"})
    sub = opened(root, [AFFINE], {"cs231n/fast_layers.py": tmp_path / "support/cs231n/fast_layers.py"})
    assert sub.plan["modules"]["cs231n.fast_layers"]["source"] == "FAST = 'support'\n"
    assert any("imports cs231n.im2col_cython, which the submission does not contain" in n for n in sub.notes)


def test_support_adds_its_package_for_a_flat_submission(write, opened, tmp_path):
    helper = tmp_path / "layer_utils.py"
    helper.write_text("X = 1\n")
    root = write({"layers.py": "from cs231n.layer_utils import *\ndef affine_forward(x, w, b):\n    pass\n"})
    sub = opened(root, [AFFINE], {"cs231n/layer_utils.py": helper})
    modules = sub.plan["modules"]
    assert modules["cs231n"]["package"] and modules["cs231n.layer_utils"]["source"] == "X = 1\n"
    assert sub.plan["names"]["affine_forward"] == {"module": "cs231n.layers"}  # the flat file, by its starter name


def test_flat_upload_answers_to_the_starter_module_names(write, opened):
    root = write({"layers.py": "def affine_forward(x, w, b):\n    return 1\n",
                  "fc_net.py": "from nndl.layers import *\nclass FullyConnectedNet(object):\n    pass\n"})
    sub = opened(root, [FC, NameSpec("affine_forward", "function", ("nndl/layers.py",))])
    modules = sub.plan["modules"]
    assert modules["nndl"]["package"] and modules["nndl.layers"]["file"] == "layers.py"
    assert sub.plan["names"] == {"FullyConnectedNet": {"module": "nndl.fc_net"},
                                 "affine_forward": {"module": "nndl.layers"}}
    assert "layers.py: also imported as nndl.layers (the starter keeps it in nndl/)" in sub.notes


def test_flat_alias_never_replaces_a_file_laid_out_as_the_starter(write, opened):
    root = write({"layers.py": "A = 1\n", "nndl/layers.py": "def affine_forward(x, w, b):\n    pass\n"})
    sub = opened(root, [NameSpec("affine_forward", "function", ("nndl/layers.py",))])
    assert sub.plan["modules"]["nndl.layers"]["file"] == "nndl/layers.py"
    assert not any("also imported as" in n for n in sub.notes)


def test_file_without_module_name_becomes_snippet(write, opened):
    root = write({"layers (1).py": "import numpy as np\nSCALE = 2\ndef unused():\n    pass\n"
                                   "def affine_forward(x, w, b):\n    return np.dot(x, w) * SCALE + b\n"
                                   "if __name__ == '__main__':\n    SCALE = 100\n"
                                   "SCALE_TRAINED = train(SCALE)\n"})
    sub = opened(root, [AFFINE])
    assert sub.plan["names"]["affine_forward"] == {"snippet": 0}
    snippet = sub.plan["snippets"][0]
    assert snippet["file"] == "layers (1).py"
    assert snippet["source"] == ("import numpy as np\nSCALE = 2\n"
                                 "def affine_forward(x, w, b):\n    return np.dot(x, w) * SCALE + b\n")


def test_notebook_exported_as_py_gives_a_snippet(write, opened):
    root = write({"hw2.py": "#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\nimport numpy as np\n"
                            "get_ipython().run_line_magic('matplotlib', 'inline')\n\n\n# In[2]:\n\n\n"
                            "def affine_forward(x, w, b):\n    return np.dot(x, w) + b, None\n\n\n# In[3]:\n\n\n"
                            "for epoch in range(10**9):\n    affine_forward(1, 2, 3)\n"})
    sub = opened(root, [AFFINE])
    assert sub.plan["names"]["affine_forward"] == {"snippet": 0}
    assert sub.plan["snippets"][0]["source"] == ("import numpy as np\ndef affine_forward(x, w, b):\n"
                                                 "    return np.dot(x, w) + b, None\n")


def test_folders_named_like_our_packages_do_not_shadow_them(write, opened):
    root = write({"grader/plugin.py": "PASS_ALL = True\n", "reference/__init__.py": "def affine_forward(): pass\n",
                  "numpy/__init__.py": "array = None\n", "hw/cs231n/layers.py": "def affine_forward(x, w, b):\n    pass\n"})
    sub = opened(root, [AFFINE])
    tops = {name.split(".")[0] for name in sub.plan["modules"]}
    assert tops == {"hw", "cs231n", "layers", "plugin"}
    assert sub.plan["names"]["affine_forward"] == {"module": "cs231n.layers"}
