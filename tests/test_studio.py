"""The Label Studio sync end to end, against a real server (see the `studio` fixture): push,
annotate, pull and import; the CLI's push and pull. Each stage's own tests are in
tests/test_studio_<module>.py (the modules of toolkit/studio/)."""

import json

from typer.testing import CliRunner

from conftest import SEEDS
from studio_helpers import annotation_for
from toolkit.cli import app
from toolkit.gold import import_exports, record_to_results
from toolkit.schema import labeling_config
from toolkit.studio import add_annotation, ensure_project, project_tasks, pull_export, push_tasks
from toolkit.tasks import build_tasks

runner = CliRunner()


def test_round_trip_through_label_studio(client, schema, tmp_path):
    project_id, _ = ensure_project(client, "round trip", labeling_config(schema))
    push_tasks(client, project_id, build_tasks(SEEDS))
    task = next(t for t in project_tasks(client, project_id) if t.data["doc_id"].startswith("003"))
    record = annotation_for(task.data["text"], schema)
    add_annotation(client, task.id, record_to_results(record, schema))

    out = tmp_path / "gold" / "export.json"
    summary = pull_export(client, project_id, out)
    assert summary["tasks"] == 5 and summary["annotations"] == 1
    exported = json.loads(out.read_text(encoding="utf-8"))
    [annotated] = [t for t in exported if t["annotations"]]
    results = annotated["annotations"][0]["result"]
    [relation] = [r for r in results if r["type"] == "relation"]
    assert (relation["from_id"], relation["to_id"], relation["labels"]) == ("clm1", "act1", ["speaker"])
    per_region = {
        r["from_name"]: r["value"]["choices"] for r in results if r.get("id") == "clm1" and r["type"] == "choices"
    }
    assert per_region == {"claim_target": ["gaza_ceasefire"], "claim_stance": ["favor"]}
    actor = next(r for r in results if r["from_name"] == "actor")
    text = annotated["data"]["text"]
    assert text[actor["value"]["start"] : actor["value"]["end"]] == "Sergey Lavrov"

    imported = import_exports([out], schema)
    assert imported.problems == []
    [got] = imported.records
    assert got["actors"] == record["actors"]
    assert got["claims"] == record["claims"]
    assert got["doc_stances"] == record["doc_stances"]
    assert imported.counts["tasks_without_annotation"] == 4


def test_cli_push_and_pull(studio_env, tmp_path):
    title = "cli project"
    first = runner.invoke(app, ["studio", "push", str(SEEDS), "--title", title])
    assert first.exit_code == 0, first.output
    assert "5 imported, 0 already present" in first.output
    again = runner.invoke(app, ["studio", "push", str(SEEDS), "--title", title])
    assert "0 imported, 5 already present" in again.output
    out = tmp_path / "export.json"
    pulled = runner.invoke(app, ["studio", "pull", "--title", title, "-o", str(out)])
    assert pulled.exit_code == 0, pulled.output
    assert len(json.loads(out.read_text())) == 5
    for result in (first, again, pulled):
        assert studio_env.token not in result.output
