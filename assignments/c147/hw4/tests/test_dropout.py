"""c147 hw4: inverted dropout (nndl/layers.py): the suite grader/suites/dropout.py."""

from grader.suites.dropout import (test_train, test_test_mode, test_seed, test_backward,
                                   test_backward_test_mode, test_pair)
