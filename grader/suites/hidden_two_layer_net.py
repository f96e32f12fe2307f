"""Hidden suite: TwoLayerNet on other shapes; gradients also by finite differences (c147 hw3, cs231n a1)."""

import pytest

from grader.topics import two_layer_net as tln


def test_gradients(family, golden, rng, ref):
    """TwoLayerNet.loss: gradients on a larger net (finite differences of the reference loss)"""
    return tln.check_gradients(family.two_layer_net(), golden, rng, reg=0.05, reg_scale=family.two_layer_reg_scale,
                               N=12, D=7, H=9, C=5, ref=ref)


@pytest.mark.requires("stability")
def test_stable(family, golden, rng):
    """TwoLayerNet.loss: numerically stable when every score is offset by 1000"""
    tln.check_loss(family.two_layer_net(), golden, rng, offset=1000.0, reg_scale=family.two_layer_reg_scale)
