"""The committed gold: complete, consistent with the schema, and as described in gold/README.md."""

import json
import re
from collections import Counter

import pytest

from conftest import ROOT
from toolkit.gold import import_exports

EXPORT = ROOT / "gold" / "export.json"


@pytest.fixture(scope="module")
def gold(schema):
    return import_exports([EXPORT], schema)


def test_every_seed_has_adjudicated_gold_without_problems(gold):
    assert gold.problems == []
    assert sorted(r["doc_id"] for r in gold.records) == sorted(p.stem for p in (ROOT / "seeds").glob("*.txt"))
    assert all(r["ground_truth"] for r in gold.records)


def test_gold_text_is_the_seed_text(gold):
    for record in gold.records:
        assert record["text"] == (ROOT / "seeds" / f"{record['doc_id']}.txt").read_text(encoding="utf-8")


def test_every_region_text_equals_its_slice():
    for task in json.loads(EXPORT.read_text(encoding="utf-8")):
        text = task["data"]["text"]
        for annotation in task["annotations"]:
            for item in annotation["result"]:
                value = item.get("value", {})
                if "start" in value:
                    assert text[value["start"] : value["end"]] == value["text"], (task["id"], item["id"])


def test_complete_document_stances_and_speakers(gold, schema):
    for record in gold.records:
        assert set(record["doc_stances"]) == set(schema.targets)
        assert all(c["speaker"] and c["target"] and c["stance"] for c in record["claims"])


def test_three_annotations_per_task_by_three_users(schema):
    every = import_exports([EXPORT], schema, policy="all")
    assert every.problems == []
    by_doc = Counter(r["doc_id"] for r in every.records)
    assert set(by_doc.values()) == {3}
    assert {r["annotator"] for r in every.records} == {2, 3, 4}


def test_readme_counts_match_the_export(gold):
    readme = (ROOT / "gold" / "README.md").read_text(encoding="utf-8")
    actors = Counter(a["label"] for r in gold.records for a in r["actors"])
    for label, n in actors.items():
        assert f"| actor {label} | {n} |" in readme
    claims = [c for r in gold.records for c in r["claims"]]
    assert f"| claims | {len(claims)} |" in readme
    stances = Counter(c["stance"] for c in claims)
    assert f"| {stances['favor']} / {stances['against']} / {stances['neutral']} / {stances['none']} |" in readme
    for target, n in Counter(c["target"] for c in claims).items():
        assert f"| claim target {target} | {n} |" in readme
    docs = Counter(s for r in gold.records for s in r["doc_stances"].values())
    assert re.search(
        rf"\| {docs['favor']} / {docs['against']} / {docs['neutral']} / {docs['none']} \|\s*$", readme, re.MULTILINE
    )
