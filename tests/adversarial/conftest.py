"""Fixtures of the adversarial suite: one arena per session, twins graded once, command-line runs in
a small pool so their waits overlap."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from adversarial.arena import Arena
from adversarial.attacks import ATTACKS

CLI_PARALLEL = 2


@pytest.fixture(scope="session")
def arena():
    made = Arena()
    yield made
    made.close()


@pytest.fixture(scope="session")
def twins(arena):
    """Scores of the honest-wrong twins: in-process (.py and notebook) and through the command line."""
    py = arena.place("twin", cli=False)
    nb = arena.place("twin-notebook", cli=False)
    cli = arena.place("twin", cli=True)
    return {
        "py": arena.grade_in_process(arena.write(None, py)),
        "notebook": arena.grade_in_process(arena.write(None, nb, notebook=True)),
        "cli": arena.grade_cli(arena.write(None, cli), Path(cli["RESULTS"]), Path(cli["CWD"])),
    }


@pytest.fixture(scope="session")
def cli_runs(arena, twins):
    """name -> (place, future of the Run) of every command-line attack, started once the twins are
    graded (so the twins never share the CPU with an attack)."""
    pool = ThreadPoolExecutor(CLI_PARALLEL)
    runs = {}
    for attack in (a for a in ATTACKS if a.cli):
        place = arena.place(attack.name, cli=True)
        submission = arena.write(attack, place)
        runs[attack.name] = (place, pool.submit(arena.grade_cli, submission, Path(place["RESULTS"]),
                                                 Path(place["CWD"])))
    yield runs
    pool.shutdown(wait=True, cancel_futures=True)
