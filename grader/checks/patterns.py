"""Describe *how* two same-shaped float arrays differ, in sentences a student can act on.

Given ``actual``, ``expected`` and the boolean mask ``bad`` of entries outside the tolerance, the
functions below name the value pattern (a constant factor, a constant offset, zeros where nonzero
values were expected) and the location pattern (only the last column, only row 3, only
``dx[:, :, :, -1]``, only a few listed entries). Used by ``compare`` and by the gradient checker's
coordinate diagnostics.
"""

import numpy as np

MAX_LISTED_ENTRIES = 3
MAX_LISTED_INDICES = 3


def index_str(index) -> str:
    """``(1, 2)`` -> ``"[1, 2]"``; ``()`` -> ``""`` (a scalar has no index)."""
    index = tuple(int(i) for i in np.atleast_1d(index)) if not isinstance(index, tuple) else index
    return "[" + ", ".join(str(int(i)) for i in index) + "]" if index else ""


def value_pattern(actual, expected, bad, atol, rtol):
    """One sentence naming a pattern of the values (factor, offset, zeros), or None.

    Factor: actual ≈ c·expected for every entry with c = (a·e)/(e·e) ≠ 1.
    Offset: actual − expected ≈ the same nonzero constant everywhere.
    Zeros: every differing entry of actual is exactly 0 while expected is not.
    """
    a = actual.astype(np.float64).ravel()
    e = expected.astype(np.float64).ravel()
    b = bad.ravel()
    if not b.any():
        return None

    def close(x, y):
        return bool(np.all(np.abs(x - y) <= atol + rtol * np.abs(y)))

    if np.all(a == 0) and np.any(e != 0):
        return "every entry is zero where nonzero values were expected"
    ee = float(e @ e)
    if ee > 0 and a.size > 1:
        factor = float(a @ e) / ee
        if factor != 0 and close(a, factor * e) and not close(factor * e, e):
            if abs(factor + 1) < 1e-6:
                return "every entry has the wrong sign (off by the factor -1)"
            return f"every entry is off by the factor {factor:.4g}"
    if a.size > 1:
        offset = float(np.mean(a - e))
        if close(a, e + offset):
            return f"every entry is off by the constant {offset:.4g}"
    if np.all(a[b] == 0) and np.all(e[b] != 0):
        return "the entries are zero where nonzero values were expected"
    return None


def _axis_words(ndim, axis):
    """Name of the slices along ``axis`` for 1-d and 2-d arrays ("row", "column"), else None."""
    if ndim == 2:
        return ("row", "rows") if axis == 0 else ("column", "columns")
    return None


def _index_name(i, size):
    return "-1" if i == size - 1 and size > 1 else str(i)


def _describe_axis(name, shape, axis, indices):
    """'only the last column differs', 'only rows 0, 3 differ', 'only dx[:, :, :, -1] differs'."""
    size = shape[axis]
    words = _axis_words(len(shape), axis)
    if words is not None:
        if len(indices) == 1:
            i = indices[0]
            if i == size - 1 and size > 1:
                return f"only the last {words[0]} differs"
            if i == 0:
                return f"only the first {words[0]} differs"
            return f"only {words[0]} {i} differs"
        return f"only {words[1]} " + ", ".join(str(i) for i in indices) + " differ"
    parts = [":"] * len(shape)
    if len(indices) == 1:
        parts[axis] = _index_name(indices[0], size)
        return f"only {name}[{', '.join(parts)}] differs"
    parts[axis] = "[" + ", ".join(str(i) for i in indices) + "]"
    return f"only {name}[{', '.join(parts)}] differ"


def location_pattern(name, bad):
    """One sentence naming where the differing entries are, or None when they are everywhere."""
    if bad.ndim == 0 or not bad.any() or bad.all():
        return None
    where = np.argwhere(bad)
    listed = ", ".join(f"{name}{index_str(tuple(w))}" for w in where[:MAX_LISTED_ENTRIES])
    listed = f"only {listed} " + ("differs" if len(where) == 1 else "differ")
    if len(where) == 1:
        return listed
    best = None
    for axis in range(bad.ndim):
        indices = np.unique(where[:, axis])
        if len(indices) > MAX_LISTED_INDICES or len(indices) == bad.shape[axis]:
            continue
        fraction = len(indices) / bad.shape[axis]
        if best is None or (len(indices), fraction) < (len(best[2]), best[0]):
            best = (fraction, axis, [int(i) for i in indices])
    if len(where) <= MAX_LISTED_ENTRIES and (best is None or len(best[2]) > 1):
        return listed
    if best is None:
        return None
    return _describe_axis(name, bad.shape, best[1], best[2])


def describe(name, actual, expected, bad, atol, rtol):
    """The pattern sentences (location first, then values), joined; '' when there is none."""
    location = location_pattern(name, bad)
    values = value_pattern(actual, expected, bad, atol, rtol)
    if location and values and values.startswith("every entry"):
        location = None  # the value pattern already says it is everywhere
    sentences = [s for s in (location, values) if s]
    if not sentences:
        return ""
    text = "; ".join(sentences)
    return text[0].upper() + text[1:] + "."


def worst_entries(actual, expected, count=3):
    """Indices of the ``count`` entries with the largest absolute difference, worst first."""
    diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64)).ravel()
    order = np.argsort(-diff, kind="stable")[:count]
    return [np.unravel_index(int(i), actual.shape) for i in order if diff[i] > 0]
