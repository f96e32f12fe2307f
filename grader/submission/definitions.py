"""What top-level code defines and uses, read with `ast` (nothing is executed).

A Unit is the top-level statements of one .py file or of all code cells of one notebook, in order.
`snippet(unit, names)`: the statements defining `names` (the last definition of each, as after a
run), plus what they reference, transitively: imports binding a used name, every `from m import *`,
top-level functions, classes, cheap constants (assignments whose calls only go to imported
modules or builtins) and try/with/if blocks (not `if __name__ == "__main__"`), in source order.
`__future__` imports are left out (they are on in Python 3).
"""
from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
MUTATORS = {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update",
            "setdefault", "popitem", "add", "discard", "fill", "resize", "itemset", "put", "__setitem__"}


@dataclass
class Stmt:
    node: ast.stmt
    text: str
    cell: int = 0


@dataclass
class Unit:
    file: str
    stmts: list = field(default_factory=list)

    def add_tree(self, tree: ast.Module, source: str, cell: int = 0) -> None:
        lines = source.split("\n")
        for node in tree.body:
            self.stmts.append(Stmt(node, statement_text(node, lines), cell))

    def graded_definitions(self) -> dict:
        """name -> index of the last top-level def/class/assignment binding it."""
        found = {}
        for index, stmt in enumerate(self.stmts):
            for name in defined_by(stmt.node):
                found[name] = index
        return found


def is_stub(node: ast.stmt) -> bool:
    """A function whose body does nothing: docstring, `pass`, `...`, `return`/`return None`,
    or a bare raise of NotImplementedError (an untouched starter)."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    for stmt in node.body:
        if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            continue
        if isinstance(stmt, ast.Return) and (stmt.value is None or
                                             (isinstance(stmt.value, ast.Constant) and stmt.value.value is None)):
            continue
        if isinstance(stmt, ast.Raise) and _root_name(stmt.exc) == "NotImplementedError":
            continue
        return False
    return True


def skeleton(node) -> str:
    """The code of a definition without positions, comments and string statements (docstrings):
    equal for an untouched copy of the starter's definition, however it was re-indented or commented.
    (A dump of the tree written out directly: copying the tree to strip it cost ~1 ms a definition.)"""
    if isinstance(node, list):
        return "[" + ",".join(map(skeleton, node)) + "]"
    if not isinstance(node, ast.AST):
        return repr(node)
    parts = []
    for name, value in ast.iter_fields(node):
        if name == "body" and isinstance(value, list):
            value = [s for s in value if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                              and isinstance(s.value.value, str))] or [ast.Pass()]
        parts.append(skeleton(value))
    return f"{type(node).__name__}({','.join(parts)})"


def statement_text(node: ast.stmt, lines: list) -> str:
    """The statement's source, decorators included (top-level statements: decorators start a line)."""
    decorators = getattr(node, "decorator_list", [])
    first = min([node.lineno] + [d.lineno for d in decorators])
    start_col = 0 if first != node.lineno else node.col_offset
    last, end_col = node.end_lineno or node.lineno, node.end_col_offset  # a parsed node has both ends
    if first == last:
        return lines[first - 1][start_col:end_col]
    return "\n".join([lines[first - 1][start_col:]] + lines[first:last - 1] + [lines[last - 1][:end_col]])


def _target_names(target) -> list:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _target_names(elt)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


def defined_by(node: ast.stmt) -> list:
    """Names a top-level def, class or assignment statement defines (graded-name candidates)."""
    if isinstance(node, _DEFS):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [n for t in node.targets for n in _target_names(t)]
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        return _target_names(node.target)
    return []


def _import_names(node) -> list:
    if isinstance(node, ast.Import):
        return [a.asname or a.name.split(".")[0] for a in node.names]
    return [a.asname or a.name for a in node.names if a.name != "*"]


def module_scope_nodes(node: ast.AST):
    """`node` and its descendants that run at module scope, parents first: a def/class/lambda/
    comprehension is yielded itself, its body is not. (Iterative: an expression of a few thousand
    chained terms is deeper than Python's recursion limit.)"""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, _SCOPES):
            stack.extend(reversed(list(ast.iter_child_nodes(current))))


def binds(node: ast.stmt) -> set:
    """Names a top-level statement binds at module scope (imports, defs, assignments, loops, with,
    del); `x += 1` is not counted (it updates x)."""
    found, updated = set(), set()
    for sub in module_scope_nodes(node):
        if isinstance(sub, _DEFS):
            found.add(sub.name)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            found.update(_import_names(sub))
        elif isinstance(sub, ast.AugAssign) and isinstance(sub.target, ast.Name):
            updated.add(id(sub.target))
        elif isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)) and id(sub) not in updated:
            found.add(sub.id)
    return found


def _loaded_names(node: ast.AST) -> set:
    return {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name)}


def _root_name(expr) -> str | None:
    while isinstance(expr, (ast.Attribute, ast.Subscript, ast.Call)):
        expr = expr.func if isinstance(expr, ast.Call) else expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _is_cheap(node: ast.stmt, imported: set) -> bool:
    """An assignment whose calls only go to imported modules or builtins (no training loops)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            root = _root_name(sub.func)
            if root not in imported and not hasattr(builtins, root or ""):
                return False
    return True


def _is_main_guard(node: ast.If) -> bool:
    """`if __name__ == "__main__":` (a script's demo or training run, never needed by a snippet)."""
    return "__name__" in {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}


def _is_future(node) -> bool:
    return isinstance(node, ast.ImportFrom) and node.module == "__future__"


def snippet(unit: Unit, names: list) -> str:
    """Minimal source defining `names` with what they use (module docstring)."""
    defs = unit.graded_definitions()
    imported = set()
    for stmt in unit.stmts:
        if isinstance(stmt.node, (ast.Import, ast.ImportFrom)) and not _is_future(stmt.node):
            imported.update(_import_names(stmt.node))
    providers: dict[str, list[int]] = {}
    for index, stmt in enumerate(unit.stmts):
        node = stmt.node
        usable = (isinstance(node, (ast.Import, ast.ImportFrom, ast.Try, ast.With) + _DEFS)
                  or (isinstance(node, ast.If) and not _is_main_guard(node))
                  or (isinstance(node, (ast.Assign, ast.AnnAssign)) and _is_cheap(node, imported)))
        if usable and not _is_future(node):
            for name in binds(node):
                providers.setdefault(name, []).append(index)
    chosen = {index for index, stmt in enumerate(unit.stmts)
              if isinstance(stmt.node, ast.ImportFrom) and any(a.name == "*" for a in stmt.node.names)}
    work, seen = [defs[name] for name in names if name in defs], set()
    while work:
        index = work.pop()
        if index in seen:
            continue
        seen.add(index)
        chosen.add(index)
        for used in _loaded_names(unit.stmts[index].node):
            # the binding in force where the statement runs (defaults, decorators, class bodies) and the
            # last one (what a function body sees when it is called); statements keep their order
            found = providers.get(used, [])
            before = [i for i in found if i < index]
            for provider in {found[-1], before[-1]} if before else found[-1:]:
                if provider not in seen:
                    work.append(provider)
    return "\n".join(unit.stmts[i].text for i in sorted(chosen)) + "\n"


def bound_names(tree: ast.Module) -> set:
    """Names a cell binds at module scope (assignment, loop target, def, import, del; not `x += 1`)."""
    return set().union(*(binds(node) for node in tree.body))


def mutated_names(tree: ast.Module) -> set:
    """Names a cell changes in place at module scope: `v.append(..)`, `v[i] = ..`, `v.a = ..`, `v += ..`."""
    found = set()
    for node in tree.body:
        for sub in module_scope_nodes(node):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in MUTATORS:
                found.add(_root_name(sub.func.value))
            targets = []
            if isinstance(sub, (ast.Assign, ast.Delete)):
                targets = sub.targets
            elif isinstance(sub, (ast.AugAssign, ast.AnnAssign)):
                targets = [sub.target]
            for target in targets:
                if isinstance(target, (ast.Subscript, ast.Attribute)):
                    found.add(_root_name(target))
                elif isinstance(sub, ast.AugAssign) and isinstance(target, ast.Name):
                    found.add(target.id)
    found.discard(None)
    return found
