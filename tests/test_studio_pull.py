"""toolkit/studio/pull.py against a real Label Studio: the one-request export and the export
snapshot write the same native JSON, predictions in full; a failed pull leaves the old file."""

import json

import pytest
from typer.testing import CliRunner

import toolkit.studio.pull as pull_module
from conftest import SEEDS
from studio_helpers import annotation_for
from toolkit.cli import app
from toolkit.errors import StudioError
from toolkit.gold import record_to_results
from toolkit.schema import labeling_config
from toolkit.studio import add_annotation, ensure_project, project_tasks, pull_export, push_tasks
from toolkit.tasks import build_tasks

runner = CliRunner()


def _without_created_ago(tasks: list[dict]) -> list[dict]:
    """An export without each prediction's ``created_ago`` ("0 minutes" when it was exported)."""
    for task in tasks:
        for prediction in task["predictions"]:
            prediction.pop("created_ago")
    return tasks


def test_a_pull_through_an_export_snapshot_writes_the_same_file(client, schema, tmp_path, monkeypatch, studio_env):
    title = "snapshot pull"
    project_id, _ = ensure_project(client, title, labeling_config(schema))
    push_tasks(client, project_id, build_tasks(SEEDS))
    tasks = project_tasks(client, project_id)
    record = annotation_for(next(t for t in tasks if t.data["doc_id"].startswith("003")).data["text"], schema)
    add_annotation(
        client, next(t.id for t in tasks if t.data["doc_id"].startswith("003")), record_to_results(record, schema)
    )
    choice = [
        {
            "from_name": "doc_stance__gaza_ceasefire",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": ["favor"]},
        }
    ]
    for version in ("m 1", "m 2"):
        client.predictions.create(task=tasks[1].id, result=choice, model_version=version)

    one = pull_export(client, project_id, tmp_path / "one.json", method="sync")
    snap = pull_export(client, project_id, tmp_path / "snap.json", method="snapshot")
    assert (one["method"], snap["method"]) == ("sync", "snapshot")
    assert {k: v for k, v in one.items() if k not in ("method", "path")} == {
        k: v for k, v in snap.items() if k not in ("method", "path")
    }
    assert snap["predictions"] == 2 and snap["annotations"] == 1
    exported = [_without_created_ago(json.loads((tmp_path / f).read_text())) for f in ("one.json", "snap.json")]
    assert exported[0] == exported[1]
    assert client.projects.exports.list(id=project_id) == []  # the snapshot is deleted after the download

    monkeypatch.setattr(pull_module, "SNAPSHOT_FROM", 5)  # 5 tasks: the snapshot is taken
    pulled = runner.invoke(app, ["studio", "pull", "--title", title, "-o", str(tmp_path / "cli.json")])
    assert pulled.exit_code == 0, pulled.output
    assert "wrote 5 tasks, 1 annotations (0 cancelled)" in pulled.output and "export snapshot" in pulled.output
    assert _without_created_ago(json.loads((tmp_path / "cli.json").read_text())) == exported[0]


def test_failed_pull_leaves_the_old_file(client, tmp_path):
    out = tmp_path / "export.json"
    out.write_text("old")
    with pytest.raises(StudioError):
        pull_export(client, 999_999, out)
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["export.json"]
