"""Notebooks: code cells only, magics turned into `get_ipython()` calls, each cell repaired.

Outputs, execution counts and metadata are never read. `%%time`/`%%capture`/`%%timeit` cells keep
their body as code (the body defines things students need); other cell magics and every line magic
or shell line become `get_ipython()` calls through IPython's TransformerManager, which the worker
stubs to no-ops. A cell is repaired like a .py file (repair.repair); what does not parse is dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .definitions import Unit, mutates, rebinds
from .repair import Repaired, repair

_BODY_MAGICS = re.compile(r"^\s*%%(time|timeit|capture)\b[^\n]*\n?")
_transformer = None


class NotebookError(Exception):
    """The notebook cannot be read; str() says why, for the student."""


@dataclass
class Cell:
    index: int            # position among the notebook's code cells (1-based, as students count)
    source: str           # transformed and repaired
    repaired: Repaired


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
    global _transformer
    if _transformer is None:
        from IPython.core.inputtransformer2 import TransformerManager
        _transformer = TransformerManager()
    source = _BODY_MAGICS.sub("", source, count=1)
    try:
        return _transformer.transform_cell(source)
    except Exception:                      # IPython cannot tokenize it: let repair() judge the raw cell
        return source


def read_notebook(data: bytes, file: str) -> Notebook:
    """Parse a notebook's bytes with nbformat; raise NotebookError for anything unreadable."""
    import nbformat
    try:
        node = nbformat.reads(data.decode("utf-8-sig"), as_version=4)
    except UnicodeDecodeError:
        raise NotebookError(f"{file} is not a text file (not UTF-8)") from None
    except Exception as exc:
        raise NotebookError(f"{file} is not a valid notebook ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0][:200] if str(exc) else ''})") from None
    notebook = Notebook(file)
    code_cells = [c for c in node.get("cells", []) if c.get("cell_type") == "code"]
    for number, cell in enumerate(code_cells, start=1):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
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
            notebook.cells.append(Cell(number, repaired.source, repaired))
    return notebook


def captures(notebook: Notebook, variables: list) -> dict:
    """var -> index in notebook.cells after which it is copied: the first cell binding it, extended
    over later cells that only mutate it (`v.append(..)`, `v[i] = ..`, `v += ..`) until one rebinds
    it. Variables never bound at module scope are left out."""
    found = {}
    for var in variables:
        first = next((k for k, cell in enumerate(notebook.cells) if rebinds(cell.repaired.tree, var)), None)
        if first is None:
            continue
        capture = first
        for k in range(first + 1, len(notebook.cells)):
            tree = notebook.cells[k].repaired.tree
            if rebinds(tree, var):
                break
            if mutates(tree, var):
                capture = k
        found[var] = capture
    return found


def plan_entry(notebook: Notebook, capture: dict) -> dict:
    """The LoadPlan notebook entry: cells up to the last capture."""
    last = max(capture.values())
    return {"file": notebook.file, "cells": [c.source for c in notebook.cells[: last + 1]],
            "capture": dict(sorted(capture.items()))}
