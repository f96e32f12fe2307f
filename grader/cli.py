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

from grader import __version__
from grader.assignment import AssignmentError, bundled_names, load_assignment
from grader.secret import SecretError, grading_secret
from grader.submission import SubmissionError

EXIT_USAGE = 2
CHECK_INPUTS_NOTE = ("These public tests ran on fixed inputs; grading runs them, and hidden tests, on other "
                     "inputs drawn for your submission.")


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
    except (AssignmentError, SubmissionError, SecretError) as exc:
        print(f"grader: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `grader list | head`: the reader left; no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:  # an output the instructor named cannot be written (read-only, full, a file)
        where = exc.filename if exc.filename is not None else "output"
        print(f"grader: {where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
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
    if submission.is_dir() and not any(p.suffix.lower() in (".py", ".ipynb", ".zip") for p in submission.rglob("*")):
        raise SubmissionError(f"{submission}: no .py, .ipynb or .zip file in this folder; "
                              "give the folder that holds your code")
    result = grade(assignment, submission, public_only=True)
    print(render_table(result, title=f"{assignment.title} — public tests on {submission}"))
    print(CHECK_INPUTS_NOTE)
    return 0 if all(o.passed for o in result.outcomes) else 1


def cmd_grade(args) -> int:
    """Every test; one submission to a results.json, or a batch to a folder with grades.csv."""
    assignment = load_assignment(args.assignment)
    submissions = [_existing(p) for p in args.submissions]
    grading_secret()  # made or read once here, before any worker or batch process needs it
    _isolation_notice()
    if args.out is not None or len(submissions) > 1:  # only with --out is a Gradescope export expanded
        from grader.batch import grade_batch
        from grader.batch_summary import summarize

        out = Path(args.out or "graded")
        writable_folder(out)
        try:
            records = grade_batch(assignment, submissions, out, jobs=args.jobs, force=args.force,
                                  progress=not args.quiet, warn=lambda text: print(f"grader: {text}", file=sys.stderr),
                                  exports=args.out is not None)
        except KeyboardInterrupt:
            print(f"grader: interrupted; the grades so far are in {out / 'grades.csv'}; "
                  "rerun the same command to resume", file=sys.stderr)
            return 130
        print(summarize(records))
        print(f"Reports in {out}/<submission>/results.json; table in {out / 'grades.csv'}")
        return 0
    from grader.report.gradescope import prepare_validator, results_json, write_results
    from grader.report.terminal import render_table
    from grader.runner import grade

    if Path(args.results).is_dir():  # found before grading, not after
        raise AssignmentError(f"{args.results}: is a folder; --results takes the path of the file to write")
    writable_folder(Path(args.results).absolute().parent)
    if (submissions[0] / "submission_metadata.yml").is_file() and _is_export(submissions[0]):
        print(f"grader: {submissions[0]} looks like a Gradescope export; it is graded as one submission "
              "(give --out FOLDER to grade each of its submissions)", file=sys.stderr)
    prepare_validator()
    result = grade(assignment, submissions[0])
    write_results(results_json(result, assignment.title), Path(args.results))
    if result.student_output:
        print("Output of the student's code (instructors only):")
        print(result.student_output)
    print(render_table(result, title=f"{assignment.title} — {submissions[0]}"))
    print(f"{submissions[0]}: {result.score:g} / {result.max_score:g}"
          + ("; every test passed" if result.score == result.max_score else ""))
    print(f"Wrote {args.results}")
    return 0


def _isolation_notice() -> None:
    """One line on stderr when workers cannot get their own namespaces (no root, no user namespaces)."""
    if os.geteuid() != 0:
        from grader.sandbox.worker.confine import probe_userns
        from grader.sandbox.zygote_client import NO_ISOLATION

        if not probe_userns():
            print(NO_ISOLATION, file=sys.stderr)


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
    from grader.batch import is_export  # imports multiprocessing: only when a metadata file is there

    return is_export(path)


def _existing(path: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise AssignmentError(f"{path}: no such file or folder")
    if not p.stat().st_mode & 0o444:  # mode bits, not os.access: root can read anything
        raise AssignmentError(f"{path}: not readable")
    return p


def writable_folder(folder: Path) -> None:
    """Make ``folder`` and check that a file can be written in it, before any grading (OSError if not)."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=folder):
        pass


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of processes, 1 or more")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse with its usage mistakes said in one line (exit 2), like every other instructor error."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="grader", description="Grade numpy deep-learning homework.")
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
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
    p.add_argument("--jobs", type=_positive, default=None, help="batch: parallel processes (default: cores)")
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
