"""Talk to a live Label Studio through label-studio-sdk: server, project, tasks, export.

The API token is held by the SDK client only; error messages are built here from status
codes and never include the token, the request headers, a password in the URL or the SDK's
exception text. Every failure is one :class:`StudioError` line.

Writes that create something (project, tasks, annotations, predictions, users) are sent
once, with the SDK's retries off: a gateway answering 504 after the server committed would
otherwise make the SDK import the same tasks again. What an uncertain write did is found
out by listing the project again, never by sending it again. Reads keep the SDK's retries.

The stages, one module each:

- :mod:`.connection` (with :mod:`.client`): connecting, and every failure as one line;
  :mod:`.server`: a local server for ``toolkit studio start`` and the tests;
- :mod:`.projects`: projects by title; :mod:`.listing`: a project's tasks, page by page;
- :mod:`.push`: documents pushed as tasks once each, duplicate tasks without work removed;
- :mod:`.pull`: the native JSON export, in one request or through a snapshot;
- :mod:`.annotate`: records entered as annotations, users; :mod:`.predictions`: an
  extractor's pre-annotations and the review's consensus predictions.

The names used elsewhere are imported here. The page sizes and :data:`SNAPSHOT_FROM` are read
in the modules that define them (:mod:`.listing`, :mod:`.pull`): set them there.
"""

from __future__ import annotations

from .annotate import (
    AnnotateResult,
    AnnotationFields,
    add_annotation,
    annotate_from_records,
    annotator_id,
    ensure_user,
    find_user,
    set_ground_truth,
    user_emails,
)
from .connection import DEFAULT_URL, close, connect, safe_url
from .listing import LIST_PAGE_SIZE, PAGE_SIZE, list_docs, project_tasks, task_predictions
from .predictions import (
    PredictResult,
    create_prediction,
    delete_prediction,
    prepare_predictions,
    push_predictions,
    task_annotations_and_predictions,
    update_prediction,
    write_predictions,
)
from .projects import ensure_project, find_project
from .pull import _SNAPSHOT_OPTIONS as _SNAPSHOT_OPTIONS  # bench/bench_studio.py times the SDK alone with it
from .pull import SNAPSHOT_FROM, PullSummary, pull_export
from .push import Dedupe, PushResult, push_tasks, remove_duplicates
from .server import LocalServer

__all__ = [
    "DEFAULT_URL",
    "LIST_PAGE_SIZE",
    "PAGE_SIZE",
    "SNAPSHOT_FROM",
    "AnnotateResult",
    "AnnotationFields",
    "Dedupe",
    "LocalServer",
    "PredictResult",
    "PullSummary",
    "PushResult",
    "add_annotation",
    "annotate_from_records",
    "annotator_id",
    "close",
    "connect",
    "create_prediction",
    "delete_prediction",
    "ensure_project",
    "ensure_user",
    "find_project",
    "find_user",
    "list_docs",
    "prepare_predictions",
    "project_tasks",
    "pull_export",
    "push_predictions",
    "push_tasks",
    "remove_duplicates",
    "safe_url",
    "set_ground_truth",
    "task_annotations_and_predictions",
    "task_predictions",
    "update_prediction",
    "user_emails",
    "write_predictions",
]
