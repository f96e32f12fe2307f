"""Topic checks, written once in a canonical calling form.

Each module holds the checks of one lecture topic; ``helpers`` holds what several of them share. A
family's API (c147 ``nndl``, cs231n) is bound to the canonical forms by its binding in grader.families
(the ``family`` fixture). Checks never import ``reference``: they get reference values through
``golden(key, fn)``.
"""
