"""What a batch tells the instructor: ``grades.csv`` (a row per student, a column per test) and the
summary printed at the end (means, the tests failed most, the most frequent causes, the lowest scores
with their cause in words, the flagged submissions)."""

from __future__ import annotations

import csv
import importlib
import pkgutil
from collections import Counter
from functools import cache
from pathlib import Path

from grader.checks.misconceptions import name_of
from grader.outcome import PASSING_KINDS, Outcome
from grader.roster import FIELDS


def write_csv(records: list[dict], path: Path) -> None:
    """One row a submitter (a group submission gives each member a row; a submission without roster
    one row), one column a test (its score), the total, and the integrity flags."""
    names: list[str] = []
    for record in records:
        for o in record["outcomes"]:
            if o["name"] not in names:
                names.append(o["name"])
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", *FIELDS, *names, "total", "max", "flags"])
        for record in records:
            scores = {o["name"]: o["score"] for o in record["outcomes"]}
            row = [*(scores.get(n, "") for n in names), record["score"], record["max_score"],
                   " | ".join(record.get("flags", []))]
            for member in record.get("submitters") or [dict.fromkeys(FIELDS, "")]:
                writer.writerow([record["submission"], *(member.get(f, "") for f in FIELDS), *row])


def cause_in_words(record: dict) -> str:
    """Why a submission lost its points, in a few words: a note on its files when every failure is a
    missing name or an error while loading ("layers.py: syntax error at line 12", "no code found"),
    else the failure shared by most of its failed tests."""
    failed = [o for o in record["outcomes"] if o["kind"] not in PASSING_KINDS]
    if not failed:
        return "every test passed"
    notes = record.get("load_notes") or []
    if notes and all(o["kind"] in ("missing", "crash", "error") for o in failed):
        return notes[0]
    if all(o["kind"] == "missing" for o in failed):
        return "no code found for the graded names"
    first_lines = Counter((_causes_of(o) or [_first_line(o)])[0] for o in failed)
    return first_lines.most_common(1)[0][0][:160]


def _first_line(outcome: dict) -> str:
    return outcome["output"].strip().splitlines()[0] if outcome["output"].strip() else outcome["kind"]


def count_causes(outcomes: list[dict]) -> Counter:
    """How many failed outcomes name each cause: a misconception under its registry name (one mistake,
    one name, whatever details its diagnosis gave), a diagnosis that names none by its words, else the
    kind of failure (a mismatch without a diagnosis names no cause)."""
    counts: Counter = Counter()
    for o in outcomes:
        if o["kind"] not in PASSING_KINDS:
            counts.update(_causes_of(o) or ([o["kind"]] if o["kind"] != "mismatch" else []))
    return counts


def _causes_of(outcome: dict) -> list[str]:
    """The causes a failed outcome names: its misconceptions' names, else its diagnosis ([] for none)."""
    ids = outcome.get("misconceptions") or []
    if ids:
        return [misconception_name(i) for i in dict.fromkeys(ids)]
    return [outcome["diagnosis"]] if outcome.get("diagnosis") else []


@cache
def _load_vocabulary() -> None:
    """Import every topic module: each registers its misconceptions (a batch may be summarized by a
    process that graded nothing: resumed, or graded in worker processes)."""
    import grader.topics
    for module in pkgutil.iter_modules(grader.topics.__path__):
        importlib.import_module(f"grader.topics.{module.name}")


def misconception_name(id: str) -> str:
    """The name a batch counts misconception ``id`` under (the id itself for one no module registers)."""
    _load_vocabulary()
    return name_of(id)


def summarize(records: list[dict], top: int = 5) -> str:
    """Mean score per test, the tests most submissions fail, the most frequent diagnoses, the lowest
    scores with their cause, the flagged submissions (forbidden shortcuts: grader.integrity)."""
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
    causes = count_causes([o for r in records for o in r["outcomes"]])
    if causes:
        lines += ["", "Most frequent causes:"]
        lines += [f"  {count:4d}  {cause}" for cause, count in causes.most_common(top)]
    lowest = sorted((r for r in records if r["score"] < r["max_score"]), key=lambda r: (r["score"], r["submission"]))
    if lowest:
        lines += ["", "Lowest scores:"]
        lines += [f"  {r['score']:6g} / {r['max_score']:g}  {r['submission']}: {cause_in_words(r)}"
                  for r in lowest[:top]]
    flagged = [r for r in records if r.get("flags")]
    if flagged:
        lines += ["", f"Flagged for a forbidden shortcut ({len(flagged)}; see the flags column of grades.csv):"]
        lines += [f"  {r['submission']}: {r['flags'][0]}"
                  + (f" (+{len(r['flags']) - 1} more)" if len(r["flags"]) > 1 else "")
                  for r in flagged[:20]]
    return "\n".join(lines)
