"""What student code expects around it, installed in the worker before any student code runs.

No-op ``matplotlib``/``seaborn``/``IPython``/``mpl_toolkits``/``pylab`` (every attribute and call is a
no-op; iterating gives two no-ops, so ``fig, ax = plt.subplots()`` works); ``get_ipython()`` whose
methods do nothing (magics and shell lines never run); ``past.builtins.xrange`` and builtins ``xrange``;
the numpy aliases removed in 1.24 (``np.int`` ...); ``np.array``/``np.asarray`` of a ragged nested
sequence give an object array as before NumPy 1.24 (ragged_tolerant). Named helper functions for ``Func(name)``.
"""
import builtins
import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

import numpy as np

STUBBED = ("matplotlib", "seaborn", "IPython", "mpl_toolkits", "pylab")


class NoOp:
    """Anything: attributes, calls, items, context manager, iteration (two no-ops) all do nothing."""

    def __getattr__(self, name: str) -> "NoOp":
        if name.startswith("__"):
            raise AttributeError(name)
        return NoOp()

    def __call__(self, *args: object, **kwargs: object) -> "NoOp":
        return NoOp()

    def __getitem__(self, key: object) -> "NoOp":
        return NoOp()

    def __setitem__(self, key: object, value: object) -> None:
        pass

    def __iter__(self) -> Iterator["NoOp"]:
        return iter((NoOp(), NoOp()))

    def __enter__(self) -> "NoOp":
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        return False

    def __len__(self) -> int:
        return 2


class NoOpModule(types.ModuleType):
    def __getattr__(self, name: str) -> NoOp:
        if name.startswith("__"):
            raise AttributeError(name)
        return NoOp()


class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves every module under the stubbed top-level names as a NoOpModule."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".")[0] in STUBBED:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = NoOpModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        pass


class BlockFinder(importlib.abc.MetaPathFinder):
    """The grader and the answer key are never importable in the worker (they are also hidden)."""

    BLOCKED = ("grader", "reference", "pytest", "_pytest", "conftest", "sitecustomize", "usercustomize")

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> None:
        if fullname.split(".")[0] in self.BLOCKED:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


class FakeIPython:
    """``get_ipython()``: magics and shell commands are ignored."""

    def __getattr__(self, name: str) -> Callable[..., None]:
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *args, **kwargs: None


def install() -> None:
    """Install stubs and compatibility names; drop import paths that reach outside the stdlib/numpy."""
    for name in list(sys.modules):
        if name.split(".")[0] in STUBBED:
            del sys.modules[name]
    sys.meta_path[:] = [f for f in sys.meta_path if not type(f).__module__.startswith("__editable__")]
    sys.meta_path[:0] = [BlockFinder(), StubFinder()]
    sys.path_hooks[:] = [h for h in sys.path_hooks if "editable" not in repr(h)]
    past = types.ModuleType("past")
    past.__path__ = []
    past_builtins = types.ModuleType("past.builtins")
    vars(past_builtins).update(xrange=range, basestring=str, unicode=str)
    vars(past).update(builtins=past_builtins)
    sys.modules.update({"past": past, "past.builtins": past_builtins})
    ipython = FakeIPython()
    vars(builtins).update(xrange=range, get_ipython=lambda: ipython, display=lambda *args, **kwargs: None)
    for name, value in (("int", int), ("float", float), ("bool", bool), ("object", object),
                        ("complex", complex), ("str", str), ("long", int), ("unicode", str)):
        setattr(np, name, value)
    for name, value in removed_numpy_names().items():  # older students' code is judged on its math
        if value is not None and not hasattr(np, name):
            setattr(np, name, value)
    np.array, np.asarray = ragged_tolerant(np.array), ragged_tolerant(np.asarray)


def ragged_tolerant(make: Callable[..., Any]) -> Callable[..., Any]:
    """``make`` (``np.array`` or ``np.asarray``) as NumPy < 1.24 ran it: a ragged nested sequence given
    without a dtype becomes an object array (1.24 made that ValueError, "inhomogeneous shape")."""
    if getattr(make, "ragged_tolerant", False):
        return make

    def tolerant(*args: Any, **kwargs: Any) -> Any:
        try:
            return make(*args, **kwargs)
        except ValueError as exc:
            dtype = args[1] if len(args) > 1 else kwargs.get("dtype")
            if dtype is not None or not args or "inhomogeneous" not in str(exc):
                raise
            return make(*args, dtype=object, **{k: v for k, v in kwargs.items() if k != "dtype"})
    tolerant.__name__, tolerant.__qualname__, tolerant.__doc__ = make.__name__, make.__name__, make.__doc__
    vars(tolerant)["ragged_tolerant"] = True
    return tolerant


def removed_numpy_names() -> dict[str, Any]:
    """Names NumPy 1.x had and 2.x removed, as what they meant."""
    def asscalar(a: Any) -> Any:
        return np.asarray(a).item()

    def asfarray(a: Any, dtype: Any = np.float64) -> np.ndarray:
        return np.asarray(a, dtype=dtype if np.dtype(dtype).kind == "f" else np.float64)
    return {"asscalar": asscalar, "asfarray": asfarray, "float_": np.float64, "complex_": np.complex128,
            "round_": np.round, "product": np.prod, "cumproduct": np.cumprod, "alltrue": np.all,
            "sometrue": np.any, "in1d": np.isin, "msort": lambda a: np.sort(a, axis=0), "mat": np.asmatrix,
            "string_": np.bytes_, "unicode_": np.str_, "bool8": np.bool_, "int0": np.intp, "object0": np.object_,
            "NaN": np.nan, "NAN": np.nan, "Inf": np.inf, "Infinity": np.inf, "infty": np.inf, "PINF": np.inf,
            "NINF": -np.inf, "trapz": getattr(np, "trapezoid", None)}


def _norm(order: float) -> Callable[[Any], float]:
    def norm(d: Any) -> float:
        d = np.asarray(d, dtype=np.float64).ravel()
        return float(np.linalg.norm(d, order))
    norm.__name__ = f"norm_{order}"
    return norm


HELPERS = {"l1": _norm(1), "l2": _norm(2), "linf": _norm(np.inf)}
