"""The trust boundary: student code runs in a forked, limited worker; only plain data comes back.

This folder is the grader's side (the client); ``worker/`` is everything that runs in the worker
process (stdlib and numpy only, checked by tests/sandbox/test_boundary.py).
"""
from .remote import Func, Remote, fetch, graded_name, inputs_of, is_remote, type_name
from .sandbox import Limits, Sandbox

__all__ = ["Sandbox", "Limits", "Remote", "fetch", "inputs_of", "Func", "is_remote", "type_name", "graded_name"]
