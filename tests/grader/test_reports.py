"""Reports: results.json validates against the Gradescope schema, hides what it must, is written atomically."""

import json

import jsonschema
import pytest

from grader.outcome import AFTER_DUE_DATE, Outcome, SubmissionResult
from grader.report.feedback import render_feedback
from grader.report.gradescope import InvalidReport, results_json, validate, write_results
from grader.report.terminal import render_table
from grader.report.text import clean

from helpers import SCHEMA


def _result():
    return SubmissionResult("alice", [
        Outcome("affine_forward: output matches the reference", "t1", 2, 2, "passed", "Passed."),
        Outcome("affine_backward: dx matches the reference", "t2", 3, 0, "mismatch",
                "dx differs: only the last column differs", diagnosis="padding off by one"),
        Outcome("affine_backward: hidden shapes", "t3", 1, 0, "mismatch",
                "dx differs: DIAGNOSIS-after-due-date", visibility=AFTER_DUE_DATE,
                instructor_output="Traceback: expected [1.0, 2.0] CANARY-secret"),
    ], load_notes=["layers.py: the block at line 12 has a syntax error and was left out"], execution_time=0.25)


def test_results_json_validates_against_the_shared_schema(tmp_path):
    report = results_json(_result(), "HW")
    jsonschema.validate(report, SCHEMA)
    write_results(report, tmp_path / "results.json")
    written = json.loads((tmp_path / "results.json").read_text())
    jsonschema.validate(written, SCHEMA)
    assert written["score"] == 2.0
    assert [t["status"] for t in written["tests"]] == ["passed", "failed", "failed"]
    assert written["tests"][2]["visibility"] == "after_due_date"
    assert list(tmp_path.iterdir()) == [tmp_path / "results.json"]  # no temp file left behind


def test_hidden_tests_carry_their_diagnosis_after_the_due_date_and_the_detail_for_instructors():
    report = results_json(_result())
    hidden = report["tests"][2]
    assert hidden["visibility"] == "after_due_date" and "DIAGNOSIS-after-due-date" in hidden["output"]
    assert "CANARY" in hidden["extra_data"]["detail"]  # stored for instructors, never displayed
    assert all("CANARY" not in t["output"] for t in report["tests"]) and "CANARY" not in report["output"]
    assert "extra_data" not in report["tests"][0]
    feedback = render_feedback(_result())  # the local file a student may be given before the due date
    assert "CANARY" not in feedback and "DIAGNOSIS" not in feedback and "after the due date" in feedback
    assert "CANARY" not in render_table(_result()) and "DIAGNOSIS" in render_table(_result())
    assert "CANARY" in render_table(_result(), show_hidden_details=True)  # the instructor's view


def test_invalid_report_is_refused_and_nothing_is_written(tmp_path):
    report = results_json(_result())
    report["tests"][0]["score"] = "2"
    with pytest.raises(InvalidReport, match="tests/0/score"):
        write_results(report, tmp_path / "results.json")
    assert not (tmp_path / "results.json").exists()


def test_nan_score_cannot_be_written(tmp_path):
    report = results_json(_result())
    report["score"] = float("nan")
    with pytest.raises(ValueError):
        write_results(report, tmp_path / "results.json")


def test_student_text_is_cleaned_and_capped():
    assert clean("ok\x1b[31mred\r", 100) == "ok\\x1b[31mred\\x0d"
    long = clean("x" * 10_000, 500)
    assert len(long) <= 500 and "[truncated]" in long


def test_output_with_a_flood_stays_small():
    result = _result()
    result.outcomes[1].output = "A" * 2_000_000
    report = results_json(result)
    validate(report)
    assert len(json.dumps(report)) < 20_000


def test_terminal_table_and_feedback_list_every_test():
    table = render_table(_result(), title="HW")
    assert "FAIL  0/3  affine_backward: dx matches the reference" in table
    assert "only the last column differs" in table
    assert "Total: 2/6" in table
    feedback = render_feedback(_result())
    assert "**Score: 2 / 6**" in feedback and "| **fail** | 0/3 |" in feedback


def test_a_hidden_bare_assert_never_quotes_the_test_source():
    from grader.plugin import without_assert_source

    rewritten = "assert False\n +  where False = <function all at 0x1>(array([1.]) < SECRET_BOUND)"
    assert without_assert_source(rewritten) == "a check of this hidden test failed"
    assert without_assert_source("the loss should fall\nassert 3.0 < 2.0") == "the loss should fall"
    assert without_assert_source("out differs: 3 of 6 entries") == "out differs: 3 of 6 entries"


def test_a_message_many_tests_share_is_said_once_with_their_names():
    missing = "KNN is not defined in any file of your submission"
    outcomes = [Outcome(f"KNN.method{i}: test", f"t{i}", 1, 0, "missing", missing) for i in range(22)]
    outcomes.append(Outcome("SVM.loss: loss", "t99", 1, 0, "mismatch", "loss differs"))
    result = SubmissionResult("bob", outcomes)
    for text in (render_table(result), render_feedback(result)):
        assert text.count(missing) == 1 and text.count("loss differs") == 1
        assert "(22 tests)" in text and "KNN.method0: test" in text and "17 more" in text
