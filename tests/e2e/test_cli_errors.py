"""Every user-facing failure of the command line is one line on stderr and exit 2; logs get no bar."""

import os
import subprocess
import sys

import pytest

from grader import __version__

from helpers import MINI, ROOT

CORRECT = MINI / "examples" / "correct"


def _grader(*args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_version(tmp_path):
    proc = _grader("--version", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == f"grader {__version__}"


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_number(tmp_path, jobs):
    proc = _grader("grade", MINI, CORRECT, "--out", tmp_path / "out", "--jobs", jobs, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "--jobs" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_unwritable_outputs_are_one_line_and_exit_2(tmp_path):
    blocker = tmp_path / "a-file"  # root may write anywhere: a file where a folder must be stops even root
    blocker.write_text("")
    calls = {
        "single": ("grade", MINI, CORRECT, "--results", blocker / "r.json"),
        "batch": ("grade", MINI, CORRECT, "--out", blocker / "out"),
        "kit": ("student-kit", MINI, "-o", blocker / "kit"),
        "autograder": ("autograder", MINI, "-o", blocker / "a.zip"),
    }
    for label, args in calls.items():
        proc = _grader(*args, cwd=tmp_path)
        assert proc.returncode == 2, (label, proc.stderr)
        assert proc.stderr.count("\n") == 1 and str(blocker) in proc.stderr, (label, proc.stderr)
        assert "Traceback" not in proc.stderr and "INTERNALERROR" not in proc.stdout + proc.stderr, label


def test_a_batch_logged_to_a_file_has_no_carriage_returns(tmp_path):
    proc = _grader("grade", MINI, CORRECT, MINI / "examples" / "wrong", "--out", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stderr + proc.stdout
    assert (tmp_path / "out" / "grades.csv").is_file()


def test_grading_one_submission_prints_the_table_with_its_diagnoses(tmp_path):
    proc = _grader("grade", MINI, MINI / "examples" / "wrong", "--results", tmp_path / "r.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "What went wrong:" in proc.stdout and "FAIL" in proc.stdout and "PASS" in proc.stdout
    assert (tmp_path / "r.json").is_file()


def test_checking_a_folder_with_no_code_is_one_line(tmp_path):
    (tmp_path / "empty" / "data").mkdir(parents=True)
    (tmp_path / "empty" / "notes.txt").write_text("todo")
    proc = _grader("check", MINI, tmp_path / "empty", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "no .py, .ipynb or .zip" in proc.stderr
