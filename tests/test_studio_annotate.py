"""toolkit/studio/annotate.py against a real Label Studio: entering records as annotations is
idempotent (a second copy is refused, --replace updates in place) and the ground-truth flag moves
only when asked."""

import json

import pytest
from typer.testing import CliRunner

from conftest import SEEDS
from studio_helpers import annotation_for
from toolkit.cli import app
from toolkit.errors import StudioError
from toolkit.schema import labeling_config
from toolkit.studio import annotate_from_records, ensure_project, project_tasks, push_tasks
from toolkit.tasks import build_tasks

runner = CliRunner()


@pytest.fixture(scope="module")
def annotated_project(client, schema):
    project_id, _ = ensure_project(client, "annotate twice", labeling_config(schema))
    push_tasks(client, project_id, build_tasks(SEEDS))
    return project_id


def _record_file(client, project_id, schema, path, stance="favor"):
    task = next(t for t in project_tasks(client, project_id) if t.data["doc_id"].startswith("003"))
    record = annotation_for(task.data["text"], schema)
    record["doc_id"] = task.data["doc_id"]
    record["claims"][0]["stance"] = stance
    path.write_text(json.dumps(record), encoding="utf-8")
    return task.id, path


def _annotations(client, task_id):
    return sorted(client.annotations.list(id=task_id), key=lambda a: a.id)


def test_annotate_refuses_a_second_copy_and_replace_updates_in_place(client, schema, annotated_project, tmp_path):
    task_id, path = _record_file(client, annotated_project, schema, tmp_path / "r.json")
    assert annotate_from_records(client, annotated_project, [path], schema).created == 1
    with pytest.raises(StudioError, match=r"already have an annotation.*--replace"):
        annotate_from_records(client, annotated_project, [path], schema)
    [before] = _annotations(client, task_id)
    _, changed = _record_file(client, annotated_project, schema, tmp_path / "r2.json", stance="against")
    result = annotate_from_records(client, annotated_project, [changed], schema, replace=True)
    assert (result.created, result.updated) == (0, 1)
    [after] = _annotations(client, task_id)
    assert after.id == before.id
    stances = [r["value"]["choices"] for r in after.result if r.get("from_name") == "claim_stance"]
    assert stances == [["against"]]


def test_the_ground_truth_flag_moves_only_when_asked(client, schema, annotated_project, tmp_path):
    task_id, path = _record_file(client, annotated_project, schema, tmp_path / "r.json")
    before = {a.id for a in _annotations(client, task_id)}
    annotate_from_records(client, annotated_project, [path], schema, user="adjudicator@example.com", ground_truth=True)
    annotate_from_records(client, annotated_project, [path], schema, user="second@example.com")
    annotate_from_records(client, annotated_project, [path], schema, user="adjudicator@example.com", replace=True)
    annotations = [a for a in _annotations(client, task_id) if a.id not in before]
    assert len(annotations) == 2
    assert [a.ground_truth for a in annotations] == [True, False]  # the adjudicator's, still


def test_cli_annotate_twice_is_one_line_then_replace(studio_env, client, schema, annotated_project, tmp_path):
    _, path = _record_file(client, annotated_project, schema, tmp_path / "r.json")
    args = ["studio", "annotate", str(path), "--title", "annotate twice", "--as", "cli@example.com"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0 and "created 1 annotation(s), updated 0" in first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 1 and second.stderr.strip().count("\n") == 0 and "--replace" in second.stderr
    third = runner.invoke(app, [*args, "--replace"])
    assert third.exit_code == 0 and "created 0 annotation(s), updated 1" in third.output
