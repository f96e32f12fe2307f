"""The arena where attacks are graded: a copy of the mini assignment holding canaries, a copy of the
grader and the answer key for the command line, a loopback listener, and what the tests inspect
afterwards (leftover processes, stray files, canaries, results.json).

Paths of the arena live outside /tmp (under /var/lib as root) and are world-readable, so only the
grader's own hiding keeps them from the student's code, not the sandbox's private /tmp.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from adversarial.attacks import Attack, submission_files
from helpers import MINI, ROOT, SCHEMA, write_submission

LIMITS = "[limits]\ncall_seconds = 1\nsubmission_seconds = 8\nmemory_mb = 512\n"
CLI_TIMEOUT = 240  # seconds before a grader process counts as hung


class Listener:
    """A TCP listener on 127.0.0.1 recording every byte it receives (T19)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received, self.connections = bytearray(), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(1)
                try:
                    while data := conn.recv(65536):
                        self.received += data
                except OSError:
                    pass

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()


@dataclass
class Run:
    """One graded submission: its report (results.json object) and what the grader process said."""

    report: dict
    text: str  # results.json as written (student-visible)
    instructor: str  # student output, load notes and instructor details (never shown to students)
    returncode: int = 0


def tree_digest(top: Path) -> str:
    """Digest of the sources under ``top`` (``__pycache__`` ignored: Python writes there itself)."""
    digest = hashlib.sha256()
    for path in sorted(top.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(top)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class Arena:
    """Everything an attack needs and everything the tests check after it."""

    def __init__(self):
        token = uuid.uuid4().hex[:12]
        self.canaries = {where: f"CANARY-ADV-{where}-{token}" for where in ("hidden", "helper", "reference")}
        base = "/var/lib" if os.geteuid() == 0 else None
        self.root = Path(tempfile.mkdtemp(prefix="grader-adversarial-", dir=base))
        self.assignment_path = self.root / "mini"
        self.lib = self.root / "lib"
        self.cwd, self.results = self.root / "cwd", self.root / "results"
        self.submissions = self.root / "submissions"
        self._build()
        self.listener = Listener()
        self.digests = self._digests()
        from grader.assignment import load_assignment
        self.assignment = load_assignment(self.assignment_path)

    def _build(self):
        shutil.copytree(MINI, self.assignment_path, ignore=shutil.ignore_patterns("__pycache__", "examples"))
        toml = self.assignment_path / "assignment.toml"
        text = toml.read_text()
        start, end = text.index("[limits]"), text.index("[names]")
        toml.write_text(text[:start] + LIMITS + "\n" + text[end:])
        hidden = self.assignment_path / "tests" / "test_hidden_layers.py"
        source = hidden.read_text()
        assert "CANARY-hidden-test-source-7f3a" in source
        hidden.write_text(source.replace("CANARY-hidden-test-source-7f3a", self.canaries["hidden"]))
        (self.assignment_path / "tests" / "secret_helper.py").write_text(
            f"# {self.canaries['helper']}\nEXPECTED_SCALE = 1.0\n")
        for package in ("grader", "reference"):
            shutil.copytree(ROOT / package, self.lib / package, ignore=shutil.ignore_patterns("__pycache__"))
        with open(self.lib / "reference" / "__init__.py", "a") as fh:
            fh.write(f"\nADVERSARIAL_CANARY = {self.canaries['reference']!r}  # {self.canaries['reference']}\n")
        for folder in (self.cwd, self.results, self.submissions):
            folder.mkdir()
        for top, dirs, files in os.walk(self.root):
            os.chmod(top, 0o755)
            for name in files:
                os.chmod(os.path.join(top, name), 0o644)
        os.chmod(self.results, 0o777)

    def _digests(self) -> dict[str, str]:
        return {str(top): tree_digest(top) for top in (self.assignment_path, self.lib)}

    def close(self):
        self.listener.close()
        shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------------------------ submissions
    def place(self, name: str, cli: bool) -> dict:
        """The values an attack template is filled with."""
        import grader
        import reference
        lib = self.lib if cli else None
        mark = f"advmark-{name}-{'cli' if cli else 'lib'}-{uuid.uuid4().hex[:8]}"
        (self.cwd / mark).mkdir(mode=0o777)
        os.chmod(self.cwd / mark, 0o777)  # the attacks get every chance to write fake results here
        return {
            "RESULTS": str(self.results / f"{name}-{'cli' if cli else 'lib'}.json"),
            "CWD": str(self.cwd / mark),
            "MARK": mark,
            "PORT": self.listener.port,
            "ASSIGNMENT": str(self.assignment_path),
            "REFERENCE": str(lib / "reference" if lib else Path(reference.__file__).parent),
            "GRADER": str(lib / "grader" if lib else Path(grader.__file__).parent),
            "WRITE": cli,  # real writes only into the copies; in-process attacks only probe
        }

    def write(self, attack: Attack | None, place: dict, *, notebook: bool = False) -> Path:
        """The submission folder of an attack (or twin), with a marker file naming its processes."""
        folder = self.submissions / place["MARK"]
        files = submission_files(attack, place, notebook=notebook)
        files[place["MARK"] + ".txt"] = "marker\n"
        return write_submission(folder, files)

    # ------------------------------------------------------------------------------ grading
    def grade_in_process(self, submission: Path) -> Run:
        from grader.report.gradescope import results_json
        from grader.runner import grade
        import reference

        reference.ADVERSARIAL_CANARY = self.canaries["reference"]  # a secret in the grader's memory
        result = grade(self.assignment, submission)
        report = results_json(result, self.assignment.title)
        jsonschema.validate(report, SCHEMA)
        instructor = "\n".join([result.student_output, *result.load_notes]
                               + [o.instructor_output for o in result.outcomes])
        return Run(report, json.dumps(report), instructor)

    def grade_cli(self, submission: Path, results: Path, cwd: Path) -> Run:
        env = dict(os.environ, PYTHONPATH=str(self.lib))
        env.pop("PYTEST_ADDOPTS", None)
        proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(self.assignment_path),
                               str(submission), "--results", str(results)],
                              cwd=cwd, env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT)
        text = results.read_text() if results.is_file() else ""
        report = json.loads(text) if text else {}
        return Run(report, text, proc.stdout + proc.stderr, proc.returncode)

    # ------------------------------------------------------------------------------ inspection
    def leftovers(self, mark: str, grace: float = 5.0) -> list[str]:
        """Processes still running the submission marked ``mark`` (its marker file is in their cwd or
        in their mount namespace's /tmp/submission), after a grace period for the kernel to reap."""
        deadline = time.monotonic() + grace
        while True:
            alive = [describe(pid) for pid in running_submission(mark)]
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.1)

    def stray_files(self, mark: str) -> list[str]:
        """Files an attack managed to create outside its sandbox: in the real /tmp, in the grader's
        cwd, in the results folder, or poison in the copies of the grader and the assignment."""
        found = [f"/tmp/{name}" for name in os.listdir("/tmp") if name.startswith(mark)]
        for folder in (self.cwd / mark, self.results):
            for path in folder.iterdir():
                if path.is_file() and mark in path.read_text(errors="replace"):
                    found.append(str(path))
        if os.path.isfile("/tmp/results.json"):
            with open("/tmp/results.json", errors="replace") as fh:
                if mark in fh.read():
                    found.append("/tmp/results.json")
        for top in (self.assignment_path, self.lib):
            found += [str(p) for p in top.rglob("poison.txt")]
        return found

    def tampered(self) -> list[str]:
        """Copies (assignment, grader, answer key) whose sources changed since the arena was built."""
        now = self._digests()
        return [top for top, digest in self.digests.items() if now[top] != digest]


def running_submission(mark: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] in "ZX":
                    continue
            marked = (os.path.exists(f"/proc/{entry}/cwd/{mark}.txt")
                      or os.path.exists(f"/proc/{entry}/root/tmp/submission/{mark}.txt"))
        except (OSError, IndexError):
            continue
        if marked:
            pids.append(int(entry))
    return pids


def describe(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/status") as fh:
            fields = dict(line.split(":", 1) for line in fh if ":" in line)
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")[:80]
        return f"pid {pid} uid {fields['Uid'].split()[0]} state {fields['State'].strip()} cmd {cmd!r}"
    except (OSError, KeyError):
        return f"pid {pid} (gone)"
