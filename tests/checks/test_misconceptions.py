"""The misconception registry: one text per id, every id the grader and the bundled examples name exists."""
import importlib
import pickle
import pkgutil
import re
import tomllib
from pathlib import Path

import pytest

import grader
from grader.checks import misconceptions
from grader.checks.misconceptions import cause, either, ids_of, register, registered

ROOT = Path(__file__).resolve().parents[2]
NAMED = re.compile(r"""\b(cause|register)\(\s*(["'])([^"']+)\2""")


def _import_every_module():
    """Import every grader.checks and grader.topics module: each registers its misconceptions."""
    for package in ("grader.checks", "grader.topics"):
        for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
            importlib.import_module(f"{package}.{module.name}")


def _named_in_grader():
    """(file, line, 'cause' or 'register', id) of every literal id in grader/."""
    found = []
    for path in sorted(Path(grader.__file__).parent.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            found += [(path.name, number, m.group(1), m.group(3)) for m in NAMED.finditer(line)]
    return found


def test_an_id_registered_twice_with_other_text_is_an_error():
    register("test-registry-twice", "the same words")
    register("test-registry-twice", "the same words")  # the same text again: a module imported twice
    with pytest.raises(ValueError, match="registered twice"):
        register("test-registry-twice", "other words")
    with pytest.raises(ValueError, match="registered twice"):
        register("test-registry-twice", "the same words", "the same words ({detail})")
    assert registered()["test-registry-twice"].name == "the same words"


def test_ids_are_lowercase_words_joined_by_hyphens():
    for bad in ("Reg-Half", "reg_half", "reg half", "-reg", ""):
        with pytest.raises(ValueError):
            register(bad, "a name")


def test_a_cause_is_its_text_carrying_its_id():
    register("test-registry-template", "off by some rows", "off by {rows} rows")
    assert cause("test-registry-template") == "off by some rows"
    detailed = cause("test-registry-template", rows=2)
    assert detailed == "off by 2 rows" and ids_of(detailed) == ["test-registry-template"]
    assert pickle.loads(pickle.dumps(detailed)).ids == ("test-registry-template",)
    with pytest.raises(KeyError, match="unknown misconception"):
        cause("test-registry-never-registered")
    both = either([cause("sign"), cause("transposed")])
    assert both == "sign flipped, or transposed" and ids_of(both) == ["sign", "transposed"]
    assert either([]) is None and ids_of("an assignment's own phrase") == []


def test_every_id_named_in_grader_is_registered_once():
    _import_every_module()
    known = registered()
    named = _named_in_grader()
    assert len(named) > 100
    unknown = [f"{f}:{n}: {id}" for f, n, kind, id in named if kind == "cause" and id not in known]
    assert not unknown, unknown
    places = {}
    for f, n, kind, id in named:
        if kind == "register":
            places.setdefault(id, []).append(f"{f}:{n}")
    assert not {id: where for id, where in places.items() if len(where) > 1}  # one place, so no drift
    unused = set(places) - {id for _, _, kind, id in named if kind == "cause"} - {"lstm-gate-order",
              "rnn-bias-missing", "tanh-at-preactivation", "rnn-no-recurrent-grad", "tanh-c-from-h",
              "embedding-overwrite"}  # rnn's golden alternatives are keyed by id (replayed from JSON)
    assert not unused, unused


def test_a_topic_module_names_only_the_shared_misconceptions_and_its_own():
    """So that moving a check between topic modules cannot leave it naming an id that only a module it
    no longer imports registers (a KeyError at grading time)."""
    named = _named_in_grader()
    home = {id: f for f, _, kind, id in named if kind == "register"}
    stray = [f"{f}:{n}: {id} (registered in {home.get(id)})" for f, n, kind, id in named
             if kind == "cause" and home.get(id) not in ("misconceptions.py", f)]
    assert not stray, stray


def test_rnn_golden_alternatives_are_keyed_by_registered_ids():
    _import_every_module()
    source = (Path(grader.__file__).parent / "topics" / "rnn.py").read_text()
    keys = re.findall(r"""return \{\s*"([a-z0-9-]+)":""", source)
    assert len(keys) >= 6 and set(keys) <= set(registered()), keys


def test_every_diagnosis_of_a_bundled_example_is_a_registered_id():
    _import_every_module()
    files = sorted((ROOT / "assignments").glob("*/*/examples/expected.toml"))
    assert len(files) >= 8
    unknown = []
    for file in files:
        for example, entry in tomllib.loads(file.read_text()).items():
            unknown += [f"{file.parent.parent.name}/{example}: {d}" for d in entry.get("diagnosis", [])
                        if d not in registered()]
    assert not unknown, unknown


def test_the_drifted_regularization_phrases_are_one_misconception():
    """fc_net and cnn named the regularization without ½ in two ways; both now name one id."""
    _import_every_module()
    for module in ("fc_net", "cnn", "two_layer_net"):
        source = (Path(grader.__file__).parent / "topics" / f"{module}.py").read_text()
        assert 'cause("reg-without-half"' in source, module
        assert "regularization reg * Σ‖W‖²" not in source and "regularization without ½" not in source
    assert misconceptions.name_of("reg-without-half") == "regularization without the factor ½"
