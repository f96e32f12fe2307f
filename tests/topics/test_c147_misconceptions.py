"""c147 hw1-hw3 misconceptions graded through the real runner: a one-line edit of each bundled correct
example fails the public test meant to catch it, and the report names the misconception (a named
alternative of the reference) or, for ``train``, says that it steps with the student's own loss."""

import numpy as np
import pytest

import reference
from grader.assignment import load_assignment
from grader.checks import CheckFailure
from grader.runner import grade_many
from grader.topics import knn, linear_classifiers as lc

from helpers import variant_of

SVM_LOOP_SKIP = "        if j == y[i]:\n          continue\n"
VARIANTS = {
    "c147/hw2": {
        "k_ignored": [("nndl/knn.py", "y_pred[i] = np.argmax(np.bincount(closest_y))", "y_pred[i] = closest_y[0]")],
        "svm_include_correct": [("nndl/svm.py", SVM_LOOP_SKIP, "")],
        "svm_margin_not_zeroed": [("nndl/svm.py", "    margins[np.arange(num_train), y] = 0\n", "")],
        "svm_fast_no_N": [("nndl/svm.py", "grad = mask.T.dot(X) / num_train", "grad = mask.T.dot(X)")],
    },
    "c147/hw3": {
        "no_b2": [("nndl/neural_net.py", "scores = hidden.dot(W2.T) + b2", "scores = hidden.dot(W2.T)")],
        "reg_missing_in_dW1": [("nndl/neural_net.py", "grads['W1'] = dhidden.T.dot(X) + reg * W1",
                                "grads['W1'] = dhidden.T.dot(X)")],
        "train_no_reg": [("nndl/neural_net.py", "self.loss(X_batch, y=y_batch, reg=reg)",
                          "self.loss(X_batch, y=y_batch)")],
        "elu_alpha_ignored": [("nndl/layers.py", "alpha * (np.exp(np.minimum(x, 0)) - 1)",
                               "(np.exp(np.minimum(x, 0)) - 1)")],
    },
    "c147/hw1": {
        "test_on_train": [("linear_regression.ipynb", "testing_errors.append(0.5 * np.sum(residual ** 2))",
                           "testing_errors.append(training_errors[i])")],
    },
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Each assignment's variants graded in one session: {variant: {test name: Outcome}}."""
    results = {}
    for hw, variants in VARIANTS.items():
        assignment = load_assignment(hw)
        root = tmp_path_factory.mktemp(hw.replace("/", "_"))
        folders = [variant_of(root, assignment, name, edits) for name, edits in variants.items()]
        for name, result in zip(variants, grade_many(assignment, folders, public_only=True)):
            results[name] = {o.name: o for o in result.outcomes}
    return results


def assert_fails_naming(graded, variant, test, *words, absent=()):
    """The variant fails ``test`` as a mismatch whose message holds every one of ``words`` and none of
    ``absent``."""
    outcome = graded[variant][test]
    assert outcome.kind == "mismatch", (variant, test, outcome.kind, outcome.output)
    for word in words:
        assert word in outcome.output, (variant, test, outcome.output)
    for word in absent:
        assert word not in outcome.output, (variant, test, outcome.output)


def test_knn_predict_that_ignores_k_fails_the_public_vote_test(graded):
    assert_fails_naming(graded, "k_ignored", "KNN.predict_labels: majority vote of the k=5 nearest", "k ignored")
    assert_fails_naming(graded, "k_ignored", "KNN.predict_labels: a batch of one test point", "k ignored")
    assert graded["k_ignored"]["KNN.predict_labels: majority vote of the k=1 nearest"].passed


def test_svm_counting_the_correct_class_is_named(graded):
    assert_fails_naming(graded, "svm_include_correct", "SVM.loss: loss matches the reference",
            "the correct class's margin counted")
    assert_fails_naming(graded, "svm_margin_not_zeroed", "SVM.fast_loss_and_grad: loss matches the reference",
            "the correct class's margin counted")
    assert_fails_naming(graded, "svm_margin_not_zeroed", "SVM.fast_loss_and_grad: gradient matches the reference",
            "the correct class's margin (always 1) not zeroed")


def test_train_failures_point_at_the_students_own_loss(graded):
    own = "your own {}: if the tests of {} fail, fix those first"
    assert_fails_naming(graded, "svm_fast_no_N", "SVM.train: minibatch gradient descent steps W -= learning_rate * grad",
            own.format("SVM.fast_loss_and_grad", "SVM.fast_loss_and_grad"))
    assert_fails_naming(graded, "reg_missing_in_dW1", "TwoLayerNet.train: SGD steps on minibatches",
            own.format("TwoLayerNet.loss", "TwoLayerNet.loss"))
    assert_fails_naming(graded, "train_no_reg", "TwoLayerNet.train: SGD steps on minibatches",
            "trained without regularization (reg not passed to loss)", absent=("fix those first",))
    assert graded["train_no_reg"]["TwoLayerNet.loss: gradients with reg=0.1"].passed


def test_two_layer_net_without_b2_is_named(graded):
    for test in ("TwoLayerNet.loss: scores without labels", "TwoLayerNet.loss: loss with reg=0.1",
                 "TwoLayerNet.loss: gradients with reg=0.0"):
        assert_fails_naming(graded, "no_b2", test, "b2 not added to the scores")


def test_elu_forward_ignoring_alpha_is_named(graded):
    assert_fails_naming(graded, "elu_alpha_ignored", "elu_forward: matches the reference (alpha 0.5)", "alpha ignored")
    assert graded["elu_alpha_ignored"]["elu_forward: matches the reference (alpha 1.0)"].passed


def test_testing_errors_on_the_training_data_are_named(graded):
    assert_fails_naming(graded, "test_on_train",
            "testing_errors: squared loss of each fit on the test data (sum or mean, with or without ½)",
            "computed on the training data instead of the test data")


# ----- the same checks over many seeds, with reference-based callables ---------------------------------

def golden(key, fn):
    return fn(reference)


@pytest.mark.parametrize("k,num_test", [(3, 1), (4, 6), (5, 6), (7, 12)])
def test_every_label_problem_catches_k_ignored_and_passes_the_vote(k, num_test):
    def nearest_only(dists, y_train, k):
        return y_train[np.argmin(dists, axis=1)].astype(float)
    for seed in range(30):
        kwargs = dict(k=k, num_train=max(15, 3 * k), num_test=num_test, num_classes=2)
        knn.check_predict_labels(reference.predict_labels, golden, np.random.default_rng(seed), **kwargs)
        with pytest.raises(CheckFailure, match="k ignored"):
            knn.check_predict_labels(nearest_only, golden, np.random.default_rng(seed), **kwargs)


def test_svm_alternatives_are_what_the_buggy_vectorized_code_computes():
    def margin_not_zeroed(W, X, y, reg):
        rows = np.arange(len(y))
        scores = X @ W
        margins = np.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)
        mask = (margins > 0).astype(float)
        mask[rows, y] = -mask.sum(axis=1)
        return margins.sum() / len(y), X.T @ mask / len(y)
    for seed in range(10):
        for part, words in (("loss", "margin counted"), ("gradient", "not zeroed")):
            with pytest.raises(CheckFailure, match=words):
                lc.check_loss(margin_not_zeroed, golden, np.random.default_rng(seed), kind="svm", part=part)


def test_elu_backward_of_alpha_one_is_named():
    from grader.topics import prelu_elu

    def alpha_one(args, dout):
        out, cache = reference.elu_forward(args[0], 1.0)
        return out, reference.elu_backward(dout, cache)
    with pytest.raises(CheckFailure, match="alpha ignored"):
        prelu_elu.check_elu(alpha_one, golden, np.random.default_rng(0), alpha=0.5, part="backward")
    prelu_elu.check_elu(alpha_one, golden, np.random.default_rng(0), alpha=1.0)
