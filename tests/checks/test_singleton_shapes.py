"""Shapes that differ from the expected one only by axes of length 1 are judged by value, with a note
(compare, check_gradient, the dropout checks); any other shape difference still fails."""

import sys
from pathlib import Path

import numpy as np
import pytest

import reference
from grader.checks import CheckFailure, collecting_notes
from grader.checks.compare import assert_close, compare, singleton_only
from grader.checks.gradcheck import check_gradient
from grader.checks.stochastic import check_inverted_dropout

sys.path.insert(0, str(Path(__file__).parent))
from bugs.more import GN, group_case, groupnorm_backward_flat_dgamma  # noqa: E402


@pytest.fixture
def db():
    return np.random.default_rng(0).standard_normal(7)


def test_singleton_only_rule():
    assert singleton_only((1, 7), (7,)) and singleton_only((7, 1), (7,)) and singleton_only((7,), (1, 7))
    assert singleton_only((3, 1, 4), (3, 4, 1)) and singleton_only((5,), (1, 5, 1, 1))
    assert not singleton_only((7,), (7,))
    assert not singleton_only((3, 4), (4, 3)) and not singleton_only((12,), (3, 4))
    assert not singleton_only((7, 7), (7,)) and not singleton_only((6,), (7,))


@pytest.mark.parametrize("shape", [(1, 7), (7, 1), (1, 7, 1)])
def test_right_values_in_a_singleton_shape_pass_with_a_note(db, shape):
    with collecting_notes() as notes:
        result = compare(db.reshape(shape), db, name="db")
        assert_close({"running_mean": db.reshape(shape)}, {"running_mean": db}, name="bn_param")
    assert result.ok
    assert result.notes == (f"db: returned shape {shape} where (7,) is expected (they differ only by axes of "
                            "length 1): accepted, judged by value.",)
    assert notes[0] == result.notes[0] and "bn_param['running_mean']: returned shape" in notes[1]


def test_per_example_column_is_accepted(db):
    """(N, 1) for a per-example (N,) output: the same N numbers in the same order (the grader never
    broadcasts a student's value against its own, so nothing is hidden)."""
    assert compare(db[:, None], db, name="scores").ok
    assert compare(db, db[:, None], name="scores").ok   # and the other way round


def test_wrong_values_in_a_singleton_shape_still_fail(db):
    wrong = db.copy()
    wrong[3] *= 2.0
    with collecting_notes() as notes:
        result = compare(wrong.reshape(1, 7), db, name="dgamma")
    assert not result.ok and "1 of 7 entries differ" in result.message
    assert "is accepted: it differs only by axes of length 1" in result.message
    assert notes == []  # nothing was accepted: the test fails
    assert not compare(2 * db[:, None], db, name="db").ok


def test_other_shape_differences_still_fail():
    rng = np.random.default_rng(1)
    w = rng.standard_normal((4, 6))
    transposed = compare(w.T.copy(), w, name="dw")
    assert not transposed.ok and transposed.diagnosis == "transposed"
    assert not compare(w.reshape(-1), w, name="dw").ok                      # (24,) for (4, 6)
    col = rng.standard_normal(5)
    assert not compare(col[:, None] + 0 * col, col, name="db").ok           # an outer (5, 5)
    assert not compare(col[:, None][:4], col, name="db").ok                 # (4, 1) for (5,)


def test_group_norm_dgamma_of_shape_c_is_accepted():
    """cs231n group norm's dgamma, dbeta are (1, C, 1, 1); the flat (C,) holds the same entries."""
    args = group_case(np.random.default_rng(2))
    expected = reference.spatial_groupnorm_backward(
        args["dout"], reference.spatial_groupnorm_forward(*[args[n] for n in GN])[1])[1:]
    flat = groupnorm_backward_flat_dgamma(args["x"], args["gamma"], args["beta"], args["G"], args["dout"])
    assert flat[0].shape == (expected[0].shape[1],)
    assert compare(flat, tuple(expected), name="(dgamma, dbeta)").ok
    assert not compare((flat[0] * 1.01, flat[1]), tuple(expected), name="(dgamma, dbeta)").ok


def _affine_case():
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((4, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
    dout = rng.standard_normal((4, 3))

    def f(p):
        out = reference.affine_forward(p["x"], p["w"], p["b"])[0]
        return float(np.sum(out * dout))
    grads = dict(zip(("x", "w", "b"), reference.affine_backward(dout, (x, w, b))))
    return f, {"x": x, "w": w, "b": b}, grads, rng


@pytest.mark.parametrize("shape", [(1, 3), (3, 1)])
def test_gradient_check_accepts_a_singleton_shaped_gradient(shape):
    f, params, grads, rng = _affine_case()
    with collecting_notes() as notes:
        check_gradient(f, params, dict(grads, b=grads["b"].reshape(shape)), rng=rng)
    assert notes == [f"db: returned shape {shape} where (3,) is expected (they differ only by axes of "
                     "length 1): accepted, judged by value."]


def test_gradient_check_still_fails_wrong_values_and_transposes():
    f, params, grads, rng = _affine_case()
    with pytest.raises(CheckFailure, match="db is wrong"):
        check_gradient(f, params, dict(grads, b=(2 * grads["b"]).reshape(1, 3)), rng=rng)
    with pytest.raises(CheckFailure, match=r"dw has shape \(3, 5\), expected \(5, 3\)"):
        check_gradient(f, params, dict(grads, w=grads["w"].T.copy()), rng=rng)


def test_dropout_output_of_singleton_shape():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 400))
    out = x * (rng.random(x.shape) < 0.6) / 0.6
    check_inverted_dropout(x, out.reshape(400, 1), 0.6)
    with pytest.raises(CheckFailure, match="shape mismatch"):
        check_inverted_dropout(x, out.reshape(20, 20), 0.6)
