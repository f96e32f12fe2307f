"""A batch counts one mistake under one name: a regularization without ½ in the fully connected net and in
the conv net (which once named it "regularization reg * Σ‖W‖² (the net uses …)" and "regularization without ½
(the model uses …)") is one cause, in the printed summary and in report.html.

A real batch of two submissions of cs231n/a2 (``grader grade ... --out``, two processes): the correct
example with the ½ left out of the FC net's loss, and with the ½ left out of the conv net's loss.
"""

import json
import os
import re
import shutil
import subprocess
import sys

from grader.assignment import load_assignment

from helpers import ROOT

NAME = "regularization without the factor ½"
EDITS = {"fc_no_half": ("cs231n/classifiers/fc_net.py", "loss += 0.5 * self.reg * np.sum(", "loss += self.reg * np.sum("),
         "cnn_no_half": ("cs231n/classifiers/cnn.py", "loss += 0.5 * self.reg * (", "loss += self.reg * (")}


def _submission(tmp_path, label):
    folder = tmp_path / "in" / label
    shutil.copytree(load_assignment("cs231n/a2").examples()["correct"], folder)
    file, old, new = EDITS[label]
    source = (folder / file).read_text()
    assert source.count(old) == 1
    (folder / file).write_text(source.replace(old, new))
    return folder


def test_the_two_former_phrases_of_regularization_without_half_are_one_cause(tmp_path):
    inputs = [_submission(tmp_path, label) for label in EDITS]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run([sys.executable, "-m", "grader", "grade", "cs231n/a2", *map(str, inputs),
                           "--out", str(tmp_path / "out"), "--jobs", "2"],
                          env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr

    named = {}   # submission -> the failed tests naming the misconception
    for label in EDITS:
        record = json.loads((tmp_path / "out" / label / "outcomes.json").read_text())
        failed = [o for o in record["outcomes"] if o["kind"] not in ("passed", "info")]
        named[label] = [o for o in failed if o["misconceptions"] == ["reg-without-half"]]
        assert named[label], (label, failed)
        assert not [o for o in failed if o["misconceptions"] and o not in named[label]], failed
        results = json.loads((tmp_path / "out" / label / "results.json").read_text())
        assert sum(t.get("extra_data", {}).get("misconceptions") == ["reg-without-half"]
                   for t in results["tests"]) == len(named[label])
    fc_tests = {o["name"] for o in named["fc_no_half"]}
    cnn_tests = {o["name"] for o in named["cnn_no_half"]}
    assert all("FullyConnectedNet" in t for t in fc_tests) and all("ThreeLayerConvNet" in t for t in cnn_tests)
    count = len(fc_tests) + len(cnn_tests)

    causes = done.stdout.split("Most frequent causes:")[1].split("\n\n")[0]
    assert re.search(rf"^\s+{count}\s+{NAME}$", causes, re.M), causes
    assert causes.count("½") == 1 and "Σ" not in causes, causes
    html = (tmp_path / "out" / "report.html").read_text()
    listed = re.search(r'<ol id="causes">(.*?)</ol>', html).group(1)
    assert f"<li>{count} × {NAME}</li>" in listed and listed.count("½") == 1, listed
