"""A grader process of a batch that dies outright (a signal, a segfault in a C extension, os._exit): its
submission gets a report of its own, every test 0 with the reason, and the batch goes on.

The deaths are real: a copy of the mini assignment whose relu test, like a crashing C extension or the
OOM killer would, kills the grader process it runs in when the submission's cache is a "die:" order
and the fuse file exists. The student's own worker dying stays an ordinary crash of the tests it
touches.
"""

import csv
import json
import os
import shutil
import subprocess
import sys

import jsonschema
import pytest

from helpers import MINI, ROOT, SCHEMA, write_submission

CORRECT = (MINI / "examples" / "correct" / "layers.py").read_text()
HOOK = '''
import ctypes
import os
import signal


def _grader_dies_if_asked(cache):
    """The grader process dies here, on this submission, while the fuse exists."""
    if not (isinstance(cache, str) and cache.startswith("die:") and os.path.exists(FUSE)):
        return
    how = cache[len("die:"):]
    if how == "segfault":
        ctypes.string_at(0)
    elif how.startswith("exit"):
        os._exit(int(how.split()[1]))
    os.kill(os.getpid(), getattr(signal, how))
'''
DEATHS = {"killed": ("SIGKILL", "signal 9"), "segv": ("segfault", "signal 11"), "exits": ("exit 3", "exit code 3")}


def _relu_returning(cache: str) -> str:
    return CORRECT.replace("return np.maximum(x, 0), x", f"return np.maximum(x, 0), {cache!r}")


def _grader(assignment, *args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, "-m", "grader", "grade", str(assignment), *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deaths")
    fuse = tmp / "fuse"
    fuse.write_text("")
    assignment = shutil.copytree(MINI, tmp / "mini")
    tests = assignment / "tests" / "test_layers.py"
    text = tests.read_text().replace("    out, _ = student.relu_forward(x)\n",
                                     "    out, cache = student.relu_forward(x)\n    _grader_dies_if_asked(cache)\n")
    tests.write_text(text + f"\nFUSE = {str(fuse)!r}\n" + HOOK)
    subs = [write_submission(tmp / "subs" / "alice", {"layers.py": CORRECT})]
    subs += [write_submission(tmp / "subs" / label, {"layers.py": _relu_returning(f"die:{how}")})
             for label, (how, _) in DEATHS.items()]
    subs += [write_submission(tmp / "subs" / "worker-dies", {"layers.py": CORRECT.replace(
                 "return np.maximum(x, 0), x", "import ctypes\n    return ctypes.string_at(0)")}),
             write_submission(tmp / "subs" / "zoe", {"layers.py": CORRECT})]
    out = tmp / "out"
    first = _grader(assignment, *subs, "--out", out, "--jobs", 2, cwd=tmp)
    return assignment, subs, out, fuse, first


def _rows(out):
    with open(out / "grades.csv", newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


def test_the_batch_goes_on_and_every_submission_has_a_report(batch):
    _, _, out, _, first = batch
    assert first.returncode == 0, first.stderr
    scores = {p.parent.name: json.loads(p.read_text())["score"] for p in out.glob("*/results.json")}
    assert scores == {"alice": 4.0, "zoe": 4.0, "killed": 0.0, "segv": 0.0, "exits": 0.0, "worker-dies": 3.0}
    assert set(_rows(out)) == set(scores)
    assert "6 submission(s)" in first.stdout


@pytest.mark.parametrize("label", sorted(DEATHS))
def test_a_dead_grader_process_gives_its_submission_zero_with_the_reason(batch, label):
    _, _, out, _, first = batch
    report = json.loads((out / label / "results.json").read_text())
    jsonschema.validate(report, SCHEMA)
    status = DEATHS[label][1]
    assert report["tests"] and all(t["score"] == 0 for t in report["tests"])
    for test in report["tests"]:
        assert test["output"].startswith(f"Grading stopped: the grader process died ({status}"), test["output"]
    assert float(_rows(out)[label]["total"]) == 0.0
    assert f"{label}: Grading stopped: the grader process died ({status}" in first.stdout


def test_a_dead_sandbox_worker_is_still_a_crash_of_the_tests_it_touches(batch):
    _, _, out, _, _ = batch
    tests = {t["name"]: t for t in json.loads((out / "worker-dies" / "results.json").read_text())["tests"]}
    relu = tests["relu_forward: output matches the reference"]
    assert relu["score"] == 0 and relu["output"] == "your code terminated the grader's worker process (segmentation fault)"
    assert tests["affine_forward: output matches the reference"]["score"] == 2.0


def test_a_resume_regrades_the_submissions_whose_grader_died(batch):
    assignment, subs, out, fuse, _ = batch
    kept = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/outcomes.json")}
    fuse.unlink()  # the grader no longer dies: the regraded submissions are graded in full
    again = _grader(assignment, *subs, "--out", out, "--jobs", 2, "--quiet", cwd=assignment.parent)
    assert again.returncode == 0, again.stderr
    for label, stamp in kept.items():
        regraded = (out / label / "outcomes.json").stat().st_mtime_ns != stamp
        assert regraded == (label in DEATHS), label
    rows = _rows(out)
    assert {label: float(rows[label]["total"]) for label in DEATHS} == dict.fromkeys(DEATHS, 4.0)
