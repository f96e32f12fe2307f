"""The student kit in real processes: ``grader student-kit c147/hw4 -o KIT`` gives nothing away, and
``grader check KIT SUB`` works where the ``reference`` package cannot be imported, with the verdicts of
the full assignment's public tests."""

import json
import os
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

import pytest

from grader.assignment import load_assignment
from helpers import ROOT, variant_of

HW4 = ROOT / "assignments" / "c147" / "hw4"
BUGGY = load_assignment(HW4).examples()["bug_bn_backward_no_mean_term"]  # built from its edits.toml
NO_REFERENCE = "import sys; sys.modules['reference'] = None; from grader.cli import main; sys.exit(main(sys.argv[1:]))"


def _env():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _start(code_or_module, *args, cwd=None):
    argv = [sys.executable, *code_or_module, *map(str, args)]
    return subprocess.Popen(argv, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc):
    out, err = proc.communicate(timeout=600)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kit") / "hw4-kit"
    proc = _finish(_start(["-m", "grader"], "student-kit", "c147/hw4", "-o", folder))
    assert proc.returncode == 0, proc.stderr
    return folder


def _meaningful_lines(path):
    """Lines that carry an answer: not blank, comments, imports, docstring quotes or very short lines."""
    lines = set()
    for line in path.read_text(errors="replace").splitlines():
        text = line.strip()
        if len(text) >= 12 and not text.startswith(("#", "import ", "from ", '"""', "'''")):
            lines.add(text)
    return lines


def _given_to_students():
    """Lines the course hands out anyway: the assignment's starter files (a support file is not excused)."""
    given = set()
    for path in (HW4 / "starter").rglob("*.py"):
        given |= _meaningful_lines(path)
    return given


def _kit_lines(kit):
    """Every line of the kit but its copy of the grader package (the harness, checked apart below)."""
    lines = set()
    for path in kit.rglob("*"):
        if path.is_file() and path.relative_to(kit).parts[0] != "grader":
            lines |= {line.strip() for line in path.read_text(errors="replace").splitlines()}
    return lines


def test_kit_holds_no_line_of_the_reference(kit):
    given, in_kit = _given_to_students(), _kit_lines(kit)
    answer_lines = set()
    for path in (ROOT / "reference").glob("*.py"):
        answer_lines |= _meaningful_lines(path)
    assert len(answer_lines) > 500
    leaked = sorted((answer_lines - given) & in_kit)
    assert leaked == []


def test_kit_holds_no_line_of_the_correct_example(kit):
    given, in_kit = _given_to_students(), _kit_lines(kit)
    solution = set()
    for path in (HW4 / "examples" / "correct").rglob("*.py"):
        solution |= _meaningful_lines(path)
    assert len(solution - given) > 20
    assert sorted((solution - given) & in_kit) == []


def test_kit_has_no_hidden_test_no_example_and_no_hidden_value(kit):
    files = [p.relative_to(kit).as_posix() for p in kit.rglob("*") if p.is_file()]
    assert not [f for f in files if not f.startswith("grader/")  # the harness, checked verbatim below
                and ("test_hidden" in f or "examples" in f or "reference" in f)]
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]
    public = sorted(p.name for p in (HW4 / "tests").glob("test_*.py") if not p.name.startswith("test_hidden"))
    assert sorted(p.name for p in (kit / "tests").glob("*.py")) == public
    golden = json.loads((kit / "golden.json").read_text())
    assert golden and not [key for key in golden if "hidden" in key]
    assert tomllib.loads((kit / "assignment.toml").read_text())["kit"] is True


def test_kit_refuses_a_folder_that_is_not_empty(kit):
    proc = _finish(_start(["-m", "grader"], "student-kit", "c147/hw4", "-o", kit))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "must be empty" in proc.stderr


def _verdicts(stdout):
    rows = {}
    for line in stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[0] in ("PASS", "FAIL", "INFO"):
            rows[parts[2]] = (parts[0], parts[1])
    return rows


def test_check_with_the_kit_needs_no_reference_and_agrees_with_the_assignment(kit):
    with_kit = _start(["-c", NO_REFERENCE], "check", kit, BUGGY)
    with_assignment = _start(["-m", "grader"], "check", "c147/hw4", BUGGY)
    with_kit, with_assignment = _finish(with_kit), _finish(with_assignment)
    assert with_kit.returncode == with_assignment.returncode == 1, with_kit.stderr + with_assignment.stderr
    kit_verdicts, full_verdicts = _verdicts(with_kit.stdout), _verdicts(with_assignment.stdout)
    assert len(kit_verdicts) > 20
    assert kit_verdicts == full_verdicts
    expected = tomllib.loads((HW4 / "examples" / "expected.toml").read_text())["bug_bn_backward_no_mean_term"]
    failed = {name for name, (verdict, _) in kit_verdicts.items() if verdict == "FAIL"}
    assert failed and failed <= set(expected["fail"])
    assert "internal error" not in with_kit.stdout


def test_the_kit_carries_the_harness_verbatim_and_nothing_else(kit):
    """The kit's grader/ is the harness as it is (which never holds the answer key: that is the separate
    reference package) but for the hidden suites (grader/suites/hidden_*.py), so the kit installs on its own."""
    package = ROOT / "grader"
    ours = {p.relative_to(package).as_posix(): p.read_bytes() for p in package.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}
    hidden = {name for name in ours if name.startswith("suites/hidden_")}  # the hidden suites stay out
    copied = {p.relative_to(kit / "grader").as_posix(): p.read_bytes() for p in (kit / "grader").rglob("*") if p.is_file()}
    assert hidden and copied == {name: text for name, text in ours.items() if name not in hidden}
    expected = {"README.md", "assignment.toml", "golden.json", "grader", "pyproject.toml", "starter", "tests"}
    assert {p.name for p in kit.iterdir()} == expected | ({"support"} if (HW4 / "support").is_dir() else set())
    assert len((kit / "README.md").read_text().strip().splitlines()) <= 4


def _fresh_venv(tmp_path):
    """A new virtual environment that sees this machine's installed libraries (numpy, pytest, ...) as
    a plain path, so that nothing installed in development mode (the grader, the answer key) is in it."""
    import sysconfig
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def test_the_kit_installs_in_a_fresh_venv_and_checks_there(kit, tmp_path):
    venv = _fresh_venv(tmp_path)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                              "--no-deps", str(kit)], env=env, cwd=tmp_path,
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    probe = subprocess.run([str(python), "-c", "import grader, importlib.util; print(grader.__file__); "
                            "print(importlib.util.find_spec('reference'))"], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    where, reference = probe.stdout.split()
    assert where.startswith(str(venv)) and reference == "None", probe.stdout + probe.stderr
    grader = venv / "bin" / "grader"
    good = subprocess.run([str(grader), "check", str(kit), str(HW4 / "examples" / "correct")], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    bad = subprocess.run([str(grader), "check", str(kit), str(BUGGY)], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert good.returncode == 0, good.stdout + good.stderr
    assert bad.returncode == 1 and "FAIL" in bad.stdout, bad.stdout + bad.stderr


def test_a_kit_without_its_recorded_values_is_one_line_and_exit_2(kit, tmp_path):
    import shutil
    broken = tmp_path / "kit"
    shutil.copytree(kit, broken)
    (broken / "golden.json").unlink()
    proc = _finish(_start(["-c", NO_REFERENCE], "check", broken, BUGGY))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "golden.json" in proc.stderr


# ----- c147/hw1: public values that depend on the notebook's own data -----------------------------

HW1 = ROOT / "assignments" / "c147" / "hw1"


@pytest.fixture(scope="module")
def hw1_kit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kit") / "hw1-kit"
    proc = _finish(_start(["-m", "grader"], "student-kit", "c147/hw1", "-o", folder))
    assert proc.returncode == 0, proc.stderr
    return folder


def test_hw1_kit_records_the_values_of_both_years_data_and_no_hidden_test(hw1_kit):
    assert sorted(p.name for p in (hw1_kit / "tests").glob("*.py")) == ["test_linear_regression.py"]
    golden = json.loads((hw1_kit / "golden.json").read_text())
    cases = golden["tests/test_linear_regression.py::test_theta"]["theta (by inputs)"]
    assert len(cases) == 2          # the data of examples/correct and of examples/variant_other_year_data
    assert not (hw1_kit / "examples").exists()


@pytest.mark.parametrize("example", ["correct", "variant_other_year_data", "variant_lstsq_columns",
                                     "variant_validation_errors", "bug_theta_order", "bug_rmse"])
def test_hw1_check_with_the_kit_agrees_with_the_assignment(hw1_kit, example):
    with_kit = _start(["-c", NO_REFERENCE], "check", hw1_kit, HW1 / "examples" / example)
    with_assignment = _start(["-m", "grader"], "check", "c147/hw1", HW1 / "examples" / example)
    with_kit, with_assignment = _finish(with_kit), _finish(with_assignment)
    kit_verdicts, full_verdicts = _verdicts(with_kit.stdout), _verdicts(with_assignment.stdout)
    assert len(kit_verdicts) == 5 and kit_verdicts == full_verdicts, with_kit.stdout + with_kit.stderr
    assert with_kit.returncode == (0 if example.startswith(("correct", "variant")) else 1)
    assert "internal error" not in with_kit.stdout


HW1_VALUE_TESTS = ("theta: ", "thetas: ", "training_errors: ", "testing_errors: ")
CHANGED_DATA = {   # a student who changed the data: the kit has no reference values for them
    "seed": [("linear_regression.ipynb", "np.random.seed(0)", "np.random.seed(1)")],
    "formula": [("linear_regression.ipynb", f"high={high}, size=(num_train,))\ny = x - 2*x**2 + x**3",
                 f"high={high}, size=(num_train,))\ny = x - 3*x**2 + x**3") for high in (1, 2)],
    "num_train": [("linear_regression.ipynb", "num_train = 200", "num_train = 100")],
}


@pytest.mark.parametrize("change", sorted(CHANGED_DATA))
def test_hw1_kit_on_changed_data_says_the_values_cannot_be_checked_here(hw1_kit, tmp_path, change):
    """The value tests are not checkable with the kit on other data: said as such (INFO, not a failure),
    with why; the data test fails, as it does at grading, where the values are judged on the student's
    own data (the full assignment's check passes them)."""
    sub = variant_of(tmp_path, load_assignment(HW1), change, CHANGED_DATA[change])
    with_kit = _start(["-c", NO_REFERENCE], "check", hw1_kit, sub)
    with_assignment = _start(["-m", "grader"], "check", "c147/hw1", sub)
    with_kit, with_assignment = _finish(with_kit), _finish(with_assignment)
    assert with_kit.returncode == with_assignment.returncode == 1, with_kit.stderr
    kit_verdicts, full_verdicts = _verdicts(with_kit.stdout), _verdicts(with_assignment.stdout)
    assert len(kit_verdicts) == 5, with_kit.stdout
    for name, (verdict, points) in kit_verdicts.items():
        value_test = name.startswith(HW1_VALUE_TESTS)
        assert verdict == ("INFO" if value_test else "FAIL"), with_kit.stdout
        assert full_verdicts[name][0] == ("PASS" if value_test else "FAIL"), with_assignment.stdout
        assert points.startswith("?/" if value_test else "0/"), points
    wrong = with_kit.stdout.split("What went wrong:", 1)[1].split("For information (not failures):", 1)[0]
    assert "x: the notebook's data are its own" in wrong and not any(t in wrong for t in HW1_VALUE_TESTS)
    not_checked = with_kit.stdout.split("For information (not failures):", 1)[1]
    assert not_checked.count("Cannot be checked with this kit") == 1   # said once for the four tests
    assert "the data your notebook used differ from the course's" in not_checked
    assert "When graded, this test is judged on your notebook's own data" in not_checked
    assert "internal error" not in with_kit.stdout
