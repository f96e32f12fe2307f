"""Batches an instructor can trust, in real processes: stray inputs skipped, resume keyed on content,
grades.csv of everything under --out with a row per group member, the lowest scores with their cause,
and partial grades after an interrupt."""

import csv
import os
import signal
import subprocess
import sys
import time

from helpers import MINI, ROOT, write_submission

CORRECT = (MINI / "examples" / "correct" / "layers.py").read_text()
WRONG = (MINI / "examples" / "wrong" / "layers.py").read_text()
GROUP = """:submission_7:
  :submitters:
  - :name: Ann Lee
    :sid: '11'
    :email: ann@uni.edu
  - :name: Bob Ray
    :sid: "12"
    :email: bob@uni.edu
  :created_at: 2024-01-01 10:00:00.000000000 -08:00
"""


def _grader(*args, cwd, wait=True):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTEST_ADDOPTS", None)
    argv = [sys.executable, "-m", "grader", "grade", str(MINI), *map(str, args)]
    if not wait:
        return subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _rows(out):
    with open(out / "grades.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def test_stray_files_are_skipped_with_a_warning(tmp_path):
    good = write_submission(tmp_path / "subs" / "alice", {"layers.py": CORRECT})
    stray = [write_submission(tmp_path / "subs", {"expected.toml": "x = 1\n"}) / "expected.toml",
             write_submission(tmp_path / "subs", {"submission_metadata.yml": GROUP}) / "submission_metadata.yml"]
    proc = _grader(good, *stray, "--out", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("skipped (not a submission") == 2 and "expected.toml" in proc.stderr
    assert [row["submission"] for row in _rows(tmp_path / "out")] == ["alice"]
    assert "1 submission(s); mean score 4.00 / 4" in proc.stdout


def test_resume_regrades_a_changed_submission_and_keeps_the_others(tmp_path):
    alice = write_submission(tmp_path / "alice", {"layers.py": CORRECT})
    bob = write_submission(tmp_path / "bob", {"layers.py": CORRECT})
    out = tmp_path / "out"
    assert _grader(alice, bob, "--out", out, "--quiet", cwd=tmp_path).returncode == 0
    kept = (out / "alice" / "outcomes.json").stat().st_mtime_ns
    (bob / "layers.py").write_text(WRONG)  # the same folder name, new content
    proc = _grader(alice, bob, "--out", out, "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    scores = {row["submission"]: float(row["total"]) for row in _rows(out)}
    assert scores == {"alice": 4.0, "bob": 1.0}
    assert (out / "alice" / "outcomes.json").stat().st_mtime_ns == kept


def test_grades_csv_lists_every_run_and_every_group_member(tmp_path):
    out = tmp_path / "out"
    first = write_submission(tmp_path / "first", {"layers.py": CORRECT})
    export = write_submission(tmp_path / "export", {"submission_metadata.yml": GROUP,
                                                    "submission_7/layers.py": WRONG})
    assert _grader(first, "--out", out, "--quiet", cwd=tmp_path).returncode == 0
    assert _grader(export, "--out", out, "--quiet", cwd=tmp_path).returncode == 0  # another invocation
    rows = _rows(out)
    assert [(r["submission"], r["name"], r["sid"], r["email"]) for r in rows] == [
        ("first", "", "", ""),
        ("submission_7-ann@uni.edu", "Ann Lee", "11", "ann@uni.edu"),
        ("submission_7-ann@uni.edu", "Bob Ray", "12", "bob@uni.edu")]
    assert [float(r["total"]) for r in rows] == [4.0, 1.0, 1.0]


def test_the_summary_names_the_lowest_scores_and_their_causes(tmp_path):
    subs = [write_submission(tmp_path / "typo", {"layers.py": "def affine_forward(x, w, b)\n    return x\n"}),
            write_submission(tmp_path / "wrong", {"layers.py": WRONG}),
            write_submission(tmp_path / "fine", {"layers.py": CORRECT})]
    proc = _grader(*subs, "--out", tmp_path / "out", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    after = proc.stdout.split("Lowest scores:\n", 1)[1].splitlines()
    lowest = after[:next(i for i, line in enumerate(after) if not line.startswith("  "))]
    assert len(lowest) == 2 and "typo" in lowest[0] and "wrong" in lowest[1]
    assert "syntax" in lowest[0].lower() and "layers.py" in lowest[0]


def test_an_interrupted_batch_keeps_its_grades_and_says_how_to_resume(tmp_path):
    slow = CORRECT + "\nimport time\ntime.sleep(3)\n"
    subs = [write_submission(tmp_path / f"s{i}", {"layers.py": CORRECT if i == 0 else slow}) for i in range(6)]
    out = tmp_path / "out"
    proc = _grader(*subs, "--out", out, "--jobs", "1", "--quiet", cwd=tmp_path, wait=False)
    deadline = time.monotonic() + 120
    while not list(out.glob("*/outcomes.json")) and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "rerun the same command to resume" in stderr and "Traceback" not in stderr
    graded = _rows(out)
    assert 1 <= len(graded) < 6 and graded[0]["submission"] == "s0"
