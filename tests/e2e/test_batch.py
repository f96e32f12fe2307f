"""Batch grading in real processes: ``grader grade A S1 S2 ... --out DIR --jobs 2``.

One batch of the mini assignment is graded once per module (duplicate names, a Gradescope export
folder, a broken zip); the tests then read its folder, resume it, and force a regrade.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile

import jsonschema
import pytest

from helpers import MINI, ROOT, SCHEMA, write_submission

CORRECT = (MINI / "examples" / "correct" / "layers.py").read_text()
WRONG = (MINI / "examples" / "wrong" / "layers.py").read_text()
TESTS = ["affine_forward: output matches the reference", "relu_forward: output matches the reference",
         "affine_forward: a batch of one"]
METADATA = """---
:submission_101:
  :submitters:
  - :name: Ann Lee
    :sid: '1'
    :email: ann@uni.edu
  :created_at: 2024-01-01 10:00:00.000000000 -08:00
  :score: 0.0
:submission_102:
  :submitters:
  - :name: Bob Ray
    :sid: '2'
    :email: 'bob@uni.edu'
  :created_at: 2024-01-01 11:00:00.000000000 -08:00
"""
LABELS = {"alice": 4.0, "alice-2": 1.0, "alice-2-2": 4.0, "broken": 0.0,
          "submission_101-ann@uni.edu": 4.0, "submission_102-bob@uni.edu": 1.0}


def grade(args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, "-m", "grader", "grade", str(MINI), *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The inputs, the output folder and the first run's process."""
    tmp = tmp_path_factory.mktemp("batch")
    inputs = [write_submission(tmp / "a" / "alice", {"layers.py": CORRECT}),
              write_submission(tmp / "b" / "alice", {"layers.py": WRONG}),
              write_submission(tmp / "alice-2", {"layers.py": CORRECT})]
    export = write_submission(tmp / "export", {"submission_metadata.yml": METADATA,
                                               "submission_101/layers.py": "import sklearn\n" + CORRECT,
                                               "submission_102/hw/layers.py": WRONG})
    broken = tmp / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 truncated")
    inputs += [export, broken]
    out = tmp / "graded"
    first = grade([*inputs, "--out", out, "--jobs", 2], tmp)
    return inputs, out, first


def _stamps(out):
    return {p.parent.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.glob("*/outcomes.json")}


def test_every_submission_gets_a_valid_report(batch):
    _, out, first = batch
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(LABELS)
    for label, score in LABELS.items():
        report = json.loads((out / label / "results.json").read_text())
        jsonschema.validate(report, SCHEMA)
        assert report["score"] == score, label
        assert [t["name"] for t in report["tests"] if t["visibility"] != "hidden"] == TESTS
        flagged = [t for t in report["tests"] if t["visibility"] == "hidden"]   # for instructors only
        assert len(flagged) == (label == "submission_101-ann@uni.edu"), label
        feedback = (out / label / "feedback.md").read_text()
        assert "**Score:" in feedback and "CANARY" not in feedback


def test_grades_csv_has_a_row_per_submission_and_a_column_per_test(batch):
    _, out, _ = batch
    with open(out / "grades.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["submission", "name", "sid", "email", *TESTS, "total", "max", "flags"]
    body = {row[0]: row[1:] for row in rows[1:]}
    assert len(rows) - 1 == len(body) == len(LABELS)
    for label, score in LABELS.items():
        assert float(body[label][-3]) == score and float(body[label][-2]) == 4.0
        assert sum(map(float, body[label][3:6])) == score
    flagged = {label: row[-1] for label, row in body.items() if row[-1]}
    assert flagged == {"submission_101-ann@uni.edu": "layers.py, line 1: imports sklearn (forbidden in this assignment)"}
    assert [float(x) for x in body["alice-2"][3:6]] == [0.0, 1.0, 0.0]
    assert body["submission_101-ann@uni.edu"][:3] == ["Ann Lee", "1", "ann@uni.edu"]
    assert body["submission_102-bob@uni.edu"][:3] == ["Bob Ray", "2", "bob@uni.edu"]
    assert body["alice"][:3] == ["", "", ""]


def test_the_summary_is_printed(batch):
    _, _, first = batch
    text = first.stdout
    assert "6 submission(s); mean score 2.33 / 4" in text
    assert "Mean score per test:" in text and "Tests failed most often:" in text
    assert "scaled by 2" in text
    assert "grades.csv" in text
    assert "Flagged for a forbidden shortcut (1; see the flags column of grades.csv):\n" \
           "  submission_101-ann@uni.edu: layers.py, line 1: imports sklearn" in text


def test_a_second_run_resumes_without_regrading(batch):
    inputs, out, _ = batch
    before = _stamps(out)
    (out / "alice-2").joinpath("outcomes.json").unlink()  # the one submission left to grade
    again = grade([*inputs, "--out", out, "--jobs", 2, "--quiet"], out.parent)
    assert again.returncode == 0, again.stderr
    after = _stamps(out)
    assert set(after) == set(LABELS)
    for label in LABELS:
        if label != "alice-2":
            assert after[label] == before[label], f"{label} was regraded"
    assert json.loads(after["alice-2"][1])["score"] == 1.0
    assert "6 submission(s)" in again.stdout


def test_force_regrades(batch):
    inputs, out, _ = batch
    record = out / "alice" / "outcomes.json"
    tampered = json.loads(record.read_text())
    tampered["score"] = -1.0
    record.write_text(json.dumps(tampered))
    forced = grade([inputs[0], "--out", out, "--force", "--quiet"], out.parent)
    assert forced.returncode == 0, forced.stderr
    assert json.loads(record.read_text())["score"] == 4.0
    with open(out / "grades.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert sorted(row[0] for row in rows[1:]) == sorted(LABELS)  # every submission graded under --out
    assert next(float(row[-3]) for row in rows[1:] if row[0] == "alice") == 4.0


def test_a_broken_assignment_stops_the_batch_with_one_line(tmp_path):
    broken = shutil.copytree(MINI, tmp_path / "broken")
    test_file = broken / "tests" / "test_layers.py"
    test_file.write_text(test_file.read_text().replace('    """relu_forward: output matches the reference"""\n', ""))
    subs = [write_submission(tmp_path / name, {"layers.py": CORRECT}) for name in ("s1", "s2")]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(broken), *map(str, subs), "--out",
                           str(tmp_path / "out"), "--jobs", "2", "--quiet"], env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "test_relu" in lines[0] and "docstring" in lines[0]


def test_a_gradescope_export_zip_is_extracted_and_graded(tmp_path):
    export = tmp_path / "assignment_7_export.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("assignment_7_export/submission_metadata.yml", METADATA)
        archive.writestr("assignment_7_export/submission_101/layers.py", CORRECT)
        archive.writestr("assignment_7_export/submission_102/hw 1/layers.py", WRONG)
    out = tmp_path / "graded"
    done = grade([export, "--out", out, "--jobs", 1, "--quiet"], tmp_path)
    assert done.returncode == 0, done.stderr
    scores = {p.parent.name: json.loads(p.read_text())["score"] for p in out.glob("*/results.json")}
    assert scores == {"submission_101-ann@uni.edu": 4.0, "submission_102-bob@uni.edu": 1.0}
    assert (out / ".exports" / "assignment_7_export" / "assignment_7_export" / "submission_metadata.yml").is_file()


def test_an_export_zip_that_escapes_its_folder_is_a_one_line_error(tmp_path):
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("submission_metadata.yml", METADATA)
        archive.writestr("../evil/layers.py", CORRECT)
    done = grade([export, "--out", tmp_path / "graded", "--quiet"], tmp_path)
    assert done.returncode == 2
    assert "export.zip: the Gradescope export cannot be extracted" in done.stderr
    assert "leaves its folder" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "evil").exists()
