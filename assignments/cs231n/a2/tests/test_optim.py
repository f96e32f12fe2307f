"""cs231n a2: update rules (cs231n/optim.py); state keys velocity, rmsprop cache, adam m, v, t (the cs231n
binding); the suite grader/suites/optim.py."""

from grader.suites import adapt, optim

RULES = ["sgd", "sgd_momentum", "rmsprop", "adam"]

test_steps = adapt(optim.test_steps, rule=RULES)
test_mid_run = adapt(optim.test_mid_run, rule=RULES[1:])
test_defaults = adapt(optim.test_defaults, rule=RULES)
