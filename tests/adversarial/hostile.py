"""Hostile replies: frames a student's code writes into its worker's socket, and a fuzzer of frames.

``forging_module(frames)`` is a submission's ``layers.py`` that writes ``frames`` (bytes) into every
socket it can find, at import (while the grader loads it) and again in each graded call; the functions
are otherwise correct, so the honest twin is the same file without the forging.
"""
import json
import random
import struct

import numpy as np

from grader.sandbox.worker import wire

CORRECT = """import numpy as np


def affine_forward(x, w, b):
    _forge()
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)


def relu_forward(x):
    _forge()
    return np.maximum(x, 0), x
"""

FRAMES_SRC = """import json as _json, struct as _struct

IDS = range(1, 4)


def frame(header, buffers=b"", raw_size=None):
    \"\"\"A frame's bytes: the !Q size, the JSON header as given (nb not added), then the buffers.\"\"\"
    data = header if isinstance(header, bytes) else _json.dumps(header, separators=(",", ":")).encode()
    return _struct.pack("!Q", len(data) if raw_size is None else raw_size) + data + buffers


def replies(ok, nb=(), buffers=b""):
    return [frame({"id": i, "ok": ok, "nb": list(nb), "notes": [], "out": ""}, buffers) for i in IDS]
"""

# name -> Python expression of the frames; ``IDS`` holds the id of the request the forged reply answers
ATTACKS = {
    "zero_size_huge_shape": 'replies({"$a": ["float64", [0, 10 ** 30], 0]}, nb=[0])',
    "huge_shape_product": 'replies({"$a": ["float64", [0, 2 ** 31 - 1, 2 ** 31 - 1], 0]}, nb=[0])',
    "unhashable_dtype": 'replies({"$a": [["float64"], [1], 0]}, nb=[8], buffers=bytes(8))',
    "one_buffer_twice": 'replies({"$t": [{"$a": ["float64", [1], 0]}, {"$a": ["float64", [1], 0]}]}, '
                        'nb=[8], buffers=bytes(8))',
    "deep_nesting": '[frame(b\'{"id":1,"nb":[],"ok":\' + b\'{"$l":[\' * 5000 + b"]}" * 5000 + b"}")]',
    "many_empty_buffers": '[frame(b\'{"id":1,"ok":null,"nb":[\' + b"0," * 4_000_000 + b"0]}")]',
    "many_small_containers": '[frame(b\'{"id":1,"ok":null,"nb":[],"x":[\' + b"{}," * 2_000_000 + b"{}]}")]',
    "header_size_lies": '[frame({"id": 1, "ok": None, "nb": []}, raw_size=2 ** 40)]',
    "buffer_size_lies": 'replies(None, nb=[2 ** 40])',
    "not_a_dict": '[frame([1, 2, 3])]',
    "bad_utf8": '[frame(b\'{"id":1,"ok":"\\xff\\xfe","nb":[]}\'.replace(b"\\\\xff\\\\xfe", b"\\xff\\xfe"))]',
    "huge_int": '[frame(b\'{"id":1,"nb":[],"ok":\' + b"9" * 5000 + b"}")]',
    "remote_handle_forged": 'replies({"$h": "x", "type": ["a"]})',
    "reference_in_reply": 'replies({"$r": None, "p": [["a", "affine_forward"]]})',
    "error_of_wrong_shape": '[frame({"id": i, "err": ["x"], "nb": [], "notes": {"a": 1}, "out": 5, '
                            '"flags": [[1]], "calls": "x", "fast": [{"a": []}]}) for i in IDS]',
}

FORGER = """

def _request_id():
    # the id of the request being served, read from the worker's own frames (an attacker can)
    import sys
    f = sys._getframe()
    while f is not None:
        req = f.f_locals.get("req")
        if type(req) is dict and type(req.get("id")) is int:
            return req["id"]
        f = f.f_back
    return 1


def _forge():
    global IDS
    import os, stat
    IDS = [_request_id()]
    frames = {frames}
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                for frame_ in frames:
                    os.write(fd, frame_)
        except OSError:
            pass


_forge()
"""

HONEST = "def _forge():\n    pass\n"


def frames_of(attack):
    """The frames (bytes) of ``attack``, built as the student's code builds them."""
    namespace = {}
    exec(FRAMES_SRC, namespace)
    return eval(ATTACKS[attack], namespace)


def module(attack):
    """The layers.py of a submission making ``attack`` (a key of ATTACKS, or None: the honest twin)."""
    prelude = HONEST if attack is None else FRAMES_SRC + FORGER.format(frames=ATTACKS[attack])
    return prelude + "\n\n" + CORRECT


# ---------------------------------------------------------------- the fuzzer of frames

def _value(rng, depth=0):
    """A random value the worker could honestly send."""
    kind = rng.randrange(9 if depth < 3 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False, 0, -7, 2 ** 40])
    if kind == 2:
        return rng.choice([0.5, -1e300, float("nan"), float("inf")])
    if kind == 3:
        return "".join(rng.choice("ab\u00e9\u4e2d\\\"") for _ in range(rng.randrange(6)))
    if kind == 4:
        shape = tuple(rng.randrange(4) for _ in range(rng.randrange(3)))
        return np.ones(shape, dtype=rng.choice([np.float64, np.float32, np.int64, np.bool_]))
    if kind == 5:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 6:
        return tuple(_value(rng, depth + 1) for _ in range(rng.randrange(4)))
    return {rng.choice(["a", "b", 3]): _value(rng, depth + 1) for _ in range(rng.randrange(4))}


JUNK = [None, True, -1, 2 ** 70, 1.5, "", "$a", "float64", "nan", [], {}, [0], [-1], [2 ** 63],
        [0, 10 ** 30], [0, 2 ** 40, 2 ** 40], ["float64"], {"$a": None}, {"$h": 1}, {"$r": None},
        {"$fn": "l2"}, {"$d": [[[], 1]]}, {"$d": [[{"k": 1}, 1]]}, {"$f": "x"}, {"$f": []}, [[]] * 3,
        {"$a": ["float64", [0, 10 ** 30], 0]}, {"$a": [[], [1], 0]}, {"$a": ["int64", [1], 0]},
        {"$h": 1, "type": ["x"]}, {"$l": {"a": 1}}]


def _junk(rng):
    return json.loads(json.dumps(rng.choice(JUNK)))   # a fresh copy: mutations never touch JUNK


def _nodes(obj, path=()):
    """Every (path, node) of a JSON value."""
    yield path, obj
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _nodes(value, path + (key,))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _nodes(value, path + (i,))


def _mutate_json(rng, obj):
    """``obj`` (tagged JSON, mutated in place) with 1-3 random nodes replaced by junk, grown or cut."""
    for _ in range(rng.randrange(1, 4)):
        nodes = list(_nodes(obj))[1:]
        if not nodes:
            return obj
        path, node = rng.choice(nodes)
        parent = obj
        for key in path[:-1]:
            parent = parent[key]
        edit = rng.random()
        if edit < 0.6:
            parent[path[-1]] = _junk(rng)
        elif edit < 0.8 and isinstance(node, (list, dict)):
            if isinstance(node, list):
                node.append(_junk(rng)) if rng.random() < 0.5 or not node else node.pop()
            else:
                node[rng.choice(["$a", "$l", "$zz", "p", "type"])] = _junk(rng)
        elif isinstance(node, int) and not isinstance(node, bool):
            parent[path[-1]] = rng.choice([node + 1, node - 1, -node, node * 2 ** 40])
        else:
            parent[path[-1]] = _junk(rng)
    return obj


def fuzzed_frames(seed, count):
    """``count`` frames (bytes): honest encodings, their JSON mutated, and their bytes flipped or cut."""
    rng = random.Random(seed)
    for _ in range(count):
        enc = wire.Encoder(lambda x: {"$h": 1, "type": "object"})
        ok = enc.encode(_value(rng))
        header = {"id": 1, "ok": ok, "notes": [], "out": "", "nb": [b.nbytes for b in enc.buffers]}
        how = rng.randrange(5)
        if how >= 1:
            header = _mutate_json(rng, json.loads(json.dumps(header)))
        data = json.dumps(header, separators=(",", ":")).encode()
        bufs = b"".join(bytes(b) for b in enc.buffers)
        whole = struct.pack("!Q", len(data)) + data + bufs
        if how >= 3:
            whole = bytearray(whole)
            for _ in range(rng.randrange(1, 6)):
                i = rng.randrange(len(whole))
                whole[i] = rng.randrange(256) if rng.random() < 0.5 else rng.choice(b'{}[],:"0-9e$')
            whole = bytes(whole)
        if how == 4 and rng.random() < 0.5:
            whole = whole[:rng.randrange(len(whole))]
        yield whole
