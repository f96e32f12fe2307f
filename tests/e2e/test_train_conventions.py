"""`train` is judged on what the student wrote, not on the starter code it calls (issue 11, items 3-4).

c147 hw2: `SVM.train` / `Softmax.train` re-initialize W through the starter's `init_weights`, which is
`np.random.normal(size=dims) * 0.0001` in some years and `np.random.normal(size=dims)` in others; both
get full marks, with and without replacement, and real `train` bugs still fail on `train` only, at both
scales. c147 hw3: `TwoLayerNet.train` with replacement, without it, and the starter's per-epoch decay.
Each case is the bundled correct example with one edit, graded through the real runner and worker.
"""

import pytest

from grader.assignment import load_assignment
from grader.runner import grade_many

from helpers import variant_of

UNSCALED = ("np.random.normal(size=dims) * 0.0001", "np.random.normal(size=dims)")
HW2_SAMPLE = "idx = np.random.choice(num_train, batch_size)"
HW2_FILES = ("nndl/svm.py", "nndl/softmax.py")


def _hw2_edits(*edits):
    return [(rel, old, new) for rel in HW2_FILES for old, new in edits]


def _verdicts(assignment, variants, tmp_path):
    folders = [variant_of(tmp_path, assignment, name, edits) for name, edits in variants.items()]
    results = grade_many(assignment, folders)
    return {name: result for name, result in zip(variants, results)}


def _lost(result):
    return sorted(o.name for o in result.outcomes if o.score < o.max_score)


def test_hw2_train_is_graded_at_either_init_scale_and_sampling(tmp_path):
    assignment = load_assignment("c147/hw2")
    no_replacement = (HW2_SAMPLE, "idx = np.random.choice(num_train, batch_size, replace=False)")
    correct = {
        "init_unscaled": _hw2_edits(UNSCALED),
        "init_unscaled_no_replacement": _hw2_edits(UNSCALED, no_replacement),
        "init_scaled_no_replacement": _hw2_edits(no_replacement),
        "init_unscaled_permutation": _hw2_edits(UNSCALED, (HW2_SAMPLE, "idx = np.random.permutation(num_train)"
                                                                       "[:batch_size]")),
    }
    step = "self.W = self.W - learning_rate * grad"
    bugs = {  # each breaks train in both classes, with the unscaled init of the other years
        "bug_unscaled_full_batch": _hw2_edits(UNSCALED, (HW2_SAMPLE, "idx = np.arange(num_train)")),
        "bug_unscaled_first_batch": _hw2_edits(UNSCALED, (HW2_SAMPLE, "idx = np.arange(batch_size)")),
        "bug_unscaled_wrong_sign": _hw2_edits(UNSCALED, (step, "self.W = self.W + learning_rate * grad")),
        "bug_unscaled_no_update": _hw2_edits(UNSCALED, (step, "pass")),
        "bug_unscaled_lr_ignored": _hw2_edits(UNSCALED, (step, "self.W = self.W - 1e-3 * grad")),
        "bug_scaled_lr_ignored": _hw2_edits((step, "self.W = self.W - 1e-3 * grad")),
    }
    verdicts = _verdicts(assignment, {**correct, **bugs}, tmp_path)
    for name in correct:
        assert _lost(verdicts[name]) == [], name
    for name in bugs:
        assert _lost(verdicts[name]) == ["SVM.train: minibatch gradient descent steps W -= learning_rate * grad",
                                         "Softmax.train: minibatch gradient descent steps W -= learning_rate * grad"], name
    diagnoses = {o.diagnosis for name in ("bug_unscaled_full_batch", "bug_unscaled_first_batch")
                 for o in verdicts[name].outcomes if not o.passed}
    assert diagnoses == {"minibatch not sampled"}


HW3_SAMPLE = "idx = np.random.choice(num_train, batch_size)"
HW3_STEP = "self.params[name] -= learning_rate * grads[name]"
HW3_TRAIN = "TwoLayerNet.train: SGD steps on minibatches"


@pytest.mark.parametrize("variants, lost", [
    ({"no_replacement": [("nndl/neural_net.py", HW3_SAMPLE,
                          "idx = np.random.choice(num_train, batch_size, replace=False)")],
      "permutation": [("nndl/neural_net.py", HW3_SAMPLE, "idx = np.random.permutation(num_train)[:batch_size]")],
      "decay_every_epoch_after_the_step": [
          ("nndl/neural_net.py", "if it % iterations_per_epoch == 0:", "if (it + 1) % iterations_per_epoch == 0:")]},
     []),
    ({"bug_full_batch": [("nndl/neural_net.py", HW3_SAMPLE, "idx = np.arange(num_train)")],
      "bug_first_batch": [("nndl/neural_net.py", HW3_SAMPLE, "idx = np.arange(batch_size)")],
      "bug_lr_ignored": [("nndl/neural_net.py", HW3_STEP, "self.params[name] -= 1e-3 * grads[name]")],
      "bug_wrong_sign": [("nndl/neural_net.py", HW3_STEP, "self.params[name] += learning_rate * grads[name]")]},
     [HW3_TRAIN]),
])
def test_hw3_two_layer_net_train_conventions(tmp_path, variants, lost):
    assignment = load_assignment("c147/hw3")
    verdicts = _verdicts(assignment, variants, tmp_path)
    for name in variants:
        assert _lost(verdicts[name]) == lost, name
