"""The zygote's entry point: ``python -I boot.py FD`` (FD: a unix socket to the grader). Stdlib only.

Loads this folder as the package ``_sandbox_worker`` (never as ``grader``: nothing of the grader is
loaded in a sandbox; a name no submission's module has), then runs ``_sandbox_worker.zygote.main``.
"""
import importlib
import importlib.util
import os
import sys

PACKAGE = "_sandbox_worker"


def load_package(folder: str) -> None:
    """Register ``folder`` as the package ``PACKAGE``; its modules import each other relatively."""
    spec = importlib.util.spec_from_file_location(PACKAGE, os.path.join(folder, "__init__.py"),
                                                  submodule_search_locations=[folder])
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {folder} as {PACKAGE}")
    package = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = package
    spec.loader.exec_module(package)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != here]  # its files: package modules only
    load_package(here)
    importlib.import_module(PACKAGE + ".zygote").main(int(sys.argv[1]))
