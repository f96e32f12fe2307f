"""Forbidden shortcuts (threats.md T17), grader side: what is forbidden, and the flags instructors see.

Three signals, none of which executes student code in the grader:

* ``scan_plan``: the files that define graded names are parsed (never run) for imports of forbidden
  libraries (autodiff frameworks, ready-made classifiers), numerical differentiators
  (``scipy.optimize.approx_fprime``...), code chosen at run time (``exec``, ``__import__``...), and
  looks into the interpreter or the grader's frames (``sys.settrace``, ``inspect.stack``...);
* the worker refuses forbidden imports at run time wherever they come from (guard.ImportBlocker);
* ``repeated_calls``: a backward or loss that calls a graded forward function (or itself) dozens of
  times in one call is computing its gradient by finite differences; ``fast_layers_flag``: a naive
  function (``conv_forward_naive``) that calls the course's fast layers.

A flag is never a verdict by itself: it goes to the instructor (results.json ``extra_data`` and a
hidden entry, the batch CSV and summary, the terminal table); the assignment may ask for a zero instead
(``[integrity] on_flag = "zero"``).
"""

from __future__ import annotations

import ast
import re

from grader.submission.repair import parse

# Libraries that do the homework for the student: automatic differentiation and ready-made models.
DEFAULT_FORBIDDEN = ("torch", "jax", "jaxlib", "autograd", "tensorflow", "keras", "theano", "mxnet",
                     "chainer", "paddle", "numdifftools", "sklearn")
# Attributes that only a shortcut uses, by the module they belong to (``np.stack`` is not ``inspect.stack``).
QUALIFIED = {
    "optimize": {"approx_fprime", "check_grad", "approx_derivative"},   # numerical differentiators
    "misc": {"derivative"},
    "sys": {"settrace", "setprofile", "_getframe", "meta_path", "path_hooks"},   # the interpreter
    "inspect": {"stack", "currentframe", "getouterframes"},                       # the grader's frames
    "gc": {"get_objects", "get_referrers"},
    "importlib": {"import_module"},                                                # code chosen at run time
}
DYNAMIC_CODE = {"exec", "eval", "compile", "__import__"}
REPEATED_CALLS = 32   # calls of a forward per gradient call that only finite differences make
_COUNTED = re.compile(r"backward|loss|grad|naive|_net$", re.IGNORECASE)
_NOT_COUNTED = re.compile(r"check|train|descent|predict|sample", re.IGNORECASE)


def counted(name: str | None) -> bool:
    """Whether the calls made by a call of graded ``name`` are counted: it returns a gradient
    ("affine_backward", "TwoLayerNet.loss"; a `train` loop calls `loss` many times, rightly) or it is a
    naive version ("conv_forward_naive", which must not call the course's fast layers)."""
    last = (name or "").rsplit(".", 1)[-1]
    return bool(_COUNTED.search(last)) and not _NOT_COUNTED.search(last)


def repeated_calls(calls) -> tuple[str, int] | None:
    """(function, count) of a counted call's reply ``calls`` = [function, count], when too many."""
    if type(calls) is not list or len(calls) != 2 or type(calls[1]) is not int or type(calls[0]) is not str:
        return None
    return (calls[0][:100], calls[1]) if calls[1] >= REPEATED_CALLS else None


def repeated_calls_flag(name: str, function: str, count: int) -> str:
    return (f"{name} called {function} {count} times in one call on whole-size inputs (directly or "
            f"through the functions it calls): a gradient computed by finite differences?")


def fast_layers_flag(name: str | None, fast) -> str | None:
    """The flag for a naive function's call that used the course's fast layers (``fast``: their names)."""
    if "naive" not in (name or "") or type(fast) is not list or not fast:
        return None
    names = ", ".join(str(f)[:60] for f in fast[:4])
    return f"{name} called the course's fast layers ({names}): the naive version is not the student's own"


class FlagSet:
    """The flags one submission's worker replies carry (``flags``, ``calls``, ``fast``), each once: a
    repeated-calls flag keeps the largest count seen for its (graded name, function)."""

    CAP = 200

    def __init__(self):
        self._texts, self._repeats = [], {}

    def add(self, text) -> None:
        if type(text) is str and text and text[:300] not in self._texts and len(self._texts) < self.CAP:
            self._texts.append(text[:300])

    def absorb(self, reply: dict, name: str | None) -> None:
        """Take the flags of one worker reply to a request about graded ``name``."""
        if type(reply.get("flags")) is list:
            for text in reply["flags"][:self.CAP]:
                self.add(text)
        self.add(fast_layers_flag(name, reply.get("fast")))
        if type(reply.get("numeric")) is list and reply["numeric"]:
            helpers = ", ".join(str(n)[:60] for n in reply["numeric"][:3])
            self.add(f"{name} called the course's numerical gradient helper ({helpers}): its gradient is "
                     "computed by finite differences")
        repeated = repeated_calls(reply.get("calls"))
        if repeated is not None and len(self._repeats) < self.CAP:
            key = (name, repeated[0])
            self._repeats[key] = max(self._repeats.get(key, 0), repeated[1])

    def texts(self) -> list[str]:
        """The flags; a repeated-calls flag of a net is left out when a backward was flagged for the same
        function (the net only calls that backward: the instructor should look there)."""
        in_backward = {function for (name, function) in self._repeats if "backward" in (name or "")}
        return self._texts + [repeated_calls_flag(name, function, count)
                              for (name, function), count in self._repeats.items()
                              if "backward" in (name or "") or function not in in_backward]


def scan_plan(plan: dict, forbidden) -> list[str]:
    """Flags for the files of ``plan`` that define graded names (their modules, snippets, notebooks)."""
    forbidden = set(forbidden)
    modules = plan.get("modules", {})
    sources = {}
    for spec in plan.get("names", {}).values():
        entry = modules.get(spec.get("module")) if isinstance(spec, dict) else None
        if entry:
            sources[entry.get("file", "?")] = entry.get("source", "")
    for snippet in plan.get("snippets", []):
        sources.setdefault(snippet.get("file", "?"), "")
        sources[snippet.get("file", "?")] += "\n" + snippet.get("source", "")
    for notebook in plan.get("notebooks", []):
        for i, cell in enumerate(notebook.get("cells", [])):
            sources[f"{notebook.get('file', 'notebook')} cell {i}"] = cell
    flags = []
    for file, source in sorted(sources.items()):
        for flag in scan_source(source, forbidden):
            text = f"{file}, line {flag}"
            if text not in flags:
                flags.append(text)
    return flags


def scan_source(source: str, forbidden: set) -> list[str]:
    """"<line>: <what>" for each shortcut in ``source`` (nothing when it does not parse, nested too deep
    included)."""
    try:
        tree = parse(source)
    except SyntaxError:   # repair.parse: also for a source nested too deep
        return []
    aliases = _module_aliases(tree)
    found = []
    for node in ast.walk(tree):
        try:
            what = _shortcut(node, forbidden, aliases)
        except RecursionError:   # ast.unparse of an attribute chain thousands deep
            what = "uses a name nested too deeply to show"
        if what and isinstance(node, (ast.stmt, ast.expr)):   # what _shortcut names: imports, attributes, calls
            found.append((node.lineno, what))
    return [f"{line}: {what}" for line, what in sorted(set(found))]


def _module_aliases(tree) -> dict:
    """Names bound to a module under another name: ``so`` -> "optimize" for ``import scipy.optimize as
    so`` or ``from scipy import optimize as so``."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name.rsplit(".", 1)[-1]
    return aliases


def _shortcut(node, forbidden: set, aliases: dict) -> str | None:
    if isinstance(node, ast.Import):
        bad = [alias.name for alias in node.names if alias.name.split(".")[0] in forbidden]
        return f"imports {bad[0]} (forbidden in this assignment)" if bad else None
    if isinstance(node, ast.ImportFrom) and not node.level:
        module = node.module or ""
        if module.split(".")[0] in forbidden:
            return f"imports {module} (forbidden in this assignment)"
        names = {alias.name for alias in node.names} & QUALIFIED.get(module.rsplit(".", 1)[-1], set())
        return f"imports {', '.join(sorted(names))} from {module}" if names else None
    base = _last_name(node.value) if isinstance(node, ast.Attribute) else ""
    if base and node.attr in QUALIFIED.get(aliases.get(base, base), ()):
        return f"uses {ast.unparse(node)}"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in DYNAMIC_CODE:
        return f"uses {node.func.id} (code built at run time)"   # called: a parameter named eval is not
    return None


def _last_name(node) -> str:
    """"optimize" for ``scipy.optimize`` or ``optimize``; "" for anything else."""
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
