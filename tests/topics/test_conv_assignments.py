"""End to end: every example submission of c147/hw5 and cs231n/a3 gets exactly the verdicts of its
``examples/expected.toml``, through the real runner and sandbox (one process per assignment, as
``grader grade`` does). cs231n/a2's examples, conv part included, are run by test_fc_net_assignments.py."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

GRADE_EXAMPLES = """
import json, sys
from grader.assignment import load_assignment
from grader.runner import grade_many
assignment = load_assignment(sys.argv[1])
expected = assignment.expected_failures()
results = grade_many(assignment, [assignment.examples_dir / name for name in expected])
print(json.dumps({"expected": expected, "failing": {n: r.failing() for n, r in zip(expected, results)},
                  "scores": {n: [r.score, r.max_score] for n, r in zip(expected, results)}}))
"""

NAMES = ["c147/hw5", "cs231n/a3"]


@pytest.fixture(scope="module")
def graded():
    """The assignments graded concurrently: name -> (return code, stdout, stderr)."""
    processes = {name: subprocess.Popen([sys.executable, "-c", GRADE_EXAMPLES, str(ROOT / "assignments" / name)],
                                        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for name in NAMES}
    results = {}
    for name, process in processes.items():
        out, err = process.communicate(timeout=500)
        results[name] = (process.returncode, out, err)
    return results


@pytest.mark.parametrize("name", NAMES)
def test_examples_get_their_expected_verdicts(graded, name):
    code, out, err = graded[name]
    assert code == 0, err[-3000:]
    report = json.loads(out.strip().splitlines()[-1])
    expected, failing, scores = report["expected"], report["failing"], report["scores"]
    assert "correct" in expected and sum(e.startswith("bug_") for e in expected) >= 4
    assert sum(e.startswith("variant_") for e in expected) >= 2
    for example in expected:
        assert sorted(failing[example]) == sorted(expected[example]), example
        full_marks = scores[example][0] == scores[example][1]
        assert full_marks == (not expected[example]), example
