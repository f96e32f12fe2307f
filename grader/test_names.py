"""Report names of tests: ``"<graded name>: <what the test checks>"`` (../shared/design/cli.md).

The name is the first line of the test function's docstring, formatted with the test's parameters
(``"{method}: loss at W = 0"``). It must begin with a graded name, ``Class.method`` of a graded class,
or a notebook variable, then ``": "``.
"""

from __future__ import annotations

from grader.assignment import AssignmentError


def test_name(item, graded_names) -> str:
    """The report name of a collected pytest item; ``AssignmentError`` when it is malformed."""
    doc = (getattr(item, "function", None).__doc__ or "").strip() if hasattr(item, "function") else ""
    if not doc:
        raise AssignmentError(
            f"{item.nodeid}: no docstring; its first line names the test ('graded_name: what it checks')")
    first = doc.splitlines()[0].strip()
    params = getattr(getattr(item, "callspec", None), "params", {})
    try:
        name = first.format(**params)
    except (KeyError, IndexError, ValueError) as exc:
        raise AssignmentError(f"{item.nodeid}: cannot format the test name '{first}': {exc}") from None
    check_name(name, graded_names, item.nodeid)
    return name


def check_name(name: str, graded_names, where: str) -> None:
    """Raise ``AssignmentError`` unless ``name`` starts with a graded name (or Class.method) and ': '."""
    head, sep, rest = name.partition(": ")
    if not sep or not rest.strip():
        raise AssignmentError(f"{where}: test name '{name}' must read 'graded_name: what it checks'")
    owner = head.split(".", 1)[0]
    if owner not in graded_names:
        raise AssignmentError(f"{where}: test name '{name}' does not begin with a graded name of the assignment")
