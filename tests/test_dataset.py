"""Records -> typed DatasetDict -> Hub folder -> datasets.load_dataset."""

import json

import pytest
import yaml
from datasets import ClassLabel, load_dataset
from typer.testing import CliRunner

from conftest import ROOT
from toolkit.cli import app
from toolkit.dataset import build_dataset, load_dataset_dir, save_dataset
from toolkit.gold import record_to_results
from toolkit.publish import build_hub_folder, label_counts, redact

runner = CliRunner()


@pytest.fixture
def records():
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


def test_features_carry_class_names(records, schema):
    datasets = build_dataset(records, schema)
    docs = datasets["documents"]["test"]
    assert docs.features["actors"].feature["label"] == ClassLabel(names=list(schema.actor_types))
    assert docs.features["claims"].feature["stance"].names == ["favor", "against", "neutral", "none"]
    assert docs.features["doc_stances"].feature["target"].names == list(schema.targets)
    assert docs[0]["actors"][0]["label"] == 0 and isinstance(docs[0]["actors"], list)
    claims = datasets["claims"]["test"]
    assert len(claims) == 1
    row = claims[0]
    assert (row["speaker_text"], claims.features["speaker_type"].int2str(row["speaker_type"])) == ("Lavrov", "PERSON")
    assert claims.features["target"].int2str(row["target"]) == "gaza_ceasefire"
    assert row["schema_version"] == schema.version


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


def test_unwritable_output_is_one_line(tmp_path):
    result = runner.invoke(app, ["export", str(ROOT / "seeds"), "-o", "/proc/no/such/tasks.json"])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.output


def _reference_build(records, schema):
    """build_dataset as it was: rows of Python dicts through Dataset.from_list."""
    from toolkit.dataset import CONFIGS, _table, claim_rows, document_rows, features

    feats = features(schema)
    rows = {"documents": document_rows(records, schema), "claims": claim_rows(records, schema)}
    return {name: _table(rows[name], feats[name]) for name in CONFIGS}


def _gold_records(schema):
    from toolkit.gold_sources import load_gold

    return load_gold(
        [ROOT / "gold" / "export.json"], default_schema=ROOT / "schemas" / "schema.yaml", policy="all"
    ).records


@pytest.mark.parametrize("variant", ["fixture", "gold", "no-claims", "odd-labels", "nulls", "none"])
def test_arrow_built_tables_equal_from_list(records, schema, variant):
    """The Arrow-built tables are what Dataset.from_list made of the rows (values, types, features);
    labels from_list would strip or parse, and null spans, take the from_list route."""
    if variant == "gold":
        records = _gold_records(schema)
    elif variant == "no-claims":
        records = [{**r, "claims": []} for r in records]
    elif variant == "odd-labels":
        records[0]["actors"][0]["label"] = " PERSON "
        records[1]["doc_stances"] = {"gaza_ceasefire": "1"}
    elif variant == "nulls":
        records[0]["actors"].append({"id": "x9", "start": 1, "end": 2, "text": None, "label": None})
        records[1].update(task_id=None, annotator=2**70, ground_truth=None)
        records[0]["claims"][0].update(speaker=None, target=None)
    elif variant == "none":
        records = []
    from toolkit.dataset import _arrow_columns, features

    arrow = _arrow_columns(records, schema, features(schema)) if records else None
    assert (arrow is not None) == (variant in ("fixture", "gold", "no-claims", "nulls"))  # else from_list
    built = build_dataset(records, schema)
    reference = _reference_build(records, schema)
    for name, table in reference.items():
        got = built[name]["test"]
        assert got.features == table.features
        assert got.data.table.equals(table.data.table) and got.data.table.schema == table.data.table.schema
        assert got.to_list() == table.to_list()


def test_saved_dataset_is_the_same_files(records, schema, tmp_path):
    """What dataset build writes is byte for byte what it wrote before, except the in-memory
    tables' fingerprints in state.json (a hash of how the Arrow arrays are laid out)."""
    from datasets import DatasetDict

    records = _gold_records(schema)
    save_dataset(build_dataset(records, schema), tmp_path / "new", schema)
    save_dataset(
        {n: DatasetDict({"test": d}) for n, d in _reference_build(records, schema).items()}, tmp_path / "old", schema
    )
    files = sorted(p.relative_to(tmp_path / "old") for p in (tmp_path / "old").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "new") for p in (tmp_path / "new").rglob("*") if p.is_file())
    for file in files:
        old, new = (tmp_path / "old" / file).read_bytes(), (tmp_path / "new" / file).read_bytes()
        if file.name == "state.json":
            old, new = (json.loads(x) for x in (old, new))
            old.pop("_fingerprint"), new.pop("_fingerprint")
        assert old == new, file
