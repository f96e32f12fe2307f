"""Name the likely cause of a wrong value: cheap hypotheses tried against the expected (reference) value.

``diagnose(actual, expected)`` returns the ``Diagnosis`` of the likely cause (a short phrase a student
understands, carrying its misconception id: grader.checks.misconceptions), or None. Hypotheses, in
order (the first that fits wins):

1. shape level: transposed; right values in another shape (reshape missing); summed over an axis that
   should be kept; a crop of the expected value (a smaller sub-array at some offset: the top-left one is
   an output size computed too small); the shape of the other convention (reversed shape, other values);
2. non-finite values where the reference is finite: softmax without the max shift, when
   ``context["large_offset"]`` says the inputs carry a large constant offset (+1000 on the scores);
3. each named alternative ``{label: value}`` (reference values of known misconceptions: the test
   knows them best; a label is a ``cause(...)``, a registered id, or an assignment's own phrase);
4. value level: transposed (square), reverse order, zero everywhere, sign flipped, scaled by each
   size of ``context`` (``{"N": 5}``: N, 1/N), by 2, ½, by any other single factor (no factor for
   integer values: labels, counts), off by a constant,
   shifted by one position along an axis (off by one: a padding, crop or index).

A hypothesis h "fits" when ``max|actual − h| <= rtol · max(max|expected|, max|h|)`` (rtol 1e-6, or
1e-4 when the actual value is float32) and h is distinguishable from the expected value (more than ten
tolerances away), so a correct value, float32-rounded or not, is never diagnosed. Structures (tuple,
list, dict) are compared leaf by leaf: the first differing leaf's generic diagnosis, else the first
alternative whose whole structure fits; a dict whose values sit under other keys is named
"optimizer state stored under another key".
"""
import numpy as np

from grader.checks.misconceptions import as_cause, cause

_RTOL = {np.dtype(np.float32): 1e-4}
_DEFAULT_RTOL = 1e-6
_DISTINCT = 10.0  # a hypothesis must sit this many tolerances away from the expected value


def diagnose(actual, expected, *, alternatives=None, context=None):
    """The phrase of the first hypothesis that fits ``actual`` (see the module docstring), or None."""
    alternatives = alternatives or {}
    context = context or {}
    if _is_structure(expected) or _is_structure(actual):
        return _diagnose_structure(actual, expected, alternatives, context)
    a, e = _as_array(actual), _as_array(expected)
    if a is None or e is None:
        return None
    rtol = _rtol_of(a)
    if a.shape != e.shape:
        return _shape_hypotheses(a, e, rtol)
    if not np.isfinite(e).all():
        return None
    if not np.isfinite(a).all():
        return cause("softmax-overflow") if context.get("large_offset") else None
    if _fits(a, e, e, rtol):
        return None
    for phrase, value in alternatives.items():  # named by the test: the most specific hypotheses
        h = _as_array(value)
        if h is not None and h.shape == e.shape and _fits_distinct(a, h, e, rtol):
            return as_cause(phrase)
    for phrase, value in _value_hypotheses(e, context):
        if _fits_distinct(a, value, e, rtol):
            return phrase
    for phrase, value in _fitted_hypotheses(a, e):
        if _fits_distinct(a, value, e, rtol):
            return phrase
    return _shift_hypothesis(a, e, rtol)


def overflow_hint(actual, expected):
    """The softmax-overflow phrase when ``actual`` has NaN/inf where the finite ``expected`` has none."""
    a, e = _as_array(actual), _as_array(expected)
    if a is None or e is None or a.shape != e.shape:
        return None
    if np.isfinite(e).all() and not np.isfinite(a).all():
        return cause("softmax-overflow")
    return None


def scale_alternatives(expected, N=None, **sizes):
    """``{phrase: factor * expected}`` for the generic factors: −1, 2, ½, and N, 1/N for each size given.

    ``scale_alternatives(e, N=5)`` gives "sign flipped", "scaled by 2", "scaled by ½",
    "summed instead of averaged over N" (5e) and "divided by N once too often" (e/5); another size
    ``T=4`` gives "scaled by T" and "scaled by 1/T".
    """
    if N is not None:
        sizes = {"N": N, **sizes}
    return {phrase: _map(lambda v, f=factor: f * v, expected) for phrase, factor in _factors(sizes)}


def regularization_alternatives(data, penalty, scale=1.0):
    """Values of the regularization misconceptions, for ``value = data + scale * penalty``.

    ``data`` is the value without regularization, ``penalty`` the regularization at factor 1
    (``reg*sum(W**2)`` for a loss, ``2*reg*W`` for its gradient), ``scale`` the convention's factor
    (1 or ½). Works on arrays, scalars and matching structures such as ``(loss, dW)``. For the ½
    convention the doubled value is the value without ½, named as such.
    """
    factors = {cause("reg-missing"): 0.0}
    if scale == 1.0:
        factors[cause("reg-with-half")] = 0.5
    elif scale == 0.5:
        factors[cause("reg-without-half")] = 1.0  # for the ½ convention, "doubled" is "without ½": name the convention
    if 2.0 * scale not in factors.values():
        factors[cause("reg-doubled")] = 2.0 * scale
    return {phrase: _map(lambda d, p, f=f: d + f * p, data, penalty) for phrase, f in factors.items()}


# -- hypotheses ----------------------------------------------------------------------------------

def _factors(sizes):
    """(phrase, factor) pairs: −1, then each size n (n and 1/n), then 2 and ½.

    The sizes come before 2 and ½ so that with N = 2 the test's own fact names the cause.
    """
    pairs = [(cause("sign"), -1.0)]
    for name, n in sizes.items():
        if name == "N":
            pairs += [(cause("summed-not-averaged"), float(n)), (cause("averaged-twice"), 1.0 / n)]
        else:
            pairs += [(cause("scaled", factor=name), float(n)), (cause("scaled", factor=f"1/{name}"), 1.0 / n)]
    return pairs + [(cause("scaled-by-2"), 2.0), (cause("scaled-by-half"), 0.5)]


def _sizes(context):
    """The sizes in ``context``: int values above 1 (bools are flags, not sizes)."""
    return {k: v for k, v in context.items()
            if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) and v > 1}


def _value_hypotheses(e, context):
    """(phrase, value) candidates with no fitted number, of the expected value e's shape."""
    if e.ndim == 2 and e.shape[0] == e.shape[1]:
        yield cause("transposed"), e.T
    if e.ndim >= 1 and e.shape[-1] > 1:
        yield cause("reversed"), e[..., ::-1]
    yield cause("zeros"), np.zeros_like(e, dtype=float)
    integral = e.dtype.kind in "iu"  # labels, counts, indices: a factor means nothing, an offset does
    for phrase, factor in ([] if integral else _factors(_sizes(context))):
        yield phrase, factor * e


def _fitted_hypotheses(a, e):
    """The least-squares factor c = <a, e> / <e, e> ("scaled by 3.7") and the mean offset mean(a − e)
    ("off by a constant (0.3)"), fitted to a."""
    integral = e.dtype.kind in "iu"
    if e.size < 2 or np.ptp(e) == 0:
        return  # a scalar or a constant: a factor and an offset cannot be told apart
    e64 = e.astype(float)
    factor = float(np.vdot(a.astype(float), e64) / np.vdot(e64, e64))
    if not integral:
        yield cause("scaled", factor=f"{factor:.4g}"), factor * e
    offset = float(np.mean(a.astype(float) - e))
    yield cause("offset", offset=f"{offset:.4g}"), e + offset


def _shift_hypothesis(a, e, rtol):
    """'off by one (...)' when a equals e shifted by one position along one axis or along two
    axes at once (a crop that starts one row and one column off), comparing the overlap only."""
    axes = [k for k in range(e.ndim) if e.shape[k] >= 3]
    groups = [(k,) for k in axes] + [(j, k) for j in axes for k in axes if j < k]
    for group in groups:
        head = [slice(None)] * e.ndim
        tail = [slice(None)] * e.ndim
        for k in group:
            head[k], tail[k] = slice(1, None), slice(None, -1)
        head, tail = tuple(head), tuple(tail)
        # a[1:] == e[:-1] (shifted forward) or a[:-1] == e[1:] (shifted back), on the overlap
        for a_part, h_part, e_part in ((a[head], e[tail], e[head]), (a[tail], e[head], e[tail])):
            if _fits_distinct(a_part, h_part, e_part, rtol):
                where = " and ".join(str(k) for k in group)
                detail = f"shifted by one position along axis {where}: a padding, crop or index"
                return cause("off-by-one", detail=detail)
    return None


def _shape_hypotheses(a, e, rtol):
    """Hypotheses for an actual value whose shape differs from the expected one."""
    if a.ndim == 2 and a.shape == e.shape[::-1]:
        if _fits(a.T, e, e, rtol):
            return cause("transposed")
    if a.size == e.size and _fits(a.reshape(e.shape), e, e, rtol):
        return cause("reshape-missing")
    summed = [e.sum()] + [e.sum(axis=k, keepdims=keep) for k in range(e.ndim) for keep in (False, True)]
    for s in summed:
        s = np.asarray(s)
        if s.shape == a.shape and _fits(a, s, s, rtol):
            return cause("summed-axis")
    offset = crop_offset(a, e)
    if offset is not None:
        return crop_phrase(offset, a.shape, e.shape)
    if a.ndim >= 2 and a.shape == e.shape[::-1]:
        return cause("other-layout", shapes=f"{a.shape} instead of {e.shape}")
    return None


def crop_offset(actual, expected, *, max_work=10 ** 7):
    """The offset ``o`` at which ``actual`` (two entries or more) equals the sub-array
    ``expected[o_k : o_k + actual.shape[k]]`` of a larger ``expected`` of the same rank (within the
    tolerance of ``diagnose``), top-left first; None when there is none (or when trying every offset
    would compare more than ``max_work`` entries)."""
    a, e = _as_array(actual), _as_array(expected)
    if a is None or e is None or a.ndim != e.ndim or a.shape == e.shape or a.size < 2:
        return None
    if any(n > m for n, m in zip(a.shape, e.shape)) or not np.isfinite(e).all():
        return None
    ranges = [range(m - n + 1) for n, m in zip(a.shape, e.shape)]
    if int(np.prod([len(r) for r in ranges])) * a.size > max_work:
        return None
    rtol = _rtol_of(a)
    for offset in np.ndindex(*(len(r) for r in ranges)):
        part = e[tuple(slice(o, o + n) for o, n in zip(offset, a.shape))]
        if _fits(a, part, part, rtol):
            return tuple(int(o) for o in offset)
    return None


def crop_phrase(offset, shape, full=None):
    """"your values are the top-left part expected[:, :3, :3] of the expected value" (or the part at
    ``offset``); an axis of the whole length ``full[k]`` is written ``:``."""
    full = full or (None,) * len(shape)
    where = ", ".join(":" if (o, n) == (0, m) else f"{o}:{o + n}" if o else f":{n}"
                      for o, n, m in zip(offset, shape, full))
    part = "the top-left part" if not any(offset) else "the part"
    return cause("crop", where=f"{part} expected[{where}]")


def _diagnose_structure(actual, expected, alternatives, context):
    """Leaf by leaf: renamed dict keys, the first differing leaf's diagnosis, whole-structure alternatives."""
    if isinstance(actual, dict) and isinstance(expected, dict) and actual.keys() != expected.keys():
        return _renamed_keys(actual, expected)
    a_leaves, e_leaves = _leaves(actual), _leaves(expected)
    if a_leaves is None or e_leaves is None or [k for k, _ in a_leaves] != [k for k, _ in e_leaves]:
        return None
    for phrase, value in alternatives.items():  # named by the test: tried before leaf-level guesses
        h_leaves = _leaves(value)
        if h_leaves is None or [k for k, _ in h_leaves] != [k for k, _ in e_leaves]:
            continue
        if all(_leaf_fits(a, h, e) for (_, a), (_, h), (_, e) in zip(a_leaves, h_leaves, e_leaves)):
            if any(_leaf_distinct(h, e) for (_, h), (_, e) in zip(h_leaves, e_leaves)):
                return as_cause(phrase)
    for (_, a), (_, e) in zip(a_leaves, e_leaves):
        found = diagnose(a, e, context=context)
        if found:
            return found
    return None


def _renamed_keys(actual, expected):
    """State-key phrase when every missing expected key's value sits under an extra key of actual."""
    missing = [k for k in expected if k not in actual]
    extra = [k for k in actual if k not in expected]
    renamed = []
    for k in missing:
        match = next((x for x in extra if _leaf_fits(actual[x], expected[k], expected[k])), None)
        if match is None:
            return None
        renamed.append(f"{match!r} instead of {k!r}")
    return cause("state-key", keys=", ".join(renamed)) if renamed else None


# -- helpers ---------------------------------------------------------------------------------------

def _is_structure(x):
    """A dict, or a tuple/list that is not a flat list of numbers (those are compared as arrays)."""
    if isinstance(x, (tuple, list)):
        return not all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                       for v in x)
    return isinstance(x, dict)


def _as_array(x):
    """A numeric ndarray for numbers and numeric arrays; None for anything else (str, None, objects)."""
    if isinstance(x, (bool, np.bool_)) or x is None or isinstance(x, str):
        return None
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError):
        return None
    return arr if arr.dtype.kind in "iuf" else None


def _rtol_of(a):
    return _RTOL.get(a.dtype, _DEFAULT_RTOL)


def _tolerance(e, h, rtol):
    scale = max(float(np.max(np.abs(e), initial=0.0)), float(np.max(np.abs(h), initial=0.0)))
    return rtol * scale if scale > 0 else 0.0


def _fits(a, h, e, rtol):
    """max|a − h| within rtol of the magnitude of e and h."""
    a = np.asarray(a, dtype=float)
    h = np.asarray(h, dtype=float)
    if a.shape != h.shape:
        return False
    return float(np.max(np.abs(a - h), initial=0.0)) <= _tolerance(e, h, rtol)


def _fits_distinct(a, h, e, rtol):
    """a fits h, and h is more than _DISTINCT tolerances away from e (so a correct value never fits h)."""
    h = np.asarray(h, dtype=float)
    e = np.asarray(e, dtype=float)
    if h.shape != e.shape or not np.isfinite(h).all():
        return False
    distinct = float(np.max(np.abs(h - e), initial=0.0)) > _DISTINCT * _tolerance(e, h, rtol)
    return distinct and _fits(a, h, e, rtol)


def _leaf_fits(a, h, e):
    a, h, e = _as_array(a), _as_array(h), _as_array(e)
    if a is None or h is None or e is None:
        return False
    return a.shape == h.shape and _fits(a, h, e, _rtol_of(a))


def _leaf_distinct(h, e):
    h, e = _as_array(h), _as_array(e)
    if h is None or e is None or h.shape != e.shape:
        return True
    h, e = h.astype(float), e.astype(float)
    return float(np.max(np.abs(h - e), initial=0.0)) > _DISTINCT * _tolerance(e, h, _DEFAULT_RTOL)


def _leaves(x, prefix=()):
    """[(path, leaf)] of a nested tuple/list/dict in a fixed order (dict keys sorted); None if not data."""
    if isinstance(x, dict):
        out = []
        for k in sorted(x, key=repr):
            sub = _leaves(x[k], prefix + (k,))
            if sub is None:
                return None
            out += sub
        return out
    if isinstance(x, (tuple, list)):
        out = []
        for i, v in enumerate(x):
            sub = _leaves(v, prefix + (i,))
            if sub is None:
                return None
            out += sub
        return out
    return [(prefix, x)]


def _map(fn, *values):
    """fn applied leaf by leaf over matching structures (tuple, list, dict) of arrays and numbers."""
    first = values[0]
    if isinstance(first, dict):
        return {k: _map(fn, *(v[k] for v in values)) for k in first}
    if isinstance(first, (tuple, list)):
        return type(first)(_map(fn, *parts) for parts in zip(*values))
    return fn(*(np.asarray(v, dtype=float) if not np.isscalar(v) else v for v in values))
