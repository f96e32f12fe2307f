"""Zip members (issue 11 item 5, issue 13 item 1): an unsafe or unwritable member is skipped with a note
the student sees; the safe members are graded; no zip, however malformed, makes open_submission raise.
Real zips, built member by member (and byte-patched where zipfile would refuse to write the name)."""
import random
import stat
import struct
import zipfile

import pytest

from grader.submission import NameSpec, open_submission

AFFINE = NameSpec("affine_forward", "function", ("nndl/layers.py",))
LAYERS = "import numpy as np\n\ndef affine_forward(x, w, b):\n    return x.dot(w) + b, (x, w, b)\n"
GOOD = {"affine_forward": {"module": "nndl.layers"}}


def _zip(path, members, compression=zipfile.ZIP_DEFLATED):
    """members: (name or ZipInfo, bytes or str), in order; duplicates allowed."""
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members:
            with pytest.warns(UserWarning) if _duplicate(zf, name) else _nothing():
                zf.writestr(name, data)
    return path


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _duplicate(zf, name):
    name = name.filename if isinstance(name, zipfile.ZipInfo) else name
    return name in zf.namelist()


def _info(name, mode):
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


def _patch_name(path, old: bytes, new: bytes):
    """Replace a member name in the raw bytes (local header and central directory; same length)."""
    assert len(old) == len(new)
    data = path.read_bytes()
    assert data.count(old) == 2
    path.write_bytes(data.replace(old, new))
    return path


def _graded(z, tmp_path=None):
    with open_submission(z, [AFFINE]) as sub:
        files = sorted(p.relative_to(sub.root).as_posix() for p in sub.root.rglob("*") if p.is_file())
        return sub.plan["names"], list(sub.notes), files


UNSAFE = {
    "parent": ("../x.py", "leaves its folder"),
    "deep_parent": ("a/b/../../../x.py", "leaves its folder"),
    "absolute": ("/tmp/x.py", "absolute path"),
    "drive_letter": ("C:/x.py", "absolute path"),
    "drive_relative": ("C:x.py", "absolute path"),
    "backslash_parent": ("..\\x.py", "leaves its folder"),
    "long_component": ("nndl/" + "a" * 300 + ".py", "too long"),
    "long_folder": ("d" * 256 + "/layers.py", "too long"),
    "long_unicode": ("\u00e9" * 130 + "/x.py", "too long"),
    "too_deep": ("/".join(["d"] * 80) + "/x.py", "folders deep"),
}


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_an_unsafe_member_is_skipped_with_a_note_and_the_rest_graded(tmp_path, case):
    name, words = UNSAFE[case]
    z = _zip(tmp_path / "sub.zip", [("nndl/layers.py", LAYERS), (name, "print('pwned')\n")])
    names, notes, files = _graded(z)
    assert names == GOOD
    assert any(words in n and "skipped" in n for n in notes), notes
    assert files == ["nndl/layers.py"]
    assert not (tmp_path / "x.py").exists()


@pytest.mark.parametrize("mode, words", [(stat.S_IFLNK | 0o777, "symbolic link"),
                                         (stat.S_IFCHR | 0o666, "special file"),
                                         (stat.S_IFBLK | 0o666, "special file"),
                                         (stat.S_IFIFO | 0o666, "special file"),
                                         (stat.S_IFSOCK | 0o666, "special file")])
def test_links_and_device_files_are_skipped(tmp_path, mode, words):
    z = _zip(tmp_path / "sub.zip", [("nndl/layers.py", LAYERS), (_info("nndl/other.py", mode), "/etc/passwd")])
    names, notes, files = _graded(z)
    assert names == GOOD and files == ["nndl/layers.py"]
    assert any(words in n for n in notes), notes


def test_a_member_in_a_folder_name_over_255_bytes_is_skipped_not_an_error(tmp_path):
    """The unseen attack: extraction raised OSError (file name too long) and no report was written."""
    z = _zip(tmp_path / "sub.zip", [("x" * 300 + "/layers.py", LAYERS), ("nndl/layers.py", LAYERS)])
    names, notes, files = _graded(z)
    assert names == GOOD and files == ["nndl/layers.py"]


def test_a_nul_byte_in_a_name_never_reaches_the_file_system(tmp_path):
    z = _zip(tmp_path / "sub.zip", [("nndl/layers.py", LAYERS), ("nndl/evil_py.py", "x = 1\n")])
    _patch_name(z, b"nndl/evil_py.py", b"nndl/evil\0py.py")
    names, notes, files = _graded(z)
    assert names == GOOD
    assert all("\0" not in f for f in files) and "nndl/layers.py" in files


def test_duplicate_names_keep_the_first_and_note_the_others(tmp_path):
    z = _zip(tmp_path / "sub.zip", [("nndl/layers.py", LAYERS), ("nndl/layers.py", "broken(\n")])
    names, notes, files = _graded(z)
    assert names == GOOD and files == ["nndl/layers.py"]
    assert any("clashes" in n for n in notes)


def test_a_file_and_a_folder_of_the_same_name(tmp_path):
    z = _zip(tmp_path / "sub.zip", [("nndl", "not a folder"), ("nndl/layers.py", LAYERS),
                                    ("hw/layers.py", LAYERS)])
    names, notes, files = _graded(z)
    assert "module" in names["affine_forward"] and "hw/layers.py" in files
    assert any("clashes" in n for n in notes)


def test_many_unsafe_members_give_a_bounded_number_of_notes(tmp_path):
    members = [("nndl/layers.py", LAYERS)] + [(f"../x{k}.py", "") for k in range(300)]
    names, notes, files = _graded(_zip(tmp_path / "sub.zip", members))
    assert names == GOOD and files == ["nndl/layers.py"]
    assert len(notes) <= 25 and any("280 more" in n for n in notes)


def test_a_corrupt_member_is_skipped_and_the_others_extracted(tmp_path):
    z = _zip(tmp_path / "sub.zip", [("nndl/other.py", "y = 2\n" * 500), ("nndl/layers.py", LAYERS)])
    data = bytearray(z.read_bytes())
    start = data.index(b"nndl/other.py") + len("nndl/other.py") + 10   # inside its compressed data
    data[start:start + 20] = b"\xff" * 20
    z.write_bytes(bytes(data))
    names, notes, files = _graded(z)
    assert names == GOOD and "nndl/layers.py" in files
    assert any("other.py" in n and "cannot be extracted" in n for n in notes), notes


def test_an_encrypted_member_is_skipped(tmp_path):
    z = _zip(tmp_path / "sub.zip", [("nndl/layers.py", LAYERS), ("nndl/secret.py", "x = 1\n")],
             compression=zipfile.ZIP_STORED)
    data = bytearray(z.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):   # set the encryption flag
        at = data.index(signature, data.index(signature) + 1)   # the second member's headers
        flags = struct.unpack_from("<H", data, at + offset)[0]
        struct.pack_into("<H", data, at + offset, flags | 1)
    z.write_bytes(bytes(data))
    names, notes, files = _graded(z)
    assert names == GOOD and files == ["nndl/layers.py"]
    assert any("encrypted" in n for n in notes)


def _mutations(seed, count, base):
    rng = random.Random(seed)
    for _ in range(count):
        data = bytearray(base)
        how = rng.randrange(3)
        if how == 0:      # flip bytes anywhere
            for _ in range(rng.randrange(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif how == 1:    # flip bytes in the central directory (names, sizes, offsets, attributes)
            cd = data.rfind(b"PK\x01\x02")
            for _ in range(rng.randrange(1, 8)):
                data[rng.randrange(cd, len(data))] = rng.randrange(256)
        else:             # truncate or cut a piece out
            i = rng.randrange(len(data))
            data = data[:i] + data[i + rng.randrange(1, 200):] if rng.random() < 0.5 else data[:i]
        yield bytes(data)


def test_mutated_zips_always_open(tmp_path):
    """A seeded fuzzer: random byte flips, central-directory edits and cuts of a real zip never make
    open_submission raise; every name is found or missing with a reason."""
    base = _zip(tmp_path / "base.zip", [("nndl/layers.py", LAYERS), ("hw/notes.txt", "n" * 3000),
                                        ("hw/data.npy", bytes(range(256)) * 20),
                                        (_info("hw/link.py", stat.S_IFLNK | 0o777), "/etc"),
                                        ("d" * 200 + "/x.py", "x = 1\n")]).read_bytes()
    outcomes = set()
    for k, data in enumerate(_mutations(11, 150, base)):
        z = tmp_path / f"m{k}.zip"
        z.write_bytes(data)
        names, notes, files = _graded(z)
        spec = names["affine_forward"]
        assert spec == GOOD["affine_forward"] or "missing" in spec, (k, spec)
        outcomes.add("graded" if spec == GOOD["affine_forward"] else "missing")
        z.unlink()
    assert outcomes == {"graded", "missing"}
