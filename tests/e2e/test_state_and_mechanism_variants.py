"""Issue 11 item 7 through the real runner: one-line edits of the bundled correct examples lose points on
exactly the broken name, with the mechanism named.

* batch norm (c147 hw4, cs231n a2) and spatial batch norm (c147 hw5, cs231n a2) whose test mode also folds
  the test batch into the running statistics (the output of that call is still right), or keeps it in a
  module global (two test-mode calls then differ);
* a conv forward that pads right but takes the output size from ``H + pad`` (the top-left crop of the
  right output), and a conv backward that loops over that size (c147 hw5, cs231n a2);
* an LSTM step backward taking the derivative of tanh(c) from h (cs231n a3; ``lstm_backward`` steps with it).
"""

import pytest

from grader.assignment import load_assignment
from grader.runner import grade_many

from helpers import variant_of

STATE = "test mode updated running_mean: the running statistics must only change in train mode"
CROP = ("output size computed wrong: your output is the top-left crop of the expected one "
        "(H_out = 1 + (H + 2*pad - HH) / stride)")
DOUT_PART = "output size computed wrong: only the top-left part of dout was used"
TANH_C = "the derivative of tanh(c) taken from h: use 1 - tanh(c)**2, not 1 - h**2"

BN_TEST_BRANCH = "    x_hat = (x - running_mean) / np.sqrt(running_var + eps)\n    out = gamma * x_hat + beta\n"
BN_FOLD = BN_TEST_BRANCH + ("    running_mean = momentum * running_mean + (1 - momentum) * np.mean(x, axis=0)\n"
                            "    running_var = momentum * running_var + (1 - momentum) * np.var(x, axis=0)\n")
BN_GLOBAL = ("    seen = globals().setdefault('_test_means', {})\n"
             "    mean = seen.get(D, running_mean)\n"
             "    seen[D] = momentum * mean + (1 - momentum) * np.mean(x, axis=0)\n"
             "    x_hat = (x - mean) / np.sqrt(running_var + eps)\n    out = gamma * x_hat + beta\n")
TWO_CALLS = "two test-mode calls on the same input gave different outputs: test mode must not update any state"
SBN_CALL = "  out_flat, cache = batchnorm_forward(x_flat, gamma, beta, bn_param)\n"
SBN_FOLD = SBN_CALL + ("  if bn_param['mode'] == 'test':\n"
                       "    bn_param['running_mean'] = 0.9 * bn_param['running_mean'] + 0.1 * x_flat.mean(axis=0)\n"
                       "    bn_param['running_var'] = 0.9 * bn_param['running_var'] + 0.1 * x_flat.var(axis=0)\n")
CONV_SIZE = "  H_out = 1 + (H + 2 * pad - HH) // stride\n  W_out = 1 + (W + 2 * pad - WW) // stride\n"
CONV_SIZE_H_PLUS_PAD = "  H_out = 1 + (H + pad - HH) // stride\n  W_out = 1 + (W + pad - WW) // stride\n"
CONV_BACK = "  dxpad = np.zeros_like(xpad)\n"
CONV_BACK_H_PLUS_PAD = CONV_BACK + ("  out_height = 1 + (x.shape[2] + pad - f_height) // stride\n"
                                    "  out_width = 1 + (x.shape[3] + pad - f_width) // stride\n")
LSTM_DC = "    dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)\n"
LSTM_DC_FROM_H = "    next_h = o * tanh_c\n    dc = dnext_c + dnext_h * o * (1 - next_h ** 2)\n"


def _conv_variants(file):
    return {"conv_forward_h_plus_pad": ([(file, CONV_SIZE, CONV_SIZE_H_PLUS_PAD)], ["conv_forward_naive"], CROP),
            "conv_backward_h_plus_pad": ([(file, CONV_BACK, CONV_BACK_H_PLUS_PAD)], ["conv_backward_naive"],
                                         DOUT_PART)}


# assignment -> variant -> (edits, the names that may lose points (the first must), the diagnosis)
VARIANTS = {
    "c147/hw4": {"bn_test_folds": ([("nndl/layers.py", BN_TEST_BRANCH, BN_FOLD)], ["batchnorm_forward"], STATE),
                 # the test batch kept in a module global instead: the first call is right, the second not
                 "bn_test_global_state": ([("nndl/layers.py", BN_TEST_BRANCH, BN_GLOBAL)], ["batchnorm_forward"],
                                          TWO_CALLS)},
    "c147/hw5": {"sbn_test_folds": ([("nndl/conv_layers.py", SBN_CALL, SBN_FOLD)], ["spatial_batchnorm_forward"],
                                    STATE),
                 **_conv_variants("nndl/conv_layers.py")},
    "cs231n/a2": {"bn_test_folds": ([("cs231n/layers.py", BN_TEST_BRANCH, BN_FOLD)],
                                    ["batchnorm_forward", "spatial_batchnorm_forward"], STATE),  # spatial calls it
                  "sbn_test_folds": ([("cs231n/layers.py", SBN_CALL, SBN_FOLD)], ["spatial_batchnorm_forward"], STATE),
                  **_conv_variants("cs231n/layers.py")},
    "cs231n/a3": {"lstm_tanh_c_from_h": ([("cs231n/rnn_layers.py", LSTM_DC, LSTM_DC_FROM_H)],
                                         ["lstm_step_backward", "lstm_backward"], TANH_C)},
}
CASES = [(hw, variant) for hw, variants in VARIANTS.items() for variant in variants]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Each assignment's variants graded in one session (hidden tests included): {(hw, variant): outcomes}."""
    results = {}
    for hw, variants in VARIANTS.items():
        assignment = load_assignment(hw)
        root = tmp_path_factory.mktemp(hw.replace("/", "_"))
        folders = [variant_of(root, assignment, name, edits) for name, (edits, _, _) in variants.items()]
        for name, result in zip(variants, grade_many(assignment, folders)):
            results[hw, name] = result.outcomes
    return results


@pytest.mark.parametrize("hw, variant", CASES)
def test_the_variant_loses_points_on_its_name_only_with_the_mechanism_named(graded, hw, variant):
    _, names, diagnosis = VARIANTS[hw][variant]
    lost = [o for o in graded[hw, variant] if o.score < o.max_score]
    assert lost, (hw, variant)
    assert {o.name.split(":")[0] for o in lost} <= set(names), [o.name for o in lost]
    assert names[0] in {o.name.split(":")[0] for o in lost}
    for outcome in lost:
        assert outcome.kind == "mismatch", (outcome.name, outcome.kind, outcome.output)
        if "finite differences of your" not in outcome.name:  # a gradient check names no misconception
            text = outcome.instructor_output or outcome.output
            assert diagnosis in text, (outcome.name, text)
    visible = [o for o in lost if not o.hidden and "finite differences of your" not in o.name]
    assert visible and all(diagnosis in o.output for o in visible)
