"""Label Studio tasks and exports -> records: which annotations are read, and what is counted.

:func:`import_tasks` reads the tasks of one export with the full reader
(:func:`~toolkit.gold.parse.parse_annotation`), one task at a time (:func:`_import_task`):
the task's annotations that are objects (:func:`_annotations`; drafts are counted), minus the
cancelled ones, then those the annotation policy picks (:func:`_pick`). :func:`import_exports`
reads several exports and keeps one copy of each document. Large exports take the fast path
of :mod:`toolkit.gold.fast`, which falls back to :func:`_import_task` task by task.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TypeVar

from ..errors import GoldError
from ..files import shown
from ..schema import Schema
from .parse import parse_annotation
from .read import load_export
from .values import Imported, Problem, check_policy, is_int

_Annotation = TypeVar("_Annotation", bound=Mapping[str, object])


def _pick(annotations: list[_Annotation]) -> list[_Annotation]:
    """The ``ground_truth`` policy: a ground-truth annotation first, else the earliest one."""

    def key(item: tuple[int, _Annotation]) -> tuple[bool, float, int]:
        index, annotation = item
        given = annotation.get("id")
        return (annotation.get("ground_truth") is not True, given if is_int(given) else float("inf"), index)

    return [a for _, a in sorted(enumerate(annotations), key=key)][:1]


def _annotations(task: Mapping[str, object], source: str, out: Imported) -> list[Mapping[str, object]]:
    """The task's annotations that are objects; anything else is a problem. Drafts are counted."""
    annotations = task.get("annotations")
    drafts = task.get("drafts")
    if isinstance(drafts, list) and drafts:
        out.count("drafts_not_imported", len(drafts))
    if annotations is None:
        return []
    if not isinstance(annotations, list):
        out.problems.append(
            Problem(
                source, task.get("id"), None, f"'annotations' is {type(annotations).__name__}, not a list; task skipped"
            )
        )
        return []
    kept: list[Mapping[str, object]] = [a for a in annotations if isinstance(a, dict)]
    if len(kept) < len(annotations):
        out.problems.append(
            Problem(
                source, task.get("id"), None, f"{len(annotations) - len(kept)} annotation(s) are not objects; skipped"
            )
        )
        out.count("annotations_skipped", len(annotations) - len(kept))
    return kept


def _import_task(task: Mapping[str, object], source: str, schema: Schema, policy: str, out: Imported) -> None:
    """The records of one task's chosen annotations into ``out``, with counts and problems."""
    out.count("tasks")
    annotations = _annotations(task, source, out)
    completed = [a for a in annotations if a.get("was_cancelled") is not True]
    out.count("annotations_cancelled", len(annotations) - len(completed))
    if not completed:
        out.count("tasks_without_annotation")
        return
    chosen = completed if policy == "all" else _pick(completed)
    out.count("annotations_not_chosen", len(completed) - len(chosen))
    for annotation in chosen:
        record = parse_annotation(task, annotation, schema, source, out, show_annotation=len(chosen) > 1)
        if record is None:
            out.count("annotations_skipped")
            continue
        out.records.append(record)


def import_tasks(
    tasks: Iterable[Mapping[str, object]], source: str, schema: Schema, policy: str = "ground_truth"
) -> Imported:
    """Records of the tasks of one export (``source`` names it in problems); see :func:`import_exports`."""
    check_policy(policy)
    out = Imported()
    for task in tasks:
        _import_task(task, source, schema, policy, out)
    return out


def import_exports(
    paths: list[str | Path], schema: Schema, policy: str = "ground_truth", strict: bool = False
) -> Imported:
    """Read Label Studio native JSON exports into records.

    ``policy="ground_truth"`` keeps one annotation per task (one flagged ground truth
    first, otherwise the earliest created); ``policy="all"`` keeps one record per
    annotation, for agreement studies. Cancelled (skipped) annotations are left out and
    counted. With ``strict`` any problem raises :class:`GoldError` naming the first one.
    """
    out = Imported()
    seen_docs: dict[object, str] = {}
    for path in paths:
        source = shown(Path(path).name)
        imported = import_tasks(load_export(path), source, schema, policy)
        out.problems += imported.problems
        for key, n in imported.counts.items():
            out.count(key, n)
        for record in imported.records:
            doc = (record["doc_id"], record["annotation_id"]) if policy == "all" else record["doc_id"]
            if doc in seen_docs:
                out.problems.append(
                    Problem(
                        source,
                        record["task_id"],
                        None,
                        f"doc_id '{shown(record['doc_id'])}' also in {shown(seen_docs[doc])}; this copy is skipped",
                    )
                )
                out.count("annotations_skipped")
                continue
            seen_docs[doc] = source
            out.records.append(record)
    out.count("problems", len(out.problems))
    if strict and out.problems:
        raise GoldError(f"{out.problems[0]} ({len(out.problems)} problem(s) in all; --strict)")
    out.records.sort(key=lambda r: (r["doc_id"], r["annotation_id"] or 0))
    return out
