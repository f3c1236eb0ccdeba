"""Live tests against a real Label Studio server (see the `studio` fixture).

The fault tests put `faultproxy.FaultProxy` (a real HTTP proxy on 127.0.0.1) between the
SDK and the server; nothing in the client is patched or mocked.
"""

import gc
import json
import threading
import time
import warnings

import pytest
from typer.testing import CliRunner

import toolkit.studio.listing as listing_module
import toolkit.studio.pull as pull_module
from conftest import SEEDS
from faultproxy import FaultProxy
from toolkit.cli import app
from toolkit.errors import StudioError
from toolkit.gold import import_exports, record_to_results
from toolkit.schema import labeling_config
from toolkit.studio import (
    add_annotation,
    annotate_from_records,
    connect,
    ensure_project,
    project_tasks,
    pull_export,
    push_tasks,
)
from toolkit.studio.projects import _create_project
from toolkit.tasks import build_tasks

runner = CliRunner()
IMPORT = r"/api/projects/\d+/import$"


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
        "claims": [
            {
                "id": "clm1",
                "start": c,
                "end": c + len(claim),
                "text": claim,
                "speaker": "act1",
                "target": "gaza_ceasefire",
                "stance": "favor",
            }
        ],
        "doc_stances": dict.fromkeys(schema.targets, "none") | {"gaza_ceasefire": "favor"},
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
    record = _annotation_for(next(t for t in tasks if t.data["doc_id"].startswith("003")).data["text"], schema)
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


# --- faults between the SDK and the server -------------------------------------------------


@pytest.fixture
def proxy(studio):
    with FaultProxy(studio.url) as running:
        yield running
    with warnings.catch_warnings():  # clients of the closed proxy: collect their sockets now,
        warnings.simplefilter("ignore", ResourceWarning)  # not during a later CLI command
        gc.collect()


def _docs(tmp_path, n: int, prefix: str) -> list[dict]:
    """``n`` small documents as tasks (a JSONL source)."""
    source = tmp_path / f"{prefix}.jsonl"
    lines = [json.dumps({"doc_id": f"{prefix}-{i:04d}", "text": f"Document {i} of {prefix}."}) for i in range(n)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return build_tasks(source)


def _per_doc(client, project_id) -> dict[str, int]:
    """Tasks per doc id, read straight from the server (not through the proxy)."""
    counts: dict[str, int] = {}
    for task in project_tasks(client, project_id):
        counts[task.data["doc_id"]] = counts.get(task.data["doc_id"], 0) + 1
    return counts


def test_the_sdk_alone_would_import_twice_after_a_504(client, proxy, schema):
    """The failure the toolkit guards against, shown on the real server: the SDK retries a POST."""
    project_id, _ = ensure_project(client, "sdk retries", labeling_config(schema))
    proxy.add("504_after_forward", method="POST", path=IMPORT)
    raw = connect(proxy.url, client.toolkit_secret)
    raw.projects.import_tasks(id=project_id, request=build_tasks(SEEDS)[:2])  # SDK defaults: 2 retries
    assert len(proxy.requests("POST", "/import")) == 2
    assert sum(_per_doc(client, project_id).values()) == 4  # 2 documents, 4 tasks


def test_504_after_commit_is_not_retried_and_the_push_goes_on(client, proxy, schema):
    project_id, _ = ensure_project(client, "504 after commit", labeling_config(schema))
    rule = proxy.add("504_after_forward", method="POST", path=IMPORT, nth=2)
    assert _per_doc(client, project_id) == {}
    result = push_tasks(connect(proxy.url, client.toolkit_secret), project_id, build_tasks(SEEDS), batch_size=2)
    assert rule.fired == 1 and len(proxy.requests("POST", "/import")) == 3  # three batches, each sent once
    assert (result.imported, result.unchanged, result.removed, result.tasks) == (5, 0, 0, 5)
    [note] = result.notes
    assert "batch 2 of 3" in note and "504" in note and "all 2 documents" in note
    assert set(_per_doc(client, project_id).values()) == {1} and len(_per_doc(client, project_id)) == 5


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
    assert sum(_per_doc(client, project_id).values()) == 2  # batch 1 arrived although its answer was lost
    proxy.clear()
    again = push_tasks(via, project_id, build_tasks(SEEDS), batch_size=2)
    assert (again.imported, again.unchanged, again.tasks) == (3, 2, 5)
    assert set(_per_doc(client, project_id).values()) == {1}


def test_a_late_commit_after_the_client_gave_up_is_not_imported_again(client, proxy, schema):
    project_id, _ = ensure_project(client, "late commit", labeling_config(schema))
    proxy.add("delay", method="POST", path=IMPORT, seconds=3)  # the server gets the batch after 3 s
    via = connect(proxy.url, client.toolkit_secret, timeout=1)
    with pytest.raises(StudioError, match="in time"):
        push_tasks(via, project_id, build_tasks(SEEDS))
    deadline = time.monotonic() + 30
    while sum(_per_doc(client, project_id).values()) < 5 and time.monotonic() < deadline:
        time.sleep(0.5)
    rerun = push_tasks(connect(proxy.url, client.toolkit_secret), project_id, build_tasks(SEEDS))
    assert (rerun.imported, rerun.unchanged, rerun.tasks) == (0, 5, 5)
    assert set(_per_doc(client, project_id).values()) == {1}


def test_two_concurrent_pushes_of_the_same_documents_converge(client, proxy, schema, tmp_path):
    """Both runs create the project and list it before either imports (the proxy holds the
    first creations and imports until both have arrived): 600 tasks, then 300."""
    title, tasks = "concurrent pushes", _docs(tmp_path, 300, "race")
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
    counts = _per_doc(client, first_id)
    assert len(counts) == 300 and set(counts.values()) == {1}, (results, proxy.log[-20:])
    assert first.imported == second.imported == 300, results
    # both runs may delete the same extra task at the same moment, and both are told it worked
    assert first.removed + second.removed >= 300 and 300 in (first.tasks, second.tasks), results


def test_a_push_lists_the_project_once(client, proxy, schema, tmp_path):
    """Once before importing; after it only the tasks others added meanwhile are asked for;
    with nothing new, the one listing is all."""
    project_id, _ = ensure_project(client, "listed once", labeling_config(schema))
    via, tasks = connect(proxy.url, client.toolkit_secret), _docs(tmp_path, 30, "once")
    first = push_tasks(via, project_id, tasks, batch_size=10)
    assert (first.imported, first.tasks, len(proxy.requests("GET", "/api/tasks/"))) == (30, 30, 2)
    again = push_tasks(via, project_id, tasks)
    assert (again.imported, again.unchanged, again.tasks, len(proxy.requests("GET", "/api/tasks/"))) == (0, 30, 30, 3)
    more = push_tasks(via, project_id, tasks + _docs(tmp_path, 5, "more"))
    assert (more.imported, more.unchanged, more.tasks, len(proxy.requests("GET", "/api/tasks/"))) == (5, 30, 35, 5)
    assert set(_per_doc(client, project_id).values()) == {1}


def test_tasks_others_import_during_a_push_are_seen(client, schema, tmp_path):
    """Someone imports between the push's listing and its import (the progress callback runs
    there): other documents are counted; copies of the pushed ones are removed."""
    project_id, _ = ensure_project(client, "imported meanwhile", labeling_config(schema))
    tasks, others = _docs(tmp_path, 20, "meanwhile"), _docs(tmp_path, 5, "others")

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
    counts = _per_doc(client, project_id)
    assert len(counts) == 25 and set(counts.values()) == {1}


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


def test_a_server_error_on_the_second_page_of_tasks_is_one_line(client, proxy, schema, tmp_path, monkeypatch):
    title = "many tasks"
    source = tmp_path / "many.jsonl"
    monkeypatch.setattr(listing_module, "LIST_PAGE_SIZE", 500)  # the CLI runs in this process
    tasks = _docs(tmp_path, 600, "many")  # more than one page (500 tasks)
    source.write_text(
        "\n".join(json.dumps({"doc_id": t["data"]["doc_id"], "text": t["data"]["text"]}) for t in tasks) + "\n",
        encoding="utf-8",
    )
    project_id, _ = ensure_project(client, title, labeling_config(schema))
    push_tasks(client, project_id, tasks)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", client.toolkit_secret)
    proxy.add("500", method="GET", path=r"/api/tasks/$", nth=2, times=None)  # page 2 and every retry
    failed = runner.invoke(app, ["studio", "push", str(source), "--title", title, "--url", proxy.url])
    assert failed.exit_code == 1
    assert failed.stderr.strip().count("\n") == 0 and "Traceback" not in failed.output
    assert f"list tasks of project {project_id}: Label Studio at {proxy.url} answered 500" in failed.stderr
    proxy.clear()
    proxy.add("500", method="GET", path=r"/api/tasks/$", nth=2, times=1)  # once: a read is retried
    again = runner.invoke(app, ["studio", "push", str(source), "--title", title, "--url", proxy.url])
    assert again.exit_code == 0, again.output
    assert "0 imported, 600 already present; 600 task(s)" in again.output


def test_a_wrong_url_path_is_refused(studio, client):
    with pytest.raises(StudioError, match="not Label Studio's API"):
        connect(f"{studio.url}/health", studio.token)
    result = runner.invoke(
        app, ["studio", "setup", "--title", "never made", "--url", f"{studio.url}/health", "--token", studio.token]
    )
    assert result.exit_code == 1 and "None" not in result.output
    assert result.stderr.strip().count("\n") == 0 and "not Label Studio's API" in result.stderr
    assert not [p for p in client.projects.list() if p.title == "never made"]


def test_passwords_in_urls_and_echoed_tokens_are_masked(studio, proxy):
    secret = "s3cret-pw-123"
    for url in (f"http://user:{secret}@127.0.0.1:9", f"http://user:{secret}@{studio.url[7:]}"):
        with pytest.raises(StudioError) as info:
            connect(url, studio.token)
        assert secret not in str(info.value) and "user:***@" in str(info.value)
        result = runner.invoke(app, ["studio", "setup", "--url", url, "--token", studio.token])
        assert result.exit_code == 1 and secret not in result.output and studio.token not in result.output
    proxy.add("echo_500", method="GET", path="/api/projects/", times=None)  # echoes the Authorization header
    with pytest.raises(StudioError, match="answered 500") as info:
        ensure_project(connect(proxy.url, studio.token), "echo", "<View/>")
    assert studio.token not in str(info.value)


# --- annotate is idempotent ---------------------------------------------------------------


@pytest.fixture(scope="module")
def annotated_project(client, schema):
    project_id, _ = ensure_project(client, "annotate twice", labeling_config(schema))
    push_tasks(client, project_id, build_tasks(SEEDS))
    return project_id


def _record_file(client, project_id, schema, path, stance="favor"):
    task = next(t for t in project_tasks(client, project_id) if t.data["doc_id"].startswith("003"))
    record = _annotation_for(task.data["text"], schema)
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
