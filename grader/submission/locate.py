"""Where each graded name lives: a module of the plan, a snippet, a notebook, or missing (with why).

Functions and classes: among the .py files defining the name at top level, a real body beats an
empty stub (a body that only passes or raises NotImplementedError) and an unchanged copy of the
starter's own definition (given the starter folder), then the file laid out as the starter
(`nndl/neural_net.py`) wins, then a file with the starter's file name, then any file (shortest
path); the name maps to that file's module. A file with no module name (`layers (1).py`) or a
notebook exported as .py gives a snippet. Notebooks are searched last. Variables: among the
notebooks assigning the variable at module scope, one changed from the starter notebook beats an
unchanged copy of it, then the starter's file name wins, then the shortest path (noted when there
was a choice).
"""
from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .definitions import Unit, is_stub, skeleton, snippet
from .modules import ModuleTable, is_blocked_file
from .notebooks import Notebook, captures, plan_entry
from .repair import decode, repair


@dataclass
class Located:
    names: dict = field(default_factory=dict)
    snippets: list = field(default_factory=list)
    notebooks: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def _ends_with(rel: str, starter: str) -> bool:
    return rel == starter or rel.endswith("/" + starter)


def _exported_notebook(source: str) -> bool:
    """A notebook saved as .py ("# In[3]:" markers, get_ipython() calls): importing it would run
    the whole notebook (data loading, training), so its graded names are taken as snippets."""
    return bool(re.search(r"^# In\[[ \d]*\]:|^get_ipython\(\)", source, re.M))


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def starter_skeletons(folder, specs: list) -> dict:
    """name -> skeletons (definitions.skeleton) of the starter's own definitions of the graded
    functions and classes, read from the spec's files under the starter `folder` (None, absent or
    unreadable files: none). Computed once per folder and specs: a batch asks for every submission."""
    return {} if folder is None else _starter_skeletons(str(folder), tuple(specs))


@functools.lru_cache(maxsize=16)
def _starter_skeletons(folder: str, specs: tuple) -> dict:
    found: dict[str, set[str]] = {}
    trees: dict[str, ast.Module | None] = {}
    for spec in specs:
        for rel in spec.files:
            if rel not in trees:
                try:
                    trees[rel] = repair(decode((Path(folder) / rel).read_bytes())[0]).tree
                except OSError:
                    trees[rel] = None
            tree = trees[rel]
            for node in tree.body if tree is not None else ():
                if getattr(node, "name", None) == spec.name:
                    found.setdefault(spec.name, set()).add(skeleton(node))
    return found


class Locator:
    """Finds graded names in repaired .py files (rel -> Repaired) and read notebooks."""

    def __init__(self, pyfiles: dict, table: ModuleTable, notebooks: list, problems: list, starter=None):
        self.pyfiles, self.table, self.notebooks, self.problems = pyfiles, table, notebooks, problems
        self.starter = starter
        self.starter_defs: dict[str, set[str]] = {}
        self.units: dict[str, Unit] = {}
        for rel, repaired in pyfiles.items():
            unit = Unit(rel)
            unit.add_tree(repaired.tree, repaired.source)
            self.units[rel] = unit
        for nb in notebooks:
            self.units[nb.file] = nb.unit()
        self.defs = {file: unit.graded_definitions() for file, unit in self.units.items()}
        self.starter_modules: set[str] = set()
        self.result = Located()
        self._snippet_names: dict[str, list[str]] = {}

    def locate(self, specs: list) -> Located:
        self.starter_defs = starter_skeletons(self.starter, [s for s in specs if s.kind != "variable"])
        for spec in specs:
            self.starter_modules.update(PurePosixPath(f).with_suffix("").as_posix().replace("/", ".")
                                        for f in spec.files)
        for spec in specs:
            if spec.kind != "variable":
                self._locate_definition(spec)
        self._locate_variables([s for s in specs if s.kind == "variable"])
        for file, names in self._snippet_names.items():
            self.result.snippets.append({"file": file, "source": snippet(self.units[file], names)})
        return self.result

    def _py_rank(self, spec, rel: str) -> tuple:
        stems = {PurePosixPath(f).name for f in spec.files}
        if any(_ends_with(rel, f) for f in spec.files):
            tier = 0
        elif PurePosixPath(rel).name in stems:
            tier = 1
        else:
            tier = 2
        return tier, len(rel), rel

    def _is_stub(self, file: str, name: str) -> bool:
        """An empty body, or an unchanged copy of the starter's definition (untouched starter code)."""
        node = self.units[file].stmts[self.defs[file][name]].node
        if is_stub(node):
            return True
        try:
            return name in self.starter_defs and hasattr(node, "name") and skeleton(node) in self.starter_defs[name]
        except RecursionError:  # nested deeper than Python's recursion limit: not the starter's code
            return False

    def _module_of(self, rel: str) -> str | None:
        """The name to import `rel` by: the starter's (`nndl.layers`), else one in a starter
        package, else the shortest."""
        names = self.table.names_of(rel)
        if not names:
            return None
        tops = {m.split(".")[0] for m in self.starter_modules if "." in m}
        return min(names, key=lambda n: (n not in self.starter_modules, n.split(".")[0] not in tops, len(n), n))

    def _to_snippet(self, name: str, file: str) -> None:
        files = list(self._snippet_names)
        self._snippet_names.setdefault(file, []).append(name)
        index = files.index(file) if file in files else len(files)
        self.result.names[name] = {"snippet": index}

    def _locate_definition(self, spec) -> None:
        name = spec.name
        cands = [rel for rel in self.pyfiles if name in self.defs[rel] and not is_blocked_file(rel)]
        nbs = [nb.file for nb in self.notebooks if name in self.defs[nb.file]]
        if cands and all(self._is_stub(rel, name) for rel in cands) and \
                any(not self._is_stub(nb, name) for nb in nbs):
            nbs = [nb for nb in nbs if not self._is_stub(nb, name)]
            self.result.notes.append(f"{name}: the .py definitions are empty starter code; "
                                     f"taken from {min(nbs, key=lambda f: (len(f), f))}")
            cands = []
        if cands:
            best = min(cands, key=lambda rel: (self._is_stub(rel, name),) + self._py_rank(spec, rel))
            if len(cands) > 1:
                self.result.notes.append(self._choice_note(name, best, cands))
            module = None if _exported_notebook(self.pyfiles[best].source) else self._module_of(best)
            if module is not None:
                self.result.names[name] = {"module": module}
            else:
                self.result.notes.append(f"{name}: {best} is an exported notebook or cannot be imported "
                                         "by name; its definition is loaded as a snippet")
                self._to_snippet(name, best)
            return
        if nbs:
            self._to_snippet(name, min(nbs, key=lambda f: (len(f), f)))
            return
        self.result.names[name] = {"missing": self._missing_reason(spec)}

    def _choice_note(self, name: str, best: str, cands: list) -> str:
        """Which file the definition was taken from, naming the others (and which were starter code)."""
        others = sorted(c for c in cands if c != best)
        empty = [] if self._is_stub(best, name) else [c for c in others if self._is_stub(c, name)]
        text = f"{name}: taken from {best} (also defined in {', '.join(others)}"
        if empty:
            text += f"; empty or the starter's own code unchanged in {', '.join(empty)}"
        return text + ")"

    def _syntax_reason(self, name: str) -> str | None:
        for rel in sorted(self.pyfiles):
            for block in self.pyfiles[rel].dropped:
                if name in block.names:
                    return (f"{name} is defined in {rel}, but that part of the file has a syntax error at "
                            f"line {block.line} ({block.message})")
        for nb in self.notebooks:
            for number, block in nb.dropped:
                if name in block.names:
                    return (f"{name} is defined in {nb.file}, but code cell {number} has a syntax error at "
                            f"line {block.line} of the cell ({block.message})")
        return None

    def _searched(self) -> str:
        text = (f"searched {_count(len(self.pyfiles), '.py file')} and "
                f"{_count(len(self.notebooks), 'notebook')}")
        if self.problems:
            text += "; could not read: " + "; ".join(self.problems)
        return text

    def _missing_reason(self, spec) -> str:
        name = spec.name
        reason = self._syntax_reason(name)
        if reason:
            return reason
        blocked = sorted(rel for rel in self.pyfiles if name in self.defs[rel] and is_blocked_file(rel))
        if blocked:
            return (f"{name} is defined only in {blocked[0]}, a file name the grader never loads "
                    "(it could hijack imports or tests); rename the file")
        if spec.kind == "variable":
            where = f" (the starter notebook is {spec.notebook})" if spec.notebook else ""
            also = f" (nor under {' or '.join(spec.aliases)})" if spec.aliases else ""
            return f"{name}{also} is not assigned in any notebook of your submission{where} ({self._searched()})"
        return f"{name} is not defined in any file of your submission ({self._searched()})"

    def _locate_variables(self, specs: list) -> None:
        """Each variable from one notebook capturing it: a notebook changed from the starter beats
        an unchanged copy of it, then the starter's file name, then the shortest path."""
        chosen: dict[str, tuple[Notebook, list[str]]] = {}          # file -> (notebook, its variables)
        passed_over: dict[tuple[str, tuple], list[str]] = {}      # (file, other files) -> variables
        assigned_as: dict[str, str] = {}                          # variable -> the notebook's name for it
        for spec in specs:
            nbs, source = [], spec.name
            for source in (spec.name, *spec.aliases):  # the graded name first, then its aliases in order
                if nbs := [nb for nb in self.notebooks if captures(nb, [source])]:
                    break
            if not nbs:
                self.result.names[spec.name] = {"missing": self._missing_reason(spec)}
                continue
            if source != spec.name:
                assigned_as[spec.name] = source
                self.result.notes.append(f"{spec.name}: graded from {source} (your notebook's name for it)")
            best = min(nbs, key=lambda nb: (nb.is_starter, PurePosixPath(nb.file).name != spec.notebook,
                                            len(nb.file), nb.file))
            chosen.setdefault(best.file, (best, []))[1].append(spec.name)
            others = tuple(sorted(nb.file for nb in nbs if nb is not best))
            if others or best.is_starter:
                passed_over.setdefault((best.file, others), []).append(spec.name)
        for (file, others), variables in passed_over.items():
            self.result.notes.append(self._variables_note(chosen[file][0], others, variables))
        for index, (nb, variables) in enumerate(chosen.values()):
            capture = captures(nb, [assigned_as.get(var, var) for var in variables])
            self.result.notebooks.append(plan_entry(nb, capture))
            for var in variables:  # "as": the notebook's own name of the variable (the worker reads that one)
                self.result.names[var] = {"notebook": index, **({"as": assigned_as[var]} if var in assigned_as else {})}

    def _variables_note(self, best, others: tuple, variables: list) -> str:
        """Which notebook the variables come from, and why, when there was a choice to make."""
        starters = {nb.file for nb in self.notebooks if nb.is_starter}
        text = f"{', '.join(variables)}: taken from {best.file}"
        if best.is_starter:
            text += " (it is the unchanged starter notebook"
            text += f"; also assigned in {', '.join(others)})" if others else ")"
            return text
        if others:
            unchanged = [f for f in others if f in starters]
            changed = [f for f in others if f not in starters]
            parts = [f"also assigned in {', '.join(changed)}"] if changed else []
            parts += [f"{', '.join(unchanged)} {'is' if len(unchanged) == 1 else 'are'} "
                      "the unchanged starter notebook"] if unchanged else []
            text += f" ({'; '.join(parts)})"
        return text
