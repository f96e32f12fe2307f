"""Topic checks of the two-layer net, both layouts and regularization factors."""

import numpy as np
import pytest

import reference
from grader.checks import CheckFailure
from grader.topics import two_layer_net as tln


def golden(key, fn):
    return fn(reference)


def ref_net_fn(reg_scale, mutate=None):
    def net_fn(params, X, y, reg):
        result = tln.reference_loss(reference, params, X, y, reg, reg_scale)
        if y is not None and mutate:
            loss, grads = result
            return mutate(loss, dict(grads))
        return result
    return net_fn


@pytest.mark.parametrize("reg_scale", [1.0, 0.5])
def test_reference_passes(reg_scale):
    for seed in range(20):
        fn = ref_net_fn(reg_scale)
        tln.check_scores(fn, golden, np.random.default_rng(seed))
        tln.check_loss(fn, golden, np.random.default_rng(seed), reg=0.1, reg_scale=reg_scale)
        tln.check_loss(fn, golden, np.random.default_rng(seed), offset=1000.0, reg_scale=reg_scale)
        tln.check_gradients(fn, golden, np.random.default_rng(seed), reg=0.1, reg_scale=reg_scale,
                            ref=reference if seed < 5 else None)


def test_the_stability_test_judges_stability_only():
    """A stable loss without the 1/N passes the stability test; a loss without the max shift fails it,
    named."""
    summed = ref_net_fn(1.0, mutate=lambda loss, grads: (loss * 5, grads))
    tln.check_loss(summed, golden, np.random.default_rng(1), offset=1000.0)

    def unstable(params, X, y, reg):
        scores = np.maximum(0, X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
        with np.errstate(all="ignore"):
            p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
            return float(-np.log(p[np.arange(len(y)), y]).mean()), {}
    with pytest.raises(CheckFailure, match=r"softmax without the max shift \(overflow\)"):
        tln.check_loss(unstable, golden, np.random.default_rng(1), offset=1000.0)


def test_other_reg_factor_is_diagnosed():
    with pytest.raises(CheckFailure) as info:
        tln.check_loss(ref_net_fn(1.0), golden, np.random.default_rng(0), reg=0.3, reg_scale=0.5)
    assert "without the factor ½" in str(info.value) and info.value.diagnosis.ids == ("reg-without-half",)
    with pytest.raises(CheckFailure):
        tln.check_gradients(ref_net_fn(0.0), golden, np.random.default_rng(0), reg=0.3, reg_scale=1.0)


def test_gradient_bug_fails():
    def no_relu_mask(loss, grads):
        grads["b1"] = grads["b1"] * 0.5
        return loss, grads
    with pytest.raises(CheckFailure):
        tln.check_gradients(ref_net_fn(1.0, no_relu_mask), golden, np.random.default_rng(0), ref=reference)


def sgd_train_fn(reg_scale, learning_rate_factor=1.0, batch="random"):
    def train_fn(params, X, y, learning_rate, reg, num_iters, batch_size):
        rng = np.random.default_rng(1)
        p = dict(params)
        for _ in range(num_iters):
            idx = {"random": lambda: rng.choice(len(X), batch_size), "full": lambda: np.arange(len(X)),
                   "no_replacement": lambda: rng.choice(len(X), batch_size, replace=False),
                   "permutation": lambda: rng.permutation(len(X))[:batch_size],
                   "first": lambda: np.arange(batch_size)}[batch]()
            _, grads = tln.reference_loss(reference, p, X[idx], y[idx], reg, reg_scale)
            p = {k: p[k] - learning_rate_factor * learning_rate * grads[k] for k in p}
        return p
    return train_fn


@pytest.mark.parametrize("batch", ["random", "no_replacement", "permutation"])
def test_train_accepts_every_sampling_convention(batch):
    for seed in range(8):
        tln.check_train(sgd_train_fn(0.5, batch=batch), golden, np.random.default_rng(seed), reg_scale=0.5)


def test_train_and_predict():
    for seed in range(5):
        tln.check_train(sgd_train_fn(0.5), golden, np.random.default_rng(seed), reg_scale=0.5)
    with pytest.raises(CheckFailure):
        tln.check_train(sgd_train_fn(1.0, 0.5), golden, np.random.default_rng(0))
    for batch, words in (("full", "all 30 examples"), ("first", "the first 6 examples")):
        with pytest.raises(CheckFailure, match=words):
            tln.check_train(sgd_train_fn(0.5, batch=batch), golden, np.random.default_rng(2), reg_scale=0.5)
    tln.check_predict(lambda p, X: tln.reference_loss(reference, p, X, None, 0.0, 1.0).argmax(1), golden,
                      np.random.default_rng(0))


@pytest.mark.parametrize("reg_scale", [1.0, 0.5])
def test_biases_regularized_too_is_named(reg_scale):
    def with_biases(params, X, y, reg):
        result = tln.reference_loss(reference, params, X, y, reg, reg_scale)
        if y is None:
            return result
        return result[0] + reg_scale * reg * sum(np.sum(params[b] ** 2) for b in ("b1", "b2")), result[1]
    with pytest.raises(CheckFailure) as info:
        tln.check_loss(with_biases, golden, np.random.default_rng(0), reg=0.3, reg_scale=reg_scale)
    assert info.value.diagnosis == tln.BIASES_REGULARIZED


def test_a_later_years_two_layer_net_is_told_which_api_is_graded(tmp_path):
    """cs231n 2021+ moved TwoLayerNet to fc_net.py with (input_dim, hidden_dim, num_classes,
    weight_scale, reg): the student is told the API graded here, not just the TypeError."""
    from grader.assignment import load_assignment
    from grader.runner import grade_many

    from helpers import edited_example

    assignment = load_assignment("cs231n/a1")
    later = edited_example(tmp_path, assignment, "later", "cs231n/classifiers/neural_net.py", [(
        "def __init__(self, input_size, hidden_size, output_size, std=1e-4):",
        "def __init__(self, input_dim=3072, hidden_dim=100, num_classes=10, weight_scale=1e-3, reg=0.0):\n"
        "        input_size, hidden_size, output_size, std = input_dim, hidden_dim, num_classes, weight_scale")])
    result = grade_many(assignment, [later], public_only=True)[0]
    failed = [o for o in result.outcomes if not o.passed]
    assert failed and all(o.name.startswith("TwoLayerNet") for o in failed)
    assert all("the TwoLayerNet of a later year's fc_net.py" in o.output for o in failed)
