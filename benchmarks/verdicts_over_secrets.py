"""Grade every bundled example under several grading secrets (so under several draws of every test's
inputs) and print each verdict that differs from examples/expected.toml: a check whose verdict depends
on the draw would fail correct code, or miss a bug, for some students.

    python benchmarks/verdicts_over_secrets.py [N_SECRETS] [ASSIGNMENT ...]
"""

import os
import sys
import time

from grader.assignment import bundled_names, load_assignment
from grader.runner import grade_many


def main(argv):
    count = int(argv[0]) if argv else 5
    names = argv[1:] or bundled_names()
    wrong, graded, start = 0, 0, time.monotonic()
    for name in names:
        assignment = load_assignment(name)
        expected = assignment.expected_failures()
        examples = {k: v for k, v in assignment.examples().items() if k in expected}
        for i in range(count):
            os.environ["GRADER_SECRET"] = f"study secret {i}"
            for label, result in zip(examples, grade_many(assignment, list(examples.values()))):
                graded += 1
                failing, want = set(result.failing()), set(expected[label])
                for test in sorted(failing ^ want):
                    wrong += 1
                    how = "fails, expected to pass" if test in failing else "passes, expected to fail"
                    print(f"{name} {label} secret {i}: {test} {how}", flush=True)
    print(f"{graded} gradings of bundled examples under {count} secrets: {wrong} verdicts differ from "
          f"expected.toml ({time.monotonic() - start:.0f} s)")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
