"""The trust boundary: student code runs in a forked, limited worker; only plain data comes back."""
from .remote import Func, Remote, fetch, inputs_of, is_remote, type_name
from .sandbox import Limits, Sandbox

__all__ = ["Sandbox", "Limits", "Remote", "fetch", "inputs_of", "Func", "is_remote", "type_name"]
