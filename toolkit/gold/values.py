"""The gold import's checks of single values, and how it reports what it skips.

Nothing in an export is trusted: these say whether one value is what it should be (a string
that is valid Unicode, an integer that is not a ``bool``, a region id, an id that fits the
dataset's int64 columns, a region text that fits the document at its offsets). Every problem
becomes a :class:`Problem` located by file, task, annotation and region; an import collects
its records, problems and counts in an :class:`Imported`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeGuard

from ..errors import GoldError
from ..files import shown
from ..records import GoldRecord

POLICIES = ("ground_truth", "all")
_INT64 = 2**63


def check_policy(policy: str) -> None:
    """:class:`GoldError` for an annotation policy that is not one of :data:`POLICIES`."""
    if policy not in POLICIES:
        raise GoldError(f"unknown annotation policy '{policy}'; choose one of {', '.join(POLICIES)}")


def short(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters and printable (for messages)."""
    text = shown(repr(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def valid_string(value: object) -> TypeGuard[str]:
    """A ``str`` that can be written as UTF-8 (no lone surrogates)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_int(value: object) -> TypeGuard[int]:
    """An ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an export, located by file, task (or line) and region."""

    source: str
    task_id: object
    region_id: object
    message: str
    annotation_id: object = None

    def __str__(self) -> str:
        where = [shown(self.source) + ":"]
        if self.task_id is not None:
            where.append(f"task {_label(self.task_id)}")
        if self.annotation_id is not None:
            where.append(f"annotation {_label(self.annotation_id)}")
        if self.region_id is not None:
            where.append(f"region {_label(self.region_id)}")
        where[-1] += ":" if len(where) > 1 else ""
        return shown(" ".join(where) + " " + self.message)


def _label(value: object) -> str:
    """A task, annotation or region id for a message: short, printable."""
    return (
        shown(value)
        if isinstance(value, str) and len(value) <= 60
        else (str(value) if is_int(value) and abs(value) < 10**18 else short(value))
    )


@dataclass
class Imported:
    """The result of an import: records plus everything that was skipped."""

    records: list[GoldRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


def _region_id(value: object) -> str | None:
    """A region id as a string (Label Studio's are strings; integers are accepted), or None."""
    if is_int(value):
        return str(value)
    return value if valid_string(value) and value else None


def _int64(value: object) -> int | None:
    """An integer id that fits the dataset's int64 columns, else None."""
    if isinstance(value, dict):  # some exports give completed_by as {"id": ..., "email": ...}
        value = value.get("id")
    return value if is_int(value) and -_INT64 <= value < _INT64 else None


def _norm(text: str) -> str:
    """Runs of whitespace as one space, none at the ends."""
    return " ".join(text.split())


def _unescape(text: str) -> str:
    """Label Studio's backslash escapes of line breaks and tabs in ``value.text`` undone."""
    return text.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r")


def _same_text(region_text: object, expected: str) -> bool:
    """Does a region's ``value.text`` fit the text at its offsets? Runs of whitespace may differ
    (Label Studio may collapse them) and a line break may be written as backslash-n (Label
    Studio does so in ``value.text``); no text at all is accepted (the offsets decide)."""
    if region_text is None:
        return True
    if not isinstance(region_text, str):
        return False
    wanted = _norm(expected)
    return (
        _norm(region_text) in (wanted, _norm(expected.replace("\n", "\\n"))) or _norm(_unescape(region_text)) == wanted
    )
