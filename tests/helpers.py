"""Helpers shared by the project's tests (``pythonpath = ["tests"]`` makes this importable)."""

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"
_SHARED_SCHEMA = ROOT.parent / "shared" / "gradescope" / "results.schema.json"
SCHEMA = json.loads((_SHARED_SCHEMA if _SHARED_SCHEMA.is_file() else ROOT / "grader/report/results.schema.json").read_text())


def seed_sweep(count: int, quick: int) -> list:
    """Seeds 0..count-1 as two pytest params of ranges: the first ``quick`` run by default, the rest are
    a study (run with ``--studies``, as CI does). Together they are the whole sweep, each seed once."""
    return [pytest.param(range(quick), id=f"seeds 0-{quick - 1}"),
            pytest.param(range(quick, count), id=f"seeds {quick}-{count - 1}", marks=pytest.mark.study)]


def write_submission(folder: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> text) under ``folder``; returns the folder."""
    for rel, text in files.items():
        path = Path(folder) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Path(folder)


def edited_example(tmp_path, assignment, label, file, edits):
    """The assignment's correct example copied to ``tmp_path/label`` with ``edits`` (old, new) applied to ``file``."""
    folder = tmp_path / label
    shutil.copytree(assignment.examples()["correct"], folder)
    path = folder / file
    text = path.read_text()
    for old, new in edits:
        assert old in text, (file, old)
        text = text.replace(old, new)
    path.write_text(text)
    return folder


def variant_of(root, assignment, name, edits):
    """The assignment's correct example copied to ``root/name`` with each ``(rel, old, new)`` of ``edits``
    applied once (in a notebook, to the one code cell that holds ``old``)."""
    folder = root / name
    shutil.copytree(assignment.examples()["correct"], folder)
    for rel, old, new in edits:
        path = folder / rel
        if path.suffix == ".ipynb":
            notebook = json.loads(path.read_text())
            cells = [c for c in notebook["cells"] if old in "".join(c["source"])]
            assert len(cells) == 1, (name, old)
            cells[0]["source"] = "".join(cells[0]["source"]).replace(old, new, 1).splitlines(True)
            path.write_text(json.dumps(notebook))
            continue
        text = path.read_text()
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1))
    return folder
