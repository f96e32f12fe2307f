"""open_submission: a folder, .zip, .py or .ipynb -> root folder, LoadPlan and notes (parse only)."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .files import BadZip, collect, extract_zip, is_ignored
from .locate import Locator
from .modules import build_table
from .notebooks import NotebookError, read_notebook, starter_fingerprints
from .py2 import division_as_integer, future_division, python2_names
from .repair import decode, repair
from .spec import SubmissionError

MAX_DROP_NOTES = 5
PY2_DIVISION_NOTE = "written for Python 2 ({why}): `/` between integers divides as in Python 2 (floor)"


class Submission:
    """A submission opened for grading: `root` (its files), `plan` (LoadPlan dict), `notes`."""

    def __init__(self, root: Path, plan: dict, notes: list, temp_dir: str | None = None):
        self.root = Path(root)
        self.plan = plan
        self.notes = notes
        self._temp_dir = temp_dir

    def close(self) -> None:
        """Remove the temporary folder (zip, single file) if there is one."""
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"Submission(root={str(self.root)!r}, names={sorted(self.plan['names'])})"


def _all_missing(specs, reason: str) -> dict:
    return {"modules": {}, "names": {s.name: {"missing": reason} for s in specs},
            "snippets": [], "notebooks": []}


def _read_support(support: dict | None) -> dict:
    sources = {}
    for rel, file in (support or {}).items():
        try:
            text, _ = decode(Path(file).read_bytes())
        except OSError as exc:
            raise SubmissionError(f"support file {file} cannot be read: {exc.strerror}") from None
        sources[Path(rel).as_posix()] = repair(text).source
    return sources


def _written_files(notebooks: list, pyfiles: dict, notes: list) -> dict:
    """rel -> source of the .py files the notebooks write with `%%writefile` (relative to the
    notebook's folder); a real file of the submission with the same path wins."""
    written = {}
    for notebook in notebooks:
        folder = Path(notebook.file).parent.as_posix()
        for path, text in notebook.written.items():
            rel = path if folder == "." else f"{folder}/{path}"
            if rel in pyfiles:
                notes.append(f"{notebook.file}: a %%writefile cell writes {rel}, but that file was "
                             "submitted too; the submitted file is used")
            elif rel in written or is_ignored(rel):
                notes.append(f"{notebook.file}: the %%writefile cell writing {rel} is not used")
            else:
                written[rel] = text
                notes.append(f"{notebook.file}: the %%writefile cell writing {rel} is used as that file")
    return written


def _python2_evidence(pyfiles: dict, notebooks: list, graded: set) -> str | None:
    """Why the submission was written for Python 2 (the first file of `graded` showing it: Python 2
    syntax that was rewritten, or builtins and methods only Python 2 has), else None. Only the files
    holding graded names count: an old helper file a Python 3 student never ran is no evidence."""
    units = [(rel, [pyfiles[rel]]) for rel in sorted(pyfiles) if rel in graded]
    units += [(nb.file, [cell.repaired for cell in nb.cells]) for nb in notebooks if nb.file in graded]
    for file, repaired in units:
        if any(r.python2 for r in repaired):
            return f"{file} has Python 2 syntax"
        names = sorted({name for r in repaired for name in python2_names(r.tree)})
        if names:
            return f"{file} uses {', '.join(names)}"
        where = next((w for r in repaired if not future_division(r.tree) and (w := division_as_integer(r.tree))), None)
        if where:
            return f"{file} uses `/` where an integer is needed ({where})"
    return None


def mark_python2_division(plan: dict, pyfiles: dict, notebooks: list) -> str | None:
    """In a submission written for Python 2, set "py2_division": true on each module (of a submitted
    file), snippet and notebook of `plan` whose file lacks `from __future__ import division` (the worker
    then divides integers as Python 2 did). Returns the student-facing note, or None when nothing was
    marked."""
    graded = {plan["modules"][spec["module"]]["file"] for spec in plan["names"].values()
              if "module" in spec and spec["module"] in plan["modules"]}
    graded |= {entry["file"] for entry in plan["snippets"] + plan["notebooks"]}
    why = _python2_evidence(pyfiles, notebooks, graded)
    if why is None:
        return None
    true_division = {rel: future_division(r.tree) for rel, r in pyfiles.items()}
    true_division.update({nb.file: any(future_division(c.repaired.tree) for c in nb.cells) for nb in notebooks})
    entries = [m for m in plan["modules"].values()
               if m["file"] in pyfiles and m["source"] == pyfiles[m["file"]].source]
    marked = 0
    for entry in entries + plan["snippets"] + plan["notebooks"]:
        if true_division.get(entry["file"]) is False:
            entry["py2_division"] = True
            marked += 1
    return PY2_DIVISION_NOTE.format(why=why) if marked else None


def build_plan(root: Path, specs: list, support: dict | None = None, starter=None) -> tuple:
    """(plan, notes, problems) for the files under `root`; problems are files that could not be read.
    `starter`: the assignment's starter folder (an unchanged copy of its notebooks loses)."""
    found = collect(root)
    notes = list(found.notes)
    pyfiles, problems, notebooks = {}, [], []
    for rel in found.py:
        try:
            text, note = decode((root / rel).read_bytes())
        except OSError as exc:
            problems.append(f"{rel} ({exc.strerror})")
            continue
        repaired = repair(text)
        pyfiles[rel] = repaired
        if note:
            notes.append(f"{rel}: {note}")
        notes.extend(f"{rel}: {change}" for change in repaired.changes)
        for block in repaired.dropped[:MAX_DROP_NOTES]:
            names = f" (defines {', '.join(block.names)})" if block.names else ""
            what = "replaced by a stub that raises the error" if block.stubbed else "dropped"
            notes.append(f"{rel}: lines {block.start}-{block.end} {what}{names}: "
                         f"SyntaxError at line {block.line}: {block.message}")
        if len(repaired.dropped) > MAX_DROP_NOTES:
            notes.append(f"{rel}: {len(repaired.dropped) - MAX_DROP_NOTES} more blocks dropped")
    for rel in found.notebooks:
        try:
            notebook = read_notebook((root / rel).read_bytes(), rel)
        except (OSError, NotebookError) as exc:
            problems.append(str(exc) if isinstance(exc, NotebookError) else f"{rel} ({exc.strerror})")
            continue
        notebooks.append(notebook)
        notes.extend(notebook.notes)
    prints = starter_fingerprints(starter) if notebooks else set()
    for notebook in notebooks:
        notebook.is_starter = notebook.fingerprint in prints
    for rel, text in _written_files(notebooks, pyfiles, notes).items():
        pyfiles[rel] = repair(text)
    notes.extend(f"could not read {p}" for p in problems)
    starters = {f for s in specs for f in s.files} | set(support or {})
    table = build_table({rel: r.source for rel, r in pyfiles.items()}, starters, _read_support(support))
    notes.extend(table.notes)
    located = Locator(pyfiles, table, notebooks, problems, starter).locate(list(specs))
    notes.extend(located.notes)
    plan = {"modules": table.plan(), "names": located.names,
            "snippets": located.snippets, "notebooks": located.notebooks}
    division_note = mark_python2_division(plan, pyfiles, notebooks)
    if division_note:
        notes.append(division_note)
    return plan, notes, problems


def _open_inner_zip(root: Path) -> list:
    """A zip holding only another zip (a zipped zip): extract the inner one beside it, as safely."""
    inner = _only_zip(root)
    if inner is None:
        return []
    target = inner.with_name(inner.stem + "-unzipped")
    try:
        target.mkdir()
        return [f"{inner.relative_to(root).as_posix()}: the zip inside the zip was extracted"] + \
            extract_zip(inner, target)
    except (BadZip, OSError) as exc:
        shutil.rmtree(target, ignore_errors=True)
        return [f"{inner.relative_to(root).as_posix()}: {exc}"]


def _only_zip(root: Path) -> Path | None:
    """The one .zip of a folder that has no .py or .ipynb file (else None)."""
    found = collect(root)
    if found.py or found.notebooks:
        return None
    zips = sorted(p for p in root.rglob("*.zip") if p.is_file() and not p.is_symlink())
    return zips[0] if len(zips) == 1 else None


def open_submission(path, specs, support=None, starter=None) -> Submission:
    """Open a folder, .zip, .py or .ipynb. Raises SubmissionError only when `path` cannot be read;
    any other problem (bad zip, invalid notebook, unsupported file) makes every name missing.
    `starter`: the assignment's starter folder; a notebook with its starter's code cells unchanged
    gives variables only when no other notebook does."""
    path = Path(path).absolute()
    if not path.exists():
        raise SubmissionError(f"{path}: no such file or folder")
    if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
        raise SubmissionError(f"{path}: permission denied")
    specs = list(specs)
    if path.is_dir():
        inner = _only_zip(path)
        if inner is not None:                 # a folder holding just the student's zip (Gradescope)
            sub = open_submission(inner, specs, support, starter)
            sub.notes.insert(0, f"{inner.relative_to(path).as_posix()}: the zip in the folder was opened")
            return sub
        plan, notes, _ = build_plan(path, specs, support, starter)
        return Submission(path, plan, notes)
    temp_dir = tempfile.mkdtemp(prefix="grader-submission-")
    root = Path(temp_dir)
    suffix = path.suffix.lower()
    try:
        if suffix == ".zip":
            try:
                notes = extract_zip(path, root)
            except BadZip as exc:
                shutil.rmtree(temp_dir)
                os.mkdir(temp_dir)
                return Submission(root, _all_missing(specs, f"{path.name}: {exc}"), [f"{path.name}: {exc}"],
                                  temp_dir)
            notes += _open_inner_zip(root)
            plan, more, _ = build_plan(root, specs, support, starter)
            return Submission(root, plan, notes + more, temp_dir)
        if suffix in (".py", ".ipynb"):
            shutil.copyfile(path, root / path.name)
            plan, notes, problems = build_plan(root, specs, support, starter)
            if suffix == ".ipynb" and problems:
                plan = _all_missing(specs, problems[0])
            return Submission(root, plan, notes, temp_dir)
        reason = (f"{path.name} is not a folder, .zip, .py or .ipynb file; submit your code in one "
                  "of those forms")
        return Submission(root, _all_missing(specs, reason), [reason], temp_dir)
    except OSError as exc:
        shutil.rmtree(temp_dir, ignore_errors=True)
        raise SubmissionError(f"{path}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(temp_dir, ignore_errors=True)
        raise

