"""Topic checks, written once and bound to each homework family's API.

Each module holds the checks of one lecture topic in a canonical calling form, and the small adapters
that bind a family's API (c147 ``nndl``, cs231n) to that form. Checks never import ``reference``: they
get reference values through ``golden(key, fn)``.
"""
