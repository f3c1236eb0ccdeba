"""Annotations and users: entering records made outside Label Studio as annotations, flagging
ground truth, finding or creating annotators."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack, cast

from ..errors import StudioError
from .connection import _NO_RETRY, _call, _is_id, _need_id
from .listing import _task_pages

if TYPE_CHECKING:
    from ..records import Record
    from ..schema import Schema
    from .client import Client


class AnnotationFields(TypedDict, total=False):
    """What an annotation may be created with besides its result (sent only when given)."""

    completed_by: int  # the annotator's user id (default: the token's user)
    ground_truth: bool


def add_annotation(client: Client, task_id: int, result: list[dict], **fields: Unpack[AnnotationFields]) -> int:
    """Create an annotation on a task, sent once (``completed_by``, ``ground_truth`` pass through)."""
    what = f"annotate task {task_id}"
    answer = _call(
        client, what, client.annotations.create, id=task_id, result=result, request_options=_NO_RETRY, **fields
    )
    return _need_id(client, what, answer)


def set_ground_truth(client: Client, annotation_id: int) -> None:
    """Flag an annotation ``ground_truth`` (sent once; setting it again changes nothing)."""
    _call(
        client,
        f"flag annotation {annotation_id} as ground truth",
        client.annotations.update,
        id=annotation_id,
        ground_truth=True,
        request_options=_NO_RETRY,
    )


def annotator_id(completed_by: object) -> int | None:
    """The user id in an annotation's ``completed_by`` (an id, or a user object with one)."""
    value = completed_by.get("id") if isinstance(completed_by, dict) else completed_by
    return value if _is_id(value) else None


def ensure_user(client: Client, email: str, password: str) -> int:
    """The id of the user with ``email``, created if missing (for a second annotator)."""
    for user in _call(client, "list users", client.users.list):
        if user.email == email:
            return _need_id(client, "list users", user)
    answer = _call(
        client,
        f"create user {email}",
        client.users.create,
        username=email.split("@", maxsplit=1)[0],
        email=email,
        password=password,
        request_options=_NO_RETRY,
    )
    return _need_id(client, f"create user {email}", answer)


def user_emails(client: Client) -> dict[int, str]:
    """``{user id: e-mail}`` of every user the token may list."""
    users = _call(client, "list users", client.users.list)
    return {_need_id(client, "list users", u): str(u.email or f"user {u.id}") for u in users}


def find_user(client: Client, email: str) -> int:
    """The id of the user with ``email``; :class:`StudioError` if there is none."""
    found = [user_id for user_id, known in user_emails(client).items() if known == email]
    if not found:
        raise StudioError(f"no Label Studio user with e-mail {email}")
    return found[0]


# --- records made outside Label Studio ---------------------------------------------------


@dataclass
class AnnotateResult:
    """What :func:`annotate_from_records` did; ``notes`` names tasks with older extra copies."""

    created: int = 0
    updated: int = 0
    notes: list[str] = field(default_factory=list)


def annotate_from_records(
    client: Client,
    project_id: int,
    paths: list[Path],
    schema: Schema,
    *,
    user: str | None = None,
    ground_truth: bool = False,
    replace: bool = False,
) -> AnnotateResult:
    """Enter one record file per document as the annotation of ``user`` (default: the token's
    user) on the task with the same doc id; idempotent.

    Every record is validated, and every task checked, before anything is sent. A task that
    already has an annotation by this user is refused (:class:`StudioError`, nothing sent)
    unless ``replace``, which updates that annotation in place. The ground-truth flag is only
    set when ``ground_truth`` is asked, and never cleared: updating keeps the flag as it was.
    """
    read = _read_records(paths)
    records = _checked_records(read, _tasks_by_doc(client, project_id), schema, project_id)
    user_id = ensure_user(client, user, password=os.urandom(12).hex()) if user else client.toolkit_user
    plan = [(task_id, record, _annotations_by(client, task_id, user_id)) for task_id, record in records]
    done = [str(record["doc_id"]) for _, record, mine in plan if mine]
    if done and not replace:
        raise StudioError(
            f"{len(done)} document(s) already have an annotation by {user or 'this user'} "
            f"({', '.join(done[:5])}): pass --replace to update it; nothing was sent"
        )
    fields: AnnotationFields = {"ground_truth": ground_truth}
    if user:
        fields["completed_by"] = user_id
    return _write_annotations(client, plan, schema, fields)


def _read_records(paths: list[Path]) -> list[tuple[Path, dict]]:
    records = []
    for path in paths:
        try:
            record = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StudioError(f"{path}: cannot read record ({exc.__class__.__name__})") from None
        if not isinstance(record, dict):
            raise StudioError(f"{path}: a record must be a JSON object with doc_id, actors, claims, doc_stances")
        records.append((path, record))
    return records


def _tasks_by_doc(client: Client, project_id: int) -> dict[str, tuple[int, dict]]:
    """The project's task (its id and data) per doc id; a document with several tasks is an
    error (annotating one copy at random would split its annotations)."""
    tasks: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for page in _task_pages(client, project_id):
        for task_id, task in page:
            data = task.data or {}
            tasks[str(data.get("doc_id"))].append((task_id, data))
    several = sorted(doc for doc, copies in tasks.items() if len(copies) > 1)
    if several:
        raise StudioError(
            f"{len(several)} document(s) have several tasks in project {project_id} "
            f"({', '.join(several[:5])}): run `toolkit studio push --dedupe` first"
        )
    return {doc: copies[0] for doc, copies in tasks.items()}


def _checked_records(
    records: list[tuple[Path, dict]], tasks: dict[str, tuple[int, dict]], schema: Schema, project_id: int
) -> list[tuple[int, Record]]:
    """``(task id, record)`` of each record, with its task's text, validated against ``schema``."""
    from ..errors import GoldError
    from ..gold import validate_record

    checked = []
    for path, record in records:
        found = tasks.get(str(record.get("doc_id")))
        if found is None:
            raise StudioError(f"{path}: no task with doc_id '{record.get('doc_id')}' in project {project_id}")
        task_id, data = found
        record["text"] = data["text"]
        # validate_record checks any JSON object and raises at its first problem; it is typed
        # with the Record it vouches for
        valid = cast("Record", record)
        try:
            validate_record(valid, schema, str(path))
        except GoldError as exc:
            raise StudioError(str(exc)) from None
        checked.append((task_id, valid))
    return checked


def _annotations_by(client: Client, task_id: int, user_id: int) -> list[int]:
    """The ids of the annotations (cancelled ones too) of ``user_id`` on a task, oldest first."""
    what = f"list annotations of task {task_id}"
    found = _call(client, what, client.annotations.list, id=task_id)
    return sorted(_need_id(client, what, a) for a in found or [] if annotator_id(a.completed_by) == user_id)


def _write_annotations(
    client: Client, plan: list[tuple[int, Record, list[int]]], schema: Schema, fields: AnnotationFields
) -> AnnotateResult:
    """Create each planned annotation with ``fields``, or update the user's existing one (the
    oldest: ``ground_truth`` set if asked, never cleared)."""
    from ..gold import record_to_results

    result = AnnotateResult()
    for task_id, record, mine in plan:
        results = record_to_results(record, schema)
        if not mine:
            add_annotation(client, task_id, results, **fields)
            result.created += 1
            continue
        what = f"update annotation {mine[0]} on task {task_id}"
        flag: AnnotationFields = {"ground_truth": True} if fields.get("ground_truth") else {}
        _call(client, what, client.annotations.update, id=mine[0], result=results, was_cancelled=False, **flag)
        result.updated += 1
        if len(mine) > 1:
            result.notes.append(
                f"task {task_id} (doc '{record['doc_id']}') has {len(mine) - 1} older extra "
                f"annotation(s) by this user: not changed"
            )
    return result
