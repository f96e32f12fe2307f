"""Module names: every .py of a submission under every dotted name it can be imported by.

`hw4/nndl/layers.py` is `hw4.nndl.layers`, `nndl.layers` and `layers` (only runs of segments that
are identifiers); each folder on the way is a package (`hw4.nndl`, `nndl`, `hw4`). When several files
claim a name, the winner is, in order: the one laid out as the starter (`nndl/layers.py` for
`nndl.layers`), the one with fewest leading folders left over, a package over a plain module, the
shorter path, the path that sorts first. Names that would shadow the standard library, numpy, our own
packages or the worker's stubs are never given, and some file names are never loaded at all.
"""
from __future__ import annotations

import ast
import fnmatch
import keyword
import sys
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .repair import parse

BLOCKED_FILES = ("numpy.py", "sitecustomize.py", "usercustomize.py", "conftest.py", "test_*.py",
                 "*_test.py", "reference*", "grader*")
SHADOWED_TOP = set(sys.stdlib_module_names) | {
    "numpy", "scipy", "pytest", "_pytest", "pluggy", "matplotlib", "seaborn", "past", "future",
    "IPython", "ipykernel", "nbformat", "nbclient", "nbconvert", "jsonschema", "tqdm", "tomli",
    "conftest", "sitecustomize", "usercustomize", "__main__", "__init__"}


def is_blocked_file(rel: str) -> bool:
    """File names that are never loaded as modules (they would hijack imports or test discovery)."""
    name = PurePosixPath(rel).name
    return any(fnmatch.fnmatch(name, pattern) for pattern in BLOCKED_FILES)


def _shadows(top: str) -> bool:
    return top in SHADOWED_TOP or top.startswith(("reference", "grader"))


def _valid(segment: str) -> bool:
    return segment.isidentifier() and not keyword.iskeyword(segment)


def dotted_names(parts: list) -> list:
    """[(dotted name, leftover leading segments)] for every identifier-only suffix of `parts`."""
    found = []
    for k in range(len(parts)):
        suffix = parts[k:]
        if all(_valid(p) for p in suffix):
            found.append((".".join(suffix), k))
    return found


@dataclass
class Entry:
    name: str
    file: str              # relative path (a package without __init__.py: folder + "/__init__.py")
    source: str
    package: bool
    rank: tuple = ()


@dataclass
class ModuleTable:
    """The winning Entry of each module name, and notes on files left out or names skipped."""

    entries: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    def names_of(self, rel: str) -> list:
        return [name for name, entry in self.entries.items() if entry.file == rel and not entry.package]

    def plan(self) -> dict:
        return {name: {"file": e.file, "source": e.source, "package": e.package}
                for name, e in sorted(self.entries.items())}


def _starter_layout(name: str, rel: str, package: bool, starters: set) -> bool:
    """The file sits where the starter puts module `name` (for a package: a starter file is inside)."""
    path = name.replace(".", "/")
    if package:
        folder = rel[: -len("__init__.py")]            # "hw4/nndl/"
        return ("/" + folder).endswith("/" + path + "/") and any(s.startswith(path + "/") for s in starters)
    return path + ".py" in starters and (rel == path + ".py" or rel.endswith("/" + path + ".py"))


def _candidates(rel: str, source: str, starters: set, package_folder: str | None = None):
    """(name, Entry) for each name the file (or folder, when package_folder is given) can be imported by."""
    if package_folder is not None:
        parts = [p for p in package_folder.split("/") if p]
        rel = package_folder.rstrip("/") + "/__init__.py"
        package = True
    else:
        parts = list(PurePosixPath(rel).with_suffix("").parts)
        package = False
    for name, leftover in dotted_names(parts):
        if _shadows(name.split(".")[0]):
            continue
        rank = (not _starter_layout(name, rel, package, starters), leftover, not package, len(rel), rel)
        yield name, Entry(name, rel, source, package, rank)


def build_table(sources: dict, starters: set, support: dict | None = None) -> ModuleTable:
    """Module table from `sources` (rel path -> repaired source) and `support` (same, used for lacking names)."""
    table = ModuleTable()
    inits = {rel[: -len("__init__.py")]: src for rel, src in sources.items()
             if PurePosixPath(rel).name == "__init__.py"}
    folders = set()
    for rel in sources:
        parent = PurePosixPath(rel).parent
        while str(parent) != ".":
            folders.add(parent.as_posix() + "/")
            parent = parent.parent
    offers = []
    for rel, src in sorted(sources.items()):
        if is_blocked_file(rel):
            table.notes.append(f"{rel}: not loaded as a module (its name could hijack imports or tests)")
            continue
        if PurePosixPath(rel).name == "__init__.py":
            continue
        offers.extend(_candidates(rel, src, starters))
    for folder in sorted(folders):
        offers.extend(_candidates("", inits.get(folder, ""), starters, package_folder=folder))
    for name, entry in offers:
        best = table.entries.get(name)
        if best is None or entry.rank < best.rank:
            table.entries[name] = entry
    for rel in sorted(sources):
        if PurePosixPath(rel).name == "__init__.py":
            continue  # a package's own file: it is imported by the folder's name
        parts = list(PurePosixPath(rel).with_suffix("").parts)
        skipped = [n for n, _ in dotted_names(parts) if _shadows(n.split(".")[0])]
        if skipped and not is_blocked_file(rel):
            table.notes.append(f"{rel}: not importable as {', '.join(skipped)} (would shadow the standard "
                               "library or a package the grader uses)")
    _alias_flattened(table, starters)
    _replace_broken_helpers(table, support or {})
    _add_support(table, support or {}, starters)
    _serve_moved_helpers(table, support or {})
    return table


def _alias_flattened(table: ModuleTable, starters: set) -> None:
    """A starter module uploaded without its folders (`layers.py` for `nndl/layers.py`, as Gradescope's
    drag-and-drop does) also answers to the starter's dotted name, so `from nndl.layers import *` works."""
    for starter in sorted(starters):
        dotted = PurePosixPath(starter).with_suffix("").as_posix().replace("/", ".")
        top, _, base = dotted.rpartition(".")
        flat = table.entries.get(base)
        if not top or dotted in table.entries or flat is None or flat.package or "/" in flat.file:
            continue
        if not all(_valid(p) for p in dotted.split(".")) or _shadows(dotted.split(".")[0]):
            continue
        table.entries[dotted] = Entry(dotted, flat.file, flat.source, False, flat.rank)
        prefix = top.split(".")
        for k in range(1, len(prefix) + 1):
            package = ".".join(prefix[:k])
            if package not in table.entries:
                folder = "/".join(prefix[:k]) + "/__init__.py"
                table.entries[package] = Entry(package, folder, "", True, flat.rank)
        table.notes.append(f"{flat.file}: also imported as {dotted} (the starter keeps it in "
                           f"{PurePosixPath(starter).parent}/)")


def _missing_imports(entry: Entry, known: set) -> list:
    """Modules of the submission's own packages (or relative) that ``entry`` imports and nobody provides,
    such as a course's ``im2col_cython`` that was never compiled."""
    try:
        tree = parse(entry.source)
    except SyntaxError:
        return []
    package = entry.name.split(".")[:-1]
    tops = {name.split(".")[0] for name in known}
    missing = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            names = [".".join(base + ([node.module] if node.module else []))]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name and (node.__dict__.get("level") or name.split(".")[0] in tops) and name not in known:
                missing.append(name)
    return missing


def _support_stems(support: dict) -> dict:
    """Module file name (``fast_layers``) -> (rel, source) of the one support module of that name."""
    found: dict[str, list[tuple[str, str]]] = {}
    for rel, src in sorted(support.items()):
        path = PurePosixPath(rel)
        if path.suffix == ".py" and path.name != "__init__.py":
            found.setdefault(path.stem, []).append((rel, src))
    return {stem: files[0] for stem, files in found.items() if len({src for _, src in files}) == 1}


def _replace_broken_helpers(table: ModuleTable, support: dict) -> None:
    """A helper the course provides (support files hold no graded name), submitted in a form that imports
    a module of the submission nobody provides (the Cython `fast_layers.py` without its compiled extension), is
    replaced by the assignment's support copy, also when it sits in another folder (`utils/fast_layers.py`)."""
    stems = _support_stems(support)
    known = set(table.entries) | {
        PurePosixPath(r).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__") for r in support}
    for dotted, entry in sorted(table.entries.items()):
        found = stems.get(dotted.split(".")[-1])
        if entry.package or found is None:
            continue
        rel, src = found
        missing = [m for m in _missing_imports(entry, known) if m.split(".")[-1] not in stems]   # served below
        if missing:
            if not any(n.startswith(f"{entry.file}: imports ") for n in table.notes):
                table.notes.append(f"{entry.file}: imports {missing[0]}, which the submission does not contain "
                                   f"(a compiled extension?); the course's own {rel} is used instead")
            table.entries[dotted] = Entry(dotted, rel, src, False, entry.rank)


def _imports_of(entry: Entry) -> list:
    """Dotted modules ``entry`` imports, relative ones resolved; ``from a import b`` also names ``a.b``."""
    try:
        tree = parse(entry.source)
    except SyntaxError:
        return []
    package = entry.name.split(".") if entry.package else entry.name.split(".")[:-1]
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level and node.level > len(package):
                continue
            base = ".".join(package[: len(package) - node.level + 1] if node.level else [])
            module = ".".join(p for p in (base, node.module or "") if p)
            if module:
                names.append(module)
            names.extend(f"{module}.{a.name}" if module else a.name for a in node.names if a.name != "*")
    return names


def _all_imports(table: ModuleTable) -> set:
    return {name for entry in table.entries.values() if not entry.package for name in _imports_of(entry)}


def _serve_moved_helpers(table: ModuleTable, support: dict) -> None:
    """A module that code of the submission (or a support file) imports and nobody provides, named like a
    support module (`utils.fast_layers`, `cs231n.fast_layers`: the course kept its helpers in other folders
    in other years), is served by that support file, with empty packages for its folders."""
    stems = _support_stems(support)
    changed = True
    while changed:
        changed = False
        for name in sorted(_all_imports(table) - set(table.entries)):
            parts = name.split(".")
            found = stems.get(parts[-1])
            if found is None or _shadows(parts[0]) or not all(_valid(p) for p in parts):
                continue
            parents = [".".join(parts[:k]) for k in range(1, len(parts))]
            if any(p in table.entries and not table.entries[p].package for p in parents):
                continue        # `from layers import fast_layers`: a name inside a module, not a module
            rel, src = found
            table.entries[name] = Entry(name, rel, src, False, ())
            for k, package in enumerate(parents, 1):
                if package not in table.entries:
                    table.entries[package] = Entry(package, "/".join(parts[:k]) + "/__init__.py", "", True, ())
            table.notes.append(f"support file {rel} provides {name} (imported by the submission)")
            changed = True


def _add_support(table: ModuleTable, support: dict, starters: set) -> None:
    """Support modules (rel path -> source) for the names the submission lacks, with their packages."""
    for rel, src in sorted(support.items()):
        added = []
        folder = PurePosixPath(rel).parent
        offers = [] if PurePosixPath(rel).name == "__init__.py" else list(_candidates(rel, src, starters))
        while str(folder) != ".":
            init = support.get(folder.as_posix() + "/__init__.py", "")
            offers.extend(_candidates("", init, starters, package_folder=folder.as_posix() + "/"))
            folder = folder.parent
        for name, entry in offers:
            if name not in table.entries:
                table.entries[name] = entry
                added.append(name)
        if added:
            table.notes.append(f"support file {rel} provides {', '.join(sorted(added))}")
