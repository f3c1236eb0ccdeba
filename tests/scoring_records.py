"""Hand-made records for the scoring tests (tests/test_scoring*.py): a record and its actor spans."""

from __future__ import annotations


def record(doc_id, actors=(), claims=(), doc_stances=None):
    return {"doc_id": doc_id, "actors": list(actors), "claims": list(claims), "doc_stances": doc_stances or {}}


def actor(start, end, label="PER", id_=None):
    return {"id": id_ or f"a{start}_{end}", "start": start, "end": end, "text": "", "label": label}
