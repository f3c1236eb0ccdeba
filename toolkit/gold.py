"""Label Studio native JSON export <-> toolkit records, with validation.

Reading: each completed annotation becomes a :class:`~toolkit.records.Record`. Label
Studio stores a span as a ``labels`` result, the per-region claim target and stance as
``choices`` results that share the span's ``id``, the speaker link as a ``relation``
result (``from_id``/``to_id``), and the document stance per target as ``choices``
results without offsets. Every problem found becomes a :class:`Problem` naming the task
and region; bad regions are skipped and counted, never dropped silently.

Writing (:func:`record_to_results`) is the inverse, used to push gold passes and
extractor predictions into Label Studio.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GoldError
from .records import Record
from .schema import (
    ACTOR_TAG,
    CLAIM_STANCE_TAG,
    CLAIM_TAG,
    CLAIM_TARGET_TAG,
    DOC_STANCE_PREFIX,
    TEXT_NAME,
    Schema,
)

POLICIES = ("ground_truth", "all")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an export, located by file, task and region."""

    source: str
    task_id: object
    region_id: object
    message: str

    def __str__(self) -> str:
        region = f" region {self.region_id}" if self.region_id is not None else ""
        return f"{self.source}: task {self.task_id}{region}: {self.message}"


@dataclass
class Imported:
    """The result of :func:`import_exports`: records plus everything that was skipped."""

    records: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


def load_export(path: str | Path) -> list[dict]:
    """Read a Label Studio native JSON export (a list of tasks); :class:`GoldError` if unreadable."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GoldError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise GoldError(f"{path}: not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise GoldError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); truncated export?") from None
    if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
        raise GoldError(f"{path}: expected a JSON list of tasks (Label Studio's native JSON export, not JSON_MIN or CSV)")
    return data


def _same_text(region_text: object, expected: str) -> bool:
    # Label Studio may collapse runs of whitespace in value.text; that is not a mismatch.
    return region_text is None or " ".join(str(region_text).split()) == " ".join(expected.split())


def parse_annotation(task: dict, annotation: dict, schema: Schema, source: str, out: Imported) -> Record | None:
    """Turn one annotation of one task into a record; append problems to ``out``."""
    task_id = task.get("id")
    data = task.get("data") or {}
    text = data.get(TEXT_NAME)
    doc_id = data.get("doc_id") or f"task-{task_id}"
    if not isinstance(text, str):
        out.problems.append(Problem(source, task_id, None, f"data.{TEXT_NAME} is missing"))
        return None

    def problem(region, message):
        out.problems.append(Problem(source, task_id, region, message))

    spans: dict[str, dict] = {}
    claim_fields: dict[str, dict] = {}
    relations: list[dict] = []
    doc_stances: dict[str, str] = {}
    for item in annotation.get("result") or []:
        kind, name, rid = item.get("type"), item.get("from_name"), item.get("id")
        value = item.get("value") or {}
        if kind == "relation":
            relations.append(item)
        elif kind == "labels" and name in (ACTOR_TAG, CLAIM_TAG):
            allowed = schema.actor_types if name == ACTOR_TAG else [schema.claim_label]
            labels = value.get("labels") or []
            start, end = value.get("start"), value.get("end")
            if len(labels) != 1 or labels[0] not in allowed:
                problem(rid, f"label {labels} is not one {name} label of schema {schema.version}")
            elif not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
                problem(rid, f"offsets [{start}, {end}) are outside the text (length {len(text)})")
            elif not _same_text(value.get("text"), text[start:end]):
                problem(rid, f"region text {value.get('text')!r} differs from text[{start}:{end}] = {text[start:end]!r}")
            elif rid in spans:
                problem(rid, "two spans share this region id")
            else:
                spans[rid] = {"id": rid, "start": start, "end": end, "text": text[start:end], "label": labels[0], "tag": name}
                continue
            out.count("regions_skipped")
        elif kind == "choices" and name in (CLAIM_TARGET_TAG, CLAIM_STANCE_TAG):
            allowed = schema.claim_targets if name == CLAIM_TARGET_TAG else list(schema.stance_labels)
            choice = (value.get("choices") or [None])[0]
            if choice not in allowed:
                problem(rid, f"{name} {choice!r} is not in schema {schema.version}")
            else:
                claim_fields.setdefault(rid, {})["target" if name == CLAIM_TARGET_TAG else "stance"] = choice
        elif kind == "choices" and str(name).startswith(DOC_STANCE_PREFIX):
            target = name[len(DOC_STANCE_PREFIX):]
            choice = (value.get("choices") or [None])[0]
            if target not in schema.targets or choice not in schema.stance_labels:
                problem(rid, f"document stance {name}={choice!r} is not in schema {schema.version}")
            else:
                doc_stances[target] = choice
        else:
            problem(rid, f"unexpected result of type {kind!r} from {name!r}")
            out.count("regions_skipped")

    speakers: dict[str, str] = {}
    for rel in relations:
        ends = [spans.get(rel.get("from_id")), spans.get(rel.get("to_id"))]
        where = f"{rel.get('from_id')}->{rel.get('to_id')}"
        if None in ends:
            problem(where, "relation endpoint is missing (region skipped or not in this annotation)")
            continue
        labels = rel.get("labels") or [schema.speaker_relation]
        tags = {e["tag"] for e in ends}
        if labels != [schema.speaker_relation] or tags != {ACTOR_TAG, CLAIM_TAG}:
            problem(where, f"relation {labels} must link a {schema.claim_label} and an actor")
            continue
        claim, actor = ends if ends[0]["tag"] == CLAIM_TAG else ends[::-1]
        if claim["id"] in speakers:
            problem(claim["id"], "claim has more than one speaker; the first is kept")
            continue
        speakers[claim["id"]] = actor["id"]

    for rid in claim_fields:
        if rid not in spans or spans[rid]["tag"] != CLAIM_TAG:
            problem(rid, "claim target/stance given for a region that is not a claim")
    actors, claims = [], []
    for span in sorted(spans.values(), key=lambda s: (s["start"], s["end"], s["id"])):
        tag = span.pop("tag")
        if tag == ACTOR_TAG:
            actors.append(span)
            continue
        fields = claim_fields.get(span["id"], {})
        for key in ("target", "stance"):
            if key not in fields:
                problem(span["id"], f"claim has no {key}")
        if span["id"] not in speakers:
            problem(span["id"], "claim has no speaker relation")
        claims.append({
            "id": span["id"], "start": span["start"], "end": span["end"], "text": span["text"],
            "speaker": speakers.get(span["id"]), "target": fields.get("target"), "stance": fields.get("stance"),
        })  # fmt: skip
    return {
        "doc_id": str(doc_id),
        "text": text,
        "actors": actors,
        "claims": claims,
        "doc_stances": doc_stances,
        "task_id": task_id,
        "annotation_id": annotation.get("id"),
        "annotator": annotation.get("completed_by"),
        "ground_truth": bool(annotation.get("ground_truth")),
    }


def _pick(annotations: list[dict]) -> list[dict]:
    """The ``ground_truth`` policy: a ground-truth annotation first, else the earliest one."""
    return sorted(annotations, key=lambda a: (not a.get("ground_truth"), a.get("id") or 0))[:1]


def import_tasks(tasks: list[dict], source: str, schema: Schema, policy: str = "ground_truth") -> Imported:
    """Records of the tasks of one export (``source`` names it in problems); see :func:`import_exports`."""
    if policy not in POLICIES:
        raise GoldError(f"unknown annotation policy '{policy}'; choose one of {', '.join(POLICIES)}")
    out = Imported()
    for task in tasks:
        out.count("tasks")
        annotations = task.get("annotations") or []
        cancelled = [a for a in annotations if a.get("was_cancelled")]
        completed = [a for a in annotations if not a.get("was_cancelled")]
        out.count("annotations_cancelled", len(cancelled))
        if not completed:
            out.count("tasks_without_annotation")
            continue
        chosen = completed if policy == "all" else _pick(completed)
        out.count("annotations_not_chosen", len(completed) - len(chosen))
        for annotation in chosen:
            record = parse_annotation(task, annotation, schema, source, out)
            if record is None:
                out.count("annotations_skipped")
                continue
            out.records.append(record)
    return out


def import_exports(paths: list[str | Path], schema: Schema, policy: str = "ground_truth", strict: bool = False) -> Imported:
    """Read Label Studio native JSON exports into records.

    ``policy="ground_truth"`` keeps one annotation per task (one flagged ground truth
    first, otherwise the earliest created); ``policy="all"`` keeps one record per
    annotation, for agreement studies. Cancelled (skipped) annotations are left out and
    counted. With ``strict`` any problem raises :class:`GoldError` naming the first one.
    """
    out = Imported()
    seen_docs: dict[str, str] = {}
    for path in paths:
        source = Path(path).name
        imported = import_tasks(load_export(path), source, schema, policy)
        out.problems += imported.problems
        for key, n in imported.counts.items():
            out.count(key, n)
        for record in imported.records:
            key = f"{record['doc_id']}#{record['annotation_id']}" if policy == "all" else record["doc_id"]
            if key in seen_docs:
                out.problems.append(Problem(source, record["task_id"], None,
                                            f"doc_id '{record['doc_id']}' also in {seen_docs[key]}; this copy is skipped"))
                out.count("annotations_skipped")
                continue
            seen_docs[key] = source
            out.records.append(record)
    out.count("problems", len(out.problems))
    if strict and out.problems:
        raise GoldError(f"{out.problems[0]} ({len(out.problems)} problem(s) in all; --strict)")
    out.records.sort(key=lambda r: (r["doc_id"], r["annotation_id"] or 0))
    return out


def record_to_results(record: Record, schema: Schema) -> list[dict]:
    """Label Studio result items for a record (spans, per-region choices, relations, doc stances)."""
    text = record.get("text")
    results: list[dict] = []

    def span_value(span, **extra):
        value = {"start": span["start"], "end": span["end"], "text": text[span["start"]:span["end"]] if text else span["text"]}
        return {**value, **extra}

    def item(rid, name, kind, value):
        return {"id": rid, "from_name": name, "to_name": TEXT_NAME, "type": kind, "value": value}

    for actor in record["actors"]:
        results.append(item(actor["id"], ACTOR_TAG, "labels", span_value(actor, labels=[actor["label"]])))
    for claim in record["claims"]:
        results.append(item(claim["id"], CLAIM_TAG, "labels", span_value(claim, labels=[schema.claim_label])))
        for key, name in (("target", CLAIM_TARGET_TAG), ("stance", CLAIM_STANCE_TAG)):
            if claim.get(key) is not None:
                results.append(item(claim["id"], name, "choices", span_value(claim, choices=[claim[key]])))
        if claim.get("speaker") is not None:
            results.append({"type": "relation", "from_id": claim["id"], "to_id": claim["speaker"], "direction": "right", "labels": [schema.speaker_relation]})
    for target, stance in sorted(record.get("doc_stances", {}).items()):
        results.append(item(f"doc-{target}", f"{DOC_STANCE_PREFIX}{target}", "choices", {"choices": [stance]}))
    return results


def validate_record(record: Record, schema: Schema, source: str = "record") -> None:
    """Check a record (e.g. a reading pass or a prediction) as if Label Studio had exported it.

    Raises :class:`GoldError` naming the first problem.
    """
    task = {"id": record.get("doc_id"), "data": {TEXT_NAME: record.get("text"), "doc_id": record.get("doc_id")}}
    out = Imported()
    try:
        parse_annotation(task, {"result": record_to_results(record, schema)}, schema, source, out)
    except (KeyError, TypeError) as exc:
        raise GoldError(f"{source}: malformed record (missing or wrong field {exc})") from None
    if out.problems:
        raise GoldError(str(out.problems[0]))
