"""Inputs: folders at any depth, zips (safe extraction), single .py/.ipynb, unreadable paths."""
import json
import stat
import zipfile

import pytest

from grader.submission import NameSpec, SubmissionError, open_submission

AFFINE = NameSpec("affine_forward", "function", ("nndl/layers.py",))
LAYERS = "import numpy as np\n\ndef affine_forward(x, w, b):\n    return x.dot(w) + b, (x, w, b)\n"


def test_nested_folder_with_spaces_and_ignored_folders(write, opened):
    root = write({
        "HW 4 - code/hw4/nndl/layers.py": LAYERS,
        "__MACOSX/HW 4 - code/hw4/nndl/._layers.py": b"\x00\x05\x16\x07 mac junk",
        "HW 4 - code/hw4/nndl/.ipynb_checkpoints/layers-checkpoint.py": "def affine_forward(): return 'old'\n",
        "HW 4 - code/hw4/nndl/__pycache__/layers.cpython-311.pyc": b"junk",
        "HW 4 - code/hw4/model.pkl": b"\x80\x04evil",
    })
    sub = opened(root, [AFFINE])
    assert sub.root == root
    assert sub.plan["names"] == {"affine_forward": {"module": "nndl.layers"}}
    modules = sub.plan["modules"]
    assert set(modules) == {"hw4", "hw4.nndl", "hw4.nndl.layers", "nndl", "nndl.layers", "layers"}
    assert modules["nndl.layers"] == {"file": "HW 4 - code/hw4/nndl/layers.py", "source": LAYERS, "package": False}
    assert modules["nndl"]["package"] and modules["nndl"]["source"] == ""
    assert modules["nndl"]["file"] == "HW 4 - code/hw4/nndl/__init__.py"
    assert not any("checkpoint" in m["file"] or "MACOSX" in m["file"] for m in modules.values())
    json.dumps(sub.plan)


def test_zip_is_extracted_into_a_temp_dir_removed_by_close(tmp_path, make_zip):
    z = make_zip(tmp_path / "sub.zip", {"assignment2/nndl/layers.py": LAYERS, "__MACOSX/x.py": "junk"})
    with open_submission(z, [AFFINE]) as sub:
        root = sub.root
        assert (root / "assignment2/nndl/layers.py").read_text() == LAYERS
        assert not (root / "__MACOSX").exists()
        assert sub.plan["names"]["affine_forward"] == {"module": "nndl.layers"}
    assert not root.exists()


@pytest.mark.parametrize("member, words", [("../evil.py", "leaves its folder"),
                                           ("hw/../../evil.py", "leaves its folder"),
                                           ("/etc/evil.py", "absolute path")])
def test_zip_escaping_member_is_skipped_and_the_rest_graded(tmp_path, make_zip, opened, member, words):
    z = make_zip(tmp_path / "sub.zip", {"nndl/layers.py": LAYERS, member: "print('pwned')\n"})
    sub = opened(z, [AFFINE])
    assert sub.plan["names"]["affine_forward"] == {"module": "nndl.layers"}
    assert any(words in note and "skipped" in note for note in sub.notes), sub.notes
    assert sorted(p.name for p in sub.root.iterdir()) == ["nndl"]
    assert not (tmp_path / "evil.py").exists()


def test_zip_symlink_member_is_skipped(tmp_path, opened):
    z = tmp_path / "sub.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("nndl/layers.py", LAYERS)
        link = zipfile.ZipInfo("nndl/secret.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    sub = opened(z, [AFFINE])
    assert sub.plan["names"]["affine_forward"] == {"module": "nndl.layers"}
    assert any("symbolic link" in note for note in sub.notes)
    assert not (sub.root / "nndl" / "secret.py").exists()


def test_zip_bomb_is_bounded(tmp_path, opened):
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("nndl/layers.py", LAYERS)
        zf.writestr("data.bin", b"\0" * (15 * 2**20))
    assert z.stat().st_size < 2**20
    sub = opened(z, [AFFINE])
    assert any("expands" in note and "data.bin" in note for note in sub.notes)
    assert sub.plan["names"]["affine_forward"] == {"module": "nndl.layers"}
    assert sum(f.stat().st_size for f in sub.root.rglob("*") if f.is_file()) == len(LAYERS)


def test_zip_with_too_many_members(tmp_path, opened):
    z = tmp_path / "many.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for k in range(5001):
            zf.writestr(f"f/{k}.txt", "")
    sub = opened(z, [AFFINE])
    assert "5001 members" in sub.plan["names"]["affine_forward"]["missing"]


def test_not_a_zip_gives_missing_names(tmp_path, opened):
    z = tmp_path / "sub.zip"
    z.write_text("this is not a zip")
    sub = opened(z, [AFFINE])
    assert "not a readable zip" in sub.plan["names"]["affine_forward"]["missing"]


def test_single_py_is_copied_alone(tmp_path, opened):
    (tmp_path / "secret.txt").write_text("other student's work")
    (tmp_path / "layers.py").write_text(LAYERS)
    sub = opened(tmp_path / "layers.py", [AFFINE])
    assert sub.root != tmp_path
    assert sorted(p.name for p in sub.root.iterdir()) == ["layers.py"]
    assert sub.plan["names"]["affine_forward"] == {"module": "nndl.layers"}


def test_single_notebook_with_invalid_json(tmp_path, opened):
    (tmp_path / "hw.ipynb").write_text('{"cells": [ this is not json')
    sub = opened(tmp_path / "hw.ipynb", [AFFINE, NameSpec("theta", "variable", notebook="hw.ipynb")])
    for name in ("affine_forward", "theta"):
        assert "not a valid notebook" in sub.plan["names"][name]["missing"]


def test_unsupported_file_type(tmp_path, opened):
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    sub = opened(tmp_path / "report.pdf", [AFFINE])
    assert "not a folder, .zip, .py or .ipynb" in sub.plan["names"]["affine_forward"]["missing"]


def test_missing_path_raises(tmp_path):
    with pytest.raises(SubmissionError, match="no such file"):
        open_submission(tmp_path / "nope", [AFFINE])


def test_folder_symlinks_are_not_followed(write, opened, tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text(LAYERS)
    root = write({"readme.txt": "hi"})
    (root / "layers.py").symlink_to(outside)
    sub = opened(root, [AFFINE])
    assert "missing" in sub.plan["names"]["affine_forward"]
    assert any("symbolic link" in note for note in sub.notes)


def test_zip_inside_zip_and_large_data_member(tmp_path, make_zip, opened):
    inner = make_zip(tmp_path / "hw4.zip", {"hw4/nndl/layers.py": LAYERS})
    outer = make_zip(tmp_path / "submission.zip", {"hw4.zip": inner.read_bytes(),
                                                   "data/cifar.bin": bytes(range(256)) * (21 * 2**12)})
    sub = opened(outer, [AFFINE])
    assert sub.plan["names"]["affine_forward"] == {"module": "nndl.layers"}
    assert not (sub.root / "data/cifar.bin").exists()
    assert any("cifar.bin" in n and "skipped" in n for n in sub.notes)


def test_installed_packages_are_not_the_homework(write, opened):
    root = write({"env/lib/python3.8/site-packages/nndl/layers.py": "def affine_forward(x, w, b):\n    return 'pip'\n",
                  "venv/nndl/layers.py": "def affine_forward(x, w, b):\n    return 'venv'\n",
                  "hw/nndl/layers.py": LAYERS})
    sub = opened(root, [AFFINE])
    assert sub.plan["modules"]["nndl.layers"]["file"] == "hw/nndl/layers.py"
    assert not any("packages" in m["file"] or m["file"].startswith("venv") for m in sub.plan["modules"].values())


def test_folder_holding_only_a_zip(write, make_zip, opened):
    root = write({"readme.txt": "my submission"})
    make_zip(root / "hw4 final.zip", {"hw4/nndl/layers.py": LAYERS})
    sub = opened(root, [AFFINE])
    assert sub.root != root
    assert sub.plan["names"]["affine_forward"] == {"module": "nndl.layers"}
    assert "the zip in the folder was opened" in sub.notes[0]
