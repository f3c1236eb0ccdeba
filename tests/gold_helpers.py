"""What the gold import's tests (tests/test_gold_*.py) share: a hand-made annotated document, its
Label Studio task and export file, results found and changed in place, and the differential tests' size."""

import json
import os

from toolkit.gold import record_to_results

# Examples per differential test (a fast or direct path against its reference path).
DIFF_EXAMPLES = int(os.environ.get("TOOLKIT_FUZZ_EXAMPLES", "0")) or 150


def gold_record():
    """A fresh copy each call (tests change it): two actors, a claim and the six document stances."""
    text = "Lavrov said the ceasefire must hold.\nHamas  was   silent."
    return {
        "doc_id": "doc1",
        "text": text,
        "actors": [
            {"id": "a1", "start": 0, "end": 6, "text": "Lavrov", "label": "PERSON"},
            {"id": "a2", "start": 37, "end": 42, "text": "Hamas", "label": "GROUP"},
        ],
        "claims": [
            {
                "id": "c1",
                "start": 12,
                "end": 35,
                "text": text[12:35],
                "speaker": "a1",
                "target": "gaza_ceasefire",
                "stance": "favor",
            }
        ],
        "doc_stances": {
            "gaza_ceasefire": "favor",
            "humanitarian_access": "none",
            "israel_military_operation": "none",
            "hamas": "none",
            "palestinian_state": "none",
            "russia_mediation": "none",
        },
    }


def _export(tmp_path, tasks, name="export.json"):
    path = tmp_path / name
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


def _task(record, schema, task_id=1, **annotation):
    return {
        "id": task_id,
        "data": {"text": record["text"], "doc_id": record["doc_id"]},
        "annotations": [
            {"id": task_id * 10, "completed_by": 1, "result": record_to_results(record, schema), **annotation}
        ],
    }


def _corrupt(record, schema, change):
    task = _task(record, schema)
    change(task["annotations"][0]["result"])
    return task


def _find(result, rid, name=None):
    return next(r for r in result if r.get("id") == rid and (name is None or r["from_name"] == name))
