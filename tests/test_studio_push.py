"""toolkit/studio/push.py against a real Label Studio: each document once, every batch sent once
(faults between the SDK and the server from a real proxy, ``faultproxy.FaultProxy``; nothing in
the client is patched), concurrent pushes converge, and duplicates holding work are never
deleted."""

import json
import threading
import time

import pytest
from typer.testing import CliRunner

from conftest import SEEDS
from studio_helpers import IMPORT, make_docs, tasks_per_doc
from toolkit.cli import app
from toolkit.errors import StudioError
from toolkit.schema import labeling_config
from toolkit.studio import add_annotation, connect, ensure_project, project_tasks, push_tasks
from toolkit.tasks import build_tasks

runner = CliRunner()


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


def test_the_sdk_alone_would_import_twice_after_a_504(client, proxy, schema):
    """The failure the toolkit guards against, shown on the real server: the SDK retries a POST."""
    project_id, _ = ensure_project(client, "sdk retries", labeling_config(schema))
    proxy.add("504_after_forward", method="POST", path=IMPORT)
    raw = connect(proxy.url, client.toolkit_secret)
    raw.projects.import_tasks(id=project_id, request=build_tasks(SEEDS)[:2])  # SDK defaults: 2 retries
    assert len(proxy.requests("POST", "/import")) == 2
    assert sum(tasks_per_doc(client, project_id).values()) == 4  # 2 documents, 4 tasks


def test_504_after_commit_is_not_retried_and_the_push_goes_on(client, proxy, schema):
    project_id, _ = ensure_project(client, "504 after commit", labeling_config(schema))
    rule = proxy.add("504_after_forward", method="POST", path=IMPORT, nth=2)
    assert tasks_per_doc(client, project_id) == {}
    result = push_tasks(connect(proxy.url, client.toolkit_secret), project_id, build_tasks(SEEDS), batch_size=2)
    assert rule.fired == 1 and len(proxy.requests("POST", "/import")) == 3  # three batches, each sent once
    assert (result.imported, result.unchanged, result.removed, result.tasks) == (5, 0, 0, 5)
    [note] = result.notes
    assert "batch 2 of 3" in note and "504" in note and "all 2 documents" in note
    assert set(tasks_per_doc(client, project_id).values()) == {1} and len(tasks_per_doc(client, project_id)) == 5


def test_dropped_connections_before_and_after_the_server_commits(client, proxy, schema):
    project_id, _ = ensure_project(client, "dropped connections", labeling_config(schema))
    proxy.add("drop_after_forward", method="POST", path=IMPORT, nth=1)  # committed, answer lost
    proxy.add("drop", method="POST", path=IMPORT, nth=2)  # never reaches the server
    via = connect(proxy.url, client.toolkit_secret)
    with pytest.raises(StudioError) as info:
        push_tasks(via, project_id, build_tasks(SEEDS), batch_size=2)
    message = str(info.value)
    assert "batch 2 of 3" in message and "0 of the batch's 2" in message and "nothing was re-sent" in message
    assert "\n" not in message and len(proxy.requests("POST", "/import")) == 2
    assert sum(tasks_per_doc(client, project_id).values()) == 2  # batch 1 arrived although its answer was lost
    proxy.clear()
    again = push_tasks(via, project_id, build_tasks(SEEDS), batch_size=2)
    assert (again.imported, again.unchanged, again.tasks) == (3, 2, 5)
    assert set(tasks_per_doc(client, project_id).values()) == {1}


def test_a_late_commit_after_the_client_gave_up_is_not_imported_again(client, proxy, schema):
    project_id, _ = ensure_project(client, "late commit", labeling_config(schema))
    proxy.add("delay", method="POST", path=IMPORT, seconds=3)  # the server gets the batch after 3 s
    via = connect(proxy.url, client.toolkit_secret, timeout=1)
    with pytest.raises(StudioError, match="in time"):
        push_tasks(via, project_id, build_tasks(SEEDS))
    deadline = time.monotonic() + 30
    while sum(tasks_per_doc(client, project_id).values()) < 5 and time.monotonic() < deadline:
        time.sleep(0.5)
    rerun = push_tasks(connect(proxy.url, client.toolkit_secret), project_id, build_tasks(SEEDS))
    assert (rerun.imported, rerun.unchanged, rerun.tasks) == (0, 5, 5)
    assert set(tasks_per_doc(client, project_id).values()) == {1}


def test_two_concurrent_pushes_of_the_same_documents_converge(client, proxy, schema, tmp_path):
    """Both runs create the project and list it before either imports (the proxy holds the
    first creations and imports until both have arrived): 600 tasks, then 300."""
    title, tasks = "concurrent pushes", make_docs(tmp_path, 300, "race")
    proxy.add("gather", method="POST", path=r"/api/projects/$", count=2, times=2)
    proxy.add("gather", method="POST", path=IMPORT, count=2, times=2)
    results, errors = [], []

    def run():
        try:
            via = connect(proxy.url, client.toolkit_secret)
            project_id, _ = ensure_project(via, title, labeling_config(schema))
            results.append((project_id, push_tasks(via, project_id, tasks, batch_size=100)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    (first_id, first), (second_id, second) = results
    assert first_id == second_id and len([p for p in client.projects.list() if p.title == title]) == 1
    assert len(proxy.requests("POST", "/import")) == 6  # each run sent its 3 batches: 600 tasks
    counts = tasks_per_doc(client, first_id)
    assert len(counts) == 300 and set(counts.values()) == {1}, (results, proxy.log[-20:])
    assert first.imported == second.imported == 300, results
    # both runs may delete the same extra task at the same moment, and both are told it worked
    assert first.removed + second.removed >= 300 and 300 in (first.tasks, second.tasks), results


def test_a_push_lists_the_project_once(client, proxy, schema, tmp_path):
    """Once before importing; after it only the tasks others added meanwhile are asked for;
    with nothing new, the one listing is all."""
    project_id, _ = ensure_project(client, "listed once", labeling_config(schema))
    via, tasks = connect(proxy.url, client.toolkit_secret), make_docs(tmp_path, 30, "once")
    first = push_tasks(via, project_id, tasks, batch_size=10)
    assert (first.imported, first.tasks, len(proxy.requests("GET", "/api/tasks/"))) == (30, 30, 2)
    again = push_tasks(via, project_id, tasks)
    assert (again.imported, again.unchanged, again.tasks, len(proxy.requests("GET", "/api/tasks/"))) == (0, 30, 30, 3)
    more = push_tasks(via, project_id, tasks + make_docs(tmp_path, 5, "more"))
    assert (more.imported, more.unchanged, more.tasks, len(proxy.requests("GET", "/api/tasks/"))) == (5, 30, 35, 5)
    assert set(tasks_per_doc(client, project_id).values()) == {1}


def test_tasks_others_import_during_a_push_are_seen(client, schema, tmp_path):
    """Someone imports between the push's listing and its import (the progress callback runs
    there): other documents are counted; copies of the pushed ones are removed."""
    project_id, _ = ensure_project(client, "imported meanwhile", labeling_config(schema))
    tasks, others = make_docs(tmp_path, 20, "meanwhile"), make_docs(tmp_path, 5, "others")

    def importing(request):
        def progress(_):
            if request:
                client.projects.import_tasks(id=project_id, request=request.copy())
                request.clear()

        return progress

    result = push_tasks(client, project_id, tasks[:10], batch_size=5, progress=importing(others))
    assert (result.imported, result.removed, result.duplicated, result.tasks) == (10, 0, 0, 15)
    result = push_tasks(client, project_id, tasks, batch_size=5, progress=importing(tasks[10:15]))
    assert (result.imported, result.unchanged, result.removed, result.tasks) == (10, 10, 5, 25)
    counts = tasks_per_doc(client, project_id)
    assert len(counts) == 25 and set(counts.values()) == {1}


def test_push_dedupe_removes_duplicates_but_never_work(client, schema, studio_env):
    title = "existing duplicates"
    project_id, _ = ensure_project(client, title, labeling_config(schema))
    tasks = build_tasks(SEEDS)
    for _ in range(3):  # an old push imported every document three times
        client.projects.import_tasks(id=project_id, request=tasks)
    copies = {}
    for task in project_tasks(client, project_id):
        copies.setdefault(task.data["doc_id"], []).append(task.id)
    first, second = sorted(copies)[:2]
    choice = [
        {
            "from_name": "doc_stance__gaza_ceasefire",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": ["favor"]},
        }
    ]
    add_annotation(client, copies[first][2], choice)  # work on the newest copy only
    add_annotation(client, copies[second][0], choice)
    client.predictions.create(task=copies[second][1], result=choice, model_version="m")

    plain = runner.invoke(app, ["studio", "push", str(SEEDS), "--title", title])
    assert plain.exit_code == 0, plain.output
    assert "0 imported, 5 already present; 15 task(s)" in plain.output
    assert "5 other document(s) have duplicate tasks" in plain.stderr
    deduped = runner.invoke(app, ["studio", "push", str(SEEDS), "--title", title, "--dedupe"])
    assert deduped.exit_code == 0, deduped.output
    assert "9 duplicate task(s) removed; 6 task(s) in the project" in deduped.output
    assert "1 document(s) have several tasks holding annotations" in deduped.stderr and second in deduped.stderr
    left = {}
    for task in project_tasks(client, project_id):
        left.setdefault(task.data["doc_id"], []).append(task.id)
    assert left[first] == [copies[first][2]] and left[second] == copies[second][:2]
    assert all(len(ids) == 1 for doc, ids in left.items() if doc != second)


def _draft_as_new_user(client, url: str, task_id: int, result: list[dict]) -> None:
    """Leave a draft on a task as another user: that user signs up with the organisation's
    invite link and, in that browser session, posts the draft as the labeling page does. The
    token user's API lists only its own drafts."""
    import httpx

    invite = client.organizations.invites.get_invite_link().invite_url
    with httpx.Client(base_url=url, follow_redirects=True) as web:
        web.get(invite)
        signup = web.post(
            invite,
            data={"email": "drafter@example.com", "password": "drafter-password-1",
                  "csrfmiddlewaretoken": web.cookies["csrftoken"]},
            headers={"Referer": url + invite},
        )  # fmt: skip
        assert signup.status_code == 200 and "/user/signup" not in str(signup.url), signup.url
        draft = web.post(
            f"/api/tasks/{task_id}/drafts",
            json={"result": result, "lead_time": 1.0},
            headers={"X-CSRFToken": web.cookies["csrftoken"], "Referer": url + "/"},
        )
        assert draft.status_code == 201, draft.text


def test_dedupe_never_deletes_a_task_holding_another_users_draft(client, schema, studio_env):
    title = "a draft of someone else"
    project_id, _ = ensure_project(client, title, labeling_config(schema))
    tasks = build_tasks(SEEDS)[:1]
    for _ in range(2):
        client.projects.import_tasks(id=project_id, request=tasks)
    older, newer = (task.id for task in project_tasks(client, project_id))
    choice = [{"from_name": "doc_stance__gaza_ceasefire", "to_name": "text", "type": "choices",
               "value": {"choices": ["favor"]}}]  # fmt: skip
    _draft_as_new_user(client, studio_env.url, newer, choice)
    assert client.tasks.get(newer).drafts == []  # the token user does not see it

    deduped = runner.invoke(app, ["studio", "push", str(SEEDS), "--title", title, "--dedupe"])
    assert deduped.exit_code == 0, deduped.output
    assert [
        task.id for task in project_tasks(client, project_id) if task.data["doc_id"] == tasks[0]["data"]["doc_id"]
    ] == [newer]
    assert older not in {task.id for task in project_tasks(client, project_id)}
