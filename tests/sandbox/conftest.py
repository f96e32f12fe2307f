"""Fixtures of the sandbox tests: sandboxes built from module sources written to real files."""
import ast
import os

import pytest

from grader.sandbox import Limits, Sandbox
from grader.sandbox.sandbox import sandbox_user

CANARY = "CANARY-5f1c2a9e-hidden-answer"


def plan_for(source, module="sub", file="sub.py", extra=None):
    """A LoadPlan serving ``source`` as module ``module``; every top-level def/class is a graded name."""
    names = [n.name for n in ast.parse(source).body
             if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    modules = {module: {"file": file, "source": source, "package": False}}
    modules.update(extra or {})
    return {"modules": modules, "names": {n: {"module": module} for n in names}}


@pytest.fixture
def secret_dir(tmp_path):
    """A folder holding a canary file, hidden from the sandboxes that list it."""
    path = tmp_path / "secret"
    path.mkdir()
    (path / "answers.py").write_text(f"EXPECTED = '{CANARY}'\n")
    os.chmod(tmp_path, 0o755)
    os.chmod(path, 0o755)
    os.chmod(path / "answers.py", 0o644)
    return path


@pytest.fixture
def make(tmp_path):
    """make(source, ...) -> a Sandbox of that source (closed at teardown)."""
    made = []

    def make(source, *, limits=None, isolation=None, files=None, hide=(), plan=None):
        root = tmp_path / f"submission{len(made)}"
        root.mkdir()
        (root / "sub.py").write_text(source)
        for rel, text in (files or {}).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        sb = Sandbox(plan or plan_for(source), root,
                     limits=limits or Limits(call_seconds=3, submission_seconds=60),
                     hide=hide, isolation=isolation)
        made.append(sb)
        return sb

    yield make
    for sb in made:
        sb.close()


def sandbox_uid_pids():
    """Pids of live processes owned by the sandbox uid (root mode) -- for leak checks."""
    uid = sandbox_user()[0]
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/status") as f:
                    fields = dict(line.split(":", 1) for line in f if ":" in line)
                if int(fields["Uid"].split()[1]) == uid and fields["State"].split()[0] != "Z":
                    pids.add(int(entry))
            except (OSError, KeyError, ValueError):
                pass
    return pids


@pytest.fixture(name="plan_for")
def plan_for_fixture():
    return plan_for


@pytest.fixture(name="leaked")
def leaked_fixture():
    """leaked() -> pids of the sandbox uid started since the test began and still alive."""
    before = sandbox_uid_pids()
    return lambda: sandbox_uid_pids() - before
