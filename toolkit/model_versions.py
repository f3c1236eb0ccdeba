"""Model versions in Label Studio as systems: the predictions stored in a project, scored like extractors.

A project's predictions (pre-annotations from ``toolkit studio predict`` or any ML backend)
come back in the export that ``toolkit studio pull`` writes, each with its ``model_version``
and ``result``. :func:`systems_from_exports` turns every model version found in the exports
into one :class:`~toolkit.predictions.System` named ``ls:<model version>``, on the gold's
documents, so ``toolkit evaluate --model-versions`` scores them against the annotations.

A prediction's ``result`` is read by the same parser as an annotation's
(:func:`toolkit.gold.parse_annotation`, without the completeness checks meant for annotators:
a claim may lack speaker, target or stance, and a document target may be unanswered). What
does not fit is a problem, counted in the system's ``skipped`` and said in its ``problems``:

- a bad region, relation or choice is left out (as in gold);
- a gold document without a prediction of that model version scores as empty
  (``documents_without_prediction``);
- several predictions of one model version on one document: the latest (``updated_at``,
  then ``created_at``, then id) is kept (``duplicate_predictions``);
- a prediction whose ``result`` cannot be read scores as empty (``predictions_skipped``);
- a task whose text differs from the gold's is read against the gold text (``texts_differ``);
- a prediction that is not an object or whose model version is not a string cannot be given
  to any model version: it is a problem of every system (``predictions_unreadable``).

Predictions on tasks that are not in the gold (not annotated) are counted
(``predicted_documents_not_in_gold``), not reported one by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import ExtractorError
from .files import shown
from .gold.parse import parse_annotation
from .gold.read import load_export
from .gold.values import Imported, Problem, _label, is_int, short, valid_string
from .predictions import System
from .records import JSON, Record, empty_record
from .schema import TEXT_NAME, Schema

PREFIX = "ls:"
NO_VERSION = "(no model version)"
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def system_name(model_version: str) -> str:
    """The system name of a model version: ``ls:<model version>``."""
    return PREFIX + (model_version or NO_VERSION)


@dataclass
class _Found:
    """One prediction of one model version on one task of one export."""

    source: str
    position: int
    task: dict[str, JSON]
    prediction: dict[str, JSON]

    @property
    def prediction_id(self) -> JSON:
        return self.prediction.get("id")

    def where(self) -> str:
        """The ``source`` of its problems: file and prediction id."""
        pid = self.prediction_id
        return self.source if pid is None else f"{self.source} prediction {_label(pid)}"

    def latest(self) -> tuple[datetime, int, int]:
        """Sort key: later ``updated_at`` (else ``created_at``), then higher id, then later in the files."""
        stamp = _time(self.prediction.get("updated_at")) or _time(self.prediction.get("created_at"))
        pid = self.prediction_id
        return (stamp or _EARLIEST, pid if is_int(pid) else -1, self.position)


#: Model version -> doc id -> the predictions found.
_ByVersion = dict[str, dict[str, list[_Found]]]


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _given_doc_id(task: dict[str, JSON]) -> JSON:
    """The task's ``data.doc_id`` as given (None if there is none)."""
    data = task.get("data")
    return data.get("doc_id") if isinstance(data, dict) else None


def _doc_id(task: dict[str, JSON]) -> str | None:
    """The doc id the gold import gives this task (``data.doc_id``, else ``task-<id>``), or None."""
    doc_id = _given_doc_id(task)
    if doc_id is None:
        return f"task-{_label(task.get('id'))}"
    return str(doc_id) if is_int(doc_id) or (valid_string(doc_id) and doc_id) else None


def _unreadable(prediction: JSON, version: JSON, doc_id: str | None, task: dict[str, JSON]) -> str:
    """Why a prediction belongs to no model version (or no document)."""
    if not isinstance(prediction, dict):
        return "is not an object"
    if doc_id is not None:
        return f"has model_version {short(version)}, not a string"
    return f"is on a task whose data.doc_id {short(_given_doc_id(task))} is not a string"


def _predictions(task: dict[str, JSON], source: str, unreadable: Imported) -> list[JSON]:
    """The task's predictions; ``predictions`` that is not a list is a problem."""
    predictions = task.get("predictions")
    if predictions is None:
        return []
    if not isinstance(predictions, list):
        unreadable.problems.append(
            Problem(source, task.get("id"), None, f"'predictions' is {type(predictions).__name__}, not a list; skipped")
        )
        unreadable.count("predictions_unreadable")
        return []
    return predictions


def _collect(paths: Sequence[str | Path], found: _ByVersion, unreadable: Imported) -> int:
    """Predictions of every export, per ``(model version, doc id)`` in ``found``; predictions that
    belong to no model version are problems in ``unreadable``. Returns how many predictions are
    given only as ids (Label Studio's own export)."""
    ids_only = position = 0
    for path in paths:
        source = shown(Path(path).name)
        for task in load_export(path):
            doc_id = _doc_id(task)
            for prediction in _predictions(task, source, unreadable):
                position += 1
                if is_int(prediction):
                    ids_only += 1
                    continue
                version = prediction.get("model_version") if isinstance(prediction, dict) else None
                if not isinstance(prediction, dict) or not (version is None or valid_string(version)) or doc_id is None:
                    why = _unreadable(prediction, version, doc_id, task)
                    unreadable.problems.append(
                        Problem(source, task.get("id"), None, f"prediction {short(prediction)} {why}; skipped")
                    )
                    unreadable.count("predictions_unreadable")
                    continue
                found[version or ""][doc_id].append(_Found(source, position, task, prediction))
    return ids_only


def _chosen(version: str, doc_id: str, candidates: list[_Found], out: Imported) -> _Found:
    """The latest of a model version's predictions on one document; the others are a problem."""
    chosen = candidates[-1]
    if len(candidates) > 1:
        others = ", ".join(_label(c.prediction_id) for c in candidates[:-1])
        out.problems.append(
            Problem(
                chosen.where(),
                chosen.task.get("id"),
                None,
                f"{len(candidates)} predictions of model version {version!r} on document "
                f"'{shown(doc_id)}'; the latest is kept, {others} left out",
            )
        )
        out.count("duplicate_predictions", len(candidates) - 1)
    return chosen


def _predicted(chosen: _Found, doc_id: str, text: str, schema: Schema, out: Imported) -> Record:
    """The record of one prediction, read against the gold document's text."""
    data = chosen.task.get("data")
    if isinstance(data, dict) and data.get(TEXT_NAME) != text:
        out.problems.append(
            Problem(
                chosen.where(),
                chosen.task.get("id"),
                None,
                "the task's text differs from the gold document's; offsets are read against the gold text",
            )
        )
        out.count("texts_differ")
    task = {"id": chosen.task.get("id"), "data": {TEXT_NAME: text, "doc_id": doc_id}}
    parsed = parse_annotation(task, chosen.prediction, schema, chosen.where(), out, complete=False)
    if parsed is None:
        out.count("predictions_skipped")
        return empty_record(doc_id, text)
    return {
        "doc_id": parsed["doc_id"],
        "text": parsed["text"],
        "actors": parsed["actors"],
        "claims": parsed["claims"],
        "doc_stances": parsed["doc_stances"],
    }


def _report_missing(version: str, missing: list[str], by_doc: dict[str, list[_Found]], out: Imported) -> None:
    """Gold documents without a prediction of this model version are scored as empty: one problem."""
    named = ", ".join(f"'{shown(d)}'" for d in missing[:3]) + (", ..." if len(missing) > 3 else "")
    where = ", ".join(sorted({c.source for found in by_doc.values() for c in found}))
    out.problems.append(
        Problem(
            where,
            None,
            None,
            f"{len(missing)} gold document(s) have no prediction of model version "
            f"{version!r} ({named}); scored as empty predictions",
        )
    )
    out.count("documents_without_prediction", len(missing))


def _system(
    version: str, by_doc: dict[str, list[_Found]], gold: list[Record], schema: Schema, unreadable: Imported
) -> System:
    """One model version's predictions on the gold documents (see the module docstring)."""
    out = Imported(problems=list(unreadable.problems), counts=dict(unreadable.counts))
    records: list[Record] = []
    missing: list[str] = []
    for record in gold:
        doc_id, text = record["doc_id"], record["text"]
        candidates = sorted(by_doc.get(doc_id, []), key=_Found.latest)
        if not candidates:
            missing.append(doc_id)
            records.append(empty_record(doc_id, text))
            continue
        chosen = _chosen(version, doc_id, candidates, out)
        records.append(_predicted(chosen, doc_id, text, schema, out))
    if missing:
        _report_missing(version, missing, by_doc, out)
    gold_ids = {r["doc_id"] for r in gold}
    outside = sum(doc not in gold_ids for doc in by_doc)
    if outside:
        out.count("predicted_documents_not_in_gold", outside)
    out.count("problems", len(out.problems))
    sources = ", ".join(sorted({c.source for found in by_doc.values() for c in found}))
    return System(system_name(version), version, records, source=sources, skipped=out.counts, problems=out.problems)


def _no_predictions(files: str, ids_only: int) -> ExtractorError:
    """The error for exports that hold no prediction with a result."""
    hint = (
        f"; {ids_only} prediction(s) are listed by id only (Label Studio's own export): pull the project "
        "with `toolkit studio pull`, which writes them in full"
        if ids_only
        else ""
    )
    return ExtractorError(
        f"{files or 'no export given'}: no predictions with results, so no model version to evaluate{hint}"
    )


def _wanted(only: list[str], found: _ByVersion, files: str) -> list[str]:
    """The model versions ``only`` names (``ls:NAME`` or ``NAME``), each once; one not found is an error."""
    wanted = []
    for name in only:
        version = name.removeprefix(PREFIX)
        version = "" if version == NO_VERSION else version
        if version not in found:
            raise ExtractorError(
                f"--model-version {name!r}: not in {files}; found: {', '.join(system_name(v) for v in sorted(found))}"
            )
        wanted.append(version)
    return list(dict.fromkeys(wanted))


def systems_from_exports(
    paths: Sequence[str | Path],
    schema: Schema,
    gold_records: list[Record],
    only: list[str] | None = None,
    strict: bool = False,
) -> list[System]:
    """One :class:`System` per model version found in the predictions of these Label Studio
    native exports, scored on the documents of ``gold_records`` (sorted by model version).

    ``only`` picks model versions by name (``ls:NAME`` or ``NAME``); one not found is an
    :class:`ExtractorError` listing those found, and so are exports that hold no prediction
    (or list them by id only, as Label Studio's own export does: pull with ``toolkit studio
    pull``). With ``strict`` any problem raises :class:`ExtractorError`.
    """
    found: _ByVersion = defaultdict(lambda: defaultdict(list))
    unreadable = Imported()
    files = ", ".join(shown(Path(p).name) for p in paths)
    ids_only = _collect(paths, found, unreadable)
    if not found:
        raise _no_predictions(files, ids_only)
    if ids_only:
        unreadable.problems.append(
            Problem(
                files,
                None,
                None,
                f"{ids_only} prediction(s) are listed by id only (no model version, no result); skipped",
            )
        )
        unreadable.count("predictions_unreadable", ids_only)
    versions = _wanted(only, found, files) if only else sorted(found)
    systems = [_system(version, found[version], gold_records, schema, unreadable) for version in versions]
    for system in systems if strict else []:
        if system.problems:
            raise ExtractorError(
                f"{system.name}: {system.problems[0]} ({len(system.problems)} problem(s) in all; --strict)"
            )
    return systems


def systems_from_gold(
    gold_paths: Sequence[str | Path],
    schema: Schema,
    gold_records: list[Record],
    only: list[str] | None = None,
    strict: bool = False,
) -> list[System]:
    """:func:`systems_from_exports` on the Label Studio exports among ``--gold``'s paths (records
    JSONL, dataset folders and Hub ids hold no predictions); ``only=[]`` means every model version."""
    exports = [p for p in gold_paths if Path(p).is_file() and Path(p).suffix.lower() != ".jsonl"]
    if not exports:
        raise ExtractorError(
            "--model-versions reads the predictions held by the Label Studio exports given as "
            "--gold; this gold has no export"
        )
    return systems_from_exports(exports, schema, gold_records, only or None, strict)
