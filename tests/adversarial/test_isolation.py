"""Isolation between a worker and everything else (issue 13): System V IPC, keyrings, user namespaces,
the grader's memory, a detached helper rewriting results.json, other submissions of a batch.

Every attack is the honest-wrong submission (1 of 4 points) that switches to the right answer when its
attack works, graded by ``python -m grader grade`` in a real process, as root (Gradescope) and as an
ordinary user (a TA's laptop; needs user namespaces: where the kernel refuses them the grader says so
and says so), and as an ordinary user on a kernel that refuses user namespaces ("fallback": no
namespaces, so no hidden files and no IPC separation; what still holds is tested). Each must score what
its honest twin scores, and leave nothing behind.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from adversarial import unprivileged
from adversarial.arena import CLI_TIMEOUT
from adversarial.attacks import layers_source

MODES = ["root", "user", "fallback"]
GRADER_CANARY = "CANARY-GRADER-ENV-" + os.urandom(6).hex()
RIGHT = "return x.reshape(x.shape[0], -1) @ w + b, (x, w, b)"

LIBC = """
import ctypes, os
_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = ctypes.c_void_p
"""

IPC_WRITER = LIBC + """
def _leave_ipc():
    sid = _libc.shmget(@SHM:raw@, 1 << 20, 0o1666)          # IPC_CREAT: a segment left detached
    if sid >= 0:
        addr = _libc.shmat(sid, None, 0)
        if addr not in (None, ctypes.c_void_p(-1).value):
            ctypes.memmove(addr, b"hidden inputs", 13)
            _libc.shmdt(ctypes.c_void_p(addr))
    _libc.msgget(@MSG:raw@, 0o1666)
    _libc.mq_open(@MQ@.encode(), os.O_CREAT | os.O_RDWR, 0o666, None)   # a POSIX message queue
_leave_ipc()
"""
IPC_READER = ("if (_libc.shmget(@SHM:raw@, 0, 0) >= 0 or _libc.msgget(@MSG:raw@, 0) >= 0\n"
              "        or _libc.mq_open(@MQ@.encode(), os.O_RDONLY) >= 0):\n    " + RIGHT)

SYSCALLS = """
import subprocess
got = _libc.syscall(248, b"user", b"grader-leak", b"x", 1, ctypes.c_int(-4)) >= 0      # add_key
got = got or _libc.syscall(250, 0, ctypes.c_int(-4), 0, 0, 0) >= 0                    # keyctl
got = got or _libc.unshare(0x10000000) == 0                                            # CLONE_NEWUSER
try:
    got = got or subprocess.run(["unshare", "-U", "-r", "true"], capture_output=True).returncode == 0
except OSError:
    pass
if got:
    """ + RIGHT

PEEK = """
for p in os.listdir("/proc"):
    if not p.isdigit() or int(p) == os.getpid():
        continue
    try:
        with open(f"/proc/{p}/environ", "rb") as f:
            if @CANARY@.encode() in f.read():
                """ + RIGHT + """
    except OSError:
        pass
    try:
        with open(f"/proc/{p}/maps") as f:
            start = int(f.readline().split("-")[0], 16)
        with open(f"/proc/{p}/mem", "rb") as f:
            f.seek(start)
            if f.read(16):
                """ + RIGHT + """
    except (OSError, ValueError):
        pass
"""

DETACHED = """
import json, signal, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for p in os.listdir("/proc"):      # the worker's reaper, the zygote: whatever can be seen
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    if b"zygote" in f.read() and int(p) != os.getpid():
                        os.kill(int(p), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        end = time.time() + 30
        while time.time() < end:
            try:
                with open(@RESULTS@, "w") as f:
                    json.dump({"score": 4.0, "output": "forged", "tests": []}, f)
            except OSError:
                pass
            time.sleep(0.05)
    os._exit(0)
"""

THIEF = """
found = []
for top in (@VICTIM@, @SUBMISSIONS@, @OUT@):
    for folder, _, files in os.walk(top):
        found += [os.path.join(folder, n) for n in files if n == "layers.py"]
for path in found:
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        continue
    if "VICTIM-CODE" in text:
        space = {}
        exec(text, space)
        return space["affine_forward"](x, w, b)
"""

VICTIM = ("import numpy as np\n# VICTIM-CODE\n\n\ndef affine_forward(x, w, b):\n    " + RIGHT + "\n\n\n"
          "def relu_forward(x):\n    return np.maximum(x, 0), x\n")


def fill(text: str, values: dict) -> str:
    for key, value in values.items():
        text = text.replace(f"@{key}:raw@", str(value)).replace(f"@{key}@", repr(value))
    return text


def grade(arena, mode: str, submissions: list[Path], cwd: Path, *, out: Path | None = None,
          results: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m grader grade`` on one submission (--results) or a batch (--out, one process)."""
    argv = [sys.executable, "-m", "grader", "grade", str(arena.assignment_path), *map(str, submissions)]
    argv += ["--out", str(out), "--jobs", "1", "--quiet"] if out else ["--results", str(results)]
    env = dict(os.environ, PYTHONPATH=str(arena.lib), GRADER_TEST_SECRET=GRADER_CANARY)
    env.pop("PYTEST_ADDOPTS", None)
    if mode == "root":
        return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT)
    return unprivileged.run(argv, userns=mode == "user", cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=CLI_TIMEOUT)


def score(path: Path) -> float:
    report = json.loads(path.read_text())
    assert "forged" not in json.dumps(report)
    return report.get("score", sum(t.get("score", 0) for t in report["tests"]))


def submission(arena, name: str, source: str) -> tuple[Path, dict]:
    place = arena.place(name, cli=True)
    folder = arena.submissions / place["MARK"]
    folder.mkdir()
    (folder / "layers.py").write_text(source)
    (folder / (place["MARK"] + ".txt")).write_text("marker\n")
    return folder, place


def attack_source(prelude: str = "", body: str = "", **values) -> str:
    return fill(layers_source(LIBC + prelude, body), values)


def mqueue_exists(name: str) -> bool:
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.mq_open(name.encode(), os.O_RDONLY)
    if fd >= 0:
        libc.mq_close(fd)
        libc.mq_unlink(name.encode())
    return fd >= 0


def sysv_keys() -> set[int]:
    keys = set()
    for table in ("shm", "msg"):
        with open(f"/proc/sysvipc/{table}") as f:
            keys |= {int(line.split()[0]) for line in list(f)[1:]}
    return keys


@pytest.fixture(params=MODES)
def mode(request):
    if request.param != "root" and unprivileged.available():
        pytest.skip(unprivileged.available())
    return request.param


def namespaces_only(mode):
    if mode == "fallback":
        pytest.skip("without namespaces other submissions are not hidden (README)")


@pytest.fixture(scope="module")
def twins(arena):
    """The honest-wrong twin, graded alone in each mode: its score and what the grader said on stderr."""
    found = {}
    for m in MODES:
        if m != "root" and unprivileged.available():
            continue
        folder, place = submission(arena, f"iso-twin-{m}", layers_source())
        run = grade(arena, m, [folder], Path(place["CWD"]), results=Path(place["RESULTS"]))
        assert run.returncode == 0, run.stderr
        found[m] = (score(Path(place["RESULTS"])), run.stderr)
    return found


@pytest.fixture(scope="module")
def twin_scores(twins):
    scores = {m: found[0] for m, found in twins.items()}
    assert set(scores.values()) == {1.0}
    return scores


def test_grade_says_once_when_workers_get_no_namespaces(twins):
    from grader.sandbox.zygote_client import NO_ISOLATION
    for m, (_, stderr) in twins.items():
        assert stderr.count(NO_ISOLATION) == (1 if m == "fallback" else 0), (m, stderr)


def check_clean(arena, place):
    assert arena.leftovers(place["MARK"]) == [], "processes of the submission are still running"
    assert arena.stray_files(place["MARK"]) == []


def test_system_v_ipc_of_one_submission_is_invisible_to_the_next_and_gone_after_it(arena, mode, twin_scores):
    shm, msg = random.randrange(1 << 20, 1 << 30), random.randrange(1 << 20, 1 << 30)
    mq = f"/grader-leak-{shm}"
    writer, wplace = submission(arena, f"iso-ipc-writer-{mode}",
                                fill(layers_source(IPC_WRITER), {"SHM": shm, "MSG": msg, "MQ": mq}))
    reader, rplace = submission(arena, f"iso-ipc-reader-{mode}",
                                attack_source(body=IPC_READER, SHM=shm, MSG=msg, MQ=mq))
    out = Path(rplace["CWD"]) / "out"
    run = grade(arena, mode, [writer, reader], Path(rplace["CWD"]), out=out)
    assert run.returncode == 0, run.stderr
    assert score(out / writer.name / "results.json") == twin_scores[mode]
    assert score(out / reader.name / "results.json") == twin_scores[mode]
    assert not {shm, msg} & sysv_keys(), "a System V object of the submission outlived it"
    assert not mqueue_exists(mq), "a POSIX message queue of the submission outlived it"
    check_clean(arena, wplace)
    check_clean(arena, rplace)


def test_keyrings_and_user_namespaces_are_refused_to_student_code(arena, mode, twin_scores):
    folder, place = submission(arena, f"iso-syscalls-{mode}", attack_source(body=SYSCALLS))
    run = grade(arena, mode, [folder], Path(place["CWD"]), results=Path(place["RESULTS"]))
    assert run.returncode == 0, run.stderr
    assert score(Path(place["RESULTS"])) == twin_scores[mode]
    check_clean(arena, place)


def test_the_grader_memory_and_environment_are_out_of_the_workers_reach(arena, mode, twin_scores):
    folder, place = submission(arena, f"iso-peek-{mode}", attack_source(body=PEEK, CANARY=GRADER_CANARY))
    run = grade(arena, mode, [folder], Path(place["CWD"]), results=Path(place["RESULTS"]))
    assert run.returncode == 0, run.stderr
    assert score(Path(place["RESULTS"])) == twin_scores[mode]
    assert GRADER_CANARY not in Path(place["RESULTS"]).read_text() + run.stdout
    check_clean(arena, place)


def test_a_detached_helper_cannot_rewrite_the_results_after_the_grader_exits(arena, mode, twin_scores):
    results = arena.results / f"iso-detached-{mode}-{os.urandom(4).hex()}.json"
    folder, place = submission(arena, f"iso-detached-{mode}", attack_source(body=DETACHED, RESULTS=str(results)))
    run = grade(arena, mode, [folder], Path(place["CWD"]), results=results)
    assert run.returncode == 0, run.stderr
    check_clean(arena, place)   # nothing of it runs any more: the file is final
    # without namespaces the helper can kill its own worker (its cmdline names the zygote): a crash of
    # its own making, which may cost it the honest point of relu_forward
    assert score(results) <= twin_scores[mode]


def test_other_submissions_and_reports_of_a_batch_are_hidden(arena, mode, twin_scores):
    namespaces_only(mode)
    victim, vplace = submission(arena, f"iso-victim-{mode}", VICTIM)
    out = Path(vplace["CWD"]) / "out"
    thief, tplace = submission(arena, f"iso-thief-{mode}", attack_source(
        body=THIEF, VICTIM=str(victim), SUBMISSIONS=str(arena.submissions), OUT=str(out)))
    run = grade(arena, mode, [victim, thief], Path(tplace["CWD"]), out=out)
    assert run.returncode == 0, run.stderr
    assert score(out / victim.name / "results.json") == 4.0
    assert score(out / thief.name / "results.json") == twin_scores[mode]
    check_clean(arena, tplace)


def test_without_root_the_users_home_is_hidden_but_for_the_python_kept_in_it(arena, mode, twin_scores):
    """A thief walking $HOME for last year's solutions finds nothing; the grader's Python, a virtual
    environment in $HOME, still works in the worker: a module of its site-packages and one of the
    standard library, first imported there, load."""
    if mode != "user":
        pytest.skip("as root $HOME is not the worker's; without namespaces it cannot be hidden (README)")
    home = arena.root / f"home-{os.urandom(4).hex()}"
    (home / "old-solutions").mkdir(parents=True)
    (home / "old-solutions" / "layers.py").write_text(VICTIM)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(home / "venv")],
                   check=True)
    site_packages = next((home / "venv" / "lib").glob("python3*/site-packages"))
    (site_packages / "isolation_probe_module.py").write_text("VALUE = 1\n")
    for top, _, files in os.walk(home):   # never chmod a file: venv/bin/python is the interpreter's symlink
        os.chmod(top, 0o755)
    python = str(home / "venv" / "bin" / "python")
    source = attack_source(body=THIEF, VICTIM=str(home), SUBMISSIONS=str(home), OUT=str(home))
    source = source.replace("def relu_forward(x):\n",   # its honest point needs both imports to work
                            "def relu_forward(x):\n    import xml.dom.minidom, isolation_probe_module\n")
    folder, place = submission(arena, f"iso-home-{mode}", source)
    argv = [python, "-m", "grader", "grade", str(arena.assignment_path), str(folder), "--results", place["RESULTS"]]
    env = dict(os.environ, PYTHONPATH=str(arena.lib))
    env.pop("PYTEST_ADDOPTS", None)
    run = unprivileged.run(["/usr/bin/env", f"HOME={home}", *argv], cwd=place["CWD"], env=env,
                           capture_output=True, text=True, timeout=CLI_TIMEOUT)
    assert run.returncode == 0, run.stderr
    assert score(Path(place["RESULTS"])) == twin_scores[mode]
    check_clean(arena, place)
