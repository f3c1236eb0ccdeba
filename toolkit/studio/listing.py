"""Listing a project's tasks: keyset pages in id order, through the SDK's pager or as plain JSON.

Keyset paging (``id > last id seen``, always page 1) rather than page numbers: tasks added or
deleted meanwhile (a concurrent push) never shift a page, so none is skipped or listed twice.
Every listed task must have an integer id, ascending, above the last one seen.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from ..errors import StudioError
from .connection import _as_dict, _call, _get_json, _is_id, _need_id

if TYPE_CHECKING:
    from label_studio_sdk.core.pagination import SyncPager
    from label_studio_sdk.types.paginated_role_based_task_list import PaginatedRoleBasedTaskList
    from label_studio_sdk.types.role_based_task import RoleBasedTask

    from .client import Client

PAGE_SIZE = 500  # tasks per listing request with annotations, predictions or counts
LIST_PAGE_SIZE = 10_000  # tasks per request when only ids and data are listed (a push)
_LISTED = "id,data"  # the lightest useful listing: task id and data (no annotations, predictions)
_MAX_GAPS = 50  # id ranges in one "tasks added by others" query (more: the whole project is listed)
_PREDICTIONS = "id,predictions"  # a listing of tasks with their predictions, results and all

Listing = list[tuple[int, str, str]]  # (task id, doc_id, sha256) of a project's tasks, in id order


def _task_pages(
    client: Client,
    project_id: int,
    include: str = _LISTED,
    fields: Literal["all", "task_only"] = "task_only",
    only: list[int] | None = None,
) -> Iterator[list[tuple[int, RoleBasedTask]]]:
    """Yield the project's tasks a page at a time, in id order, with only the ``include`` fields,
    each with its checked id. ``only`` restricts the listing to these task ids.
    """
    what = f"list tasks of project {project_id}"
    last = 0
    while True:
        query: dict[str, object] = {
            "filters": {"conjunction": "and", "items": [_id_filter("greater", last)]},
            "ordering": ["tasks:id"],
        }
        if only is not None:
            query["selectedItems"] = {"all": False, "included": only}
        # the SDK's TasksClientExt.list drops the item type its base TasksClient.list declares
        page: SyncPager[RoleBasedTask, PaginatedRoleBasedTaskList] = _call(
            client,
            what,
            client.tasks.list,
            project=project_id,
            page=1,
            page_size=PAGE_SIZE,
            include=include,
            fields=fields,
            query=json.dumps(query),
        )
        items = [(_need_id(client, what, task), task) for task in page.items or []]
        ids = [task_id for task_id, _ in items]
        if ids and (ids != sorted(ids) or ids[0] <= last):
            raise StudioError(f"{what}: the server ignored the id order and filter")
        yield items
        if len(items) < PAGE_SIZE:
            return
        last = ids[-1]


def project_tasks(client: Client, project_id: int) -> list[RoleBasedTask]:
    """All tasks of a project in id order, each with its ``id`` and ``data`` only."""
    return [task for page in _task_pages(client, project_id) for _, task in page]


def _id_filter(operator: str, value: object) -> dict[str, object]:
    return {"filter": "filter:tasks:id", "operator": operator, "type": "Number", "value": value}


def _plain_pages(client: Client, project_id: int, include: str = _LISTED) -> Iterator[list[dict]]:
    """:func:`_task_pages` as plain dicts, :data:`LIST_PAGE_SIZE` tasks a request (see :func:`_get_json`).

    Stops at a short page, or when the answer's ``total`` (the tasks left after the ``id >``
    filter) says this page was the last, sparing the extra request for an empty page.
    """
    what = f"list tasks of project {project_id}"
    last = 0
    while True:
        query = {"filters": {"conjunction": "and", "items": [_id_filter("greater", last)]}, "ordering": ["tasks:id"]}
        answer = _get_json(client, what, "api/tasks/", {
            "project": project_id, "page": 1, "page_size": LIST_PAGE_SIZE, "include": include,
            "fields": "task_only", "query": json.dumps(query)})  # fmt: skip
        tasks = _checked_tasks(client, what, answer, last)
        yield tasks
        total = answer.get("total") if isinstance(answer, dict) else None
        if len(tasks) < LIST_PAGE_SIZE or (_is_id(total) and total <= len(tasks)):
            return
        last = tasks[-1]["id"]


def _checked_tasks(client: Client, what: str, answer: object, after: int) -> list[dict]:
    """The ``tasks`` of a listing answer; each must have an integer id, ascending, above ``after``."""
    tasks = answer.get("tasks") if isinstance(answer, dict) else None
    if not isinstance(tasks, list):
        raise StudioError(f"{what}: {client.toolkit_url} answered without a task list (is --url the server's root?)")
    previous = after
    for task in tasks:
        task_id = task.get("id") if isinstance(task, dict) else None
        if not _is_id(task_id):
            raise StudioError(f"{what}: {client.toolkit_url} answered without an id (is --url the server's root?)")
        if task_id <= previous:
            raise StudioError(f"{what}: the server ignored the id order and filter")
        previous = task_id
    return tasks


def _docs_of(tasks: list[dict]) -> Listing:
    listed = []
    for task in tasks:
        data = task.get("data")
        if isinstance(data, dict):
            listed.append((task["id"], str(data.get("doc_id")), str(data.get("sha256"))))
        else:
            listed.append((task["id"], "None", "None"))
    return listed


def list_docs(client: Client, project_id: int) -> Listing:
    """``(task id, doc_id, sha256)`` of every task in id order (the texts are not kept)."""
    return [doc for page in _plain_pages(client, project_id) for doc in _docs_of(page)]


def _added_by_others(client: Client, project_id: int, after: int, ours: list[int]) -> Listing | None:
    """``(task id, doc_id, sha256)`` of the project's tasks with an id above ``after`` that are
    not ``ours``: what others added since a listing whose highest id was ``after``.

    One request, asking for the id ranges between ours (usually one or two: a push's tasks
    get consecutive ids unless another import ran at the same time). None if that takes
    more than :data:`_MAX_GAPS` ranges or one page: then the caller lists the whole project.
    """
    gaps, low = [], after + 1
    for task_id in sorted(ours):
        if task_id > low:
            gaps.append(_id_filter("in", {"min": low, "max": task_id - 1}))
        low = max(low, task_id + 1)
    gaps.append(_id_filter("greater", low - 1))
    if len(gaps) > _MAX_GAPS:
        return None
    what = f"list tasks of project {project_id}"
    query = {"filters": {"conjunction": "or", "items": gaps}, "ordering": ["tasks:id"]}
    answer = _get_json(client, what, "api/tasks/", {
        "project": project_id, "page": 1, "page_size": LIST_PAGE_SIZE, "include": _LISTED, "fields": "task_only",
        "query": json.dumps(query)})  # fmt: skip
    tasks = _checked_tasks(client, what, answer, after)
    if len(tasks) >= LIST_PAGE_SIZE or set(ours).intersection(t["id"] for t in tasks):
        return None
    return _docs_of(tasks)


def task_predictions(client: Client, project_id: int, task_ids: list[int]) -> dict[int, list[dict]]:
    """The predictions of these tasks, per task id, oldest (lowest id) first, each as Label Studio's
    own prediction object (what ``/api/predictions`` answers: ``id``, ``model_version``, ``result``,
    ``score``, ``created_at``, ``updated_at``, ``task``, ``project`` …).

    Read through the task listing (keyset pages of :data:`PAGE_SIZE` tasks), which gives each
    task's predictions in full; every prediction must have an integer id.
    """
    found: dict[int, list[dict]] = {}
    what = f"list predictions of project {project_id}"
    ids = sorted(set(task_ids))
    for start in range(0, len(ids), PAGE_SIZE):
        chunk = ids[start : start + PAGE_SIZE]
        for page in _task_pages(client, project_id, include=_PREDICTIONS, fields="all", only=chunk):
            for task_id, task in page:
                items = [_as_dict(prediction) for prediction in task.predictions or []]
                if not all(_is_id(item.get("id")) for item in items):
                    raise StudioError(f"{what}: {client.toolkit_url} answered a prediction without an id")
                found[task_id] = sorted(items, key=lambda p: p["id"])
    return found
