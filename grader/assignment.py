"""Loading an assignment folder: metadata, graded names, test files, starter, support, examples.

An assignment is a folder (docs/contracts.md §5)::

    assignment.toml        title, family, seed, [limits], [names], [integrity], [requires]
    tests/test_*.py        public tests
    tests/test_hidden_*.py hidden tests
    starter/  support/  examples/

``ASSIGNMENT`` on the command line is a bundled name (``c147/hw2``) or the path of such a folder.
Every mistake in the folder is reported as an ``AssignmentError`` naming the file and what is wrong.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from grader.integrity import DEFAULT_FORBIDDEN

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "assignments"
METADATA_FILE = "assignment.toml"
HIDDEN_PREFIX = "test_hidden_"
HIDDEN_HELPER_PREFIX = "hidden_"
KIT_GOLDEN_FILE = "golden.json"
# Properties a test may check beyond what every assignment asks (``@pytest.mark.requires("stability")``):
# such a test counts only where ``[requires]`` in assignment.toml asks for the property; elsewhere it is a
# 0-point note. Each with the words the note uses.
REQUIREMENTS = {
    "stability": "numerical stability (large scores must not overflow)",
    "dtype": "keeping the input's dtype",
    "speed": "a time limit tighter than the assignment's",
}


class AssignmentError(Exception):
    """The instructor's own mistake: an unknown assignment or a broken assignment folder."""


@dataclass(frozen=True)
class GradedName:
    """One graded name: a function or class in a starter file, or a notebook variable."""

    name: str
    kind: str  # "function", "class" or "variable"
    file: str | None = None  # starter path, e.g. "nndl/layers.py"
    notebook: str | None = None  # notebook file name for variables
    aliases: tuple = ()  # other names a notebook may give the variable (some years' notebooks)


@dataclass(frozen=True)
class AssignmentLimits:
    """Limits of one submission: seconds per call and per submission, worker memory."""

    call_seconds: float = 20.0
    submission_seconds: float = 300.0
    memory_mb: int = 2048


@dataclass(frozen=True)
class IntegrityPolicy:
    """Forbidden shortcuts (grader.integrity): the libraries the worker refuses, and what a flag does:
    "report" (instructors see it) or "zero" (the submission scores 0, the student is told why)."""

    forbidden: tuple = DEFAULT_FORBIDDEN
    on_flag: str = "report"


@dataclass
class Assignment:
    """An assignment folder, loaded and checked."""

    path: Path
    name: str
    title: str
    family: str  # a key of grader.families.FAMILIES, or "own"
    seed: int
    limits: AssignmentLimits
    names: dict[str, GradedName]
    integrity: IntegrityPolicy = IntegrityPolicy()
    requires: frozenset = frozenset()  # properties of REQUIREMENTS the assignment asks for
    is_kit: bool = False
    _tests: list[Path] = field(default_factory=list)

    @property
    def tests_dir(self) -> Path:
        return self.path / "tests"

    @property
    def solution_dir(self) -> Path:
        """The assignment's own answer key (grader.answer_key), looked up before ``reference``."""
        return self.path / "solution"

    def helper_files(self, public_only: bool = False) -> list[Path]:
        """Modules under ``tests/`` that are not test modules (``conftest.py``, shared helpers); a helper
        named ``hidden_*.py`` is for hidden tests only, like ``test_hidden_*.py``."""
        if not self.tests_dir.is_dir():
            return []
        helpers = sorted(p for p in self.tests_dir.glob("*.py") if not p.name.startswith("test_"))
        return [p for p in helpers if not (public_only and p.name.startswith(HIDDEN_HELPER_PREFIX))]

    @property
    def starter_dir(self) -> Path:
        return self.path / "starter"

    @property
    def examples_dir(self) -> Path:
        return self.path / "examples"

    def test_files(self, public_only: bool = False) -> list[Path]:
        """The test modules, public first; hidden ones only when ``public_only`` is false."""
        return [p for p in self._tests if not (public_only and is_hidden_file(p))]

    def support_files(self) -> dict[str, Path]:
        """Helper modules supplied to the worker when the submission lacks them: relpath -> file."""
        root = self.path / "support"
        if not root.is_dir():
            return {}
        return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*.py"))}

    def examples(self) -> dict[str, Path]:
        """Example submissions by name (folders or files under ``examples/``); a folder holding
        ``edits.toml`` is built from ``correct/`` (grader.examples)."""
        from grader.examples import is_edited, materialise

        if not self.examples_dir.is_dir():
            return {}
        correct = self.examples_dir / "correct"
        return {
            p.name: materialise(p, correct) if p.is_dir() and is_edited(p) else p
            for p in sorted(self.examples_dir.iterdir())
            if not p.name.startswith((".", "_")) and p.name != "expected.toml"
        }

    def expected_failures(self) -> dict[str, list[str]]:
        """``examples/expected.toml``: example name -> report names of the tests that must fail."""
        file = self.examples_dir / "expected.toml"
        if not file.is_file():
            return {}
        data = _read_toml(file)
        return {name: list(entry.get("fail", [])) for name, entry in data.items()}

    def expected_diagnoses(self) -> dict[str, list[str]]:
        """``examples/expected.toml``: example name -> misconceptions its feedback must name."""
        file = self.examples_dir / "expected.toml"
        if not file.is_file():
            return {}
        return {name: list(entry.get("diagnosis", [])) for name, entry in _read_toml(file).items()}

    @property
    def golden_file(self) -> Path:
        return self.path / KIT_GOLDEN_FILE


def is_hidden_file(path: Path) -> bool:
    return path.name.startswith(HIDDEN_PREFIX)


def bundled_names() -> list[str]:
    """Names of the bundled assignments (``c147/hw2``...), sorted."""
    if not BUNDLED_DIR.is_dir():
        return []
    return sorted(
        p.parent.relative_to(BUNDLED_DIR).as_posix() for p in BUNDLED_DIR.glob(f"*/*/{METADATA_FILE}")
    )


def load_assignment(name_or_path: str | Path) -> Assignment:
    """Load a bundled assignment by name or an assignment folder by path."""
    text = str(name_or_path)
    folder = Path(text)
    if not (folder / METADATA_FILE).is_file():
        bundled = BUNDLED_DIR / text
        if (bundled / METADATA_FILE).is_file():
            folder = bundled
        elif folder.is_dir():
            raise AssignmentError(f"{folder}: not an assignment folder (no {METADATA_FILE})")
        else:
            known = ", ".join(bundled_names()) or "none"
            raise AssignmentError(f"unknown assignment '{text}' (bundled: {known})")
    folder = folder.resolve()
    meta_file = folder / METADATA_FILE
    meta = _read_toml(meta_file)
    name = folder.relative_to(BUNDLED_DIR).as_posix() if _is_under(folder, BUNDLED_DIR) else folder.name
    assignment = Assignment(
        path=folder,
        name=name,
        title=_field(meta, "title", str, meta_file, default=name),
        family=_family(meta, meta_file),
        seed=_field(meta, "seed", int, meta_file, default=0),
        limits=_limits(meta.get("limits", {}), meta_file),
        names=_names(meta.get("names"), meta_file),
        integrity=_integrity(meta.get("integrity", {}), meta_file),
        requires=_requires(meta.get("requires", {}), meta_file),
        is_kit=bool(meta.get("kit", False)),
    )
    assignment._tests = _find_tests(folder / "tests", meta_file)
    return assignment


def _read_toml(file: Path) -> dict:
    try:
        with open(file, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise AssignmentError(f"{file}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise AssignmentError(f"{file}: cannot read: {exc.strerror}") from None


def _field(meta: dict, key: str, kind: type, file: Path, default):
    value = meta.get(key, default)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise AssignmentError(f"{file}: '{key}' must be a {kind.__name__}, got {value!r}")
    return value


def _family(meta: dict, file: Path) -> str:
    """``family``: a bound family (grader.families: the ``family`` fixture binds its API) or "own"."""
    from grader.families import FAMILIES, OWN

    family = _field(meta, "family", str, file, default=OWN)
    if family not in FAMILIES and family != OWN:
        raise AssignmentError(f"{file}: unknown family \"{family}\" (bound: {', '.join(FAMILIES)}; "
                              f"\"{OWN}\" for tests that bring their own adapters)")
    return family


def _limits(table: dict, file: Path) -> AssignmentLimits:
    allowed = set(AssignmentLimits.__dataclass_fields__)
    unknown = set(table) - allowed
    if unknown:
        raise AssignmentError(f"{file}: unknown key(s) in [limits]: {', '.join(sorted(unknown))}")
    for key, value in table.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise AssignmentError(f"{file}: [limits] {key} must be a positive number, got {value!r}")
    return AssignmentLimits(**table)


def _integrity(table, file: Path) -> IntegrityPolicy:
    """``[integrity]``: ``allow`` / ``forbid`` (lists of top-level packages) change the default forbidden
    libraries; ``on_flag`` is "report" or "zero"."""
    unknown = set(table) - {"allow", "forbid", "on_flag"} if isinstance(table, dict) else {"(not a table)"}
    if unknown:
        raise AssignmentError(f"{file}: unknown key(s) in [integrity]: {', '.join(sorted(unknown))}")
    lists = {}
    for key in ("allow", "forbid"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.isidentifier() for v in value):
            raise AssignmentError(f"{file}: [integrity] {key} must be a list of package names, got {value!r}")
        lists[key] = value
    on_flag = table.get("on_flag", "report")
    if on_flag not in ("report", "zero"):
        raise AssignmentError(f"{file}: [integrity] on_flag must be \"report\" or \"zero\", got {on_flag!r}")
    forbidden = tuple(sorted((set(DEFAULT_FORBIDDEN) | set(lists["forbid"])) - set(lists["allow"])))
    return IntegrityPolicy(forbidden, on_flag)


def _requires(table, file: Path) -> frozenset:
    """``[requires]``: ``stability = true`` and the like (keys of REQUIREMENTS, boolean values)."""
    if not isinstance(table, dict):
        raise AssignmentError(f"{file}: [requires] must be a table, got {table!r}")
    unknown = set(table) - set(REQUIREMENTS)
    if unknown:
        raise AssignmentError(f"{file}: unknown key(s) in [requires]: {', '.join(sorted(unknown))} "
                              f"(known: {', '.join(REQUIREMENTS)})")
    for key, value in table.items():
        if not isinstance(value, bool):
            raise AssignmentError(f"{file}: [requires] {key} must be true or false, got {value!r}")
    return frozenset(key for key, value in table.items() if value)


def _names(table, file: Path) -> dict[str, GradedName]:
    if not isinstance(table, dict) or not table:
        raise AssignmentError(f"{file}: a [names] table listing the graded names is required")
    names = {}
    for name, where in table.items():
        if isinstance(where, str) and where.endswith(".py"):
            kind = "class" if name[:1].isupper() else "function"
            names[name] = GradedName(name, kind, file=where)
        elif isinstance(where, dict) and isinstance(where.get("notebook"), str):
            names[name] = GradedName(name, "variable", notebook=where["notebook"],
                                     aliases=_aliases(name, where, file))
        else:
            raise AssignmentError(
                f"{file}: [names] {name} must be a starter .py path or {{ notebook = \"...\" }}, got {where!r}"
            )
    taken = {alias: name for name, graded in names.items() for alias in graded.aliases}
    for alias, name in taken.items():
        if alias in names:
            raise AssignmentError(f"{file}: [names] {name}: alias {alias!r} is itself a graded name")
    return names


def _aliases(name: str, where: dict, file: Path) -> tuple:
    """``{ notebook = "...", aliases = ["validation_errors"] }``: the other names, in order of preference,
    under which a notebook may assign the variable; the graded name itself is looked for first."""
    unknown = set(where) - {"notebook", "aliases"}
    if unknown:
        raise AssignmentError(f"{file}: [names] {name}: unknown key(s) {', '.join(sorted(unknown))}")
    aliases = where.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.isidentifier() and a != name
                                                 for a in aliases):
        raise AssignmentError(f"{file}: [names] {name}: aliases must be a list of other variable names, "
                              f"got {aliases!r}")
    return tuple(aliases)


def _find_tests(tests_dir: Path, meta_file: Path) -> list[Path]:
    if not tests_dir.is_dir():
        raise AssignmentError(f"{meta_file.parent}: no tests/ folder")
    files = sorted(tests_dir.glob("test_*.py"))
    if not files:
        raise AssignmentError(f"{tests_dir}: no test_*.py files")
    for path in files:
        try:
            compile(path.read_bytes(), str(path), "exec")
        except SyntaxError as exc:
            raise AssignmentError(f"{path}: line {exc.lineno}: {exc.msg}") from None
    return sorted(files, key=lambda p: (is_hidden_file(p), p.name))


def _is_under(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root.resolve())
        return True
    except ValueError:
        return False
