"""Project test configuration: fixture folders hold assignments' own tests, which are not ours to collect.

Grading inputs are seeded by the grading secret (grader.secret); the suite fixes it so that a run is
the same on every machine. tests/e2e/test_grading_secret.py covers the secret itself, and
benchmarks/verdicts_over_secrets.py grades the bundled examples under many secrets."""

import os

collect_ignore = ["fixtures"]
os.environ.setdefault("GRADER_SECRET", "the test suite's grading secret")


def pytest_addoption(parser):
    parser.addoption("--studies", action="store_true",
                     help="also run the long studies (tests marked 'study'): CI runs them, the default run does not")


def pytest_collection_modifyitems(config, items):
    """Tests marked ``study`` (sweeps over many seeds, attack campaigns: see pyproject.toml) are
    deselected unless ``--studies`` is given."""
    if config.getoption("--studies"):
        return
    studies = [item for item in items if item.get_closest_marker("study")]
    if studies:
        config.hook.pytest_deselected(items=studies)
        items[:] = [item for item in items if not item.get_closest_marker("study")]
