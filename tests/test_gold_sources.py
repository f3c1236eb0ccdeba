"""Gold from where users keep it, and the schema that travels with the data."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from toolkit.cli import app
from toolkit.dataset import build_dataset, save_dataset
from toolkit.errors import SchemaError
from toolkit.gold_sources import check_schema_fit, load_gold
from toolkit.publish import build_hub_folder
from toolkit.schema import load_schema

runner = CliRunner()
WINDFARM = ROOT / "tests" / "projects" / "windfarm"
BUNDLED_GOLD = ROOT / "gold" / "export.json"
KEYS = ("doc_id", "text", "actors", "claims", "doc_stances")


@pytest.fixture(scope="module")
def wf_schema():
    return load_schema(WINDFARM / "schema.yaml")


@pytest.fixture(scope="module")
def wf_records():
    records = []
    for path in sorted((WINDFARM / "gold").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        record["text"] = (WINDFARM / "articles" / f"{record['doc_id']}.txt").read_text(encoding="utf-8")
        records.append(record)
    return records


@pytest.fixture
def wf_jsonl(tmp_path, wf_records):
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in wf_records), encoding="utf-8")
    return path


def _core(records):
    return [{k: r[k] for k in KEYS} for r in sorted(records, key=lambda r: r["doc_id"])]


def test_records_jsonl_dataset_folder_and_hub_folder_give_the_same_gold(tmp_path, wf_schema, wf_records, wf_jsonl):
    from_jsonl = load_gold([wf_jsonl], WINDFARM / "schema.yaml")
    assert _core(from_jsonl.records) == _core(wf_records)
    save_dataset(build_dataset(from_jsonl.records, wf_schema), tmp_path / "ds", wf_schema)
    from_dataset = load_gold([tmp_path / "ds"])  # no --schema: the data carries it
    assert from_dataset.schema.fingerprint == wf_schema.fingerprint
    assert _core(from_dataset.records) == _core(wf_records)
    from toolkit.dataset import load_dataset_dir

    datasets, _ = load_dataset_dir(tmp_path / "ds")
    build_hub_folder(datasets, wf_schema, tmp_path / "hub", "org/wf")
    from_hub = load_gold([tmp_path / "hub"])  # read with datasets.load_dataset
    assert from_hub.schema.fingerprint == wf_schema.fingerprint
    assert _core(from_hub.records) == _core(wf_records)


def test_a_schema_that_does_not_match_the_data_is_refused_in_one_line(tmp_path, wf_schema, wf_jsonl):
    save_dataset(
        build_dataset(load_gold([wf_jsonl], WINDFARM / "schema.yaml").records, wf_schema), tmp_path / "ds", wf_schema
    )
    bundled = ROOT / "schemas" / "schema.yaml"
    with pytest.raises(SchemaError) as info:
        load_gold([tmp_path / "ds"], bundled)
    message = str(info.value)
    assert "windfarm-dispute" in message and "gaza-diplomacy-stance" in message
    result = runner.invoke(app, ["evaluate", "--gold", str(tmp_path / "ds"), "--schema", str(bundled), "-e", "rules"])
    assert result.exit_code == 1 and result.stderr.strip().count("\n") == 0
    assert "windfarm-dispute" in result.stderr and "gaza-diplomacy-stance" in result.stderr


def test_an_export_that_does_not_fit_the_schema_fails_fast(wf_schema):
    tasks = json.loads(BUNDLED_GOLD.read_text(encoding="utf-8"))
    with pytest.raises(SchemaError, match=r"\d+ of \d+ labelled regions use labels that schema 'windfarm-dispute'"):
        check_schema_fit(tasks, wf_schema, "export.json")
    check_schema_fit(tasks, load_schema(ROOT / "schemas" / "schema.yaml"), "export.json")  # fits: no error
    result = runner.invoke(app, ["agreement", str(BUNDLED_GOLD), "--schema", str(WINDFARM / "schema.yaml")])
    assert result.exit_code == 1 and "wrong --schema?" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_records_without_a_stored_schema_must_fit_it(tmp_path, wf_records):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(wf_records[0]) + "\n")
    with pytest.raises(Exception, match=r"not one actor label|lacks"):
        load_gold([path], ROOT / "schemas" / "schema.yaml")


def test_evaluate_a_predictions_file_against_dataset_gold_in_another_schema(tmp_path, wf_schema, wf_jsonl):
    save_dataset(
        build_dataset(load_gold([wf_jsonl], WINDFARM / "schema.yaml").records, wf_schema), tmp_path / "ds", wf_schema
    )
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--gold",
            str(tmp_path / "ds"),
            "-p",
            str(wf_jsonl),
            "--n-boot",
            "100",
            "--json",
            str(tmp_path / "scores.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["meta"]["schema"]["name"] == "windfarm-dispute"
    [system] = scores["systems"].values()
    assert system["headline"]["actors_strict_f1"]["value"] == 1.0  # the gold scored against itself
    assert system["doc_stance"]["overall"]["f_avg"] == 1.0
    assert set(system["doc_stance"]["overall"]["labels"]) <= set(wf_schema.stance_labels)


def test_a_republished_hub_folder_of_the_same_name_is_read_afresh(tmp_path, wf_schema, wf_records, wf_jsonl):
    """`datasets` caches local folders by name and layout; the toolkit must not serve stale gold."""
    gold = load_gold([wf_jsonl], WINDFARM / "schema.yaml")
    for n, where in ((2, tmp_path / "a"), (4, tmp_path / "b")):
        save_dataset(build_dataset(gold.records[:n], wf_schema), where / "ds", wf_schema)
        from toolkit.dataset import load_dataset_dir

        build_hub_folder(load_dataset_dir(where / "ds")[0], wf_schema, where / "hub", "org/wf")
        assert len(load_gold([where / "hub"]).records) == n
