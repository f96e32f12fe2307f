"""Where epsilon goes in a normalization: a convention that changed between course years, accepted in each form.

The reference normalizes with ``x̂ = (x − mean) / √(var + eps)``. Real correct code also writes
``(x − mean) / (√var + eps)`` (epsilon outside the square root) or ``(x − mean) / √var`` (epsilon left
out, mostly in test mode). With σ = √var the relative effect on x̂ is at most

    outside:  |σ⁻¹(1 + eps/σ)⁻¹ · √(σ² + eps) − 1| ≤ eps / σ,       left out:  eps / (2σ²),

so on inputs whose variances are at least ``min_var`` (the checks draw them bounded away from 0, ≥ 1)
the forms agree within ``eps_rtol(min_var) = 1e-6 + 4·eps·max(1/√min_var, 1/(2·min_var))`` (4e-5 for
eps = 1e-5 and variances ≥ 1; the smallest real normalization bug measured differs by 4e-2).

``assert_close_eps`` judges a value against the reference at the default tolerance; otherwise against
each named form (forward values, ``eps_forms``) or, when ``min_var ≥ MIN_VAR``, within ``eps_rtol``
(gradients), with a note; otherwise it fails as ``assert_close`` does, with the caller's alternatives.
"""

import numpy as np

from grader.checks import note
from grader.checks.compare import assert_close, compare

EPS = 1e-5
MIN_VAR = 0.1  # eps_rtol(0.1) = 2e-4; below it the tolerance (growing with 1/var) is not used


def eps_rtol(min_var, eps=EPS):
    """The relative tolerance that covers every placement of ``eps`` on variances ≥ ``min_var`` (×4 margin)."""
    min_var = float(min_var)
    return 1e-6 + 4 * eps * max(1 / np.sqrt(min_var), 1 / (2 * min_var))


def eps_forms(x, mean, var, gamma, beta, eps=EPS):
    """The forward output ``gamma · x̂ + beta`` of the other placements of eps (arrays broadcast together)."""
    centered = np.asarray(x, dtype=np.float64) - mean
    return {"epsilon outside the square root, (x - mean) / (sqrt(var) + eps)":
            gamma * centered / (np.sqrt(var) + eps) + beta,
            "epsilon left out, (x - mean) / sqrt(var)": gamma * centered / np.sqrt(var) + beta}


def assert_close_eps(actual, expected, *, name, min_var, forms=None, eps=EPS, **kwargs):
    """``assert_close(actual, expected)``, also accepting (with a note) a value of one of ``forms``, or
    one within ``eps_rtol(min_var)`` of the reference; ``kwargs`` (alternatives, context) serve the failure."""
    if compare(actual, expected, name=name).ok:
        return
    for label, value in (forms or {}).items():
        if compare(actual, value, name=name).ok:
            note(f"{name}: {label}: accepted (the placements of eps differ by about eps / var, here at "
                 f"most {eps_rtol(max(min_var, MIN_VAR), eps):.1g} relative).")
            return
    rtol = eps_rtol(max(min_var, MIN_VAR), eps)
    if min_var >= MIN_VAR and compare(actual, expected, name=name, rtol=rtol).ok:
        note(f"{name} agrees with the reference within {rtol:.1g} (relative), the effect of where eps = {eps:g} "
             "goes (inside or outside the square root, or left out): accepted.")
        return
    assert_close(actual, expected, name=name, **kwargs)


# Checks of consistency (a backward against finite differences of the student's own forward, a net's
# gradients against its own loss) do not judge eps: they run with eps this small, where every placement
# gives the same function to eps / var (≤ 1e-8 for the variances these checks meet, far below their rtol).
CONSISTENCY_EPS = 1e-10


def with_small_eps(param):
    """A copy of a normalization's param dict with ``eps = CONSISTENCY_EPS``."""
    return dict(param, eps=CONSISTENCY_EPS)


def set_net_eps(net, eps=CONSISTENCY_EPS):
    """Write ``eps`` into each dict of ``net.bn_params`` (the starters' per-layer normalization params, read
    by the forwards as ``bn_param.get('eps', 1e-5)``); a net without that list is left as it is."""
    from grader.sandbox.errors import StudentException
    from grader.topics.helpers import fetch_data
    try:
        count = len(fetch_data(net.bn_params))
        for i in range(count):
            net.bn_params[i]["eps"] = eps
    except (StudentException, AttributeError, TypeError, KeyError, IndexError):
        pass
