"""The layout pin of the conv net with batch norm (grader.topics.cnn_norm): every layout correct code writes
passes over many seeds (the reference, the bundled correct example, the batch norms before or after their
ReLU or after the pool, other parameter names, other forms of eps), and the wrong layouts fail with their
diagnosis over many seeds too."""

import importlib
import sys

import numpy as np
import pytest

import reference as R
from grader.assignment import load_assignment
from grader.checks import CheckFailure
from grader.topics import cnn as K
from grader.topics import cnn_norm as M
from helpers import seed_sweep

DIMS = K.SMALL


def check(net, seed):
    M.check_cnn_norm_layout(net, np.random.default_rng(seed), DIMS)


def reference_net():
    return R.ThreeLayerConvNet(weight_scale=0.3, reg=0.0, dtype="float64", use_batchnorm=True, **DIMS)


class StudentNet:
    """A ThreeLayerConvNet written another way: the batch norms at ``spatial`` and ``hidden`` (as in
    ``cnn_norm.layout_loss``, None: left out), variance as E[x²] − E[x]², eps inside or outside the square
    root, parameters named ``names``; ``relu1``/``relu2``/``per_pixel``: the misconceptions. Only the
    training loss is computed (the pin reads nothing else)."""

    def __init__(self, spatial="before relu", hidden="before relu", names=("gamma1", "beta1", "gamma2", "beta2"),
                 eps=1e-5, inside=True, relu1=True, relu2=True, per_pixel=False):
        C, H, W = DIMS["input_dim"]
        F, D = DIMS["num_filters"], DIMS["hidden_dim"]
        fs, classes = DIMS["filter_size"], DIMS["num_classes"]
        self.layout = dict(spatial=spatial, hidden=hidden, eps=eps, inside=inside, relu1=relu1, relu2=relu2,
                           per_pixel=per_pixel)
        self.names = names
        self.params = {"W1": np.ones((F, C, fs, fs)), "b1": np.zeros(F), "W2": np.ones((F * H * W // 4, D)),
                       "b2": np.zeros(D), "W3": np.ones((D, classes)), "b3": np.zeros(classes)}
        if spatial:
            self.params.update({names[0]: np.ones(F), names[1]: np.zeros(F)})
        if hidden:
            self.params.update({names[2]: np.ones(D), names[3]: np.zeros(D)})

    def _norm(self, x, gamma, beta, axes):
        mean = x.mean(axis=axes, keepdims=True)
        var = (x ** 2).mean(axis=axes, keepdims=True) - mean ** 2
        eps, inside = self.layout["eps"], self.layout["inside"]
        xhat = (x - mean) / (np.sqrt(var + eps) if inside else np.sqrt(np.maximum(var, 0)) + eps)
        shape = (1, -1) + (1,) * (x.ndim - 2)
        return gamma.reshape(shape) * xhat + beta.reshape(shape)

    def loss(self, X, y=None):
        p, lay, names = self.params, self.layout, self.names
        axes = 0 if lay["per_pixel"] else (0, 2, 3)
        spatial = (lambda h, place: self._norm(h, p[names[0]], p[names[1]], axes)
                   if lay["spatial"] == place else h)
        hidden = (lambda h, place: self._norm(h, p[names[2]], p[names[3]], 0) if lay["hidden"] == place else h)
        h, _ = R.conv_forward_fast(X, p["W1"], p["b1"], {"stride": 1, "pad": (p["W1"].shape[2] - 1) // 2})
        h = spatial(h, "before relu")
        h = spatial(np.maximum(h, 0) if lay["relu1"] else h, "after relu")
        h, _ = R.max_pool_forward_fast(h, {"pool_height": 2, "pool_width": 2, "stride": 2})
        h = spatial(h, "after pool")
        h, _ = R.affine_forward(h, p["W2"], p["b2"])
        h = hidden(h, "before relu")
        h = hidden(np.maximum(h, 0) if lay["relu2"] else h, "after relu")
        scores, _ = R.affine_forward(h, p["W3"], p["b3"])
        if y is None:
            return scores
        return R.softmax_loss(scores, y)[0], {}


@pytest.fixture(scope="module")
def correct_example_net():
    """The bundled c147 hw5 correct example's ThreeLayerConvNet, imported in-process (its ``nndl`` package
    taken off sys.modules again, so that other tests' imports are not affected)."""
    folder = str(load_assignment("c147/hw5").examples()["correct"])
    mine = lambda: [k for k in sys.modules if k == "nndl" or k.startswith("nndl.")]  # noqa: E731
    saved = {k: sys.modules.pop(k) for k in mine()}
    sys.path.insert(0, folder)
    try:
        cls = importlib.import_module("nndl.cnn").ThreeLayerConvNet
    finally:
        sys.path.remove(folder)
        for k in mine():
            del sys.modules[k]
        sys.modules.update(saved)
    return lambda: cls(weight_scale=0.3, reg=0.0, dtype=np.float64, use_batchnorm=True, **DIMS)


def test_layout_loss_is_the_reference_net_loss():
    pairs = {"s": ("gamma1", "beta1", False), "h": ("gamma2", "beta2", False)}
    for seed in range(5):
        p, X, y = M._draw(np.random.default_rng(seed), DIMS, pairs, 6)
        net = reference_net()
        net.params.update({k: p[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3")})
        net.params.update(gamma1=p["sg"], beta1=p["sb"], gamma2=p["hg"], beta2=p["hb"])
        mine = M.layout_loss(p, X, y, spatial="before relu", hidden="before relu")
        assert abs(net.loss(X, y)[0] - mine) < 1e-12


@pytest.mark.parametrize("seeds", seed_sweep(200, 20))
def test_no_false_failure_of_the_correct_example_over_200_seeds(correct_example_net, seeds):
    failures = []
    for seed in seeds:
        try:
            check(correct_example_net(), seed)
        except CheckFailure as exc:
            failures.append((seed, str(exc)[:200]))
    assert failures == []


CORRECT_LAYOUTS = {
    "batch norms after the ReLUs": dict(spatial="after relu", hidden="after relu"),
    "spatial batch norm after the pool": dict(spatial="after pool"),
    "spatial after the pool, hidden after the ReLU": dict(spatial="after pool", hidden="after relu"),
    "other names": dict(names=("sbn_gamma", "sbn_beta", "bn_gamma", "bn_beta")),
    "names that do not tell gamma from beta": dict(names=("p2", "p1", "p4", "p3")),  # gamma is p2, beta p1
    "eps outside the square root": dict(eps=1e-5, inside=False),
    "eps 1e-8": dict(eps=1e-8, spatial="after relu", hidden="after relu"),
    "no hidden batch norm": dict(hidden=None),
    "no spatial batch norm": dict(spatial=None),
}


@pytest.mark.parametrize("label", CORRECT_LAYOUTS)
def test_every_layout_correct_code_writes_passes_over_seeds(label):
    failures = []
    for seed in range(20):
        try:
            check(StudentNet(**CORRECT_LAYOUTS[label]), seed)
        except CheckFailure as exc:
            failures.append((seed, str(exc)[:200]))
    assert failures == []


WRONG_LAYOUTS = {
    "the ReLU after the hidden affine layer left out": dict(relu2=False),
    "the ReLU after the convolution left out": dict(relu1=False),
    str(M.PER_PIXEL): dict(per_pixel=True),
    "batch norm of the hidden layer not applied": dict(hidden="nowhere"),  # gamma2, beta2 declared, never used
    "spatial batch norm not applied": dict(spatial="nowhere"),
}


@pytest.mark.parametrize("cause", WRONG_LAYOUTS)
def test_wrong_layouts_fail_over_seeds_and_are_named(cause):
    missed, unnamed = [], []
    for seed in range(20):
        try:
            check(StudentNet(**WRONG_LAYOUTS[cause]), seed)
            missed.append(seed)
        except CheckFailure as exc:
            if exc.diagnosis != cause:
                unnamed.append((seed, exc.diagnosis))
    assert missed == []
    assert len(unnamed) <= 1, unnamed  # the cause is named on (nearly) every seed


def test_a_scale_and_shift_per_pixel_fail_on_their_shapes():
    class PerPixelParams(StudentNet):
        def __init__(self):
            super().__init__()
            C, H, W = DIMS["input_dim"]
            size = DIMS["num_filters"] * H * W
            self.params.update(gamma1=np.ones(size), beta1=np.zeros(size))
    with pytest.raises(CheckFailure) as exc:
        check(PerPixelParams(), 0)
    assert exc.value.diagnosis == M.PER_PIXEL



class ZeroGradientNet(R.ThreeLayerConvNet):
    """The reference's training loss with zero gradients (with a loss flat near the points it has seen,
    it passes finite differences of itself)."""

    def loss(self, X, y=None):
        result = super().loss(X, y)
        return result if y is None else (result[0], {k: np.zeros_like(v) for k, v in self.params.items()})


def test_the_gradient_pin_passes_correct_nets_over_seeds(correct_example_net):
    for seed in range(20):
        M.check_cnn_norm_gradient(reference_net(), np.random.default_rng(seed), DIMS)
        M.check_cnn_norm_gradient(correct_example_net(), np.random.default_rng(seed), DIMS)


def test_the_gradient_pin_fails_a_net_with_the_right_loss_and_zero_gradients():
    net = ZeroGradientNet(weight_scale=0.3, reg=0.0, dtype="float64", use_batchnorm=True, **DIMS)
    for seed in range(5):
        with pytest.raises(CheckFailure, match="the gradients are not those of the loss"):
            M.check_cnn_norm_gradient(net, np.random.default_rng(seed), DIMS)
