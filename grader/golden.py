"""Reference values for tests: computed from ``reference``, or replayed in a student kit.

``golden(key, fn)`` in a test returns ``fn(reference)``. Three modes:

* ``compute``: the grader has the answer key; values are computed in the grader process.
* ``record``: as ``compute``, and every value is kept, to be written into a student kit.
* ``replay``: a student kit, where ``reference`` is absent; values come from the kit's file.

``golden(key, fn, inputs=...)`` is a value that depends on inputs taken from the submission (a
notebook's own data): it is recorded with its inputs, once per example the kit is built from, and
replayed only for inputs close to recorded ones (rtol 1e-9): other inputs raise ``GoldenUnknownInputs``,
which a kit's check reports as not checkable there (an "info" outcome, grader.plugin), not as a failure.

Values are stored as tagged JSON (arrays as dtype, shape and a flat list): no pickle anywhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from grader.answer_key import AnswerKey
from grader.checks import CheckFailure


class GoldenMissing(Exception):
    """A kit has no recorded value for a key (the kit is older than its tests)."""


class GoldenUnknownInputs(CheckFailure):
    """A kit has no value recorded for the inputs the submission gave (its data differ from every
    example the kit was built from): the test cannot be checked with the kit."""


INPUTS_RTOL = 1e-9


def same_inputs(a, b) -> bool:
    """``a`` and ``b`` are the same plain data, arrays and floats within INPUTS_RTOL."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_inputs(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_inputs(a[k], b[k]) for k in a)
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return type(a) is type(b) and a == b
    try:
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=INPUTS_RTOL, atol=1e-12, equal_nan=True))


class GoldenStore:
    """Reference values keyed by test id and key."""

    def __init__(self, mode: str, values: dict | None = None, solution_dir: Path | None = None):
        if mode not in ("compute", "record", "replay"):
            raise ValueError(f"unknown golden mode {mode!r}")
        self.mode = mode
        # test id -> key -> a reference value, or for a key "(by inputs)" a list of (inputs, value) cases
        self.values: dict[str, dict[str, Any]] = values if values is not None else {}
        self.solution_dir = solution_dir
        self._reference = None

    @classmethod
    def for_assignment(cls, golden_file: Path, solution_dir: Path | None = None) -> "GoldenStore":
        """``replay`` when the assignment is a kit (it has a golden file), else ``compute``."""
        if golden_file.is_file():
            return cls.load(golden_file)
        return cls("compute", solution_dir=solution_dir)

    @classmethod
    def load(cls, file: Path) -> "GoldenStore":
        raw = json.loads(Path(file).read_text())
        return cls("replay", {test: {k: decode(v) for k, v in keys.items()} for test, keys in raw.items()})

    def save(self, file: Path) -> None:
        data = {test: {k: encode(v) for k, v in keys.items()} for test, keys in sorted(self.values.items())}
        Path(file).write_text(json.dumps(data, indent=None, separators=(",", ":")))

    @property
    def reference(self):
        """The answer key (grader.answer_key: the assignment's solution/, then ``reference``), built on
        first use; a kit has none."""
        if self._reference is None:
            self._reference = AnswerKey(self.solution_dir)
        return self._reference

    def getter(self, test_id: str):
        """The ``golden(key, fn)`` function of one test."""

        def golden(key: str, fn, inputs=None):
            if inputs is not None:
                return self._with_inputs(test_id, key, fn, inputs)
            if self.mode == "replay":
                try:
                    return self.values[test_id][key]
                except KeyError:
                    raise GoldenMissing(f"no recorded value '{key}' for {test_id}") from None
            value = fn(self.reference)
            if self.mode == "record":
                self.values.setdefault(test_id, {})[key] = value
            return value

        return golden

    def _with_inputs(self, test_id: str, key: str, fn, inputs):
        """``fn(reference)`` for inputs from the submission: recorded as (inputs, value) cases."""
        slot = f"{key} (by inputs)"
        if self.mode == "replay":
            cases = self.values.get(test_id, {}).get(slot)
            if cases is None:
                raise GoldenMissing(f"no recorded value '{key}' for {test_id}")
            for recorded, value in cases:
                if same_inputs(recorded, inputs):
                    return value
            raise GoldenUnknownInputs(
                "Cannot be checked with this kit: the kit holds reference values only for the course's "
                "data, and the data your notebook used differ from the course's (see the test of the data). "
                "When graded, this test is judged on your notebook's own data.")
        value = fn(self.reference)
        if self.mode == "record":
            cases = self.values.setdefault(test_id, {}).setdefault(slot, [])
            if not any(same_inputs(recorded, inputs) for recorded, _ in cases):
                cases.append((inputs, value))
        return value


def encode(value):
    """Tagged JSON for plain data: None, bool, int, float, str, list, tuple, dict, ndarray."""
    if isinstance(value, np.ndarray):
        return {"__nd__": value.dtype.str, "shape": list(value.shape), "data": value.ravel().tolist()}
    if isinstance(value, np.generic):
        return encode(value.item())
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[encode(k), encode(v)] for k, v in value.items()]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"golden values must be plain data, not {type(value).__name__}")


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "__nd__" in value:
            return np.array(value["data"], dtype=np.dtype(value["__nd__"])).reshape(value["shape"])
        if "__tuple__" in value:
            return tuple(decode(v) for v in value["__tuple__"])
        if "__dict__" in value:
            return {decode(k): decode(v) for k, v in value["__dict__"]}
        raise ValueError(f"unknown tagged value with keys {sorted(value)}")
    return value
