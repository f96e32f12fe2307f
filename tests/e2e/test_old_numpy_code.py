"""Code written for the NumPy of its year is graded as it ran for the student: a list display as a
multidimensional index (`scores[[rows, y]]`, NumPy < 1.23) and a ragged `np.array` (an object array
before NumPy 1.24). The correct cs231n/a1 example rewritten that way keeps full marks through the real
runner and worker; a real bug written the same way still loses its points."""

import re
import shutil

from grader.assignment import load_assignment
from grader.runner import grade_many

RAGGED_NAIVE = '''

def _one_example(W, x, label):
    scores = x.dot(W)
    scores -= np.max(scores)
    probs = np.exp(scores) / np.sum(np.exp(scores))
    grad = np.outer(x, probs)
    grad[:, label] -= x
    return -np.log(probs[label]), grad


def softmax_loss_naive(W, X, y, reg):
    pairs = np.array([_one_example(W, X[i], y[i]) for i in range(X.shape[0])])   # ragged: (loss, dW) rows
    loss = pairs[:, 0].sum() / X.shape[0] + reg * np.sum(W * W)
    dW = pairs[:, 1].sum() / X.shape[0] + 2 * reg * W
    return float(loss), np.asarray(dW, dtype=float)
'''


def _rewritten(tmp_path, label, bug=False):
    sub = tmp_path / label
    shutil.copytree(load_assignment("cs231n/a1").examples()["correct"], sub)
    for name in ("linear_svm.py", "softmax.py"):
        path = sub / "cs231n/classifiers" / name
        text = re.sub(r"\[np\.arange\(num_train\), y\]", "[[np.arange(num_train), y]]", path.read_text())
        assert text.count("[[np.arange(num_train), y]]") >= 2
        if name == "softmax.py":
            start = text.index("def softmax_loss_naive")
            text = text[:start] + text[text.index("def softmax_loss_vectorized"):] + RAGGED_NAIVE
            if bug:
                text = text.replace("grad[:, label] -= x", "grad[:, label] -= 2 * x")
        path.write_text(text)
    return sub


def test_list_indices_and_ragged_arrays_of_older_numpy_get_full_marks(tmp_path):
    assignment = load_assignment("cs231n/a1")
    correct, buggy = _rewritten(tmp_path, "old_numpy"), _rewritten(tmp_path, "old_numpy_bug", bug=True)
    good, bad = grade_many(assignment, [correct, buggy])
    assert [(o.name, o.output[:200]) for o in good.outcomes if o.score < o.max_score] == []
    assert good.score == good.max_score > 0
    lost = {o.name.split(":")[0] for o in bad.outcomes if o.score < o.max_score}
    assert lost == {"softmax_loss_naive"}
