"""Character spans <-> token-level BIO tags, for the token-classification configurations.

Hugging Face token-classification datasets (CoNLL-2003 and its kind) hold ``tokens`` and
``ner_tags``, a ``Sequence(ClassLabel)`` of BIO tags (``O``, ``B-X``, ``I-X``). The gold
here is character spans, so each document is tokenised (words, numbers and single
punctuation marks, with their character offsets kept) and each span becomes ``B-`` on its
first token and ``I-`` on the others. A token belongs to a span when they overlap.

BIO cannot hold nested or overlapping spans of one layer: the earliest (longest first) span
wins and the others are counted as ``dropped``. A span whose edges fall inside a token
widens to the token's edges; it is counted as ``widened``. Spans that start and end on token
boundaries and do not overlap come back exactly from :func:`bio_to_spans` (tested).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

TOKEN = re.compile(r"\w+(?:-\w+)*|[^\w\s]")


def tokenize(text: str) -> list[tuple[int, int]]:
    """Character offsets ``(start, end)`` of the tokens of ``text``."""
    return [m.span() for m in TOKEN.finditer(text)]


def tag_names(labels: Sequence[str]) -> list[str]:
    """The BIO tag set for ``labels``: ``O``, then ``B-label`` and ``I-label`` for each."""
    return ["O", *(f"{prefix}-{label}" for label in labels for prefix in ("B", "I"))]


@dataclass
class Tagged:
    """The BIO tags of one document's spans, and what did not fit."""

    tags: list[str]
    dropped: int = 0
    widened: int = 0


def spans_to_bio(tokens: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int, str]]) -> Tagged:
    """BIO tags over ``tokens`` for character ``spans`` ``(start, end, label)`` (half-open)."""
    tags = ["O"] * len(tokens)
    starts = [s for s, _ in tokens]
    out = Tagged(tags)
    for start, end, label in sorted(spans, key=lambda s: (s[0], -s[1])):
        first = _first_token_ending_after(tokens, starts, start)
        covered = [i for i in range(first, len(tokens)) if tokens[i][0] < end]
        if not covered or any(tags[i] != "O" for i in covered):
            out.dropped += 1
            continue
        if tokens[covered[0]][0] != start or tokens[covered[-1]][1] != end:
            out.widened += 1
        tags[covered[0]] = f"B-{label}"
        for i in covered[1:]:
            tags[i] = f"I-{label}"
    return out


def _first_token_ending_after(tokens: Sequence[tuple[int, int]], starts: list[int], offset: int) -> int:
    """Index of the first token whose end is after ``offset`` (tokens are sorted and disjoint)."""
    i = max(bisect.bisect_right(starts, offset) - 1, 0)
    while i < len(tokens) and tokens[i][1] <= offset:
        i += 1
    return i


def bio_to_spans(tokens: Sequence[tuple[int, int]], tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Character spans ``(start, end, label)`` of BIO ``tags`` over ``tokens``; an ``I-`` tag
    that does not continue a span of its label starts one (the usual lenient reading)."""
    spans: list[tuple[int, int, str]] = []
    inside = False
    for (start, end), tag in zip(tokens, tags, strict=True):
        if tag == "O":
            inside = False
            continue
        prefix, label = tag.split("-", 1)
        if prefix == "I" and inside and spans[-1][2] == label:
            spans[-1] = (spans[-1][0], end, label)
            continue
        spans.append((start, end, label))
        inside = True
    return spans


def token_features(labels: Sequence[str]):
    """``datasets.Features`` of a token-classification configuration over ``labels``."""
    from datasets import ClassLabel, Features, Value
    from datasets import Sequence as Seq

    return Features(
        {
            "doc_id": Value("string"),
            "tokens": Seq(Value("string")),
            "token_starts": Seq(Value("int32")),
            "token_ends": Seq(Value("int32")),
            "ner_tags": Seq(ClassLabel(names=tag_names(labels))),
        }
    )


def token_rows(records: Sequence[dict], layer: str, label_of) -> tuple[list[dict], dict[str, int]]:
    """One row per record: its tokens and the BIO tags of its ``layer`` ("actors" or "claims"),
    with ``label_of(span)`` naming each span's label; plus counts of dropped and widened spans."""
    rows, counts = [], {"dropped": 0, "widened": 0}
    for record in records:
        text = record["text"]
        tokens = tokenize(text)
        tagged = spans_to_bio(tokens, [(s["start"], s["end"], label_of(s)) for s in record[layer]])
        counts["dropped"] += tagged.dropped
        counts["widened"] += tagged.widened
        rows.append(
            {
                "doc_id": record["doc_id"],
                "tokens": [text[s:e] for s, e in tokens],
                "token_starts": [s for s, _ in tokens],
                "token_ends": [e for _, e in tokens],
                "ner_tags": tagged.tags,
            }
        )
    return rows, counts
