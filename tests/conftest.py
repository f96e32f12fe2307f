"""Project test configuration: fixture folders hold assignments' own tests, which are not ours to collect.

Grading inputs are seeded by the grading secret (grader.secret); the suite fixes it so that a run is
the same on every machine. tests/e2e/test_grading_secret.py covers the secret itself, and
benchmarks/verdicts_over_secrets.py grades the bundled examples under many secrets."""

import os

collect_ignore = ["fixtures"]
os.environ.setdefault("GRADER_SECRET", "the test suite's grading secret")
