"""Records -> Label Studio result items: the inverse of the import, used to push gold passes and
extractor predictions into Label Studio (and, with ``given_text``, to define what the record
check must say; see :mod:`toolkit.gold.check`)."""

from __future__ import annotations

from collections.abc import Mapping

from ..schema import ACTOR_TAG, CLAIM_STANCE_TAG, CLAIM_TAG, CLAIM_TARGET_TAG, DOC_STANCE_PREFIX, TEXT_NAME, Schema
from .values import is_int


def _span_value(span: Mapping[str, object], text: object, given_text: bool, **extra: object) -> dict[str, object]:
    """A span's ``value``: offsets and text (the span's own ``text`` if ``given_text`` and it has one,
    else the slice of ``text`` at its offsets), plus ``extra``."""
    start, end = span.get("start"), span.get("end")
    sliced = text[start:end] if isinstance(text, str) and is_int(start) and is_int(end) else None
    own = span.get("text")
    return {
        "start": start,
        "end": end,
        "text": own if (given_text and own is not None) or sliced is None else sliced,
        **extra,
    }


def _list(value: object) -> list[object]:
    """``value`` if it is a list, else an empty one (the parser reports what it was)."""
    return value if isinstance(value, list) else []


def _item(rid: object, name: str, kind: str, value: dict[str, object]) -> dict[str, object]:
    """One result item of a region (or, for a document stance, of the document)."""
    return {"id": rid, "from_name": name, "to_name": TEXT_NAME, "type": kind, "value": value}


def _claim_results(
    claim: Mapping[str, object], text: object, schema: Schema, given_text: bool
) -> list[dict[str, object]]:
    """A claim's span, its target and stance choices, and its speaker relation."""
    rid = claim.get("id")
    results = [_item(rid, CLAIM_TAG, "labels", _span_value(claim, text, given_text, labels=[schema.claim_label]))]
    for key, name in (("target", CLAIM_TARGET_TAG), ("stance", CLAIM_STANCE_TAG)):
        if claim.get(key) is not None:
            results.append(_item(rid, name, "choices", _span_value(claim, text, given_text, choices=[claim[key]])))
    if claim.get("speaker") is not None:
        results.append(
            {
                "type": "relation",
                "from_id": rid,
                "to_id": claim["speaker"],
                "direction": "right",
                "labels": [schema.speaker_relation],
            }
        )
    return results


def record_to_results(
    record: Mapping[str, object], schema: Schema, given_text: bool = False
) -> list[dict[str, object]]:
    """Label Studio result items for a record (spans, per-region choices, relations, doc stances).

    Untyped fields are passed on as they are, for the parser to report. ``given_text`` keeps
    each span's own ``text`` (to check it against the document) instead of the slice.
    """
    text = record.get("text")
    results = [
        _item(actor.get("id"), ACTOR_TAG, "labels", _span_value(actor, text, given_text, labels=[actor.get("label")]))
        for actor in _list(record.get("actors"))
        if isinstance(actor, dict)
    ]
    for claim in _list(record.get("claims")):
        if isinstance(claim, dict):
            results += _claim_results(claim, text, schema, given_text)
    stances = record.get("doc_stances")
    for target, stance in sorted(stances.items() if isinstance(stances, dict) else [], key=lambda kv: str(kv[0])):
        results.append(_item(f"doc-{target}", f"{DOC_STANCE_PREFIX}{target}", "choices", {"choices": [stance]}))
    return results
