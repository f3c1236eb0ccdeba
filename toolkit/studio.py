"""Talk to a live Label Studio through label-studio-sdk: server, project, tasks, export.

The API token is held by the SDK client only; error messages are built here from status
codes and never include the token, the request headers, a password in the URL or the SDK's
exception text. Every failure is one :class:`StudioError` line.

Writes that create something (project, tasks, annotations, predictions, users) are sent
once, with the SDK's retries off: a gateway answering 504 after the server committed would
otherwise make the SDK import the same tasks again. What an uncertain write did is found
out by listing the project again, never by sending it again. Reads keep the SDK's retries.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .errors import StudioError
from .files import atomic_write_json

DEFAULT_URL = "http://127.0.0.1:8080"
PAGE_SIZE = 500  # tasks per listing request with annotations, predictions or counts
LIST_PAGE_SIZE = 10_000  # tasks per request when only ids and data are listed (a push)
SNAPSHOT_FROM = 300  # pull through an export snapshot from this many tasks on (measured: bench/bench_studio.py)
_NO_RETRY = {"max_retries": 0}  # a write is never re-sent blindly: it may have been committed
_LISTED = "id,data"  # the lightest useful listing: task id and data (no annotations, predictions)
_MAX_GAPS = 50  # id ranges in one "tasks added by others" query (more: the whole project is listed)


def safe_url(url: str) -> str:
    """``url`` for messages: a password in it masked, query and fragment dropped."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = f"{userinfo.split(':', 1)[0]}:***@{host}" if ":" in userinfo else f"***@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _describe(exc: Exception, url: str) -> str:
    """A one-line, token-free description of an SDK or network failure."""
    import httpx

    status = getattr(exc, "status_code", None)
    if status == 401:
        return f"Label Studio at {url} refused the API token (401): check --token / LABEL_STUDIO_API_KEY"
    if status == 403:
        return f"Label Studio at {url} denied access (403)"
    if status is not None and 200 <= status < 300:
        return f"{url} answered {status} with something that is not Label Studio's API (is --url the server's root?)"
    if status is not None:
        detail = ""
        body = getattr(exc, "body", None)
        if isinstance(body, dict):
            detail = str(body.get("detail") or "")
            if body.get("validation_errors"):
                detail = f"{detail}: {json.dumps(body['validation_errors'])}"
        return f"Label Studio at {url} answered {status} {detail[:300]}".strip()
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer from Label Studio at {url} in time ({exc.__class__.__name__})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"Label Studio at {url} closed the connection without a complete answer"
    if isinstance(exc, (httpx.TransportError, OSError)):
        return f"cannot reach Label Studio at {url} ({exc.__class__.__name__})"
    return f"{url} answered something that is not Label Studio's API ({exc.__class__.__name__})"


def connect(url: str | None = None, token: str | None = None, timeout: float = 60.0):
    """A checked ``label_studio_sdk.LabelStudio`` client; URL and token default to the env.

    Both legacy API tokens and personal access tokens (JWT refresh tokens) work: the SDK
    exchanges the latter for access tokens itself. The server must answer who the token's
    user is (a wrong path such as ``…/health`` answers 200 with no user and is refused).
    """
    from label_studio_sdk import LabelStudio

    url = (url or os.environ.get("LABEL_STUDIO_URL") or DEFAULT_URL).rstrip("/")
    token = token or os.environ.get("LABEL_STUDIO_API_KEY")
    if not token:
        raise StudioError("no Label Studio API token: pass --token or set LABEL_STUDIO_API_KEY")
    shown = safe_url(url)
    if urlsplit(url).password is not None:
        raise StudioError(
            f"{shown}: a user and password in the URL would be sent instead of the API token "
            "(HTTP Basic auth); give the URL without them"
        )
    client = None
    try:
        client = LabelStudio(base_url=url, api_key=token, timeout=timeout)
        me = client.users.whoami()
    except Exception as exc:  # noqa: BLE001 - the SDK and the network fail in many ways; told as one line
        close(client)
        raise StudioError(_scrub(_describe(exc, shown), token)) from None
    if not isinstance(getattr(me, "id", None), int):
        close(client)
        raise StudioError(
            f"{shown} did not say who the token's user is: it is not Label Studio's API (is --url the server's root?)"
        )
    client.toolkit_url, client.toolkit_secret, client.toolkit_user = shown, token, me.id
    return client


def close(client) -> None:
    """Close the client's connections. The SDK has no close of its own, and connections left to
    the garbage collector make Python warn (ResourceWarning) at whatever runs at that moment."""
    wrapper = getattr(getattr(client, "_client_wrapper", None), "httpx_client", None)
    http = getattr(wrapper, "httpx_client", None)
    if http is not None:
        http.close()


def _scrub(message: str, secret: str | None) -> str:
    return message.replace(secret, "***") if secret and len(secret) >= 4 else message


def _call(client, what: str, fn: Callable, *args, **kwargs):
    """``fn(*args, **kwargs)``; any failure becomes a one-line :class:`StudioError` naming ``what``."""
    try:
        return fn(*args, **kwargs)
    except StudioError:
        raise
    except Exception as exc:  # noqa: BLE001 - the SDK and the network fail in many ways; told as one line
        message = f"{what}: {_describe(exc, client.toolkit_url)}"
        raise StudioError(_scrub(message, getattr(client, "toolkit_secret", None))) from None


def _get_json(client, what: str, path: str, params: dict):
    """GET ``path`` with the SDK's own HTTP client (its base URL, token, timeout and read retries)
    and return the decoded JSON as plain lists and dicts.

    For the large listings of a push: the SDK's typed pager builds a model object per task,
    which costs more than a third of a 10,000-task listing's time on the client.
    """
    from label_studio_sdk.core.api_error import ApiError

    def get():
        response = client._client_wrapper.httpx_client.request(path, method="GET", params=params)
        if not 200 <= response.status_code < 300:
            try:
                body = response.json()
            except ValueError:
                body = None
            raise ApiError(status_code=response.status_code, headers=dict(response.headers), body=body)
        return response.json()

    return _call(client, what, get)


def _need_id(client, what: str, answer) -> int:
    """The integer ``id`` of a server answer; a :class:`StudioError` if there is none."""
    value = getattr(answer, "id", None)
    if not isinstance(value, int) or isinstance(value, bool):
        raise StudioError(f"{what}: {client.toolkit_url} answered without an id (is --url the server's root?)")
    return value


# --- a local server -------------------------------------------------------------------


@dataclass
class LocalServer:
    """A ``label-studio`` server on loopback with its own data dir (for users and tests)."""

    data_dir: Path
    port: int = 8080
    username: str = "admin@example.com"
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        # the server installed beside this Python (a venv) first, then whatever is on PATH
        beside = Path(sys.executable).with_name("label-studio")
        exe = str(beside) if beside.exists() else shutil.which("label-studio")
        if exe is None:
            raise StudioError("the label-studio server is not installed: pip install 'toolkit[studio]'")
        return [
            exe,
            "start",
            "--no-browser",
            "--internal-host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--enable-legacy-api-token",
        ]  # fmt: skip  (credentials go through the environment, not argv, which `ps` shows)

    def start(self, timeout: float = 240.0, log: Path | None = None) -> LocalServer:
        """Start the server and wait until ``/health`` answers; raise :class:`StudioError` on failure.

        The port must be free first: otherwise another server's ``/health`` would answer for ours.
        """
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", self.port))
            except OSError:
                raise StudioError(f"port {self.port} on 127.0.0.1 is already in use: pass another --port") from None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.update(
            LABEL_STUDIO_BASE_DATA_DIR=str(self.data_dir),
            LABEL_STUDIO_USERNAME=self.username,
            LABEL_STUDIO_PASSWORD=self.password,
            LABEL_STUDIO_USER_TOKEN=self.token,
            # Label Studio 1.2x answers 401 to legacy tokens unless they are enabled.
            LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
            LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true",
            SENTRY_DSN="",
            FRONTEND_SENTRY_DSN="",
            COLLECT_ANALYTICS="false",
        )
        out = open(log or self.data_dir / "server.log", "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(self.command(), env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StudioError(f"label-studio exited with code {self.process.returncode}; see {out.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(1)
        self.stop()
        raise StudioError(f"label-studio did not answer {self.url}/health within {timeout:.0f} s")

    def stop(self) -> None:
        """Stop the server (terminate, then kill after 20 s)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- projects and tasks ----------------------------------------------------------------


def _titled(client, title: str) -> list[tuple[int, int | None]]:
    """``(id, task count)`` of the projects titled ``title``, lowest id first (every listed
    project must have an id; the count is None if the server does not give it)."""
    projects = _call(client, "list projects", lambda: list(client.projects.list()))
    return sorted(
        (_need_id(client, "list projects", p), getattr(p, "task_number", None)) for p in projects if p.title == title
    )


def _ids_titled(client, title: str) -> list[int]:
    """Ids of the projects titled ``title``, lowest first."""
    return [project_id for project_id, _ in _titled(client, title)]


def _delete_project(client, project_id: int, why: str) -> None:
    """Delete a project made by a create that lost the race; already gone (a concurrent run
    deleted it too) is fine."""
    try:
        client.projects.delete(id=project_id)
    except Exception as exc:  # noqa: BLE001 - described below
        if getattr(exc, "status_code", None) == 404:
            return
        message = f"delete project {project_id} ({why}): {_describe(exc, client.toolkit_url)}"
        raise StudioError(_scrub(message, client.toolkit_secret)) from None


def _create_project(client, title: str, label_config: str) -> int:
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


def ensure_project(client, title: str, label_config: str) -> tuple[int, str]:
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


def find_project(client, title: str) -> int:
    """The id of the one project titled ``title``; :class:`StudioError` if none or several."""
    ids = _ids_titled(client, title)
    if len(ids) != 1:
        raise StudioError(f"{len(ids)} projects are titled '{title}' in Label Studio; expected exactly one")
    return ids[0]


def _task_pages(
    client, project_id: int, include: str = _LISTED, fields: str = "task_only", only: list[int] | None = None
):
    """Yield the project's tasks a page at a time, in id order, with only the ``include`` fields.

    Keyset paging (``id > last id seen``, always page 1) rather than page numbers: tasks
    added or deleted meanwhile (a concurrent push) never shift a page, so none is skipped
    or listed twice. ``only`` restricts the listing to these task ids.
    """
    last = 0
    while True:
        query = {"filters": {"conjunction": "and", "items": [
            {"filter": "filter:tasks:id", "operator": "greater", "type": "Number", "value": last}]},
            "ordering": ["tasks:id"]}  # fmt: skip
        if only is not None:
            query["selectedItems"] = {"all": False, "included": only}
        page = _call(
            client,
            f"list tasks of project {project_id}",
            client.tasks.list,
            project=project_id,
            page=1,
            page_size=PAGE_SIZE,
            include=include,
            fields=fields,
            query=json.dumps(query),
        )
        items = list(page.items or [])
        ids = [_need_id(client, f"list tasks of project {project_id}", task) for task in items]
        if ids and (ids != sorted(ids) or ids[0] <= last):
            raise StudioError(f"list tasks of project {project_id}: the server ignored the id order and filter")
        yield items
        if len(items) < PAGE_SIZE:
            return
        last = ids[-1]


def project_tasks(client, project_id: int) -> list:
    """All tasks of a project in id order, each with its ``id`` and ``data`` only."""
    return [task for page in _task_pages(client, project_id) for task in page]


def _id_filter(operator: str, value) -> dict:
    return {"filter": "filter:tasks:id", "operator": operator, "type": "Number", "value": value}


def _plain_pages(client, project_id: int, include: str = _LISTED):
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
        total = answer.get("total")
        if len(tasks) < LIST_PAGE_SIZE or (_is_id(total) and total <= len(tasks)):
            return
        last = tasks[-1]["id"]


def _checked_tasks(client, what: str, answer, after: int) -> list[dict]:
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


def _docs_of(tasks: list[dict]) -> list[tuple[int, str, str]]:
    listed = []
    for task in tasks:
        data = task.get("data")
        if isinstance(data, dict):
            listed.append((task["id"], str(data.get("doc_id")), str(data.get("sha256"))))
        else:
            listed.append((task["id"], "None", "None"))
    return listed


def list_docs(client, project_id: int) -> list[tuple[int, str, str]]:
    """``(task id, doc_id, sha256)`` of every task in id order (the texts are not kept)."""
    return [doc for page in _plain_pages(client, project_id) for doc in _docs_of(page)]


def _added_by_others(client, project_id: int, after: int, ours: list[int]) -> list[tuple[int, str, str]] | None:
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


def _plan(listing: list[tuple[int, str, str]], tasks: list[dict]) -> tuple[PushResult, list[dict]]:
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


def _import_failure(answer, count: int) -> str | None:
    """Why an import answer does not confirm ``count`` new tasks, or None if it does."""
    task_count, task_ids = getattr(answer, "task_count", None), getattr(answer, "task_ids", None)
    if (
        task_count != count
        or not isinstance(task_ids, list)
        or len(task_ids) != count
        or not all(_is_id(task_id) for task_id in task_ids)
    ):
        return f"the answer does not confirm the import (task_count {task_count!r} for {count} tasks)"
    return None


def _import_batch(client, project_id: int, batch: list[dict], what: str, result: PushResult) -> list[int] | None:
    """POST one batch, once (the SDK's retries are off: a retry after a lost answer would
    import it twice); return the new tasks' ids. After an error or an unconfirmed answer the
    project is re-listed: if every document of the batch is there the push goes on (and None
    is returned: which tasks are the batch's is not known), otherwise it stops, re-sending nothing."""
    try:
        answer = client.projects.import_tasks(
            id=project_id, request=batch, return_task_ids=True, request_options=_NO_RETRY
        )
        failure = _import_failure(answer, len(batch))
    except Exception as exc:  # noqa: BLE001 - any failure makes the batch uncertain: re-list
        failure = _describe(exc, client.toolkit_url)
    if failure is None:
        result.imported += len(batch)
        return list(answer.task_ids)
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
    client,
    project_id: int,
    tasks: list[dict],
    batch_size: int = 250,
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

    The project is listed once, before the import. With nothing new that listing is all
    there is to check. Otherwise, when every batch's answer confirmed its task ids, only the
    tasks others added meanwhile are asked for (:func:`_added_by_others`); if none of them
    is a pushed document, the listing, ours and theirs are the project. Else (an uncertain
    batch, or someone else adding the same documents) the whole project is listed again.
    """
    listing = list_docs(client, project_id)
    result, new = _plan(listing, tasks)
    if progress:
        progress(len(tasks) - len(new))
    batches = [new[i : i + batch_size] for i in range(0, len(new), batch_size)]
    ours: list[int] | None = []
    for number, batch in enumerate(batches, 1):
        ids = _import_batch(client, project_id, batch, f"import batch {number} of {len(batches)}", result)
        ours = None if ids is None or ours is None else ours + ids
        if progress:
            progress(len(batch))
    scope = {_key(task)[0] for task in new}
    final = listing if not new else None
    if new and ours is not None:
        others = _added_by_others(client, project_id, max((i for i, _, _ in listing), default=0), ours)
        if others is not None and not scope.intersection(doc for _, doc, _ in others):
            # the import answers list the ids in the batch's order; the pairing only feeds the
            # duplicate count below, where the pushed documents (one task each) cannot appear
            final = listing + others + [(task_id, *_key(task)) for task_id, task in zip(ours, new, strict=True)]
    if final is None:
        final = list_docs(client, project_id)
    present = {(doc, sha) for _, doc, sha in final}
    missing = [doc for doc, sha in map(_key, new) if (doc, sha) not in present]
    if missing:
        raise StudioError(
            f"after the import {len(missing)} pushed document(s) are not in project {project_id}: "
            f"{', '.join(missing[:10])}; run push again"
        )
    scope = None if dedupe else scope
    result.duplicated = len(_duplicate_groups(final, None)) - len(_duplicate_groups(final, scope))
    dedupe_result = remove_duplicates(client, project_id, final, scope)
    result.removed, result.kept, result.tasks = dedupe_result.removed, dedupe_result.kept, dedupe_result.tasks
    return result


def _duplicate_groups(listing, scope: set[str] | None) -> dict[tuple[str, str], list[int]]:
    """Task ids per ``(doc_id, sha256)`` that has several tasks (docs in ``scope`` only, if given)."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for task_id, doc, sha in listing:
        if scope is None or doc in scope:
            groups[(doc, sha)].append(task_id)
    return {key: ids for key, ids in groups.items() if len(ids) > 1}


_WORK = "id,drafts,annotations,predictions,total_annotations,cancelled_annotations,total_predictions"


def _tasks_with_work(client, project_id: int, ids: list[int]) -> set[int]:
    """Which of ``ids`` hold annotations (cancelled too), predictions or drafts (the API shows
    only the token user's drafts).

    Both the task's lists and its counters are read: Label Studio updates the counters
    after an import in a job that can overwrite a newer count with an older one. A task
    the answer leaves out, or whose counts it does not give, counts as holding work, so it
    is never deleted.
    """
    clean = set()
    for start in range(0, len(ids), PAGE_SIZE):
        for page in _task_pages(client, project_id, include=_WORK, fields="all", only=ids[start : start + PAGE_SIZE]):
            for task in page:
                held = [getattr(task, name, None) for name in ("annotations", "predictions", "drafts")]
                counts = [
                    getattr(task, name, None)
                    for name in ("total_annotations", "cancelled_annotations", "total_predictions")
                ]
                if not any(held) and all(c == 0 for c in counts):
                    clean.add(task.id)
    return set(ids) - clean


def _delete_tasks(client, project_id: int, ids: list[int]) -> None:
    """Delete these tasks with Label Studio's bulk ``delete_tasks`` action (one request per
    page of ids, not retried; ids already gone are ignored by the server)."""
    for start in range(0, len(ids), PAGE_SIZE):
        chunk = ids[start : start + PAGE_SIZE]
        _call(
            client,
            f"delete {len(chunk)} duplicate task(s) of project {project_id}",
            client.actions.create,
            id="delete_tasks",
            project=project_id,
            selected_items={"all": False, "included": chunk},
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
    client, project_id: int, listing: list[tuple[int, str, str]] | None = None, scope: set[str] | None = None
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


_PREDICTIONS = "id,predictions"  # a listing of tasks with their predictions, results and all


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def task_predictions(client, project_id: int, task_ids: list[int]) -> dict[int, list[dict]]:
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
            for task in page:
                items = []
                for prediction in getattr(task, "predictions", None) or []:
                    item = prediction if isinstance(prediction, dict) else prediction.model_dump(mode="json")
                    if not _is_id(item.get("id")):
                        raise StudioError(f"{what}: {client.toolkit_url} answered a prediction without an id")
                    items.append(item)
                found[task.id] = sorted(items, key=lambda p: p["id"])
    return found


def _export_sync(client, project_id: int) -> bytes:
    """The project's native JSON export in one request (``/api/projects/{id}/export``)."""
    return _call(
        client, "export project", lambda: b"".join(
            client.projects.exports.download_sync(project_id, export_type="JSON", download_all_tasks=True)
        ),
    )  # fmt: skip


_SNAPSHOT_OPTIONS = {"drafts": {"only_id": False}, "predictions": {"only_id": False}}


def _export_snapshot(client, project_id: int, timeout: float = 3600.0) -> bytes:
    """The project's native JSON export through an export snapshot: create it (sent once),
    wait until Label Studio has written it, download it, delete it.

    Drafts and predictions are asked for in full, as the one-request export gives drafts
    (its predictions are ids, which :func:`pull_export` replaces by the full predictions).
    Label Studio without a job queue writes the snapshot while answering the create; with
    one, the snapshot is polled until it is completed or failed.
    """
    what = f"export project {project_id} (snapshot)"
    snapshot = _call(
        client,
        what,
        client.projects.exports.create,
        id=project_id,
        serialization_options=_SNAPSHOT_OPTIONS,
        request_options=_NO_RETRY,
    )
    export_id = _need_id(client, what, snapshot)
    try:
        deadline, pause = time.monotonic() + timeout, 0.1
        while getattr(snapshot, "status", None) != "completed":
            if getattr(snapshot, "status", None) == "failed":
                raise StudioError(f"{what}: Label Studio says export {export_id} failed (see its log)")
            if time.monotonic() > deadline:
                raise StudioError(f"{what}: export {export_id} not completed after {timeout:.0f} s")
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
            snapshot = _call(client, what, client.projects.exports.get, id=project_id, export_pk=export_id)
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


def pull_export(client, project_id: int, out: str | Path, method: str = "auto") -> dict:
    """Write the project's native Label Studio JSON export to ``out`` atomically.

    Native JSON keeps region ids, per-region choices and relations (JSON_MIN and CSV drop
    them). All tasks are exported, annotated or not.

    ``method``: ``"sync"`` asks for the export in one request; ``"snapshot"`` goes through an
    export snapshot (:func:`_export_snapshot`), which Label Studio writes several times
    faster at corpus scale; ``"auto"`` (the default) takes the snapshot from
    :data:`SNAPSHOT_FROM` tasks on (measured with ``bench/bench_studio.py``).

    Label Studio's one-request export (1.23) gives each task's ``predictions`` as prediction
    ids only; those are replaced by the full predictions (read with :func:`task_predictions`,
    in Label Studio's own shape, as its export snapshots write them), so the file stays a
    native export and holds every model version's results. A prediction deleted between the
    export and the listing is left out and counted (``predictions_gone``); one made after the
    export is not added. Returns counts for the summary.
    """
    if method == "auto":
        project = _call(client, f"read project {project_id}", client.projects.get, id=project_id)
        size = getattr(project, "task_number", None)
        method = "snapshot" if _is_id(size) and size >= SNAPSHOT_FROM else "sync"
    if method not in ("sync", "snapshot"):
        raise ValueError(f"method must be 'auto', 'sync' or 'snapshot', not {method!r}")
    chunks = _export_snapshot(client, project_id) if method == "snapshot" else _export_sync(client, project_id)
    try:
        tasks = json.loads(chunks)
    except json.JSONDecodeError:
        raise StudioError("export project: Label Studio returned something that is not JSON") from None
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise StudioError("export project: expected a JSON list of tasks")
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
        "method": method,
    }


def add_annotation(client, task_id: int, result: list[dict], **fields) -> int:
    """Create an annotation on a task, sent once (``completed_by``, ``ground_truth`` … pass through)."""
    what = f"annotate task {task_id}"
    answer = _call(
        client, what, client.annotations.create, id=task_id, result=result, request_options=_NO_RETRY, **fields
    )
    return _need_id(client, what, answer)


def ensure_user(client, email: str, password: str) -> int:
    """The id of the user with ``email``, created if missing (for a second annotator)."""
    for user in _call(client, "list users", lambda: list(client.users.list())):
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


def _tasks_by_doc(client, project_id: int) -> dict[str, object]:
    """The project's task per doc id; a document with several tasks is an error (annotating
    one copy at random would split its annotations)."""
    tasks: dict[str, list] = defaultdict(list)
    for task in project_tasks(client, project_id):
        tasks[str((task.data or {}).get("doc_id"))].append(task)
    several = sorted(doc for doc, copies in tasks.items() if len(copies) > 1)
    if several:
        raise StudioError(
            f"{len(several)} document(s) have several tasks in project {project_id} "
            f"({', '.join(several[:5])}): run `toolkit studio push --dedupe` first"
        )
    return {doc: copies[0] for doc, copies in tasks.items()}


def _annotations_by(client, task_id: int, user_id: int) -> list:
    """The annotations (cancelled ones too) of ``user_id`` on a task, oldest first."""
    found = _call(client, f"list annotations of task {task_id}", client.annotations.list, id=task_id)
    mine = [a for a in found or [] if _user_id(getattr(a, "completed_by", None)) == user_id]
    return sorted(mine, key=lambda a: _need_id(client, f"list annotations of task {task_id}", a))


def _user_id(completed_by) -> int | None:
    return completed_by.get("id") if isinstance(completed_by, dict) else completed_by


@dataclass
class AnnotateResult:
    """What :func:`annotate_from_records` did; ``notes`` names tasks with older extra copies."""

    created: int = 0
    updated: int = 0
    notes: list[str] = field(default_factory=list)


def annotate_from_records(
    client,
    project_id: int,
    paths: list[Path],
    schema,
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
    from .errors import GoldError
    from .gold import record_to_results, validate_record

    records = _read_records(paths)
    tasks = _tasks_by_doc(client, project_id)
    for path, record in records:
        task = tasks.get(str(record.get("doc_id")))
        if task is None:
            raise StudioError(f"{path}: no task with doc_id '{record.get('doc_id')}' in project {project_id}")
        record["text"] = task.data["text"]
        try:
            validate_record(record, schema, str(path))
        except GoldError as exc:
            raise StudioError(str(exc)) from None
    user_id = ensure_user(client, user, password=os.urandom(12).hex()) if user else client.toolkit_user
    plan = [
        (tasks[str(r["doc_id"])].id, r, _annotations_by(client, tasks[str(r["doc_id"])].id, user_id))
        for _, r in records
    ]
    done = [str(record["doc_id"]) for _, record, mine in plan if mine]
    if done and not replace:
        raise StudioError(
            f"{len(done)} document(s) already have an annotation by {user or 'this user'} "
            f"({', '.join(done[:5])}): pass --replace to update it; nothing was sent"
        )
    result = AnnotateResult()
    for task_id, record, mine in plan:
        results = record_to_results(record, schema)
        flag = {"ground_truth": True} if ground_truth else {}
        if not mine:
            who = {"completed_by": user_id} if user else {}
            add_annotation(client, task_id, results, ground_truth=ground_truth, **who)
            result.created += 1
            continue
        what = f"update annotation {mine[0].id} on task {task_id}"
        _call(client, what, client.annotations.update, id=mine[0].id, result=results, was_cancelled=False, **flag)
        result.updated += 1
        if len(mine) > 1:
            result.notes.append(
                f"task {task_id} (doc '{record['doc_id']}') has {len(mine) - 1} older extra "
                f"annotation(s) by this user: not changed"
            )
    return result


@dataclass
class PredictResult:
    """What :func:`write_predictions` did: predictions created, updated in place (the task had
    one of this model version), and older extra ones of this model version deleted."""

    model_version: str = ""
    created: int = 0
    updated: int = 0
    removed: int = 0

    @property
    def written(self) -> int:
        return self.created + self.updated


def prepare_predictions(client, project_id: int, extractor, schema, label_config: str) -> list[tuple[int, list[dict]]]:
    """``(task id, result)`` of ``extractor``'s output on every task of the project, each checked
    with label-studio-sdk's ``LabelInterface.validate_prediction`` (nothing is sent)."""
    from label_studio_sdk.label_interface import LabelInterface

    from .gold import record_to_results
    from .tasks import Document

    tasks = project_tasks(client, project_id)
    records = list(extractor.extract([Document(str(t.data.get("doc_id")), t.data["text"]) for t in tasks]))
    if len(records) != len(tasks):
        raise StudioError(f"extractor '{extractor.name}' returned {len(records)} records for {len(tasks)} tasks")
    interface = LabelInterface(label_config)
    predictions = []
    for task, record in zip(tasks, records, strict=True):
        prediction = {"result": record_to_results({**record, "text": task.data["text"]}, schema)}
        errors = interface.validate_prediction(prediction, return_errors=True)
        if errors:
            raise StudioError(f"prediction for task {task.id} (doc '{record['doc_id']}') is invalid: {errors[0]}")
        predictions.append((task.id, prediction["result"]))
    return predictions


def _delete_prediction(client, prediction_id: int, task_id: int) -> bool:
    """Delete one prediction, sent once; False if it was already gone (a concurrent run)."""
    try:
        client.predictions.delete(id=prediction_id, request_options=_NO_RETRY)
    except Exception as exc:  # noqa: BLE001 - the SDK and the network fail in many ways; told as one line
        if getattr(exc, "status_code", None) == 404:
            return False
        message = f"delete prediction {prediction_id} of task {task_id}: {_describe(exc, client.toolkit_url)}"
        raise StudioError(_scrub(message, client.toolkit_secret)) from None
    return True


def write_predictions(
    client, project_id: int, predictions: list[tuple[int, list[dict]]], model_version: str
) -> PredictResult:
    """Make ``result`` the one prediction of ``model_version`` on each task: a task's latest
    prediction of that version is updated in place (its id, and annotations made from it, stay),
    older ones of that version are deleted, and a task without one gets a new prediction.
    Predictions of other model versions are not touched. Every write is sent once; after a
    failure, running it again finishes the job (it replaces, never adds a second copy).
    """
    existing = task_predictions(client, project_id, [task_id for task_id, _ in predictions])
    done = PredictResult(model_version)
    again = "run predict again to finish (it replaces, never duplicates)"
    for task_id, result in predictions:
        mine = [p for p in existing.get(task_id, []) if (p.get("model_version") or "") == model_version]
        if mine:
            latest = mine[-1]["id"]
            _call(
                client,
                f"update prediction {latest} of task {task_id}; {again}",
                client.predictions.update,
                id=latest,
                result=result,
                request_options=_NO_RETRY,
            )
            done.updated += 1
            done.removed += sum(_delete_prediction(client, p["id"], task_id) for p in mine[:-1])
        else:
            what = f"predict task {task_id}; {again}"
            _need_id(
                client,
                what,
                _call(
                    client,
                    what,
                    client.predictions.create,
                    task=task_id,
                    result=result,
                    model_version=model_version,
                    request_options=_NO_RETRY,
                ),
            )
            done.created += 1
    return done


def push_predictions(client, project_id: int, extractor, schema, label_config: str) -> int:
    """Pre-annotate every task with ``extractor``'s output as Label Studio predictions; returns
    the number of tasks predicted.

    The model version is ``"<name> <version>"``. Each prediction is checked with
    label-studio-sdk's ``LabelInterface.validate_prediction`` before anything is sent
    (:func:`prepare_predictions`); a task's earlier predictions of the same model version are
    replaced, not added to (:func:`write_predictions`), so running it twice leaves one
    prediction per task and version.
    """
    predictions = prepare_predictions(client, project_id, extractor, schema, label_config)
    return write_predictions(client, project_id, predictions, f"{extractor.name} {extractor.version}").written


# --- review (see toolkit/review.py) ------------------------------------------------------


def _as_dict(item) -> dict:
    """An SDK object (or a dict) as a plain JSON-ready dict."""
    return item if isinstance(item, dict) else item.model_dump(mode="json")


def task_annotations_and_predictions(client, project_id: int, minimum: int = 1):
    """Yield ``(task, annotations, predictions)`` (plain dicts; cancelled annotations too) for
    each task with at least ``minimum`` annotations, in id order. The listing gives annotation
    ids only; each such task's annotations and predictions are then read in full."""
    for page in _task_pages(client, project_id, include="id,data,annotations", fields="all"):
        for task in page:
            if len(getattr(task, "annotations", None) or []) < minimum:
                continue
            what = f"read task {task.id}"
            annotations = _call(client, what, client.annotations.list, id=task.id)
            predictions = _call(client, what, client.predictions.list, task=task.id)
            annotations = [_as_dict(a) for a in annotations or []]
            predictions = [_as_dict(p) for p in predictions or []]
            if not all(isinstance(x.get("id"), int) for x in annotations + predictions):
                raise StudioError(f"{what}: {client.toolkit_url} answered an annotation or prediction without an id")
            yield {"id": task.id, "data": task.data}, annotations, predictions


def create_prediction(client, task_id: int, result: list[dict], model_version: str, score: float | None = None) -> int:
    """Create a prediction on a task, sent once."""
    what = f"predict task {task_id}"
    extra = {"score": score} if score is not None else {}
    answer = _call(
        client,
        what,
        client.predictions.create,
        task=task_id,
        result=result,
        model_version=model_version,
        request_options=_NO_RETRY,
        **extra,
    )
    return _need_id(client, what, answer)


def update_prediction(client, prediction_id: int, result: list[dict], score: float | None = None) -> None:
    """Replace a prediction's result (and score) in place, sent once: its id stays, and so do the
    annotations made from it (their ``parent_prediction``)."""
    extra = {"score": score} if score is not None else {}
    _call(
        client,
        f"update prediction {prediction_id}",
        client.predictions.update,
        id=prediction_id,
        result=result,
        request_options=_NO_RETRY,
        **extra,
    )


def set_ground_truth(client, annotation_id: int) -> None:
    """Flag an annotation ``ground_truth`` (sent once; setting it again changes nothing)."""
    _call(
        client,
        f"flag annotation {annotation_id} as ground truth",
        client.annotations.update,
        id=annotation_id,
        ground_truth=True,
        request_options=_NO_RETRY,
    )


def user_emails(client) -> dict[int, str]:
    """``{user id: e-mail}`` of every user the token may list."""
    users = _call(client, "list users", lambda: list(client.users.list()))
    return {_need_id(client, "list users", u): str(u.email or f"user {u.id}") for u in users}


def find_user(client, email: str) -> int:
    """The id of the user with ``email``; :class:`StudioError` if there is none."""
    found = [user_id for user_id, known in user_emails(client).items() if known == email]
    if not found:
        raise StudioError(f"no Label Studio user with e-mail {email}")
    return found[0]
