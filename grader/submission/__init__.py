"""Finding the graded names in a submission (parse only: nothing of it is imported or executed here).

    from grader.submission import open_submission, NameSpec
    with open_submission(path, specs, support=None) as sub:
        sub.root, sub.plan, sub.notes

See docs/contracts.md §3 for the LoadPlan format.
"""
from .spec import NameSpec, SubmissionError
from .submission import Submission, build_plan, open_submission

__all__ = ["NameSpec", "Submission", "SubmissionError", "build_plan", "open_submission"]
