"""Limits hold: per-call and per-submission time, memory, processes, file size, disk, output."""
import os

import pytest

from grader.sandbox import Limits, fetch
from grader.sandbox.errors import BudgetExhausted, StudentException, StudentTimeout

SOURCE = '''
import os, resource, sys, time
import numpy as np
def spin():
    while True:
        pass
def nap(seconds):
    time.sleep(seconds)
    return seconds
def big():
    return np.ones(10**8)
def leak():
    hog = []
    try:
        while True:
            hog.append(bytearray(10**7))
    except MemoryError:
        n = len(hog)
        hog.clear()
        return n * 10**7
def forks():
    n = 0
    try:
        while True:
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
            n += 1
    except OSError:
        return n
def one_big_file():
    with open("big.bin", "wb") as fh:
        for _ in range(64):
            fh.write(b"x" * 2**20)
def many_files():
    written = 0
    try:
        for i in range(10**5):
            with open(f"f{i}.bin", "wb") as fh:
                for _ in range(15):
                    fh.write(b"x" * 2**20)
                    written += 2**20
    except OSError:
        return written
def flood():
    for _ in range(2000):
        print("A" * 10000)
    return 1
def limits():
    names = ["RLIMIT_CORE", "RLIMIT_NOFILE", "RLIMIT_FSIZE", "RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_NPROC"]
    return {n: resource.getrlimit(getattr(resource, n))[0] for n in names}
def environment():
    return dict(os.environ), os.getcwd(), sorted(os.listdir(".")), sys.path, os.getsid(0) == os.getpid()
'''
LIMITS = Limits(call_seconds=1, submission_seconds=60, memory_mb=400, processes=16, file_mb=8, tmpfs_mb=32)


@pytest.fixture
def sb(make):
    return make(SOURCE, limits=LIMITS, files={"data/notes.txt": "kept"})


def test_a_busy_loop_times_out_and_a_longer_limit_can_be_granted(sb):
    with pytest.raises(StudentTimeout):
        sb.root.spin()
    with sb.timeout(5):
        assert sb.root.nap(1.2) == 1.2


def test_the_submission_budget_is_enforced(make):
    sb = make(SOURCE, limits=Limits(call_seconds=1, submission_seconds=1.5))
    with pytest.raises(StudentTimeout):
        sb.root.spin()
    with pytest.raises(BudgetExhausted):  # under a second of the budget is left: less than a call's limit
        sb.root.nap(5)
    with pytest.raises(BudgetExhausted, match="could not run"):
        sb.root.nap(0)


NET = '''
class Net:
    def loss(self):
        while True:
            pass
    def ok(self):
        return 1
'''


def test_a_name_that_timed_out_is_refused_at_once_and_others_still_run(make):
    sb = make(SOURCE + NET, limits=Limits(call_seconds=1, submission_seconds=60))
    with pytest.raises(StudentTimeout, match=r"^spin did not finish within 1 s \(timed out\)"):
        sb.root.spin()
    assert sb.worker_pid is None  # killed
    with pytest.raises(StudentTimeout) as refused:
        sb.root.spin()
    assert str(refused.value) == ("spin did not finish within 1 s in an earlier test; it was not called "
                                  "again (timed out)")
    assert refused.value.earlier and sb.worker_pid is None  # refused without starting a worker
    assert sb.root.nap(0) == 0  # another graded name is not blocked
    with pytest.raises(StudentTimeout, match="^Net.loss did not finish"):
        sb.root.Net().loss()
    net = sb.root.Net()  # the class itself and its other methods still run
    assert net.ok() == 1
    with pytest.raises(StudentTimeout, match="^Net.loss did not finish within 1 s in an earlier test"):
        net.loss()
    assert sb.worker_pid is not None  # that refusal did not kill the worker either


def test_a_file_whose_top_level_code_hangs_is_loaded_once(make):
    hang = "import time\ndef f():\n    return 1\ndef g():\n    return 2\nwhile True:\n    time.sleep(0.05)\n"
    ok = "def h():\n    return 3\n"
    plan = {"modules": {"hang": {"file": "hang.py", "source": hang, "package": False},
                        "ok": {"file": "ok.py", "source": ok, "package": False}},
            "names": {"f": {"module": "hang"}, "g": {"module": "hang"}, "h": {"module": "ok"}}}
    sb = make("", plan=plan, files={"hang.py": hang, "ok.py": ok},
              limits=Limits(call_seconds=1, submission_seconds=60))
    with pytest.raises(StudentTimeout, match=r"^loading hang.py did not finish within 1 s \(code at the top"):
        sb.root.f()
    with pytest.raises(StudentTimeout, match=r"^loading hang.py did not finish within 1 s in an earlier test"):
        sb.root.g()  # another name of the same file: refused without waiting
    assert sb.worker_pid is None
    assert sb.root.h() == 3


def test_a_hanging_function_does_not_block_the_other_names_of_its_file(make):
    sb = make(SOURCE, limits=Limits(call_seconds=1, submission_seconds=60))
    with pytest.raises(StudentTimeout, match="^spin did not finish within 1 s"):
        sb.root.spin()
    assert sb.root.nap(0) == 0


def test_memory_is_limited(sb):
    with pytest.raises(StudentException, match="MemoryError"):
        sb.root.big()
    with sb.timeout(20):
        assert sb.root.leak() <= 400 * 2**20


def test_processes_are_limited_and_reaped(sb, leaked):
    if os.geteuid() != 0:
        pytest.skip("RLIMIT_NPROC is set only for a separate sandbox uid")
    with sb.timeout(20):
        assert sb.root.forks() <= 16
    sb.close()
    assert not leaked()


def test_files_and_disk_are_limited(sb):
    with pytest.raises(StudentException, match="File too large"):
        sb.root.one_big_file()
    with sb.timeout(20):
        written = sb.root.many_files()
    limit = (32 if os.geteuid() == 0 else 10**6) * 2**20
    assert written <= limit


def test_large_submission_files_fit_in_the_private_tmp(make):
    sb = make("import os\ndef size():\n    return os.path.getsize('data/big.bin')\n",
              limits=Limits(tmpfs_mb=8), files={"data/big.bin": "x" * (40 * 2**20)})
    assert sb.root.size() == 40 * 2**20


def test_output_is_capped(sb):
    with sb.timeout(20):
        assert sb.root.flood() == 1
    notes = sb.notes()
    assert sum(map(len, notes)) < 40_000 and "truncated" in notes[-1]


def test_rlimits_environment_and_cwd(sb):
    limits = sb.root.limits()
    assert limits["RLIMIT_CORE"] == 0 and limits["RLIMIT_NOFILE"] == 64
    assert limits["RLIMIT_FSIZE"] == 8 * 2**20 and limits["RLIMIT_AS"] == 400 * 2**20
    assert limits["RLIMIT_CPU"] == LIMITS.cpu_seconds
    if os.geteuid() == 0:
        assert limits["RLIMIT_NPROC"] == 16
    env, cwd, listing, path, session_leader = sb.root.environment()
    assert env["OPENBLAS_NUM_THREADS"] == "1" and "PYTHONPATH" not in env and env["HOME"] == cwd
    assert set(env) <= {"PATH", "LANG", "MPLBACKEND", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                        "MKL_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "HOME", "PWD"}
    assert listing == ["data", "sub.py"] and cwd not in path and "" not in path
    assert session_leader


def test_a_notebook_variable_that_timed_out_is_not_fetched_again(make):
    plan = {"modules": {}, "names": {"x": {"notebook": 0}, "y": {"notebook": 0}},
            "notebooks": [{"file": "hw.ipynb", "capture": {"x": 0, "y": 2},
                           "cells": ["x = 1", "while True:\n    pass", "y = 2"]}]}
    sb = make("", plan=plan, limits=Limits(call_seconds=1, submission_seconds=60))
    with pytest.raises(StudentTimeout, match=r"^y did not finish within 1 s \(timed out\)"):
        fetch(sb.root.y)
    with pytest.raises(StudentTimeout, match="in an earlier test; it was not called again"):
        fetch(sb.root.y)
    assert sb.worker_pid is None and fetch(sb.root.x) == 1
