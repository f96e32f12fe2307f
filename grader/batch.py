"""Grading many submissions: a pool of grader processes, a progress bar, resume, CSV and a summary.

Each grader process runs one pytest session (collection paid once) and grades the submissions the
parent hands it one at a time (grader.batch_pool: a process that dies costs only the submission it
held, which gets a report saying so). For every submission it writes ``OUT/<label>/results.json`` (validated),
``feedback.md`` and ``outcomes.json`` (our own record, used for the CSV, the summary and resuming);
``OUT/grades.csv`` and ``OUT/report.html`` cover every submission graded under OUT (grader.batch_summary,
grader.report.html).
A Gradescope "export submissions" folder (``submission_metadata.yml`` and the ``submission_<id>`` folders
it lists), or the zip Gradescope downloads it as, is accepted as input: each ``submission_*`` folder in it
is one submission. A zip export
is extracted (with the safety checks of a submission zip) into ``OUT/.exports/<zip name>/`` once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Iterable

from grader import __version__
from grader.assignment import Assignment, AssignmentError, load_assignment
from grader.batch_pool import run_pool
from grader.batch_summary import write_csv
from grader.outcome import Outcome, SubmissionResult
from grader.plugin import Job
from grader.report.feedback import render_feedback
from grader.report.gradescope import results_json, write_results
from grader.report.html import render_report
from grader.roster import label_of, read_roster
from grader.secret import content_digest, tree_digest
from grader.submission.files import BadZip, extract_zip

RESULTS = "results.json"
OUTCOMES = "outcomes.json"
METADATA = "submission_metadata.yml"
EXPORT_MEMBERS = 200_000          # a whole course's export: far above a submission zip's limits
EXPORT_BYTES = 50 * 2**30


def is_export(path: Path) -> bool:
    """A folder with the shape of a Gradescope export: ``submission_metadata.yml`` at its top, listing
    ``submission_<id>`` keys of which at least one is a folder beside it (a stray metadata file inside a
    student's submission is not enough)."""
    path = Path(path)
    try:
        if not (path / METADATA).is_file():
            return False
        return any((path / key).is_dir() for key in read_roster(path / METADATA))
    except OSError:
        return False


SUBMISSION_SUFFIXES = {".zip", ".py", ".ipynb"}


def expand_inputs(paths: Iterable[Path], unpack_dir: Path | None = None, warn=None, exports: bool = True) -> list[Job]:
    """Jobs for the given paths; with ``exports``, a Gradescope export folder (``is_export``) expands to its
    submissions (with their submitters), and so does an export zip when ``unpack_dir`` is given (it is
    extracted there). A file that cannot be a submission (``expected.toml``, a stray
    ``submission_metadata.yml``) is skipped and ``warn(message)`` told. Labels are unique."""
    jobs: list[Job] = []
    for path in map(Path, paths):
        if exports and unpack_dir is not None and _is_export_zip(path):
            path = unpack_export(path, unpack_dir / path.stem)
        if exports and is_export(path):
            roster = read_roster(path / METADATA)
            for sub in sorted(p for p in path.iterdir() if p.is_dir() and p.name.startswith("submission_")):
                members = roster.get(sub.name, [])
                jobs.append(Job(sub, label_of(sub.name, members), members))
        elif path.is_file() and path.suffix.lower() not in SUBMISSION_SUFFIXES:
            if warn:
                warn(f"{path}: skipped (not a submission: a folder, .zip, .py or .ipynb)")
        else:
            jobs.append(Job(path, path.stem if path.is_file() else path.name))
    taken: set[str] = set()
    for job in jobs:
        label = re.sub(r"[^\w.@+-]+", "_", job.label).strip("._") or "submission"
        unique, n = label, 1
        while unique in taken:  # "alice", "alice", "alice-2" -> alice, alice-2, alice-2-2
            n += 1
            unique = f"{label}-{n}"
        taken.add(unique)
        job.label = unique
    return jobs


def _is_export_zip(path: Path) -> bool:
    """A zip whose top level, or its one folder, holds Gradescope's ``submission_metadata.yml``."""
    if not (path.is_file() and zipfile.is_zipfile(path)):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.count("/") <= 1 and name.rsplit("/", 1)[-1] == METADATA for name in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def unpack_export(path: Path, dest: Path) -> Path:
    """Extract an export zip into ``dest`` (once: an earlier extraction is reused) and return the folder
    holding its metadata. Raises AssignmentError naming the zip when it cannot be extracted."""
    if not dest.is_dir():
        partial = dest.with_name(dest.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        try:
            extract_zip(path, partial, max_members=EXPORT_MEMBERS, max_total_bytes=EXPORT_BYTES, strict=True)
        except BadZip as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise AssignmentError(f"{path}: the Gradescope export cannot be extracted: {exc}") from None
        partial.rename(dest)
    found = sorted(dest.glob(METADATA)) + sorted(dest.glob(f"*/{METADATA}"))
    return found[0].parent if found else dest


def save_result(result: SubmissionResult, folder: Path, title: str, extra: dict | None = None) -> None:
    """Write the three files of one graded submission; ``extra`` (its resume key, its submitters) goes
    into the record."""
    folder.mkdir(parents=True, exist_ok=True)
    write_results(results_json(result, title), folder / RESULTS)
    (folder / "feedback.md").write_text(render_feedback(result, title), errors="replace")
    record = {"submission": result.submission, "score": result.score, "max_score": result.max_score,
              "flags": result.flags, "load_notes": result.load_notes,
              "outcomes": [asdict(o) for o in result.outcomes], **(extra or {})}
    (folder / OUTCOMES).write_text(json.dumps(record, indent=1))


def unreported(result: SubmissionResult, exc: BaseException) -> SubmissionResult:
    """``result`` with every test 0 and a one-line reason: its own report could not be written."""
    reason = f"The report of this submission could not be written ({type(exc).__name__}); tell your instructor."
    outcomes = [Outcome(name=o.name, test_id=o.test_id, max_score=o.max_score, score=0.0, kind="internal",
                        output=reason, visibility=o.visibility) for o in result.outcomes]
    return SubmissionResult(result.submission, outcomes, load_notes=[reason])


def load_record(folder: Path) -> dict | None:
    try:
        record = json.loads((folder / OUTCOMES).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("outcomes"), list) else None


def all_records(out_dir: Path) -> list[dict]:
    """The record of every submission graded into ``out_dir`` so far, by any run, sorted by label."""
    return [r for folder in sorted(out_dir.iterdir()) if folder.is_dir() and not folder.name.startswith(".")
            and (r := load_record(folder)) is not None]


def resume_key(job: Job, tests_digest: str) -> str:
    """What a kept grade was computed from: the submission's content and the assignment's tests."""
    return hashlib.sha256(f"{content_digest(job.path)}:{tests_digest}".encode()).hexdigest()


def tests_digest(assignment: Assignment) -> str:
    """The assignment folder (tests, metadata, support files) and the grader's version."""
    return hashlib.sha256(f"{__version__}:{tree_digest(assignment.path)}".encode()).hexdigest()


def _process_main(conn, assignment_path: str, title: str, out_dir: str, public_only: bool, hide: tuple = ()) -> None:
    """One grader process (grader.batch_pool): a pytest session over the submissions the parent hands it
    on ``conn``. The output folder and every submission of the batch (``hide``) are hidden from the
    workers like the answer key. Ctrl-C is the parent's to handle: it stops its processes itself."""
    from grader.runner import run_session

    signal.signal(signal.SIGINT, lambda *_: None)  # a handler, not SIG_IGN: exec'd children get the default
    holder: list = []
    extras: dict[str, dict] = {}

    def jobs():
        conn.send(("tests", [asdict(o) for o in holder[0].zero_outcomes("", "internal")]))
        while True:
            conn.send(("next",))
            if (item := conn.recv()) is None:
                return
            path, label, extras[label] = item
            yield Job(Path(path), label)

    def on_result(result: SubmissionResult) -> None:
        try:
            save_result(result, Path(out_dir) / result.submission, title, extras.get(result.submission))
        except Exception as exc:  # a report that cannot be written still leaves one, and the batch goes on
            save_result(unreported(result, exc), Path(out_dir) / result.submission, title,
                        extras.get(result.submission))
        extras.pop(result.submission, None)
        conn.send(("done", result.submission))

    try:
        run_session(load_assignment(assignment_path), jobs(), on_result, public_only=public_only,
                    hide=[Path(out_dir), *map(Path, hide)], plugin_holder=holder)
    except AssignmentError as exc:  # an instructor error: the parent reports it in one line and stops
        conn.send(("error", str(exc)))
    except Exception as exc:  # a bug of the grader: the parent stops with the type and message
        conn.send(("bug", f"{type(exc).__name__}: {exc}"))


def _report_death(out_dir: Path, title: str, extras: dict, job: Job, reason: str, tests: list[dict]) -> None:
    """The report of a submission whose grader process died: every test 0 with the reason; its record
    has no resume key, so the next run grades it again."""
    outcomes = [Outcome(**{**test, "output": reason}) for test in tests]
    result = SubmissionResult(job.label, outcomes, load_notes=[reason])
    save_result(result, out_dir / job.label, title, {"submitters": extras[job.label]["submitters"]})


def grade_batch(assignment: Assignment, inputs: Iterable[Path], out_dir: Path, *, jobs: int | None = None,
                force: bool = False, public_only: bool = False, progress: bool = True, warn=None,
                exports: bool = True) -> list[dict]:
    """Grade every submission into ``out_dir`` with ``jobs`` processes; returns the records of every
    submission graded there (by this run or an earlier one), which ``grades.csv`` lists. A submission is
    regraded when its content or the assignment's tests changed since its record was written. On an
    interrupt, the grades so far are written and the KeyboardInterrupt goes on. ``exports``: Gradescope
    exports among the inputs are expanded (see ``expand_inputs``)."""
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = list(inputs)
    all_jobs = expand_inputs(inputs, out_dir / ".exports", warn, exports)
    digest = tests_digest(assignment)
    keys = {job.label: resume_key(job, digest) for job in all_jobs}
    todo = [j for j in all_jobs if force or (load_record(out_dir / j.label) or {}).get("key") != keys[j.label]]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    try:
        if todo:
            extras = {j.label: {"key": keys[j.label], "submitters": j.submitters} for j in todo}
            paths = [Path(p).resolve() for p in [*inputs, *(j.path for j in all_jobs)]]
            hide = tuple(_hideable(paths + [p.parent for p in paths]))
            _run_pool(assignment, todo, extras, out_dir, workers, public_only, progress, hide)
    finally:
        records = all_records(out_dir)
        write_csv(records, out_dir / "grades.csv")
        (out_dir / "report.html").write_text(render_report(records, assignment.title))
    return records


def _hideable(paths) -> list[str]:
    """The submissions of a batch and the folders holding them (other students' work may sit there too),
    but a folder holding the Python the workers run, its libraries, or the temp folder."""
    import site

    import numpy
    keep = [Path(p).resolve() for p in (sys.prefix, sys.base_prefix, site.getusersitepackages(),
                                        os.path.dirname(numpy.__file__), tempfile.gettempdir())]
    return list(dict.fromkeys(str(p) for p in map(Path, paths)
                              if p != Path("/") and not any(k == p or p in k.parents for k in keep)))


def _run_pool(assignment, todo, extras, out_dir, workers, public_only, progress, hide=()) -> None:
    args = (str(assignment.path), assignment.title, str(out_dir), public_only, hide)
    run_pool(todo, extras, workers, _process_main, args,
             functools.partial(_report_death, Path(out_dir), assignment.title, extras),
             stall_seconds=_stall_timeout(assignment), progress=progress, desc=assignment.name)


def _stall_timeout(assignment: Assignment) -> float:
    """The longest a single submission may take before the batch is declared stuck."""
    return assignment.limits.submission_seconds * 2 + 120
