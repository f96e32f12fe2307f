"""The dropout net's pin in distribution (grader/topics/dropout_pin.py): correct nets of every mask
convention pass, nets that are constant, zero or honest only on some seeds fail. In process, with the
reference (and the bundled correct examples) as the student."""

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure
from grader.topics import dropout_pin as P
from grader.topics import fc_net as F
from grader.families import C147, CS231n
from topics.test_fc_net import ROOT, fc_net_of, load_example


def _make(net_class, **fixed):
    def cls(hidden_dims, input_dim, num_classes, dropout=1, normalization=None, reg=0.0, weight_scale=1e-2,
            dtype="float64", seed=None):
        return net_class(hidden_dims, input_dim, num_classes, dropout_keep_ratio=dropout,
                         normalization=normalization, reg=reg, weight_scale=weight_scale, dtype=dtype,
                         seed=fixed.get("seed", seed))
    return fc_net_of(CS231n, cls)


class ConstantNet(R.FullyConnectedNet):
    """Train mode: the loss 1.0 and zero gradients (self-consistent); honest scores in test mode."""

    def loss(self, X, y=None):
        if y is None:
            return super().loss(X)
        return 1.0, {k: np.zeros_like(v) for k, v in self.params.items()}


class HalfHonestNet(R.FullyConnectedNet):
    """Constant on the nets of odd seeds; on the others a real backward bug (gradients scaled by 0.8)."""

    def loss(self, X, y=None):
        if y is None:
            return super().loss(X)
        if self.dropout_param.get("seed", 0) % 2:
            return 1.0, {k: np.zeros_like(v) for k, v in self.params.items()}
        loss, grads = super().loss(X, y)
        return loss, {k: 0.8 * v for k, v in grads.items()}


class NoisyNet(R.FullyConnectedNet):
    """Honest, but its training loss changes from one call to the next."""

    calls = 0

    def loss(self, X, y=None):
        NoisyNet.calls += 1
        result = super().loss(X, y)
        return result if y is None else (result[0] + 1e-3 * NoisyNet.calls, result[1])


C147_CORRECT = ROOT / "assignments" / "c147" / "hw4" / "examples" / "correct"
CONFIGS = {  # the dropout tests of the bundled assignments
    "cs231n a2": dict(dropout_keep=0.6, hidden_dims=(6, 7, 5)),
    "c147 hw4": dict(dropout_keep=0.6),
    "c147 hw4 with batch norm": dict(dropout_keep=0.75, normalization="batchnorm", reg=0.3, hidden_dims=(5, 4, 6)),
}


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_correct_nets_of_every_mask_convention_pass(config):
    """The reference reseeds each layer's dropout (one stream: correlated masks); without a seed the masks
    are independent; the c147 example is another student's code. 10 seeds each (a study of 300 seeds per
    configuration at Z = 3 instead of 6 had 0 failures)."""
    makes = [_make(R.FullyConnectedNet), _make(R.FullyConnectedNet, seed=None)]
    if config.startswith("c147"):
        makes.append(fc_net_of(C147, load_example(C147_CORRECT, "nndl", "fc_net").FullyConnectedNet))
    for make in makes:
        for seed in range(10):
            F.check_fc_consistency(make, np.random.default_rng(seed), **CONFIGS[config])


@pytest.mark.parametrize("net_class", [ConstantNet, HalfHonestNet])
def test_constant_and_partly_honest_nets_fail(net_class):
    for seed in range(5):
        with pytest.raises(CheckFailure, match="nets built with different seeds|Called twice|gradients"):
            F.check_fc_consistency(_make(net_class), np.random.default_rng(seed), dropout_keep=0.6,
                                   hidden_dims=(6, 7, 5))


def test_a_net_whose_loss_changes_between_calls_fails_as_not_reproducible():
    with pytest.raises(CheckFailure, match="Called twice with the same parameters"):
        F.check_fc_consistency(_make(NoisyNet), np.random.default_rng(0), dropout_keep=0.6, hidden_dims=(6, 7, 5))


@pytest.mark.parametrize("normalization", [None, "batchnorm"])
def test_the_monte_carlo_net_is_the_reference_net_mask_by_mask(normalization):
    """chain_loss_and_grads with the masks the reference draws (one stream reseeded in each layer) gives
    the reference's own training loss and gradients."""
    rng = np.random.default_rng(3)
    dims = [7, 6, 5, 4]
    params = F._random_params(rng, dims, normalization)
    X, y = rng.standard_normal((6, 7)), rng.integers(0, 4, size=6)
    net = R.FullyConnectedNet([6, 5], 7, 4, dropout_keep_ratio=0.6, normalization=normalization, reg=0.3,
                              dtype=np.float64, seed=11)
    net.params = {k: v.copy() for k, v in params.items()}
    loss, grads = net.loss(X, y)
    stream = np.random.RandomState(11).random_sample(6 * 6)
    masks = [(stream[:6 * w].reshape(1, 6, w) < 0.6) / 0.6 for w in (6, 5)]
    losses, mine = P.chain_loss_and_grads(params, X, y, masks, normalization=normalization, reg=0.3, eps=1e-5)
    assert losses[0] == pytest.approx(loss, rel=1e-12)
    assert sorted(mine) == sorted(grads)
    for key, value in grads.items():
        np.testing.assert_allclose(mine[key][0], value, rtol=1e-9, atol=1e-12, err_msg=key)


class ZeroGradientNet(R.FullyConnectedNet):
    """The honest training loss with zero gradients (a flat-near-seen-points attack passes finite
    differences with these)."""

    def loss(self, X, y=None):
        result = super().loss(X, y)
        return result if y is None else (result[0], {k: np.zeros_like(v) for k, v in self.params.items()})


@pytest.mark.parametrize("normalization", ["batchnorm", "layernorm"])
def test_normalized_nets_are_pinned_with_their_gradients(normalization):
    """check_fc_norm_loss (the normalized nets' pin at random parameters) takes the gradients too: correct
    nets pass over 10 draws, an honest loss with zero gradients fails."""
    dims = [7, 6, 5, 4]
    for seed in range(10):
        model = _make(R.FullyConnectedNet)([6, 5], 7, 4, normalization=normalization, reg=0.1, seed=1)
        F.check_fc_norm_loss(model, np.random.default_rng(seed), dims, normalization, 0.1, 6)
    model = _make(ZeroGradientNet)([6, 5], 7, 4, normalization=normalization, reg=0.1, seed=1)
    with pytest.raises(CheckFailure, match="right training loss .* but not its gradients"):
        F.check_fc_norm_loss(model, np.random.default_rng(0), dims, normalization, 0.1, 6)
