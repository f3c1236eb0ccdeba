"""Predictions: an extractor's output as pre-annotations (one per task and model version), the
consensus predictions of a review, and reading tasks with their annotations and predictions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from ..errors import StudioError
from .connection import _NO_RETRY, _as_dict, _call, _failed, _need_id
from .listing import _task_pages, task_predictions

if TYPE_CHECKING:
    from ..extractors import Extractor
    from ..schema import Schema
    from .client import Client


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
        """Predictions created or updated."""
        return self.created + self.updated


def prepare_predictions(
    client: Client, project_id: int, extractor: Extractor, schema: Schema, label_config: str
) -> list[tuple[int, list[dict]]]:
    """``(task id, result)`` of ``extractor``'s output on every task of the project, each checked
    with label-studio-sdk's ``LabelInterface.validate_prediction`` (nothing is sent)."""
    from label_studio_sdk.label_interface import LabelInterface

    from ..gold import record_to_results
    from ..tasks import Document

    tasks = [(task_id, task.data) for page in _task_pages(client, project_id) for task_id, task in page]
    records = list(extractor.extract([Document(str(data.get("doc_id")), data["text"]) for _, data in tasks]))
    if len(records) != len(tasks):
        raise StudioError(f"extractor '{extractor.name}' returned {len(records)} records for {len(tasks)} tasks")
    interface = LabelInterface(label_config)
    predictions = []
    for (task_id, data), record in zip(tasks, records, strict=True):
        prediction = {"result": record_to_results({**record, "text": data["text"]}, schema)}
        errors = interface.validate_prediction(prediction, return_errors=True)
        if errors:
            raise StudioError(f"prediction for task {task_id} (doc '{record['doc_id']}') is invalid: {errors[0]}")
        predictions.append((task_id, prediction["result"]))
    return predictions


def delete_prediction(client: Client, prediction_id: int, task_id: int) -> bool:
    """Delete one prediction, sent once; False if it was already gone (a concurrent run)."""
    try:
        client.predictions.delete(id=prediction_id, request_options=_NO_RETRY)
    except Exception as exc:  # noqa: BLE001 - the SDK and the network fail in many ways; told as one line
        if getattr(exc, "status_code", None) == 404:
            return False
        raise _failed(client, f"delete prediction {prediction_id} of task {task_id}", exc) from None
    return True


def write_predictions(
    client: Client, project_id: int, predictions: list[tuple[int, list[dict]]], model_version: str
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
            what = f"update prediction {latest} of task {task_id}; {again}"
            _call(client, what, client.predictions.update, id=latest, result=result, request_options=_NO_RETRY)
            done.updated += 1
            done.removed += sum(delete_prediction(client, p["id"], task_id) for p in mine[:-1])
        else:
            create_prediction(client, task_id, result, model_version, note=again)
            done.created += 1
    return done


def push_predictions(client: Client, project_id: int, extractor: Extractor, schema: Schema, label_config: str) -> int:
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


class _Score(TypedDict, total=False):
    score: float  # sent only when given


def create_prediction(
    client: Client, task_id: int, result: list[dict], model_version: str, score: float | None = None, *, note: str = ""
) -> int:
    """Create a prediction on a task, sent once (``note`` ends the error message, if any)."""
    what = f"predict task {task_id}" + (f"; {note}" if note else "")
    extra: _Score = {"score": score} if score is not None else {}
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


def update_prediction(client: Client, prediction_id: int, result: list[dict], score: float | None = None) -> None:
    """Replace a prediction's result (and score) in place, sent once: its id stays, and so do the
    annotations made from it (their ``parent_prediction``)."""
    extra: _Score = {"score": score} if score is not None else {}
    _call(
        client,
        f"update prediction {prediction_id}",
        client.predictions.update,
        id=prediction_id,
        result=result,
        request_options=_NO_RETRY,
        **extra,
    )


def task_annotations_and_predictions(
    client: Client, project_id: int, minimum: int = 1
) -> Iterator[tuple[dict, list[dict], list[dict]]]:
    """Yield ``(task, annotations, predictions)`` (plain dicts; cancelled annotations too) for
    each task with at least ``minimum`` annotations, in id order. The listing gives annotation
    ids only; each such task's annotations and predictions are then read in full."""
    for page in _task_pages(client, project_id, include="id,data,annotations", fields="all"):
        for task_id, task in page:
            if len(task.annotations or []) < minimum:
                continue
            what = f"read task {task_id}"
            annotations = [_as_dict(a) for a in _call(client, what, client.annotations.list, id=task_id) or []]
            predictions = [_as_dict(p) for p in _call(client, what, client.predictions.list, task=task_id) or []]
            if not all(isinstance(x.get("id"), int) for x in annotations + predictions):
                raise StudioError(f"{what}: {client.toolkit_url} answered an annotation or prediction without an id")
            yield {"id": task_id, "data": task.data}, annotations, predictions
