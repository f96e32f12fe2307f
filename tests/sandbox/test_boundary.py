"""The trust boundary is a folder boundary: grader/sandbox/worker/ (everything that runs in the zygote and
the workers, and the wire module both sides share) imports only the standard library, numpy and
itself; a real worker holds no module of the grader but those files."""
import ast
import os
import sys
from pathlib import Path

import pytest

import grader
from grader.sandbox import fetch
from grader.sandbox.worker import zygote

GRADER = Path(grader.__file__).resolve().parent
WORKER = GRADER / "sandbox" / "worker"
ALLOWED = set(sys.stdlib_module_names) | {"numpy"}


def imports_of(path):
    """(line, level, dotted name) of every import statement of the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, 0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, node.level, node.module or ""))
    return found


def test_the_worker_folder_imports_only_the_stdlib_numpy_and_itself():
    files = sorted(WORKER.glob("*.py"))
    assert {"wire.py", "server.py", "zygote.py", "boot.py", "loader.py"} <= {f.name for f in files}
    siblings = {f.stem for f in files}
    wrong = []
    for path in files:
        for line, level, name in imports_of(path):
            top = name.split(".")[0]
            if level == 0 and top not in ALLOWED:
                wrong.append(f"{path.name}:{line}: import {name}")
            elif level == 1 and top and top not in siblings:
                wrong.append(f"{path.name}:{line}: from .{name} (not a file of worker/)")
            elif level > 1:
                wrong.append(f"{path.name}:{line}: from {'.' * level}{name} (outside worker/)")
    assert not wrong, wrong
    assert not [p.name for p in WORKER.iterdir() if p.is_dir() and p.name != "__pycache__"]   # all walked


def test_what_the_zygote_imports_by_name_is_the_stdlib_numpy_or_a_declared_library():
    """Imports by name (importlib): the preloaded modules, and the installed libraries a submission that
    uses them gets (scipy: a trusted library, imported for student code, never the grader's)."""
    assert all(name.split(".")[0] in ALLOWED for name in zygote.PRELOAD)
    assert {name.split(".")[0] for name in zygote.LIBRARIES} == {"scipy"}


SOURCE = '''
import sys

def loaded():
    return sorted((name, str(getattr(module, "__file__", None) or ""))
                  for name, module in list(sys.modules.items()))
'''


@pytest.mark.parametrize("isolation", [None, False])
def test_a_real_worker_holds_no_module_of_the_grader_but_the_worker_folder(make, isolation):
    modules = fetch(make(SOURCE, isolation=isolation).root.loaded())
    files = {name: os.path.realpath(file) for name, file in modules if file}
    ours = {name: file for name, file in files.items() if Path(file).is_relative_to(GRADER)}
    assert ours and all(Path(file).is_relative_to(WORKER) for file in ours.values()), ours
    assert {"_sandbox_worker.server", "_sandbox_worker.wire", "_sandbox_worker.zygote"} <= set(ours)   # its own package
    assert not [name for name, _ in modules if name.split(".")[0] in ("grader", "reference", "pytest")]
