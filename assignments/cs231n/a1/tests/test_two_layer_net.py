"""cs231n a1: TwoLayerNet (cs231n/classifiers/neural_net.py): W1 (D, H), reg * (|W1|^2 + |W2|^2) or, as
in the course's years before 2017, 0.5 * reg * (|W1|^2 + |W2|^2): either is accepted, the form named (the
cs231n binding, grader/families.py); the suite grader/suites/two_layer_net.py."""

from grader.suites.two_layer_net import test_scores, test_loss, test_gradients, test_train, test_predict
