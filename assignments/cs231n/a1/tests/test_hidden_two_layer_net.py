"""cs231n a1, hidden: TwoLayerNet on other shapes; gradients also by finite differences."""

from grader.suites.hidden_two_layer_net import test_gradients, test_stable
