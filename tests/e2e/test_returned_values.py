"""The case of "dW: unsupported type Remote": a gradient that older code builds as a ``np.matrix``
(``np.mat``, or an ndarray minus a scipy sparse one-hot matrix) is graded on its values through the real
runner and worker; a wrong gradient built the same way still loses exactly its points."""

import shutil

from grader.assignment import load_assignment
from grader.runner import grade_many

MATRIX_GRAD = "dW = np.mat(X).T * np.mat(probs) / num_train + 2 * reg * W"
SPARSE_GRAD = ("from scipy import sparse\n"
               "    onehot = sparse.csr_matrix((np.ones(num_train), (np.arange(num_train), y)), shape=probs.shape)\n"
               "    dW = X.T.dot(probs - onehot) / num_train + 2 * reg * W")


def _variant(tmp_path, label, naive_bug=False):
    sub = tmp_path / label
    shutil.copytree(load_assignment("cs231n/a1").examples()["correct"], sub)
    path = sub / "cs231n/classifiers/softmax.py"
    text = path.read_text()
    vectorized = "    probs[np.arange(num_train), y] -= 1\n    dW = X.T.dot(probs) / num_train + 2 * reg * W\n"
    assert vectorized in text and text.count("dW = dW / num_train + 2 * reg * W") == 1
    text = text.replace(vectorized, f"    {SPARSE_GRAD}\n")
    naive = "dW = dW / num_train + 2 * reg * W"
    text = text.replace(naive, "probs = np.exp(X.dot(W) - np.max(X.dot(W), axis=1, keepdims=True))\n"
                               "    probs /= np.sum(probs, axis=1, keepdims=True)\n"
                               "    probs[np.arange(num_train), y] -= 1\n"
                               f"    {MATRIX_GRAD.replace('2 * reg', '3 * reg' if naive_bug else '2 * reg')}")
    path.write_text(text)
    return sub


def test_matrix_gradients_are_graded_on_their_values(tmp_path):
    assignment = load_assignment("cs231n/a1")
    good, bad = grade_many(assignment, [_variant(tmp_path, "matrix"), _variant(tmp_path, "matrix_bug", True)])
    assert [(o.name, o.output[:200]) for o in good.outcomes if o.score < o.max_score] == []
    assert good.score == good.max_score > 0
    lost = [o for o in bad.outcomes if o.score < o.max_score]
    assert lost and {o.name.split(":")[0] for o in lost} == {"softmax_loss_naive"}
    assert not any("unsupported type" in o.output for o in lost)
