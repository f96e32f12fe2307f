"""``OUT/report.html``: a batch at a glance, for the instructor. One self-contained page (inline CSS and
SVG, no script, nothing fetched): the score distribution, each test's pass rate, the most frequent
causes of failure, and every submission with its score, its cause and links to its feedback."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from grader.batch_summary import cause_in_words, count_causes
from grader.outcome import PASSING_KINDS

BINS = 10
STYLE = """body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.5em}
table{border-collapse:collapse;margin:1em 0}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.bar{background:#4a7fc1;height:10px;display:inline-block}
.low{color:#a00}svg text{font-size:11px;fill:#333}"""


def render_report(records: list[dict], title: str) -> str:
    """The page for ``records`` (grader.batch's outcomes.json records)."""
    if not records:
        return _page(title, "<p>No submission graded yet.</p>")
    max_score = records[0]["max_score"] or 1.0
    scores = [r["score"] for r in records]
    mean = sum(scores) / len(scores)
    parts = [f'<p id="overview">{len(records)} submissions; mean {mean:.2f} / {max_score:g}; '
             f'{sum(s >= max_score for s in scores)} with full marks.</p>',
             "<h2>Score distribution</h2>", histogram(scores, max_score),
             "<h2>Pass rate per test</h2>", _pass_rates(records),
             "<h2>Most frequent causes</h2>", _causes(records),
             "<h2>Submissions</h2>", _submissions(records)]
    return _page(title, "\n".join(parts))


def histogram(scores: list[float], max_score: float, width: int = 520, height: int = 160) -> str:
    """An inline SVG bar chart: how many scores fall in each tenth of ``[0, max_score]`` (full marks
    in the last bar)."""
    counts = [0] * BINS
    for score in scores:
        counts[min(BINS - 1, max(0, int(score / max_score * BINS)))] += 1
    top, bar = max(counts) or 1, width // BINS
    rects, labels = [], []
    for i, count in enumerate(counts):
        h = round((height - 40) * count / top)
        x, y = i * bar, height - 20 - h
        low, high = max_score * i / BINS, max_score * (i + 1) / BINS
        rects.append(f'<rect class="bin" x="{x + 2}" y="{y}" width="{bar - 4}" height="{h}" fill="#4a7fc1" '
                     f'data-count="{count}"><title>{low:g}–{high:g}: {count}</title></rect>')
        labels.append(f'<text x="{x + bar // 2}" y="{height - 5}" text-anchor="middle">{low:g}</text>')
        if count:
            labels.append(f'<text x="{x + bar // 2}" y="{y - 3}" text-anchor="middle">{count}</text>')
    return (f'<svg id="histogram" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="score distribution">{"".join(rects)}{"".join(labels)}</svg>')


def _pass_rates(records: list[dict]) -> str:
    rows: dict[str, list[int]] = {}
    for record in records:
        for o in record["outcomes"]:
            passed, seen = rows.setdefault(o["name"], [0, 0])
            rows[o["name"]] = [passed + (o["kind"] in PASSING_KINDS), seen + 1]
    body = []
    for name, (passed, seen) in rows.items():
        rate = passed / seen
        body.append(f'<tr><td>{escape(name)}</td><td class="num">{rate:.0%}</td>'
                    f'<td><span class="bar" style="width:{round(rate * 120)}px"></span></td></tr>')
    return f'<table id="tests"><tr><th>test</th><th>passed</th><th></th></tr>{"".join(body)}</table>'


def _causes(records: list[dict], top: int = 10) -> str:
    causes = count_causes([o for r in records for o in r["outcomes"]])
    if not causes:
        return "<p>None named.</p>"
    items = "".join(f"<li>{count} × {escape(cause)}</li>" for cause, count in causes.most_common(top))
    return f'<ol id="causes">{items}</ol>'


def _submissions(records: list[dict]) -> str:
    body = []
    for r in sorted(records, key=lambda r: (r["score"], r["submission"])):
        label = r["submission"]
        who = ", ".join(m.get("name", "") for m in r.get("submitters") or [] if m.get("name"))
        low = ' class="low"' if r["score"] < r["max_score"] else ""
        cause = "" if r["score"] >= r["max_score"] else escape(cause_in_words(r))
        body.append(f'<tr{low}><td>{escape(label)}</td><td>{escape(who)}</td>'
                    f'<td class="num">{r["score"]:g} / {r["max_score"]:g}</td><td>{cause}</td>'
                    f'<td><a href="{quote(label)}/feedback.md">feedback</a> · '
                    f'<a href="{quote(label)}/results.json">results.json</a></td></tr>')
    return ('<table id="submissions"><tr><th>submission</th><th>students</th><th>score</th><th>cause</th>'
            f'<th></th></tr>{"".join(body)}</table>')


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>\n{body}\n</body></html>\n')
