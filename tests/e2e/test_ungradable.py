"""A submission that cannot be graded gets every test 0 with a one-line reason, and the session goes on
(issue 13): a path gone by the time it is graded, a folder whose graded file is a named pipe."""
import os

import jsonschema

from helpers import MINI, SCHEMA, write_submission

from grader.assignment import load_assignment
from grader.report.gradescope import results_json
from grader.runner import grade_many

CORRECT = (MINI / "examples" / "correct" / "layers.py").read_text()


def test_ungradable_submissions_get_reports_and_the_next_one_is_graded(tmp_path):
    gone = tmp_path / "gone"
    piped = tmp_path / "piped"
    piped.mkdir()
    os.mkfifo(piped / "layers.py")
    last = write_submission(tmp_path / "last", {"layers.py": CORRECT})
    results = grade_many(load_assignment(MINI), [gone, piped, last])
    for result in results:
        jsonschema.validate(results_json(result, "mini"), SCHEMA)
    missing, fifo, correct = results
    assert missing.score == 0 and all(o.kind == "error" for o in missing.outcomes)
    assert all("could not be graded" in o.output and "no such file" in o.output for o in missing.outcomes)
    assert len(missing.load_notes) == 1 and "\n" not in missing.load_notes[0]
    assert fifo.score == 0 and any("not a regular file" in note for note in fifo.load_notes)
    assert correct.score == correct.max_score == 4.0
