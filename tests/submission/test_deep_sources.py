"""Sources nested deeper than a parser likes: Python 3.10's parser has no depth guard (an expression
~200,000 deep overflows the C stack and kills the process), so a long source is parsed there on a
thread with a large stack; the grader process must survive and write its report."""

import ast
import sys

import pytest

from grader.submission.repair import _parse_on_a_big_stack, parse


def test_the_big_stack_parse_gives_the_same_tree_and_the_same_errors():
    source = "y = " + "+".join(["1"] * 300) + "\n"
    assert ast.dump(_parse_on_a_big_stack(source)) == ast.dump(parse(source))
    with pytest.raises(SyntaxError):
        _parse_on_a_big_stack("def broken(:\n")


@pytest.mark.skipif(sys.version_info >= (3, 11), reason="Python 3.11+ raises RecursionError itself")
def test_python_3_10_survives_an_expression_nested_200000_deep(tmp_path):
    from grader.assignment import load_assignment
    from grader.runner import grade

    from helpers import MINI, write_submission

    source = ("import numpy as np\n"
              "def affine_forward(x, w, b):\n    return x.reshape(x.shape[0], -1) @ w + b, (x, w, b)\n"
              "def relu_forward(x):\n    return np.maximum(0, x), x\n"
              "TABLE = " + "+".join(["1"] * 200_000) + "\n")
    result = grade(load_assignment(MINI), write_submission(tmp_path / "s", {"layers.py": source}))
    assert len(result.outcomes) == 3   # a report: the worker may crash on the module, the grader does not
