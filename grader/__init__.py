"""dl-grader: grade numpy deep-learning homework against a reference, in a sandbox."""

__version__ = "0.1.0"
