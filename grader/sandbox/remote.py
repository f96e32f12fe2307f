"""Grader-side proxies of objects that live in the worker (contracts §4).

``Remote`` is lazy: attribute access and ``[key]`` only build a path; a call, a set or ``fetch`` sends
one RPC through the ``Owner`` of its ``Target`` (the Sandbox it came from). ``bool()``, ``len()`` and
``iter()`` raise ``TypeError`` (they would need a hidden RPC). ``inputs_of(student.theta, "x", "y")``
reaches the notebook's globals as they stood when a graded notebook variable was captured.

A Remote has no public attribute but ``keep`` (any other name is a step of the path to the student's
object): the functions of this module (``is_remote``, ``target_of``, ``graded_name``, ``type_name``,
``fetch``) read it.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Protocol

Step = tuple[str, Any]    # ("a", attribute name), ("i", str or int key), ("g", notebook global)


class Func:
    """A named helper function of the worker ("l1", "l2", "linf": norms of a difference vector)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Func({self.name!r})"


class Owner(Protocol):
    """What sends the requests of a Remote to its worker (Sandbox)."""

    def call(self, target: Target, args: tuple[Any, ...], kwargs: dict[str, Any], keep: bool) -> Any: ...

    def get(self, target: Target) -> Any: ...

    def assign(self, target: Target, op: str, key: Any, value: Any) -> None: ...


@dataclasses.dataclass(frozen=True, eq=False)
class Target:
    """Where a Remote points: ``handle`` (None: the root of the graded names) followed by ``path``
    steps, in incarnation ``generation`` of ``owner``'s worker. ``type``: the worker-side type name of
    the handle; ``origin``: the graded name whose call made it."""

    owner: Owner
    handle: int | None
    path: tuple[Step, ...] = ()
    generation: int = 0
    type: str | None = None
    origin: str | None = None

    def step(self, kind: str, key: Any) -> Target:
        return Target(self.owner, self.handle, self.path + ((kind, key),), self.generation, origin=self.origin)

    @property
    def graded_name(self) -> str | None:
        """The graded name this path calls, with its attribute steps: "affine_forward", and
        "FullyConnectedNet.loss" for a method of an object a call of ``FullyConnectedNet`` made."""
        steps = [str(key) for kind, key in self.path if kind == "a"]
        if self.handle is not None:
            steps = ([self.origin] if self.origin else []) + steps
        return ".".join(steps) or None

    def reference(self) -> dict[str, Any]:
        """The wire form ``{"$r": handle, "p": [[kind, key], ...]}`` (wire.py)."""
        return {"$r": self.handle, "p": [list(step) for step in self.path]}


class Remote:
    """A path to an object in one incarnation of a sandbox's worker (its ``Target``)."""

    __slots__ = ("_target",)
    _target: Target

    def __init__(self, target: Target) -> None:
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name: str) -> Remote:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Remote(self._target.step("a", name))

    def __getitem__(self, key: str | int) -> Remote:
        if type(key) not in (str, int):
            raise TypeError("a Remote can be indexed by str or int keys only; fetch() it first")
        return Remote(self._target.step("i", key))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._target.owner.call(self._target, args, kwargs, keep=False)

    def keep(self, *args: Any, **kwargs: Any) -> Any:
        """Call, keeping the whole result in the worker: returns a Remote."""
        return self._target.owner.call(self._target, args, kwargs, keep=True)

    def __setattr__(self, name: str, value: Any) -> None:
        self._target.owner.assign(self._target, "setattr", name, value)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._target.owner.assign(self._target, "setitem", key, value)

    def __bool__(self) -> bool:
        raise TypeError("the truth value of a Remote needs fetch()")

    def __len__(self) -> int:
        raise TypeError("len() of a Remote needs fetch()")

    def __iter__(self) -> Any:
        raise TypeError("iterating a Remote needs fetch()")

    def __repr__(self) -> str:
        target = self._target
        base = "student" if target.handle is None else f"<{target.type or 'object'} #{target.handle}>"
        steps = "".join(f".{k}" if kind == "a" else f"[{k!r}]" for kind, k in target.path)
        return f"Remote({base}{steps})"


def is_remote(value: object) -> bool:
    """``value`` is a handle of a worker object (a ``Remote``), not plain data."""
    return isinstance(value, Remote)


def target_of(value: Remote) -> Target:
    """Where the Remote ``value`` points."""
    return value._target


def graded_name(value: Remote) -> str | None:
    """The graded name a call of ``value`` calls ("theta" for ``student.theta``; see Target)."""
    return target_of(value).graded_name


def type_name(value: object) -> str:
    """The type of ``value`` for a message: the worker-side type of a handle ("MyCache", or "object"
    when unknown), else ``type(value).__name__``."""
    if type(value) is Remote:
        return target_of(value).type or "object"
    return type(value).__name__


def inputs_of(variable: Remote, *names: str) -> Remote | tuple[Remote, ...]:
    """The notebook globals ``names`` as they stood right after the capture cell of the graded notebook
    variable ``variable`` (``student.theta``): a Remote for one name, a tuple of them for several;
    ``fetch`` them. Only plain data is kept (numbers, strings, numeric arrays, lists/tuples/dicts of
    them); a name that was not kept, or not defined then, raises NameMissing saying why."""
    target = target_of(variable) if type(variable) is Remote else None
    if target is None or target.handle is not None or len(target.path) != 1 or target.path[0][0] != "a":
        raise TypeError("inputs_of takes a graded notebook variable of the student (student.theta)")
    if not names or any(type(name) is not str for name in names):
        raise TypeError("inputs_of needs the names (str) of the notebook's variables")
    remotes = tuple(Remote(target.step("g", name)) for name in names)
    return remotes[0] if len(remotes) == 1 else remotes


def fetch(value: Any) -> Any:
    """Plain data of a Remote (get RPC; non-data -> BadValue); containers are fetched recursively."""
    if type(value) is Remote:
        target = target_of(value)
        return target.owner.get(target)
    if type(value) in (list, tuple):
        return type(value)(fetch(v) for v in value)
    if type(value) is dict:
        return {k: fetch(v) for k, v in value.items()}
    return value
