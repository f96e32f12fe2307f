"""Tolerance comparison of a student's value with the expected (reference) value, with diagnostics.

``compare`` walks ``expected`` recursively (dicts by key, lists/tuples by position, arrays and
numbers as leaves) and judges every numeric leaf elementwise:

    |actual − expected| ≤ atol + rtol_eff·|expected|,   atol = rtol_eff·max(1, max|expected|)

(the default ``atol`` scales with the magnitude of the data, so entries that are tiny next to the
largest one are not judged by a relative error they cannot meet).

float32 rule: when either side is float32, ``rtol_eff = max(rtol, FLOAT32_RTOL)`` with
``FLOAT32_RTOL = 1e-4``. Rationale (research/gradcheck.md §2a, §3.1): correct float32 code differed
from the float64 truth by at most 3.2e-6 max-abs over max|g| (30x below 1e-4), while the smallest
real bug measured was 4e-2 (400x above); 1e-4 is also the norm-wise float32 rule of the gradient
checker, so both tools draw the same line. Otherwise ``rtol_eff = rtol``.

No broadcasting, but axes of length 1 do not count: a value whose shape differs from the expected one
only by axes of length 1 (``(1, D)`` or ``(D, 1)`` for ``(D,)``, ``(N, 1)`` for ``(N,)``; the same
non-singleton axes in the same order, so the same entries in the same order) is reshaped to the
expected shape and judged by value, with a note ("accepted"): the course notebooks' ``rel_error``
broadcasts, so students never saw the difference, and the numbers are right. Any other shape
difference fails: ``(D, M)`` against ``(M, D)``, ``(N,)`` against ``(N, N)`` or ``(N·D,)`` against
``(N, D)``. The grader never broadcasts a student's value against its own. Bool against numbers is a kind
mismatch; int against float is judged by value (a note is added when such values differ). Only plain
data is accepted from the student (exact ``ndarray``, Python/numpy scalars, str, None, list, tuple,
dict); anything else is an "unsupported type".
"""

from dataclasses import dataclass

import numpy as np

from grader.checks import CheckFailure, note
from grader.checks.diagnose import diagnose
from grader.checks.patterns import describe, index_str

FLOAT32_RTOL = 1e-4
MAX_REPORTED_PARTS = 4
_SCALARS = (bool, int, float, np.bool_, np.integer, np.floating)


@dataclass(frozen=True)
class Comparison:
    """Result of ``compare``: ``ok``, the student-facing ``message`` ('' when ok), the
    ``diagnosis`` (named misconception or None), and the largest errors over all numeric leaves:
    ``max_abs = max|a − e|``, ``max_rel = max |a − e| / max(|e|, atol)`` (atol keeps it finite);
    ``notes``: what was accepted on the way (a shape differing only by axes of length 1)."""

    ok: bool
    message: str
    diagnosis: str | None
    max_abs: float
    max_rel: float
    notes: tuple = ()


@dataclass
class _Leaf:
    message: str = ""
    diagnosis: str | None = None
    max_abs: float = 0.0
    max_rel: float = 0.0
    note: str = ""

    @property
    def ok(self):
        return not self.message


def singleton_only(shape, expected_shape) -> bool:
    """True when ``shape`` differs from ``expected_shape`` only by axes of length 1: the same
    non-singleton axes in the same order (so a C-order reshape keeps every entry in its place)."""
    shape, expected_shape = tuple(shape), tuple(expected_shape)
    return shape != expected_shape and \
        tuple(d for d in shape if d != 1) == tuple(d for d in expected_shape if d != 1)


def shape_note(name, shape, expected_shape) -> str:
    """The note of an accepted singleton-only shape difference."""
    return (f"{name}: returned shape {tuple(shape)} where {tuple(expected_shape)} is expected (they differ "
            "only by axes of length 1): accepted, judged by value.")


def accept_singleton_shape(value, expected_shape, name):
    """``value`` reshaped to ``expected_shape`` (with a ``note``) when its shape differs only by axes of
    length 1; otherwise ``value`` unchanged. For checks that take a student's array outside ``compare``."""
    if isinstance(value, np.ndarray) and singleton_only(value.shape, expected_shape):
        note(shape_note(name, value.shape, expected_shape))
        return value.reshape(expected_shape)
    return value


def compare(actual, expected, *, name="output", rtol=1e-6, atol=None, alternatives=None, context=None):
    """Compare without raising; see the module docstring for the rule. Returns a ``Comparison``."""
    leaves = []
    _walk(actual, expected, name, rtol, atol, dict(alternatives or {}), context, leaves)
    failed = [leaf for leaf in leaves if not leaf.ok]
    max_abs = max((leaf.max_abs for leaf in leaves), default=0.0)
    max_rel = max((leaf.max_rel for leaf in leaves), default=0.0)
    if not failed:
        notes = tuple(leaf.note for leaf in leaves if leaf.note)
        for text in notes:
            note(text)
        return Comparison(True, "", None, max_abs, max_rel, notes)
    messages = [leaf.message for leaf in failed[:MAX_REPORTED_PARTS]]
    if len(failed) > MAX_REPORTED_PARTS:
        messages.append(f"... and {len(failed) - MAX_REPORTED_PARTS} more parts differ.")
    diagnosis = next((leaf.diagnosis for leaf in failed if leaf.diagnosis), None)
    return Comparison(False, "\n".join(messages), diagnosis, max_abs, max_rel)


def assert_close(actual, expected, *, name="output", rtol=1e-6, atol=None, alternatives=None, context=None):
    """``compare``, raising ``CheckFailure(message, diagnosis)`` when the values differ."""
    result = compare(actual, expected, name=name, rtol=rtol, atol=atol,
                     alternatives=alternatives, context=context)
    if not result.ok:
        raise CheckFailure(result.message, result.diagnosis)


def _type_name(value):
    if isinstance(value, np.ndarray):
        return f"{type(value).__name__} (an ndarray subclass)" if type(value) is not np.ndarray \
            else f"array of shape {value.shape}"
    from grader.sandbox.remote import type_name  # a handle: the type the value has in the student's code
    return type_name(value)


def _is_plain(value):
    """Plain data as it comes out of the sandbox (numpy scalars tolerated)."""
    if value is None or type(value) in (str, list, tuple, dict) or type(value) is np.ndarray:
        return True
    return isinstance(value, _SCALARS) and type(value).__module__ in ("builtins", "numpy")


def _is_number_list(value):
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(
        isinstance(v, _SCALARS) and not isinstance(v, (bool, np.bool_)) for v in value)


def _sub_alternatives(alternatives, key):
    """The part ``key`` of every alternative value that has the same structure."""
    sub = {}
    for label, value in alternatives.items():
        try:
            if isinstance(value, dict) and key in value:
                sub[label] = value[key]
            elif isinstance(value, (list, tuple)) and isinstance(key, int) and key < len(value):
                sub[label] = value[key]
        except TypeError:
            continue
    return sub


def _walk(actual, expected, name, rtol, atol, alternatives, context, leaves):
    if not _is_plain(actual):
        leaves.append(_Leaf(f"{name}: unsupported type {_type_name(actual)}; return plain numpy "
                            "arrays, numbers, lists, tuples or dicts."))
        return
    if isinstance(expected, dict):
        _walk_dict(actual, expected, name, rtol, atol, alternatives, context, leaves)
    elif isinstance(expected, (list, tuple)) and not (
            type(actual) is np.ndarray and _is_number_list(expected)):
        _walk_sequence(actual, expected, name, rtol, atol, alternatives, context, leaves)
    elif expected is None:
        if actual is not None:
            leaves.append(_Leaf(f"{name}: expected None, got {_type_name(actual)}."))
    elif isinstance(expected, str):
        if actual != expected:
            leaves.append(_Leaf(f"{name}: expected {expected!r}, got {actual!r}."))
    else:
        leaves.append(_compare_numeric(actual, expected, name, rtol, atol, alternatives, context))


def _walk_dict(actual, expected, name, rtol, atol, alternatives, context, leaves):
    if not isinstance(actual, dict):
        leaves.append(_Leaf(f"{name}: expected a dict with keys {sorted(map(str, expected))}, "
                            f"got {_type_name(actual)}."))
        return
    missing = [k for k in expected if k not in actual]
    extra = [k for k in actual if k not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing key" + ("s " if len(missing) > 1 else " ") + ", ".join(map(repr, missing)))
        if extra:
            parts.append("unexpected key" + ("s " if len(extra) > 1 else " ") + ", ".join(map(repr, extra)))
        diagnosis = _diagnose(actual, expected, alternatives, context)
        leaves.append(_Leaf(f"{name}: " + "; ".join(parts) + "."
                            + (f" Likely cause: {diagnosis}." if diagnosis else ""), diagnosis))
    for key in expected:
        if key in actual:
            _walk(actual[key], expected[key], f"{name}[{key!r}]", rtol, atol,
                  _sub_alternatives(alternatives, key), context, leaves)


def _walk_sequence(actual, expected, name, rtol, atol, alternatives, context, leaves):
    kind = "tuple" if isinstance(expected, tuple) else "list"
    if not isinstance(actual, (list, tuple)):
        if actual is None:
            leaves.append(_Leaf(f"{name}: got None where a {kind} of {len(expected)} items was "
                                "expected (a missing return statement?)."))
        else:
            leaves.append(_Leaf(f"{name}: expected a {kind} of {len(expected)} items, "
                                f"got {_type_name(actual)}."))
        return
    if len(actual) != len(expected):
        leaves.append(_Leaf(f"{name}: expected {len(expected)} items, got {len(actual)}."))
        return
    for i, (a, e) in enumerate(zip(actual, expected)):
        _walk(a, e, f"{name}[{i}]", rtol, atol, _sub_alternatives(alternatives, i), context, leaves)


def _diagnose(actual, expected, alternatives, context):
    """The named cause from ``grader.checks.diagnose.diagnose`` (or None)."""
    return diagnose(actual, expected, alternatives=alternatives or None, context=context)


def _kind(array):
    return "bool" if array.dtype.kind == "b" else "number" if array.dtype.kind in "iuf" else "other"


def _fmt(x):
    return f"{float(x):.6g}" if np.issubdtype(type(x), np.number) else repr(x)


def _compare_numeric(actual, expected, name, rtol, atol, alternatives, context):
    if actual is None:
        return _Leaf(f"{name}: got None where a value was expected (a missing return statement?).")
    if isinstance(actual, (str, dict)) or (isinstance(actual, (list, tuple)) and not _is_number_list(actual)):
        return _Leaf(f"{name}: expected {'a number' if np.ndim(expected) == 0 else 'an array'}, "
                     f"got {_type_name(actual)}.")
    a = np.asarray(actual)
    e = np.asarray(expected)
    if _kind(a) == "other":
        return _Leaf(f"{name}: unsupported dtype {a.dtype}; return float or integer values.")
    if _kind(a) != _kind(e):
        return _Leaf(f"{name}: expected {'booleans' if _kind(e) == 'bool' else 'numbers'} "
                     f"(dtype {e.dtype}), got {'booleans' if _kind(a) == 'bool' else 'numbers'} "
                     f"(dtype {a.dtype}).")
    if e.shape == () and a.size == 1:
        a = a.reshape(())  # a loss of shape (1,) or (1, 1) (`r.T @ r`, keepdims) is that scalar
    accepted = ""
    if singleton_only(a.shape, e.shape):
        accepted, a = shape_note(name, a.shape, e.shape), a.reshape(e.shape)
    if a.shape != e.shape:
        what = "a scalar" if e.shape == () else f"shape {e.shape}"
        got = "a scalar" if a.shape == () else f"shape {a.shape}"
        message = f"{name}: shape mismatch: expected {what}, got {got} (no broadcasting)."
        diagnosis = _diagnose(a, e, alternatives, context)
        return _Leaf(message + (f" Likely cause: {diagnosis}." if diagnosis else ""), diagnosis)
    leaf = _compare_bool(a, e, name) if e.dtype.kind == "b" else \
        _compare_float(a, e, name, rtol, atol, alternatives, context)
    if accepted:
        if leaf.ok:
            leaf.note = accepted
        else:
            leaf.message += (f" (The shape {tuple(np.shape(actual))} for {e.shape} is accepted: it differs "
                             "only by axes of length 1.)")
    return leaf


def _compare_bool(a, e, name):
    bad = a != e
    if not bad.any():
        return _Leaf()
    if a.ndim == 0:
        return _Leaf(f"{name}: got {bool(a)}, expected {bool(e)}.", max_abs=1.0, max_rel=1.0)
    first = index_str(tuple(np.argwhere(bad)[0])) if a.ndim else ""
    return _Leaf(f"{name}: {int(bad.sum())} of {a.size} entries differ (first at {name}{first}).",
                 max_abs=1.0, max_rel=1.0)


def _nonfinite_message(a, e, name):
    """Message when ``a`` has NaN/inf where ``e`` is finite (or differs in its non-finite entries)."""
    fa, fe = np.isfinite(a), np.isfinite(e)
    same_special = (~fa & ~fe) & ((a == e) | (np.isnan(a) & np.isnan(e)))
    wrong = (~fa & fe) | (~fe & ~same_special)
    if not wrong.any():
        return None
    kinds = [k for k, m in (("NaN", np.isnan(a)), ("inf", np.isinf(a))) if (m & wrong).any()]
    if a.ndim == 0:
        return f"{name}: got {a[()]}, expected {e[()]}."
    first = index_str(tuple(np.argwhere(wrong)[0]))
    where = f"{int(wrong.sum())} of {a.size} entries (first at {name}{first})"
    if not (~fa & fe & wrong).any():
        return f"{name}: the non-finite entries differ from the expected ones at {where}."
    return f"{name}: contains {' and '.join(kinds)} at {where} where finite values were expected."


def _compare_float(a, e, name, rtol, atol, alternatives, context):
    float32 = np.float32 in (a.dtype.type, e.dtype.type)
    rtol_eff = max(rtol, FLOAT32_RTOL) if float32 else rtol
    a64 = a.astype(np.float64)
    e64 = e.astype(np.float64)
    finite = np.isfinite(e64)
    scale = float(np.max(np.abs(e64[finite]), initial=0.0))
    atol_eff = rtol_eff * max(1.0, scale) if atol is None else float(atol)
    nonfinite = _nonfinite_message(a64, e64, name)
    if nonfinite:
        diagnosis = _diagnose(a, e, alternatives, context)
        return _Leaf(nonfinite + (f" Likely cause: {diagnosis}." if diagnosis else ""), diagnosis,
                     float("inf"), float("inf"))
    with np.errstate(invalid="ignore"):
        diff = np.where(finite, np.abs(a64 - e64), 0.0)
    rel = diff / np.maximum(np.abs(e64), atol_eff) if atol_eff > 0 else np.where(diff > 0, np.inf, 0.0)
    bad = diff > atol_eff + rtol_eff * np.where(finite, np.abs(e64), 0.0)
    max_abs, max_rel = float(diff.max(initial=0.0)), float(rel.max(initial=0.0))
    if not bad.any():
        return _Leaf(max_abs=max_abs, max_rel=max_rel)
    tolerance = f"|actual − expected| ≤ {atol_eff:.3g} + {rtol_eff:.3g}·|expected|"
    if a.ndim == 0:
        message = (f"{name}: got {_fmt(a64[()])}, expected {_fmt(e64[()])} (absolute error "
                   f"{max_abs:.3g}, relative error {max_rel:.3g}; tolerance {tolerance}).")
    else:
        i_abs = np.unravel_index(int(np.argmax(diff)), diff.shape)
        i_rel = np.unravel_index(int(np.argmax(rel)), rel.shape)
        message = (f"{name}: {int(bad.sum())} of {a.size} entries differ (tolerance {tolerance}). "
                   f"Largest absolute error {max_abs:.3g} at {name}{index_str(i_abs)}: got "
                   f"{_fmt(a64[i_abs])}, expected {_fmt(e64[i_abs])}.")
        if i_rel != i_abs:
            message += (f" Largest relative error {max_rel:.3g} at {name}{index_str(i_rel)}: got "
                        f"{_fmt(a64[i_rel])}, expected {_fmt(e64[i_rel])}.")
        pattern = describe(name, a64, e64, bad, atol_eff, rtol_eff)
        if pattern:
            message += " " + pattern
    if a.dtype.kind in "iu" and e.dtype.kind == "f":
        message += (f" Note: your values are integers (dtype {a.dtype}) where floating-point values "
                    "were expected (an integer array or integer division?).")
    diagnosis = _diagnose(a, e, alternatives, context)
    restated = diagnosis and diagnosis.startswith("scaled by ") and f"factor {diagnosis[10:]}" in message
    if diagnosis and not restated:  # "off by the factor 0.1" already says "scaled by 0.1"
        message += f" Likely cause: {diagnosis}."
    return _Leaf(message, diagnosis, max_abs, max_rel)
