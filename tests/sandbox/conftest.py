"""Fixtures of the sandbox tests: sandboxes built from module sources written to real files."""
import ast
import os
import pathlib
import shutil
import tempfile

import pytest

from grader.sandbox import Limits, Sandbox
from grader.sandbox.worker_setup import sandbox_user

CANARY = "CANARY-5f1c2a9e-hidden-answer"


def plan_for(source, module="sub", file="sub.py", extra=None):
    """A LoadPlan serving ``source`` as module ``module``; every top-level def/class is a graded name."""
    names = [n.name for n in ast.parse(source).body
             if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    modules = {module: {"file": file, "source": source, "package": False}}
    modules.update(extra or {})
    return {"modules": modules, "names": {n: {"module": module} for n in names}}


@pytest.fixture
def secret_dir():
    """A world-readable folder outside /tmp holding a canary file; hidden from sandboxes that list it."""
    top = tempfile.mkdtemp(prefix="grader-sandbox-test-", dir="/var/tmp" if os.geteuid() else "/var/lib")
    path = os.path.join(top, "secret")
    os.mkdir(path)
    with open(os.path.join(path, "answers.py"), "w") as fh:
        fh.write(f"EXPECTED = '{CANARY}'\n")
    for p, mode in ((top, 0o755), (path, 0o755), (os.path.join(path, "answers.py"), 0o644)):
        os.chmod(p, mode)
    yield pathlib.Path(path)
    shutil.rmtree(top)


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


def _status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.split(":", 1) for line in f if ":" in line)


def sandbox_uid_pids():
    """Live processes of the sandbox uid that descend from this process's zygote (other people's
    sandboxes on the same machine are not ours to count)."""
    from grader.sandbox.zygote_client import get_zygote
    uid, zygote = sandbox_user()[0], get_zygote().process.pid
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = _status(entry)
            if int(fields["Uid"].split()[1]) != uid or fields["State"].split()[0] in "ZX":
                continue
            pid = int(entry)
            for _ in range(64):
                pid = int(_status(pid)["PPid"])
                if pid in (0, 1, zygote):
                    break
            if pid == zygote:
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
