"""Python 2 leftovers rewritten as Python 3, token by token, keeping every line where it was.

Handled: `print x`, `print "a", b,` (end=" "), `print >>f, x` (file=f), bare `print`;
`exec code in ns`; backticks (repr); `except E, e:`; `raise E, msg`; `<>`; `10L`; `0777`; `ur"..."`.
Anything else is left as it is (the caller drops what still does not parse).

python2_names(tree) and future_division(tree) tell, on the parsed result, whether code was written
for Python 2 (builtins and methods Python 3 removed) and whether it asks for true division.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from tokenize import COMMENT, DEDENT, ENDMARKER, ERRORTOKEN, INDENT, NAME, NEWLINE, NL, NUMBER, OP, STRING

_OPEN, _CLOSE = "([{", ")]}"
_EXPR_START_OPS = {"(", "[", "{", "-", "+", "~", ">>"}


def _tokens(text: str) -> list:
    """Significant tokens (no NL/COMMENT/whitespace errors), as far as tokenize gets."""
    found = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (NL, COMMENT) or (tok.type == ERRORTOKEN and not tok.string.strip()):
                continue
            found.append(tok)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return found


class _Rewriter:
    def __init__(self, text: str):
        self.text = text
        self.starts = [0]
        for line in text.split("\n"):
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.toks = _tokens(text)
        self.depth = []
        depth = 0
        for tok in self.toks:
            self.depth.append(depth)
            if tok.type == OP and tok.string in _OPEN:
                depth += 1
            elif tok.type == OP and tok.string in _CLOSE:
                depth = max(depth - 1, 0)
            elif tok.type == NEWLINE:
                depth = 0
        self.edits: list[tuple[int, int, str]] = []

    def off(self, pos) -> int:
        return self.starts[pos[0] - 1] + pos[1]

    def span(self, first: int, last: int) -> str:
        """Source text from token `first` to token `last` inclusive."""
        return self.text[self.off(self.toks[first].start):self.off(self.toks[last].end)]

    def is_end(self, k: int) -> bool:
        tok = self.toks[k]
        return tok.type in (NEWLINE, ENDMARKER) or (tok.type == OP and tok.string == ";" and self.depth[k] == 0)

    def statement_end(self, j: int) -> int:
        """Index of the token that ends the statement containing token j."""
        k = j
        while k < len(self.toks) and not self.is_end(k):
            k += 1
        return k

    def is_statement_start(self, i: int) -> bool:
        if i == 0:
            return True
        prev = self.toks[i - 1]
        if prev.type in (NEWLINE, INDENT, DEDENT):
            return True
        return prev.type == OP and prev.string in (";", ":") and self.depth[i - 1] == 0

    def top_level(self, first: int, stop: int, kind: int, string: str) -> list:
        """Indices in [first, stop) of depth-0 tokens of this kind and string."""
        return [k for k in range(first, stop)
                if self.toks[k].type == kind and self.toks[k].string == string and self.depth[k] == 0]

    def starts_expression(self, j: int) -> bool:
        tok = self.toks[j]
        if tok.type in (NAME, NUMBER, STRING) or (tok.type == ERRORTOKEN and tok.string == "`"):
            return True
        return tok.type == OP and tok.string in _EXPR_START_OPS

    def is_call_statement(self, j: int, k: int) -> bool:
        """`name(...)` covering the whole statement: already Python 3."""
        if self.toks[j].string != "(":
            return False
        depth = 0
        for m in range(j, k):
            s = self.toks[m].string if self.toks[m].type == OP else ""
            depth += (s in _OPEN) - (s in _CLOSE)
            if depth == 0:
                return m == k - 1
        return False

    def edit(self, start, end, text):
        self.edits.append((self.off(start), self.off(end), text))

    def fix_print(self, i: int) -> None:
        j = i + 1
        if j >= len(self.toks):
            return
        if self.is_end(j):
            self.edit(self.toks[i].start, self.toks[i].end, "print()")
            return
        if not self.starts_expression(j):
            return
        k = self.statement_end(j)
        if self.is_call_statement(j, k):
            return
        last = k - 1
        trailing = self.toks[last].type == OP and self.toks[last].string == "," and self.depth[last] == 0
        if trailing:
            last -= 1
        parts, first = [], j
        dest = None
        if self.toks[j].string == ">>":
            commas = self.top_level(j + 1, last + 1, OP, ",")
            dest_end = commas[0] - 1 if commas else last
            dest = self.span(j + 1, dest_end)
            first = dest_end + 2
        if first <= last:
            parts.append(self.span(first, last))
        if dest is not None:
            parts.append(f"file={dest}")
        if trailing:
            parts.append('end=" "')
        self.edit(self.toks[i].start, self.toks[k - 1].end, "print(" + ", ".join(parts) + ")")

    def fix_exec(self, i: int) -> None:
        j = i + 1
        if j >= len(self.toks) or self.is_end(j) or not self.starts_expression(j):
            return
        k = self.statement_end(j)
        if self.is_call_statement(j, k):
            return
        ins = self.top_level(j, k, NAME, "in")
        args = [self.span(j, ins[0] - 1), self.span(ins[0] + 1, k - 1)] if ins else [self.span(j, k - 1)]
        self.edit(self.toks[i].start, self.toks[k - 1].end, "exec(" + ", ".join(args) + ")")

    def fix_except(self, i: int) -> None:
        colons = self.top_level(i + 1, self.statement_end(i + 1), OP, ":")
        if not colons:
            return
        commas = self.top_level(i + 1, colons[0], OP, ",")
        if len(commas) == 1 and commas[0] == colons[0] - 2 and self.toks[colons[0] - 1].type == NAME:
            self.edit(self.toks[commas[0]].start, self.toks[commas[0]].end, " as")

    def fix_raise(self, i: int) -> None:
        k = self.statement_end(i + 1)
        commas = self.top_level(i + 1, k, OP, ",")
        if len(commas) == 1 and commas[0] + 1 < k:
            c = commas[0]
            self.edit(self.toks[c].start, self.toks[k - 1].end, "(" + self.span(c + 1, k - 1) + ")")

    def apply(self) -> str:
        out, pos = [], 0
        for start, end, text in sorted(self.edits):
            if start < pos:
                continue                      # overlapping edit (nested leftovers): keep the first
            out.append(self.text[pos:start])
            out.append(text)
            pos = end
        out.append(self.text[pos:])
        return "".join(out)

    def fix_statements(self) -> None:
        fixers = {"print": self.fix_print, "exec": self.fix_exec, "except": self.fix_except,
                  "raise": self.fix_raise}
        for i, tok in enumerate(self.toks):
            if tok.type == NAME and tok.string in fixers and self.is_statement_start(i):
                fixers[tok.string](i)


_LITERAL_FIXES = [
    (re.compile(r"(?<![\w.])(\d+|0[xX][0-9a-fA-F]+)[lL]\b"), r"\1"),          # 10L
    (re.compile(r"(?<![\w.])0([0-7]+)\b(?![.eEjJ])"), r"0o\1"),               # 0777
    (re.compile(r"(?<!\w)[uU]([rR])$"), r"\1"),                                # ur"..." (prefix before a quote)
    (re.compile(r"<>"), "!="),
]
_TRIPLES = ("'" * 3, '"' * 3)


def code_spans(text: str) -> list:
    """[(start, end)] of the text outside string literals and comments (a small scanner)."""
    spans, i, start, n = [], 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            spans.append((start, i))
            i = text.find("\n", i)
            i = n if i < 0 else i
            start = i
        elif ch in "'\"":
            spans.append((start, i))
            quote = text[i:i + 3] if text[i:i + 3] in _TRIPLES else ch
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                if quote == ch and text[i] == "\n":
                    break
                i += 2 if text[i] == "\\" else 1
            i = min(i + len(quote), n)
            start = i
        else:
            i += 1
    spans.append((start, n))
    return [(a, b) for a, b in spans if a < b]


def fix_literals(text: str) -> str:
    """Backticks -> repr(...), `<>`, `10L`, `0777`, `ur"..."`, outside strings and comments (the
    tokenizer of Python 3.12+ stops at these, so they go before any tokenizing)."""
    out, ticks, pos = [], 0, 0
    for a, b in code_spans(text):
        out.append(text[pos:a])
        code = text[a:b]
        for pattern, replacement in _LITERAL_FIXES:
            code = pattern.sub(replacement, code)
        pieces = code.split("`")
        code = pieces[0]
        for piece in pieces[1:]:
            code += ("repr(" if ticks % 2 == 0 else ")") + piece
            ticks += 1
        out.append(code)
        pos = b
    out.append(text[pos:])
    return "".join(out)


def fix_python2(text: str) -> str:
    """`text` with the Python 2 constructs listed in the module docstring rewritten: literals first
    (fix_literals), then statements (print, exec, except, raise) on the result, token by token."""
    statements = _Rewriter(fix_literals(text))
    statements.fix_statements()
    return statements.apply()


_PY2_BUILTINS = ("xrange", "raw_input", "unicode", "basestring")
_PY2_METHODS = {"iteritems": 0, "itervalues": 0, "has_key": 1}     # method -> number of arguments
_COMPAT_MODULES = ("past", "builtins", "six", "future")


def _bindings(tree: ast.AST) -> tuple:
    """(names the code binds anywhere, names imported from a compatibility module)."""
    bound: set[str] = set()
    compat: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                module = node.module if isinstance(node, ast.ImportFrom) else alias.name
                from_compat = (module or "").split(".")[0] in _COMPAT_MODULES
                names = _PY2_BUILTINS if alias.name == "*" and from_compat else \
                    [alias.asname or alias.name.split(".")[0]]
                bound.update(names)
                compat.update(names if from_compat else ())
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return bound, compat


def python2_names(tree: ast.AST) -> list:
    """What in `tree` exists only in Python 2 (sorted): the builtins `xrange`, `raw_input`,
    `unicode`, `basestring` read but never bound (imported, defined, assigned) in the code, and
    calls `x.iteritems()`, `x.itervalues()`, `x.has_key(k)` of methods the code does not define
    (a call on a module imported from past/builtins/six/future is not one)."""
    bound, compat = _bindings(tree)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in _PY2_BUILTINS \
                and node.id not in bound:
            found.add(node.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.keywords \
                and _PY2_METHODS.get(node.func.attr) == len(node.args) and node.func.attr not in bound \
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id in compat):
            found.add(f".{node.func.attr}()")
    return sorted(found)


def future_division(tree: ast.Module) -> bool:
    """The code starts with `from __future__ import division` (true division, as in Python 3)."""
    return any(isinstance(node, ast.ImportFrom) and node.module == "__future__"
               and any(alias.name == "division" for alias in node.names) for node in tree.body)


_SHAPE_CALLS = {"zeros", "ones", "empty", "full", "reshape", "randn", "rand", "range", "xrange", "arange"}


def division_as_integer(tree: ast.AST) -> str | None:
    """Where the code uses a true division as an integer, which only Python 2's integer `/` allows: a
    `/` (or a name assigned from one, in the same function) as a slice bound or index, or as an argument
    of range/xrange/np.zeros/ones/empty/full/arange/reshape/randn/rand (`Hp = 1 + (H - HH) / stride`,
    then `np.zeros((N, F, Hp, Wp))`; `H = b.shape[0] / 4`, then `a[:, :H]`). None when there is none.
    A `/` wrapped in int(), round() or a floor is not one: it works in Python 3 too."""
    for scope in [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        divided = set()
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and _bare_division(node.value):
                divided |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(scope):
            if isinstance(node, ast.Subscript):
                bounds = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
                parts = [p for b in bounds for p in ((b.lower, b.upper, b.step) if isinstance(b, ast.Slice) else (b,))]
                if any(p is not None and _integer_use(p, divided) for p in parts):
                    return f"line {node.lineno}"
            elif isinstance(node, ast.Call) and _call_name(node) in _SHAPE_CALLS:
                args = [e for a in node.args for e in (a.elts if isinstance(a, (ast.Tuple, ast.List)) else [a])]
                if any(_integer_use(a, divided) for a in args):
                    return f"line {node.lineno}"
    return None


def _call_name(node: ast.Call) -> str:
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")


def _bare_division(node: ast.AST) -> bool:
    """`node` computes a true division not wrapped in int()/round()/floor (a Div at its top level of
    arithmetic: a + b / c counts, int(b / c) does not)."""
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, ast.Div) or _bare_division(node.left) or _bare_division(node.right)
    if isinstance(node, ast.UnaryOp):
        return _bare_division(node.operand)
    return False


def _integer_use(node: ast.AST, divided: set) -> bool:
    if _bare_division(node):
        return True
    names = [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
    arithmetic = isinstance(node, (ast.Name, ast.BinOp, ast.UnaryOp))
    return arithmetic and any(name in divided for name in names)
