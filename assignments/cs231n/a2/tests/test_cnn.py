"""cs231n a2: ThreeLayerConvNet (cs231n/classifiers/cnn.py): loss and gradients compared with the reference
given the same parameters (the suite grader/suites/cnn.py), and with finite differences of your loss."""

import pytest

from grader.suites.cnn import test_init, test_loss, test_loss_reg
from grader.topics import cnn


@pytest.mark.points(1)
def test_self_consistent(family, rng):
    """ThreeLayerConvNet.loss: gradients agree with finite differences of your loss"""
    cnn.check_cnn_self_consistent(family.conv_net(), rng)
