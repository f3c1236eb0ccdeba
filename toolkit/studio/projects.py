"""Projects: found by title, created once (a create that ran twice is settled), config kept current."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import StudioError
from .connection import _NO_RETRY, _call, _failed, _need_id

if TYPE_CHECKING:
    from label_studio_sdk.types.all_roles_project_list import AllRolesProjectList

    from .client import Client


def _titled(client: Client, title: str) -> list[tuple[int, int | None]]:
    """``(id, task count)`` of the projects titled ``title``, lowest id first (every listed
    project must have an id; the count is None if the server does not give it)."""
    # the SDK's ProjectsClientExt.list drops the item type its base ProjectsClient.list declares
    projects: list[AllRolesProjectList] = _call(client, "list projects", lambda: list(client.projects.list()))
    return sorted((_need_id(client, "list projects", p), p.task_number) for p in projects if p.title == title)


def _ids_titled(client: Client, title: str) -> list[int]:
    """Ids of the projects titled ``title``, lowest first."""
    return [project_id for project_id, _ in _titled(client, title)]


def _delete_project(client: Client, project_id: int, why: str) -> None:
    """Delete a project made by a create that lost the race; already gone (a concurrent run
    deleted it too) is fine."""
    try:
        client.projects.delete(id=project_id)
    except Exception as exc:  # noqa: BLE001 - described below
        if getattr(exc, "status_code", None) == 404:
            return
        raise _failed(client, f"delete project {project_id} ({why})", exc) from None


def _create_project(client: Client, title: str, label_config: str) -> int:
    """Create the project, once, and settle on the oldest project with this title.

    Two runs may create it at the same moment, and Label Studio on SQLite runs a request
    again from the start when it meets "database is locked" half-way, so one create can leave
    a second project behind that nobody was told about. The rule every run applies: the
    oldest (lowest id) project titled so is the one; every newer one is deleted if it holds
    no task (ours always: it was just made). A concurrent run deleting the same projects is
    fine, and it settles on the same oldest project.
    """
    what = f"create project '{title}'"
    created = _need_id(
        client,
        what,
        _call(client, what, client.projects.create, title=title, label_config=label_config, request_options=_NO_RETRY),
    )
    titled = _titled(client, title)
    if not titled:
        return created
    for project_id, tasks in titled[1:]:
        if project_id == created or tasks == 0:
            _delete_project(client, project_id, f"project {titled[0][0]} is titled '{title}' too and is older")
    return titled[0][0]


def ensure_project(client: Client, title: str, label_config: str) -> tuple[int, str]:
    """Find the project titled ``title`` or create it; return ``(project_id, action)``.

    ``action`` is ``"created"``, ``"reused"`` or ``"updated"`` (an existing project whose
    labeling config differed got the new one; Label Studio refuses that if existing
    annotations use labels the new config lacks).
    """
    ids = _ids_titled(client, title)
    if len(ids) > 1:
        raise StudioError(f"{len(ids)} projects are titled '{title}'; pass a unique title")
    if not ids:
        return _create_project(client, title, label_config), "created"
    project = _call(client, f"read project '{title}'", client.projects.get, id=ids[0])
    if (project.label_config or "").strip() == label_config.strip():
        return ids[0], "reused"
    _call(client, f"update config of project '{title}'", client.projects.update, id=ids[0], label_config=label_config)
    return ids[0], "updated"


def find_project(client: Client, title: str) -> int:
    """The id of the one project titled ``title``; :class:`StudioError` if none or several."""
    ids = _ids_titled(client, title)
    if len(ids) != 1:
        raise StudioError(f"{len(ids)} projects are titled '{title}' in Label Studio; expected exactly one")
    return ids[0]
