"""c147 hw1 through the runner: a finished copy beats the unchanged starter notebook, and the loss
tests report the convention they detected. Notebooks written on the course notebook's own data
generation (both years' formulas) are judged on their data: correct ones get full marks, a one-bug
one loses points on its broken name only."""

import shutil

import pytest

from grader.assignment import load_assignment
from grader.runner import grade, grade_many


def test_completed_copy_beside_the_starter_gets_full_marks_and_notes(tmp_path):
    hw1 = load_assignment("c147/hw1")
    sub = tmp_path / "sub"
    sub.mkdir()
    shutil.copy(hw1.starter_dir / "linear_regression.ipynb", sub / "linear_regression.ipynb")
    shutil.copy(hw1.examples()["correct"] / "linear_regression.ipynb", sub / "linear_regression-Copy1.ipynb")
    result = grade(hw1, sub, public_only=True)
    assert result.failing() == []
    assert any("taken from linear_regression-Copy1.ipynb (linear_regression.ipynb is the unchanged starter "
               "notebook)" in note for note in result.load_notes)
    for name in ("training_errors", "testing_errors"):
        outcome = next(o for o in result.outcomes if o.name.startswith(name + ":"))
        assert any(note.startswith(f"{name}: ") and note.endswith("detected (accepted)") for note in outcome.notes)


# ----- notebooks written on the course notebook's own data generation, graded through the real runner -----

FORMULAS = {"2020": ("x - 2*x**2 + x**3", "0.03"), "other years": ("x + 2*x**2 - 3*x**3", "0.05")}

STUDENT = {   # the student's cells, in a style of their own (matmul, lists of design matrices, ½ sums)
    "theta": "theta = np.linalg.inv(xhat @ xhat.T) @ xhat @ y",
    "thetas": ("for order in range(1, N + 1):\n    X = np.array([x ** k for k in range(order, -1, -1)])\n"
               "    xhats.append(X)\n    thetas.append(np.linalg.pinv(X.T) @ y)"),
    "training": ("for X, th in zip(xhats, thetas):\n"
                 "    training_errors.append(0.5 * np.sum((th @ X - y) ** 2))"),
    "testing": ("for order, th in enumerate(thetas, start=1):\n    X = np.array([x ** k for k in range(order, -1, -1)])\n"
                "    testing_errors.append(0.5 * np.sum((th @ X - y) ** 2))"),
    "seed": "np.random.seed(0)",
    "before_test": "",
    "testing_name": "testing_errors",   # some years' notebooks call it validation_errors
}

ONE_BUG = {   # variant -> (the student's cells changed, the graded name that alone must lose points)
    "theta_reversed": ({"theta": "theta = (np.linalg.inv(xhat @ xhat.T) @ xhat @ y)[::-1]"}, "theta"),
    "thetas_without_constant": ({"thetas": STUDENT["thetas"].replace("range(order, -1, -1)", "range(order, 0, -1)")
                                 .replace("thetas.append(np.linalg.pinv(X.T) @ y)",
                                          "thetas.append(np.append(np.linalg.pinv(X.T) @ y, 0.0))"),
                                 "training": "for X, th in zip(xhats, thetas):\n    X = np.vstack((X, np.ones_like(x)))\n"
                                             "    training_errors.append(0.5 * np.sum((th @ X - y) ** 2))"},
                                "thetas"),
    "training_rmse": ({"training": STUDENT["training"].replace("0.5 * np.sum((th @ X - y) ** 2)",
                                                                "np.sqrt(np.mean((th @ X - y) ** 2))")},
                      "training_errors"),
    "testing_on_the_training_design": ({"testing": "for X, th in zip(xhats_train, thetas):\n"
                                                   "    testing_errors.append(0.5 * np.sum((th @ X - y) ** 2))",
                                        "before_test": "xhats_train = list(xhats)\n"},
                                       "testing_errors"),
    "data_reseeded": ({"seed": "np.random.seed(1)"}, "x"),
    "testing_errors_before_the_test_data": ({"training": STUDENT["training"] + "\ntesting_errors = []\n"
                                                         + STUDENT["testing"], "testing": "pass"},
                                            "testing_errors"),
    "theta_loop_variable_later": ({"training": "for i, theta in enumerate(thetas):\n"
                                               "    training_errors.append(0.5 * np.sum((theta @ xhats[i] - y) ** 2))"},
                                  None),
    "named_validation_errors": ({"testing_name": "validation_errors"}, None),
    "validation_rmse": ({"testing_name": "validation_errors",
                         "testing": STUDENT["testing"].replace("0.5 * np.sum((th @ X - y) ** 2)",
                                                               "np.sqrt(np.mean((th @ X - y) ** 2))")},
                        "testing_errors"),
}
FULL_MARKS = ("correct", "theta_loop_variable_later", "named_validation_errors")


def course_notebook(path, formula, noise, cells):
    """The course notebook's cells (data generation, xhat, the test data overwriting x and y, the given
    design matrices of the test data) with the student's ``cells`` filled in."""
    import nbformat
    generation = (f"{cells['seed']}  # Sets the random seed.\nnum_train = 200\n"
                  "x = np.random.uniform(low=0, high=1, size=(num_train,))\n"
                  f"y = {formula} + np.random.normal(loc=0, scale={noise}, size=(num_train,))\n"
                  "f = plt.figure()\nax = f.gca()\nax.plot(x, y, '.')")
    test_data = (f"{cells['before_test']}x = np.random.uniform(low=1, high=2, size=(num_train,))\n"
                 f"y = {formula} + np.random.normal(loc=0, scale={noise}, size=(num_train,))")
    given_xhats = ("xhats = []\nfor i in np.arange(N):\n    if i == 0:\n        xhat = np.vstack((x, np.ones_like(x)))\n"
                   "    else:\n        xhat = np.vstack((x**(i+1), xhat))\n    xhats.append(xhat)")
    testing = "testing_errors = []\n" + cells["testing"] if cells["testing"] != "pass" else "pass"
    testing = testing.replace("testing_errors", cells["testing_name"])
    sources = ["import numpy as np\nimport matplotlib.pyplot as plt\n%matplotlib inline", generation,
               "# xhat = (x, 1)\nxhat = np.vstack((x, np.ones_like(x)))\n" + cells["theta"],
               "xs = np.linspace(min(x), max(x), 50)\nxs = np.vstack((xs, np.ones_like(xs)))\nplt.plot(xs[0,:], theta.dot(xs))",
               "N = 5\nxhats = []\nthetas = []\n" + cells["thetas"],
               "for i in np.arange(N):\n    plt.plot(x, np.polyval(thetas[i], x))",
               "training_errors = []\n" + cells["training"] + "\nprint('Training errors are: \\n', training_errors)",
               test_data, given_xhats,
               testing + f"\nprint('Testing errors are: \\n', {cells['testing_name']})"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path.parent


@pytest.fixture(scope="module")
def graded_on_course_data(tmp_path_factory):
    """Every (year, variant) graded in one session with hidden tests: {(year, variant): SubmissionResult}."""
    hw1 = load_assignment("c147/hw1")
    root = tmp_path_factory.mktemp("course")
    jobs = {}
    for year, (formula, noise) in FORMULAS.items():
        for variant, (changes, _) in [("correct", ({}, None))] + list(ONE_BUG.items()):
            folder = root / year.replace(" ", "_") / variant / "linear_regression.ipynb"
            jobs[(year, variant)] = course_notebook(folder, formula, noise, dict(STUDENT, **changes))
    results = grade_many(hw1, list(jobs.values()))
    return dict(zip(jobs, results))


@pytest.mark.parametrize("year", FORMULAS)
def test_correct_notebooks_on_the_course_data_get_full_marks(graded_on_course_data, year):
    for variant in FULL_MARKS:
        result = graded_on_course_data[(year, variant)]
        assert [(o.name, o.output) for o in result.outcomes if o.score < o.max_score] == [], variant
        assert len(result.outcomes) == 7
        data = next(o for o in result.outcomes if o.name.startswith("x: "))
        assert any(FORMULAS[year][0] in note for note in data.notes), data.notes


@pytest.mark.parametrize("year", FORMULAS)
@pytest.mark.parametrize("variant", [v for v, (_, name) in ONE_BUG.items() if name])
def test_a_one_bug_notebook_loses_points_on_its_broken_name_only(graded_on_course_data, year, variant):
    broken = ONE_BUG[variant][1]
    result = graded_on_course_data[(year, variant)]
    failing = [o.name for o in result.outcomes if o.score < o.max_score]
    assert failing, variant
    assert all(name.startswith(broken + ": ") for name in failing), (variant, failing)
    assert not [o for o in result.outcomes if o.kind == "internal"]


@pytest.mark.parametrize("year", FORMULAS)
def test_validation_errors_is_graded_as_testing_errors_with_a_note(graded_on_course_data, year):
    result = graded_on_course_data[(year, "named_validation_errors")]
    testing = next(o for o in result.outcomes if o.name.startswith("testing_errors: "))
    assert testing.score == testing.max_score and testing.kind == "passed", testing.output
    assert any("testing_errors: graded from validation_errors" in note for note in result.load_notes), \
        result.load_notes
