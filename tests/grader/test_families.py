"""Family bindings (grader/families.py) and suites (grader/suites): every family declares what the suites
its assignments import use; the ``family`` fixture follows assignment.toml, an unknown family and an
unbound one are the instructor's errors, an assignment's own binding works; ``adapt`` gives per-assignment
points and parameters; a public test cannot import a hidden suite."""

import ast
import importlib.util
import inspect
import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from grader.assignment import AssignmentError, bundled_names, load_assignment
from grader.families import FAMILIES, Family
from grader.runner import collect
from grader.suites import conv

from helpers import ROOT

MINI = ROOT / "tests" / "fixtures" / "mini"


def undeclared(binding, name, seen=()):
    """The attributes the form ``name`` of ``binding`` needs that the binding lacks: ``name`` itself, or
    what its method reads from ``self`` (transitively)."""
    if name in ("student", "sandbox") or name in seen:
        return []
    if not hasattr(binding, name):
        return [name]
    value = getattr(binding, name)
    if not callable(value):
        return []
    tree = ast.parse(textwrap.dedent(inspect.getsource(value)))
    reads = sorted({node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name) and node.value.id == "self"})
    return [missing for read in reads for missing in undeclared(binding, read, seen + (name,))]


def suite_tests(assignment):
    """The suite test functions the assignment's test modules import: {module file name: [functions]}."""
    found = {}
    for path in assignment.test_files():
        spec = importlib.util.spec_from_file_location(f"_families_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found[path.name] = [inspect.unwrap(value) for key, value in vars(module).items()
                            if key.startswith("test_") and getattr(inspect.unwrap(value), "__module__", "")
                            .startswith("grader.suites.")]
    return found


def family_forms(test):
    """The ``family.<form>`` names a test function uses."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(test)))
    return {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name) and node.value.id == "family"}


@pytest.mark.parametrize("name", bundled_names())
def test_the_family_declares_every_form_the_imported_suites_use(name):
    assignment = load_assignment(name)
    binding = FAMILIES[assignment.family]
    for module, tests in suite_tests(assignment).items():
        for test in tests:
            missing = sorted({m for form in family_forms(test) for m in undeclared(binding, form)})
            assert not missing, f"{name} {module}::{test.__name__}: {binding.__name__} lacks {missing}"


def test_the_suites_are_used_and_their_forms_found():
    used = {name: suite_tests(load_assignment(name)) for name in bundled_names()}
    assert sum(len(tests) for modules in used.values() for tests in modules.values()) >= 60
    forms = {form for modules in used.values() for tests in modules.values() for t in tests for form in family_forms(t)}
    assert {"conv_net", "two_layer_net", "state_keys", "two_layer_reg_scale"} <= forms


def test_a_binding_missing_a_fact_or_a_form_is_named():
    class Partial(Family):
        name = "partial"
        knn_class = "KNN"

    assert undeclared(Partial, "state_keys") == ["optim_keys"]
    assert undeclared(Partial, "two_layer_net") == ["two_layer_transposed"]
    assert undeclared(Partial, "fc_net") == ["fc_net"]
    assert undeclared(Partial, "knn_labels") == []


def _mini(tmp_path, family=None, tests=None):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    if family is not None:
        toml = folder / "assignment.toml"
        toml.write_text(toml.read_text().replace('family = "own"', f'family = "{family}"'))
    for rel, text in (tests or {}).items():
        (folder / "tests" / rel).write_text(text)
    return folder


def test_an_unknown_family_is_one_line_naming_assignment_toml(tmp_path):
    folder = _mini(tmp_path, family="ece999")
    with pytest.raises(AssignmentError) as exc:
        load_assignment(folder)
    message = str(exc.value)
    assert "\n" not in message and str(folder / "assignment.toml") in message and '"ece999"' in message


def test_the_family_fixture_follows_assignment_toml(tmp_path):
    folder = _mini(tmp_path, family="cs231n")
    assert load_assignment(folder).family == "cs231n" and load_assignment(MINI).family == "own"


OWN_TEST = '''from grader.checks.compare import assert_close


def test_relu_own(family, golden, rng):
    """relu_forward: through the assignment's own binding"""
    x = rng.standard_normal((4, 3))
    expected = golden("out", lambda ref: ref.relu_forward(x)[0])
    out, _ = family.relu()(x)
    assert_close(out, expected, name="out")
'''
OWN_BINDING = '''import pytest

from grader.families import Family


class Mini(Family):
    name = "mini"

    def relu(self):
        return self.student.relu_forward


@pytest.fixture
def family(student, sandbox):
    return Mini(student, sandbox)
'''


def test_the_family_fixture_of_an_own_family_fails_at_collection(tmp_path):
    folder = _mini(tmp_path, tests={"test_own.py": OWN_TEST})
    with pytest.raises(AssignmentError) as exc:
        collect(load_assignment(folder))
    assert "test_own.py::test_relu_own" in str(exc.value) and "'family' fixture" in str(exc.value)
    assert str(folder / "assignment.toml") in str(exc.value)


def test_an_own_family_binds_its_api_in_its_conftest(tmp_path):
    """Through the CLI in its own process (the conftest.py of this test suite would shadow the assignment's
    in this one: both are the module tests.conftest)."""
    folder = _mini(tmp_path, tests={"test_own.py": OWN_TEST, "conftest.py": OWN_BINDING})
    scores = {}
    for example in ("correct", "wrong"):
        out = tmp_path / f"{example}.json"
        proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(folder), str(folder / "examples" / example),
                               "--results", str(out)], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        scores[example] = {t["name"]: t["score"] for t in json.loads(out.read_text())["tests"]}
    assert scores["correct"]["relu_forward: through the assignment's own binding"] == 1.0
    assert sum(scores["wrong"].values()) < sum(scores["correct"].values())


def test_adapt_gives_points_and_parameters_and_leaves_the_suite_alone(tmp_path):
    folder = tmp_path / "a2"
    shutil.copytree(ROOT / "assignments" / "cs231n" / "a2", folder, ignore=shutil.ignore_patterns("examples"))
    for test in (folder / "tests").glob("test_*.py"):
        test.unlink()
    (folder / "tests" / "test_adapted.py").write_text(
        "from grader.suites import adapt, conv, optim\n\n"
        "test_conv_forward = adapt(conv.test_conv_forward, points=5)\n"
        "test_steps = adapt(optim.test_steps, points=3, rule=['sgd', 'adam'])\n")
    tests = collect(load_assignment(folder))
    assert [(name.split(":")[0], points) for name, points, _ in tests] == [
        ("conv_forward_naive", 5.0), ("sgd", 3.0), ("adam", 3.0)]
    assert [mark.args for mark in conv.test_conv_forward.pytestmark] == [(2,)]


def test_a_public_test_importing_a_hidden_suite_fails_at_collection(tmp_path):
    folder = _mini(tmp_path, tests={"test_more.py": "from grader.suites.hidden_conv import test_conv_backward_gradient\n"})
    with pytest.raises(AssignmentError) as exc:
        collect(load_assignment(folder))
    assert "test_more.py: imports the hidden helper grader.suites.hidden_conv" in str(exc.value)
