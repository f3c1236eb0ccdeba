"""Live tests against a real Label Studio server (see the `studio` fixture)."""

import json

import pytest
from typer.testing import CliRunner

from conftest import SEEDS
from toolkit.cli import app
from toolkit.errors import StudioError
from toolkit.export import build_tasks
from toolkit.gold import import_exports, record_to_results
from toolkit.schema import labeling_config
from toolkit.studio import add_annotation, connect, ensure_project, project_tasks, pull_export, push_tasks

runner = CliRunner()


@pytest.fixture(scope="module")
def client(studio):
    return connect(studio.url, studio.token)


def test_project_is_created_then_reused_with_our_config(client, schema):
    config = labeling_config(schema)
    project_id, action = ensure_project(client, "reuse me", config)
    assert action == "created"
    assert ensure_project(client, "reuse me", config) == (project_id, "reused")
    assert client.projects.get(id=project_id).label_config.strip() == config.strip()


def test_push_is_idempotent_and_reports_changed_texts(client, schema, tmp_path):
    project_id, _ = ensure_project(client, "idempotent push", labeling_config(schema))
    tasks = build_tasks(SEEDS)
    first = push_tasks(client, project_id, tasks, batch_size=2)
    assert (first.imported, first.unchanged, first.changed) == (5, 0, [])
    again = push_tasks(client, project_id, tasks)
    assert (again.imported, again.unchanged, again.changed) == (0, 5, [])
    edited = json.loads(json.dumps(tasks))
    edited[0]["data"]["text"] += " Edited."
    edited[0]["data"]["sha256"] = "0" * 64
    changed = push_tasks(client, project_id, edited)
    assert (changed.imported, changed.unchanged, changed.changed) == (0, 4, [tasks[0]["data"]["doc_id"]])
    assert len(project_tasks(client, project_id)) == 5


def _annotation_for(text: str, schema) -> dict:
    """A hand-made annotation on the seed 003: an actor, a claim with target/stance, a speaker link."""
    speaker = "Sergey Lavrov"
    claim = "We consider it necessary to take urgent measures to reach an immediate ceasefire"
    s, c = text.index(speaker), text.index(claim)
    return {
        "doc_id": "003",
        "text": text,
        "actors": [{"id": "act1", "start": s, "end": s + len(speaker), "text": speaker, "label": "PERSON"}],
        "claims": [{"id": "clm1", "start": c, "end": c + len(claim), "text": claim, "speaker": "act1",
                    "target": "gaza_ceasefire", "stance": "favor"}],
        "doc_stances": {t: "none" for t in schema.targets} | {"gaza_ceasefire": "favor"},
    }


def test_round_trip_through_label_studio(client, schema, tmp_path):
    project_id, _ = ensure_project(client, "round trip", labeling_config(schema))
    push_tasks(client, project_id, build_tasks(SEEDS))
    task = next(t for t in project_tasks(client, project_id) if t.data["doc_id"].startswith("003"))
    record = _annotation_for(task.data["text"], schema)
    add_annotation(client, task.id, record_to_results(record, schema))

    out = tmp_path / "gold" / "export.json"
    summary = pull_export(client, project_id, out)
    assert summary["tasks"] == 5 and summary["annotations"] == 1
    exported = json.loads(out.read_text(encoding="utf-8"))
    [annotated] = [t for t in exported if t["annotations"]]
    results = annotated["annotations"][0]["result"]
    [relation] = [r for r in results if r["type"] == "relation"]
    assert (relation["from_id"], relation["to_id"], relation["labels"]) == ("clm1", "act1", ["speaker"])
    per_region = {r["from_name"]: r["value"]["choices"] for r in results if r.get("id") == "clm1" and r["type"] == "choices"}
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


def test_failed_pull_leaves_the_old_file(client, tmp_path):
    out = tmp_path / "export.json"
    out.write_text("old")
    with pytest.raises(StudioError):
        pull_export(client, 999_999, out)
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["export.json"]


def test_wrong_token_and_unreachable_server_are_one_line(studio):
    wrong = "wrong-" + studio.token[::-1]
    with pytest.raises(StudioError, match="401") as info:
        connect(studio.url, wrong)
    assert wrong not in str(info.value)
    with pytest.raises(StudioError, match="cannot reach"):
        connect("http://127.0.0.1:9", "x")
    result = runner.invoke(app, ["studio", "setup", "--url", studio.url, "--token", wrong])
    assert result.exit_code == 1
    assert wrong not in result.output and result.stderr.strip().count("\n") == 0


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


def test_personal_access_token_works_too(client, studio):
    jwt = client.tokens.create().token  # a personal access token (JWT refresh token)
    assert jwt.count(".") == 2 and jwt != studio.token
    assert connect(studio.url, jwt).users.whoami().email == studio.username
    result = runner.invoke(app, ["studio", "setup", "--title", "pat project", "--url", studio.url, "--token", jwt])
    assert result.exit_code == 0, result.output
    assert jwt not in result.output and "created" in result.output
