"""The suite's own instruments work: run without a sandbox, the attacks do reach what the sandbox
must keep from them, and the leftover-process detector sees a marked process. (So a green
test_attacks.py means "defended", not "the attack or the detector was broken".)"""

import subprocess
import sys

from adversarial.arena import running_submission
from adversarial.attacks import ATTACKS

CALL = ("import numpy as np, layers\n"
        "x, w, b = np.ones((3, 2, 2)), np.ones((4, 5)), np.ones(5)\n"
        "SECRET = {canary!r}\n"
        "print('RESULT', float(np.asarray(layers.affine_forward(x, w, b)[0]).ravel()[0]))\n")


def run_unsandboxed(arena, name, canary=""):
    """Call the attack's affine_forward in a plain process of ours (no sandbox): its output."""
    attack = next(a for a in ATTACKS if a.name == name)
    place = arena.place(name + "-unsandboxed", cli=True)
    folder = arena.write(attack, place)
    proc = subprocess.run([sys.executable, "-c", CALL.format(canary=canary)], cwd=folder,
                          capture_output=True, text=True, timeout=60)
    return proc.stdout + proc.stderr


def test_unsandboxed_the_secret_reader_finds_the_canaries_and_the_answer_key(arena):
    out = run_unsandboxed(arena, "read_secrets")
    assert arena.canaries["helper"] in out and arena.canaries["hidden"] in out
    assert "RESULT 5.0" in out  # the right answer (the honest-wrong code gives 10): it used the answer key


def test_unsandboxed_the_frame_walker_finds_a_canary_of_its_caller(arena):
    out = run_unsandboxed(arena, "frame_and_gc_walk", canary=arena.canaries["hidden"])
    assert "secrets: " in out and arena.canaries["hidden"] in out


def test_unsandboxed_the_network_attack_reaches_the_listener(arena):
    before = arena.listener.connections
    out = run_unsandboxed(arena, "network_exfiltration")
    assert "CONNECTED" in out and arena.listener.connections > before
    arena.listener.connections, arena.listener.received[:] = before, b""  # the sandboxed case expects none


def test_the_leftover_detector_sees_a_process_of_a_marked_submission(arena, tmp_path):
    (tmp_path / "advmark-probe.txt").write_text("marker\n")
    proc = subprocess.Popen(["sleep", "60"], cwd=tmp_path)
    try:
        assert running_submission("advmark-probe") == [proc.pid]
    finally:
        proc.kill()
        proc.wait()
    assert running_submission("advmark-probe") == []
