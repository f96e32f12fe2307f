"""Gradient checking: REC of research/gradcheck.md §3 (random directions, Richardson differences).

For each parameter tensor P with gradient under test a, and ``directions`` accepted random unit
Gaussian directions u:

    h = 1e-5·max(1, rms(P));   g(t) = f(P + t·h·u) for t = −2, −1, 1, 2;   f0 = f(P)
    D = [8(g1 − g−1) − (g2 − g−2)] / (12h)                       (5-point slope, O(h⁴))
    s = [g−1 − g−2, f0 − g−1, g1 − f0, g2 − g1] / h               (neighbouring slopes)
    K = max(|s1 − 2s2 + s3|, |s2 − 2s3 + s4|)                      (kink / truncation indicator)
    r = 8·ε·max(F, |g|)/h                                          (round-off bound)

F is the sum of absolute values of the terms summed by f, computed by the grader: ``f`` returns a
grader-made ``Scalarised(value, F)`` or a student value, read by ``values.student_scalar`` (one float;
F = |value|). Every number of the verdict is the grader's: S0 = max(F, |f0|) at the test point (capped
by ``scale``, the value scale the reference allows, when the test gives one) sets r, and the probes may
raise it at most to 2·S0; values at probes above JUMP·max(S0, 4h·|D|) are a jump
between neighbouring points, a failure. If K > max(0.1·rtol·|D|, 10·r) the direction straddles a kink
and is redrawn; after ``max_redraws`` redraws the tensor is ``Inconclusive`` (which earns no points:
the plugin grades it "could not be verified"). Otherwise the check fails iff
|a·u − D| > rtol·max(|a·u|, |D|) + K + r. float32 gradients are compared norm-wise with a float64
reference when there is one, ‖a − g‖/‖g‖ ≤ 1e-4 (§3.1). Code that computes in float32 (a float32
gradient without a reference, or an ``f`` whose value is float32) is differenced in the float32 regime:
ε = ε₃₂, h = 1e-2·max(1, rms(P)) (near the optimal step ε^⅓ of central differences), rtol ≥ 1e-3.
So is a float64 ``f`` whose values scatter like float32 round-off (a float32 layer inside, a loss
upcast at the end), found when a tensor fails or needs redraws in the float64 regime.
"""

from dataclasses import dataclass, field

import numpy as np

from grader.checks import CheckFailure, Inconclusive, misconceptions
from grader.checks.compare import accept_singleton_shape
from grader.checks.diagnose import diagnose
from grader.checks.kinks import away_from_zero, hinge_margin_ok, untie_pool_windows  # noqa: F401 (re-exported)
from grader.checks.patterns import describe, index_str, worst_entries
from grader.checks.precision import EPS32, RTOL32, STEP32, float32_noise, float32_tensor, is_float32
from grader.checks.structure import check_backward_structure  # noqa: F401 (re-exported)
from grader.checks.values import Scalarised, student_scalar, value_and_bound  # noqa: F401 (re-exported)

EPS = np.finfo(np.float64).eps
STEP = 1e-5                    # relative finite-difference step (float64)
FULL_DIFFERENCE_LIMIT = 2000   # tensors up to this size get full differences after a failure
SAMPLED_ENTRIES = 40           # entries differenced after a failure on larger tensors
COORDINATE_RTOL = 1e-5         # per-entry rule of the diagnostics (central differences)
DETAILED_FAILURES = 2          # wrong tensors that get entry-level detail; the others are only named
REPORTED_FAILURES = 3          # wrong tensors found before the check stops looking
JUMP = 100                     # probe values this many times the test point's scale are a jump
PROBE_SCALE = 2                # the probes may raise the round-off scale S0 at most this many times


@dataclass
class Direction:
    """One accepted direction: the analytic slope a·u, the numerical slope D, the tolerance."""

    analytic: float
    numeric: float
    tolerance: float
    kink: float
    roundoff: float

    @property
    def ratio(self):
        return abs(self.analytic - self.numeric) / self.tolerance if self.tolerance > 0 else 0.0


@dataclass
class TensorReport:
    name: str
    directions: list = field(default_factory=list)
    redraws: int = 0
    float32_relative_error: float | None = None


@dataclass
class GradientReport:
    """What ``check_gradient`` did: function ``evaluations``, per-tensor details, notes for the student."""

    evaluations: int = 0
    tensors: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    @property
    def worst_ratio(self):
        """max |a·u − D| / tolerance over all accepted directions (< 1 means passed)."""
        return max((d.ratio for t in self.tensors.values() for d in t.directions), default=0.0)


class _Counted:
    """Wraps ``f`` and counts its evaluations; every call gets fresh float64 copies."""

    def __init__(self, f, what="the function's value"):
        self.f = f
        self.what = what
        self.count = 0
        self.float32 = False   # some value of f came back in float32

    def __call__(self, base, name=None, value=None):
        return self.f_point({k: (value if k == name else v.copy()) for k, v in base.items()})

    def f_point(self, point):
        """f at a whole point ``{name: array}``, as (value, F)."""
        self.count += 1
        out = self.f(point)
        self.float32 |= not isinstance(out, Scalarised) and is_float32(out)
        return value_and_bound(out, self.what)


def numerical_gradient(f, x, h=1e-5):
    """Full central differences (f(x + h·e_i) − f(x − h·e_i)) / 2h for every entry of ``x``.

    ``f(array) -> float`` (or ``(value, F)``); ``x`` itself is never modified.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat = x.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        plus = value_and_bound(f(x.copy()))[0]
        flat[i] = old - h
        minus = value_and_bound(f(x.copy()))[0]
        flat[i] = old
        grad.reshape(-1)[i] = (plus - minus) / (2 * h)
    return grad


def _validated(grads, base, labels, reference_grads):
    """The gradients under test as arrays, after shape / type / finiteness checks."""
    if not isinstance(grads, dict):
        raise CheckFailure(f"the gradients must be a dict with keys {sorted(base)}, got {type(grads).__name__}.")
    out = {}
    for name, p in base.items():
        label = labels[name]
        if name not in grads or grads[name] is None:
            raise CheckFailure(f"{label} is missing (None or not returned).")
        g = grads[name]
        if isinstance(g, np.ndarray) and type(g) is not np.ndarray:
            raise CheckFailure(f"{label}: unsupported type {type(g).__name__}; return a plain numpy array.")
        if not isinstance(g, (np.ndarray, int, float, np.number)) or isinstance(g, bool):
            raise CheckFailure(f"{label}: unsupported type {type(g).__name__}; return a numpy array.")
        g = np.asarray(g)
        if g.dtype.kind not in "iuf":
            raise CheckFailure(f"{label}: unsupported dtype {g.dtype}.")
        g = accept_singleton_shape(g, p.shape, label)  # (1, D) for (D,): the same entries, noted
        if g.shape != p.shape:
            reference = (reference_grads or {}).get(name)
            if reference is not None:
                cause = diagnose(g, np.asarray(reference, dtype=np.float64))
            else:
                cause = misconceptions.cause("transposed") if g.ndim == 2 and g.shape == p.shape[::-1] else None
            raise CheckFailure(f"{label} has shape {g.shape}, expected {p.shape} (the shape of {name})."
                               + (f" Likely cause: {cause}." if cause else ""), cause)
        if not np.all(np.isfinite(g)):
            first = index_str(tuple(np.argwhere(~np.isfinite(g))[0])) if g.ndim else ""
            raise CheckFailure(f"{label} contains NaN or inf (first at {label}{first}).")
        out[name] = g
    return out


def _check_direction(evaluate, base, name, a, f0, scales, u, h, eps=EPS):
    """Evaluate the 4 displaced points along u and return a Direction (tolerance without rtol part).
    ``scales`` = (S0, the round-off scale: S0 capped by the reference's scale). Raises CheckFailure when
    the values jump by orders of magnitude next to the test point."""
    p = base[name]
    step = (p + h * u) - p                       # the displacement actually applied
    values, bounds = {}, []
    for t in (-2, -1, 1, 2):
        values[t], b = evaluate(base, name, p + t * step)
        bounds.append(b)
    numeric = (8 * (values[1] - values[-1]) - (values[2] - values[-2])) / (12 * h)
    s = np.array([values[-1] - values[-2], f0 - values[-1], values[1] - f0, values[2] - values[1]]) / h
    kink = max(abs(s[0] - 2 * s[1] + s[2]), abs(s[1] - 2 * s[2] + s[3]))
    scale0, capped = scales                      # the grader's scale at the test point
    probes = max(max(bounds), max(abs(v) for v in values.values()))
    if not probes <= JUMP * max(scale0, 4 * h * abs(numeric)):
        raise CheckFailure(
            f"the function's values jump by orders of magnitude between neighbouring points: at the test point "
            f"its scale is {scale0:.3g}, at points {2 * h:.2g} away along a random direction in {name} it is "
            f"{probes:.3g}. A smooth function cannot do that (does your code treat points near ones it has seen "
            f"differently?); the gradient cannot be verified against such values, so the check fails.")
    roundoff = 8 * eps * max(capped, min(probes, PROBE_SCALE * capped)) / h
    analytic = float(np.sum(a * step)) / h
    return Direction(analytic, float(numeric), 0.0, float(kink), float(roundoff))


def _rec_tensor(evaluate, base, name, a, f0, scales, rng, rtol, directions, max_redraws, float32=False):
    """REC on one tensor: (TensorReport, failing Direction or None); raises Inconclusive.
    ``float32``: the float32 regime (module docstring)."""
    p = base[name]
    report = TensorReport(name)
    if p.size == 0:
        return report, None
    eps, rtol = (EPS32, max(rtol, RTOL32)) if float32 else (EPS, rtol)
    h = (STEP32 if float32 else STEP) * max(1.0, float(np.sqrt(np.mean(p * p))))
    a = a.astype(np.float64)
    while len(report.directions) < directions:
        u = rng.standard_normal(p.shape)
        u /= np.linalg.norm(u)
        d = _check_direction(evaluate, base, name, a, f0, scales, u, h, eps)
        if d.kink > max(0.1 * rtol * abs(d.numeric), 10 * d.roundoff):
            report.redraws += 1
            if report.redraws > max_redraws:
                raise Inconclusive(f"{name}: along {report.redraws} random directions the values within "
                                   f"{2 * h:.2g} of the test point were not smooth (a kink, or values that "
                                   "change from one call to the next)")
            continue
        d.tolerance = rtol * max(abs(d.analytic), abs(d.numeric)) + d.kink + d.roundoff
        report.directions.append(d)
        if abs(d.analytic - d.numeric) > d.tolerance:
            return report, d
    return report, None


def _entry_differences(evaluate, base, name, flat_indices, h):
    """Central differences of f along the given flat entries of tensor ``name`` (0 elsewhere)."""
    p = base[name]
    numeric = np.zeros(p.size)
    for i in flat_indices:
        for sign in (1, -1):
            x = p.copy()
            x.reshape(-1)[i] += sign * h
            numeric[i] += sign * evaluate(base, name, x)[0] / (2 * h)
    return numeric.reshape(p.shape)


def _coordinate_message(evaluate, base, name, a, label, reference, rng, float32=False):
    """Which entries are wrong: against the reference gradient when given, else per-entry central
    differences (every entry up to FULL_DIFFERENCE_LIMIT entries, a random sample beyond)."""
    p = base[name]
    a = a.astype(np.float64)
    h = (STEP32 if float32 else STEP) * max(1.0, float(np.sqrt(np.mean(p * p))))
    coordinate_rtol = RTOL32 if float32 else COORDINATE_RTOL
    if reference is not None or p.size <= FULL_DIFFERENCE_LIMIT:
        if reference is not None:
            expected, source = np.asarray(reference, dtype=np.float64), "Compared with the reference gradient"
        else:
            expected = _entry_differences(evaluate, base, name, range(p.size), h)
            source = f"Finite differences on every entry of {label}"
        atol = coordinate_rtol * float(np.max(np.abs(expected), initial=0.0))
        bad = np.abs(a - expected) > atol + coordinate_rtol * np.abs(expected)
        head = f"{source}: {int(bad.sum())} of {p.size} entries differ."
        pattern = describe(label, a, expected, bad, atol, coordinate_rtol)
        cause = diagnose(a, expected) if bad.any() else None
        worst = worst_entries(a, expected)
    else:
        flat_indices = rng.choice(p.size, SAMPLED_ENTRIES, replace=False)
        expected = _entry_differences(evaluate, base, name, flat_indices, h)
        indices = [np.unravel_index(int(i), p.shape) for i in flat_indices]
        sampled_a = np.array([a[i] for i in indices])
        sampled_n = np.array([expected[i] for i in indices])
        atol = coordinate_rtol * float(np.max(np.abs(sampled_n)))
        bad = np.abs(sampled_a - sampled_n) > atol + coordinate_rtol * np.abs(sampled_n)
        head = (f"Finite differences on {SAMPLED_ENTRIES} random entries of {label}: "
                f"{int(bad.sum())} of them differ.")
        pattern, cause = "", None
        order = np.argsort(-np.abs(sampled_a - sampled_n))[:3]
        worst = [indices[k] for k in order if bad[k]]
    lines = [head]
    if pattern:
        lines.append(pattern)
    if worst:
        lines.append("Worst entries: " + "; ".join(
            f"{label}{index_str(i)} is {a[i]:.6g}, expected {expected[i]:.6g}" for i in worst) + ".")
    return " ".join(lines), cause


def _joint_passes(evaluate, base, analytic, f0, scales, rng, rtol, directions, max_redraws):
    """REC along random directions of all the tensors at once (one flat vector); True when every
    direction agrees. A wrong tensor of any size shows in the joint slope far above the tolerance
    ``rtol·|D|``, so a pass settles the check at the cost of one tensor; anything else (a failure, a
    kink) leaves the verdict to the per-tensor checks, which name the wrong tensors."""
    names = list(base)
    sizes = np.cumsum([base[n].size for n in names])[:-1]
    flat = np.concatenate([base[n].ravel() for n in names])

    def joint(_base, _name, value):  # the evaluate of the flat tensor "all"
        parts = np.split(value, sizes)
        return evaluate.f_point({n: part.reshape(base[n].shape) for n, part in zip(names, parts)})
    a = np.concatenate([analytic[n].astype(np.float64).ravel() for n in names])
    try:
        _, failed = _rec_tensor(joint, {"all": flat}, "all", a, f0, scales, rng, rtol, directions, max_redraws)
    except Inconclusive:
        return False
    return failed is None


def check_gradient(f, params, grads, *, rng, rtol=1e-6, directions=2, reference_grads=None,
                   max_redraws=6, labels=None, joint=False, what="the function's value", scale=None):
    """REC (module docstring) of ``grads`` against ``f`` at ``params``; returns a GradientReport.

    ``f(params_dict)`` returns a student value (one float, ``values.student_scalar``; ``what`` names it in
    messages, e.g. "the loss returned by loss(X, y)") or a grader-made ``Scalarised(value, F)``; ``scale``
    caps the round-off scale S0 at what the reference allows at these inputs (a student value inflated
    by a huge constant then cannot widen the tolerance; its round-off makes the check undecided); ``params`` and
    ``grads`` are ``{name: array}``
    with the same keys; ``labels`` maps a name to how the message calls its gradient (default
    ``d<name>``). Raises CheckFailure naming the first REPORTED_FAILURES wrong tensors (the rest are not
    checked: a wrong tensor early in backprop usually spoils the ones after), or Inconclusive when no wrong tensor
    was found but a tensor could not be decided. ``joint``: first check all float64 tensors along
    directions of their concatenation; when that agrees the check passes after one tensor's cost (whole
    nets, rtol 1e-5: a single entry off by 1% of its tensor's rms was missed 1 time in 480 both ways);
    otherwise the per-tensor checks decide and name the wrong tensors.
    """
    labels = {name: (labels or {}).get(name, f"d{name}") for name in params}
    base = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    analytic = _validated(grads, base, labels, reference_grads)
    evaluate = _Counted(f, what)
    report = GradientReport()
    f0, bound0 = evaluate(base)
    scales = (max(bound0, abs(f0)), min(max(bound0, abs(f0)), np.inf if scale is None else scale))
    plain = all(analytic[n].dtype == np.float64 for n in base) and not evaluate.float32
    if joint and plain and len(base) > 1 and \
            _joint_passes(evaluate, base, analytic, f0, scales, rng, rtol, directions, max_redraws):
        report.evaluations = evaluate.count
        return report
    failures, causes, undecided, in_float32 = [], [], [], []
    noise = []

    def noisy(name):  # float32 scatter of f: a property of f, measured once along the first tensor asked
        if not noise:
            noise.append(float32_noise(evaluate, base, name, f0))
        return noise[0]

    for name in base:
        if len(failures) == REPORTED_FAILURES:
            unchecked = [labels[n] for n in list(base)[list(base).index(name):]]
            failures.append(f"({', '.join(unchecked)} not checked: fix the gradients above first.)")
            break
        a, label = analytic[name], labels[name]
        reference = None if reference_grads is None else reference_grads.get(name)
        low = a.dtype.kind == "f" and a.dtype != np.float64
        if low and reference is not None:
            tensor = TensorReport(name)
            tensor.float32_relative_error, message, cause = float32_tensor(a, label, reference)
            report.tensors[name] = tensor
            report.notes.append(f"{label} is {a.dtype}: your code computes in {a.dtype}; it was compared "
                                f"norm-wise with the float64 reference (relative error "
                                f"{tensor.float32_relative_error:.2g}).")
            if message:
                failures.append(message)
                causes.append(cause)
            continue
        float32 = low or evaluate.float32
        try:
            tensor, failed = _rec_tensor(evaluate, base, name, a, f0, scales, rng, rtol, directions, max_redraws,
                                         float32)
            if (failed is not None or tensor.redraws) and not float32 and noisy(name):
                float32 = True  # float64 values computed at float32 precision somewhere inside
                tensor, failed = _rec_tensor(evaluate, base, name, a, f0, scales, rng, rtol, directions,
                                             max_redraws, True)
        except Inconclusive as exc:
            if not float32 and noisy(name):
                try:
                    float32 = True
                    tensor, failed = _rec_tensor(evaluate, base, name, a, f0, scales, rng, rtol, directions,
                                                 max_redraws, True)
                except Inconclusive as again:
                    undecided.append(str(again))
                    continue
            else:
                undecided.append(str(exc))
                continue
        if float32:
            in_float32.append(label)
        report.tensors[name] = tensor
        if failed is not None:
            detail, cause = "", None
            if len(failures) < DETAILED_FAILURES:  # entry-level detail costs 2 evaluations an entry
                detail, cause = _coordinate_message(evaluate, base, name, a, label, reference, rng, float32)
            failures.append(
                f"{label} is wrong: along a random direction u the slope from your gradient ({label}·u) is "
                f"{failed.analytic:.6g}, but finite differences of the function give {failed.numeric:.6g} "
                f"(difference {abs(failed.analytic - failed.numeric):.3g}, tolerance {failed.tolerance:.3g}). "
                + detail + (f" Likely cause: {cause}." if cause else ""))
            causes.append(cause)
    report.evaluations = evaluate.count
    if in_float32:
        report.notes.append(f"your code computes {', '.join(in_float32)} in float32: checked with finite differences "
                            f"of float32 precision (step {STEP32:g}, relative tolerance {max(rtol, RTOL32):g}).")
    if failures:
        raise CheckFailure("\n".join(failures), next((c for c in causes if c), None))
    if undecided:
        raise Inconclusive("; ".join(undecided))
    return report


def resample(make_case, run_check, attempts=5):
    """``run_check(make_case())`` on fresh inputs while it raises Inconclusive (at most ``attempts``
    cases; the last Inconclusive propagates). ``make_case()`` draws a new case each call."""
    for attempt in range(attempts):
        try:
            return run_check(make_case())
        except Inconclusive as exc:
            if attempt == attempts - 1:
                exc.redrawn = True  # the test's runner need not draw again (plugin.TEST_DRAWS)
                raise
