"""float32 code: recognising it and checking it at its own precision (used by gradcheck).

A value is float32 when its dtype says so; a float64 function computed in float32 somewhere inside
is recognised by the scatter of its values (``float32_noise``). A float32 gradient with a float64
reference is compared norm-wise, ‖a − g‖/‖g‖ ≤ FLOAT32_NORM_RTOL (gradcheck.md §3.1).
"""
import numpy as np

from grader.checks.diagnose import diagnose
from grader.checks.patterns import describe

EPS32 = float(np.finfo(np.float32).eps)
STEP32 = 1e-2                  # relative finite-difference step of the float32 regime
RTOL32 = 1e-3                  # the least rtol of the float32 regime
NOISE_RTOL = 1e-10             # relative scatter of f along 1e-4 steps above which f is float32 noise
FLOAT32_NORM_RTOL = 1e-4


def is_float32(value) -> bool:
    dtype = getattr(value, "dtype", None)
    return dtype is not None and dtype.kind == "f" and dtype.itemsize <= 4


def float32_noise(evaluate, base, name, f0):
    """True when f, though float64, carries float32 round-off near ``base``: along a random line its
    values at 7 steps of 1e-4 (relative) leave a residual from a cubic far above what float64 leaves
    (NOISE_RTOL·|f|; float32 round-off leaves about 1e-8·|f|, the quartic term of a smooth f ~1e-16)."""
    p = base[name]
    if p.size == 0:
        return False
    u = np.random.default_rng(0).standard_normal(p.shape)
    h = 1e-4 * max(1.0, float(np.sqrt(np.mean(p * p)))) * u / np.linalg.norm(u)
    values = np.array([f0] + [evaluate(base, name, p + t * h)[0] for t in range(1, 8)])
    t = np.arange(8.0)
    residual = values - np.polyval(np.polyfit(t, values, 3), t)
    return float(np.max(np.abs(residual))) > NOISE_RTOL * max(abs(f0), 1e-300)


def float32_tensor(a, label, reference):
    """Norm-wise comparison of a float32 gradient with the float64 reference:
    (relative error, message or None, cause or None)."""
    g = np.asarray(reference, dtype=np.float64)
    a64 = a.astype(np.float64)
    norm = float(np.linalg.norm(g))
    error = float(np.linalg.norm(a64 - g)) / norm if norm > 0 else float(np.linalg.norm(a64))
    if error <= FLOAT32_NORM_RTOL:
        return error, None, None
    atol = FLOAT32_NORM_RTOL * float(np.max(np.abs(g)))
    bad = np.abs(a64 - g) > atol + FLOAT32_NORM_RTOL * np.abs(g)
    cause = diagnose(a64, g)
    message = (f"{label} is wrong: ‖{label} − reference‖/‖reference‖ = {error:.3g} > {FLOAT32_NORM_RTOL:g} "
               f"(your code computes in {a.dtype}, so it is compared norm-wise with the float64 reference). "
               f"{int(bad.sum())} of {a.size} entries differ. " + describe(label, a64, g, bad, atol, FLOAT32_NORM_RTOL))
    return error, message.strip() + (f" Likely cause: {cause}." if cause else ""), cause
