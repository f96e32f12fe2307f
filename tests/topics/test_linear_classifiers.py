"""Topic checks of linear classifiers: reference-based callables pass, typical bugs fail with a diagnosis."""

import numpy as np
import pytest

import reference
from grader.checks import CheckFailure
from grader.topics import linear_classifiers as lc


def golden(key, fn):
    return fn(reference)


def ref_loss_fn(kind, scale=1.0, naive=False, dtype=np.float64):
    name = f"{kind}_loss_{'naive' if naive else 'vectorized'}"

    def loss_fn(W, X, y, reg):
        loss, dW = getattr(reference, name)(W, X, y, reg, reg_scale=scale)
        return float(loss), dW.astype(dtype)
    return loss_fn


@pytest.mark.parametrize("kind", ["softmax", "svm"])
def test_correct_variants_pass_over_many_seeds(kind):
    notes = set()
    for seed in range(40):
        for scale, naive, dtype in [(1.0, False, np.float64), (0.5, True, np.float64), (1.0, True, np.float32)]:
            fn = ref_loss_fn(kind, scale, naive, dtype)
            for part in ("loss", "gradient"):
                rng = np.random.default_rng(seed)
                notes.add(lc.check_loss(fn, golden, rng, kind=kind, part=part, reg=0.3,
                                        ref=reference if seed < 5 else None))
            lc.check_loss(fn, golden, np.random.default_rng(seed), kind=kind, part="loss", offset=1000.0)
    assert any("0.5 * reg" in n for n in notes if n) and any(n and n.startswith("regularization detected: reg *") for n in notes)


@pytest.mark.parametrize("kind", ["softmax", "svm"])
def test_reg_missing_and_doubled_are_diagnosed(kind):
    for scale, id in [(0.0, "reg-missing"), (2.0, "reg-doubled")]:
        with pytest.raises(CheckFailure) as info:
            lc.check_loss(ref_loss_fn(kind, scale), golden, np.random.default_rng(1), kind=kind,
                          part="gradient", reg=0.3)
        assert info.value.diagnosis.ids == (id,)


@pytest.mark.parametrize("kind", ["softmax", "svm"])
def test_a_gradient_with_the_other_reg_factor_than_the_loss_fails(kind):
    """Loss with reg * sum(W**2) but dW with reg * W: each alone is an accepted convention, together the
    gradient is not that of the loss."""
    def mixed(W, X, y, reg):
        loss = ref_loss_fn(kind, 1.0)(W, X, y, reg)[0]
        return loss, ref_loss_fn(kind, 0.5)(W, X, y, reg)[1]
    assert lc.check_loss(mixed, golden, np.random.default_rng(2), kind=kind, part="loss", reg=0.3)
    with pytest.raises(CheckFailure) as info:
        lc.check_loss(mixed, golden, np.random.default_rng(2), kind=kind, part="gradient", reg=0.3)
    assert "0.5 * reg * sum(W**2) in dW, but reg * sum(W**2) in the loss" in str(info.value)


def test_float32_round_off_at_scores_near_1000_is_accepted():
    def float32_softmax(W, X, y, reg):
        scores = X.astype(np.float32) @ W.astype(np.float32)
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
        return -np.log(p[np.arange(len(y)), y]).mean(), None
    errors = []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        lc.check_loss(float32_softmax, golden, rng, kind="softmax", part="loss", offset=1000.0)
        W, X, y = lc.draw_problem(np.random.default_rng(seed), N=8, D=5, C=4, offset=1000.0)
        exact = reference.softmax_loss_vectorized(W, X, y, 0.0)[0]
        errors.append(abs(float32_softmax(W, X, y, 0.0)[0] - exact) / exact)
    assert max(errors) > 1e-6  # the float64 tolerance would have failed this correct code


def test_gradient_bug_fails_in_hidden_mode():
    def wrong(W, X, y, reg):
        loss, dW = reference.softmax_loss_vectorized(W, X, y, reg)
        dW = dW.copy()
        dW[:, -1] = 0.0
        return loss, dW
    with pytest.raises(CheckFailure):
        lc.check_loss(wrong, golden, np.random.default_rng(2), kind="softmax", part="gradient", ref=reference)


def test_unstable_softmax_fails_with_offset():
    def unstable(W, X, y, reg):
        scores = X @ W
        with np.errstate(all="ignore"):
            p = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
            loss = -np.mean(np.log(p[np.arange(len(y)), y]))
        return float(loss), np.zeros_like(W)
    with pytest.raises(CheckFailure, match=r"softmax without the max shift \(overflow\)"):
        lc.check_loss(unstable, golden, np.random.default_rng(3), kind="softmax", part="loss", offset=1000.0)


def test_the_stability_test_judges_stability_only():
    """A stable loss summed instead of averaged fails its own test, not the stability one."""
    def summed(W, X, y, reg):
        loss, dW = reference.softmax_loss_vectorized(W, X, y, reg)
        return loss * len(y), dW * len(y)
    lc.check_loss(summed, golden, np.random.default_rng(4), kind="softmax", part="loss", offset=1000.0)
    with pytest.raises(CheckFailure):
        lc.check_loss(summed, golden, np.random.default_rng(4), kind="softmax", part="loss")


def gd_train_fn(kind, sign=1.0, batch="random", init_scale=1e-4, lr_factor=1.0):
    """A c147-style train: seeds like the worker (np.random.seed(seed) right before train), re-initializes
    W as the starter's init_weights does (``init_scale`` None: keeps W0), then SGD on sampled batches."""
    def train_fn(W0, X, y, learning_rate, num_iters, batch_size, seed=None):
        rng = np.random.RandomState(seed)
        C, D = int(np.max(y)) + 1, X.shape[1]
        W = W0 if init_scale is None else (rng.normal(size=(C, D)) * init_scale).T
        for _ in range(num_iters):
            idx = {"random": lambda: rng.choice(len(X), batch_size),
                   "no_replacement": lambda: rng.choice(len(X), batch_size, replace=False),
                   "full": lambda: np.arange(len(X)), "first": lambda: np.arange(batch_size)}[batch]()
            grad = getattr(reference, f"{kind}_loss_vectorized")(W, X[idx], y[idx], 0.0)[1]
            W = W - sign * lr_factor * learning_rate * grad
        return W
    return train_fn


def init_fn_of(init_scale):
    """What the student's init_weights sets after np.random.seed(seed), as c147_init_fn measures it."""
    def init_fn(shape, seed):
        D, C = shape
        return None if init_scale is None else (np.random.RandomState(seed).normal(size=(C, D)) * init_scale).T
    return init_fn


@pytest.mark.parametrize("kind", ["softmax", "svm"])
@pytest.mark.parametrize("init_scale", [1e-4, 1.0, 0.01, None])
@pytest.mark.parametrize("batch", ["random", "no_replacement"])
def test_train_accepts_every_init_scale_and_sampling(kind, init_scale, batch):
    """Correct train at the starter's init scales (np.random.normal(size=dims) with and without * 0.0001),
    at another scale, and without re-initializing; with and without replacement."""
    for seed in range(4):
        for init_fn in (init_fn_of(init_scale), None):
            if init_fn is None and init_scale not in (1e-4, 1.0, None):
                continue   # an unmeasured start must be one of the starter's
            lc.check_train(gd_train_fn(kind, batch=batch, init_scale=init_scale), golden,
                           np.random.default_rng(seed), kind=kind, init_fn=init_fn)


@pytest.mark.parametrize("kind", ["softmax", "svm"])
@pytest.mark.parametrize("init_scale", [1e-4, 1.0])
def test_train_bugs_fail_at_every_init_scale(kind, init_scale):
    init_fn = init_fn_of(init_scale)
    for seed in range(3):
        rng = lambda: np.random.default_rng(seed)  # noqa: E731
        for bug in (dict(sign=-1.0), dict(sign=0.0), dict(lr_factor=1e-3 / 0.5)):  # lr ignored: default 1e-3
            with pytest.raises(CheckFailure) as info:
                lc.check_train(gd_train_fn(kind, init_scale=init_scale, **bug), golden, rng(), kind=kind,
                               init_fn=init_fn)
            if bug.get("sign") == 0.0:
                assert "weights not updated" in str(info.value)
        for batch, words in (("full", "all 40 examples"), ("first", "the first 10 examples")):
            with pytest.raises(CheckFailure, match=words) as info:
                lc.check_train(gd_train_fn(kind, batch=batch, init_scale=init_scale), golden, rng(), kind=kind,
                               init_fn=init_fn)
            assert info.value.diagnosis == "minibatch not sampled"


def test_init_scale_is_measured_not_assumed():
    Z = lc.seeded_normal(5, (3, 4))
    assert lc.init_scale(Z * 1e-4, Z) == 1e-4 and lc.init_scale(Z, Z) == 1.0
    assert lc.init_scale(Z * 0.01, Z) == pytest.approx(0.01)
    assert lc.init_scale(np.zeros((3, 4)), Z) == 0.0
    assert lc.init_scale(lc.seeded_normal(6, (3, 4)), Z) is None
    assert lc.init_scale(Z[:, :2], Z) is None


def test_predict():
    lc.check_predict(lambda W, X: np.argmax(X @ W, axis=1).astype(float), golden, np.random.default_rng(0))
    with pytest.raises(CheckFailure):
        lc.check_predict(lambda W, X: np.argmax(X @ W, axis=0), golden, np.random.default_rng(0))
