"""The Gradescope package in real processes: ``grader autograder A -o zip``, then Gradescope's steps in
a temporary root (``AUTOGRADER_ROOT``): the zip unpacked into ROOT/source, ``setup.sh`` once (a venv
with --system-site-packages in the root, nothing downloaded), ``run_autograder`` per submission."""

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import jsonschema
import pytest

from helpers import MINI, ROOT, SCHEMA


def _run(argv, env_extra, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env.update(env_extra)
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """The zip, and a root where setup.sh has run: ``(zip path, root, environment for the scripts)``."""
    tmp = tmp_path_factory.mktemp("autograder")
    archive = tmp / "autograder.zip"
    built = _run([sys.executable, "-m", "grader", "autograder", str(MINI), "-o", str(archive)],
                 {"PYTHONPATH": str(ROOT)}, tmp)
    assert built.returncode == 0, built.stderr
    root = tmp / "root"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(archive) as z:
        z.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):  # zipfile drops the executable bits; Gradescope keeps them
        (root / "source" / script).chmod(0o755)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    # setup.sh runs `python3`: make it this interpreter. Inside a venv, --system-site-packages would not
    # see this venv's packages, so the venv itself serves (setup.sh then creates and installs nothing).
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    venv = sys.prefix if sys.prefix != sys.base_prefix else str(root / "venv")
    env = {"AUTOGRADER_ROOT": str(root), "GRADER_VENV": venv, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    setup = _run(["bash", str(root / "source" / "setup.sh")], env, root)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    return archive, root, env


def _grade(root, env, submission, **extra):
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.copytree(submission, root / "submission")
    proc = _run([str(root / "run_autograder")], {**env, **extra}, "/")
    report = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(report, SCHEMA)
    return proc, report


def test_zip_holds_the_scripts_the_grader_and_the_tests_but_no_examples(package):
    archive, _, _ = package
    with zipfile.ZipFile(archive) as z:
        infos = {info.filename: info for info in z.infolist()}
    names = set(infos)
    assert {"setup.sh", "run_autograder", "requirements.txt", "grader/cli.py", "reference/__init__.py",
            "assignment/assignment.toml", "assignment/tests/test_layers.py",
            "assignment/tests/test_hidden_layers.py", "assignment/starter/layers.py"} <= names
    assert not [n for n in names if "examples" in n.split("/") or "__pycache__" in n or n.endswith(".pyc")]
    for script in ("setup.sh", "run_autograder"):
        assert (infos[script].external_attr >> 16) & stat.S_IXUSR


def test_setup_made_a_venv_and_locked_the_source(package):
    _, root, env = package
    assert os.access(os.path.join(env["GRADER_VENV"], "bin", "python"), os.X_OK)
    assert (root / "source" / "assignment" / "tests").stat().st_mode & 0o077 == 0


def test_run_autograder_grades_the_submission(package):
    _, root, env = package
    proc, report = _grade(root, env, MINI / "examples" / "wrong")
    assert proc.returncode == 0, proc.stderr
    assert report["score"] == 1.0
    assert len(report["tests"]) == 3
    hidden = [t for t in report["tests"] if t["visibility"] == "after_due_date"]
    assert len(hidden) == 1 and "CANARY" not in json.dumps(report)
    proc, report = _grade(root, env, MINI / "examples" / "correct")
    assert report["score"] == 4.0 and all(t["status"] == "passed" for t in report["tests"])


def test_run_autograder_uses_the_zip_not_the_project(package):
    _, root, env = package
    broken = root / "source" / "grader" / "report" / "gradescope.py"
    saved = broken.read_text()
    broken.write_text("raise ImportError('the unpacked grader was used')\n")
    try:
        proc, report = _grade(root, env, MINI / "examples" / "correct")
    finally:
        broken.write_text(saved)
    assert report["score"] == 0 and report["tests"] == []
    assert "autograder failed" in report["output"]


def test_a_results_json_is_written_when_the_grader_cannot_run(package):
    _, root, env = package
    proc, report = _grade(root, env, MINI / "examples" / "correct", GRADER_PYTHON="/bin/false")
    assert proc.returncode == 0
    assert report["score"] == 0 and "autograder failed" in report["output"]
