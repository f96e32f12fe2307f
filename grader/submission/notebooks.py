"""Notebooks: code cells only, magics turned into `get_ipython()` calls, each cell repaired.

Outputs, execution counts and metadata are never read. `%%time`/`%%capture`/`%%timeit` cells keep
their body as code (the body defines things students need); other cell magics and every line magic
or shell line become `get_ipython()` calls through IPython's TransformerManager, which the worker
stubs to no-ops. A cell is repaired like a .py file (repair.repair); what does not parse is dropped.
A `%%writefile path.py` cell is not code of the notebook: its body is a file the notebook writes
(`Notebook.written`, path relative to the notebook's folder, `-a` appends).
"""
from __future__ import annotations

import ast
import functools
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from .definitions import Unit, bound_names, mutated_names
from .repair import Repaired, repair

_BODY_MAGICS = re.compile(r"^\s*%%(time|timeit|capture)\b[^\n]*\n?")
_WRITEFILE = re.compile(r"^[ \t]*%%writefile[ \t]+([^\n]*)\n?")
_IPYTHON_SYNTAX = re.compile(r"^\s*[%!?]|=\s*[%!]|\?\s*$", re.M)   # magics, shell, `x = !ls`, `obj?`
_transformer = None


class NotebookError(Exception):
    """The notebook cannot be read; str() says why, for the student."""


@dataclass
class Cell:
    index: int            # position among the notebook's code cells (1-based, as students count)
    source: str           # transformed and repaired
    repaired: Repaired
    bound: set = field(default_factory=set)       # names bound at module scope
    mutated: set = field(default_factory=set)     # names changed in place at module scope


@dataclass
class Notebook:
    file: str
    cells: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    dropped: list = field(default_factory=list)      # (code cell number, repair.Dropped)
    written: dict = field(default_factory=dict)      # %%writefile: path from the notebook's folder -> text
    fingerprint: tuple = ()                          # code cells without whitespace (starter copies)
    is_starter: bool = False                         # same code cells as a starter notebook (set by the caller)

    def unit(self) -> Unit:
        unit = Unit(self.file)
        for number, cell in enumerate(self.cells):
            unit.add_tree(cell.repaired.tree, cell.source, cell=number)
        return unit


def _transform(source: str) -> str:
    """IPython syntax -> Python (IPython is imported only for cells that may hold magics)."""
    global _transformer
    source = _BODY_MAGICS.sub("", source, count=1)
    if not _IPYTHON_SYNTAX.search(source):
        return source
    if _transformer is None:
        from IPython.core.inputtransformer2 import TransformerManager
        _transformer = TransformerManager()
    try:
        return _transformer.transform_cell(source)
    except Exception:                      # IPython cannot tokenize it: let repair() judge the raw cell
        return source


def _code_sources(data: bytes, file: str) -> list:
    """Source strings of the code cells: nbformat (v3 converted to v4); a notebook that nbformat
    rejects for its schema (a missing metadata key...) is read as plain JSON."""
    import nbformat
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotebookError(f"{file}: not a text file (not UTF-8)") from None
    try:
        cells = nbformat.reads(text, as_version=4, capture_validation_error={}).get("cells", [])
    except Exception as exc:
        cells = _json_cells(text)
        if cells is None:
            first = str(exc).splitlines()[0][:200] if str(exc) else ""
            raise NotebookError(f"{file}: not a valid notebook ({type(exc).__name__}: {first})") from None
    sources = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", cell.get("input", ""))
            sources.append("".join(map(str, source)) if isinstance(source, list) else str(source or ""))
    return sources


def _json_cells(text: str) -> list | None:
    try:
        node = json.loads(text)
    except ValueError:
        return None
    if not isinstance(node, dict):
        return None
    if isinstance(node.get("cells"), list):
        return node["cells"]
    worksheets = node.get("worksheets")
    if isinstance(worksheets, list):
        return [c for w in worksheets if isinstance(w, dict) for c in w.get("cells", []) or []]
    return None


def _written_path(arguments: str) -> tuple:
    """(`-a` given, the path) of a `%%writefile` line; the path is None when it is not a relative
    .py path inside the notebook's folder (absolute, `~`, `..`, a drive letter, another suffix)."""
    try:
        words = shlex.split(arguments)
    except ValueError:
        words = arguments.split()
    append = any(w in ("-a", "--append") for w in words)
    paths = [w for w in words if not w.startswith("-")]
    if len(paths) != 1:
        return append, None
    path = paths[0].replace("\\", "/")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if path.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", path) or ".." in parts or not parts \
            or not parts[-1].endswith(".py"):
        return append, None
    return append, "/".join(parts)


def _write_file(notebook: Notebook, number: int, source: str) -> bool:
    """Record a `%%writefile` cell's body in notebook.written; False if the cell is not one."""
    match = _WRITEFILE.match(source)
    if not match:
        return False
    append, path = _written_path(match.group(1))
    if path is None:
        notebook.notes.append(f"{notebook.file}: code cell {number} writes `{match.group(1).strip()}`, "
                              "not a .py file inside the notebook's folder; not used")
        return True
    body = source[match.end():]
    notebook.written[path] = notebook.written.get(path, "") + body if append else body
    return True


def read_notebook(data: bytes, file: str) -> Notebook:
    """The notebook's code cells, transformed and repaired; NotebookError if it cannot be read."""
    notebook = Notebook(file)
    sources = _code_sources(data, file)
    notebook.fingerprint = tuple(p for p in ("".join(s.split()) for s in sources) if p)
    for number, source in enumerate(sources, start=1):
        source = source.replace("\r\n", "\n").replace("\r", "\n")
        if not source.strip() or _write_file(notebook, number, source):
            continue
        repaired = repair(_transform(source))
        for block in repaired.dropped:
            notebook.dropped.append((number, block))
            names = f" (defines {', '.join(block.names)})" if block.names else ""
            notebook.notes.append(f"{file}: code cell {number}, lines {block.start}-{block.end} dropped{names}: "
                                  f"SyntaxError at line {block.line}: {block.message}")
        if repaired.source.strip():
            notebook.cells.append(Cell(number, repaired.source, repaired,
                                       bound_names(repaired.tree), mutated_names(repaired.tree)))
    return notebook


def _top_assignments(tree: ast.Module, var: str) -> list:
    """The cell's top-level assignments `var = value`, in order."""
    found = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else []
        if any(isinstance(t, ast.Name) and t.id == var for t in targets):
            found.append(node)
    return found


def _assigns_before_use(tree: ast.Module, var: str) -> bool:
    """The cell assigns `var` at its top level before any statement reads it."""
    for node in tree.body:
        if node in _top_assignments(tree, var):
            return True
        if _reads(node, var):
            return False
    return False


def _self_updated(tree: ast.Module, var: str) -> bool:
    """The cell assigns `var` from itself somewhere (`v = v + [e]` in a loop)."""
    return any(isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == var for t in node.targets)
               and _reads(node.value, var) for node in ast.walk(tree))


def _reads(tree: ast.AST, var: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == var and isinstance(n.ctx, ast.Load) for n in ast.walk(tree))


def _is_placeholder(value: ast.expr) -> bool:
    """A value the starter leaves to be replaced: a constant (`None`, `0`), `np.nan`, an empty
    container (`[]`, `{}`, `list()`)."""
    if isinstance(value, ast.Constant) or (isinstance(value, ast.Attribute) and value.attr in ("nan", "NaN")):
        return True
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return not value.elts
    if isinstance(value, ast.Dict):
        return not value.keys
    return isinstance(value, ast.Call) and not value.args and not value.keywords and \
        isinstance(value.func, ast.Name) and value.func.id in ("list", "dict", "tuple", "set")


def _leaves_placeholder(cell: Cell, var: str) -> bool:
    """The cell leaves `var` as a placeholder: its last binding is a top-level `var = <placeholder>`
    and nothing in the cell binds or changes it otherwise."""
    values = [node.value for node in _top_assignments(cell.repaired.tree, var)]
    stores = sum(isinstance(n, ast.Name) and n.id == var and not isinstance(n.ctx, ast.Load)
                 for n in ast.walk(cell.repaired.tree))
    return bool(values) and _is_placeholder(values[-1]) and stores == len(values) and var not in cell.mutated


def starter_fingerprints(folder) -> frozenset:
    """Fingerprints of the starter notebooks under `folder` (a Path; None or absent: none), read once
    per folder: a batch asks for every submission."""
    return frozenset() if folder is None else _starter_fingerprints(str(folder))


@functools.lru_cache(maxsize=16)
def _starter_fingerprints(folder: str) -> frozenset:
    if not Path(folder).is_dir():
        return frozenset()
    prints = set()
    for path in sorted(Path(folder).rglob("*.ipynb")):
        try:
            prints.add(read_notebook(path.read_bytes(), path.name).fingerprint)
        except (OSError, NotebookError):
            continue
    return frozenset(prints)


def captures(notebook: Notebook, variables: list) -> dict:
    """var -> index in notebook.cells after which it is copied: the first cell binding it, extended
    over later cells that change it (`v.append(..)`, `v[i] = ..`, `v += ..`, `v = v + [e]`) or, while
    it is still a placeholder (`v = []` or `v = np.nan` left in the starter's cell), assign it at
    their top level (the work done in a new cell below), up to the first later cell that uses it
    otherwise: reads it, assigns it anew, or rebinds it another way (a loop variable, a temporary in
    a loop). Variables never bound at module scope are left out."""
    found = {}
    for var in variables:
        first = next((k for k, cell in enumerate(notebook.cells) if var in cell.bound), None)
        if first is None:
            continue
        capture, placeholder = first, _leaves_placeholder(notebook.cells[first], var)
        for k in range(first + 1, len(notebook.cells)):
            cell = notebook.cells[k]
            tree = cell.repaired.tree
            if var in cell.mutated or _self_updated(tree, var) or \
                    (placeholder and _assigns_before_use(tree, var)):
                capture, placeholder = k, _leaves_placeholder(cell, var)
            elif var in cell.bound or _reads(tree, var):
                break
        found[var] = capture
    return found


def plan_entry(notebook: Notebook, capture: dict) -> dict:
    """The LoadPlan notebook entry: cells up to the last capture."""
    last = max(capture.values())
    return {"file": notebook.file, "cells": [c.source for c in notebook.cells[: last + 1]],
            "capture": dict(sorted(capture.items()))}
