"""toolkit/studio/projects.py against a real Label Studio: a project is found by title, created
once, and a create that ran twice is settled on the oldest project."""

from conftest import SEEDS
from toolkit.schema import labeling_config
from toolkit.studio import ensure_project
from toolkit.studio.projects import _create_project
from toolkit.tasks import build_tasks


def test_project_is_created_then_reused_with_our_config(client, schema):
    config = labeling_config(schema)
    project_id, action = ensure_project(client, "reuse me", config)
    assert action == "created"
    assert ensure_project(client, "reuse me", config) == (project_id, "reused")
    assert client.projects.get(id=project_id).label_config.strip() == config.strip()


def test_a_project_left_behind_by_a_create_is_deleted(client, schema):
    """Label Studio on SQLite runs a request again from the start after "database is locked",
    so one create can make two projects: newer empty ones of the title are deleted and the
    oldest is used; a newer one holding tasks is kept."""
    title, config = "left behind", labeling_config(schema)
    oldest = client.projects.create(title=title, label_config=config).id
    client.projects.create(title=title, label_config=config)  # as if a create had run twice
    assert _create_project(client, title, config) == oldest
    assert [p.id for p in client.projects.list() if p.title == title] == [oldest]
    busy = client.projects.create(title=title, label_config=config).id
    client.projects.import_tasks(id=busy, request=build_tasks(SEEDS)[:1])
    assert _create_project(client, title, config) == oldest
    assert sorted(p.id for p in client.projects.list() if p.title == title) == [oldest, busy]
