"""c147 hw3: TwoLayerNet (nndl/neural_net.py): W1 (H, D), W2 (C, H), 0.5 * reg * (|W1|^2 + |W2|^2) (the
c147 binding, grader/families.py); the suite grader/suites/two_layer_net.py."""

from grader.suites.two_layer_net import test_scores, test_loss, test_gradients, test_train, test_predict
