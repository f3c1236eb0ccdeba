"""Pulling a project as Label Studio's native JSON export: in one request, or through an export
snapshot for large projects; predictions given by id only are replaced by the full ones."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, cast

from ..errors import StudioError
from ..files import atomic_write_json
from .connection import _NO_RETRY, _call, _is_id, _need_id
from .listing import task_predictions

if TYPE_CHECKING:
    from label_studio_sdk.types.serialization_options_request import SerializationOptionsRequest

    from .client import Client

SNAPSHOT_FROM = 300  # pull through an export snapshot from this many tasks on (measured: bench/bench_studio.py)
_SNAPSHOT_OPTIONS = {"drafts": {"only_id": False}, "predictions": {"only_id": False}}


class PullSummary(TypedDict):
    """What :func:`pull_export` wrote: counts, the model versions of the predictions, the file
    and the method (``"sync"`` or ``"snapshot"``)."""

    tasks: int
    annotations: int
    cancelled: int
    predictions: int
    predictions_gone: int
    model_versions: list[str]
    path: str
    method: str


def _export_sync(client: Client, project_id: int) -> bytes:
    """The project's native JSON export in one request (``/api/projects/{id}/export``)."""
    return _call(
        client, "export project", lambda: b"".join(
            client.projects.exports.download_sync(project_id, export_type="JSON", download_all_tasks=True)
        ),
    )  # fmt: skip


def _export_snapshot(client: Client, project_id: int, timeout: float = 3600.0) -> bytes:
    """The project's native JSON export through an export snapshot: create it (sent once),
    wait until Label Studio has written it (:func:`_wait_for_snapshot`), download it, delete it.

    Drafts and predictions are asked for in full, as the one-request export gives drafts
    (its predictions are ids, which :func:`pull_export` replaces by the full predictions).
    """
    what = f"export project {project_id} (snapshot)"
    # the SDK sends this dict as it would its SerializationOptionsRequest model
    options = cast("SerializationOptionsRequest", _SNAPSHOT_OPTIONS)
    snapshot = _call(
        client,
        what,
        client.projects.exports.create,
        id=project_id,
        serialization_options=options,
        request_options=_NO_RETRY,
    )
    export_id = _need_id(client, what, snapshot)
    try:
        _wait_for_snapshot(client, project_id, export_id, snapshot.status, timeout)
        return _call(
            client,
            what,
            lambda: b"".join(
                client.projects.exports.download(
                    id=project_id, export_pk=export_id, export_type="JSON", request_options={"chunk_size": 1 << 20}
                )
            ),
        )
    finally:
        # the snapshot file is only kept on the server until it is downloaded; one left
        # behind (the delete failed) does not make the pull wrong
        with contextlib.suppress(Exception):
            client.projects.exports.delete(id=project_id, export_pk=export_id)


def _wait_for_snapshot(client: Client, project_id: int, export_id: int, status: object, timeout: float) -> None:
    """Return once export ``export_id`` is completed (``status`` is what its create answered).

    Label Studio without a job queue writes the snapshot while answering the create; with
    one, the snapshot is polled until it is completed or failed.
    """
    what = f"export project {project_id} (snapshot)"
    deadline, pause = time.monotonic() + timeout, 0.1
    while status != "completed":
        if status == "failed":
            raise StudioError(f"{what}: Label Studio says export {export_id} failed (see its log)")
        if time.monotonic() > deadline:
            raise StudioError(f"{what}: export {export_id} not completed after {timeout:.0f} s")
        time.sleep(pause)
        pause = min(pause * 2, 2.0)
        status = _call(client, what, client.projects.exports.get, id=project_id, export_pk=export_id).status


def pull_export(client: Client, project_id: int, out: str | Path, method: str = "auto") -> PullSummary:
    """Write the project's native Label Studio JSON export to ``out`` atomically.

    Native JSON keeps region ids, per-region choices and relations (JSON_MIN and CSV drop
    them). All tasks are exported, annotated or not.

    ``method``: ``"sync"`` asks for the export in one request; ``"snapshot"`` goes through an
    export snapshot (:func:`_export_snapshot`), which Label Studio writes several times
    faster at corpus scale; ``"auto"`` (the default) takes the snapshot from
    :data:`SNAPSHOT_FROM` tasks on (measured with ``bench/bench_studio.py``).

    Label Studio's one-request export (1.23) gives each task's ``predictions`` as prediction
    ids only; those are replaced by the full predictions (:func:`_full_predictions`), so the
    file stays a native export and holds every model version's results. Returns counts for
    the summary.
    """
    chosen = _pull_method(client, project_id, method)
    exported = _export_snapshot(client, project_id) if chosen == "snapshot" else _export_sync(client, project_id)
    tasks = _export_tasks(exported)
    gone = _full_predictions(client, project_id, tasks)
    atomic_write_json(out, tasks)
    annotations = [a for t in tasks for a in t.get("annotations") or [] if isinstance(a, dict)]
    predictions = [p for t in tasks for p in t.get("predictions") or [] if isinstance(p, dict)]
    return {
        "tasks": len(tasks),
        "annotations": len(annotations),
        "cancelled": sum(bool(a.get("was_cancelled")) for a in annotations),
        "predictions": len(predictions),
        "predictions_gone": gone,
        "model_versions": sorted({str(p.get("model_version") or "") for p in predictions}),
        "path": str(out),
        "method": chosen,
    }


def _pull_method(client: Client, project_id: int, method: str) -> str:
    """``"sync"`` or ``"snapshot"``: ``method`` itself, or for ``"auto"`` by the project's size."""
    if method == "auto":
        project = _call(client, f"read project {project_id}", client.projects.get, id=project_id)
        size = project.task_number
        method = "snapshot" if _is_id(size) and size >= SNAPSHOT_FROM else "sync"
    if method not in ("sync", "snapshot"):
        raise ValueError(f"method must be 'auto', 'sync' or 'snapshot', not {method!r}")
    return method


def _export_tasks(exported: bytes) -> list[dict]:
    """The tasks of a native JSON export; :class:`StudioError` if it is not a JSON list of objects."""
    try:
        tasks = json.loads(exported)
    except json.JSONDecodeError:
        raise StudioError("export project: Label Studio returned something that is not JSON") from None
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise StudioError("export project: expected a JSON list of tasks")
    return tasks


def _full_predictions(client: Client, project_id: int, tasks: list[dict]) -> int:
    """Replace the prediction ids in the exported ``tasks`` by the full predictions, read with
    :func:`task_predictions` (in Label Studio's own shape, as its export snapshots write them);
    returns how many were gone.

    A prediction deleted between the export and the listing is left out and counted; one made
    after the export is not added.
    """
    by_id = [
        t
        for t in tasks
        if _is_id(t.get("id")) and isinstance(t.get("predictions"), list) and any(_is_id(p) for p in t["predictions"])
    ]
    listed = task_predictions(client, project_id, [t["id"] for t in by_id]) if by_id else {}
    gone = 0
    for task in by_id:
        full = {p["id"]: p for p in listed.get(task["id"], [])}
        kept = [full.get(p, p) if _is_id(p) else p for p in task["predictions"]]
        gone += sum(_is_id(p) for p in kept)
        task["predictions"] = [p for p in kept if not _is_id(p)]
    return gone
