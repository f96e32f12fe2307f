"""Golden values that depend on a submission's own inputs: recorded once per distinct input, replayed
for inputs close to a recorded one, refused with a verdict the student can read for others."""
import numpy as np
import pytest

from grader.checks import CheckFailure
from grader.golden import GoldenStore, GoldenUnknownInputs


def test_values_by_inputs_round_trip_and_unknown_inputs_are_a_verdict(tmp_path):
    store = GoldenStore("record")
    golden = store.getter("t::theta")
    first, second = np.linspace(0, 1, 5), np.linspace(1, 2, 5)
    fit = lambda x: (lambda ref: {"sum": float(np.sum(x)), "shape": x.shape})
    for x in (first, second, first.copy()):
        golden("fit", fit(x), inputs=(x, 2 * x))
    assert len(store.values["t::theta"]["fit (by inputs)"]) == 2       # the third is the first again
    store.save(tmp_path / "golden.json")
    replay = GoldenStore.load(tmp_path / "golden.json").getter("t::theta")
    never = lambda ref: pytest.fail("a kit never computes")
    assert replay("fit", never, inputs=(second * (1 + 1e-12), 2 * second))["sum"] == pytest.approx(7.5)
    assert replay("fit", never, inputs=(first, 2 * first))["sum"] == pytest.approx(2.5)
    with pytest.raises(GoldenUnknownInputs, match="Cannot be checked with this kit") as info:
        replay("fit", never, inputs=(first + 1e-3, 2 * first))
    assert isinstance(info.value, CheckFailure)
    with pytest.raises(GoldenUnknownInputs):
        replay("fit", never, inputs=(first[:4], 2 * first[:4]))
