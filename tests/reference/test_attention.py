"""reference.attention: scaled dot-product attention with boolean and additive masks."""

import numpy as np
import pytest

from reference.attention import attention_backward, attention_forward

from gradients import numerical_vjp, assert_grad_close


def looped_attention(q, k, v, keep=None):
    """One query at a time, written independently of the reference."""
    N, Tq, d = q.shape
    out = np.zeros((N, Tq, v.shape[2]))
    for n in range(N):
        for i in range(Tq):
            s = np.array([q[n, i] @ k[n, j] / np.sqrt(d) for j in range(k.shape[1])])
            if keep is not None:
                s = np.where(keep[n, i] if keep.ndim == 3 else keep[i], s, -np.inf)
            p = np.exp(s - s.max())
            p /= p.sum()
            out[n, i] = p @ v[n]
    return out


def case(rng, N=2, Tq=3, Tk=4, d=5, dv=2):
    return (rng.standard_normal((N, Tq, d)), rng.standard_normal((N, Tk, d)),
            rng.standard_normal((N, Tk, dv)))


def test_forward_matches_looped_definition():
    rng = np.random.default_rng(1)
    q, k, v = case(rng)
    out, _ = attention_forward(q, k, v)
    np.testing.assert_allclose(out, looped_attention(q, k, v), rtol=1e-12, atol=1e-14)


def test_boolean_mask_keeps_true_entries_only():
    rng = np.random.default_rng(2)
    q, k, v = case(rng)
    causal = np.tril(np.ones((3, 4), dtype=bool))
    out, cache = attention_forward(q, k, v, mask=causal)
    np.testing.assert_allclose(out, looped_attention(q, k, v, causal), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(out[:, 0], v[:, 0], rtol=1e-12)   # first query sees key 0 only
    weights = cache[3]
    assert np.all(weights[:, ~causal] == 0)


def test_additive_mask_equals_boolean_mask_and_shifts_scores():
    rng = np.random.default_rng(3)
    q, k, v = case(rng)
    keep = rng.random((2, 3, 4)) < 0.7
    keep[:, :, 0] = True
    additive = np.where(keep, 0.0, -np.inf)
    out_bool, _ = attention_forward(q, k, v, mask=keep)
    out_add, _ = attention_forward(q, k, v, mask=additive)
    np.testing.assert_array_equal(out_bool, out_add)
    np.testing.assert_allclose(out_bool, looped_attention(q, k, v, keep), rtol=1e-12, atol=1e-14)
    # a finite additive mask that is constant along the keys changes nothing
    out_const, _ = attention_forward(q, k, v, mask=np.full((3, 4), 5.0))
    np.testing.assert_allclose(out_const, attention_forward(q, k, v)[0], rtol=1e-12)


def test_padding_mask_broadcasts_over_queries():
    rng = np.random.default_rng(4)
    q, k, v = case(rng)
    pad = np.ones((2, 1, 4), dtype=bool)
    pad[1, 0, 3] = False
    out, _ = attention_forward(q, k, v, mask=pad)
    np.testing.assert_allclose(out, looped_attention(q, k, v, np.broadcast_to(pad, (2, 3, 4))),
                               rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("mask_kind", [None, "bool", "additive"])
def test_backward_matches_numerical(mask_kind):
    rng = np.random.default_rng(5)
    q, k, v = case(rng, N=2, Tq=3, Tk=4, d=3, dv=2)
    mask = None
    if mask_kind == "bool":
        mask = np.tril(np.ones((3, 4), dtype=bool))
    elif mask_kind == "additive":
        mask = rng.standard_normal((2, 3, 4))
    out, cache = attention_forward(q, k, v, mask=mask)
    dout = rng.standard_normal(out.shape)
    dq, dk, dv = attention_backward(dout, cache)
    assert_grad_close(numerical_vjp(lambda a: attention_forward(a, k, v, mask)[0], q, dout), dq)
    assert_grad_close(numerical_vjp(lambda a: attention_forward(q, a, v, mask)[0], k, dout), dk)
    assert_grad_close(numerical_vjp(lambda a: attention_forward(q, k, a, mask)[0], v, dout), dv)


def test_large_scores_do_not_overflow():
    rng = np.random.default_rng(6)
    q, k, v = case(rng)
    out, _ = attention_forward(q * 300, k * 300, v)
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("args,match", [
    (((2, 3, 5), (2, 4, 6), (2, 4, 2)), "k must have shape"),
    (((2, 3, 5), (2, 4, 5), (2, 3, 2)), "v must have shape"),
    (((3, 5), (2, 4, 5), (2, 4, 2)), "q must have shape"),
    (((2, 3, 5), (1, 4, 5), (1, 4, 2)), "k must have shape"),
])
def test_shape_errors(args, match):
    with pytest.raises(ValueError, match=match):
        attention_forward(*(np.zeros(s) for s in args))


def test_mask_errors():
    rng = np.random.default_rng(7)
    q, k, v = case(rng)
    with pytest.raises(ValueError, match="does not match"):
        attention_forward(q, k, v, mask=np.ones((4, 3), dtype=bool))
    with pytest.raises(ValueError, match="no key"):
        bad = np.ones((3, 4), dtype=bool)
        bad[1] = False
        attention_forward(q, k, v, mask=bad)
    with pytest.raises(ValueError, match="boolean"):
        attention_forward(q, k, v, mask=np.ones((3, 4), dtype=np.int64))
    with pytest.raises(ValueError, match="floating"):
        attention_forward(q.astype(np.int64), k, v)
    _, cache = attention_forward(q, k, v)
    with pytest.raises(ValueError, match="dout"):
        attention_backward(np.zeros((2, 3, 3)), cache)
