"""Pushing documents as tasks, each document once, and removing duplicate tasks that hold no work.

A push lists the project, imports what is new in batches (each sent once: see
:func:`_import_batch`), makes sure every pushed document arrived, and removes duplicates by
:func:`remove_duplicates`' rule, which never deletes a task holding annotations, predictions
or drafts.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from ..errors import StudioError
from .connection import _NO_RETRY, _call, _describe, _is_id, _scrub
from .listing import PAGE_SIZE, Listing, _added_by_others, list_docs

if TYPE_CHECKING:
    from label_studio_sdk.actions.types.prepare_params_request_request_selected_items import (
        PrepareParamsRequestRequestSelectedItems,
    )
    from label_studio_sdk.core.request_options import RequestOptions
    from label_studio_sdk.projects.types.import_tasks_projects_response import ImportTasksProjectsResponse
    from label_studio_sdk.types.import_api_request import ImportApiRequest

    from .client import Client


@dataclass
class PushResult:
    """What :func:`push_tasks` did.

    ``changed`` lists doc ids whose text differs from the project's; ``notes`` the batches
    whose answer was an error although their documents arrived; ``removed`` the duplicate
    tasks deleted; ``kept`` the doc ids left with several tasks because each holds work;
    ``duplicated`` documents outside this push with several tasks; ``tasks`` the project's
    task count at the end.
    """

    imported: int = 0
    unchanged: int = 0
    changed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    removed: int = 0
    kept: list[str] = field(default_factory=list)
    duplicated: int = 0
    tasks: int = 0


def _key(task: dict) -> tuple[str, str]:
    return str(task["data"]["doc_id"]), str(task["data"]["sha256"])


def _plan(listing: Listing, tasks: list[dict]) -> tuple[PushResult, list[dict]]:
    """Split ``tasks`` into unchanged, changed and new against the project's listing."""
    hashes: dict[str, set[str]] = defaultdict(set)
    for _, doc, sha in listing:
        hashes[doc].add(sha)
    result, new = PushResult(), []
    for task in tasks:
        doc, sha = _key(task)
        if doc not in hashes:
            new.append(task)
        elif sha in hashes[doc]:
            result.unchanged += 1
        else:
            result.changed.append(doc)
    return result, new


def _confirmed_ids(answer: ImportTasksProjectsResponse, count: int) -> list[int] | None:
    """The new tasks' ids if an import answer confirms ``count`` new tasks, else None."""
    task_ids = getattr(answer, "task_ids", None)  # not a declared field of the SDK's answer: an extra one
    if answer.task_count != count or not isinstance(task_ids, list) or len(task_ids) != count:
        return None
    ids = [task_id for task_id in task_ids if _is_id(task_id)]
    return ids if len(ids) == count else None


def _import_batch(
    client: Client, project_id: int, batch: list[dict], what: str, result: PushResult
) -> list[int] | None:
    """POST one batch, once (the SDK's retries are off: a retry after a lost answer would
    import it twice); return the new tasks' ids. After an error or an unconfirmed answer the
    project is re-listed: if every document of the batch is there the push goes on (and None
    is returned: which tasks are the batch's is not known), otherwise it stops, re-sending nothing."""
    try:
        # the SDK sends plain task dicts as it would its ImportApiRequest models (building
        # thousands of models would only cost time)
        request = cast("Sequence[ImportApiRequest]", batch)
        answer = client.projects.import_tasks(
            id=project_id, request=request, return_task_ids=True, request_options=_NO_RETRY
        )
    except Exception as exc:  # noqa: BLE001 - any failure makes the batch uncertain: re-list
        failure = _describe(exc, client.toolkit_url)
    else:
        ids = _confirmed_ids(answer, len(batch))
        if ids is not None:
            result.imported += len(batch)
            return ids
        failure = f"the answer does not confirm the import (task_count {answer.task_count!r} for {len(batch)} tasks)"
    failure = _scrub(failure, client.toolkit_secret)
    present = {(doc, sha) for _, doc, sha in list_docs(client, project_id)}
    here = sum(_key(task) in present for task in batch)
    if here == len(batch):
        result.imported += here
        result.notes.append(f"{what}: {failure}; re-listed: all {here} documents of the batch are in the project")
        return None
    raise StudioError(
        f"{what}: {failure}; re-listed the project: {here} of the batch's {len(batch)} documents "
        f"are in it ({result.imported + here} of this push so far); nothing was re-sent: run "
        f"push again to import the rest (documents already there are skipped)"
    )


def push_tasks(
    client: Client,
    project_id: int,
    tasks: list[dict],
    batch_size: int = 250,
    *,
    progress: Callable[[int], None] | None = None,
    dedupe: bool = False,
) -> PushResult:
    """Import ``tasks`` so that each document (``data.doc_id`` and ``data.sha256``) is in the project once.

    A document already present with the same hash is skipped; one present with another hash
    is reported in ``changed`` and not imported. Each batch is sent once (see
    :func:`_import_batch`). Afterwards every pushed document must be in the project, and
    duplicate tasks of the pushed documents (a concurrent push of the same documents, or
    Label Studio running an import request twice) are removed by :func:`remove_duplicates`'
    rule; with ``dedupe``, those of every document in the project. ``progress`` gets the
    number of tasks handled.

    The project is listed once, before the import; what it holds afterwards is worked out by
    :func:`_project_after`.
    """
    listing = list_docs(client, project_id)
    result, new = _plan(listing, tasks)
    if progress:
        progress(len(tasks) - len(new))
    ours = _import_new(client, project_id, new, batch_size, result, progress=progress)
    final = _project_after(client, project_id, listing, new, ours)
    _check_arrived(project_id, new, final)
    scope = None if dedupe else {_key(task)[0] for task in new}
    result.duplicated = len(_duplicate_groups(final, None)) - len(_duplicate_groups(final, scope))
    done = remove_duplicates(client, project_id, final, scope)
    result.removed, result.kept, result.tasks = done.removed, done.kept, done.tasks
    return result


def _import_new(
    client: Client,
    project_id: int,
    new: list[dict],
    batch_size: int,
    result: PushResult,
    *,
    progress: Callable[[int], None] | None,
) -> list[int] | None:
    """Import ``new`` in batches of ``batch_size`` (:func:`_import_batch`); the new tasks' ids in
    the order of ``new``, or None if an answer did not confirm its batch's ids."""
    batches = [new[i : i + batch_size] for i in range(0, len(new), batch_size)]
    ours: list[int] | None = []
    for number, batch in enumerate(batches, 1):
        ids = _import_batch(client, project_id, batch, f"import batch {number} of {len(batches)}", result)
        ours = None if ids is None or ours is None else ours + ids
        if progress:
            progress(len(batch))
    return ours


def _project_after(
    client: Client, project_id: int, listing: Listing, new: list[dict], ours: list[int] | None
) -> Listing:
    """The project's tasks after importing ``new`` (as ``ours``, None if not confirmed), listed
    again only when that cannot be known otherwise.

    With nothing new, ``listing`` is all there is. When every batch's answer confirmed its task
    ids, only the tasks others added meanwhile are asked for (:func:`_added_by_others`); if
    none of them is a pushed document, the listing, ours and theirs are the project. Else (an
    uncertain batch, or someone else adding the same documents) the whole project is listed.
    """
    if not new:
        return listing
    if ours is not None:
        scope = {_key(task)[0] for task in new}
        others = _added_by_others(client, project_id, max((i for i, _, _ in listing), default=0), ours)
        if others is not None and not scope.intersection(doc for _, doc, _ in others):
            # the import answers list the ids in the batch's order; the pairing only feeds the
            # duplicate count, where the pushed documents (one task each) cannot appear
            return listing + others + [(task_id, *_key(task)) for task_id, task in zip(ours, new, strict=True)]
    return list_docs(client, project_id)


def _check_arrived(project_id: int, new: list[dict], final: Listing) -> None:
    """:class:`StudioError` unless every document of ``new`` is in the project's ``final`` listing."""
    present = {(doc, sha) for _, doc, sha in final}
    missing = [doc for doc, sha in map(_key, new) if (doc, sha) not in present]
    if missing:
        raise StudioError(
            f"after the import {len(missing)} pushed document(s) are not in project {project_id}: "
            f"{', '.join(missing[:10])}; run push again"
        )


# --- duplicates -------------------------------------------------------------------------


def _duplicate_groups(listing: Listing, scope: set[str] | None) -> dict[tuple[str, str], list[int]]:
    """Task ids per ``(doc_id, sha256)`` that has several tasks (docs in ``scope`` only, if given)."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for task_id, doc, sha in listing:
        if scope is None or doc in scope:
            groups[(doc, sha)].append(task_id)
    return {key: ids for key, ids in groups.items() if len(ids) > 1}


#: Task ids per request when reading duplicates' work (they go in the URL as ``ids[]=…``).
WORK_IDS = 200


def _export_of(client: Client, project_id: int, ids: list[int]) -> list:
    """These tasks as Label Studio's one-request export gives them (``/api/projects/{id}/export``
    with ``ids[]``): every annotation (cancelled too), the predictions' ids and every user's drafts."""
    what = f"read the work on {len(ids)} duplicate task(s) of project {project_id}"
    # the SDK's own ``ids`` parameter is sent as ``ids``; the server reads ``ids[]``
    options: RequestOptions = {"additional_query_parameters": {"ids[]": [str(i) for i in ids]}}
    raw = _call(
        client,
        what,
        lambda: b"".join(
            client.projects.exports.download_sync(
                project_id, export_type="JSON", download_all_tasks=True, request_options=options
            )
        ),
    )
    try:
        tasks = json.loads(raw)
    except ValueError:
        raise StudioError(f"{what}: {client.toolkit_url} answered something that is not JSON") from None
    if not isinstance(tasks, list):
        raise StudioError(f"{what}: {client.toolkit_url} answered without a task list")
    return tasks


def _holds_work(task: object) -> bool:
    """Whether an exported task holds annotations, predictions or drafts (by the lists and by
    Label Studio's counters, which can lag); anything unexpected counts as work."""
    if not isinstance(task, dict):
        return True
    lists = [task.get(name) for name in ("annotations", "predictions", "drafts")]
    counts = [task.get(name) for name in ("total_annotations", "cancelled_annotations", "total_predictions")]
    return not all(item == [] for item in lists) or not all(c == 0 for c in counts)


def _tasks_with_work(client: Client, project_id: int, ids: list[int]) -> set[int]:
    """Which of ``ids`` hold annotations (cancelled too), predictions or drafts of any user.

    Read from the project's export, which, unlike the task listing, gives every user's drafts
    (the listing shows only the token user's). A task the answer leaves out counts as
    holding work, so it is never deleted.
    """
    clean = set()
    for start in range(0, len(ids), WORK_IDS):
        for task in _export_of(client, project_id, ids[start : start + WORK_IDS]):
            task_id = task.get("id") if isinstance(task, dict) else None
            if _is_id(task_id) and not _holds_work(task):
                clean.add(task_id)
    return set(ids) - clean


def _delete_tasks(client: Client, project_id: int, ids: list[int]) -> None:
    """Delete these tasks with Label Studio's bulk ``delete_tasks`` action (one request per
    page of ids, not retried; ids already gone are ignored by the server)."""
    for start in range(0, len(ids), PAGE_SIZE):
        chunk = ids[start : start + PAGE_SIZE]
        # the SDK sends this dict as it would its selection model (its docs give this form)
        selected = cast("PrepareParamsRequestRequestSelectedItems", {"all": False, "included": chunk})
        _call(
            client,
            f"delete {len(chunk)} duplicate task(s) of project {project_id}",
            client.actions.create,
            id="delete_tasks",
            project=project_id,
            selected_items=selected,
            request_options=_NO_RETRY,
        )


@dataclass
class Dedupe:
    """What :func:`remove_duplicates` did: tasks removed, doc ids left with several tasks
    (each holding work), and the project's task count afterwards."""

    removed: int = 0
    kept: list[str] = field(default_factory=list)
    tasks: int = 0


def remove_duplicates(
    client: Client, project_id: int, listing: Listing | None = None, scope: set[str] | None = None
) -> Dedupe:
    """Leave one task per ``(doc_id, sha256)`` (only doc ids in ``scope``, if given).

    Of a document's tasks, those holding work (annotations, predictions, drafts) are kept, or
    the lowest id if none does; the others are deleted. Tasks with work are never deleted:
    a document with several such tasks is reported in ``kept`` instead. Two runs applying
    this rule at once converge on the same task. ``removed`` counts this run's doomed tasks
    that are gone when the project is listed again afterwards.
    """
    listing = listing if listing is not None else list_docs(client, project_id)
    groups = _duplicate_groups(listing, scope)
    if not groups:
        return Dedupe(tasks=len(listing))
    busy = _tasks_with_work(client, project_id, sorted(i for ids in groups.values() for i in ids))
    doomed, kept = [], []
    for (doc, _), ids in sorted(groups.items()):
        keep = [i for i in ids if i in busy] or [min(ids)]
        doomed += [i for i in ids if i not in keep]
        if len(keep) > 1:
            kept.append(doc)
    if doomed:
        _delete_tasks(client, project_id, doomed)
        listing = list_docs(client, project_id)
    left = {task_id for task_id, _, _ in listing}
    return Dedupe(sum(i not in left for i in doomed), kept, len(listing))
