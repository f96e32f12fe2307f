"""Central-difference helpers for the reference tests (independent of grader/)."""

import os
import zlib

import numpy as np
import pytest

from gradients import numeric_grad


def rel_error(a, b):
    """``max |a − b| / max(1e-8, |a| + |b|)``."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def assert_grad(analytic, f, x, tol=1e-6, h=1e-5, atol=1e-8):
    """Assert the analytic gradient of scalar ``f()`` wrt the array ``x`` matches finite differences.

    Each entry must agree to relative error ``tol`` or, for entries that are (near) zero, to the
    absolute ``atol`` (well above the ~1e-10 noise of central differences on an O(1) loss).
    """
    numeric = numeric_grad(f, x, h)
    assert np.shape(analytic) == x.shape, f"gradient shape {np.shape(analytic)} != {x.shape}"
    a = np.asarray(analytic, dtype=np.float64)
    diff = np.abs(a - numeric)
    rel = diff / np.maximum(1e-8, np.abs(a) + np.abs(numeric))
    bad = (rel >= tol) & (diff >= atol)
    assert not bad.any(), (f"{bad.sum()} entries differ; worst relative error {rel.max():.3e} "
                           f"(analytic {a.ravel()[rel.argmax()]:.6g}, "
                           f"numeric {numeric.ravel()[rel.argmax()]:.6g})")


def away_from_zero(rng, shape, low=0.1):
    """Standard normal entries with |x| >= low (no kinks of ReLU/PReLU at 0)."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < low, np.sign(x + 1e-12) * low + x, x)


@pytest.fixture
def rng(request):
    """Seeded by the test name (and ``REFERENCE_TEST_SEED``, to try other inputs)."""
    extra = int(os.environ.get("REFERENCE_TEST_SEED", "0"))
    return np.random.default_rng([zlib.crc32(request.node.name.encode()), extra])


@pytest.fixture
def grad():
    """The helpers as a namespace: ``grad.assert_grad(analytic, f, x)``, ``grad.numeric(f, x)``."""
    class Helpers:
        assert_grad = staticmethod(assert_grad)
        numeric = staticmethod(numeric_grad)
        rel_error = staticmethod(rel_error)
        away_from_zero = staticmethod(away_from_zero)
    return Helpers
