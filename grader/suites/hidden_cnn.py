"""Hidden suite: ThreeLayerConvNet on other dimensions (c147 hw5, cs231n a2)."""

from grader.topics import cnn


def test_cnn_other_dims(family, golden, rng):
    """ThreeLayerConvNet.loss: 5x5 filters on non-square 1-channel images, with regularization"""
    dims = dict(input_dim=(1, 6, 4), num_filters=2, filter_size=5, hidden_dim=5, num_classes=3)
    cnn.check_cnn_loss(family.conv_net(), golden, rng, reg=0.2, N=2, dims=dims)
