"""Notebook inputs in a real worker: ``inputs_of(student.v, "x")`` gives the notebook's global ``x`` as
it stood right after ``v``'s capture cell, as plain data, whatever later cells did to it."""
import numpy as np
import pytest

from grader.submission import NameSpec

sandbox = pytest.importorskip("grader.sandbox")
errors = pytest.importorskip("grader.sandbox.errors")
Target = pytest.importorskip("grader.sandbox.remote").Target

VARS = [NameSpec(v, "variable", notebook="nb.ipynb") for v in ("fit", "score", "late")]
CELLS = [
    "import numpy as np\nnp.random.seed(0)\nx = np.random.uniform(size=(5,))\ny = 2 * x",
    "class Model:\n    pass\nmodel = Model()\nparts = [x, {'n': 5, 'w': np.ones(2)}]\n"
    "fit = float(np.sum(x * y))",
    "x = np.random.uniform(low=1, high=2, size=(5,))   # new data overwrite the old\ny = 2 * x\n"
    "y[0] = -1.0",
    "score = float(np.sum(y))\ny += 100\nwide = np.zeros(3, dtype=complex)",
    "late = 1",
]


@pytest.fixture
def box(tmp_path, notebook, opened):
    nb = notebook(tmp_path / "sub" / "nb.ipynb", CELLS)
    sub = opened(nb.parent, VARS)
    sb = sandbox.Sandbox(sub.plan, sub.root, limits=sandbox.Limits(call_seconds=10, submission_seconds=60))
    yield sb
    sb.close()


def _data():
    stream = np.random.RandomState(0)
    x = stream.uniform(size=(5,))
    x_new = stream.uniform(low=1, high=2, size=(5,))
    return x, x_new


def test_inputs_stand_as_they_were_when_each_variable_was_captured(box):
    x, x_new = _data()
    student = box.root
    score_x, score_y = sandbox.fetch(sandbox.inputs_of(student.score, "x", "y"))   # the later one first
    np.testing.assert_array_equal(score_x, x_new)
    expected_y = 2 * x_new
    expected_y[0] = -1.0
    np.testing.assert_array_equal(score_y, expected_y + 100)   # mutated in place within the capture cell
    fit_x, fit_y = sandbox.fetch(sandbox.inputs_of(student.fit, "x", "y"))
    np.testing.assert_array_equal(fit_x, x)
    np.testing.assert_array_equal(fit_y, 2 * x)
    parts = sandbox.fetch(sandbox.inputs_of(student.fit, "parts"))
    np.testing.assert_array_equal(parts[0], x)
    assert parts[1]["n"] == 5 and type(parts[1]["w"]) is np.ndarray
    assert sandbox.fetch(sandbox.inputs_of(student.fit, "parts")[1]["n"]) == 5
    assert sandbox.fetch(student.fit) == pytest.approx(float(np.sum(2 * x * x)))


def test_what_is_not_plain_data_or_not_yet_defined_is_missing_with_the_reason(box):
    student = box.root
    cases = {(student.fit, "model"): "not plain data", (student.score, "wide"): "complex",
             (student.fit, "score"): "was not defined in the notebook when fit was computed",
             (student.fit, "np"): "not plain data"}
    for (variable, name), words in cases.items():
        with pytest.raises(errors.NameMissing) as info:
            sandbox.fetch(sandbox.inputs_of(variable, name))
        assert words in str(info.value), str(info.value)
    with pytest.raises(errors.NameMissing, match="not a graded name"):
        sandbox.fetch(sandbox.inputs_of(student.nothing, "x"))


def test_inputs_of_takes_a_graded_variable_and_names():
    with pytest.raises(TypeError):
        sandbox.inputs_of(np.zeros(2), "x")
    with pytest.raises(TypeError):
        sandbox.inputs_of(sandbox.Remote(Target(None, None, (("a", "v"), ("a", "w")))), "x")   # not a root name
    with pytest.raises(TypeError):
        sandbox.inputs_of(sandbox.Remote(Target(None, 1, (("a", "v"),))), "x")     # a handle's attribute
    with pytest.raises(TypeError):
        sandbox.inputs_of(sandbox.Remote(Target(None, None, (("a", "v"),))))       # no name
    assert type(sandbox.inputs_of(sandbox.Remote(Target(None, None, (("a", "v"),))), "x")) is sandbox.Remote


def test_a_restarted_worker_runs_the_notebook_again_and_gets_the_same_inputs(box):
    x, x_new = _data()
    first = sandbox.fetch(sandbox.inputs_of(box.root.late, "x"))
    box.restart()
    np.testing.assert_array_equal(sandbox.fetch(sandbox.inputs_of(box.root.fit, "x")), x)
    np.testing.assert_array_equal(first, x_new)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_the_snapshot_budget_is_shared_by_a_run_and_charged_only_for_what_is_copied():
    from grader.sandbox.worker import loader
    budget = [100]
    with pytest.raises(loader.NotData, match="too large"):
        loader.plain_copy([np.zeros(10), np.zeros(10)], budget)   # 16 + 80 + 80 bytes
    assert budget == [100]
    copied = loader.plain_copy((np.zeros(5), 3, "ab"), budget)
    assert budget == [100 - 24 - 40 - 8 - 2] and type(copied) is tuple
    kept, dropped = loader.snapshot({"a": [1], "__name__": "__main__", "m": np.matrix([[1.0]]),
                                     "o": object(), "big": np.zeros(1000)}, [64])
    assert sorted(kept) == ["a", "m"] and type(kept["m"]) is np.ndarray
    assert "too large" in dropped["big"] and "not plain data" in dropped["o"]


HOSTILE = (
    "import numpy as np\nx = np.arange(4.0)\n"
    "class Liar(list):\n    def __iter__(self):\n        raise SystemExit('iterated')\n"
    "    def __len__(self):\n        return 0\n"
    "class Fake:\n    __class__ = np.ndarray\n    dtype = np.dtype(float)\n"
    "class Sub(np.ndarray):\n    pass\n"
    "liar = Liar([1.0])\nfake = Fake()\nsub = np.zeros(3).view(Sub)\n"
    "loop = []\nloop.append(loop)\nwide = [list(range(1000))] * 20000\n"
    "keyed = {(1, 2): 3.0}\nfit = 1.0"
)


def test_hostile_globals_are_refused_with_a_reason_and_the_honest_ones_still_come_back(tmp_path, notebook, opened):
    nb = notebook(tmp_path / "sub" / "nb.ipynb", [HOSTILE])
    sub = opened(nb.parent, [NameSpec("fit", "variable", notebook="nb.ipynb")])
    sb = sandbox.Sandbox(sub.plan, sub.root, limits=sandbox.Limits(call_seconds=20, submission_seconds=60))
    try:
        reasons = {"liar": "Liar", "fake": "Fake", "sub": "Sub", "loop": "nested too deeply",
                   "wide": "too large", "keyed": "tuple key"}
        for name, words in reasons.items():
            with pytest.raises(errors.NameMissing) as info:
                sandbox.fetch(sandbox.inputs_of(sb.root.fit, name))
            assert words in str(info.value), (name, str(info.value))
        np.testing.assert_array_equal(sandbox.fetch(sandbox.inputs_of(sb.root.fit, "x")), np.arange(4.0))
        assert "iterated" not in "\n".join(sb.notes())
    finally:
        sb.close()
