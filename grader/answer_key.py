"""The answer key that ``golden(key, fn)`` and the ``ref`` fixture hand to tests: the assignment's own
``solution/`` first, then the bundled ``reference`` package.

``solution/`` is a folder of Python modules (``__init__.py`` optional). ``ref.NAME`` is NAME from
``solution/__init__.py`` when it defines it, else from the first of ``solution/*.py`` (in name order)
that does, else ``reference.NAME``. The modules are the instructor's code and are imported in the grader
process, as one package whose name is unique to the folder: solution modules may import each other
(``from . import layers``), and two assignments graded in one process never share one. The worker
never sees them (the assignment folder is hidden from it), and a student kit never contains them.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import importlib.util
import sys
from pathlib import Path


class AnswerKey:
    """Attribute access over the solution modules, then ``reference``."""

    def __init__(self, solution_dir: Path | None = None):
        self._dir = Path(solution_dir) if solution_dir is not None and Path(solution_dir).is_dir() else None
        self._modules: list | None = None
        self._reference = None

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        for module in self._solution_modules():
            if hasattr(module, name):
                return getattr(module, name)
        reference = self._reference_package()
        if reference is not None and hasattr(reference, name):
            return getattr(reference, name)
        where = " or ".join(filter(None, [str(self._dir) if self._dir else "", "reference" if reference else ""]))
        looked = where or "nothing: no solution/, no reference"
        raise AttributeError(f"the answer key has no '{name}' (looked in {looked})")

    def _solution_modules(self) -> list:
        if self._modules is None:
            self._modules = _import_solution(self._dir) if self._dir else []
        return self._modules

    def _reference_package(self):
        if self._reference is None:
            try:
                module = importlib.import_module("reference")
            except ImportError:
                if not self._dir:
                    raise
                return None
            if getattr(module, "__file__", None) is None:  # a stray 'reference/' folder in the working directory
                raise ImportError(f"'reference' resolves to a folder without the answer key: {list(module.__path__)}")
            self._reference = module
        return self._reference


def _import_solution(folder: Path) -> list:
    """The package of ``folder`` (when it has ``__init__.py``) and each of its modules, imported once."""
    package = "grader_solution_" + hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    if package not in sys.modules:
        init = folder / "__init__.py"
        spec: importlib.machinery.ModuleSpec | None
        if init.is_file():
            spec = importlib.util.spec_from_file_location(package, init, submodule_search_locations=[str(folder)])
        else:
            spec = importlib.machinery.ModuleSpec(package, None, is_package=True)
            spec.submodule_search_locations = [str(folder)]
        if spec is None:  # spec_from_file_location of a .py path always gives one
            raise ImportError(f"cannot import the answer key's package {init}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[package] = module
        try:
            if spec.loader is not None:
                spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[package]
            raise
    modules = [sys.modules[package]] if (folder / "__init__.py").is_file() else []
    for path in sorted(folder.glob("*.py")):
        if path.name != "__init__.py":
            modules.append(importlib.import_module(f"{package}.{path.stem}"))
    return modules
