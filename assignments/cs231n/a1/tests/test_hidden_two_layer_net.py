"""cs231n a1, hidden: TwoLayerNet on other shapes; gradients also by finite differences."""

import pytest

from grader.topics import two_layer_net as tln


def test_gradients(student, golden, rng, ref):
    """TwoLayerNet.loss: gradients on a larger net (finite differences of the reference loss)"""
    return tln.check_gradients(tln.net_fn_of(student, "cs231n"), golden, rng, reg=0.05, reg_scale=(1.0, 0.5),
                               N=12, D=7, H=9, C=5, ref=ref)


@pytest.mark.requires("stability")
def test_stable(student, golden, rng):
    """TwoLayerNet.loss: numerically stable when every score is offset by 1000"""
    tln.check_loss(tln.net_fn_of(student, "cs231n"), golden, rng, offset=1000.0)
