"""Forbidden shortcuts, seen from inside the worker (threats.md T17). Stdlib only.

* ``ImportBlocker``: a meta-path finder that refuses the libraries the assignment forbids (autodiff
  frameworks, ...): the import raises ImportError and a flag names the student file and line.
* ``CallCounter``: counts the Python calls made while one graded call runs (``sys.settrace`` with no
  line tracing: one dict update per call). ``most_called`` names the student function called most
  often among those that matter for a gradient: a graded name, a method of a graded class, or the
  called function itself (a helper nested in a graded function is not one: naive loops call those). A backward computed by finite differences of the forward calls that
  forward about twice per input entry; the grader decides what is too many. ``course_fast`` names the
  course's fast layer functions that were called (a naive function must not use them).
"""
import sys

FLAGS_CAP = 20
# The course's own fast layers (cs231n and C147 fast_layers.py, im2col.py): a "naive" function that
# calls one has not written the naive version (names of the code objects: conv_forward_fast is an alias).
COURSE_FAST = frozenset({
    "conv_forward_im2col", "conv_backward_im2col", "conv_forward_strides", "conv_backward_strides",
    "conv_forward_fast", "conv_backward_fast", "max_pool_forward_fast", "max_pool_backward_fast",
    "max_pool_forward_reshape", "max_pool_backward_reshape", "max_pool_forward_im2col",
    "max_pool_backward_im2col", "im2col_indices", "col2im_indices"})


class ImportBlocker:
    """Refuses ``forbidden`` top-level packages; ``flags`` collects one text per refused import."""

    def __init__(self, forbidden, files, flags):
        self.forbidden, self.files, self.flags = frozenset(forbidden), files, flags

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top not in self.forbidden:
            return None
        where = student_frame(self.files)
        text = (f"{where}: " if where else "") + f"imports {top} (forbidden in this assignment)"
        if text not in self.flags and len(self.flags) < FLAGS_CAP:
            self.flags.append(text)
        raise ImportError(f"{top} is not allowed in this assignment: it is graded on your own numpy code")

    def invalidate_caches(self):
        pass


def student_frame(files):
    """"cs231n/layers.py, line 3" of the innermost frame running a student file, or None."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if name in files or name.split(" cell ")[0] in files:
            return f"{name}, line {frame.f_lineno}"
        frame = frame.f_back
    return None


class CallCounter:
    """``with CallCounter() as counts:`` counts calls per code object in the block."""

    def __init__(self):
        self.counts, self.owners = {}, {}
        self.tampered = False

    def __call__(self, frame, event, arg):
        code = frame.f_code
        counts = self.counts
        if code in counts:
            counts[code] += 1
        else:
            counts[code] = 1
            if code.co_varnames[:1] == ("self",) and not hasattr(code, "co_qualname"):  # Python 3.10
                self.owners[code] = type(frame.f_locals.get("self")).__name__
        return None

    def __enter__(self):
        self._before = sys.gettrace()
        sys.settrace(self)
        return self

    def __exit__(self, *exc):
        self.tampered = sys.gettrace() is not self
        sys.settrace(self._before)
        return False

    def course_fast(self):
        """Names of the course's fast layer functions called in the block (COURSE_FAST), sorted."""
        return sorted({code.co_name for code in self.counts if code.co_name in COURSE_FAST})

    def most_called(self, target, files, graded):
        """[name, count] of the most called student function that matters (see the module doc)."""
        own = getattr(getattr(target, "__func__", target), "__code__", None)
        best = None
        for code, count in self.counts.items():
            if code.co_filename not in files and code.co_filename.split(" cell ")[0] not in files:
                continue
            qualname = self.qualname(code).split(".")
            method = len(qualname) == 2 and qualname[0] in graded   # not a function nested in a graded one
            if code is own or code.co_name in graded or method:
                if best is None or count > best[1]:
                    best = [".".join(qualname), count]
        return best

    def qualname(self, code):
        """"Net.loss" for a method (Python 3.10 has no co_qualname: the class of ``self`` at its first call)."""
        if hasattr(code, "co_qualname"):
            return code.co_qualname
        owner = self.owners.get(code)
        return f"{owner}.{code.co_name}" if owner else code.co_name
