"""toolkit.publish: the Hub folder, its card and its token-classification configurations; the
``publish`` command; the token kept out of messages."""

from __future__ import annotations

import json

import datasets
import pytest
import yaml
from datasets import load_dataset
from typer.testing import CliRunner

from conftest import ROOT
from dataset_records import two_records
from toolkit.bio import bio_to_spans
from toolkit.cli import app
from toolkit.dataset import build_dataset, load_dataset_dir, save_dataset
from toolkit.gold import record_to_results
from toolkit.gold_sources import load_gold
from toolkit.publish import build_hub_folder, label_counts, redact
from toolkit.schema import load_schema

datasets.disable_progress_bars()
runner = CliRunner()


@pytest.fixture
def records():
    return two_records()


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


def test_publish_folder_loads_with_the_same_rows_and_features(records, schema, tmp_path):
    built = build_dataset(records, schema)
    save_dataset(built, tmp_path / "ds", schema)
    reloaded, _ = load_dataset_dir(tmp_path / "ds")
    hub = build_hub_folder(reloaded, schema, tmp_path / "hub", "org/name", how="Read by two annotators.")
    for config in ("documents", "claims"):
        loaded = load_dataset(str(hub), config, split="test", cache_dir=str(tmp_path / "cache"))
        assert loaded.features == built[config]["test"].features
        assert loaded.to_list() == built[config]["test"].to_list()
    card = (hub / "README.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(card.split("---")[1])
    assert meta["license"] == "cc-by-4.0" and meta["language"] == ["en"]
    assert meta["annotations_creators"] == ["expert-generated"]
    assert {c["config_name"] for c in meta["configs"]} == {"documents", "claims", "actor_tokens", "claim_tokens"}
    info = {i["config_name"]: i for i in meta["dataset_info"]}
    label = next(f for f in info["claims"]["features"] if f["name"] == "speaker_type")
    assert list(label["dtype"]["class_label"]["names"].values()) == list(schema.actor_types)
    assert info["documents"]["splits"][0]["num_examples"] == 2
    assert "| actor STATE | 2 |" in card and "Read by two annotators." in card
    assert 'load_dataset("org/name", "documents", split="test")' in card


def test_label_counts(records, schema):
    counts = label_counts(build_dataset(records, schema))
    assert counts["actor STATE"] == 2 and counts["actor PERSON"] == 1 and counts["claims"] == 1
    assert counts["document stance none"] == 2 and counts["claim stance favor"] == 1


def test_cli_build_publish_and_offline_upload(records, schema, tmp_path, monkeypatch):
    export = tmp_path / "export.json"
    export.write_text(
        json.dumps(
            [
                {
                    "id": r["task_id"],
                    "data": {"text": r["text"], "doc_id": r["doc_id"]},
                    "annotations": [
                        {
                            "id": r["annotation_id"],
                            "completed_by": r["annotator"],
                            "ground_truth": r["ground_truth"],
                            "result": record_to_results(r, schema),
                        }
                    ],
                }
                for r in records
            ]
        )
    )
    built = runner.invoke(app, ["dataset", "build", str(export), "-o", str(tmp_path / "ds")])
    assert built.exit_code == 0, built.output
    assert "2 documents, 1 claims" in built.output
    local = runner.invoke(app, ["publish", str(tmp_path / "ds"), "--to", str(tmp_path / "hub")])
    assert local.exit_code == 0, local.output
    assert load_dataset(str(tmp_path / "hub"), "documents", split="test").num_rows == 2
    neither = runner.invoke(app, ["publish", str(tmp_path / "ds")])
    assert neither.exit_code == 1 and "exactly one of --to" in neither.output
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    secret = "hf_" + "s3cr3t" * 6
    upload = runner.invoke(app, ["publish", str(tmp_path / "ds"), "--repo-id", "org/name", "--hf-token", secret])
    assert upload.exit_code == 1
    assert "upload to org/name failed" in upload.output and secret not in upload.output
    missing = runner.invoke(app, ["publish", str(tmp_path / "nope"), "--to", str(tmp_path / "x")])
    assert missing.exit_code == 1 and "not a dataset built by" in missing.output


def test_publish_never_replaces_a_folder_it_did_not_write(records, schema, tmp_path):
    save_dataset(build_dataset(records, schema), tmp_path / "ds", schema)
    precious = tmp_path / "mine"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    result = runner.invoke(app, ["publish", str(tmp_path / "ds"), "--to", str(precious)])
    assert result.exit_code == 1 and "was not written by the toolkit" in result.output
    assert (precious / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "mine"]  # no temporary folder left
    # a folder the toolkit wrote is replaced
    assert runner.invoke(app, ["publish", str(tmp_path / "ds"), "--to", str(tmp_path / "hub")]).exit_code == 0
    assert runner.invoke(app, ["publish", str(tmp_path / "ds"), "--to", str(tmp_path / "hub")]).exit_code == 0


def test_redact_removes_the_token_before_shortening():
    token = "hf_" + "x" * 40
    message = redact(RuntimeError("a" * 190 + f" Bearer {token} rest"), token)
    assert token[:8] not in message and message.startswith("RuntimeError: ")
