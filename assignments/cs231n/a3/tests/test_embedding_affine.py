"""cs231n a3: word embedding and temporal affine layers (cs231n/rnn_layers.py); the caches are your own. The suite grader/suites/rnn.py."""

from grader.suites import adapt, rnn

KINDS = ["word_embedding", "temporal_affine"]

test_forward = adapt(rnn.test_forward, kind=KINDS)
test_backward = adapt(rnn.test_backward, kind=KINDS)
test_backward_gradient = adapt(rnn.test_backward_gradient, kind=KINDS)
