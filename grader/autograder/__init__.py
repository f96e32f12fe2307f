"""Building the Gradescope autograder package (``grader autograder ASSIGNMENT -o autograder.zip``).

The zip holds, at its root: ``setup.sh`` and ``run_autograder`` (the templates beside this module),
``requirements.txt``, ``grading.secret`` (the instructor's grading secret, grader.secret: it seeds the
inputs at grading time) and the grader's source: ``grader/``, ``reference/`` and ``assignment/`` (the
assignment folder without its example submissions). Gradescope extracts it to /autograder/source.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from grader.assignment import Assignment, AssignmentError
from grader.secret import ZIP_NAME, grading_secret

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
REQUIREMENTS = ["numpy>=1.22,<2.4", "pytest>=7.2", "nbformat>=5.7", "ipython>=8.0", "jsonschema>=4.17",
                "tqdm>=4.60", "tomli>=2.0; python_version < '3.11'"]
SKIP_PARTS = {"__pycache__", ".pytest_cache", "examples"}


def build_autograder_zip(assignment: Assignment, out: Path) -> Path:
    """Write the autograder zip for ``assignment`` to ``out``; returns its path."""
    out = Path(out)
    if out.is_dir():
        raise AssignmentError(f"{out}: is a folder; give the path of the zip to write")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for script in ("setup.sh", "run_autograder"):
            _add(archive, HERE / script, script, executable=True)
        archive.writestr(_info("requirements.txt"), "\n".join(REQUIREMENTS) + "\n")
        archive.writestr(_info(ZIP_NAME, mode=0o600), grading_secret() + "\n")
        _add_tree(archive, PROJECT / "grader", "grader")
        _add_tree(archive, PROJECT / "reference", "reference")
        _add_tree(archive, assignment.path, "assignment")
    return out


def _add_tree(archive: zipfile.ZipFile, root: Path, prefix: str) -> None:
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not SKIP_PARTS.intersection(rel.parts) and path.suffix != ".pyc":
            _add(archive, path, f"{prefix}/{rel.as_posix()}")


def _add(archive: zipfile.ZipFile, path: Path, name: str, executable: bool = False) -> None:
    mode = 0o755 if executable or path.stat().st_mode & stat.S_IXUSR else 0o644
    archive.writestr(_info(name, mode), path.read_bytes())


def _info(name: str, mode: int = 0o644) -> zipfile.ZipInfo:
    """A member with a fixed date, so that two builds of the same assignment are the same zip."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info
