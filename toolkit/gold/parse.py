"""One Label Studio annotation -> one record: the full reader, which says what is wrong.

:func:`parse_annotation` reads an annotation in steps over a :class:`_Doc`, which collects
what was found so far:

1. :func:`_open_task` checks what the annotation needs (a text, a doc id, a result list);
2. :func:`_classify` sorts each result into spans (:func:`_read_span`), per-region claim
   choices (:func:`_read_claim_choice`), document stances (:func:`_read_doc_stance`) and
   relations;
3. :func:`_join_choices` drops the choices whose region is not a kept claim;
4. :func:`_link_speakers` turns the speaker relations into claim -> actor links;
5. :func:`_assemble` builds the actors and claims in text order; for an annotator's work
   (``complete``) :func:`_check_doc_stances` and :func:`_add_provenance` follow.

Every problem is appended to the :class:`~toolkit.gold.values.Imported` given; see
:mod:`toolkit.gold` for what is kept when an annotation is odd. Records checked directly
(:mod:`toolkit.gold.check`) go through the same steps from 3 on.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from ..records import Actor, Claim, GoldRecord
from ..schema import (
    ACTOR_TAG,
    CLAIM_STANCE_TAG,
    CLAIM_TAG,
    CLAIM_TARGET_TAG,
    DOC_STANCE_PREFIX,
    TEXT_NAME,
    Schema,
)
from .values import Imported, Problem, _int64, _label, _region_id, _same_text, is_int, short, valid_string

_FIELD = {CLAIM_TARGET_TAG: "target", CLAIM_STANCE_TAG: "stance"}

#: One labelled region as read: an actor's fields (a claim's span carries the claim label).
_Span = Actor


@dataclass
class _Doc:
    """One annotation being read: where it is, its text, and what was found so far."""

    source: str
    task_id: object
    annotation_id: object
    text: str
    schema: Schema
    out: Imported
    spans: dict[str, dict[str, _Span]] = field(default_factory=dict)  # region id -> tag -> span
    choices: dict[str, dict[str, str]] = field(default_factory=dict)  # region id -> "target"/"stance" -> value
    relations: list[tuple[object, object, object]] = field(default_factory=list)  # (from_id, to_id, labels) as given
    doc_stances: dict[str, str] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)  # ids of regions whose span was skipped

    def problem(self, region: object, message: str, count: str | None = None) -> None:
        """Record a problem located in this annotation; ``count`` also counts it under that key."""
        self.out.problems.append(Problem(self.source, self.task_id, region, message, self.annotation_id))
        if count:
            self.out.count(count)


def _open_document(text: object, doc_id: object, doc: _Doc) -> str | None:
    """The record's doc id (``data.doc_id``, else ``task-<task id>``) once the text and doc id are
    checked (``doc.text`` is set), or None after recording why the annotation is skipped."""
    if not valid_string(text):
        doc.problem(None, f"data.{TEXT_NAME} is missing, not a string or not valid Unicode; annotation skipped")
        return None
    if not (doc_id is None or is_int(doc_id) or (valid_string(doc_id) and doc_id)):
        doc.problem(None, f"data.doc_id {short(doc_id)} is not a string; annotation skipped")
        return None
    doc.text = text
    return str(doc_id) if doc_id is not None else f"task-{_label(doc.task_id)}"


def _open_task(
    task: Mapping[str, object], annotation: Mapping[str, object], doc: _Doc
) -> tuple[str, list[object]] | None:
    """Check what an annotation needs (text, doc id, a result list): ``(doc_id, results)``, or
    None after recording why the annotation is skipped."""
    data = task.get("data")
    text = data.get(TEXT_NAME) if isinstance(data, dict) else None
    doc_id = data.get("doc_id") if isinstance(data, dict) else None
    results = annotation.get("result")
    name = _open_document(text, doc_id, doc)
    if name is None:
        return None
    if not isinstance(results, list | None):
        doc.problem(None, f"annotation result is {type(results).__name__}, not a list; annotation skipped")
        return None
    return name, results or []


def _bad_region_id(raw_id: object, doc: _Doc) -> None:
    """A result whose region id is not a string (nor an integer) is skipped."""
    doc.problem(raw_id, f"region id {short(raw_id)} is not a string; result skipped", "regions_skipped")


def _classify(item: object, doc: _Doc) -> None:
    """Sort one result item into spans, per-region choices, relations or document stances."""
    if not isinstance(item, dict):
        doc.problem(None, f"result {short(item)} is not an object; skipped", "results_skipped")
        return
    kind, given_name, raw_id = item.get("type"), item.get("from_name"), item.get("id")
    name = given_name if isinstance(given_name, str) else None
    if kind == "relation":
        doc.relations.append((item.get("from_id"), item.get("to_id"), item.get("labels")))
        return
    value, rid = item.get("value"), _region_id(raw_id)
    if not isinstance(value, dict):
        doc.problem(
            raw_id, f"result of type {short(kind)} from {short(name)} has no 'value' object; skipped", "results_skipped"
        )
    elif kind == "choices" and name is not None and name.startswith(DOC_STANCE_PREFIX):
        _read_doc_stance(name[len(DOC_STANCE_PREFIX) :], value, raw_id, doc)
    elif rid is None and kind in ("labels", "choices"):
        _bad_region_id(raw_id, doc)
    elif rid is not None and kind == "labels" and name in (ACTOR_TAG, CLAIM_TAG):
        _read_span(name, value, rid, doc)
    elif rid is not None and kind == "choices" and name in _FIELD:
        _read_claim_choice(name, value, rid, doc)
    else:
        doc.problem(
            raw_id, f"unexpected result of type {short(kind)} from {short(given_name)}; skipped", "results_skipped"
        )


def _one_choice(value: Mapping[str, object], key: str, allowed: Collection[str]) -> str | None:
    """The single string in ``value[key]`` if it is one of ``allowed``."""
    chosen = value.get(key)
    if isinstance(chosen, list) and len(chosen) == 1 and isinstance(chosen[0], str) and chosen[0] in allowed:
        return chosen[0]
    return None


def _checked_span(text: str, rid: str, label: str, given: Mapping[str, object]) -> _Span | str:
    """The region ``given`` marks (its ``start``, ``end`` and optional ``text``) in ``text``, or
    why it is skipped: offsets outside the text, or a region text that does not fit them (see
    :func:`~toolkit.gold.values._same_text`). Shared by the full reader and the record check."""
    start, end, own = given.get("start"), given.get("end"), given.get("text")
    if not (is_int(start) and is_int(end) and 0 <= start < end <= len(text)):
        return f"offsets [{short(start, 24)}, {short(end, 24)}) are outside the text (length {len(text)})"
    part = text[start:end]
    if own is not None and own != part and not _same_text(own, part):
        return f"region text {short(own)} differs from text[{start}:{end}] = {short(part)}"
    return {"id": rid, "start": start, "end": end, "text": part, "label": label}


def _keep_span(doc: _Doc, tag: str, rid: str, checked: _Span | str) -> None:
    """Store a checked span region, or report it: skipped (``checked`` is the reason), or a
    second result of the same tag on one region (the first is kept). Shared by the full reader
    and the record check."""
    if isinstance(checked, str):
        doc.problem(rid, f"{checked}; {tag} region skipped", "regions_skipped")
        doc.skipped.add(rid)
    elif tag in doc.spans.get(rid, {}):
        first = doc.spans[rid][tag]["label"]
        doc.problem(
            rid,
            f"a second {tag} result for this region ({checked['label']}); the first ({first}) is kept",
            "duplicate_results",
        )
    else:
        doc.spans.setdefault(rid, {})[tag] = checked


def _read_span(tag: str, value: Mapping[str, object], rid: str, doc: _Doc) -> None:
    """A ``labels`` result: check label, offsets and text; keep it as one half of region ``rid``."""
    schema = doc.schema
    allowed = schema.actor_types if tag == ACTOR_TAG else [schema.claim_label]
    label = _one_choice(value, "labels", allowed)
    if label is None:
        checked: _Span | str = f"label {short(value.get('labels'))} is not one {tag} label of schema {schema.version}"
    else:
        checked = _checked_span(doc.text, rid, label, value)
    _keep_span(doc, tag, rid, checked)


def _read_claim_choice(name: str, value: Mapping[str, object], rid: str, doc: _Doc) -> None:
    """A per-region ``choices`` result: the claim's target or stance."""
    allowed = doc.schema.claim_targets if name == CLAIM_TARGET_TAG else doc.schema.stance_labels
    choice = _one_choice(value, "choices", allowed)
    fields = doc.choices.setdefault(rid, {})
    key = _FIELD[name]
    if choice is None:
        given = value.get("choices")
        shown_choice = short(given[0]) if isinstance(given, list) and len(given) == 1 else short(given)
        doc.problem(rid, f"{name} {shown_choice} is not in schema {doc.schema.version}; dropped", "choices_skipped")
    elif key in fields:
        doc.problem(
            rid,
            f"a second {name} result for this region ({choice!r}); the first ({fields[key]!r}) is kept",
            "duplicate_results",
        )
    else:
        fields[key] = choice


def _read_doc_stance(target: str, value: Mapping[str, object], rid: object, doc: _Doc) -> None:
    """A document-level ``choices`` result: the stance towards one target."""
    choice = _one_choice(value, "choices", doc.schema.stance_labels)
    if target not in doc.schema.targets or choice is None:
        doc.problem(
            rid,
            f"document stance {short(DOC_STANCE_PREFIX + target)}={short(value.get('choices'))} is not in "
            f"schema {doc.schema.version}; dropped",
            "choices_skipped",
        )
    elif target in doc.doc_stances:
        doc.problem(
            rid,
            f"a second document stance for {target!r} ({choice!r}); the first ({doc.doc_stances[target]!r}) is kept",
            "duplicate_results",
        )
    else:
        doc.doc_stances[target] = choice


def _join_choices(doc: _Doc) -> None:
    """Drop (with a problem) per-region choices whose region is not a kept claim."""
    for rid in list(doc.choices):
        fields = doc.choices[rid]
        if CLAIM_TAG in doc.spans.get(rid, {}) or not fields:
            continue
        if rid in doc.skipped:
            reason = "its region was skipped (see above)"
        elif rid in doc.spans:
            reason = "the region is not a claim"
        else:
            reason = "there is no such region"
        doc.problem(
            rid, f"claim {' and '.join(fields)} ({', '.join(fields.values())}) dropped: {reason}", "choices_skipped"
        )
        del doc.choices[rid]


def _claim_and_actor(first: dict[str, _Span], second: dict[str, _Span]) -> tuple[str, str] | None:
    """``(claim id, actor id)`` for a relation between two regions, whichever way it points."""
    if CLAIM_TAG in first and ACTOR_TAG in second:
        return first[CLAIM_TAG]["id"], second[ACTOR_TAG]["id"]
    if CLAIM_TAG in second and ACTOR_TAG in first:
        return second[CLAIM_TAG]["id"], first[ACTOR_TAG]["id"]
    return None


def _missing_end(rid: str | None, raw: object, doc: _Doc) -> str:
    """Why a relation endpoint has no region: not an id, a skipped region, or no such region."""
    if rid is None:
        return f"{short(raw)} is not a region id"
    return (
        f"region {_label(rid)} was skipped (see above)"
        if rid in doc.skipped
        else f"{_label(rid)} is not a region of this annotation"
    )


def _relation_ends(raw_from: object, raw_to: object, doc: _Doc) -> tuple[dict[str, _Span], dict[str, _Span]] | str:
    """The two regions a relation links, or why the first that is missing is."""
    ends = []
    for raw in (raw_from, raw_to):
        rid = _region_id(raw)
        end = doc.spans.get(rid) if rid is not None else None
        if end is None:
            return _missing_end(rid, raw, doc)
        ends.append(end)
    return ends[0], ends[1]


def _link_speakers(doc: _Doc) -> dict[str, str]:
    """Claim id -> speaker actor id, from the ``relation`` results."""
    speakers: dict[str, str] = {}
    speaker = doc.schema.speaker_relation
    for raw_from, raw_to, given in doc.relations:
        where = f"{_label(raw_from)}->{_label(raw_to)}"
        ends = _relation_ends(raw_from, raw_to, doc)
        if isinstance(ends, str):
            doc.problem(where, f"relation endpoint is missing: {ends}; relation dropped", "relations_skipped")
            continue
        labels = given or [speaker]
        pair = _claim_and_actor(*ends)
        if labels != [speaker] or pair is None:
            doc.problem(
                where,
                f"relation {short(labels)} must link a {doc.schema.claim_label} and an actor; dropped",
                "relations_skipped",
            )
        elif pair[0] in speakers:
            first = speakers[pair[0]]
            doc.problem(
                pair[0],
                "a second speaker relation to the same actor; one is kept"
                if first == pair[1]
                else f"claim has more than one speaker; the first ({_label(first)}) is kept, {_label(pair[1])} dropped",
                "duplicate_results",
            )
        else:
            speakers[pair[0]] = pair[1]
    return speakers


def _assemble(doc: _Doc, speakers: dict[str, str], complete: bool) -> tuple[list[Actor], list[Claim]]:
    """Actors and claims in text order. With ``complete`` (a Label Studio annotation), a claim
    missing a field is a problem; it is kept with the field null either way."""
    actors: list[Actor] = []
    claims: list[Claim] = []
    order = sorted(doc.spans.items(), key=lambda kv: (min(s["start"] for s in kv[1].values()), kv[0]))
    for rid, tags in order:
        if len(tags) == 2:
            doc.problem(
                rid,
                f"region has labels from two groups, {ACTOR_TAG} {tags[ACTOR_TAG]['label']} and "
                f"{CLAIM_TAG} {tags[CLAIM_TAG]['label']}; kept as both an actor and a claim",
                "regions_two_labels",
            )
        if ACTOR_TAG in tags:
            actors.append(tags[ACTOR_TAG].copy())
        if CLAIM_TAG in tags:
            claims.append(_claim(tags[CLAIM_TAG], doc, speakers.get(rid), complete))
    return actors, claims


def _claim(span: _Span, doc: _Doc, speaker: str | None, complete: bool) -> Claim:
    """A claim from its span, choices and speaker; with ``complete`` a missing field is a problem."""
    fields = doc.choices.get(span["id"], {})
    claim: Claim = {
        "id": span["id"],
        "start": span["start"],
        "end": span["end"],
        "text": span["text"],
        "speaker": speaker,
        "target": fields.get("target"),
        "stance": fields.get("stance"),
    }
    given = {"speaker": speaker, "target": claim["target"], "stance": claim["stance"]}
    missing = [key for key, value in given.items() if value is None]
    if complete and missing:
        what = ", ".join("no speaker relation" if k == "speaker" else f"no {k}" for k in missing)
        doc.problem(span["id"], f"claim has {what}; kept with {', '.join(missing)} null", "claims_incomplete")
    return claim


def _check_doc_stances(doc: _Doc) -> None:
    """Every document target should be answered in a Label Studio annotation."""
    unanswered = [t for t in doc.schema.targets if t not in doc.doc_stances]
    if unanswered:
        doc.problem(
            None,
            f"document stance unanswered for {', '.join(map(repr, unanswered))} (left out of evaluation; "
            f"agreement counts it as {doc.schema.no_stance!r})",
        )
        doc.out.count("doc_stances_unanswered", len(unanswered))


def _add_provenance(
    record: GoldRecord, task: Mapping[str, object], annotation: Mapping[str, object], doc: _Doc
) -> None:
    """Task, annotation and annotator ids as int64 (what the dataset stores); others become null
    (a problem). Also whether the annotation is flagged ground truth."""
    raw = {
        "task_id": task.get("id"),
        "annotation_id": annotation.get("id"),
        "annotator": annotation.get("completed_by"),
    }
    values = {key: _int64(value) for key, value in raw.items()}
    for key, value in raw.items():
        if value is not None and values[key] is None:
            doc.problem(None, f"{key} {short(value)} is not a 64-bit integer; stored as null", "values_truncated")
    record["task_id"] = values["task_id"]
    record["annotation_id"] = values["annotation_id"]
    record["annotator"] = values["annotator"]
    record["ground_truth"] = annotation.get("ground_truth") is True


def parse_annotation(
    task: Mapping[str, object],
    annotation: Mapping[str, object],
    schema: Schema,
    source: str,
    out: Imported,
    *,
    complete: bool = True,
    show_annotation: bool = False,
) -> GoldRecord | None:
    """Turn one annotation of one task into a record; append problems to ``out``.

    Steps: see the module docstring. ``complete`` is for Label Studio annotations: claims must
    have every field and every target a document stance, and the record gets its provenance
    (task, annotation and annotator ids, ground truth). ``show_annotation`` names the
    annotation in problems (several per task are read).
    """
    doc = _Doc(source, task.get("id"), annotation.get("id") if show_annotation else None, "", schema, out)
    opened = _open_task(task, annotation, doc)
    if opened is None:
        return None
    doc_id, results = opened
    for item in results:
        _classify(item, doc)
    _join_choices(doc)
    actors, claims = _assemble(doc, _link_speakers(doc), complete)
    record: GoldRecord = {
        "doc_id": doc_id,
        "text": doc.text,
        "actors": actors,
        "claims": claims,
        "doc_stances": doc.doc_stances,
    }
    if complete:
        _check_doc_stances(doc)
        _add_provenance(record, task, annotation, doc)
    return record
