"""Topic checks of fully connected nets: the reference net and the bundled correct examples pass
(c147 and cs231n adapters on local classes), regularization and backward bugs fail."""

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure
from grader.families import C147, CS231n
from grader.topics import fc_net as F

ROOT = Path(__file__).resolve().parents[2]


def golden(key, fn):
    return fn(R)


def fc_net_of(family, cls):
    """The ``family`` binding's fc_net form for a local class (no sandbox: this process's RNG)."""
    return family(SimpleNamespace(FullyConnectedNet=cls)).fc_net()

def load_example(folder, package, module):
    """Import ``package.module`` of an example submission under a private alias."""
    alias = f"_example_{abs(hash(str(folder)))}_{package}"
    if alias not in sys.modules:
        spec = importlib.util.spec_from_file_location(alias, folder / package / "__init__.py",
                                                      submodule_search_locations=[str(folder / package)])
        mod = importlib.util.module_from_spec(spec)
        sys.modules[alias] = mod
        spec.loader.exec_module(mod)
    return importlib.import_module(f"{alias}.{module}")


def reference_make(**overrides):
    def cls(hidden_dims, input_dim, num_classes, dropout=1, normalization=None, reg=0.0, weight_scale=1e-2,
            dtype="float64", seed=None):
        return R.FullyConnectedNet(hidden_dims, input_dim, num_classes, dropout_keep_ratio=dropout,
                                   normalization=normalization, reg=overrides.get("reg_factor", 1) * reg,
                                   weight_scale=weight_scale, dtype=dtype, seed=seed)
    return fc_net_of(CS231n, cls)


def test_reference_passes():
    make = reference_make()
    for seed in range(5):
        rng = np.random.default_rng(seed)
        F.check_fc_init(make, rng)
        F.check_fc_init(make, rng, normalization="layernorm")
        F.check_fc_loss(make, golden, rng)
        F.check_fc_loss(make, golden, rng, reg=0.7)
        F.check_fc_consistency(make, rng, dropout_keep=0.6, normalization="batchnorm", reg=0.3)


@pytest.mark.parametrize("assignment, package, module, adapter", [
    ("c147/hw4", "nndl", "fc_net", C147),
    ("cs231n/a2", "cs231n", "classifiers.fc_net", CS231n)])
def test_correct_examples_pass_locally(assignment, package, module, adapter):
    cls = load_example(ROOT / "assignments" / assignment / "examples" / "correct", package, module).FullyConnectedNet
    make = fc_net_of(adapter, cls)
    rng = np.random.default_rng(0)
    F.check_fc_init(make, rng, normalization="batchnorm")
    F.check_fc_loss(make, golden, rng, reg=0.5)
    F.check_fc_consistency(make, rng, dropout_keep=0.7, normalization="batchnorm", reg=0.2)


def test_regularization_without_half_is_named():
    with pytest.raises(CheckFailure) as exc:
        F.check_fc_loss(reference_make(reg_factor=2), golden, np.random.default_rng(1), reg=0.7)
    assert "0.5 * reg" in exc.value.diagnosis


@pytest.mark.parametrize("hidden_only", [False, True])
def test_regularization_gradient_missing_is_named(hidden_only):
    class NoRegGrad(R.FullyConnectedNet):
        def loss(self, X, y=None):
            out = super().loss(X, y)
            if y is None:
                return out
            loss, grads = out
            last = f"W{self.num_layers}"
            return loss, {k: g - self.reg * self.params[k] if k.startswith("W") and not (hidden_only and k == last)
                          else g for k, g in grads.items()}

    def cls(hidden_dims, input_dim, num_classes, dropout=1, normalization=None, reg=0.0, weight_scale=1e-2,
            dtype="float64", seed=None):
        return NoRegGrad(hidden_dims, input_dim, num_classes, reg=reg, weight_scale=weight_scale, dtype=dtype)
    with pytest.raises(CheckFailure) as exc:
        F.check_fc_loss(fc_net_of(CS231n, cls), golden, np.random.default_rng(3), reg=0.7)
    assert exc.value.diagnosis == ("regularization gradient missing in the hidden layers" if hidden_only
                                   else "regularization gradient missing")


def test_dropout_backward_skipped_fails_consistency():
    from grader.assignment import load_assignment
    cls = load_example(load_assignment("cs231n/a2").examples()["bug_fc_dropout_backward_skipped"], "cs231n",
                       "classifiers.fc_net").FullyConnectedNet
    with pytest.raises(CheckFailure):
        F.check_fc_consistency(fc_net_of(CS231n, cls), np.random.default_rng(2), dropout_keep=0.6)


def test_wrong_init_scale_fails():
    def cls(hidden_dims, input_dim, num_classes, dropout=1, normalization=None, reg=0.0, weight_scale=1e-2,
            dtype="float64", seed=None):
        return R.FullyConnectedNet(hidden_dims, input_dim, num_classes, weight_scale=weight_scale / 10, seed=seed)
    with pytest.raises(CheckFailure, match="standard deviation"):
        F.check_fc_init(fc_net_of(CS231n, cls), np.random.default_rng(3))


def test_dropout_effect_passes_for_reference_and_fails_when_ignored():
    F.check_fc_dropout_effect(reference_make(), np.random.default_rng(4))

    def ignoring(hidden_dims, input_dim, num_classes, dropout=1, normalization=None, reg=0.0,
                 weight_scale=1e-2, dtype="float64", seed=None):
        return R.FullyConnectedNet(hidden_dims, input_dim, num_classes, reg=reg, dtype=dtype, seed=seed)
    with pytest.raises(CheckFailure, match="not applied"):
        F.check_fc_dropout_effect(fc_net_of(CS231n, ignoring), np.random.default_rng(4))


def test_write_entries_sends_all_parameters_in_one_update_or_falls_back_to_items():
    """A gradient check writes every parameter at each point: one ``params.update`` round trip, or
    item by item for a params object without ``update`` (copies either way)."""
    import numpy as np

    from grader.topics.helpers import write_entries

    class Counting(dict):
        updates = 0

        def update(self, other):
            Counting.updates += 1
            super().update(other)

    class ItemsOnly:
        def __init__(self):
            self.data = {}

        def __setitem__(self, key, value):
            self.data[key] = value

    W = np.ones((2, 3))
    counting, items = Counting(), ItemsOnly()
    write_entries(counting, {"W1": W, "b1": np.zeros(3)})
    write_entries(items, {"W1": W, "b1": np.zeros(3)})
    assert Counting.updates == 1 and set(counting) == set(items.data) == {"W1", "b1"}
    assert counting["W1"] is not W and items.data["W1"] is not W
    np.testing.assert_array_equal(items.data["W1"], W)


def test_dropout_p_flipped_in_the_net_is_named():
    """The red team's `self.dropout_param = {'mode': 'train', 'p': 1 - dropout}` scored full marks: with
    keep 0.5 (the old test's) 1 - p is p."""
    def flipped(hidden_dims, input_dim, num_classes, dropout=1, normalization=None, reg=0.0,
                weight_scale=1e-2, dtype="float64", seed=None):
        net = R.FullyConnectedNet(hidden_dims, input_dim, num_classes, dropout, reg=reg, dtype=dtype, seed=seed)
        net.dropout_param = {"mode": "train", "p": 1 - dropout}
        return net
    with pytest.raises(CheckFailure) as failure:
        F.check_fc_dropout_effect(fc_net_of(CS231n, flipped), np.random.default_rng(4))
    assert failure.value.diagnosis == "dropout p read as the drop probability"
