"""Notebooks: code cells only, magics turned into `get_ipython()` calls, each cell repaired.

Outputs, execution counts and metadata are never read. `%%time`/`%%capture`/`%%timeit` cells keep
their body as code (the body defines things students need); other cell magics and every line magic
or shell line become `get_ipython()` calls through IPython's TransformerManager, which the worker
stubs to no-ops. A cell is repaired like a .py file (repair.repair); what does not parse is dropped.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .definitions import Unit, bound_names, mutated_names
from .repair import Repaired, repair

_BODY_MAGICS = re.compile(r"^\s*%%(time|timeit|capture)\b[^\n]*\n?")
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


def read_notebook(data: bytes, file: str) -> Notebook:
    """The notebook's code cells, transformed and repaired; NotebookError if it cannot be read."""
    notebook = Notebook(file)
    for number, source in enumerate(_code_sources(data, file), start=1):
        source = source.replace("\r\n", "\n").replace("\r", "\n")
        if not source.strip():
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


def captures(notebook: Notebook, variables: list) -> dict:
    """var -> index in notebook.cells after which it is copied: the first cell binding it, extended
    over later cells that only mutate it (`v.append(..)`, `v[i] = ..`, `v += ..`) until one rebinds
    it. Variables never bound at module scope are left out."""
    found = {}
    for var in variables:
        first = next((k for k, cell in enumerate(notebook.cells) if var in cell.bound), None)
        if first is None:
            continue
        capture = first
        for k in range(first + 1, len(notebook.cells)):
            if var in notebook.cells[k].bound:
                break
            if var in notebook.cells[k].mutated:
                capture = k
        found[var] = capture
    return found


def plan_entry(notebook: Notebook, capture: dict) -> dict:
    """The LoadPlan notebook entry: cells up to the last capture."""
    last = max(capture.values())
    return {"file": notebook.file, "cells": [c.source for c in notebook.cells[: last + 1]],
            "capture": dict(sorted(capture.items()))}
