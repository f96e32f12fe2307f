"""Grader-side proxies of objects that live in the worker (contracts §4).

``Remote`` is lazy: attribute access and ``[key]`` only build a path; a call, a set or ``fetch`` sends
one RPC. ``bool()``, ``len()`` and ``iter()`` raise ``TypeError`` (they would need a hidden RPC).
``inputs_of(student.theta, "x", "y")`` reaches the notebook's globals as they stood when a graded
notebook variable was captured.
"""


class Func:
    """A named helper function of the worker ("l1", "l2", "linf": norms of a difference vector)."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"Func({self.name!r})"


class Remote:
    """A path to an object in one incarnation of a sandbox's worker: a handle (or the graded names'
    root when ``handle`` is None) followed by attribute/item steps."""

    __slots__ = ("_sandbox", "_handle", "_path", "_generation", "_type", "_origin")

    def __init__(self, sandbox, handle, path, generation, type_name=None, origin=None):
        for name, value in (("_sandbox", sandbox), ("_handle", handle), ("_path", path),
                            ("_generation", generation), ("_type", type_name), ("_origin", origin)):
            object.__setattr__(self, name, value)

    def _step(self, kind, key):
        return Remote(self._sandbox, self._handle, self._path + ((kind, key),), self._generation,
                      origin=self._origin)

    def _graded_name(self):
        """The graded name this path calls, with its attribute steps: "affine_forward", and
        "FullyConnectedNet.loss" for a method of an object a call of ``FullyConnectedNet`` made."""
        steps = [str(key) for kind, key in self._path if kind == "a"]
        if self._handle is not None:
            steps = ([self._origin] if self._origin else []) + steps
        return ".".join(steps) or None

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._step("a", name)

    def __getitem__(self, key):
        if type(key) not in (str, int):
            raise TypeError("a Remote can be indexed by str or int keys only; fetch() it first")
        return self._step("i", key)

    def __call__(self, *args, **kwargs):
        return self._sandbox._call(self, args, kwargs, keep=False)

    def keep(self, *args, **kwargs):
        """Call, keeping the whole result in the worker: returns a Remote."""
        return self._sandbox._call(self, args, kwargs, keep=True)

    def __setattr__(self, name, value):
        self._sandbox._set(self, "setattr", name, value)

    def __setitem__(self, key, value):
        self._sandbox._set(self, "setitem", key, value)

    def __bool__(self):
        raise TypeError("the truth value of a Remote needs fetch()")

    def __len__(self):
        raise TypeError("len() of a Remote needs fetch()")

    def __iter__(self):
        raise TypeError("iterating a Remote needs fetch()")

    def __repr__(self):
        base = "student" if self._handle is None else f"<{self._type or 'object'} #{self._handle}>"
        steps = "".join(f".{k}" if kind == "a" else f"[{k!r}]" for kind, k in self._path)
        return f"Remote({base}{steps})"


def is_remote(value):
    """``value`` is a handle of a worker object (a ``Remote``), not plain data."""
    return isinstance(value, Remote)


def type_name(value):
    """The type of ``value`` for a message: the worker-side type of a handle ("MyCache", or "object"
    when unknown), else ``type(value).__name__``."""
    if type(value) is Remote:
        return value._type or "object"
    return type(value).__name__


def inputs_of(variable, *names):
    """The notebook globals ``names`` as they stood right after the capture cell of the graded notebook
    variable ``variable`` (``student.theta``): a Remote for one name, a tuple of them for several;
    ``fetch`` them. Only plain data is kept (numbers, strings, numeric arrays, lists/tuples/dicts of
    them); a name that was not kept, or not defined then, raises NameMissing saying why."""
    if type(variable) is not Remote or variable._handle is not None or len(variable._path) != 1 \
            or variable._path[0][0] != "a":
        raise TypeError("inputs_of takes a graded notebook variable of the student (student.theta)")
    if not names or any(type(name) is not str for name in names):
        raise TypeError("inputs_of needs the names (str) of the notebook's variables")
    remotes = tuple(variable._step("g", name) for name in names)
    return remotes[0] if len(remotes) == 1 else remotes


def fetch(value):
    """Plain data of a Remote (get RPC; non-data -> BadValue); containers are fetched recursively."""
    if type(value) is Remote:
        return value._sandbox._get(value)
    if type(value) in (list, tuple):
        return type(value)(fetch(v) for v in value)
    if type(value) is dict:
        return {k: fetch(v) for k, v in value.items()}
    return value
