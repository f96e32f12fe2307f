"""cs231n a1 misconceptions graded through the real runner (red-team wave 3, a1bugs): a one-line edit of
the bundled correct example fails the tests meant to catch it, and only those, and the report names
the misconception; a stable loss with another bug passes the stability test."""

import pytest

from grader.assignment import load_assignment
from grader.runner import grade_many
from grader.topics import linear_classifiers as lc

from helpers import variant_of

CLASSIFIERS = "cs231n/classifiers/"
VARIANTS = {
    "softmax_vec_loss_sum": [("softmax.py", "loss = -np.mean(np.log(probs[np.arange(num_train), y]))",
                              "loss = -np.sum(np.log(probs[np.arange(num_train), y]))")],
    "softmax_vec_no_shift": [("softmax.py", "    scores -= np.max(scores, axis=1, keepdims=True)\n", "")],
    "svm_naive_counts_correct": [("linear_svm.py", "            if j == y[i]:\n                continue\n", "")],
    "svm_vec_no_zero_correct": [("linear_svm.py", "    margins[np.arange(num_train), y] = 0\n", "")],
    "tln_no_max_shift": [("neural_net.py", "shifted = scores - np.max(scores, axis=1, keepdims=True)",
                          "shifted = scores")],
    "tln_reg_on_biases": [("neural_net.py", "loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))",
                           "loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(b1 * b1) + np.sum(b2 * b2))")],
    "knn_labels_farthest": [("k_nearest_neighbor.py", "np.argsort(dists[i])[:k]", "np.argsort(dists[i])[-k:]")],
    "tln_predict_no_relu": [("neural_net.py", "y_pred = np.argmax(self.loss(X), axis=1)",
                             "y_pred = np.argmax((X.dot(self.params['W1']) + self.params['b1'])"
                             ".dot(self.params['W2']) + self.params['b2'], axis=1)")],
}
STABLE = "numerically stable when every score is offset by 1000"
OVERFLOW = "softmax without the max shift (overflow)"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every variant graded, hidden tests included, in one session: {variant: {test name: Outcome}}."""
    assignment = load_assignment("cs231n/a1")
    root = tmp_path_factory.mktemp("a1")
    folders = [variant_of(root, assignment, name, [(CLASSIFIERS + rel, old, new) for rel, old, new in edits])
               for name, edits in VARIANTS.items()]
    return {name: {o.name: o for o in result.outcomes}
            for name, result in zip(VARIANTS, grade_many(assignment, folders))}


def _failed(graded, variant):
    return {name: o for name, o in graded[variant].items() if not o.passed}


def _detail(outcome):
    return outcome.instructor_output or outcome.output


def test_a_stable_loss_with_another_bug_passes_the_stability_test(graded):
    failed = _failed(graded, "softmax_vec_loss_sum")
    assert f"softmax_loss_vectorized: {STABLE}" not in failed
    assert "softmax_loss_vectorized: loss matches the reference" in failed


@pytest.mark.parametrize("variant, test", [("softmax_vec_no_shift", f"softmax_loss_vectorized: {STABLE}"),
                                           ("tln_no_max_shift", f"TwoLayerNet.loss: {STABLE}")])
def test_a_missing_max_shift_fails_the_stability_test_only_and_is_named(graded, variant, test):
    assert list(_failed(graded, variant)) == [test]
    assert OVERFLOW in _detail(graded[variant][test])


def test_the_svm_correct_class_margin_is_named_in_naive_and_vectorized(graded):
    naive = _failed(graded, "svm_naive_counts_correct")
    assert sorted(naive) == ["svm_loss_naive: loss matches the reference",
                             "svm_loss_naive: loss with regularization"]  # the loop's gradient stays right
    assert all("the correct class's margin counted" in o.output for o in naive.values())
    vectorized = _failed(graded, "svm_vec_no_zero_correct")
    assert len(vectorized) == 5 and all(name.startswith("svm_loss_vectorized") for name in vectorized)
    for name, outcome in vectorized.items():
        assert lc.SVM_CORRECT_CLASS["gradient" if "gradient" in name else "loss"] in _detail(outcome), name


def test_biases_regularized_too_is_named(graded):
    failed = _failed(graded, "tln_reg_on_biases")
    assert list(failed) == ["TwoLayerNet.loss: loss with reg=0.1"]
    assert "the biases regularized too" in failed["TwoLayerNet.loss: loss with reg=0.1"].output


def test_wrong_labels_are_counted_and_the_k_farthest_named(graded):
    failed = _failed(graded, "knn_labels_farthest")
    assert len(failed) >= 6  # every public predict test; the hidden batch of one too on most draws
    for outcome in failed.values():
        assert " wrong (point " in outcome.output and "relative error" not in outcome.output
        assert "k ignored" not in outcome.output or "or the k farthest" in outcome.output  # one point cannot tell
    assert sum("the k farthest neighbours voted" in o.output for o in failed.values()) >= 5
    predict = _failed(graded, "tln_predict_no_relu")
    assert list(predict) == ["TwoLayerNet.predict: the class of the largest score"]
    output = predict["TwoLayerNet.predict: the class of the largest score"].output
    assert " wrong (point " in output and "relative error" not in output
