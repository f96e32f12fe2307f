"""cs231n a2: spatial batch normalization (cs231n/layers.py): the suite grader/suites/spatial_batchnorm.py."""

from grader.suites.spatial_batchnorm import (test_train, test_running_stats, test_test_mode, test_backward,
                                             test_backward_gradient)
