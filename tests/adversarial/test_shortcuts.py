"""Forbidden shortcuts (threats.md T17): a gradient by finite differences of the student's own forward,
forbidden libraries, looks into the interpreter. Flags go to the instructor; ``on_flag = "zero"``
scores the submission 0 and tells the student why. Real submissions through the real runner and
worker; a false flag on honest code (naive loops, helpers, a training loop) is a failure too."""

import json

import jsonschema
import pytest

from grader.assignment import load_assignment
from grader.integrity import DEFAULT_FORBIDDEN, scan_source
from grader.report.gradescope import results_json
from grader.runner import grade_many

from helpers import SCHEMA, write_submission

TESTS = '''
import numpy as np

def test_affine_forward(student, rng):
    """affine_forward: x @ w + b"""
    x, w, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal(5)
    np.testing.assert_allclose(student.affine_forward(x, w, b), x @ w + b, rtol=1e-6)

def test_affine_backward(student, rng):
    """affine_backward: the three gradients"""
    x, w, b = rng.standard_normal((3, 8)), rng.standard_normal((8, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((3, 5))
    dx, dw, db = student.affine_backward(dout, (x, w, b))
    for got, want in ((dx, dout @ w.T), (dw, x.T @ dout), (db, dout.sum(0))):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)

def test_net(student, rng):
    """Net.loss: the gradient"""
    x = rng.standard_normal(20)
    net = student.Net(20)
    loss, grad = net.loss(x)
    np.testing.assert_allclose(grad, 2 * x * np.arange(20), rtol=1e-5, atol=1e-6)
    net.train(x)
'''

FORWARD = '''
import numpy as np

def affine_forward(x, w, b):
    return x @ w + b
'''
HONEST = FORWARD + '''
def _outer(u, v):                      # a module-level helper, called once per entry below
    return u * v

def affine_backward(dout, cache):
    x, w, b = cache
    def entry(i, j):                   # a nested helper, called per entry (40 times): honest naive code
        return sum(_outer(x[n, i], dout[n, j]) for n in range(x.shape[0]))
    dw = np.array([[entry(i, j) for j in range(w.shape[1])] for i in range(w.shape[0])])
    # a graded forward called per entry on slices (40 times): a loop, not finite differences
    check = [affine_forward(x[:, i:i + 1].T, dout[:, j:j + 1], np.zeros(1)) for i in range(w.shape[0])
             for j in range(w.shape[1])]
    return dout @ w.T, np.array(check).reshape(dw.shape), dout.sum(0)

class Net:
    def __init__(self, d):
        self.c = np.arange(d, dtype=float)
    def _term(self, x, i):              # a helper method called twice per entry (40 times)
        return self.c[i] * x[i] ** 2
    def loss(self, x):
        value = sum(self._term(x, i) for i in range(x.size))
        grad = np.array([self._term(x, i) for i in range(x.size)]) * 0 + 2 * x * self.c
        return float(value), grad
    def train(self, x):                # calls loss many times: a training loop, not a gradient
        for _ in range(100):
            self.loss(x)
'''
NUMERIC = FORWARD + '''
def affine_backward(dout, cache):
    x, w, b = cache
    grads = []
    for a in (x, w, b):
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]
            a[i] = old + 1e-5; plus = np.sum(affine_forward(x, w, b) * dout)
            a[i] = old - 1e-5; minus = np.sum(affine_forward(x, w, b) * dout)
            a[i] = old
            g[i] = (plus - minus) / 2e-5
        grads.append(g)
    return tuple(grads)

class Net:
    def __init__(self, d):
        self.c = np.arange(d, dtype=float)
    def loss(self, x, grads=True):
        value = float(np.sum(self.c * x ** 2))
        if not grads:
            return value
        g = np.zeros_like(x)
        for i in range(x.size):
            e = np.zeros_like(x); e[i] = 1e-5
            g[i] = (self.loss(x + e, False) - self.loss(x - e, False)) / 2e-5
        return value, g
    def train(self, x):
        pass
'''


GRADIENT_CHECK = '''
import numpy as np

def eval_numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h; plus = f(x)
        x[i] = old - h; minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad
'''
HELPER_CHEAT = HONEST.replace('''        grad = np.array([self._term(x, i) for i in range(x.size)]) * 0 + 2 * x * self.c''', '''        from gradient_check import eval_numerical_gradient
        grad = eval_numerical_gradient(lambda z: float(np.sum(self.c * z ** 2)), x.copy())''')


def make_assignment(tmp_path, integrity=""):
    folder = tmp_path / "shortcuts"
    write_submission(folder, {
        "assignment.toml": 'title = "shortcuts"\nseed = 3\n[limits]\ncall_seconds = 10\n'
                           '[names]\naffine_forward = "layers.py"\naffine_backward = "layers.py"\n'
                           f'Net = "layers.py"\n{integrity}',
        "tests/test_layers.py": TESTS,
    })
    return load_assignment(folder)


def grade(assignment, tmp_path, **sources):
    subs = [write_submission(tmp_path / name, {"layers.py": text}) for name, text in sources.items()]
    return dict(zip(sources, grade_many(assignment, subs)))


def test_a_backward_by_finite_differences_is_flagged_and_honest_loops_are_not(tmp_path):
    results = grade(make_assignment(tmp_path), tmp_path, honest=HONEST, numeric=NUMERIC)
    honest, numeric = results["honest"], results["numeric"]
    assert honest.score == honest.max_score and honest.flags == []
    assert numeric.score == numeric.max_score          # a flag is not a verdict...
    assert any(f.startswith("affine_backward called affine_forward") for f in numeric.flags), numeric.flags
    assert any(f.startswith(("Net.loss called Net.loss 41 times", "Net.loss called loss 41 times"))
               for f in numeric.flags), numeric.flags   # Python 3.10 code objects have no qualified name
    report = results_json(numeric)                      # ...but the instructor sees it, the student does not
    jsonschema.validate(report, SCHEMA)
    flags_entry = report["tests"][-1]
    assert flags_entry["visibility"] == "hidden" and "affine_forward" in flags_entry["output"]
    assert report["extra_data"]["flags"] == numeric.flags
    assert "affine_forward" not in report["output"]
    assert "extra_data" not in results_json(honest)


def test_the_courses_numerical_gradient_helper_in_a_loss_is_flagged(tmp_path):
    """Net.loss through eval_numerical_gradient of an inline forward: no graded forward is called, but
    the course's helper is."""
    sub = write_submission(tmp_path / "helper", {"layers.py": HELPER_CHEAT, "gradient_check.py": GRADIENT_CHECK})
    result = grade_many(make_assignment(tmp_path), [sub])[0]
    assert result.score == result.max_score
    assert result.flags == ["Net.loss called the course's numerical gradient helper (eval_numerical_gradient): "
                            "its gradient is computed by finite differences"]


def test_a_forbidden_library_is_refused_in_the_worker_and_flagged(tmp_path):
    """`colorsys` stands in for torch (forbidden here, installed everywhere): even a dynamic import of
    an installed library is refused, and only the function using it loses its points."""
    assignment = make_assignment(tmp_path, '[integrity]\nforbid = ["colorsys"]\n')
    assert "colorsys" in assignment.integrity.forbidden and "torch" in assignment.integrity.forbidden
    sneaky = HONEST.replace("    return x @ w + b", "    __import__('color' + 'sys')\n    return x @ w + b")
    result = grade(assignment, tmp_path, sneaky=sneaky)["sneaky"]
    failed = {o.name.split(":")[0]: o for o in result.outcomes if not o.passed}
    assert sorted(failed) == ["affine_backward", "affine_forward"], failed   # the backward calls the forward
    assert "Net" not in failed
    assert "not allowed in this assignment" in next(iter(failed.values())).output
    assert "layers.py, line 5: imports colorsys (forbidden in this assignment)" in result.flags, result.flags
    assert "layers.py, line 5: uses __import__ (code built at run time)" in result.flags, result.flags


def test_on_flag_zero_scores_the_submission_0_and_tells_the_student_why(tmp_path):
    assignment = make_assignment(tmp_path, '[integrity]\non_flag = "zero"\n')
    results = grade(assignment, tmp_path, honest=HONEST, numeric=NUMERIC)
    assert results["honest"].score == results["honest"].max_score and not results["honest"].zeroed
    numeric = results["numeric"]
    assert numeric.zeroed and numeric.score == 0 and numeric.max_score > 0
    report = results_json(numeric)
    jsonschema.validate(report, SCHEMA)
    assert report["score"] == 0 and "Your score is 0" in report["output"]
    assert "affine_backward called affine_forward" in report["output"]


def test_the_integrity_table_is_checked(tmp_path):
    from grader.assignment import AssignmentError

    with pytest.raises(AssignmentError, match=r"assignment.toml: \[integrity\] on_flag must be"):
        make_assignment(tmp_path, '[integrity]\non_flag = "expel"\n')
    with pytest.raises(AssignmentError, match=r"unknown key\(s\) in \[integrity\]: alow"):
        make_assignment(tmp_path, '[integrity]\nalow = ["sklearn"]\n')
    assert "sklearn" not in make_assignment(tmp_path, '[integrity]\nallow = ["sklearn"]\n').integrity.forbidden


@pytest.mark.parametrize("source, expected", [
    ("import torch.nn as nn", "imports torch.nn (forbidden in this assignment)"),
    ("from sklearn.neighbors import KNeighborsClassifier", "imports sklearn.neighbors (forbidden in this assignment)"),
    ("from scipy.optimize import approx_fprime", "imports approx_fprime from scipy.optimize"),
    ("g = scipy.optimize.check_grad(f, fp, x)", "uses scipy.optimize.check_grad"),
    ("import scipy.optimize as so\ng = so.approx_fprime(x, f)", "uses so.approx_fprime"),
    ("m = __import__('to' + 'rch')", "uses __import__ (code built at run time)"),
    ("m = importlib.import_module(name)", "uses importlib.import_module"),
    ("exec(code)", "uses exec (code built at run time)"),
    ("sys.settrace(None)", "uses sys.settrace"),
    ("frames = inspect.stack()", "uses inspect.stack"),
    ("objs = gc.get_objects()", "uses gc.get_objects"),
])
def test_the_static_scan_names_each_shortcut(source, expected):
    assert scan_source(source, set(DEFAULT_FORBIDDEN)) == [f"{source.count(chr(10)) + 1}: {expected}"]


def test_the_static_scan_leaves_honest_code_alone():
    honest = """
import numpy as np, scipy.stats, re, math
from builtins import range
from past.builtins import xrange
from scipy.stats import mode
x = np.stack([np.zeros(2)]); y = re.compile("a"); model.eval(); self.derivative(x)
def f(stack, derivative, compile=None, eval=False):
    if eval:
        return compile
    return np.vstack(stack) + math.exp(1)
"""
    assert scan_source(honest, set(DEFAULT_FORBIDDEN)) == []
    assert scan_source("def broken(:", set(DEFAULT_FORBIDDEN)) == []


def test_the_static_scan_survives_a_file_nested_200000_deep():
    assert scan_source("y = " + "+".join(["1"] * 200_000), set(DEFAULT_FORBIDDEN)) == []


FAST_LAYERS = '''
import numpy as np

def conv_forward_strides(x, w):
    return np.einsum("nd,df->nf", x, w)

conv_forward_fast = conv_forward_strides
'''
NAIVE_TESTS = '''
import numpy as np

def test_naive(student, rng):
    """conv_forward_naive: the output"""
    x, w = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    np.testing.assert_allclose(student.conv_forward_naive(x, w), x @ w, rtol=1e-6)

def test_net(student, rng):
    """Net.loss: the output"""
    x, w = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    np.testing.assert_allclose(student.Net().loss(x, w), x @ w, rtol=1e-6)
'''
NET = '''
class Net:
    def loss(self, x, w):                # a net may use the course's fast layers
        return conv_forward_fast(x, w)
'''


def test_a_naive_function_that_calls_the_courses_fast_layers_is_flagged(tmp_path):
    folder = write_submission(tmp_path / "naive", {
        "assignment.toml": 'title = "naive"\n[names]\nconv_forward_naive = "layers.py"\nNet = "layers.py"\n',
        "tests/test_naive.py": NAIVE_TESTS})
    assignment = load_assignment(folder)
    imports = "import numpy as np\nfrom fast_layers import conv_forward_fast\n"
    loops = imports + NET + '''
def im2col_indices(x, n):               # the student's own helper, named like the course's
    return x[n]

def conv_forward_naive(x, w):
    out = np.zeros((x.shape[0], w.shape[1]))
    for n in range(x.shape[0]):
        for f in range(w.shape[1]):
            out[n, f] = np.sum(im2col_indices(x, n) * w[:, f])
    return out
'''
    shortcut = imports + NET + "\ndef conv_forward_naive(x, w):\n    return conv_forward_fast(x, w)\n"
    subs = [write_submission(tmp_path / name, {"layers.py": text, "fast_layers.py": FAST_LAYERS})
            for name, text in (("loops", loops), ("shortcut", shortcut))]
    honest, flagged = grade_many(assignment, subs)
    assert honest.score == honest.max_score == flagged.score and honest.flags == []
    assert flagged.flags == ["conv_forward_naive called the course's fast layers (conv_forward_strides): "
                             "the naive version is not the student's own"]


def test_a_flag_set_keeps_each_flag_once_and_the_largest_count_and_ignores_malformed_replies():
    """Worker replies are untrusted: anything but the documented shapes is ignored."""
    from grader.integrity import FlagSet

    flags = FlagSet()
    for reply in ({"calls": ["affine_forward", 40]}, {"calls": ["affine_forward", 80]},
                  {"calls": ["affine_forward", 5]}, {"calls": ["x", "many"]}, {"calls": 7},
                  {"flags": ["layers.py, line 1: imports torch", 3, None]}, {"flags": "not a list"},
                  {"flags": ["layers.py, line 1: imports torch"]}, {"fast": ["conv_forward_strides"]}):
        flags.absorb(reply, "affine_backward")
    flags.absorb({"calls": ["affine_forward", 900]}, "FullyConnectedNet.loss")   # through affine_backward
    flags.absorb({"calls": ["conv_forward_naive", 300]}, "ThreeLayerConvNet.loss")
    assert flags.texts() == [
        "layers.py, line 1: imports torch",
        "affine_backward called affine_forward 80 times in one call on whole-size inputs (directly or through "
        "the functions it calls): a gradient computed by finite differences?",
        "ThreeLayerConvNet.loss called conv_forward_naive 300 times in one call on whole-size inputs (directly "
        "or through the functions it calls): a gradient computed by finite differences?"]


def test_the_counter_counts_only_the_backwards_own_forward_and_itself():
    """lstm_backward calling lstm_step_backward once per step (with the whole weights in each cache) is a
    loop, however long the sequence; affine_backward calling affine_forward on whole inputs is not."""
    import numpy as np

    from grader.sandbox.worker.guard import CallCounter

    W = np.ones((20, 80))

    def lstm_step_backward(dnext, cache):
        return dnext @ cache[0].T

    def lstm_backward(dh, caches):
        return [lstm_step_backward(dh[:, t], caches[t]) for t in range(dh.shape[1])]

    def affine_forward(x, w):
        return x @ w

    def affine_backward(dout, cache):
        return [affine_forward(cache[0], cache[1]) for _ in range(40)]

    files, graded = {__file__}, {"lstm_step_backward", "lstm_backward", "affine_forward", "affine_backward"}
    dh, caches = np.ones((2, 40, 80)), [(W,)] * 40
    with CallCounter(lstm_backward, ((dh, caches), {}), files, graded) as counter:
        lstm_backward(dh, caches)
    name, count = counter.most_called()
    assert name.endswith("lstm_backward") and count == 1   # only the call itself
    x = np.ones((3, 20))
    with CallCounter(affine_backward, ((np.ones((3, 80)), (x, W)), {}), files, graded) as counter:
        affine_backward(np.ones((3, 80)), (x, W))
    assert counter.most_called() == ["affine_forward", 40]
