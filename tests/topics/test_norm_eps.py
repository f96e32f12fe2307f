"""Every placement of eps in a normalization (inside the square root, outside it, left out) passes every
normalization check with a note, over many seeds; real bugs written in those placements still fail."""

import numpy as np
import pytest

import reference as R
from grader.checks import CheckFailure, collecting_notes
from grader.topics import normalization as N
from grader.topics import spatial_norm as S
from grader.topics.helpers import layer_pair
from grader.topics.norm_eps import MIN_VAR, assert_close_eps, eps_rtol

SEEDS = range(12)


def golden(key, fn):
    return fn(R)


def _std(var, eps, place):
    return {"inside": np.sqrt(var + eps), "outside": np.sqrt(var) + eps, "omitted": np.sqrt(var)}[place]


def _normalize(x, axes, eps, place, mean=None, var=None):
    mean = x.mean(axes, keepdims=True) if mean is None else mean
    var = x.var(axes, keepdims=True) if var is None else var
    s = _std(var, eps, place)
    return (x - mean) / s, (x, mean, var, s, axes, eps, place)


def _normalize_backward(dxhat, cache, textbook=False):
    """d/dx of (x − mean)/s(var) over ``axes`` for each placement of eps (train mode); ``textbook``: the
    derivative of eps inside the square root whatever the forward did (a common, slightly inconsistent mix)."""
    x, mean, var, s, axes, eps, place = cache
    M = np.prod([x.shape[a] for a in axes])
    ds_dvar = 1 / (2 * np.sqrt(var + eps)) if place == "inside" or textbook else 1 / (2 * np.sqrt(var))
    dvar = np.sum(dxhat * (x - mean), axes, keepdims=True) * (-1 / s ** 2) * ds_dvar
    dmean = np.sum(-dxhat / s, axes, keepdims=True)
    return dxhat / s + dvar * 2 * (x - mean) / M + dmean / M


def batchnorm(place, *, test_place=None, dgamma_scale=1.0, layer=False, textbook=False):
    """(forward, backward) of batch norm (layer norm with ``layer``) with eps at ``place`` (in test mode at
    ``test_place``); ``dgamma_scale`` != 1 is a bug."""
    axes = (1,) if layer else (0,)

    def forward(x, gamma, beta, param):
        eps = param.get("eps", 1e-5)
        if param.get("mode", "train") == "test" and not layer:
            xhat, _ = _normalize(x, axes, eps, test_place or place, param["running_mean"], param["running_var"])
            return gamma * xhat + beta, None
        xhat, cache = _normalize(x, axes, eps, place)
        if not layer:
            m = param.get("momentum", 0.9)
            param["running_mean"] = m * param.get("running_mean", np.zeros(x.shape[1])) + (1 - m) * x.mean(0)
            param["running_var"] = m * param.get("running_var", np.zeros(x.shape[1])) + (1 - m) * x.var(0)
        return gamma * xhat + beta, (xhat, gamma, cache)

    def backward(dout, cache):
        xhat, gamma, inner = cache
        return (_normalize_backward(dout * gamma, inner, textbook), dgamma_scale * np.sum(dout * xhat, 0),
                np.sum(dout, 0))
    return forward, backward


def spatial(place, *, group=False, dgamma_scale=1.0, textbook=False):
    """(forward, backward) of spatial batch norm (group norm with ``group``) with eps at ``place``."""
    def forward(x, gamma, beta, *rest):
        N_, C, H, W = x.shape
        param = rest[-1]
        if group:
            G = rest[0]
            xhat, cache = _normalize(x.reshape(N_, G, -1), (2,), param.get("eps", 1e-5), place)
            xhat = xhat.reshape(x.shape)
            return gamma * xhat + beta, (xhat, gamma, cache)
        if param.get("mode", "train") == "test":
            c4 = (1, C, 1, 1)
            xhat, _ = _normalize(x, (0, 2, 3), param["eps"], place, param["running_mean"].reshape(c4),
                                 param["running_var"].reshape(c4))
            return gamma.reshape(c4) * xhat + beta.reshape(c4), None
        xhat, cache = _normalize(x, (0, 2, 3), param["eps"], place)
        return gamma.reshape(1, C, 1, 1) * xhat + beta.reshape(1, C, 1, 1), (xhat, gamma.reshape(1, C, 1, 1), cache)

    def backward(dout, cache):
        xhat, gamma, inner = cache
        dxhat = dout * gamma
        if group:
            dx = _normalize_backward(dxhat.reshape(inner[0].shape), inner, textbook).reshape(dout.shape)
            return dx, dgamma_scale * np.sum(dout * xhat, (0, 2, 3), keepdims=True), np.sum(dout, (0, 2, 3), keepdims=True)
        return (_normalize_backward(dxhat, inner, textbook), dgamma_scale * np.sum(dout * xhat, (0, 2, 3)), np.sum(dout, (0, 2, 3)))
    return forward, backward


def run_every_check(place, seed, test_place=None):
    rng = np.random.default_rng(seed)
    fwd, bwd = batchnorm(place, test_place=test_place)
    N.check_batchnorm_train(fwd, golden, rng)
    N.check_batchnorm_test(fwd, golden, rng)
    N.check_norm_backward(layer_pair(fwd, bwd), golden, rng)
    N.check_norm_backward(layer_pair(fwd, bwd), golden, rng, N=3, D=9)   # the hidden sizes
    N.check_batchnorm_train(fwd, golden, rng, N=20, D=1)
    lfwd, lbwd = batchnorm(place, layer=True)
    N.check_layernorm_forward(lfwd, golden, rng)
    N.check_norm_backward(layer_pair(lfwd, lbwd), golden, rng, kind="layernorm", backward="layernorm_backward")
    N.check_norm_backward(layer_pair(lfwd, lbwd), golden, rng, kind="layernorm", backward="layernorm_backward",
                          N=2, D=11)
    sfwd, sbwd = spatial(place)
    S.check_spatial_batchnorm_train(sfwd, golden, rng)
    S.check_spatial_batchnorm_test(sfwd, golden, rng)
    S.check_spatial_backward(layer_pair(sfwd, sbwd), golden, rng)
    S.check_spatial_backward(layer_pair(sfwd, sbwd), golden, rng, shape=(1, 1, 4, 5))
    gfwd, gbwd = spatial(place, group=True)
    S.check_groupnorm_forward(gfwd, golden, rng)
    S.check_spatial_backward(layer_pair(gfwd, gbwd), golden, rng, kind="groupnorm", shape=(2, 6, 3, 4), G=3)
    S.check_spatial_backward(layer_pair(gfwd, gbwd), golden, rng, kind="groupnorm", shape=(1, 3, 4, 2), G=3)


@pytest.mark.parametrize("place", ["inside", "outside", "omitted"])
def test_every_placement_passes_every_check(place):
    for seed in SEEDS:
        with collecting_notes() as notes:
            run_every_check(place, seed)
        if place == "inside":
            assert notes == [], notes
        else:
            assert any(("outside the square root" if place == "outside" else "left out") in n for n in notes), notes


def test_eps_left_out_in_test_mode_only():
    for seed in SEEDS:
        with collecting_notes() as notes:
            run_every_check("inside", seed, test_place="omitted")
        assert "out: epsilon left out, (x - mean) / sqrt(var): accepted" in notes[0]


@pytest.mark.parametrize("place", ["outside", "omitted"])
def test_bugs_in_another_placement_still_fail(place):
    rng = np.random.default_rng(0)
    fwd, bwd = batchnorm(place, dgamma_scale=1.01)
    with pytest.raises(CheckFailure):
        N.check_norm_backward(layer_pair(fwd, bwd), golden, rng)
    gfwd, gbwd = spatial(place, group=True, dgamma_scale=1.01)
    with pytest.raises(CheckFailure):
        S.check_spatial_backward(layer_pair(gfwd, gbwd), golden, rng, kind="groupnorm", shape=(2, 6, 3, 4), G=3)

    def batch_stats_in_test_mode(x, gamma, beta, param):
        return fwd(x, gamma, beta, dict(param, mode="train"))
    with pytest.raises(CheckFailure):   # (named only when eps is inside: the alternative is computed so)
        N.check_batchnorm_test(batch_stats_in_test_mode, golden, rng)


def test_the_tolerance_is_bounded():
    """eps_rtol stays far below the smallest normalization bug measured (4e-2); tiny variances get none."""
    assert eps_rtol(1.0) == pytest.approx(4.1e-5) and eps_rtol(MIN_VAR) < 3e-4
    e = np.linspace(1.0, 2.0, 5)
    with pytest.raises(CheckFailure):
        assert_close_eps(e * (1 + 1e-4), e, name="out", min_var=MIN_VAR / 2)
    with collecting_notes() as notes:
        assert_close_eps(e * (1 + 1e-5), e, name="out", min_var=1.0)
    assert "within 4e-05 (relative)" in notes[0]


@pytest.mark.parametrize("place", ["outside", "omitted"])
def test_consistency_checks_do_not_judge_eps(place):
    """A forward with eps elsewhere and the textbook backward (eps inside) differ by about eps / var: the
    consistency checks run with a tiny eps, so they pass; the comparisons with the reference pass with a note."""
    for seed in range(6):
        rng = np.random.default_rng(seed)
        fwd, bwd = batchnorm(place, textbook=True)
        N.check_norm_gradient(fwd, layer_pair(fwd, bwd), rng)
        N.check_norm_backward(layer_pair(fwd, bwd), golden, rng)
        lfwd, lbwd = batchnorm(place, layer=True, textbook=True)
        N.check_norm_gradient(lfwd, layer_pair(lfwd, lbwd), rng, kind="layernorm", backward="layernorm_backward")
        gfwd, gbwd = spatial(place, group=True, textbook=True)
        S.check_spatial_gradient(gfwd, layer_pair(gfwd, gbwd), rng, kind="groupnorm")
        sfwd, sbwd = spatial(place, textbook=True)
        S.check_spatial_gradient(sfwd, layer_pair(sfwd, sbwd), rng)
    fwd, bwd = batchnorm(place, textbook=True, dgamma_scale=1.01)
    with pytest.raises(CheckFailure, match="dgamma is wrong"):
        N.check_norm_gradient(fwd, layer_pair(fwd, bwd), np.random.default_rng(0))
