"""Grading many submissions: a pool of grader processes, a progress bar, resume, CSV and a summary.

Each grader process runs one pytest session (collection paid once) and pulls submissions from a
shared queue. For every submission it writes ``OUT/<label>/results.json`` (validated),
``feedback.md`` and ``outcomes.json`` (our own record, used for the CSV, the summary and resuming).
A Gradescope "export submissions" folder (``submission_metadata.yml`` and the ``submission_<id>`` folders
it lists), or the zip Gradescope downloads it as, is accepted as input: each ``submission_*`` folder in it
is one submission. A zip export
is extracted (with the safety checks of a submission zip) into ``OUT/.exports/<zip name>/`` once.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import queue as queue_module
import re
import shutil
import zipfile
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Iterable

from grader.assignment import Assignment, AssignmentError, load_assignment
from grader.outcome import Outcome, SubmissionResult
from grader.plugin import Job
from grader.report.feedback import render_feedback
from grader.report.gradescope import results_json, write_results
from grader.submission.files import BadZip, extract_zip

RESULTS = "results.json"
OUTCOMES = "outcomes.json"
QUOTES = "'\""  # YAML may quote an e-mail
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
        return any((path / key).is_dir() for key in _export_ids(path / METADATA))
    except OSError:
        return False


def expand_inputs(paths: Iterable[Path], unpack_dir: Path | None = None, exports: bool = True) -> list[Job]:
    """Jobs for the given paths; with ``exports``, a Gradescope export folder (``is_export``) expands to
    its submissions, and so does an export zip when ``unpack_dir`` is given (it is extracted there).
    Labels are unique."""
    jobs: list[Job] = []
    for path in map(Path, paths):
        if exports and unpack_dir is not None and _is_export_zip(path):
            path = unpack_export(path, unpack_dir / path.stem)
        if exports and is_export(path):
            names = _export_names(path / METADATA)
            for sub in sorted(p for p in path.iterdir() if p.is_dir() and p.name.startswith("submission_")):
                jobs.append(Job(sub, names.get(sub.name, sub.name)))
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


def _export_ids(metadata: Path) -> list[str]:
    """The ``submission_<id>`` keys of Gradescope's export metadata (YAML), in order."""
    text = metadata.read_text(errors="replace")
    return list(dict.fromkeys(m.group(1) for m in re.finditer(r"^\s*:?(submission_\d+):\s*$", text, re.M)))


def _export_names(metadata: Path) -> dict[str, str]:
    """``submission_123`` -> ``submission_123-<email>`` from Gradescope's export metadata (YAML)."""
    names, current = {}, None
    for line in metadata.read_text(errors="replace").splitlines():
        key = re.match(r"^:?(submission_\d+):\s*$", line.strip())
        if key:
            current = key.group(1)
        email = re.match(r"^-?\s*:email:\s*(\S+)", line.strip())
        if current and email and current not in names:
            names[current] = f"{current}-{email.group(1).strip(QUOTES)}"
    return names


def save_result(result: SubmissionResult, folder: Path, title: str) -> None:
    """Write the three files of one graded submission."""
    folder.mkdir(parents=True, exist_ok=True)
    write_results(results_json(result, title), folder / RESULTS)
    (folder / "feedback.md").write_text(render_feedback(result, title), errors="replace")
    record = {"submission": result.submission, "score": result.score, "max_score": result.max_score,
              "flags": result.flags, "outcomes": [asdict(o) for o in result.outcomes]}
    (folder / OUTCOMES).write_text(json.dumps(record, indent=1))


def unreported(result: SubmissionResult, exc: BaseException) -> SubmissionResult:
    """``result`` with every test 0 and a one-line reason: its own report could not be written."""
    reason = f"The report of this submission could not be written ({type(exc).__name__}); tell your instructor."
    outcomes = [Outcome(name=o.name, test_id=o.test_id, max_score=o.max_score, score=0.0, kind="internal",
                        output=reason, visibility=o.visibility) for o in result.outcomes]
    return SubmissionResult(result.submission, outcomes, load_notes=[reason])


def load_record(folder: Path) -> dict | None:
    try:
        return json.loads((folder / OUTCOMES).read_text())
    except (OSError, ValueError):
        return None


def _process_main(assignment_path: str, queue, done, title: str, out_dir: str, public_only: bool) -> None:
    """One grader process: a pytest session over the jobs it pulls from ``queue``."""
    from grader.runner import run_session

    def jobs():
        while (item := queue.get()) is not None:
            yield Job(Path(item[0]), item[1])

    def on_result(result: SubmissionResult) -> None:
        try:
            save_result(result, Path(out_dir) / result.submission, title)
        except Exception as exc:  # a report that cannot be written still leaves one, and the batch goes on
            save_result(unreported(result, exc), Path(out_dir) / result.submission, title)
        done.put(result.submission)

    try:
        run_session(load_assignment(assignment_path), jobs(), on_result, public_only=public_only, hide=[out_dir])
    except AssignmentError as exc:  # an instructor error: the parent reports it in one line and stops
        done.put(("error", str(exc)))
    except Exception as exc:  # a bug of the grader: the parent stops with the type and message
        done.put(("bug", f"{type(exc).__name__}: {exc}"))


def grade_batch(assignment: Assignment, inputs: Iterable[Path], out_dir: Path, *, jobs: int | None = None,
                force: bool = False, public_only: bool = False, progress: bool = True,
                exports: bool = True) -> list[dict]:
    """Grade every submission into ``out_dir`` with ``jobs`` processes; returns the records.
    ``exports``: Gradescope exports among the inputs are expanded (see ``expand_inputs``)."""
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    all_jobs = expand_inputs(inputs, out_dir / ".exports", exports)
    todo = [j for j in all_jobs if force or load_record(out_dir / j.label) is None]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    if todo:
        _run_pool(assignment, todo, out_dir, workers, public_only, progress)
    records = [r for j in all_jobs if (r := load_record(out_dir / j.label)) is not None]
    write_csv(records, out_dir / "grades.csv")
    return records


def _run_pool(assignment, todo, out_dir, workers, public_only, progress) -> None:
    from tqdm import tqdm

    ctx = multiprocessing.get_context("spawn")
    queue, done = ctx.Queue(), ctx.Queue()
    for job in todo:
        queue.put((str(job.path), job.label))
    for _ in range(workers):
        queue.put(None)
    procs = [ctx.Process(target=_process_main, daemon=True,
                         args=(str(assignment.path), queue, done, assignment.title, str(out_dir), public_only))
             for _ in range(workers)]
    for proc in procs:
        proc.start()
    bar = tqdm(total=len(todo), unit="sub", disable=not progress, desc=assignment.name)
    try:
        finished, waited = 0, 0.0
        while finished < len(todo):
            try:
                item = done.get(timeout=1.0)
            except queue_module.Empty:
                waited += 1.0
                if not any(proc.is_alive() for proc in procs) and done.empty():
                    raise RuntimeError(f"the grader processes died with {len(todo) - finished} submission(s) left")
                if waited > _stall_timeout(assignment):
                    raise RuntimeError(f"no submission finished in {waited:.0f} s: the batch is stuck")
                continue
            if isinstance(item, tuple):
                kind, message = item
                raise AssignmentError(message) if kind == "error" else RuntimeError(message)
            finished, waited = finished + 1, 0.0
            bar.update(1)
    finally:
        bar.close()
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()


def _stall_timeout(assignment: Assignment) -> float:
    """The longest a single submission may take before the batch is declared stuck."""
    return assignment.limits.submission_seconds * 2 + 120


def write_csv(records: list[dict], path: Path) -> None:
    """One row a submission, one column a test (its score), the total, and the integrity flags."""
    names: list[str] = []
    for record in records:
        for o in record["outcomes"]:
            if o["name"] not in names:
                names.append(o["name"])
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", *names, "total", "max", "flags"])
        for record in records:
            scores = {o["name"]: o["score"] for o in record["outcomes"]}
            writer.writerow([record["submission"], *(scores.get(n, "") for n in names),
                             record["score"], record["max_score"], " | ".join(record.get("flags", []))])


def summarize(records: list[dict], top: int = 5) -> str:
    """Mean score per test, the tests most submissions fail, the most frequent diagnoses, the flagged
    submissions (forbidden shortcuts: grader.integrity)."""
    if not records:
        return "No submission graded."
    outcomes = [Outcome(**o) for r in records for o in r["outcomes"]]
    by_test: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_test.setdefault(o.name, []).append(o)
    total = sum(r["score"] for r in records) / len(records)
    lines = [f"{len(records)} submission(s); mean score {total:.2f} / {records[0]['max_score']:g}", "",
             "Mean score per test:"]
    for name, group in by_test.items():
        lines.append(f"  {sum(o.score for o in group) / len(group):6.2f} / {group[0].max_score:g}  {name}")
    failed = Counter(o.name for o in outcomes if not o.passed)
    if failed:
        lines += ["", "Tests failed most often:"]
        lines += [f"  {count:4d}  {name}" for name, count in failed.most_common(top)]
    causes = Counter(o.diagnosis or o.kind for o in outcomes if not o.passed and (o.diagnosis or o.kind != "mismatch"))
    if causes:
        lines += ["", "Most frequent causes:"]
        lines += [f"  {count:4d}  {cause}" for cause, count in causes.most_common(top)]
    flagged = [r for r in records if r.get("flags")]
    if flagged:
        lines += ["", f"Flagged for a forbidden shortcut ({len(flagged)}; see the flags column of grades.csv):"]
        lines += [f"  {r['submission']}: {r['flags'][0]}" + (f" (+{len(r['flags']) - 1} more)" if len(r["flags"]) > 1 else "")
                  for r in flagged[:20]]
    return "\n".join(lines)
