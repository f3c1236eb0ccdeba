"""When two spans match, and which documents are compared.

Gold and predicted records (see :mod:`toolkit.records`) are paired by ``doc_id``; a gold
document without a prediction is scored against an empty record, and predicted documents
that are not in gold are ignored. Spans are half-open ``[start, end)``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter

from ..errors import ToolkitError
from ..records import Record, empty_record


@dataclass(frozen=True)
class MatchRule:
    """When two spans match: ``"exact"`` (same start and end) or ``"overlap"`` (character
    Jaccard ``|a & b| / |a | b| >= threshold``)."""

    kind: str = "overlap"
    threshold: float = 0.5

    def __post_init__(self) -> None:
        if self.kind not in ("exact", "overlap"):
            raise ToolkitError(f"unknown match rule {self.kind!r} (expected 'exact' or 'overlap')")
        if not 0.0 < self.threshold <= 1.0:
            raise ToolkitError(f"match threshold must be in (0, 1], got {self.threshold}")

    def score(self, a: tuple[int, int], b: tuple[int, int]) -> float | None:
        """How well span ``b`` matches span ``a`` (higher is better), or None if they do not match."""
        if self.kind == "exact":
            return 1.0 if a == b else None
        inter = min(a[1], b[1]) - max(a[0], b[0])
        if inter <= 0:
            return None
        jaccard = inter / ((a[1] - a[0]) + (b[1] - b[0]) - inter)
        return jaccard if jaccard >= self.threshold else None

    def as_dict(self) -> dict:
        return {"kind": self.kind, "threshold": None if self.kind == "exact" else self.threshold}


BLOCK_RECORDS = 2048  # records read at once: their doc_ids, then their values while still in cache


def _ids_and_values(records: Iterable[Record], key: str | None) -> tuple[list[str], list]:
    """(doc_ids, values) of ``records`` (see :func:`by_doc`), a block of records at a time: at
    corpus scale each record is a cache miss, paid once per block instead of once per pass."""

    def values(block: list) -> list:
        if key is None:
            return block
        try:
            found = list(map(itemgetter(key), block))
        except KeyError:
            return [r.get(key) or () for r in block]
        return [v or () for v in found] if None in found else found

    ids: list[str] = []
    all_values: list = []
    rows = iter(records)
    while block := list(islice(rows, BLOCK_RECORDS)):
        ids += map(itemgetter("doc_id"), block)
        all_values += values(block)
    return ids, all_values


def by_doc(gold: Sequence[Record], pred: Sequence[Record], key: str | None = None):
    """(gold doc_ids, gold values, predicted values in gold's order) where a value is the record
    (``key`` None; an empty record where a prediction is missing) or its ``key`` (default ()).
    Duplicate doc_ids are an error, unless both sides list the same ids in the same order."""
    gold_ids, gold_values = _ids_and_values(gold, key)
    pred_ids, pred_values = _ids_and_values(pred, key)
    if gold_ids == pred_ids:  # the same documents in the same order: nothing to look up
        return gold_ids, gold_values, pred_values
    for side, ids in (("gold", gold_ids), ("predictions", pred_ids)):
        if len(set(ids)) != len(ids):
            raise ToolkitError(f"{side}: duplicate doc_id {next(i for i, n in Counter(ids).items() if n > 1)!r}")
    by_id = dict(zip(pred_ids, pred_values, strict=True))
    missing = (lambda i: ()) if key else empty_record
    return gold_ids, gold_values, [by_id[i] if i in by_id else missing(i) for i in gold_ids]


def align_records(gold: Sequence[Record], pred: Sequence[Record]) -> list[tuple[Record, Record]]:
    """Pair each gold record with the predicted record of the same ``doc_id`` (empty if none)."""
    _, gold, pred = by_doc(gold, pred)
    return list(zip(gold, pred, strict=True))


def match_spans(
    gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]], rule: MatchRule
) -> list[tuple[int, int]]:
    """One-to-one greedy matching: pairs ``(gold_index, pred_index)``, best score first
    (ties by gold index, then prediction index)."""
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            s = rule.score(g, p)
            if s is not None:
                candidates.append((-s, gi, pi))
    candidates.sort()
    used_g, used_p, pairs = set(), set(), []
    for _, gi, pi in candidates:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)
