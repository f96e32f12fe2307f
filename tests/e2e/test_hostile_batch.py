"""A batch with hostile submissions in the middle (issue 13): real ``grader grade ... --out`` processes.

One grader process grades, in order: an honest submission, submissions whose code forges replies on
its worker's socket, a zip with a member in a folder name over 255 bytes, a folder with a file name
that is not UTF-8, a submission holding a stray ``submission_metadata.yml``, and an honest one last.
Every submission gets a results.json valid against the schema; the honest ones keep full marks; a
second run resumes without regrading anything.
"""
import csv
import json
import os
import subprocess
import sys
import zipfile

import jsonschema
import pytest

from adversarial import hostile
from helpers import MINI, ROOT, SCHEMA, write_submission

CORRECT = (MINI / "examples" / "correct" / "layers.py").read_text()
STRAY = ":submission_1:\n  :submitters:\n  - :name: Eve\n    :email: eve@uni.edu\n"


def grade(args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, "-m", "grader", "grade", str(MINI), *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile_batch")
    inputs = [write_submission(tmp / "a_first", {"layers.py": CORRECT})]
    for attack in ("zero_size_huge_shape", "many_empty_buffers", "unhashable_dtype"):
        inputs.append(write_submission(tmp / f"b_{attack}", {"layers.py": hostile.module(attack)}))
    long_zip = tmp / "c_long_name.zip"
    with zipfile.ZipFile(long_zip, "w") as archive:
        archive.writestr("x" * 300 + "/layers.py", CORRECT)
        archive.writestr("hw/layers.py", CORRECT)
        archive.writestr("../escape.py", "x = 1\n")
    inputs.append(long_zip)
    odd = write_submission(tmp / "d_odd_names", {"layers.py": CORRECT})
    with open(os.path.join(os.fsencode(odd), b"\xff\xfe notes.py"), "w") as handle:
        handle.write("x = 1\n")
    inputs.append(odd)
    inputs.append(write_submission(tmp / "e_stray", {"submission_metadata.yml": STRAY, "layers.py": CORRECT}))
    inputs.append(write_submission(tmp / "z_last", {"layers.py": CORRECT}))
    out = tmp / "graded"
    first = grade([*inputs, "--out", out, "--jobs", 1, "--quiet"], tmp)
    return inputs, out, first


def _report(out, label):
    report = json.loads((out / label / "results.json").read_text())
    jsonschema.validate(report, SCHEMA)
    return report


def test_everyone_is_graded_and_every_report_is_valid(batch):
    inputs, out, first = batch
    assert first.returncode == 0, first.stderr
    labels = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert labels == sorted(p.stem if p.is_file() else p.name for p in inputs)
    for label in labels:
        _report(out, label)
    rows = list(csv.reader((out / "grades.csv").open()))
    assert len(rows) == 1 + len(inputs)


def test_honest_submissions_around_the_hostile_ones_keep_full_marks(batch):
    _, out, _ = batch
    full = _report(out, "a_first")["score"]
    assert full == 4.0
    for label in ("z_last", "c_long_name", "d_odd_names", "e_stray"):
        assert _report(out, label)["score"] == full, label


def test_forged_replies_score_no_more_than_their_honest_twin(batch):
    _, out, _ = batch
    for label in ("b_zero_size_huge_shape", "b_many_empty_buffers", "b_unhashable_dtype"):
        assert _report(out, label)["score"] <= 4.0


def test_skipped_zip_members_are_noted_for_the_student(batch):
    _, out, _ = batch
    summary = _report(out, "c_long_name")["output"]
    assert "too long" in summary and "leaves its folder" in summary


def test_a_resume_grades_nothing_again(batch):
    inputs, out, _ = batch
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/outcomes.json")}
    again = grade([*inputs, "--out", out, "--jobs", 1, "--quiet"], out.parent)
    assert again.returncode == 0, again.stderr
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/outcomes.json")} == stamps
