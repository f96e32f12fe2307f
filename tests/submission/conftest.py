"""Fixtures for grader.submission tests: real files written under tmp_path."""
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.submission import open_submission


def _write(root: Path, files: dict) -> Path:
    """Write rel path -> str (text) or bytes under root."""
    for rel, content in files.items():
        path = Path(root) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return Path(root)


def _notebook(path: Path, cells: list) -> Path:
    """A real .ipynb: strings are code cells, ("md", text) markdown cells."""
    nb = nbformat.v4.new_notebook()
    for cell in cells:
        if isinstance(cell, tuple):
            nb.cells.append(nbformat.v4.new_markdown_cell(cell[1]))
        else:
            code = nbformat.v4.new_code_cell(cell)
            code.outputs = [nbformat.v4.new_output("stream", text="tests passed: 10/10\n")]
            code.execution_count = 7
            nb.cells.append(code)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def _zip(path: Path, files: dict) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, content in files.items():
            zf.writestr(rel, content)
    return path


def check_compiles(plan: dict) -> None:
    """Every source the worker would run compiles."""
    for name, module in plan["modules"].items():
        compile(module["source"], module["file"], "exec")
    for snip in plan["snippets"]:
        compile(snip["source"], snip["file"], "exec")
    for nb in plan["notebooks"]:
        for cell in nb["cells"]:
            compile(cell, nb["file"], "exec")


@pytest.fixture
def write(tmp_path):
    return lambda files, root=None: _write(root or tmp_path / "sub", files)


@pytest.fixture
def notebook():
    return _notebook


@pytest.fixture
def make_zip():
    return _zip


@pytest.fixture
def opened():
    """open_submission that closes what it opened at the end of the test and checks the plan compiles."""
    subs = []

    def _open(path, specs, support=None):
        sub = open_submission(path, specs, support)
        subs.append(sub)
        check_compiles(sub.plan)
        return sub

    yield _open
    for sub in subs:
        sub.close()
