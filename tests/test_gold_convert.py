"""toolkit.gold.convert: exports -> records; the annotation policy, what is counted, problems and --strict."""

import json

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from gold_helpers import _corrupt, _export, _find, _task, gold_record
from toolkit.cli import app
from toolkit.errors import GoldError
from toolkit.gold import import_exports, record_to_results

runner = CliRunner()


@pytest.fixture
def record():
    return gold_record()


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda res: _find(res, "a1")["value"].update(end=999),
            "task 1 region a1: offsets [0, 999) are outside the text",
        ),
        (lambda res: _find(res, "a1")["value"].update(text="Putin"), "task 1 region a1: region text 'Putin' differs"),
        (
            lambda res: _find(res, "a2")["value"].update(labels=["TERRORIST"]),
            "task 1 region a2: label ['TERRORIST'] is not one actor label",
        ),
        (lambda res: res.remove(_find(res, "a1")), "relation endpoint is missing"),
        (
            lambda res: res.remove(next(r for r in res if r["type"] == "relation")),
            "task 1 region c1: claim has no speaker relation",
        ),
        (
            lambda res: _find(res, "c1", "claim_stance")["value"].update(choices=["angry"]),
            "claim_stance 'angry' is not in schema",
        ),
        (lambda res: res.remove(_find(res, "c1", "claim_target")), "task 1 region c1: claim has no target"),
    ],
)
def test_each_problem_is_named_and_counted(tmp_path, schema, record, change, message):
    path = _export(tmp_path, [_corrupt(record, schema, change)])
    imported = import_exports([path], schema)
    assert any(message in str(p) for p in imported.problems), [str(p) for p in imported.problems]
    assert imported.counts["problems"] == len(imported.problems) >= 1
    assert all(str(p).startswith("export.json: task 1") for p in imported.problems)
    with pytest.raises(GoldError, match="--strict"):
        import_exports([path], schema, strict=True)
    result = runner.invoke(app, ["dataset", "build", str(path), "--strict", "-o", str(tmp_path / "ds")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert message in result.output
    assert not (tmp_path / "ds").exists()


def test_policy_ground_truth_first_cancelled_skipped_and_all(tmp_path, schema, record):
    other = json.loads(json.dumps(record))
    other["doc_stances"] = {**record["doc_stances"], "gaza_ceasefire": "against"}
    task = _task(record, schema)
    task["annotations"] = [
        {"id": 1, "completed_by": 1, "result": record_to_results(other, schema)},
        {"id": 2, "completed_by": 2, "result": record_to_results(record, schema), "ground_truth": True},
        {"id": 3, "completed_by": 3, "result": [], "was_cancelled": True},
    ]
    path = _export(tmp_path, [task])
    [chosen] = import_exports([path], schema).records
    assert (chosen["annotation_id"], chosen["doc_stances"]["gaza_ceasefire"]) == (2, "favor")
    every = import_exports([path], schema, policy="all")
    assert [r["annotation_id"] for r in every.records] == [1, 2]
    assert every.counts["annotations_cancelled"] == 1
    task["annotations"][1]["ground_truth"] = False
    [earliest] = import_exports([_export(tmp_path, [task])], schema).records
    assert earliest["annotation_id"] == 1


def test_drafts_and_cancelled_annotations_are_counted(tmp_path, schema, record):
    task = _task(record, schema)
    task["drafts"] = [{"id": 5, "result": [], "user": "x"}]
    skipped = {**_task(record, schema, task_id=2), "drafts": []}
    skipped["data"]["doc_id"] = "doc2"
    skipped["annotations"][0].update(was_cancelled=True, result=[])
    imported = import_exports([_export(tmp_path, [task, skipped])], schema)
    assert imported.problems == [] and [r["doc_id"] for r in imported.records] == ["doc1"]
    assert imported.counts["drafts_not_imported"] == 1 and imported.counts["annotations_cancelled"] == 1
    assert imported.counts["tasks_without_annotation"] == 1


def test_ui_exports_import_losslessly(schema):
    for path in sorted((ROOT / "tests" / "data").glob("ui_export_*.json")):
        imported = import_exports([path], schema, policy="all")
        assert imported.records, path
        assert not [p for p in imported.problems if "skipped" in p.message or "dropped" in p.message], path
