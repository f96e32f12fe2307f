"""Every bundled assignment collects the tests it collected before its tests were written as suites
(grader/suites) with family bindings (grader/families.py): the same ids (which seed the inputs and key
the golden values), report names, points and visibility, in the same order.

collected_tests.json is the record; after a deliberate change to an assignment's tests, rewrite it with
``PYTHONPATH=. python3 tests/grader/test_collected_tests.py`` and review its diff."""

import json
import sys
from pathlib import Path

import pytest

from grader.assignment import bundled_names, load_assignment
from grader.runner import run_session

RECORD = Path(__file__).with_name("collected_tests.json")


def collected(name):
    """[test id, report name, points, hidden] of each test of the bundled assignment ``name``, in order."""
    holder = []
    run_session(load_assignment(name), [], lambda result: None, plugin_holder=holder, needs_secret=False)
    plugin = holder[0]
    return [[test_id, *test] for test_id, test in zip(plugin.test_ids, plugin.collected)]


def test_the_record_covers_every_bundled_assignment():
    assert sorted(json.loads(RECORD.read_text())) == bundled_names()


@pytest.mark.parametrize("name", bundled_names())
def test_ids_names_points_and_visibility_are_as_recorded(name):
    assert collected(name) == json.loads(RECORD.read_text())[name]


if __name__ == "__main__":
    RECORD.write_text(json.dumps({name: collected(name) for name in bundled_names()}, indent=1,
                                 ensure_ascii=False) + "\n")
    sys.exit(0)
