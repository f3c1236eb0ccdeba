"""toolkit/studio/listing.py against a real Label Studio: keyset pages in id order, each task
once; a server error on a later page is one line, and a read is retried."""

import json

from typer.testing import CliRunner

import toolkit.studio.listing as listing_module
from studio_helpers import make_docs
from toolkit.cli import app
from toolkit.schema import labeling_config
from toolkit.studio import ensure_project, list_docs, project_tasks, push_tasks

runner = CliRunner()


def test_a_server_error_on_the_second_page_of_tasks_is_one_line(client, proxy, schema, tmp_path, monkeypatch):
    title = "many tasks"
    source = tmp_path / "many.jsonl"
    monkeypatch.setattr(listing_module, "LIST_PAGE_SIZE", 500)  # the CLI runs in this process
    tasks = make_docs(tmp_path, 600, "many")  # more than one page (500 tasks)
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


def test_tasks_come_a_keyset_page_at_a_time_in_id_order_each_once(client, schema, tmp_path, monkeypatch):
    """Pages of 2 tasks (keyset: ``id >`` the last seen): the typed pager and the plain JSON
    listing give every task once, in id order; ``only`` narrows the listing to those ids."""
    project_id, _ = ensure_project(client, "keyset pages", labeling_config(schema))
    tasks = make_docs(tmp_path, 5, "page")
    push_tasks(client, project_id, tasks)
    monkeypatch.setattr(listing_module, "PAGE_SIZE", 2)
    monkeypatch.setattr(listing_module, "LIST_PAGE_SIZE", 2)
    listed = project_tasks(client, project_id)
    ids = [task.id for task in listed]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert [task.data["doc_id"] for task in listed] == [t["data"]["doc_id"] for t in tasks]
    assert list_docs(client, project_id) == [(task.id, task.data["doc_id"], task.data["sha256"]) for task in listed]
    pages = list(listing_module._task_pages(client, project_id, only=ids[1:4]))
    assert [[task_id for task_id, _ in page] for page in pages] == [ids[1:3], ids[3:4]]
