"""The command line in real processes (``python -m grader ...``): list, check, grade, errors, demo.

Independent invocations on the mini assignment are started together (``run_many``) so the module
costs a few process start-ups, not one per case.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import jsonschema
import pytest

from helpers import MINI, ROOT, SCHEMA, write_submission

WRONG = MINI / "examples" / "wrong"
CORRECT = MINI / "examples" / "correct"
PUBLIC = ["affine_forward: output matches the reference", "relu_forward: output matches the reference"]
HIDDEN = "affine_forward: a batch of one"


def _env():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTEST_ADDOPTS", None)
    return env


def run_many(calls, at_once=4):
    """Run ``[(args, cwd), ...]`` as ``python -m grader ARGS``, ``at_once`` at a time; CompletedProcess each."""
    done = []
    for start in range(0, len(calls), at_once):
        chunk = calls[start:start + at_once]
        procs = [subprocess.Popen([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, env=_env(),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for args, cwd in chunk]
        for (args, _), proc in zip(chunk, procs):
            out, err = proc.communicate(timeout=300)
            done.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return done


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every mini-assignment invocation of this module, run at once; results by case name."""
    tmp = tmp_path_factory.mktemp("cli")
    (tmp / "bad.zip").write_text("this is not a zip archive")
    (tmp / "empty").mkdir()
    (tmp / "broken.ipynb").write_text("{ not json")
    with zipfile.ZipFile(tmp / "good.zip", "w") as archive:
        archive.write(WRONG / "layers.py", "hw/layers.py")
    here = shutil.copytree(CORRECT, tmp / "here")
    unreadable = write_submission(tmp / "locked", {"layers.py": "x = 1\n"}) / "layers.py"
    unreadable.chmod(0)
    locked_folder = write_submission(tmp / "locked_folder", {"layers.py": "x = 1\n"})
    locked_folder.chmod(0)
    bad_toml = shutil.copytree(MINI, tmp / "bad_toml")
    with open(bad_toml / "assignment.toml", "a") as handle:
        handle.write("seed = = 3\n")
    no_doc = shutil.copytree(MINI, tmp / "no_doc")
    test_file = no_doc / "tests" / "test_layers.py"
    test_file.write_text(test_file.read_text().replace('    """relu_forward: output matches the reference"""\n', ""))
    export = write_submission(tmp / "export", {
        "submission_metadata.yml": ":submission_7:\n  :submitters:\n  - :name: Ann\n    :email: ann@uni.edu\n",
        "submission_7/layers.py": (CORRECT / "layers.py").read_text(),
        "submission_8/layers.py": (WRONG / "layers.py").read_text()})
    (tmp / "in_export").mkdir()
    stray = write_submission(tmp / "stray", {
        "submission_metadata.yml": ":submission_7:\n  :submitters:\n  - :name: Ann\n    :email: ann@uni.edu\n",
        "layers.py": (CORRECT / "layers.py").read_text()})
    (tmp / "in_stray").mkdir()
    cases = {
        "grade_export": (["grade", MINI, export, "--out", tmp / "in_export" / "graded", "--quiet"], tmp / "in_export"),
        "grade_export_alone": (["grade", MINI, export, "--results", tmp / "export_alone.json"], tmp / "in_export"),
        "grade_stray_metadata": (["grade", MINI, stray, "--results", tmp / "stray.json"], tmp / "in_stray"),
        "check_wrong": (["check", MINI, WRONG], tmp),
        "check_default_folder": (["check", MINI], here),
        "grade_wrong": (["grade", MINI, WRONG, "--results", tmp / "wrong.json"], tmp),
        "grade_zip": (["grade", MINI, tmp / "good.zip", "--results", tmp / "zip.json"], tmp),
        "grade_default_results": (["grade", MINI, CORRECT], here),
        "bad_zip": (["grade", MINI, tmp / "bad.zip", "--results", tmp / "bad_zip.json"], tmp),
        "empty": (["grade", MINI, tmp / "empty", "--results", tmp / "empty.json"], tmp),
        "broken_notebook": (["grade", MINI, tmp / "broken.ipynb", "--results", tmp / "broken_notebook.json"], tmp),
        "unknown_assignment": (["grade", "c147/hw99", WRONG], tmp),
        "missing_path": (["grade", MINI, tmp / "nowhere"], tmp),
        "unreadable_path": (["grade", MINI, unreadable], tmp),
        "unreadable_folder": (["grade", MINI, locked_folder], tmp),
        "kit_onto_a_file": (["student-kit", MINI, "-o", tmp / "bad.zip"], tmp),
        "zip_onto_a_folder": (["autograder", MINI, "-o", tmp / "empty"], tmp),
        "results_onto_a_folder": (["grade", MINI, WRONG, "--results", tmp / "empty"], tmp),
        "bad_toml": (["grade", bad_toml, WRONG], tmp),
        "no_docstring": (["check", no_doc, WRONG], tmp),
    }
    try:
        results = run_many(list(cases.values()))
    finally:
        locked_folder.chmod(0o755)  # so that pytest can remove it
    return tmp, dict(zip(cases, results))


def _report(path):
    report = json.loads(path.read_text())
    jsonschema.validate(report, SCHEMA)
    return report


def _table(stdout):
    """``{test name: "PASS"/"FAIL"}`` from the terminal table of ``grader check``."""
    rows = {}
    for line in stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[0] in ("PASS", "FAIL"):
            rows[parts[2]] = parts[0]
    return rows


def test_list_shows_every_bundled_assignment_with_names_and_points():
    from grader.assignment import bundled_names, load_assignment
    from grader.runner import count_points

    proc = subprocess.run([sys.executable, "-m", "grader", "list"], env=_env(), capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    names = bundled_names()
    assert len(names) >= 8
    for name in names:
        row = next(i for i, line in enumerate(lines) if line.split()[0] == name)
        assert "points)" in lines[row] and "tests," in lines[row]
        graded = lines[row + 1].split("graded:", 1)[1]
        assert [n.strip() for n in graded.split(",")] == list(load_assignment(name).names)
    points, tests = count_points(load_assignment("c147/hw4"))
    hw4 = next(line for line in lines if line.startswith("c147/hw4"))
    assert f"({tests} tests, {points:g} points)" in hw4


def test_check_runs_public_tests_only_and_fails_with_exit_1(runs):
    _, r = runs
    proc = r["check_wrong"]
    assert proc.returncode == 1, proc.stderr
    assert _table(proc.stdout) == {PUBLIC[0]: "FAIL", PUBLIC[1]: "PASS"}
    assert HIDDEN not in proc.stdout and "CANARY" not in proc.stdout
    assert "factor 2" in proc.stdout


def test_check_defaults_to_the_current_folder_and_exits_0_when_all_pass(runs):
    _, r = runs
    proc = r["check_default_folder"]
    assert proc.returncode == 0, proc.stderr
    assert _table(proc.stdout) == {name: "PASS" for name in PUBLIC}


def test_grade_writes_a_valid_report_with_hidden_tests_redacted(runs):
    tmp, r = runs
    proc = r["grade_wrong"]
    assert proc.returncode == 0, proc.stderr
    report = _report(tmp / "wrong.json")
    assert [t["name"] for t in report["tests"]] == [*PUBLIC, HIDDEN]
    assert report["score"] == 1.0
    by_name = {t["name"]: t for t in report["tests"]}
    hidden = by_name[HIDDEN]
    assert hidden["visibility"] == "after_due_date" and hidden["status"] == "failed"
    assert "differ" in hidden["output"]  # its real diagnosis, which Gradescope shows after the due date
    for field in ("rng", "student.", "CANARY", "assert "):  # never the test's source
        assert field not in hidden["output"]
    assert "CANARY" not in (tmp / "wrong.json").read_text()
    assert by_name[PUBLIC[0]]["visibility"] == "visible" and "factor 2" in by_name[PUBLIC[0]]["output"]
    assert "1 / 4" in proc.stdout


def test_grade_accepts_a_zip_and_writes_results_json_by_default(runs):
    tmp, r = runs
    assert r["grade_zip"].returncode == 0, r["grade_zip"].stderr
    assert _report(tmp / "zip.json")["score"] == 1.0
    assert r["grade_default_results"].returncode == 0, r["grade_default_results"].stderr
    report = _report(tmp / "here" / "results.json")
    assert report["score"] == 4.0 and all(t["status"] == "passed" for t in report["tests"])


@pytest.mark.parametrize("case, reason", [
    ("bad_zip", "not a readable zip"),
    ("empty", "not defined in any file"),
    ("broken_notebook", "not a valid notebook"),
])
def test_a_malformed_submission_still_gets_a_report_scored_0(runs, case, reason):
    tmp, r = runs
    proc = r[case]
    assert proc.returncode == 0, proc.stderr
    report = _report(tmp / f"{case}.json")
    assert report["score"] == 0
    assert [t["name"] for t in report["tests"]] == [*PUBLIC, HIDDEN]
    assert all(t["score"] == 0 for t in report["tests"])
    visible = [t for t in report["tests"] if t["visibility"] == "visible"]
    assert all(reason in t["output"] for t in visible)


@pytest.mark.parametrize("case, words", [
    ("unknown_assignment", ["unknown assignment", "c147/hw99"]),
    ("missing_path", ["nowhere", "no such file"]),
    ("unreadable_path", ["layers.py", "not readable"]),
    ("unreadable_folder", ["locked_folder", "not readable"]),
    ("kit_onto_a_file", ["bad.zip", "empty or absent"]),
    ("zip_onto_a_folder", ["empty", "is a folder"]),
    ("results_onto_a_folder", ["empty", "is a folder"]),
    ("bad_toml", ["assignment.toml", "TOML"]),
    ("no_docstring", ["test_relu", "docstring"]),
])
def test_an_instructor_error_is_exit_2_with_one_line(runs, case, words):
    _, r = runs
    proc = r[case]
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("grader: ")
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in proc.stderr


def test_demo_grades_every_example_as_expected(tmp_path):
    from grader.assignment import load_assignment
    from grader.runner import count_points

    hw4 = load_assignment("c147/hw4")
    _, tests = count_points(hw4)
    proc = subprocess.run([sys.executable, "-m", "grader", "demo", "c147/hw4", "--out", tmp_path], env=_env(),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    examples = hw4.examples()
    for name in examples:
        row = next(line for line in proc.stdout.splitlines() if line.split()[:1] == [name])
        assert row.rstrip().endswith("as expected"), row
    assert "UNEXPECTED" not in proc.stdout
    out = tmp_path / "c147-hw4"
    for name in examples:
        report = _report(out / name / "results.json")
        assert len(report["tests"]) == tests
        for test in report["tests"]:
            graded, sep, what = test["name"].partition(": ")
            assert sep and what and graded.split(".")[0] in hw4.names, test["name"]
            if test["visibility"] != "visible":
                assert test["output"] and "after the due date" not in test["output"]
    rows = (out / "grades.csv").read_text().splitlines()
    assert len(rows) == 1 + len(examples)


def test_a_gradescope_export_folder_with_out_is_graded_as_a_batch(runs):
    tmp, r = runs
    proc = r["grade_export"]
    assert proc.returncode == 0, proc.stderr
    graded = tmp / "in_export" / "graded"
    assert _report(graded / "submission_7-ann@uni.edu" / "results.json")["score"] == 4.0
    assert _report(graded / "submission_8" / "results.json")["score"] == 1.0
    assert len((graded / "grades.csv").read_text().splitlines()) == 3


def test_a_gradescope_export_without_out_is_one_submission_with_a_hint(runs):
    tmp, r = runs
    proc = r["grade_export_alone"]
    assert proc.returncode == 0, proc.stderr
    assert "looks like a Gradescope export" in proc.stderr and "--out" in proc.stderr
    _report(tmp / "export_alone.json")


def test_a_stray_metadata_file_in_a_submission_does_not_make_it_an_export(runs):
    tmp, r = runs
    proc = r["grade_stray_metadata"]
    assert proc.returncode == 0, proc.stderr
    assert _report(tmp / "stray.json")["score"] == 4.0
    assert "Gradescope export" not in proc.stderr
    assert list((tmp / "in_stray").iterdir()) == []


def test_demo_flags_unexpected_verdicts_and_examples_without_expectations(tmp_path):
    assignment = shutil.copytree(MINI, tmp_path / "mini", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(CORRECT, assignment / "examples" / "extra")
    expected = assignment / "examples" / "expected.toml"
    expected.write_text(expected.read_text().replace('[wrong]\nfail = [', '[wrong]\nfail = ["relu_forward: output matches the reference", '))
    proc = subprocess.run([sys.executable, "-m", "grader", "demo", assignment, "--out", tmp_path / "out"],
                          env=_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    rows = {line.split()[0]: line for line in proc.stdout.splitlines() if line.startswith("   ") and line.split()}
    assert rows["correct"].rstrip().endswith("as expected")
    assert rows["wrong"].rstrip().endswith("UNEXPECTED")
    assert "no expected verdicts" in rows["extra"]
