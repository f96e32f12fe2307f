"""Correct code in the styles real students wrote (issue 11, item 6) gets full marks through the real runner,
with a note naming what was accepted; a real bug of the same area still fails exactly its tests.

Each submission is the assignment's bundled correct example with one small edit (``variant_of``):
* a (D,) result returned as (1, D) or (D, 1) (``keepdims``): accepted with a note;
* code written for the 2-d inputs the course's notebooks pass (a ReLU or dropout indexing two axes);
* a convention that changed between course years: eps outside the square root or left out in test mode,
  cs231n a1 ``0.5 * reg`` in TwoLayerNet.
"""

import pytest

from grader.assignment import load_assignment
from grader.report.feedback import render_feedback
from grader.runner import grade_many

from helpers import variant_of

HW3_LAYERS = "nndl/layers.py"
C147_BN = "nndl/layers.py"
A2_LAYERS = "cs231n/layers.py"

RELU_2D = ("  dx = dout * (x > 0)",
           "  dx = np.zeros_like(dout)\n"
           "  for i in range(x.shape[0]):\n"
           "    for j in range(x.shape[1]):\n"
           "      dx[i, j] = dout[i, j] if x[i, j] > 0 else 0.0")
DB_ROW = ("  db = np.sum(dout, axis=0)", "  db = np.sum(dout, axis=0, keepdims=True)")
DB_COLUMN = ("  db = np.sum(dout, axis=0)", "  db = np.sum(dout, axis=0).reshape(-1, 1)")
DB_ROW_MEAN = ("  db = np.sum(dout, axis=0)", "  db = np.mean(dout, axis=0, keepdims=True)")
DW_TRANSPOSED = ("  dw = x_flat.T.dot(dout)", "  dw = dout.T.dot(x_flat)")

BN_KEEPDIMS = [("    mu = np.mean(x, axis=0)\n    var = np.var(x, axis=0)",
                "    mu = np.mean(x, axis=0, keepdims=True)\n    var = np.var(x, axis=0, keepdims=True)"),
               ("  dbeta = np.sum(dout, axis=0)\n  dgamma = np.sum(dout * x_hat, axis=0)",
                "  dbeta = np.sum(dout, axis=0, keepdims=True)\n  dgamma = np.sum(dout * x_hat, axis=0, keepdims=True)")]
BN_EPS_OUTSIDE = [("    x_hat = (x - mu) / np.sqrt(var + eps)", "    x_hat = (x - mu) / (np.sqrt(var) + eps)"),
                  ("    x_hat = (x - running_mean) / np.sqrt(running_var + eps)",
                   "    x_hat = (x - running_mean) / (np.sqrt(running_var) + eps)")]
BN_DGAMMA_WRONG = ("  dgamma = np.sum(dout * x_hat, axis=0)", "  dgamma = np.sum(dout * x_hat, axis=0, keepdims=True) * 1.01")


def _grade(assignment_name, tmp_path, variants):
    assignment = load_assignment(assignment_name)
    folders = {label: variant_of(tmp_path, assignment, label, edits) for label, edits in variants.items()}
    results = dict(zip(folders, grade_many(assignment, list(folders.values()))))
    return assignment, results


def _failing(result):
    return sorted(o.name for o in result.outcomes if o.score < o.max_score)


def _notes(result):
    return [n for o in result.outcomes for n in o.notes]


def test_c147_hw3_singleton_shapes_and_2d_relu(tmp_path):
    assignment, results = _grade("c147/hw3", tmp_path, {
        "db_row": [(HW3_LAYERS, *DB_ROW)],
        "db_column": [(HW3_LAYERS, *DB_COLUMN)],
        "relu_2d": [(HW3_LAYERS, *RELU_2D)],
        "bug_db_row_mean": [(HW3_LAYERS, *DB_ROW_MEAN)],
        "bug_dw_transposed": [(HW3_LAYERS, *DW_TRANSPOSED)],
    })
    for label in ("db_row", "db_column", "relu_2d"):
        assert _failing(results[label]) == [], label
    for label, shape in (("db_row", "(1, 5)"), ("db_column", "(5, 1)")):
        notes = _notes(results[label])
        assert any(f"returned shape {shape} where (5,) is expected" in n and "accepted" in n for n in notes), notes
        assert "accepted" in render_feedback(results[label])
    assert _notes(results["relu_2d"]) == []
    # the bundled db-mean bug fails these; in the (1, M) shape it fails the same ones
    want = assignment.expected_failures()["bug_affine_db_mean"]
    assert _failing(results["bug_db_row_mean"]) == sorted(want)
    transposed = _failing(results["bug_dw_transposed"])
    assert "affine_backward: gradients match the reference (cache (x, w, b))" in transposed
    assert all("affine_backward" in n or "FullyConnectedNet" in n or "TwoLayerNet" in n for n in transposed)


def test_c147_hw4_batchnorm_keepdims_and_eps_placement(tmp_path):
    _, results = _grade("c147/hw4", tmp_path, {
        "bn_keepdims": [(C147_BN, *edit) for edit in BN_KEEPDIMS],
        "bn_eps_outside": [(C147_BN, *edit) for edit in BN_EPS_OUTSIDE],
        "bn_eps_left_out_in_test": [(C147_BN, "    x_hat = (x - running_mean) / np.sqrt(running_var + eps)",
                                     "    x_hat = (x - running_mean) / np.sqrt(running_var)")],
        "dropout_2d": [(C147_BN, "    mask = (np.random.rand(*x.shape) < p) / p",
                        "    mask = (np.random.rand(x.shape[0], x.shape[1]) < p) / p")],
        "bug_dgamma_wrong_in_row_shape": [(C147_BN, *BN_DGAMMA_WRONG)],
    })
    for label in ("bn_keepdims", "bn_eps_outside", "bn_eps_left_out_in_test", "dropout_2d"):
        assert _failing(results[label]) == [], (label, _failing(results[label]))
    keepdims = _notes(results["bn_keepdims"])
    for name in ("running_mean", "(dx, dgamma, dbeta)[1]", "(dx, dgamma, dbeta)[2]"):
        assert any(name in n and "is expected (they differ only by axes of length 1): accepted" in n
                   for n in keepdims), (name, keepdims)
    assert any("epsilon outside the square root" in n for n in _notes(results["bn_eps_outside"]))
    assert any("epsilon left out" in n for n in _notes(results["bn_eps_left_out_in_test"]))
    wrong = _failing(results["bug_dgamma_wrong_in_row_shape"])
    assert "batchnorm_backward: dx, dgamma, dbeta match the reference" in wrong
    assert all("batchnorm_backward" in n or "batch norm" in n for n in wrong), wrong


def test_cs231n_a1_two_layer_net_half_reg_is_named(tmp_path):
    assignment = load_assignment("cs231n/a1")
    examples = assignment.examples()
    half, mixed = grade_many(assignment, [examples["variant_tln_half_reg"], examples["bug_tln_half_reg_loss_only"]])
    assert _failing(half) == []
    named = [n for o in half.outcomes if o.name.startswith("TwoLayerNet") for n in o.notes]
    assert named and all(n == "regularization detected: 0.5 * reg * (‖W1‖² + ‖W2‖²) (accepted)" for n in named)
    failed = [o for o in mixed.outcomes if o.score < o.max_score]
    assert {o.name for o in failed} == {
        "TwoLayerNet.loss: gradients with reg=0.1",
        "TwoLayerNet.loss: gradients on a larger net (finite differences of the reference loss)"}
    visible = next(o for o in failed if not o.hidden)
    assert "in grads, but 0.5 * reg" in visible.output


def test_cs231n_a2_norms_in_other_forms(tmp_path):
    assignment = load_assignment("cs231n/a2")
    text = (assignment.examples()["correct"] / A2_LAYERS).read_text()
    inside = [line for line in text.splitlines() if "np.sqrt(" in line and "eps" in line]
    assert inside, "the a2 example normalizes with eps inside the square root"
    edits = [(A2_LAYERS, line, line.replace("np.sqrt(", "(eps + np.sqrt(").replace(" + eps)", "))"))
             for line in inside if " + eps)" in line]
    assert edits
    _, results = _grade("cs231n/a2", tmp_path, {"eps_outside": edits})
    failing = _failing(results["eps_outside"])
    assert failing == [], failing
    assert any("eps" in n for n in _notes(results["eps_outside"]))
