"""Checks on the arrays of a student's (inverted) dropout, valid whatever random calls it makes.

``p`` is the probability of **keeping** a unit. Train mode: out = x·m/p with m ~ Bernoulli(p), so
every kept unit equals x/p exactly (rtol 1e-6), dropped units are 0, and the kept fraction lies in
``binomial_bound``. Test mode: out = x. Backward: dx = dout·m/p with the forward's own mask m.
Entries where x == 0 say nothing about the mask and are not judged.
"""

import numpy as np

from grader.checks import CheckFailure
from grader.checks.compare import accept_singleton_shape, compare
from grader.checks.misconceptions import cause

SCALE_RTOL = 1e-6


def binomial_bound(n, p, z=6):
    """(low, high) bounds on the kept fraction of n Bernoulli(p) units: p ± (z·√(p(1−p)/n) + 1/n),
    clipped to [0, 1]. With z = 6 a correct dropout falls outside with probability below 1e-8."""
    if n <= 0:
        return 0.0, 1.0
    half = z * np.sqrt(p * (1 - p) / n) + 1.0 / n
    return max(0.0, float(p - half)), min(1.0, float(p + half))


def _array(value, name, shape):
    if type(value) is not np.ndarray:
        raise CheckFailure(f"{name}: expected a numpy array, got {type(value).__name__}.")
    value = accept_singleton_shape(value, shape, name)
    if value.shape != shape:
        raise CheckFailure(f"{name}: shape mismatch: expected {shape}, got {value.shape}.")
    if value.dtype.kind not in "iuf" or not np.all(np.isfinite(value)):
        raise CheckFailure(f"{name} must hold finite numbers (dtype {value.dtype}).")
    return value.astype(np.float64)


def _all_close(a, b, rtol=SCALE_RTOL):
    return a.size > 0 and bool(np.all(np.abs(a - b) <= rtol * np.abs(b)))


def check_inverted_dropout(x, out, p, *, name="out"):
    """Train-mode forward: kept units equal x/p, dropped units are 0, kept fraction within the bound."""
    x = np.asarray(x, dtype=np.float64)
    out = _array(out, name, x.shape)
    informative = x != 0
    kept = informative & (out != 0)
    n = int(informative.sum())
    fraction = kept.sum() / n if n else 0.0
    low, high = binomial_bound(n, p)
    swapped_low, swapped_high = binomial_bound(n, 1 - p)
    fraction_ok = low <= fraction <= high
    fraction_swapped = swapped_low <= fraction <= swapped_high
    ratio = out[kept] / x[kept]
    scale_ok = _all_close(ratio, np.full(ratio.shape, 1 / p))
    if p != 0.5 and not fraction_ok and fraction_swapped and (
            scale_ok or _all_close(ratio, np.full(ratio.shape, 1 / (1 - p)))):
        scaled = "1/p" if scale_ok else "1/(1 − p)"
        raise CheckFailure(f"{name}: {fraction:.3f} of the units are kept, about 1 − p = {1 - p:g} instead of "
                           f"p = {p:g}, and kept units are scaled by {scaled}. Likely cause: "
                           f"{cause('dropout-drop-prob')} (p is the probability of keeping a unit).",
                           cause("dropout-drop-prob"))
    if not fraction_ok:
        what = "no unit was dropped" if fraction == 1 else f"{fraction:.3f} of the units are kept"
        raise CheckFailure(f"{name}: {what}; with p = {p:g} (the probability of keeping a unit) the kept "
                           f"fraction of {n} units should lie in [{low:.3f}, {high:.3f}].")
    if not scale_ok:
        if _all_close(ratio, np.ones(ratio.shape)):
            message = "not inverted: kept units are not scaled by 1/p (they equal x)"
            raise CheckFailure(f"{name}: {message}. Likely cause: {cause('dropout-not-inverted')}.",
                               cause("dropout-not-inverted"))
        if p != 0.5 and _all_close(ratio, np.full(ratio.shape, 1 / (1 - p))):
            raise CheckFailure(f"{name}: kept units are scaled by 1/(1 − p) instead of 1/p. Likely cause: "
                               f"{cause('dropout-drop-prob')}.", cause("dropout-drop-prob"))
        worst = np.argmax(np.abs(ratio - 1 / p))
        idx = tuple(int(i) for i in np.argwhere(kept)[worst])
        raise CheckFailure(f"{name}: kept units must equal x/p; at {name}{list(idx)} x is {x[idx]:.6g}, "
                           f"so {x[idx] / p:.6g} was expected, got {out[idx]:.6g} (a factor of "
                           f"{ratio[worst]:.4g} instead of 1/p = {1 / p:.4g}).")


def check_dropout_test_mode(x, out, *, name="out"):
    """Test-mode forward is the identity: out == x (no mask, no scaling)."""
    x = np.asarray(x, dtype=np.float64)
    out = _array(out, name, x.shape)
    dropped = (x != 0) & (out == 0)
    if dropped.any():
        raise CheckFailure(f"{name}: {int(dropped.sum())} of {x.size} units are zero in test mode; test mode "
                           f"must return x unchanged. Likely cause: {cause('dropout-test-mode')}.",
                           cause("dropout-test-mode"))
    result = compare(out, x, name=name, rtol=SCALE_RTOL)
    if not result.ok:
        raise CheckFailure(result.message + " In test mode inverted dropout returns x unchanged.",
                           result.diagnosis)


def check_dropout_backward(dout, dx, x, out, p, *, name="dx"):
    """Backward: dx == dout·m/p where m is the mask of the forward that produced ``out``."""
    dout = np.asarray(dout, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    dx = _array(dx, name, dout.shape)
    informative = (x != 0) & (dout != 0)
    mask = (np.asarray(out) != 0)
    expected = np.where(mask, dout / p, 0.0)
    a, e, d = dx[informative], expected[informative], dout[informative]
    if _all_close(a, e) or (a.size == 0):
        return
    if _all_close(a, d):
        raise CheckFailure(f"{name}: dx equals dout: the dropout mask is not applied in backward. "
                           f"Likely cause: {cause('mask-ignored')}.", cause("mask-ignored"))
    if _all_close(a, np.where(mask[informative], d, 0.0)):
        raise CheckFailure(f"{name}: dx is dout·mask without the 1/p scaling; the forward divided kept units "
                           f"by p, so backward must too. Likely cause: {cause('dropout-not-inverted')}.",
                           cause("dropout-not-inverted"))
    student_kept = a != 0
    if np.any(student_kept != mask[informative]) and _all_close(a[student_kept], d[student_kept] / p):
        differ = int(np.sum(student_kept != mask[informative]))
        raise CheckFailure(f"{name}: backward uses a fresh mask: {differ} units are kept in backward but "
                           "dropped in forward or the reverse. Use the mask stored in the cache by the "
                           f"forward pass. Likely cause: {cause('stale-cache')}.",
                           cause("stale-cache"))
    result = compare(dx, np.where(informative, expected, dx), name=name, rtol=SCALE_RTOL)
    raise CheckFailure(result.message or f"{name} is not dout·mask/p.", result.diagnosis)
