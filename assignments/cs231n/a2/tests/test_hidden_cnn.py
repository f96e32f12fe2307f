"""cs231n a2, hidden: ThreeLayerConvNet on other dimensions."""

from grader.suites.hidden_cnn import test_cnn_other_dims
