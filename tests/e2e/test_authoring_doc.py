"""docs/writing-assignments.md, section 4, taken at its word: the assignment is built from the doc's own
snippets (each the file named just above it) in a fresh folder and run through the real commands:
its own answer key, a public helper, public and hidden tests, partial credit, the examples' verdicts,
the kit (no solution, no hidden test) and the autograder zip. Authoring mistakes fail at collection."""

import json
import os
import re
import subprocess
import sys
import zipfile

import pytest

from helpers import ROOT

DOC = ROOT / "docs" / "writing-assignments.md"
SNIPPET = re.compile(r"^`(huber-hw/[^`]+)`:\n\n```\w*\n(.*?)^```", re.S | re.M)


def _grader(*args, cwd, **env):
    environment = dict(os.environ, PYTHONPATH=str(ROOT), **env)
    environment.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=600)


def build(root):
    snippets = SNIPPET.findall(DOC.read_text())
    assert len(snippets) >= 10
    for rel, text in snippets:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "huber-hw"


@pytest.fixture(scope="module")
def huber(tmp_path_factory):
    return build(tmp_path_factory.mktemp("doc"))


def test_the_examples_get_their_verdicts_with_partial_credit(huber, tmp_path):
    demo = _grader("demo", huber, "--out", tmp_path / "demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "UNEXPECTED" not in demo.stdout and demo.stdout.count("as expected") == 3
    records = {p.parent.name: json.loads(p.read_text()) for p in (tmp_path / "demo").rglob("outcomes.json")}
    assert records["correct"]["score"] == records["correct"]["max_score"] == 7
    deltas = next(o for o in records["bug_delta_ignored"]["outcomes"] if "delta argument" in o["name"])
    assert deltas["score"] == 1.0 and deltas["output"].startswith("Partial credit (1 of 3)")
    assert records["bug_delta_ignored"]["score"] == 5.0
    summed = next(o for o in records["bug_summed"]["outcomes"] if "(delta = 1)" in o["name"])
    assert "summed instead of averaged" in (summed["diagnosis"] or "")
    assert summed["misconceptions"] == ["summed-not-averaged"]  # named by its id in the doc's test


def test_the_kit_has_the_public_helper_and_no_answer_and_checks(huber, tmp_path):
    kit = tmp_path / "kit"
    proc = _grader("student-kit", huber, "-o", kit, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    files = {p.relative_to(kit).as_posix() for p in kit.rglob("*") if p.is_file()}
    assert {"tests/shared.py", "tests/test_huber.py", "golden.json"} <= files
    assert not [f for f in files if f.startswith(("solution/", "examples/")) or "hidden" in f]
    solution_line = "dpred = np.where(small, r, delta * np.sign(r)) / r.size"
    assert not [f for f in files if solution_line in (kit / f).read_text(errors="replace")]
    check = _grader("check", kit, huber / "examples" / "bug_delta_ignored", cwd=tmp_path)
    assert check.returncode == 1 and "Partial credit (1 of 3)" in check.stdout, check.stdout + check.stderr
    assert _grader("check", kit, huber / "examples" / "correct", cwd=tmp_path).returncode == 0


def test_the_autograder_zip_carries_the_solution_and_the_hidden_tests(huber, tmp_path):
    proc = _grader("autograder", huber, "-o", tmp_path / "a.zip", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    names = zipfile.ZipFile(tmp_path / "a.zip").namelist()
    assert {"assignment/solution/losses.py", "assignment/tests/test_hidden_huber.py",
            "assignment/tests/shared.py"} <= set(names)


def _broken(huber, tmp_path, name, text):
    import shutil
    folder = tmp_path / "broken"
    shutil.copytree(huber, folder)
    (folder / "tests" / name).write_text(text)
    return _grader("grade", folder, folder / "examples" / "correct", "--results", tmp_path / "r.json", cwd=tmp_path)


def test_a_public_test_using_ref_fails_at_collection(huber, tmp_path):
    proc = _broken(huber, tmp_path, "test_more.py",
                   'def test_x(student, ref):\n    """huber_loss: uses ref"""\n')
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "test_more.py" in proc.stderr and "'ref'" in proc.stderr


def test_a_public_test_importing_a_hidden_helper_fails_at_collection(huber, tmp_path):
    (huber / "tests" / "hidden_cases.py").write_text("CASES = [1, 2]\n")
    try:
        proc = _broken(huber, tmp_path, "test_more.py",
                       'from hidden_cases import CASES\n\ndef test_x(student):\n    """huber_loss: cases"""\n')
    finally:
        (huber / "tests" / "hidden_cases.py").unlink()
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "test_more.py: imports the hidden helper hidden_cases" in proc.stderr


def test_module_fixtures_live_for_their_module_and_conftest_is_loaded(huber, tmp_path):
    conftest = ('import pytest\n\nBUILT = []\n\n\n@pytest.fixture(scope="module")\ndef cases():\n'
                '    BUILT.append(1)\n    return len(BUILT)\n')
    (huber / "tests" / "conftest.py").write_text(conftest)
    try:
        proc = _broken(huber, tmp_path, "test_more.py",
                       'def test_a(student, cases):\n    """huber_loss: a"""\n    assert cases == 1\n\n\n'
                       'def test_b(student, cases):\n    """huber_loss: b"""\n    assert cases == 1\n')
    finally:
        (huber / "tests" / "conftest.py").unlink()
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert {t["name"]: t["status"] for t in report["tests"]}["huber_loss: b"] == "passed"
