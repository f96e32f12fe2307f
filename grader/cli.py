"""The command line (../shared/design/cli.md): list, check, grade, autograder, student-kit, demo.

Thin: each command parses its arguments and calls one function of the library. An instructor's
mistake (unknown assignment, unreadable path, broken test file) is one line on stderr and exit 2;
``grade`` exits 0 whenever it wrote a report, whatever the score.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from grader.assignment import AssignmentError, bundled_names, load_assignment
from grader.submission import SubmissionError

EXIT_USAGE = 2


def run() -> None:
    """The ``grader`` command and ``python -m grader``: ``main``, then exit at once. Every report and
    output is written and flushed by then, and the sandboxes are closed; the interpreter's teardown
    (numpy, pytest: ~30 ms, a tenth of grading one submission) would only make the user wait. A batch
    (multiprocessing) exits normally: its resource tracker must see its semaphores released."""
    code = main()
    if "multiprocessing" in sys.modules:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.command(args)
    except (AssignmentError, SubmissionError) as exc:
        print(f"grader: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `grader list | head`: the reader left; no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print("grader: interrupted", file=sys.stderr)
        return 130


def cmd_list(args) -> int:
    """The bundled assignments, with their graded names and points."""
    from grader.runner import count_points

    for name in bundled_names():
        assignment = load_assignment(name)
        points, tests = count_points(assignment)
        print(f"{name:<12} {assignment.title}  ({tests} tests, {points:g} points)")
        print(f"{'':<12} graded: {', '.join(assignment.names)}")
    return 0


def cmd_check(args) -> int:
    """The public tests, on the student's own machine; exit 0 when every public test passes."""
    from grader.report.terminal import render_table
    from grader.runner import grade

    assignment = load_assignment(args.assignment)
    submission = _existing(args.submission)
    result = grade(assignment, submission, public_only=True)
    print(render_table(result, title=f"{assignment.title} — public tests on {submission}"))
    return 0 if all(o.passed for o in result.outcomes) else 1


def cmd_grade(args) -> int:
    """Every test; one submission to a results.json, or a batch to a folder with grades.csv."""
    assignment = load_assignment(args.assignment)
    submissions = [_existing(p) for p in args.submissions]
    if args.out is not None or len(submissions) > 1:  # only with --out is a Gradescope export expanded
        from grader.batch import grade_batch, summarize

        out = Path(args.out or "graded")
        records = grade_batch(assignment, submissions, out, jobs=args.jobs, force=args.force,
                              progress=not args.quiet, exports=args.out is not None)
        print(summarize(records))
        print(f"Reports in {out}/<submission>/results.json; table in {out / 'grades.csv'}")
        return 0
    from grader.report.gradescope import prepare_validator, results_json, write_results
    from grader.runner import grade

    if Path(args.results).is_dir():  # found before grading, not after
        raise AssignmentError(f"{args.results}: is a folder; --results takes the path of the file to write")
    if (submissions[0] / "submission_metadata.yml").is_file() and _is_export(submissions[0]):
        print(f"grader: {submissions[0]} looks like a Gradescope export; it is graded as one submission "
              "(give --out FOLDER to grade each of its submissions)", file=sys.stderr)
    prepare_validator()
    result = grade(assignment, submissions[0])
    write_results(results_json(result, assignment.title), Path(args.results))
    if result.student_output:
        print("Output of the student's code (instructors only):")
        print(result.student_output)
    failed = result.failing()
    print(f"{submissions[0]}: {result.score:g} / {result.max_score:g}"
          + (f"; failed: {', '.join(failed)}" if failed else "; every test passed"))
    if result.flags:
        print("Flags (forbidden shortcuts" + ("; the score was set to 0" if result.zeroed else "") + "):")
        print("\n".join(f"- {flag}" for flag in result.flags))
    print(f"Wrote {args.results}")
    return 0


def cmd_autograder(args) -> int:
    """The Gradescope autograder zip."""
    from grader.autograder import build_autograder_zip

    path = build_autograder_zip(load_assignment(args.assignment), Path(args.output))
    print(f"Wrote {path}: upload it as the autograder of the Gradescope assignment.")
    return 0


def cmd_student_kit(args) -> int:
    """What students receive: starter files and the public tests with recorded values."""
    from grader.kit import build_kit

    path = build_kit(load_assignment(args.assignment), Path(args.output))
    print(f"Wrote the student kit to {path}: students run `grader check {path} MY_FOLDER`.")
    return 0


def cmd_demo(args) -> int:
    """Grade the bundled example submissions and show the reports."""
    from grader.demo import run_demo

    return run_demo(args.assignment, Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="grader-demo-")))


def _is_export(path: Path) -> bool:
    from grader.batch import is_export   # imports multiprocessing: only when a metadata file is there

    return is_export(path)


def _existing(path: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise AssignmentError(f"{path}: no such file or folder")
    if not p.stat().st_mode & 0o444:  # mode bits, not os.access: root can read anything
        raise AssignmentError(f"{path}: not readable")
    return p


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Grade numpy deep-learning homework.")
    sub = parser.add_subparsers(dest="name", required=True, metavar="COMMAND")

    p = sub.add_parser("list", help="the bundled assignments")
    p.set_defaults(command=cmd_list)

    p = sub.add_parser("check", help="run the public tests on your submission")
    p.add_argument("assignment", help="bundled name (c147/hw2) or assignment/kit folder")
    p.add_argument("submission", nargs="?", default=".", help="folder, .zip, .py or .ipynb (default: .)")
    p.set_defaults(command=cmd_check)

    p = sub.add_parser("grade", help="grade one submission (results.json) or a batch (--out; a Gradescope "
                       "export is expanded only with --out)")
    p.add_argument("assignment")
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION")
    p.add_argument("--results", default="results.json", help="results.json path for one submission")
    p.add_argument("--out", help="batch: output folder (one folder per submission, grades.csv)")
    p.add_argument("--jobs", type=int, default=None, help="batch: parallel processes (default: cores)")
    p.add_argument("--force", action="store_true", help="batch: regrade submissions already graded")
    p.add_argument("--quiet", action="store_true", help="batch: no progress bar")
    p.set_defaults(command=cmd_grade)

    p = sub.add_parser("autograder", help="build the Gradescope autograder zip")
    p.add_argument("assignment")
    p.add_argument("-o", "--output", default="autograder.zip")
    p.set_defaults(command=cmd_autograder)

    p = sub.add_parser("student-kit", help="build what students receive")
    p.add_argument("assignment")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(command=cmd_student_kit)

    p = sub.add_parser("demo", help="grade the bundled example submissions and show the reports")
    p.add_argument("assignment", nargs="?", default=None, help="one bundled assignment (default: all)")
    p.add_argument("--out", help="where to write the reports (default: a temporary folder)")
    p.set_defaults(command=cmd_demo)
    return parser


if __name__ == "__main__":
    sys.exit(main())
