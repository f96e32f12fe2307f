"""A net whose ``__init__`` lacks an optional feature's argument (``use_batchnorm``, ``normalization``) loses
only the tests of that feature: the adapters pass such an argument only when the test uses the feature.
Real submissions (the bundled correct example with one signature edited) through the real runner."""


from types import SimpleNamespace

import pytest

from grader.assignment import load_assignment
from grader.families import C147, CS231n
from grader.runner import grade_many

from helpers import edited_example


def failing(result):
    return sorted(o.name for o in result.outcomes if not o.passed)


def test_c147_cnn_without_use_batchnorm_fails_only_the_batchnorm_test(tmp_path):
    hw5 = load_assignment("c147/hw5")
    sub = edited_example(tmp_path, hw5, "no_bn_kwarg", "nndl/cnn.py", [
        ("dtype=np.float32, use_batchnorm=False):", "dtype=np.float32):"),
        ("self.use_batchnorm = use_batchnorm", "self.use_batchnorm = False")])
    result = grade_many(hw5, [sub])[0]
    assert failing(result) == [
        "ThreeLayerConvNet.loss: with batch norm, gradients agree with finite differences of your loss"]
    bn = next(o for o in result.outcomes if not o.passed)
    assert "use_batchnorm" in bn.output


def test_fc_nets_without_the_normalization_argument_fail_only_the_normalization_tests(tmp_path):
    hw4, a2 = load_assignment("c147/hw4"), load_assignment("cs231n/a2")
    c147 = edited_example(tmp_path, hw4, "c147_no_bn", "nndl/fc_net.py", [
        ("dropout=1, use_batchnorm=False, reg=0.0,", "dropout=1, reg=0.0,"),
        ("self.use_batchnorm = use_batchnorm", "self.use_batchnorm = False")])
    cs231n = edited_example(tmp_path, a2, "cs231n_no_norm", "cs231n/classifiers/fc_net.py", [
        ("dropout=1, normalization=None, reg=0.0,", "dropout=1, reg=0.0,"),
        ("self.normalization = normalization", "self.normalization = None")])
    fc_c147 = [n for n in failing(grade_many(hw4, [c147], public_only=True)[0]) if n.startswith("FullyConnected")]
    assert fc_c147 == [
        "FullyConnectedNet.loss: with batch norm and dropout, gradients agree with finite differences",
        "FullyConnectedNet.loss: with batch norm, gradients agree with finite differences of the loss",
        "FullyConnectedNet: batch norm parameters gamma (ones) and beta (zeros)"]
    fc_cs231n = [n for n in failing(grade_many(a2, [cs231n], public_only=True)[0]) if n.startswith("FullyConnected")]
    assert fc_cs231n == [
        "FullyConnectedNet.loss: with batchnorm, gradients agree with finite differences of the loss",
        "FullyConnectedNet.loss: with layernorm, gradients agree with finite differences of the loss",
        "FullyConnectedNet: parameter shapes and initialization (normalization batchnorm)",
        "FullyConnectedNet: parameter shapes and initialization (normalization layernorm)"]


class _Recorder:
    """A class whose constructor records its arguments (what an adapter passes)."""
    calls = []

    def __init__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        self.params = {}


@pytest.mark.parametrize("family", [C147, CS231n])
def test_fc_adapters_pass_an_optional_argument_only_for_its_feature(family):
    _Recorder.calls = []
    make = family(SimpleNamespace(FullyConnectedNet=_Recorder)).fc_net()
    make((3,), 4, 2, reg=0.5)
    make((3,), 4, 2, dropout_keep=0.6)
    make((3,), 4, 2, normalization="batchnorm")
    plain, dropout, norm = _Recorder.calls
    assert plain == (([3], 4, 2), {"reg": 0.5, "weight_scale": 1e-2, "dtype": "float64", "seed": 0})
    assert 0.6 in dropout[0] + tuple(dropout[1].values()) and not {"use_batchnorm", "normalization"} & set(dropout[1])
    assert norm[0] == ([3], 4, 2) and norm[1].get("use_batchnorm", norm[1].get("normalization")) in (True, "batchnorm")


def test_c147_cnn_adapter_passes_use_batchnorm_only_when_true():
    class Student:
        ThreeLayerConvNet = _Recorder
    _Recorder.calls = []
    C147(Student).conv_net()(reg=0.1)
    C147(Student).conv_net(use_batchnorm=True)(reg=0.1)
    assert _Recorder.calls == [((), {"reg": 0.1}), ((), {"use_batchnorm": True, "reg": 0.1})]

