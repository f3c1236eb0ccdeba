"""One test file per module (issue 11): ``toolkit/<name>.py`` is tested in ``tests/test_<name>.py``,
and a module of a package, ``toolkit/<package>/<name>.py``, in ``tests/test_<package>_<name>.py``.

Not counted: ``__init__.py``, ``__main__.py``, private ``_*.py`` helpers, and the command line
(``toolkit/cli/``: tested in tests/test_cli.py and the files of the commands' modules). Every
other exception is named below with its reason, and a test keeps those lists current.
"""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT

# No behaviour of their own to test apart: the tests of the modules that use them cover them.
COVERED_ELSEWHERE = {
    "toolkit/errors.py": "exception classes only; each is checked where it is raised",
    "toolkit/records.py": "the record TypedDicts and empty_record, used by every test that builds records",
    "toolkit/scoring/table.py": (
        "the count table and its arithmetic, checked through every scorer's results against "
        "nervaluate and scikit-learn (tests/test_scoring*.py)"
    ),
}

PENDING_MOVE: dict[str, str] = {}

EXCEPTIONS = set(COVERED_ELSEWHERE) | set(PENDING_MOVE)


def modules() -> list[str]:
    """The toolkit's modules that need a test file of their own, as paths from the repository root."""
    found = []
    for path in sorted((ROOT / "toolkit").rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[1] == "cli" or path.name.startswith("_"):  # also __init__.py, __main__.py
            continue
        found.append(relative.as_posix())
    return found


def expected_test_file(module: str) -> Path:
    """``toolkit/scoring/claims.py`` -> ``tests/test_scoring_claims.py``."""
    name = "_".join(Path(module).with_suffix("").parts[1:])
    return ROOT / "tests" / f"test_{name}.py"


def test_every_module_has_its_test_file():
    missing = [
        f"{m} -> {expected_test_file(m).relative_to(ROOT)}"
        for m in modules()
        if m not in EXCEPTIONS and not expected_test_file(m).exists()
    ]
    assert not missing, "without their test file (add it, or an exception above with its reason): " + ", ".join(missing)


def test_the_exceptions_are_current():
    """Every exception names a module that exists and still has no test file of its own."""
    known = set(modules())
    gone = sorted(EXCEPTIONS - known)
    assert not gone, "listed modules that are gone: " + ", ".join(gone)
    stale = sorted(m for m in EXCEPTIONS if expected_test_file(m).exists())
    assert not stale, "listed modules that have their test file now (take them off the list): " + ", ".join(stale)
    assert all(reason.strip() for reason in COVERED_ELSEWHERE.values())
    for module, tests in PENDING_MOVE.items():
        assert (ROOT / tests).exists(), f"{module}: its tests were said to be in {tests}"
