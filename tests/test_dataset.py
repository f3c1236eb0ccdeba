"""toolkit.dataset: records -> typed DatasetDict -> saved folder, and the Arrow-built tables."""

import json

import pytest
from datasets import ClassLabel
from typer.testing import CliRunner

from conftest import ROOT
from dataset_records import two_records
from toolkit.dataset import build_dataset, save_dataset

runner = CliRunner()


@pytest.fixture
def records():
    return two_records()


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
