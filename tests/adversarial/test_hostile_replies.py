"""Hostile replies (issue 13): whatever bytes a student's code writes into its worker's socket, the
grader decodes them into a value or a WireError, and the submission gets its report.

A fuzzer feeds mutated frames to the grader's own decoder (recv_frame + decode, and the Sandbox's reply
handling); real workers running student code that forges frames are graded in one real session.
"""
import json
import socket
import threading
import time

import jsonschema
import pytest

from adversarial import hostile
from helpers import MINI, SCHEMA, write_submission

from grader.assignment import load_assignment
from grader.report.gradescope import results_json
from grader.runner import grade_many
from grader.sandbox import Sandbox
from grader.sandbox.worker import wire
from grader.sandbox.errors import StudentError

FUZZ_SEED, FUZZ_COUNT = 13, 400


def _receive(data):
    """recv_frame over a real socket pair from ``data`` (the writer then hangs up)."""
    mine, theirs = socket.socketpair()
    writer = threading.Thread(target=lambda: (theirs.sendall(data), theirs.shutdown(socket.SHUT_WR)), daemon=True)
    writer.start()
    try:
        return wire.recv_frame(mine, time.monotonic() + 5)
    finally:
        mine.close()
        writer.join(5)
        theirs.close()


def test_the_fuzzer_makes_frames_that_decode_and_frames_that_do_not():
    decoded = refused = 0
    for data in hostile.fuzzed_frames(FUZZ_SEED, 60):
        try:
            header, bufs = _receive(data)
            wire.decode(header.get("ok"), bufs, lambda key, obj: ("handle", obj))
            decoded += 1
        except (wire.WireError, wire.Closed):
            refused += 1
    assert decoded >= 5 and refused >= 5, (decoded, refused)


def test_fuzzed_frames_give_a_value_or_a_wire_error():
    for k, data in enumerate(hostile.fuzzed_frames(FUZZ_SEED, FUZZ_COUNT)):
        try:
            header, bufs = _receive(data)
            wire.decode(header.get("ok"), bufs, lambda key, obj: ("handle", obj))
        except (wire.WireError, wire.Closed):
            pass
        except Exception as exc:  # pragma: no cover - the failure message
            pytest.fail(f"frame {k} ({data[:120]!r}) raised {type(exc).__name__}: {exc}")


def test_fuzzed_replies_reach_the_sandbox_as_student_errors_only(tmp_path):
    """The Sandbox's own handling of a received reply (flags, notes, errors, values): a StudentError
    (a verdict on the submission) or a value, nothing else. No worker is started."""
    sb = Sandbox({"modules": {}, "names": {}}, tmp_path)
    outcomes = []
    try:
        for data in hostile.fuzzed_frames(FUZZ_SEED + 1, FUZZ_COUNT):
            try:
                reply, bufs = _receive(data)
            except (wire.WireError, wire.Closed):
                continue
            try:
                sb.read_reply(reply, bufs, sb.root)
                outcomes.append("value")
            except StudentError:
                outcomes.append("student error")
            except Exception as exc:  # noqa: BLE001 - the point of the test
                outcomes.append(f"escaped: {type(exc).__name__}: {exc}")
    finally:
        sb.close()
    assert "student error" in outcomes, outcomes[:20]
    assert all(o in ("value", "student error") for o in outcomes), [o for o in outcomes if o.startswith("escaped")]


@pytest.mark.parametrize("attack", sorted(hostile.ATTACKS))
def test_each_attack_frame_is_refused_or_decoded_by_the_grader_decoder(attack):
    """Any other exception (a ValueError from numpy, a MemoryError) would escape into the session."""
    outcomes = []
    for data in hostile.frames_of(attack):
        try:
            header, bufs = _receive(data)
            wire.decode(header.get("ok"), bufs, lambda key, obj: ("handle", obj))
            outcomes.append("decoded")
        except (wire.WireError, wire.Closed):
            outcomes.append("refused")
        except Exception as exc:  # noqa: BLE001 - the point of the test
            outcomes.append(f"escaped: {type(exc).__name__}: {exc}")
    assert outcomes and all(o in ("decoded", "refused") for o in outcomes), outcomes


def test_the_zero_size_array_of_huge_shape_is_a_wire_error():
    header = {"$a": ["float64", [0, 10 ** 30], 0]}
    with pytest.raises(wire.WireError):
        wire.decode(header, [memoryview(b"")])
    assert wire.decode({"$a": ["float64", [0, 3], 0]}, [memoryview(b"")]).shape == (0, 3)


def test_one_buffer_never_backs_two_arrays():
    two = {"$t": [{"$a": ["float64", [1], 0]}, {"$a": ["float64", [1], 0]}]}
    with pytest.raises(wire.WireError):
        wire.decode(two, [bytearray(8)])
    a, b = wire.decode({"$t": [{"$a": ["float64", [1], 0]}, {"$a": ["float64", [1], 1]}]},
                       [bytearray(8), bytearray(8)])
    a[0] = 1.0
    assert b[0] == 0.0 and a.flags.writeable


def test_caps_are_checked_before_parsing():
    with pytest.raises(wire.WireError, match="over the cap"):
        _receive(hostile.frames_of("many_empty_buffers")[0])
    with pytest.raises(wire.WireError, match="over the cap"):
        _receive(hostile.frames_of("header_size_lies")[0])
    header = json.dumps({"id": 1, "ok": None, "nb": [0] * (wire.BUFFERS_CAP + 1)}).encode()
    with pytest.raises(wire.WireError, match="cap"):
        _receive(len(header).to_bytes(8, "big") + header)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The honest twin and one submission per attack, graded in one real session (real workers)."""
    tmp = tmp_path_factory.mktemp("hostile")
    names = [None] + sorted(hostile.ATTACKS) + ["honest_last"]
    subs = [write_submission(tmp / (name or "honest"), {"layers.py": hostile.module(name)})
            for name in names[:-1]] + [write_submission(tmp / "honest_last", {"layers.py": hostile.module(None)})]
    results = grade_many(load_assignment(MINI), subs)
    return dict(zip(names, results))


def test_the_honest_twin_passes(graded):
    assert graded[None].score == graded[None].max_score > 0


@pytest.mark.parametrize("attack", sorted(hostile.ATTACKS))
def test_a_forged_reply_gets_a_valid_report_and_never_more_than_its_twin(graded, attack):
    result = graded[attack]
    report = results_json(result, "mini")
    jsonschema.validate(report, SCHEMA)
    assert len(result.outcomes) == len(graded[None].outcomes)
    assert result.score <= graded[None].score
    assert all(o.kind in ("passed", "crash", "bad_value", "error", "timeout", "budget") for o in result.outcomes)
    assert not any(o.kind == "internal" for o in result.outcomes)


def test_the_session_goes_on_after_every_attack(graded):
    assert len(graded) == len(hostile.ATTACKS) + 2
    assert all(len(r.outcomes) == len(graded[None].outcomes) for r in graded.values())
    assert graded["honest_last"].score == graded[None].score
