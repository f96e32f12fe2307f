"""``OUT/report.html`` of a real batch, loaded in headless Chromium: what the page shows once rendered
(the score histogram, each test's pass rate, the causes, the submissions with working links)."""

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import MINI, ROOT, write_submission

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CORRECT = (MINI / "examples" / "correct" / "layers.py").read_text()
WRONG = (MINI / "examples" / "wrong" / "layers.py").read_text()
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")


class Page(HTMLParser):
    """The rendered DOM: bars of the histogram, rows of each table, links, text of each element id."""

    def __init__(self):
        super().__init__()
        self.bins, self.rows, self.links, self.text, self._stack, self._table = [], {}, [], {}, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "rect" and attrs.get("class") == "bin":
            self.bins.append(int(attrs["data-count"]))
        if tag == "table":
            self._table = attrs.get("id")
            self.rows[self._table] = []
        if tag == "tr" and self._table:
            self.rows[self._table].append([])
        if tag == "a":
            self.links.append(attrs["href"])
        self._stack.append(attrs.get("id"))

    def handle_endtag(self, tag):
        if self._stack:
            self._stack.pop()
        if tag == "table":
            self._table = None

    def handle_data(self, data):
        for element in filter(None, self._stack):
            self.text[element] = self.text.get(element, "") + data
        if self._table and self.rows[self._table] and data.strip():
            self.rows[self._table][-1].append(data.strip())


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("html")
    subs = [write_submission(tmp / name, {"layers.py": code}) for name, code in
            [("ann", CORRECT), ("bob", WRONG), ("cy", CORRECT), ("dee", "def affine_forward(x, w, b)\n")]]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(MINI), *map(str, subs), "--out",
                           str(tmp / "out"), "--quiet"], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return tmp / "out" / "report.html"


def _chromium(*args, tmp):
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp}", *args], capture_output=True,
                          text=True, timeout=120)


def test_the_rendered_page_shows_the_batch(report, tmp_path):
    dom = _chromium("--dump-dom", report.as_uri(), tmp=tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr
    page = Page()
    page.feed(dom.stdout)
    assert "4 submissions; mean 2.25 / 4; 2 with full marks" in page.text["overview"]
    assert len(page.bins) == 10 and sum(page.bins) == 4 and page.bins[-1] == 2 and page.bins[0] == 1
    tests = {row[0]: row[1] for row in page.rows["tests"][1:]}
    assert tests["relu_forward: output matches the reference"] == "75%"
    assert tests["affine_forward: output matches the reference"] == "50%"
    order = [row[0] for row in page.rows["submissions"][1:]]
    assert order == ["dee", "bob", "ann", "cy"]  # lowest first
    assert "SyntaxError" in " ".join(page.rows["submissions"][1])
    for link in page.links:
        assert (report.parent / link).is_file(), link


def test_the_page_is_self_contained(report, tmp_path):
    text = report.read_text()
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in text
    assert "<script" not in text
    shot = tmp_path / "report.png"
    proc = _chromium(f"--screenshot={shot}", "--window-size=900,1200", report.as_uri(), tmp=tmp_path / "profile")
    assert proc.returncode == 0 and shot.stat().st_size > 10_000, proc.stderr
