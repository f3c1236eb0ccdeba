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
text (see :func:`toolkit.tasks.normalize_text`), exactly as Python slices do.

Records read from gold (Label Studio exports, records JSONL, datasets) are :class:`GoldRecord`:
the same shape plus where the annotation came from (``task_id``, ``annotation_id``,
``annotator``, ``ground_truth``). A ``GoldRecord`` is a ``Record``, so gold goes wherever a
record does; code that needs the provenance (agreement, review) asks for ``GoldRecord``.
Functions that only read a record take the TypedDicts; plain ``dict`` values (JSON just
loaded) are checked into records at the boundary (:func:`toolkit.gold.check_record`).
"""

from __future__ import annotations

from typing import NotRequired, TypeAlias, TypedDict

#: A JSON value as parsed (by ``json`` or orjson): what an export or a JSONL line holds before it
#: is checked into records.
JSON: TypeAlias = "bool | int | float | str | list[JSON] | dict[str, JSON] | None"


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


class GoldRecord(Record):
    """A record from gold, with its provenance (absent in records that never were in Label Studio)."""

    task_id: NotRequired[int | None]  # Label Studio task id (int64 in the dataset; None if it was not one)
    annotation_id: NotRequired[int | None]  # Label Studio annotation id
    annotator: NotRequired[int | str | None]  # Label Studio user id (``completed_by``), or a name from JSONL
    ground_truth: NotRequired[bool]  # the annotation is flagged ground truth (an adjudication)


def empty_record(doc_id: str, text: str | None = None) -> Record:
    """A record with no annotations, for a document an extractor found nothing in."""
    record: Record = {"doc_id": doc_id, "actors": [], "claims": [], "doc_stances": {}}
    if text is not None:
        record["text"] = text
    return record
