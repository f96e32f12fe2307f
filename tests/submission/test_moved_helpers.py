"""Support modules under the folders other years kept them in: `utils.fast_layers`, `cs231n.fast_layers`
or a relative `.fast_layers` served by the support's `nndl/fast_layers.py`; only missing modules are
served, and a student's working file is never replaced."""
from grader.submission import NameSpec

CONV = NameSpec("conv_forward_naive", "function", ("nndl/conv_layers.py",))
FAST = "def conv_forward_fast(x, w, b, conv_param):\n    return 'support'\n"


def _support(tmp_path):
    folder = tmp_path / "support/nndl"
    folder.mkdir(parents=True)
    (folder / "fast_layers.py").write_text(FAST)
    (folder / "layers.py").write_text("def relu_forward(x):\n    return 'support'\n")
    return {"nndl/fast_layers.py": folder / "fast_layers.py", "nndl/layers.py": folder / "layers.py"}


def test_a_helper_imported_from_another_years_folder_is_served_with_its_packages(write, opened, tmp_path):
    root = write({"hw5/nndl/conv_layers.py": "from utils.fast_layers import *\nfrom cs231n import fast_layers\n"
                                             "from .fast_layers import conv_forward_fast\n"
                                             "def conv_forward_naive(x, w, b, conv_param):\n    pass\n"})
    sub = opened(root, [CONV], _support(tmp_path))
    modules = sub.plan["modules"]
    for name in ("utils.fast_layers", "cs231n.fast_layers", "nndl.fast_layers"):
        assert modules[name]["source"] == FAST, name
    assert modules["utils"]["package"] and modules["cs231n"]["package"]
    assert any("provides utils.fast_layers (imported by the submission)" in n for n in sub.notes)
    assert "utils.data_utils" not in modules


def test_only_names_of_support_modules_are_served_and_never_inside_a_module(write, opened, tmp_path):
    root = write({"nndl/conv_layers.py": "from utils.data_utils import load_CIFAR10\n"
                                         "from nndl.layers import fast_layers\n"
                                         "def conv_forward_naive(x, w, b, conv_param):\n    pass\n",
                  "nndl/layers.py": "fast_layers = 1\n"})
    sub = opened(root, [CONV], _support(tmp_path))
    modules = sub.plan["modules"]
    assert "utils" not in modules and "utils.data_utils" not in modules
    assert "nndl.layers.fast_layers" not in modules
    assert modules["nndl.layers"]["source"] == "fast_layers = 1\n"


def test_a_students_helper_with_an_unrelated_missing_import_is_kept(write, opened, tmp_path):
    """`utils` is served for fast_layers, but the student's layers.py importing utils.data_utils is theirs."""
    own = "from utils.data_utils import load_CIFAR10\ndef relu_forward(x):\n    return 'student'\n"
    root = write({"nndl/conv_layers.py": "from utils.fast_layers import *\n"
                                         "def conv_forward_naive(x, w, b, conv_param):\n    pass\n",
                  "nndl/layers.py": own})
    sub = opened(root, [CONV], _support(tmp_path))
    assert sub.plan["modules"]["nndl.layers"]["source"] == own
    assert sub.plan["modules"]["utils.fast_layers"]["source"] == FAST


def test_a_cython_helper_in_another_folder_is_replaced_once_with_one_note(write, opened, tmp_path):
    cython = "try:\n    from .im2col_cython import im2col_cython\nexcept ImportError:\n    pass\nX = 1\n"
    root = write({"nndl/conv_layers.py": "from utils.fast_layers import *\n"
                                         "def conv_forward_naive(x, w, b, conv_param):\n    pass\n",
                  "utils/fast_layers.py": cython})
    sub = opened(root, [CONV], _support(tmp_path))
    assert sub.plan["modules"]["utils.fast_layers"]["source"] == FAST
    assert len([n for n in sub.notes if n.startswith("utils/fast_layers.py: imports")]) == 1
