"""c147 hw4: update rules (nndl/optim.py); state keys velocity, rmsprop a, adam v (first moment),
a (second moment), t (the c147 binding); the suite grader/suites/optim.py."""

from grader.suites import adapt, optim

RULES = ["sgd", "sgd_momentum", "sgd_nesterov_momentum", "rmsprop", "adam"]

test_steps = adapt(optim.test_steps, rule=RULES)
test_mid_run = adapt(optim.test_mid_run, rule=RULES[1:])
test_defaults = adapt(optim.test_defaults, rule=RULES)
