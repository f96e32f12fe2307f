"""Executes a LoadPlan (contracts §3) lazily inside the worker. Stdlib and numpy only.

Modules of ``plan["modules"]`` are importable by their dotted names through a meta-path finder; each
module, snippet and notebook cell runs statement by statement, so a failing top-level statement is
skipped and noted instead of losing the rest of the file. A source marked "py2_division" (a Python 2
submission) has its ``/`` and ``/=`` rewritten into calls of ``py2_div``/``py2_idiv`` before compiling.
After each notebook capture cell, the notebook's globals that hold plain data are copied (``snapshot``):
the inputs a test may ask for (``Plan.notebook_input``) as they stood when the variable was captured.
An index written as a list display, ``x[[rows, cols]]``, means what it meant before NumPy 1.23 (OldListIndex).
"""
import __future__

import ast
import contextlib
import copy
import importlib.abc
import importlib.machinery
import random
import sys
import types
from collections.abc import Iterator, Sequence
from typing import Any

import numpy

Namespace = dict[str, Any]      # the globals a module, snippet or notebook runs in
Spec = dict[str, Any]           # an entry of the LoadPlan (contracts §3)

REFUSED = set(sys.stdlib_module_names) | {"numpy", "sitecustomize", "usercustomize", "conftest",
                                            "pytest", "_pytest", "grader", "reference"}


PY2_DIV, PY2_IDIV = "__py2_div__", "__py2_idiv__"     # the helpers' names in a marked source's namespace


def _integral(x: object) -> bool:
    """An integer as Python 2 saw it: int or bool, a numpy integer or bool scalar, an integer or bool array."""
    if isinstance(x, (int, numpy.integer, numpy.bool_)):
        return True
    return isinstance(x, numpy.ndarray) and x.dtype.kind in "biu"


def py2_div(a: Any, b: Any) -> Any:
    """``a / b`` as Python 2 computed it: floor division when both are integers, else true division."""
    return a // b if _integral(a) and _integral(b) else a / b


def py2_idiv(a: Any, b: Any) -> Any:
    """``a /= b`` as Python 2 computed it (in place for arrays); returns the new value of ``a``."""
    if _integral(a) and _integral(b):
        a //= b
    else:
        a /= b
    return a


class Py2Division(ast.NodeTransformer):
    """``a / b`` -> ``__py2_div__(a, b)``; ``t /= b`` -> ``t = __py2_idiv__(t, b)`` (the parts of a
    target ``x[i]`` or ``o.attr`` are evaluated twice); every new node keeps the line it replaces."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        if not isinstance(node.op, ast.Div):
            return node
        return ast.copy_location(ast.Call(ast.Name(PY2_DIV, ast.Load()), [node.left, node.right], []), node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.stmt:
        self.generic_visit(node)
        if not isinstance(node.op, ast.Div):
            return node
        load = copy.deepcopy(node.target)
        load.ctx = ast.Load()
        call = ast.copy_location(ast.Call(ast.Name(PY2_IDIV, ast.Load()), [load, node.value], []), node)
        return ast.copy_location(ast.Assign([node.target], call), node)


def with_py2_division(tree: ast.Module, namespace: Namespace) -> ast.Module:
    """``tree`` with Python 2 division (Py2Division) unless it imports division from __future__; the
    helpers are put in ``namespace`` under dunder names students do not use."""
    if any(isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"
           and any(alias.name == "division" for alias in stmt.names) for stmt in tree.body):
        return tree
    namespace[PY2_DIV], namespace[PY2_IDIV] = py2_div, py2_idiv
    return ast.fix_missing_locations(Py2Division().visit(tree))


OLD_INDEX = "__np_old_index__"
LIST_INDEX_CHANGED = tuple(int(p) for p in numpy.__version__.split(".")[:2]) >= (1, 23)


def old_list_index(index: Any) -> Any:
    """A list index as NumPy < 1.23 read it: a list of fewer than 32 entries holding an array, a sequence,
    a slice, ``...`` or ``None`` was the tuple of those entries (``x[[rows, cols]]`` is ``x[rows, cols]``);
    NumPy 1.23 reads it as one array index. Anything else is returned unchanged."""
    if type(index) is list and len(index) < 32 and any(
            isinstance(v, (numpy.ndarray, list, tuple, slice, range)) or v is Ellipsis or v is None
            for v in index):
        return tuple(index)
    return index


class OldListIndex(ast.NodeTransformer):
    """``x[[a, b]]`` (a list display inside the brackets) -> ``x[__np_old_index__([a, b])]``."""

    def visit_Subscript(self, node: ast.Subscript) -> ast.Subscript:
        self.generic_visit(node)
        index = node.slice
        if isinstance(index, ast.List) and index.elts and not any(isinstance(e, ast.Starred) for e in index.elts):
            node.slice = ast.copy_location(ast.Call(ast.Name(OLD_INDEX, ast.Load()), [index], []), index)
        return node


def with_old_list_index(tree: ast.Module, namespace: Namespace) -> ast.Module:
    """``tree`` with OldListIndex (when the installed NumPy reads list indices the new way)."""
    if not LIST_INDEX_CHANGED:
        return tree
    namespace[OLD_INDEX] = old_list_index
    return ast.fix_missing_locations(OldListIndex().visit(tree))


class Missing(Exception):
    """A graded name is not available; the message says why."""


SNAPSHOT_BYTES = 128 * 2**20    # bytes of notebook globals copied per notebook run (every snapshot)
SNAPSHOT_DEPTH = 20             # nesting of the containers copied
_SCALARS = (type(None), bool, int, float, str)
_NUMPY_SCALARS = frozenset(numpy.dtype(c).type for c in "?" + numpy.typecodes["AllInteger"] + "efdg")


class NotData(Exception):
    """A notebook global is not copied into a snapshot; the message says why."""


def plain_copy(value: object, budget: list[int], depth: int = 0) -> Any:
    """A copy of ``value`` when it is plain data: None, bool, int, float, str, a numpy number, a
    numpy array of booleans, integers or floats (``np.matrix`` becomes an array), and lists, tuples
    and dicts (str/int keys) of those, exact types only; else NotData. ``budget`` is a one-element
    list of the bytes still allowed; it is charged only for what is copied."""
    left = budget[0]
    try:
        return _copy(value, budget, depth)
    except NotData:
        budget[0] = left
        raise


def _charge(budget: list[int], cost: int) -> None:
    if cost > budget[0]:
        raise NotData(f"too large to keep (over {SNAPSHOT_BYTES >> 20} MB of notebook data)")
    budget[0] -= cost


def _copy(value: Any, budget: list[int], depth: int) -> Any:
    kind = type(value)
    if depth > SNAPSHOT_DEPTH:
        raise NotData("nested too deeply")
    if kind in _SCALARS or kind in _NUMPY_SCALARS:
        _charge(budget, len(value) if kind is str else 8)
        return value
    if kind is numpy.ndarray or kind is numpy.matrix:
        if value.dtype.kind not in "biuf":
            raise NotData(f"an array of dtype {value.dtype}")
        _charge(budget, value.nbytes)
        return numpy.array(value, subok=False)
    if kind is list or kind is tuple:
        _charge(budget, 8 * len(value))
        items = [_copy(item, budget, depth + 1) for item in value]
        return items if kind is list else tuple(items)
    if kind is dict:
        _charge(budget, 16 * len(value))
        copied = {}
        for key, item in dict.items(value):
            if type(key) not in (str, int):
                raise NotData(f"a dict with a {type(key).__name__} key")
            copied[key] = _copy(item, budget, depth + 1)
        return copied
    raise NotData(f"a {str(kind.__name__)[:80]}, not plain data")


def snapshot(namespace: Namespace, budget: list[int]) -> tuple[Namespace, dict[str, str]]:
    """(kept, dropped): copies of the plain-data globals of ``namespace`` (dunder names left out) and,
    for the others, why they were not kept."""
    kept: Namespace = {}
    dropped: dict[str, str] = {}
    for name in sorted(k for k in namespace if type(k) is str and not (k.startswith("__") and k.endswith("__"))):
        try:
            kept[name] = plain_copy(namespace[name], budget)
        except NotData as exc:
            dropped[name] = str(exc)
        except Exception:
            dropped[name] = "it could not be copied"
    return kept, dropped


COMPILE_RECURSION_LIMIT = 20_000   # compiling a tree is recursive: CPython compiles source deeper


@contextlib.contextmanager
def deep_compiling() -> Iterator[None]:
    """A higher recursion limit while parsing and compiling (never while student code runs): a
    statement of a few thousand chained terms, which Python itself imports, compiles here too."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, COMPILE_RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def run_tolerant(source: str, filename: str, namespace: Namespace, notes: list[str],
                 py2_division: bool = False) -> None:
    """exec ``source`` statement by statement in ``namespace``; failures are skipped and noted.
    ``py2_division``: divide as Python 2 did (see with_py2_division)."""
    try:
        with deep_compiling():
            tree = ast.parse(source, filename)
            if py2_division:
                tree = with_py2_division(tree, namespace)
            tree = with_old_list_index(tree, namespace)
    except (SyntaxError, RecursionError, MemoryError, ValueError) as exc:
        where = f"line {exc.lineno}: {exc.msg}" if isinstance(exc, SyntaxError) else f"{type(exc).__name__}: {exc}"
        notes.append(f"{filename}: not run, it does not parse ({where})")
        return
    flags = 0
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            for alias in stmt.names:
                feature = getattr(__future__, alias.name, None)
                flags |= getattr(feature, "compiler_flag", 0)
        try:
            with deep_compiling():
                code = compile(ast.Module([stmt], type_ignores=[]), filename, "exec", flags=flags,
                               dont_inherit=True)
            exec(code, namespace)
        except BaseException as exc:  # a student's statement may raise anything, even SystemExit
            text = (ast.get_source_segment(source, stmt) or "").strip().splitlines()
            first = text[0][:80] if text else "?"
            notes.append(f"{filename}, line {stmt.lineno}: skipped `{first}` "
                         f"({type(exc).__name__}: {str_safe(exc)[:200]})")


def str_safe(exc: BaseException) -> str:
    """str(exc) as an exact str; "<unprintable>" when __str__ raises or returns a str subclass."""
    try:
        text = str(exc)
    except BaseException:
        return "<unprintable>"
    return text if type(text) is str else "<unprintable>"


class PlanFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the plan's modules by dotted name (never a stdlib/numpy/grader name)."""

    def __init__(self, modules: dict[str, Spec], notes: list[str]) -> None:
        self.modules, self.notes = modules, notes

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        entry = self.modules.get(fullname)
        if entry is None or fullname.split(".")[0] in REFUSED:
            return None
        spec = importlib.machinery.ModuleSpec(fullname, self, is_package=bool(entry.get("package")))
        spec.origin = entry.get("file") or fullname
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        entry = self.modules[module.__name__]   # the spec's name (module_from_spec)
        module.__file__ = entry.get("file") or module.__name__
        if entry.get("package"):
            module.__path__ = []
        run_tolerant(entry.get("source", ""), module.__file__, module.__dict__, self.notes,
                     bool(entry.get("py2_division")))


class Plan:
    """The graded names of one submission, loaded on first use."""

    def __init__(self, plan: dict[str, Any], notes: list[str]) -> None:
        self.plan, self.notes = plan, notes
        self.files = {m.get("file") for m in plan.get("modules", {}).values()}
        self.files |= {s.get("file") for s in plan.get("snippets", [])}
        self.files |= {n.get("file") for n in plan.get("notebooks", [])}
        self.files.discard(None)
        self.snippets: dict[int, Namespace] = {}
        self.notebook_runs: dict[int, dict[str, Any]] = {}
        sys.meta_path.insert(0, PlanFinder(plan.get("modules", {}), notes))

    def resolve(self, name: str) -> Any:
        """The object bound to a graded name, or Missing."""
        spec = self.plan.get("names", {}).get(name)
        if spec is None:
            raise Missing(f"{name} is not a graded name of this assignment")
        if "missing" in spec:
            raise Missing(spec["missing"])
        if "module" in spec:
            module = __import__(spec["module"], fromlist=["*"])
            namespace, where = module.__dict__, spec["module"]
        elif "snippet" in spec:
            namespace, where = self.snippet(spec["snippet"]), "the notebook"
        else:  # a notebook variable, under the notebook's own name for it ("as": an alias of the graded name)
            name = spec.get("as", name)
            namespace, where = self.notebook(spec["notebook"], name), "the notebook"
        if name not in namespace:
            hint = ("run the notebook from the top to see the error" if "notebook" in spec
                    else "see the notes on your files")
            raise Missing(f"{name} is not defined in {where} (its definition failed to run; {hint})")
        return namespace[name]

    def snippet(self, index: int) -> Namespace:
        if index not in self.snippets:
            entry = self.plan["snippets"][index]
            namespace = {"__name__": f"__snippet_{index}__", "__builtins__": __builtins__}
            self.snippets[index] = namespace
            run_tolerant(entry.get("source", ""), entry.get("file", "snippet"), namespace, self.notes,
                         bool(entry.get("py2_division")))
        return self.snippets[index]

    def notebook_input(self, name: str, var: str) -> Any:
        """The notebook global ``var`` as it stood right after the capture cell of the graded notebook
        variable ``name`` (its snapshot), or Missing saying why not."""
        spec = self.plan.get("names", {}).get(name)
        if spec is None:
            raise Missing(f"{name} is not a graded name of this assignment")
        if "missing" in spec:
            raise Missing(spec["missing"])
        if "notebook" not in spec:
            raise Missing(f"{name} is not a notebook variable: it has no notebook inputs")
        self.notebook(spec["notebook"], spec.get("as", name))
        entry = self.plan["notebooks"][spec["notebook"]]
        at = min(entry.get("capture", {}).get(spec.get("as", name), -1), len(entry.get("cells", [])) - 1)
        kept, dropped = self.notebook_runs[spec["notebook"]]["snapshots"].get(at, ({}, {}))
        if var in kept:
            return kept[var]
        if var in dropped:
            raise Missing(f"`{var}` of the notebook, when {name} was computed, was not kept: {dropped[var]}")
        raise Missing(f"`{var}` was not defined in the notebook when {name} was computed "
                      "(run the notebook from the top to see why)")

    def notebook(self, index: int, name: str) -> Namespace:
        """The captured variables of notebook ``index`` once ``name`` is captured: its cells run in
        order only as far as ``name``'s capture cell, continuing where an earlier call stopped (a
        restarted worker starts over); each variable is copied right after its capture cell, and so
        are the notebook's plain-data globals (``snapshot``, for ``notebook_input``). The random
        streams the cells use continue across calls (the worker reseeds before each test)."""
        entry = self.plan["notebooks"][index]
        capture, cells = entry.get("capture", {}), entry.get("cells", [])
        run = self.notebook_runs.setdefault(index, {"namespace": {"__name__": "__main__",
                                                                  "__builtins__": __builtins__},
                                                    "next": 0, "captured": {}, "random": None,
                                                    "snapshots": {}, "budget": [SNAPSHOT_BYTES]})
        stop = min(capture.get(name, -1), len(cells) - 1)
        if run["next"] > stop:
            return run["captured"]
        caller = _random_state()
        if run["random"] is not None:
            _set_random_state(run["random"])
        while run["next"] <= stop:
            i = run["next"]
            run["next"] = i + 1
            run_tolerant(cells[i], f"{entry.get('file', 'notebook')} cell {i}", run["namespace"], self.notes,
                         bool(entry.get("py2_division")))
            for var, at in capture.items():
                if at == i and var in run["namespace"]:
                    try:
                        run["captured"][var] = copy.deepcopy(run["namespace"][var])
                    except Exception:
                        run["captured"][var] = run["namespace"][var]
            if i in capture.values():
                run["snapshots"][i] = snapshot(run["namespace"], run["budget"])
        run["random"] = _random_state()
        _set_random_state(caller)
        return run["captured"]


def _random_state() -> tuple[Any, Any]:
    """The states of np.random's and random's global streams."""
    return numpy.random.get_state(), random.getstate()


def _set_random_state(state: tuple[Any, Any]) -> None:
    numpy.random.set_state(state[0])
    random.setstate(state[1])
