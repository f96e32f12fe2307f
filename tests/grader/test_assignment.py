"""Loading assignment folders: every instructor mistake is one line naming the file and the problem."""

import pytest

from grader.assignment import AssignmentError, load_assignment
from grader.golden import GoldenStore, decode, encode

import numpy as np


def _write(folder, toml, tests=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assignment.toml").write_text(toml)
    if tests is not None:
        (folder / "tests").mkdir()
        for name, text in tests.items():
            (folder / "tests" / name).write_text(text)
    return folder


GOOD = 'title = "T"\nseed = 3\n[names]\nf = "pkg/mod.py"\nC = "pkg/mod.py"\ntheta = { notebook = "nb.ipynb" }\n'


def test_a_good_folder_loads(tmp_path):
    a = load_assignment(_write(tmp_path / "a", GOOD, {"test_a.py": "", "test_hidden_a.py": ""}))
    assert a.title == "T" and a.seed == 3
    assert a.names["f"].kind == "function" and a.names["C"].kind == "class"
    assert a.names["theta"].kind == "variable" and a.names["theta"].notebook == "nb.ipynb"
    assert a.names["theta"].aliases == () and load_assignment("c147/hw1").names["testing_errors"].aliases == \
        ("validation_errors",)
    assert [p.name for p in a.test_files()] == ["test_a.py", "test_hidden_a.py"]
    assert [p.name for p in a.test_files(public_only=True)] == ["test_a.py"]


@pytest.mark.parametrize("toml, tests, message", [
    ('title = "T"\n', {"test_a.py": ""}, "a [names] table"),
    ('title = 3\n[names]\nf = "m.py"\n', {"test_a.py": ""}, "'title' must be a str"),
    ('[names]\nf = 3\n', {"test_a.py": ""}, "[names] f must be"),
    ('[limits]\nspeed = 3\n[names]\nf = "m.py"\n', {"test_a.py": ""}, "unknown key(s) in [limits]: speed"),
    ('[limits]\ncall_seconds = -1\n[names]\nf = "m.py"\n', {"test_a.py": ""}, "must be a positive number"),
    ('title = "T\n', {"test_a.py": ""}, "invalid TOML"),
    ('[names]\nf = "m.py"\n', None, "no tests/ folder"),
    ('[names]\nf = "m.py"\n', {"test_a.py": "def broken(:\n"}, "test_a.py: line 1"),
    ('[names]\nv = { notebook = "n.ipynb", aliases = "w" }\n', {"test_a.py": ""}, "v: aliases must be a list"),
    ('[names]\nv = { notebook = "n.ipynb", aliases = ["v"] }\n', {"test_a.py": ""}, "v: aliases must be a list"),
    ('[names]\nv = { notebook = "n.ipynb", aliases = ["w"] }\nw = { notebook = "n.ipynb" }\n', {"test_a.py": ""},
     "v: alias 'w' is itself a graded name"),
    ('[names]\nv = { notebook = "n.ipynb", alias = ["w"] }\n', {"test_a.py": ""}, "v: unknown key(s) alias"),
])
def test_broken_folders_give_one_line_errors(tmp_path, toml, tests, message):
    folder = _write(tmp_path / "a", toml, tests)
    with pytest.raises(AssignmentError) as info:
        load_assignment(folder)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_assignment_names_the_bundled_ones():
    with pytest.raises(AssignmentError, match="unknown assignment 'c999/hw9'"):
        load_assignment("c999/hw9")


def test_golden_values_round_trip_exactly(tmp_path):
    value = {"loss": 0.1 + 0.2, "grads": (np.arange(6.0).reshape(2, 3) / 7, np.array([1, 2], dtype=np.int64)),
             3: [None, True, "s", float("inf")]}
    store = GoldenStore("record")
    store.values["t::x"] = {"k": value}
    store.save(tmp_path / "golden.json")
    back = GoldenStore.load(tmp_path / "golden.json").getter("t::x")("k", None)
    assert back["loss"] == value["loss"]
    np.testing.assert_array_equal(back["grads"][0], value["grads"][0])
    assert back["grads"][1].dtype == np.int64 and isinstance(back["grads"], tuple)
    assert back[3] == [None, True, "s", float("inf")]
    assert decode(encode(np.float32(1.5))) == 1.5
