"""Talk to a live Label Studio through label-studio-sdk: server, project, tasks, export.

The API token is held by the SDK client only; error messages are built here from status
codes and never include the token, the request headers or the SDK's exception text.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import StudioError
from .io import atomic_write_json

DEFAULT_URL = "http://127.0.0.1:8080"


def _describe(exc: Exception, url: str) -> str:
    """A one-line, token-free description of an SDK or network failure."""
    status = getattr(exc, "status_code", None)
    if status == 401:
        return f"Label Studio at {url} refused the API token (401): check --token / LABEL_STUDIO_API_KEY"
    if status == 403:
        return f"Label Studio at {url} denied access (403)"
    if status is not None:
        detail = ""
        body = getattr(exc, "body", None)
        if isinstance(body, dict):
            detail = body.get("detail") or ""
            if body.get("validation_errors"):
                detail = f"{detail}: {json.dumps(body['validation_errors'])}"
        return f"Label Studio at {url} answered {status} {detail}".strip()
    return f"cannot reach Label Studio at {url} ({exc.__class__.__name__})"


def connect(url: str | None = None, token: str | None = None):
    """A checked ``label_studio_sdk.LabelStudio`` client; URL and token default to the env.

    Both legacy API tokens and personal access tokens (JWT refresh tokens) work: the SDK
    exchanges the latter for access tokens itself.
    """
    from label_studio_sdk import LabelStudio

    url = (url or os.environ.get("LABEL_STUDIO_URL") or DEFAULT_URL).rstrip("/")
    token = token or os.environ.get("LABEL_STUDIO_API_KEY")
    if not token:
        raise StudioError("no Label Studio API token: pass --token or set LABEL_STUDIO_API_KEY")
    try:
        client = LabelStudio(base_url=url, api_key=token, timeout=60)
        client.users.whoami()
    except Exception as exc:
        raise StudioError(_describe(exc, url)) from None
    client.toolkit_url = url  # for messages
    return client


def _call(client, what: str, fn: Callable, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except StudioError:
        raise
    except Exception as exc:
        raise StudioError(f"{what}: {_describe(exc, client.toolkit_url)}") from None


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
            exe, "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(self.port),
            "--data-dir", str(self.data_dir), "--enable-legacy-api-token",
        ]  # fmt: skip  (credentials go through the environment, not argv, which `ps` shows)

    def start(self, timeout: float = 240.0, log: Path | None = None) -> "LocalServer":
        """Start the server and wait until ``/health`` answers; raise :class:`StudioError` on failure."""
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


def _ids_titled(client, title: str) -> list[int]:
    return [p.id for p in _call(client, "list projects", client.projects.list) if p.title == title]


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
        project = _call(client, f"create project '{title}'", client.projects.create, title=title, label_config=label_config)
        return project.id, "created"
    project = _call(client, f"read project '{title}'", client.projects.get, id=ids[0])
    if (project.label_config or "").strip() == label_config.strip():
        return project.id, "reused"
    _call(client, f"update config of project '{title}'", client.projects.update, id=project.id, label_config=label_config)
    return project.id, "updated"


def find_project(client, title: str) -> int:
    """The id of the one project titled ``title``; :class:`StudioError` if none or several."""
    ids = _ids_titled(client, title)
    if len(ids) != 1:
        raise StudioError(f"{len(ids)} projects are titled '{title}' in Label Studio; expected exactly one")
    return ids[0]


def project_tasks(client, project_id: int) -> list:
    """All tasks of a project, with their data."""
    return list(_call(client, "list tasks", client.tasks.list, project=project_id, fields="all", page_size=500))


@dataclass
class PushResult:
    """What :func:`push_tasks` did; ``changed`` lists doc ids whose text differs from the project's."""

    imported: int = 0
    unchanged: int = 0
    changed: list[str] = field(default_factory=list)


def push_tasks(
    client,
    project_id: int,
    tasks: list[dict],
    batch_size: int = 250,
    progress: Callable[[int], None] | None = None,
) -> PushResult:
    """Import ``tasks`` into the project, idempotently by ``data.doc_id`` and ``data.sha256``.

    A document already present with the same hash is not imported again; one present with
    a different hash is reported in ``changed`` and not imported (no silent duplicate).
    ``progress`` is called with the number of tasks handled after each batch.
    """
    existing: dict[str, set[str]] = {}
    for task in project_tasks(client, project_id):
        data = task.data or {}
        existing.setdefault(str(data.get("doc_id")), set()).add(str(data.get("sha256")))
    result = PushResult()
    new = []
    for task in tasks:
        hashes = existing.get(task["data"]["doc_id"])
        if hashes is None:
            new.append(task)
        elif task["data"]["sha256"] in hashes:
            result.unchanged += 1
        else:
            result.changed.append(task["data"]["doc_id"])
    if progress:
        progress(result.unchanged + len(result.changed))
    for i in range(0, len(new), batch_size):
        batch = new[i : i + batch_size]
        _call(client, "import tasks", client.projects.import_tasks, id=project_id, request=batch, return_task_ids=True)
        result.imported += len(batch)
        if progress:
            progress(len(batch))
    return result


def pull_export(client, project_id: int, out: str | Path) -> dict:
    """Write the project's native Label Studio JSON export to ``out`` atomically.

    Native JSON keeps region ids, per-region choices and relations (JSON_MIN and CSV drop
    them). All tasks are exported, annotated or not. Returns counts for the summary.
    """
    chunks = _call(
        client, "export project", lambda: b"".join(
            client.projects.exports.download_sync(project_id, export_type="JSON", download_all_tasks=True)
        ),
    )  # fmt: skip
    try:
        tasks = json.loads(chunks)
    except json.JSONDecodeError:
        raise StudioError("export project: Label Studio returned something that is not JSON") from None
    if not isinstance(tasks, list):
        raise StudioError("export project: expected a JSON list of tasks")
    atomic_write_json(out, tasks)
    annotations = [a for t in tasks for a in t.get("annotations", [])]
    return {
        "tasks": len(tasks),
        "annotations": len(annotations),
        "cancelled": sum(bool(a.get("was_cancelled")) for a in annotations),
        "path": str(out),
    }


def add_annotation(client, task_id: int, result: list[dict], **fields) -> int:
    """Create an annotation on a task (``completed_by``, ``ground_truth`` … pass through)."""
    return _call(client, f"annotate task {task_id}", client.annotations.create, id=task_id, result=result, **fields).id


def ensure_user(client, email: str, password: str) -> int:
    """The id of the user with ``email``, created if missing (for a second annotator)."""
    for user in _call(client, "list users", client.users.list):
        if user.email == email:
            return user.id
    return _call(client, f"create user {email}", client.users.create, username=email.split("@")[0], email=email, password=password).id


def annotate_from_records(client, project_id: int, paths: list[Path], schema, user: str | None = None,
                          ground_truth: bool = False) -> int:
    """Create one annotation per record file on the task with the same doc id; returns the count.

    Record files are checked with the same validator as an export before anything is sent.
    """
    from .errors import GoldError
    from .gold import record_to_results, validate_record

    records = []
    for path in paths:
        try:
            record = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StudioError(f"{path}: cannot read record ({exc.__class__.__name__})") from None
        if not isinstance(record, dict):
            raise StudioError(f"{path}: a record must be a JSON object with doc_id, actors, claims, doc_stances")
        records.append((path, record))
    tasks = {t.data.get("doc_id"): t for t in project_tasks(client, project_id)}
    for path, record in records:
        task = tasks.get(record.get("doc_id"))
        if task is None:
            raise StudioError(f"{path}: no task with doc_id '{record.get('doc_id')}' in project {project_id}")
        record["text"] = task.data["text"]
        try:
            validate_record(record, schema, str(path))
        except GoldError as exc:
            raise StudioError(str(exc)) from None
    user_id = ensure_user(client, user, password=os.urandom(12).hex()) if user else None
    for _, record in records:
        fields = {"ground_truth": ground_truth, **({"completed_by": user_id} if user_id else {})}
        add_annotation(client, tasks[record["doc_id"]].id, record_to_results(record, schema), **fields)
    return len(records)


def push_predictions(client, project_id: int, extractor, schema, label_config: str) -> int:
    """Pre-annotate every task with ``extractor``'s output as Label Studio predictions.

    The model version is ``"<name> <version>"``. Each prediction is checked with
    label-studio-sdk's ``LabelInterface.validate_prediction`` before anything is sent.
    """
    from label_studio_sdk.label_interface import LabelInterface

    from .export import Document
    from .gold import record_to_results

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
        predictions.append((task.id, prediction))
    model_version = f"{extractor.name} {extractor.version}"
    for task_id, prediction in predictions:
        _call(client, f"predict task {task_id}", client.predictions.create,
              task=task_id, result=prediction["result"], model_version=model_version)
    return len(predictions)
