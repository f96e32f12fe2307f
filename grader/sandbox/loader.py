"""Executes a LoadPlan (contracts §3) lazily inside the worker. Stdlib and numpy only.

Modules of ``plan["modules"]`` are importable by their dotted names through a meta-path finder; each
module, snippet and notebook cell runs statement by statement, so a failing top-level statement is
skipped and noted instead of losing the rest of the file. A source marked "py2_division" (a Python 2
submission) has its ``/`` and ``/=`` rewritten into calls of ``py2_div``/``py2_idiv`` before compiling.
An index written as a list display, ``x[[rows, cols]]``, means what it meant before NumPy 1.23 (OldListIndex).
"""
import ast
import contextlib
import copy
import importlib.abc
import importlib.machinery
import random
import sys

import numpy

import __future__

REFUSED = set(sys.stdlib_module_names) | {"numpy", "sitecustomize", "usercustomize", "conftest",
                                            "pytest", "_pytest", "grader", "reference"}


PY2_DIV, PY2_IDIV = "__py2_div__", "__py2_idiv__"     # the helpers' names in a marked source's namespace


def _integral(x):
    """An integer as Python 2 saw it: int or bool, a numpy integer or bool scalar, an integer or bool array."""
    if isinstance(x, (int, numpy.integer, numpy.bool_)):
        return True
    return isinstance(x, numpy.ndarray) and x.dtype.kind in "biu"


def py2_div(a, b):
    """``a / b`` as Python 2 computed it: floor division when both are integers, else true division."""
    return a // b if _integral(a) and _integral(b) else a / b


def py2_idiv(a, b):
    """``a /= b`` as Python 2 computed it (in place for arrays); returns the new value of ``a``."""
    if _integral(a) and _integral(b):
        a //= b
    else:
        a /= b
    return a


class Py2Division(ast.NodeTransformer):
    """``a / b`` -> ``__py2_div__(a, b)``; ``t /= b`` -> ``t = __py2_idiv__(t, b)`` (the parts of a
    target ``x[i]`` or ``o.attr`` are evaluated twice); every new node keeps the line it replaces."""

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if not isinstance(node.op, ast.Div):
            return node
        return ast.copy_location(ast.Call(ast.Name(PY2_DIV, ast.Load()), [node.left, node.right], []), node)

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        if not isinstance(node.op, ast.Div):
            return node
        load = copy.deepcopy(node.target)
        load.ctx = ast.Load()
        call = ast.copy_location(ast.Call(ast.Name(PY2_IDIV, ast.Load()), [load, node.value], []), node)
        return ast.copy_location(ast.Assign([node.target], call), node)


def with_py2_division(tree, namespace):
    """``tree`` with Python 2 division (Py2Division) unless it imports division from __future__; the
    helpers are put in ``namespace`` under dunder names students do not use."""
    if any(isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"
           and any(alias.name == "division" for alias in stmt.names) for stmt in tree.body):
        return tree
    namespace[PY2_DIV], namespace[PY2_IDIV] = py2_div, py2_idiv
    return ast.fix_missing_locations(Py2Division().visit(tree))


OLD_INDEX = "__np_old_index__"
LIST_INDEX_CHANGED = tuple(int(p) for p in numpy.__version__.split(".")[:2]) >= (1, 23)


def old_list_index(index):
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

    def visit_Subscript(self, node):
        self.generic_visit(node)
        index = node.slice
        if isinstance(index, ast.List) and index.elts and not any(isinstance(e, ast.Starred) for e in index.elts):
            node.slice = ast.copy_location(ast.Call(ast.Name(OLD_INDEX, ast.Load()), [index], []), index)
        return node


def with_old_list_index(tree, namespace):
    """``tree`` with OldListIndex (when the installed NumPy reads list indices the new way)."""
    if not LIST_INDEX_CHANGED:
        return tree
    namespace[OLD_INDEX] = old_list_index
    return ast.fix_missing_locations(OldListIndex().visit(tree))


class Missing(Exception):
    """A graded name is not available; the message says why."""


COMPILE_RECURSION_LIMIT = 20_000   # compiling a tree is recursive: CPython compiles source deeper


@contextlib.contextmanager
def deep_compiling():
    """A higher recursion limit while parsing and compiling (never while student code runs): a
    statement of a few thousand chained terms, which Python itself imports, compiles here too."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, COMPILE_RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def run_tolerant(source, filename, namespace, notes, py2_division=False):
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


def str_safe(exc):
    """str(exc) as an exact str; "<unprintable>" when __str__ raises or returns a str subclass."""
    try:
        text = str(exc)
    except BaseException:
        return "<unprintable>"
    return text if type(text) is str else "<unprintable>"


class PlanFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the plan's modules by dotted name (never a stdlib/numpy/grader name)."""

    def __init__(self, modules, notes):
        self.modules, self.notes = modules, notes

    def find_spec(self, fullname, path=None, target=None):
        entry = self.modules.get(fullname)
        if entry is None or fullname.split(".")[0] in REFUSED:
            return None
        spec = importlib.machinery.ModuleSpec(fullname, self, is_package=bool(entry.get("package")))
        spec.origin = entry.get("file") or fullname
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        entry = self.modules[module.__spec__.name]
        module.__file__ = entry.get("file") or module.__spec__.name
        if entry.get("package"):
            module.__path__ = []
        run_tolerant(entry.get("source", ""), module.__file__, module.__dict__, self.notes,
                     bool(entry.get("py2_division")))


class Plan:
    """The graded names of one submission, loaded on first use."""

    def __init__(self, plan, notes):
        self.plan, self.notes = plan, notes
        self.files = {m.get("file") for m in plan.get("modules", {}).values()}
        self.files |= {s.get("file") for s in plan.get("snippets", [])}
        self.files |= {n.get("file") for n in plan.get("notebooks", [])}
        self.files.discard(None)
        self.snippets, self.notebook_runs = {}, {}
        sys.meta_path.insert(0, PlanFinder(plan.get("modules", {}), notes))

    def resolve(self, name):
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
        else:
            namespace, where = self.notebook(spec["notebook"], name), "the notebook"
        if name not in namespace:
            hint = ("run the notebook from the top to see the error" if "notebook" in spec
                    else "see the notes on your files")
            raise Missing(f"{name} is not defined in {where} (its definition failed to run; {hint})")
        return namespace[name]

    def snippet(self, index):
        if index not in self.snippets:
            entry = self.plan["snippets"][index]
            namespace = {"__name__": f"__snippet_{index}__", "__builtins__": __builtins__}
            self.snippets[index] = namespace
            run_tolerant(entry.get("source", ""), entry.get("file", "snippet"), namespace, self.notes,
                         bool(entry.get("py2_division")))
        return self.snippets[index]

    def notebook(self, index, name):
        """The captured variables of notebook ``index`` once ``name`` is captured: its cells run in
        order only as far as ``name``'s capture cell, continuing where an earlier call stopped (a
        restarted worker starts over); each variable is copied right after its capture cell. The
        random streams the cells use continue across calls (the worker reseeds before each test)."""
        entry = self.plan["notebooks"][index]
        capture, cells = entry.get("capture", {}), entry.get("cells", [])
        run = self.notebook_runs.setdefault(index, {"namespace": {"__name__": "__main__",
                                                                  "__builtins__": __builtins__},
                                                    "next": 0, "captured": {}, "random": None})
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
        run["random"] = _random_state()
        _set_random_state(caller)
        return run["captured"]


def _random_state():
    """The states of np.random's and random's global streams."""
    return numpy.random.get_state(), random.getstate()


def _set_random_state(state):
    numpy.random.set_state(state[0])
    random.setstate(state[1])
