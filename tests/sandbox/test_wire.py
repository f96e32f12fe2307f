"""The wire protocol alone: tagged values, exact types, caps and rejections (no processes)."""
import json
import math
import socket

import numpy as np
import pytest

from grader.sandbox.worker import wire


def round_trip(value):
    enc = wire.Encoder(lambda x: (_ for _ in ()).throw(wire.WireError("leaf")))
    tagged = enc.encode(value)
    bufs = [bytearray(b) for b in enc.buffers]
    return wire.decode(json.loads(json.dumps(tagged, allow_nan=False)), bufs)


def test_every_data_type_round_trips_with_its_exact_type():
    value = {"none": None, "t": True, "i": -3, "f": 2.5, "s": "héllo", "l": [1, [2]], "tu": (1, (2.0,)),
             7: "int key", "a": np.arange(6.0).reshape(2, 3), "e": np.zeros((0, 3))}
    back = round_trip(value)
    assert back.keys() == value.keys()
    assert type(back["tu"]) is tuple and type(back["tu"][1]) is tuple and type(back["l"][1]) is list
    assert type(back["i"]) is int and type(back["f"]) is float and back["t"] is True
    assert type(back["a"]) is np.ndarray and back["a"].flags.writeable and back["a"].flags.aligned
    assert not np.shares_memory(back["a"], back["e"])
    np.testing.assert_array_equal(back["a"], value["a"])
    assert back["e"].shape == (0, 3)


def test_nan_and_inf_are_preserved():
    back = round_trip([math.nan, math.inf, -math.inf, np.array([np.nan, np.inf])])
    assert math.isnan(back[0]) and back[1] == math.inf and back[2] == -math.inf
    assert np.isnan(back[3][0]) and back[3][1] == np.inf


@pytest.mark.parametrize("dtype, expected", [(np.int32, np.int64), (np.uint8, np.int64),
                                             (np.float16, np.float32), (np.float32, np.float32),
                                             (np.bool_, np.bool_), (">f8", np.float64)])
def test_array_dtypes_are_normalised(dtype, expected):
    a = np.arange(4).astype(dtype)
    back = round_trip(a)
    assert back.dtype == expected and np.array_equal(back, a.astype(expected))


def test_numpy_scalars_become_python_numbers():
    back = round_trip([np.float64(1.5), np.int32(3), np.bool_(True)])
    assert [type(v) for v in back] == [float, int, bool]


@pytest.mark.parametrize("value", [np.array([1, "x"], dtype=object), np.array([1j]), np.arange(2.0).view(type("Sub", (np.ndarray,), {})),
                                   {(1, 2): 3}, 1j, object()])
def test_non_data_goes_to_the_leaf(value):
    with pytest.raises(wire.WireError):
        round_trip(value)


@pytest.mark.parametrize("tagged, bufs", [
    ({"$a": ["object", [1], 0]}, [bytearray(8)]),
    ({"$a": ["float64", [2], 0]}, [bytearray(8)]),
    ({"$a": ["float64", [-1], 0]}, [bytearray(8)]),
    ({"$h": 1}, []), ({"$x": 1}, []), ({"a": 1}, []), ([1, 2], []), ({"$f": "1e5"}, []),
    ({"$d": [[[1], 2]]}, []), ({"$l": "abc"}, [])])
def test_decoder_rejects_what_the_protocol_does_not_allow(tagged, bufs):
    with pytest.raises(wire.WireError):
        wire.decode(tagged, bufs)


def test_decoder_rejects_deep_nesting_and_huge_strings():
    deep = 1
    for _ in range(200):
        deep = {"$l": [deep]}
    with pytest.raises(wire.WireError):
        wire.decode(deep, [])
    with pytest.raises(wire.WireError):
        wire.decode("x" * (wire.STR_CAP + 100), [])


def test_frames_over_the_caps_are_refused_before_reading():
    a, b = socket.socketpair()
    with a, b:
        a.sendall((10**12).to_bytes(8, "big"))
        with pytest.raises(wire.WireError):
            wire.recv_frame(b, deadline=None)
        wire.send_frame(a, {"x": 1}, [memoryview(bytearray(100))])
        with pytest.raises(wire.WireError):
            wire.recv_frame(b, deadline=None, bytes_cap=50)


def test_a_frame_round_trips_over_a_socket():
    a, b = socket.socketpair()
    with a, b:
        enc = wire.Encoder(lambda x: None)
        v = enc.encode((np.ones((3, 3), np.float32), "ok"))
        wire.send_frame(a, {"v": v}, enc.buffers)
        header, bufs = wire.recv_frame(b, deadline=None)
        back = wire.decode(header["v"], bufs)
        assert back[1] == "ok" and back[0].dtype == np.float32 and back[0].sum() == 9


def test_float32_scalars_stay_float32_as_0d_arrays():
    back = round_trip([np.float32(0.1), np.float16(2.0), np.float64(0.1)])
    assert type(back[0]) is np.ndarray and back[0].dtype == np.float32 and back[0].shape == ()
    assert back[0] == np.float32(0.1) and back[1].dtype == np.float32 and back[1] == 2.0
    assert type(back[2]) is float and back[2] == 0.1


def test_dict_subclasses_and_namedtuples_arrive_as_exact_types():
    import collections

    class Lying(dict):  # its own methods lie; only dict's slots are read
        def items(self):
            return [("fake", 1)]

        def keys(self):
            return ["fake"]

        def __iter__(self):
            return iter(["fake"])

        def __getitem__(self, key):
            return "fake"

    Point = collections.namedtuple("Point", "x y")
    counts = collections.defaultdict(list)
    counts["a"].append(1)
    value = {"od": collections.OrderedDict([("W1", np.ones(2)), ("b1", 0.5)]), "dd": counts,
             "lying": Lying(real=2), "point": Point(1, np.zeros(1))}
    back = round_trip(value)
    assert type(back["od"]) is dict and list(back["od"]) == ["W1", "b1"] and back["od"]["b1"] == 0.5
    assert type(back["dd"]) is dict and back["dd"] == {"a": [1]}
    assert type(back["lying"]) is dict and back["lying"] == {"real": 2}
    assert type(back["point"]) is tuple and back["point"][0] == 1


def test_other_subclasses_and_odd_keys_still_go_to_the_leaf():
    import collections

    class Pair(tuple):
        pass

    class Derived(collections.namedtuple("Base", "a b")):
        def total(self):
            return self.a + self.b

    for value in (collections.OrderedDict([((1, 2), 3)]), Pair((1, 2)), Derived(1, 2),):
        with pytest.raises(wire.WireError):
            round_trip(value)
