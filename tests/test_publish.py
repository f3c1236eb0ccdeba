"""toolkit.publish: the Hub folder, its card and its token-classification configurations."""

from __future__ import annotations

import datasets
from datasets import load_dataset

from conftest import ROOT
from toolkit.bio import bio_to_spans
from toolkit.dataset import build_dataset
from toolkit.gold_sources import load_gold
from toolkit.publish import build_hub_folder
from toolkit.schema import load_schema

datasets.disable_progress_bars()


def test_token_configs_give_back_the_gold_spans(tmp_path):
    schema = load_schema(ROOT / "schemas" / "schema.yaml")
    gold = load_gold([ROOT / "gold" / "export.json"], ROOT / "schemas" / "schema.yaml")
    build_hub_folder(build_dataset(gold.records, schema), schema, tmp_path / "hub", "org/name")
    by_doc = {r["doc_id"]: r for r in gold.records}
    for config, layer in (("actor_tokens", "actors"), ("claim_tokens", "claims")):
        tagged = load_dataset(str(tmp_path / "hub"), config, split="test", cache_dir=str(tmp_path / "cache"))
        names = tagged.features["ner_tags"].feature
        assert names.names[0] == "O" and len(tagged) == len(by_doc)
        for row in tagged:
            record = by_doc[row["doc_id"]]
            tokens = list(zip(row["token_starts"], row["token_ends"], strict=True))
            assert [record["text"][s:e] for s, e in tokens] == row["tokens"]
            spans = bio_to_spans(tokens, [names.int2str(t) for t in row["ner_tags"]])
            label = (lambda s: s["label"]) if layer == "actors" else (lambda s: schema.claim_label)
            expected = sorted((s["start"], s["end"], label(s)) for s in record[layer])
            assert spans == expected, row["doc_id"]
    card = (tmp_path / "hub" / "README.md").read_text()
    assert "actor_tokens" in card and "Every span is represented exactly." in card
