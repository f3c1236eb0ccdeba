"""The record shape shared by gold, predictions, datasets and scorers.

One record per document, as plain JSON-ready dicts (what a predictions JSONL line holds):

    {
      "doc_id": "000_0a59",
      "text": "...",                                    # optional in predictions
      "actors": [{"id": "a1", "start": 0, "end": 13, "text": "Sergey Lavrov", "label": "PERSON"}],
      "claims": [{"id": "c1", "start": 20, "end": 60, "text": "...",
                  "speaker": "a1",                      # id of an actor in the same record, or None
                  "target": "gaza_ceasefire", "stance": "favor"}],
      "doc_stances": {"gaza_ceasefire": "favor", "hamas": "none", ...},
    }

Offsets are half-open ``[start, end)`` and count Unicode code points in the normalised
text (see :func:`toolkit.export.normalize_text`), exactly as Python slices do.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class Actor(TypedDict):
    id: str
    start: int
    end: int
    text: str
    label: str


class Claim(TypedDict):
    id: str
    start: int
    end: int
    text: str
    speaker: str | None
    target: str | None
    stance: str | None


class Record(TypedDict):
    doc_id: str
    text: NotRequired[str]
    actors: list[Actor]
    claims: list[Claim]
    doc_stances: dict[str, str]


def empty_record(doc_id: str, text: str | None = None) -> Record:
    """A record with no annotations, for a document an extractor found nothing in."""
    record: Record = {"doc_id": doc_id, "actors": [], "claims": [], "doc_stances": {}}
    if text is not None:
        record["text"] = text
    return record
