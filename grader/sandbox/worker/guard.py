"""Forbidden shortcuts, seen from inside the worker (threats.md T17). Stdlib only.

* ``ImportBlocker``: a meta-path finder that refuses the libraries the assignment forbids (autodiff
  frameworks, ...): the import raises ImportError and a flag names the student file and line.
* ``CallCounter``: watches the Python calls made while one graded call runs (``sys.settrace`` with no
  line tracing). A backward computed by finite differences of the forward calls that forward, on
  whole-size inputs, about twice per input entry: ``most_called`` names the backward's own forward (or
  the called function itself) called most often that way, and the grader decides what is too many.
  ``course_numeric`` names the course's numerical gradient helpers that were called.
  ``course_fast`` names the course's fast layer functions that were called (a naive function must not
  use them).
"""
import importlib.machinery
import sys
import types
from collections.abc import Collection, Iterable, Sequence
from typing import Any, Literal

FLAGS_CAP = 20
# The course's own fast layers (cs231n and C147 fast_layers.py, im2col.py): a "naive" function that
# calls one has not written the naive version (names of the code objects: conv_forward_fast is an alias).
COURSE_FAST = frozenset({
    "conv_forward_im2col", "conv_backward_im2col", "conv_forward_strides", "conv_backward_strides",
    "conv_forward_fast", "conv_backward_fast", "max_pool_forward_fast", "max_pool_backward_fast",
    "max_pool_forward_reshape", "max_pool_backward_reshape", "max_pool_forward_im2col",
    "max_pool_backward_im2col"})
# The course's numerical gradient helpers (cs231n gradient_check.py, C147's grad_check_sparse): a graded
# function that returns a gradient and calls one computes that gradient numerically.
COURSE_NUMERIC = frozenset({"eval_numerical_gradient", "eval_numerical_gradient_array",
                            "eval_numerical_gradient_blobs", "approx_fprime", "check_grad"})


class ImportBlocker:
    """Refuses ``forbidden`` top-level packages; ``flags`` collects one text per refused import."""

    def __init__(self, forbidden: Iterable[str], files: Collection[str], flags: list[str]) -> None:
        self.forbidden, self.files, self.flags = frozenset(forbidden), files, flags

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        top = fullname.partition(".")[0]
        if top not in self.forbidden:
            return None
        where = student_frame(self.files)
        text = (f"{where}: " if where else "") + f"imports {top} (forbidden in this assignment)"
        if text not in self.flags and len(self.flags) < FLAGS_CAP:
            self.flags.append(text)
        raise ImportError(f"{top} is not allowed in this assignment: it is graded on your own numpy code")

    def invalidate_caches(self) -> None:
        pass


def student_frame(files: Collection[str]) -> str | None:
    """"cs231n/layers.py, line 3" of the innermost frame running a student file, or None."""
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if name in files or name.split(" cell ")[0] in files:
            return f"{name}, line {frame.f_lineno}"
        frame = frame.f_back
    return None


class CallCounter:
    """``with CallCounter(target, args, files, graded):`` counts, while one graded call runs, the calls of
    the functions that matter for a gradient by finite differences: the called function itself, and for
    a backward its own graded forward (``conv_backward_naive`` -> ``conv_*forward*``), each call counted
    only when it is given an array at least ``SIZE_SHARE`` as large as the largest the graded call was
    given (a finite difference perturbs the whole input; loops pass slices). Other graded functions,
    helpers and methods are not counted: honest code calls them per window, per entry or per time step
    (``lstm_backward`` calls ``lstm_step_backward``, a naive conv may call ``affine_forward``)."""

    SIZE_SHARE = 0.4

    def __init__(self, target: Any, args: Any, files: Collection[str], graded: Iterable[str]) -> None:
        self.own = getattr(getattr(target, "__func__", target), "__code__", None)
        self.files = files
        name = self.own.co_name if self.own is not None else ""
        prefix = name.split("backward")[0] if "backward" in name else None
        self.pairs = frozenset(g for g in graded if prefix is not None and g.startswith(prefix) and "forward" in g)
        self.size = max(1, int(largest_array(args) * self.SIZE_SHARE))
        self.counts: dict[types.CodeType, int] = {}
        self.seen: set[types.CodeType] = set()
        self.tampered = False

    def __call__(self, frame: types.FrameType, event: str, arg: Any) -> None:
        code = frame.f_code
        self.seen.add(code)
        if code is self.own or (code.co_name in self.pairs and
                                (code.co_filename in self.files or code.co_filename.split(" cell ")[0] in self.files)):
            if largest_array(frame.f_locals.values()) >= self.size:
                self.counts[code] = self.counts.get(code, 0) + 1
        return None

    def __enter__(self) -> "CallCounter":
        self._before = sys.gettrace()
        sys.settrace(self)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self.tampered = sys.gettrace() is not self
        sys.settrace(self._before)
        return False

    def course_fast(self) -> list[str]:
        """Names of the course's fast layer functions (COURSE_FAST) called in the block from another file
        than the graded function's (a student's own helper named im2col_indices beside it is theirs)."""
        home = self.own.co_filename if self.own is not None else None
        return sorted({code.co_name for code in self.seen if code.co_name in COURSE_FAST and code.co_filename != home})

    def course_numeric(self) -> list[str]:
        """Names of the course's numerical gradient helpers (COURSE_NUMERIC) called in the block."""
        return sorted({code.co_name for code in self.seen if code.co_name in COURSE_NUMERIC})

    def most_called(self) -> list[Any] | None:
        """[name, count] of the function counted most often (see the class doc), or None."""
        if not self.counts:
            return None
        code, count = max(self.counts.items(), key=lambda item: item[1])
        return [code.co_name if code is not self.own else getattr(code, "co_qualname", code.co_name), count]


def largest_array(values: Iterable[Any], depth: int = 2) -> int:
    """The number of entries of the largest numpy array among ``values`` (in tuples, lists and dicts
    ``depth`` levels down: a cache), 0 when there is none."""
    best = 0
    for value in values:
        size = getattr(value, "size", None) if type(value).__module__ == "numpy" else None
        if type(size) is int:
            best = max(best, size)
        elif depth and isinstance(value, (tuple, list)):
            best = max(best, largest_array(value[:64], depth - 1))
        elif depth and isinstance(value, dict):
            best = max(best, largest_array(list(value.values())[:64], depth - 1))
    return best
