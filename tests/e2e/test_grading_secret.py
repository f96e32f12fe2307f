"""Grading inputs cannot be known before a submission is graded (grader.secret): they are seeded by the
grading secret and the digest of every file of the submission, so answers harvested from an earlier
grading's feedback and shipped in a data file are answers to other inputs."""

import json
import os
import stat
import subprocess
import sys
import zipfile

import numpy as np

from grader.runner import grade
from grader.secret import grading_secret, tree_digest

from helpers import MINI, ROOT, write_submission

# Computes nothing; returns stored answers when a data file beside it holds them (the code never changes).
HARVESTER = '''import json, os
import numpy as np

def _answers():
    for folder in (os.path.dirname(os.path.abspath(__file__)), os.getcwd()):
        path = os.path.join(folder, "answers.json")
        if os.path.exists(path):
            with open(path) as handle:
                return json.load(handle)
    return None

def affine_forward(x, w, b):
    return np.zeros((x.shape[0], w.shape[1])), None

def relu_forward(x):
    answers = _answers()
    if answers is not None:
        return np.array(answers, dtype=np.float32), None
    print("INPUT", json.dumps(x.tolist()))
    return np.zeros_like(x), None
'''


def _inputs(result):
    return [json.loads(line.split(" ", 1)[1]) for line in result.student_output.splitlines() if line.startswith("INPUT")]


def _relu(result):
    return next(o for o in result.outcomes if o.name.startswith("relu_forward: output"))


def test_harvested_answers_in_a_data_file_do_not_pass(mini, tmp_path):
    honest = write_submission(tmp_path / "honest", {"layers.py": HARVESTER})
    first, again = grade(mini, honest), grade(mini, honest)
    inputs = _inputs(first)
    assert inputs and inputs == _inputs(again)  # the same submission gets the same inputs: harvestable
    answers = np.maximum(np.array(inputs[0]), 0)  # what the feedback's "expected" of that grading reveals
    attack = write_submission(tmp_path / "attack", {"layers.py": HARVESTER, "answers.json": json.dumps(answers.tolist())})
    result = grade(mini, attack)
    assert not _relu(result).passed
    assert result.score <= first.score


def test_any_file_and_the_secret_change_the_inputs(mini, tmp_path, monkeypatch):
    code = HARVESTER.replace("answers.json", "no-such-file")
    base = write_submission(tmp_path / "base", {"layers.py": code})
    notebook = {"cells": [], "metadata": {"note": "a"}, "nbformat": 4, "nbformat_minor": 5}
    with_data = write_submission(tmp_path / "data", {"layers.py": code, "extra.ipynb": json.dumps(notebook)})
    notebook["metadata"]["note"] = "b"  # metadata only
    with_other = write_submission(tmp_path / "meta", {"layers.py": code, "extra.ipynb": json.dumps(notebook)})
    seen = [_inputs(grade(mini, sub))[0] for sub in (base, with_data, with_other)]
    assert seen[0] != seen[1] != seen[2] != seen[0]
    monkeypatch.setenv("GRADER_SECRET", "another secret")
    assert _inputs(grade(mini, base))[0] != seen[0]


def test_tree_digest_covers_paths_bytes_and_links(tmp_path):
    folder = write_submission(tmp_path / "s", {"a.py": "x = 1\n", "data/b.txt": "b"})
    first = tree_digest(folder)
    (folder / "data" / "b.txt").write_text("c")
    second = tree_digest(folder)
    (folder / "data" / "b.txt").rename(folder / "data" / "c.txt")
    third = tree_digest(folder)
    (folder / "link").symlink_to("a.py")
    assert len({first, second, third, tree_digest(folder)}) == 4


def test_the_secret_is_made_once_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADER_SECRET", raising=False)
    monkeypatch.delenv("GRADER_SECRET_FILE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    secret = grading_secret()
    path = tmp_path / "dl-grader" / "secret"
    assert len(secret) == 64 and path.read_text().strip() == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert grading_secret() == secret


def _cli(args, cwd, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_SECRET")}
    environment.update(PYTHONPATH=str(ROOT), **env)
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=300)


def test_a_missing_secret_file_is_one_line_and_exit_2(tmp_path):
    proc = _cli(["grade", MINI, MINI / "examples" / "correct", "--results", tmp_path / "r.json"], tmp_path,
                GRADER_SECRET_FILE=str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and not (tmp_path / "r.json").exists()
    assert proc.stderr.count("\n") == 1 and "nowhere" in proc.stderr and "grading secret" in proc.stderr


def test_the_autograder_zip_carries_the_secret_and_the_kit_does_not(tmp_path):
    config = tmp_path / "config"
    assert _cli(["autograder", MINI, "-o", tmp_path / "a.zip"], tmp_path, XDG_CONFIG_HOME=str(config)).returncode == 0
    assert _cli(["autograder", MINI, "-o", tmp_path / "b.zip"], tmp_path, XDG_CONFIG_HOME=str(config)).returncode == 0
    secret = (config / "dl-grader" / "secret").read_text().strip()
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert archive.read("grading.secret").decode().strip() == secret
        assert "GRADER_SECRET_FILE" in archive.read("run_autograder").decode()
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()  # the same build twice
    kit = _cli(["student-kit", MINI, "-o", tmp_path / "kit"], tmp_path, XDG_CONFIG_HOME=str(config))
    assert kit.returncode == 0, kit.stderr
    for path in (tmp_path / "kit").rglob("*"):
        assert not path.is_file() or secret.encode() not in path.read_bytes(), path


def test_the_digest_never_opens_a_pipe(tmp_path):
    import os
    folder = write_submission(tmp_path / "s", {"a.py": "x = 1\n"})
    os.mkfifo(folder / "layers.py")  # opening it for reading would wait for a writer forever
    first = tree_digest(folder)
    assert first == tree_digest(folder) and len(first) == 64
