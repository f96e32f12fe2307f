"""cs231n a2: inverted dropout (cs231n/layers.py): the suite grader/suites/dropout.py."""

from grader.suites.dropout import (test_train, test_test_mode, test_seed, test_backward,
                                   test_backward_test_mode, test_pair)
