"""Steering the verdict logic, not escaping the sandbox (issue 12): submissions that try to set the
gradient check's tolerance, make it undecided, pass consistency tests with a constant net, or detect
finite-difference probes. Each attack is the honest-wrong twin (the correct cs231n/a2 example with one
real bug) plus the attack, graded by the real runner and worker in one session; it must score no more
than its twin, and the test it aims at must fail for the reason named. The attacks act only in the
configurations graded by consistency (dropout or normalization on; for the conv net, its reg of the
self-consistency test), so they cost nothing elsewhere: the comparison is with the twin's score.

A correct example returning its loss as a (1, 1) array (real students do) keeps full marks.

A study (18 gradings of cs231n/a2, about 2 minutes): run with ``--studies``.
"""

import shutil

import pytest

from grader.assignment import load_assignment
from grader.runner import grade_many

pytestmark = pytest.mark.study

FC = "cs231n/classifiers/fc_net.py"
CNN = "cs231n/classifiers/cnn.py"
FC_RETURN = "    return loss, grads\n"
CNN_RETURN = "        return loss, grads\n"
DROPOUT_SKIPPED = ("      if self.use_dropout:\n        dh = dropout_backward(dh, do_cache)\n",
                   "      if self.use_dropout:\n        pass\n")
CNN_NO_REG_GRADIENT = ("        grads['W1'] += self.reg * W1\n        grads['W2'] += self.reg * W2\n"
                       "        grads['W3'] += self.reg * W3\n", "")

# The attack code, appended to the module; ``_steer(net, X, y, loss, grads, active)`` returns the pair.
HELPERS = '''

import hashlib as _hashlib
_SEEN = []


def _point(net, X):
    return np.concatenate([np.ravel(X)] + [np.ravel(net.params[k]) for k in sorted(net.params)])


def _near_seen(net, X):
    """True at a point a tiny step away from one seen before (a finite-difference probe)."""
    p = _point(net, X)
    near = any(q.shape == p.shape and 0 < np.max(np.abs(q - p)) < 1e-3 for q in _SEEN)
    if not any(q.shape == p.shape and np.array_equal(q, p) for q in _SEEN):
        _SEEN.append(p)
    return near


_SEEN_BYTES = set()
_FLAT = []


def _unseen(net, X):
    """True at a point never seen before (a set of the points' bytes: the attack must not die of its own cost)."""
    p = _point(net, X).tobytes()
    if p in _SEEN_BYTES:
        return False
    _SEEN_BYTES.add(p)
    return True
'''

STEERS = {
    # the student sets the round-off bound of the check
    "tuple_bound": "return (loss, 1e300), grads",
    "array_pair": "return np.array([loss, 1e300]), grads",
    # every check undecided (formerly graded as passed)
    "hash_wobble": "h = _hashlib.sha256(_point(net, X).tobytes()).digest()\n"
                   "    return loss + 0.1 * (h[0] / 127.5 - 1), grads",
    "noise_at_unseen_points": "return (loss + 0.05 if _unseen(net, X) else loss), grads",
    # a constant net is consistent with its zero gradients
    "constant_zero_net": "return 1.0, {k: np.zeros_like(v) for k, v in net.params.items()}",
    "constant_log_c_net": "return float(np.log(10)), {k: np.zeros_like(v) for k, v in net.params.items()}",
    # probes detected: a spike inflates the round-off bound, or NaN
    "probe_spike": "return (loss + 1e12 if _near_seen(net, X) else loss), grads",
    "probe_nan": "return (float('nan') if _near_seen(net, X) else loss), grads",
    # a huge smooth offset inflates the value scale of the test point itself
    "smooth_offset": "return loss + 1e12, grads",
    "offset_off_the_pin": "last = net.params['W%d' % net.num_layers]\n"
                          "    return (loss + 1e12 if np.any(last != 0) else loss), grads",
    # constant everywhere except at the layout-free pin's parameters (W_L = 0), where it answers honestly
    "constant_except_at_the_pin": "if not np.any(net.params['W%d' % net.num_layers]):\n"
                                  "        return loss, grads\n"
                                  "    return 1.0, {k: np.zeros_like(v) for k, v in net.params.items()}",
    # honest only in its first call (the pin's), constant in every later call (the gradient check's)
    "constant_after_first_call": "net._calls = getattr(net, '_calls', 0) + 1\n"
                                 "    if net._calls > 1:\n"
                                 "        return 1.0, {k: np.zeros_like(v) for k, v in net.params.items()}\n"
                                 "    return loss, grads",
    # constant on the nets of odd seeds (the gradient check may land on one), honest on the others
    "constant_on_odd_seeds": "if getattr(net, 'dropout_param', {}).get('seed', 0) % 2:\n"
                             "        return 1.0, {k: np.zeros_like(v) for k, v in net.params.items()}\n"
                             "    return loss, grads",
    # honest loss, zero gradients, and the loss of the nearest point seen before within 0.05 (finite
    # differences of a flat function agree with zero gradients); honest at the layout-free pin (W_L = 0)
    "flat_near_seen": "if not np.any(net.params['W%d' % net.num_layers]):\n"
                      "        return loss, grads\n"
                      "    p, zero = _point(net, X), {k: np.zeros_like(v) for k, v in net.params.items()}\n"
                      "    for q, value in _FLAT:\n"
                      "        if q.shape == p.shape and np.max(np.abs(q - p)) < 0.05:\n"
                      "            return value, zero\n"
                      "    _FLAT.append((p, loss))\n"
                      "    return loss, zero",
    # gradients with extra keys and infinities
    "extra_inf_gradients": "g = dict(grads, W0=np.full(3, np.inf), dx=np.full((2, 2), np.nan))\n"
                           "    return loss, g",
}


def _fc_attack(steer):
    code = HELPERS + f'''

def _steer(net, X, y, loss, grads):
    if not (net.use_dropout or net.normalization is not None):
        return loss, grads
    {steer}
'''
    return [DROPOUT_SKIPPED, (FC_RETURN, "    return _steer(self, X, y, loss, grads)\n")], code


def _cnn_attack(steer):
    code = HELPERS + f'''

def _steer(net, X, y, loss, grads):
    if net.reg != 0.05:   # the self-consistency test's reg
        return loss, grads
    {steer}
'''
    return [CNN_NO_REG_GRADIENT, (CNN_RETURN, "        return _steer(self, X, y, loss, grads)\n")], code


# name -> (file, edits, appended code, twin, the test the attack aims at, what its failure must say)
CASES = {
    **{f"fc_{name}": (FC, *_fc_attack(steer), "fc_twin", "with dropout 0.6, gradients agree",
                      expected) for name, steer, expected in [
        ("tuple_bound", STEERS["tuple_bound"], "is a tuple of 2 values"),
        ("array_pair", STEERS["array_pair"], "is an array of shape (2,)"),
        ("hash_wobble", STEERS["hash_wobble"], "Could not be verified"),
        ("noise_at_unseen_points", STEERS["noise_at_unseen_points"], ("Could not be verified", "Called twice")),
        ("constant_zero_net", STEERS["constant_zero_net"], None),
        ("constant_log_c_net", STEERS["constant_log_c_net"], None),
        ("probe_spike", STEERS["probe_spike"], "jump by orders of magnitude"),
        ("probe_nan", STEERS["probe_nan"], "not finite"),
        ("smooth_offset", STEERS["smooth_offset"], None),
        ("offset_off_the_pin", STEERS["offset_off_the_pin"], None),
        ("extra_inf_gradients", STEERS["extra_inf_gradients"], None),
        ("constant_except_at_the_pin", STEERS["constant_except_at_the_pin"], "nets built with different seeds"),
        ("constant_after_first_call", STEERS["constant_after_first_call"], None),
        ("constant_on_odd_seeds", STEERS["constant_on_odd_seeds"], None),
    ]},
    **{f"fc_{name}_{norm}": (FC, *_fc_attack(STEERS[name]), "fc_twin", f"with {norm}, gradients agree", None)
       for name in ("flat_near_seen",) for norm in ("batchnorm", "layernorm")},
    **{f"cnn_{name}": (CNN, *_cnn_attack(STEERS[name]), "cnn_twin", "gradients agree with finite differences",
                       expected) for name, expected in [
        ("tuple_bound", "is a tuple of 2 values"),
        ("constant_zero_net", None),
        ("probe_spike", "jump by orders of magnitude"),
    ]},
}


def _write(root, example, name, file, edits, code):
    folder = root / name
    shutil.copytree(example, folder)
    path = folder / file
    text = path.read_text()
    for old, new in edits:
        assert old in text, (name, old)
        text = text.replace(old, new, 1)
    path.write_text(text + code)
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every twin, attack and control of this module graded in one session: name -> SubmissionResult."""
    assignment = load_assignment("cs231n/a2")
    correct = assignment.examples()["correct"]
    root = tmp_path_factory.mktemp("steering")
    folders = {
        "fc_twin": _write(root, correct, "fc_twin", FC, [DROPOUT_SKIPPED], ""),
        "cnn_twin": _write(root, correct, "cnn_twin", CNN, [CNN_NO_REG_GRADIENT], ""),
        "fc_loss_as_1x1_array": _write(root, correct, "fc_loss_as_1x1_array", FC,
                                       [(FC_RETURN, "    return np.array([[loss]]), grads\n")], ""),
    }
    for name, (file, edits, code, *_rest) in CASES.items():
        folders[name] = _write(root, correct, name, file, edits, code)
    results = grade_many(assignment, list(folders.values()))
    return dict(zip(folders, results))


def _outcome(result, fragment):
    found = [o for o in result.outcomes if fragment in o.name]
    assert found, f"no test named like {fragment!r}"
    return found[0]


# Attacks that still beat the grader (kept visible, not hidden by weakening the test).
DEFECTS: dict[str, str] = {}  # name -> why it still wins (a strict xfail); none today


@pytest.mark.parametrize("name", [pytest.param(n, marks=[pytest.mark.xfail(strict=True, reason=DEFECTS[n])]
                                               if n in DEFECTS else []) for n in sorted(CASES)])
def test_attack_scores_no_more_than_its_honest_wrong_twin(graded, name):
    _, _, _, twin, aimed_at, expected = CASES[name]
    attack, honest = graded[name], graded[twin]
    assert not attack.flags, f"flagged {attack.flags}: the attack would not test the verdict logic"
    assert attack.score <= honest.score, (
        f"{name} scored {attack.score}, its honest-wrong twin {honest.score}: "
        + "; ".join(f"{o.name}: {o.output[:200]}" for o in attack.outcomes if o.passed and not
                    _outcome(honest, o.name).passed))
    aimed = _outcome(attack, aimed_at)
    assert not aimed.passed and aimed.score == 0, f"{aimed.name} passed: {aimed.output}"
    if expected:
        assert any(e in aimed.output for e in ((expected,) if isinstance(expected, str) else expected)), aimed.output


def test_the_twins_fail_only_their_bug(graded):
    """The comparison is fair: each twin is honest code with exactly one real bug."""
    assert [o.name for o in graded["fc_twin"].outcomes if not o.passed] == [
        "FullyConnectedNet.loss: with dropout 0.6, gradients agree with finite differences of the loss"]
    assert "ThreeLayerConvNet.loss: gradients agree with finite differences of your loss" in [
        o.name for o in graded["cnn_twin"].outcomes if not o.passed]


def test_a_loss_returned_as_a_1x1_array_keeps_full_marks(graded):
    result = graded["fc_loss_as_1x1_array"]
    assert [o.name for o in result.outcomes if not o.passed] == []
