"""Python 2 code with no other Python 2 sign is known by a `/` used where an integer is needed (the red
team's conv with `Hp = 1 + (H + 2*pad - HH) / stride` and LSTM with `H = b.shape[0] / 4` lost 4 and 13
points); Python 3 code that divides for real is never taken for it."""

import ast

import pytest

from grader.submission.py2 import division_as_integer

PY2 = {
    "shape": "def f(x, stride):\n    Hp = 1 + (x.shape[2] - 3) / stride\n    return np.zeros((2, Hp))\n",
    "range": "def f(H):\n    for i in range(H / 2):\n        pass\n",
    "slice": "def f(a, b):\n    H = b.shape[0] / 4\n    return a[:, :H]\n",
    "slice in tuple": "def f(a, H):\n    return a[:, H / 2:]\n",
    "index": "def f(a, n):\n    return a[n / 2]\n",
}
PY3 = {
    "scale": "def f(dW, N):\n    dW /= N\n    return dW * (1 / N)\n",
    "int wrapped": "def f(H):\n    return np.zeros((int(H / 2), 3)), range(int(H / 2))\n",
    "floor": "def f(a, b):\n    H = b.shape[0] // 4\n    return a[:, :H]\n",
    "mean": "def f(x):\n    m = x.sum() / x.size\n    return x - m, x[x > m]\n",
    "float grid": "def f(n):\n    return np.linspace(0, 1 / n, 5)\n",
}


@pytest.mark.parametrize("name", PY2)
def test_python2_integer_division_is_found(name):
    assert division_as_integer(ast.parse(PY2[name])) is not None


@pytest.mark.parametrize("name", PY3)
def test_python3_true_division_is_not_taken_for_it(name):
    assert division_as_integer(ast.parse(PY3[name])) is None


def test_no_bundled_python3_example_is_taken_for_python2():
    from pathlib import Path

    from grader.assignment import bundled_names, load_assignment
    marked = []
    for assignment_name in bundled_names():
        for label, folder in load_assignment(assignment_name).examples().items():
            if "py2" in label or "python2" in label:
                continue
            for path in Path(folder).rglob("*.py"):
                try:
                    tree = ast.parse(path.read_text())
                except SyntaxError:
                    continue
                if division_as_integer(tree):
                    marked.append(f"{assignment_name}/{label}/{path.name}")
    assert marked == []
