"""Two annotated documents as the importer returns them, for the dataset and publish tests."""

from __future__ import annotations


def two_records() -> list[dict]:
    """A fresh copy each call (tests change them): document "a" with three actors, a claim and two
    document stances, document "b" (an emoji first, a typographic apostrophe) with one actor."""
    a = "Lavrov urged a ceasefire. Hamas was blamed by Israel."
    b = "😀 Russia’s envoy said nothing new."
    return [
        {
            "doc_id": "a",
            "text": a,
            "task_id": 1,
            "annotation_id": 11,
            "annotator": 2,
            "ground_truth": True,
            "actors": [
                {"id": "x1", "start": 0, "end": 6, "text": "Lavrov", "label": "PERSON"},
                {"id": "x2", "start": 26, "end": 31, "text": "Hamas", "label": "GROUP"},
                {"id": "x3", "start": 46, "end": 52, "text": "Israel", "label": "STATE"},
            ],
            "claims": [
                {
                    "id": "k1",
                    "start": 14,
                    "end": 24,
                    "text": "a ceasefire",
                    "speaker": "x1",
                    "target": "gaza_ceasefire",
                    "stance": "favor",
                }
            ],
            "doc_stances": {"gaza_ceasefire": "favor", "hamas": "none"},
        },
        {
            "doc_id": "b",
            "text": b,
            "task_id": 2,
            "annotation_id": 12,
            "annotator": 3,
            "ground_truth": False,
            "actors": [{"id": "y1", "start": 2, "end": 8, "text": "Russia", "label": "STATE"}],
            "claims": [],
            "doc_stances": {"gaza_ceasefire": "none"},
        },
    ]
