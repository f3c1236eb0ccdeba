"""Label Studio native JSON export <-> toolkit records, with validation.

Reading: each completed annotation becomes a :class:`~toolkit.records.Record`. Label
Studio stores a span as a ``labels`` result, the per-region claim target and stance as
``choices`` results that share the span's ``id``, the speaker link as a ``relation``
result (``from_id``/``to_id``), and the document stance per target as ``choices``
results without offsets. Nothing in an export is trusted: every field is type-checked, and
every problem becomes a :class:`Problem` naming file, task and region and saying what was
kept and what was dropped. Bad regions are skipped and counted, never dropped silently.

What is kept when an annotation is odd:

- a region's ``value.text`` may differ from the text at its offsets only by whitespace (Label
  Studio collapses runs of it) and by Label Studio writing a line break as ``\\n`` (backslash
  and n); otherwise the region is skipped;
- a region labelled from both label groups (an actor type and ``CLAIM`` on one region id, as
  Label Studio makes when a label is clicked while a region is selected) is a problem naming
  both labels, and is kept as both an actor and a claim over the same text;
- a second result for the same region and field (span, claim target, claim stance, document
  stance) is a problem; the first is kept;
- a claim without target, stance or speaker is a problem and is kept with that field null;
- a document-stance target left unanswered is a problem (evaluation leaves it out;
  agreement counts it as the no-stance label);
- drafts (``drafts``) are not imported and cancelled (skipped) annotations are left out;
  both are counted.

Writing (:func:`record_to_results`) is the inverse, used to push gold passes and
extractor predictions into Label Studio.
"""

from __future__ import annotations

import json
import operator
from dataclasses import dataclass, field
from pathlib import Path

try:  # a fast JSON parser; every value it gives is checked to be what ``json`` gives (see _loads)
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; json alone gives the same results
    orjson = None

from .errors import GoldError
from .files import shown
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
_INT64 = 2**63
_FIELD = {CLAIM_TARGET_TAG: "target", CLAIM_STANCE_TAG: "stance"}


def short(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters and printable (for messages)."""
    text = shown(repr(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def valid_string(value: object) -> bool:
    """A ``str`` that can be written as UTF-8 (no lone surrogates)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_int(value: object) -> bool:
    """An ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an export, located by file, task (or line) and region."""

    source: str
    task_id: object
    region_id: object
    message: str
    annotation_id: object = None

    def __str__(self) -> str:
        where = [shown(self.source) + ":"]
        if self.task_id is not None:
            where.append(f"task {_label(self.task_id)}")
        if self.annotation_id is not None:
            where.append(f"annotation {_label(self.annotation_id)}")
        if self.region_id is not None:
            where.append(f"region {_label(self.region_id)}")
        where[-1] += ":" if len(where) > 1 else ""
        return shown(" ".join(where) + " " + self.message)


def _label(value: object) -> str:
    """A task, annotation or region id for a message: short, printable."""
    return (
        shown(value)
        if isinstance(value, str) and len(value) <= 60
        else (str(value) if is_int(value) and abs(value) < 10**18 else short(value))
    )


@dataclass
class Imported:
    """The result of :func:`import_exports`: records plus everything that was skipped."""

    records: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


def _no_constant(name: str):
    """``parse_constant`` for :func:`json.loads`: NaN and infinities are not JSON."""
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text: str):
    """``json.loads`` that refuses NaN and infinities; every failure is a :class:`ValueError`
    (also too deep nesting and integers too long to read). Parsed with orjson when it gives the
    same value (see :func:`_loads`)."""
    return _loads(text, text)


_BIG = 2.0**63  # orjson reads an integer beyond 64 bits as a float at least this large


def _big_float(node: object) -> bool:
    """Does a parsed JSON value hold a float of magnitude at least 2**63? orjson gives one for an
    integer literal that does not fit 64 bits (``json`` gives the int), so such a value is
    parsed again with ``json``."""
    kind = type(node)
    if kind is dict:
        node = node.values()
    elif kind is not list:
        return kind is float and not -_BIG < node < _BIG
    for value in node:
        kind = type(value)
        if kind is str or kind is int:
            continue
        if kind is float:
            if not -_BIG < value < _BIG:
                return True
        elif (kind is dict or kind is list) and value and _big_float(value):
            return True
    return False


def _fast_loads(data: bytes | str | memoryview):
    """orjson's value of ``data``, or :data:`_SLOW` where it may differ from ``json``'s: orjson
    refuses what ``json`` accepts (lone surrogates, too deep nesting) or reads differently
    (integers beyond 64 bits), and every error message differs. Apart from those integers (found
    by :func:`_big_float`), a value orjson accepts is exactly the value ``json`` gives."""
    if orjson is None:
        return _SLOW
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _SLOW
    if type(data) is str and data.isascii() and data.encode("ascii").translate(_DIGITS).find(b"0" * 19) < 0:
        return value  # no integer of 19 digits (cheaper to find out than walking the value)
    return _SLOW if _big_float(value) else value


_SLOW = object()
_DIGITS = bytes(0x30 if 0x30 <= i <= 0x39 else 0x61 for i in range(256))  # digits to "0", the rest to "a"


def _loads(data: bytes | str, text: str | None = None):
    """The value of JSON ``data`` exactly as :func:`json.loads` gives it (NaN refused), read with
    orjson where that gives the same value; on any failure the ``json`` path runs, so errors and
    their messages are ``json``'s. Bytes are decoded as UTF-8 first (a :class:`UnicodeDecodeError`
    comes before any JSON error, as when decoding then parsing)."""
    value = _fast_loads(data)
    if value is not _SLOW:
        return value
    if text is None:
        text = data.decode("utf-8")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def load_export(path: str | Path) -> list[dict]:
    """Read a Label Studio native JSON export (a list of tasks); :class:`GoldError` if unreadable."""
    path = Path(path)
    try:
        data = _loads(path.read_bytes())
    except FileNotFoundError:
        raise GoldError(f"{shown(path)}: no such file") from None
    except OSError as exc:
        raise GoldError(f"{shown(path)}: cannot read it ({exc.strerror or exc.__class__.__name__})") from None
    except UnicodeDecodeError:
        raise GoldError(f"{shown(path)}: not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise GoldError(
            f"{shown(path)}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); truncated export?"
        ) from None
    except ValueError as exc:
        raise GoldError(f"{shown(path)}: not valid JSON ({exc})") from None
    if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
        raise GoldError(
            f"{shown(path)}: expected a JSON list of tasks (Label Studio's native JSON export, not JSON_MIN or CSV)"
        )
    return data


def _norm(text: str) -> str:
    """Runs of whitespace as one space, none at the ends."""
    return " ".join(text.split())


def _unescape(text: str) -> str:
    """Label Studio's backslash escapes of line breaks and tabs in ``value.text`` undone."""
    return text.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r")


def _same_text(region_text: object, expected: str) -> bool:
    """Does a region's ``value.text`` fit the text at its offsets? Runs of whitespace may differ
    (Label Studio may collapse them) and a line break may be written as backslash-n (Label
    Studio does so in ``value.text``); no text at all is accepted (the offsets decide)."""
    if region_text is None:
        return True
    if not isinstance(region_text, str):
        return False
    wanted = _norm(expected)
    return (
        _norm(region_text) in (wanted, _norm(expected.replace("\n", "\\n"))) or _norm(_unescape(region_text)) == wanted
    )


def _region_id(value: object) -> str | None:
    """A region id as a string (Label Studio's are strings; integers are accepted), or None."""
    if is_int(value):
        return str(value)
    return value if valid_string(value) and value else None


def _int64(value: object) -> int | None:
    """An integer id that fits the dataset's int64 columns, else None."""
    if isinstance(value, dict):  # some exports give completed_by as {"id": ..., "email": ...}
        value = value.get("id")
    return value if is_int(value) and -_INT64 <= value < _INT64 else None


@dataclass
class _Doc:
    """One annotation being read: where it is, its text, and what was found so far."""

    source: str
    task_id: object
    annotation_id: object
    text: str
    schema: Schema
    out: Imported
    spans: dict[str, dict[str, dict]] = field(default_factory=dict)  # region id -> tag -> span
    choices: dict[str, dict[str, str]] = field(default_factory=dict)  # region id -> "target"/"stance" -> value
    relations: list[tuple] = field(default_factory=list)  # (from_id, to_id, labels) as given
    doc_stances: dict[str, str] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)  # ids of regions whose span was skipped

    def problem(self, region: object, message: str, count: str | None = None) -> None:
        """Record a problem located in this annotation; ``count`` also counts it under that key."""
        self.out.problems.append(Problem(self.source, self.task_id, region, message, self.annotation_id))
        if count:
            self.out.count(count)


def _open_task(
    task: dict, annotation: dict, schema: Schema, source: str, out: Imported, show_annotation: bool
) -> tuple[_Doc, str, list] | None:
    """Check what an annotation needs (text, doc id, a result list): ``(doc, doc_id, results)``,
    or None after recording why the annotation is skipped."""
    task_id = task.get("id")
    doc = _Doc(source, task_id, annotation.get("id") if show_annotation else None, "", schema, out)
    data = task.get("data")
    text = data.get(TEXT_NAME) if isinstance(data, dict) else None
    doc_id = data.get("doc_id") if isinstance(data, dict) else None
    results = annotation.get("result")
    if not valid_string(text):
        doc.problem(None, f"data.{TEXT_NAME} is missing, not a string or not valid Unicode; annotation skipped")
    elif not (doc_id is None or is_int(doc_id) or (valid_string(doc_id) and doc_id)):
        doc.problem(None, f"data.doc_id {short(doc_id)} is not a string; annotation skipped")
    elif not isinstance(results, list | None):
        doc.problem(None, f"annotation result is {type(results).__name__}, not a list; annotation skipped")
    else:
        doc.text = text
        return doc, str(doc_id) if doc_id is not None else f"task-{_label(task_id)}", results or []
    return None


def _classify(item: object, doc: _Doc) -> None:
    """Sort one result item into spans, per-region choices, relations or document stances."""
    if not isinstance(item, dict):
        doc.problem(None, f"result {short(item)} is not an object; skipped", "results_skipped")
        return
    kind, name, raw_id = item.get("type"), item.get("from_name"), item.get("id")
    name = name if isinstance(name, str) else None
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
        doc.problem(raw_id, f"region id {short(raw_id)} is not a string; result skipped", "regions_skipped")
    elif kind == "labels" and name in (ACTOR_TAG, CLAIM_TAG):
        _read_span(name, value, rid, doc)
    elif kind == "choices" and name in _FIELD:
        _read_claim_choice(name, value, rid, doc)
    else:
        doc.problem(
            raw_id,
            f"unexpected result of type {short(kind)} from {short(item.get('from_name'))}; skipped",
            "results_skipped",
        )


def _one_choice(value: dict, key: str, allowed) -> str | None:
    """The single string in ``value[key]`` if it is one of ``allowed``."""
    chosen = value.get(key)
    ok = isinstance(chosen, list) and len(chosen) == 1 and isinstance(chosen[0], str) and chosen[0] in allowed
    return chosen[0] if ok else None


def _read_span(tag: str, value: dict, rid: str, doc: _Doc) -> None:
    """A ``labels`` result: check label, offsets and text; keep it as one half of region ``rid``."""
    schema, text = doc.schema, doc.text
    allowed = schema.actor_types if tag == ACTOR_TAG else [schema.claim_label]
    label = _one_choice(value, "labels", allowed)
    start, end = value.get("start"), value.get("end")
    if label is None:
        reason = f"label {short(value.get('labels'))} is not one {tag} label of schema {schema.version}"
    elif not (is_int(start) and is_int(end) and 0 <= start < end <= len(text)):
        reason = f"offsets [{short(start, 24)}, {short(end, 24)}) are outside the text (length {len(text)})"
    elif not _same_text(value.get("text"), text[start:end]):
        reason = f"region text {short(value.get('text'))} differs from text[{start}:{end}] = {short(text[start:end])}"
    else:
        reason = None
    _keep_span(doc, rid, tag, start, end, text, label, reason)


def _read_claim_choice(name: str, value: dict, rid: str, doc: _Doc) -> None:
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


def _read_doc_stance(target: str, value: dict, rid: object, doc: _Doc) -> None:
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


def _claim_and_actor(first: dict[str, dict], second: dict[str, dict]) -> tuple[str, str] | None:
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


def _link_speakers(doc: _Doc) -> dict[str, str]:
    """Claim id -> speaker actor id, from the ``relation`` results."""
    speakers: dict[str, str] = {}
    speaker = doc.schema.speaker_relation
    for raw_from, raw_to, given in doc.relations:
        raw = (raw_from, raw_to)
        ids = [_region_id(r) for r in raw]
        where = "->".join(_label(r) for r in raw)
        ends = [doc.spans.get(i) if i is not None else None for i in ids]
        if None in ends:
            missing = next(_missing_end(i, r, doc) for i, r, e in zip(ids, raw, ends, strict=True) if e is None)
            doc.problem(where, f"relation endpoint is missing: {missing}; relation dropped", "relations_skipped")
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


def _assemble(doc: _Doc, speakers: dict[str, str], complete: bool) -> tuple[list[dict], list[dict]]:
    """Actors and claims in text order. With ``complete`` (a Label Studio annotation), a claim
    missing a field is a problem; it is kept with the field null either way."""
    actors, claims = [], []
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
            actors.append(dict(tags[ACTOR_TAG]))
        if CLAIM_TAG in tags:
            claims.append(_claim(tags[CLAIM_TAG], doc, speakers.get(rid), complete))
    return actors, claims


def _claim(span: dict, doc: _Doc, speaker: str | None, complete: bool) -> dict:
    """A claim from its span, choices and speaker; with ``complete`` a missing field is a problem."""
    fields = doc.choices.get(span["id"], {})
    claim = {
        "id": span["id"],
        "start": span["start"],
        "end": span["end"],
        "text": span["text"],
        "speaker": speaker,
        "target": fields.get("target"),
        "stance": fields.get("stance"),
    }
    missing = [k for k in ("speaker", "target", "stance") if claim[k] is None]
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


def _provenance(task: dict, annotation: dict, doc: _Doc) -> dict:
    """Task, annotation and annotator ids as int64 (what the dataset stores); others become null."""
    raw = {
        "task_id": task.get("id"),
        "annotation_id": annotation.get("id"),
        "annotator": annotation.get("completed_by"),
    }
    values = {key: _int64(value) for key, value in raw.items()}
    for key, value in raw.items():
        if value is not None and values[key] is None:
            doc.problem(None, f"{key} {short(value)} is not a 64-bit integer; stored as null", "values_truncated")
    return {**values, "ground_truth": annotation.get("ground_truth") is True}


def parse_annotation(
    task: dict,
    annotation: dict,
    schema: Schema,
    source: str,
    out: Imported,
    complete: bool = True,
    show_annotation: bool = False,
) -> Record | None:
    """Turn one annotation of one task into a record; append problems to ``out``.

    Steps: check the task (:func:`_open_task`), classify the results (:func:`_classify`), join
    per-region choices to claims (:func:`_join_choices`), link speakers
    (:func:`_link_speakers`), assemble the record (:func:`_assemble`). ``complete`` is for Label
    Studio annotations: claims must have every field and every target a document stance.
    ``show_annotation`` names the annotation in problems (several per task are read).
    """
    opened = _open_task(task, annotation, schema, source, out, show_annotation)
    if opened is None:
        return None
    doc, doc_id, results = opened
    for item in results:
        _classify(item, doc)
    _join_choices(doc)
    actors, claims = _assemble(doc, _link_speakers(doc), complete)
    record = {"doc_id": doc_id, "text": doc.text, "actors": actors, "claims": claims, "doc_stances": doc.doc_stances}
    if complete:
        _check_doc_stances(doc)
        record.update(_provenance(task, annotation, doc))
    return record


def _pick(annotations: list[dict]) -> list[dict]:
    """The ``ground_truth`` policy: a ground-truth annotation first, else the earliest one."""

    def key(item):
        index, a = item
        return (a.get("ground_truth") is not True, a["id"] if is_int(a.get("id")) else float("inf"), index)

    return [a for _, a in sorted(enumerate(annotations), key=key)][:1]


def _annotations(task: dict, source: str, out: Imported) -> list[dict]:
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
    kept = [a for a in annotations if isinstance(a, dict)]
    if len(kept) < len(annotations):
        out.problems.append(
            Problem(
                source, task.get("id"), None, f"{len(annotations) - len(kept)} annotation(s) are not objects; skipped"
            )
        )
        out.count("annotations_skipped", len(annotations) - len(kept))
    return kept


def _import_task(task: dict, source: str, schema: Schema, policy: str, out: Imported) -> None:
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


def import_tasks(tasks: list[dict], source: str, schema: Schema, policy: str = "ground_truth") -> Imported:
    """Records of the tasks of one export (``source`` names it in problems); see :func:`import_exports`."""
    if policy not in POLICIES:
        raise GoldError(f"unknown annotation policy '{policy}'; choose one of {', '.join(POLICIES)}")
    out = Imported()
    for task in tasks:
        _import_task(task, source, schema, policy, out)
    return out


# --- The fast path for large exports --------------------------------------------------------
#
# Most annotations of a real export have no problem at all. :func:`_fast_task` reads such a task
# in one pass with plain type checks, building each record directly; at the first thing that
# would be a problem, skipped or counted (anything :func:`parse_annotation` would say), it gives
# up without having changed anything, and the task is read again by :func:`_import_task`, which
# says what is wrong. The records, counts and problems are the same either way (tests compare
# the two on mutated exports).


class _FastSchema:
    """The schema's label sets as lookups, for :func:`_fast_task` (each maps a label to itself,
    so records hold the schema's own strings)."""

    def __init__(self, schema: Schema):
        self.actor = {label: label for label in schema.actor_types}
        self.claim = {schema.claim_label: schema.claim_label}
        self.claim_target = {t: t for t in schema.claim_targets}
        self.stance = {s: s for s in schema.stance_labels}
        self.doc_stance = {DOC_STANCE_PREFIX + t: t for t in schema.targets}
        self.doc_target = {t: t for t in schema.targets}
        self.n_targets = len(schema.targets)
        self.speaker = [schema.speaker_relation]


def _fast_id(raw: object) -> str | None:
    """:func:`_region_id` for values orjson read (its strings are always valid Unicode)."""
    kind = type(raw)
    if kind is str:
        return raw or None
    return str(raw) if kind is int else None


def _fast_annotation(text: str, results: list, fast: _FastSchema) -> tuple[list, list, dict, int] | None:
    """``(actors, claims, doc_stances, labelled results)`` of a complete annotation without any
    problem, or None. The last is how many results the schema-fit check counts (all fit).

    A missing key or a value of the wrong type ends it (``KeyError``, ``TypeError``, ...) as
    surely as an explicit check, so only what Python would accept silently is checked."""
    try:
        return _fast_results(text, results, fast)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None


_BY_POSITION = operator.itemgetter("start", "id")


def _fast_results(text: str, results: list, fast: _FastSchema) -> tuple[list, list, dict, int] | None:
    n = len(text)
    actor_labels, claim_label, stance, claim_target, doc_stance = (
        fast.actor,
        fast.claim,
        fast.stance,
        fast.claim_target,
        fast.doc_stance,
    )
    actors: dict[str, dict] = {}  # region id -> actor
    claims: dict[str, dict] = {}  # region id -> claim
    choices: dict[str, list] = {}  # region id -> [target, stance]
    relations = []
    stances: dict[str, str] = {}
    for item in results:
        kind = item["type"]
        if kind == "relation":
            relations.append(item)
            continue
        value, name = item["value"], item["from_name"]
        if type(value) is not dict:
            return None
        rid = item["id"] if kind == "labels" or name in _FIELD else None
        if rid is not None and (type(rid) is not str or not rid):
            rid = _fast_id(rid)
        if kind == "labels":
            labels, start, end = value["labels"], value["start"], value["end"]
            if (
                type(labels) is not list
                or len(labels) != 1
                or type(start) is not int
                or type(end) is not int
                or not 0 <= start < end <= n
                or rid is None
                or rid in actors
                or rid in claims
            ):
                return None
            part, given = text[start:end], value.get("text")
            if given is not None and given != part and not _same_text(given, part):
                return None
            if name == ACTOR_TAG:
                actors[rid] = {"id": rid, "start": start, "end": end, "text": part, "label": actor_labels[labels[0]]}
            elif name == CLAIM_TAG:
                claim_label[labels[0]]
                claims[rid] = {
                    "id": rid,
                    "start": start,
                    "end": end,
                    "text": part,
                    "speaker": None,
                    "target": None,
                    "stance": None,
                }
            else:
                return None
        elif kind == "choices":
            chosen = value["choices"]
            if type(chosen) is not list or len(chosen) != 1 or value.get("labels"):  # the fit check would read labels
                return None
            if rid is None:
                target = doc_stance[name]
                if target in stances:
                    return None
                stances[target] = stance[chosen[0]]
                continue
            fields = choices.get(rid)
            if fields is None:
                fields = choices[rid] = [None, None]
            slot = 0 if name == CLAIM_TARGET_TAG else 1
            if fields[slot] is not None:
                return None
            fields[slot] = claim_target[chosen[0]] if slot == 0 else stance[chosen[0]]
        else:
            return None
    if len(stances) != fast.n_targets or len(choices) != len(claims):  # (each claim needs its choices, below)
        return None
    for rid, (target, stance_) in choices.items():
        claim = claims[rid]
        if target is None or stance_ is None:
            return None
        claim["target"], claim["stance"] = target, stance_
    for rel in relations:
        one, two = rel.get("from_id"), rel.get("to_id")
        if type(one) is not str or not one:
            one = _fast_id(one)
        if type(two) is not str or not two:
            two = _fast_id(two)
        if (rel.get("labels") or fast.speaker) != fast.speaker:
            return None
        if one in claims and two in actors:
            claim = claims[one]
        elif two in claims and one in actors:
            claim, two = claims[two], one
        else:
            return None
        if claim["speaker"] is not None:
            return None
        claim["speaker"] = two
    claimed = list(claims.values())
    for claim in claimed:
        if claim["speaker"] is None:
            return None
    claimed.sort(key=_BY_POSITION)
    return sorted(actors.values(), key=_BY_POSITION), claimed, stances, len(results) - len(relations)


def _fast_provenance(value: object) -> tuple[bool, int | None]:
    """``(fits, value)``: an id as the dataset stores it (see :func:`_int64`), and whether that
    loses nothing."""
    if type(value) is int and -_INT64 <= value < _INT64:
        return True, value
    kept = _int64(value)
    return kept is not None or value is None, kept


def _fast_task(task: dict, fast: _FastSchema, policy: str) -> tuple | None:
    """``(annotations, completed, chosen, records, labelled results)`` of a task parsed orjson
    read, if nothing in it would be a problem (see the section comment); else None."""
    annotations = task.get("annotations")
    if annotations is None:
        annotations = []
    elif type(annotations) is not list:
        return None
    for annotation in annotations:
        if type(annotation) is not dict:
            return None
    completed = [a for a in annotations if a.get("was_cancelled") is not True]
    if not completed:
        return annotations, completed, [], [], 0
    if policy == "all" or len(completed) == 1:
        chosen = completed
    elif any(type(a.get("id")) is float for a in completed):  # an id orjson read as a float sorts otherwise
        return None
    else:
        chosen = _pick(completed)
    data = task.get("data")
    if type(data) is not dict:
        return None
    text, doc_id = data.get(TEXT_NAME), data.get("doc_id")
    if type(text) is not str:
        return None
    if doc_id is None:
        doc_id = f"task-{_label(task.get('id'))}"
    elif type(doc_id) is int:
        doc_id = str(doc_id)
    elif type(doc_id) is not str or not doc_id:
        return None
    fits, task_id = _fast_provenance(task.get("id"))
    if not fits:
        return None
    records, labelled = [], 0
    for annotation in chosen:
        results = annotation.get("result")
        parsed = _fast_annotation(text, results, fast) if type(results) is list else None
        if parsed is None:
            return None
        fits, annotation_id = _fast_provenance(annotation.get("id"))
        fits_too, annotator = _fast_provenance(annotation.get("completed_by"))
        if not (fits and fits_too):
            return None
        actors, claims, stances, n = parsed
        labelled += n
        records.append(
            {
                "doc_id": doc_id,
                "text": text,
                "actors": actors,
                "claims": claims,
                "doc_stances": stances,
                "task_id": task_id,
                "annotation_id": annotation_id,
                "annotator": annotator,
                "ground_truth": annotation.get("ground_truth") is True,
            }
        )
    return annotations, completed, chosen, records, labelled


class _Reparse(Exception):
    """orjson may have read an integer beyond 64 bits as a float: read the file with ``json``."""


def import_task_chunks(chunks, source: str, schema: Schema, policy: str, fit) -> Imported:
    """:func:`import_tasks` for an export orjson read, in chunks of tasks (an iterable of lists).

    ``fit`` counts labelled results for the schema-fit check: ``fit.labelled(n)`` adds ``n``
    results that fit, ``fit.annotation(a)`` counts one annotation's results; it sees every
    annotation of every task in file order. A task with anything odd goes through
    :func:`_import_task`; if it may hold an integer orjson read differently from ``json``,
    :class:`_Reparse` is raised (read the file again with :func:`load_export`).
    """
    if policy not in POLICIES:
        raise GoldError(f"unknown annotation policy '{policy}'; choose one of {', '.join(POLICIES)}")
    fast = _FastSchema(schema)
    out = Imported()
    count = out.counts
    for tasks in chunks:
        for task in tasks:
            done = _fast_task(task, fast, policy)
            if done is None:
                if _big_float(task):
                    raise _Reparse
                annotations = task.get("annotations")
                for annotation in annotations if isinstance(annotations, list) else []:
                    fit.annotation(annotation)
                _import_task(task, source, schema, policy, out)
                continue
            annotations, completed, chosen, records, labelled = done
            fit.labelled(labelled)
            if len(chosen) < len(annotations):
                for annotation in annotations:
                    if not any(annotation is c for c in chosen):
                        if _big_float(annotation):
                            raise _Reparse
                        fit.annotation(annotation)
            count["tasks"] = count.get("tasks", 0) + 1  # the counts of _import_task, in its order
            drafts = task.get("drafts")
            if isinstance(drafts, list) and drafts:
                out.count("drafts_not_imported", len(drafts))
            out.count("annotations_cancelled", len(annotations) - len(completed))
            if not completed:
                out.count("tasks_without_annotation")
                continue
            out.count("annotations_not_chosen", len(completed) - len(chosen))
            out.records += records
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
            key = (record["doc_id"], record["annotation_id"]) if policy == "all" else record["doc_id"]
            if key in seen_docs:
                out.problems.append(
                    Problem(
                        source,
                        record["task_id"],
                        None,
                        f"doc_id '{shown(record['doc_id'])}' also in {shown(seen_docs[key])}; this copy is skipped",
                    )
                )
                out.count("annotations_skipped")
                continue
            seen_docs[key] = source
            out.records.append(record)
    out.count("problems", len(out.problems))
    if strict and out.problems:
        raise GoldError(f"{out.problems[0]} ({len(out.problems)} problem(s) in all; --strict)")
    out.records.sort(key=lambda r: (r["doc_id"], r["annotation_id"] or 0))
    return out


def _span_value(span: dict, text: object, given_text: bool, **extra) -> dict:
    """A span's ``value``: offsets and text (the span's own ``text`` if ``given_text`` and it has one,
    else the slice of ``text`` at its offsets), plus ``extra``."""
    start, end = span.get("start"), span.get("end")
    sliced = text[start:end] if isinstance(text, str) and is_int(start) and is_int(end) else None
    own = span.get("text")
    return {
        "start": start,
        "end": end,
        "text": own if (given_text and own is not None) or sliced is None else sliced,
        **extra,
    }


def _list(value: object) -> list:
    """``value`` if it is a list, else an empty one (the parser reports what it was)."""
    return value if isinstance(value, list) else []


def record_to_results(record: Record, schema: Schema, given_text: bool = False) -> list[dict]:
    """Label Studio result items for a record (spans, per-region choices, relations, doc stances).

    Untyped fields are passed on as they are, for the parser to report. ``given_text`` keeps
    each span's own ``text`` (to check it against the document) instead of the slice.
    """
    text = record.get("text")
    results: list[dict] = []

    def item(rid, name, kind, value):
        return {"id": rid, "from_name": name, "to_name": TEXT_NAME, "type": kind, "value": value}

    for actor in _list(record.get("actors")):
        if isinstance(actor, dict):
            results.append(  # noqa: PERF401 - one loop per kind, in the order Label Studio writes them
                item(
                    actor.get("id"),
                    ACTOR_TAG,
                    "labels",
                    _span_value(actor, text, given_text, labels=[actor.get("label")]),
                )
            )
    for claim in _list(record.get("claims")):
        if not isinstance(claim, dict):
            continue
        results.append(
            item(
                claim.get("id"), CLAIM_TAG, "labels", _span_value(claim, text, given_text, labels=[schema.claim_label])
            )
        )
        for key, name in (("target", CLAIM_TARGET_TAG), ("stance", CLAIM_STANCE_TAG)):
            if claim.get(key) is not None:
                results.append(
                    item(claim.get("id"), name, "choices", _span_value(claim, text, given_text, choices=[claim[key]]))
                )
        if claim.get("speaker") is not None:
            results.append(
                {
                    "type": "relation",
                    "from_id": claim.get("id"),
                    "to_id": claim["speaker"],
                    "direction": "right",
                    "labels": [schema.speaker_relation],
                }
            )
    stances = record.get("doc_stances")
    for target, stance in sorted(stances.items() if isinstance(stances, dict) else [], key=lambda kv: str(kv[0])):
        results.append(item(f"doc-{target}", f"{DOC_STANCE_PREFIX}{target}", "choices", {"choices": [stance]}))
    return results


def _shape_problems(record: dict, source: str, task_id: object) -> list[Problem]:
    """Problems with a record's containers: lists of objects and a mapping of stances."""
    problems = []
    for key in ("actors", "claims"):
        spans = record.get(key)
        if spans is not None and not isinstance(spans, list):
            problems.append(Problem(source, task_id, None, f"'{key}' is {type(spans).__name__}, not a list; dropped"))
        for i, span in enumerate(spans if isinstance(spans, list) else []):
            if not isinstance(span, dict):
                problems.append(
                    Problem(source, task_id, None, f"{key} #{i + 1} {short(span)} is not an object; skipped")
                )
    stances = record.get("doc_stances")
    if stances is not None and not isinstance(stances, dict):
        problems.append(
            Problem(source, task_id, None, f"'doc_stances' is {type(stances).__name__}, not a mapping; dropped")
        )
    return problems


def check_record(record: dict, schema: Schema, source: str, out: Imported) -> Record | None:
    """A record (a prediction, a reading pass) checked as if Label Studio had exported it: the
    record with bad regions left out, problems appended to ``out``. Null speaker, target and
    stance are allowed, and so are unanswered document stances; a span's own ``text``, when
    given, must fit the document at its offsets.

    The problems, their order and counts are those of :func:`parse_annotation` reading
    :func:`record_to_results` of the record (with ``given_text``), without building the Label
    Studio results (the tests compare the two).
    """
    task_id = record.get("doc_id")
    shape = _shape_problems(record, source, task_id)
    out.problems += shape
    out.count("regions_skipped", sum("#" in p.message for p in shape))
    parsed = _fast_check(record, _fast_schema(schema))
    if parsed is None:
        parsed = _check_spans(record, schema, source, out, task_id if valid_string(task_id) else short(task_id))
    if parsed is None:
        return None
    kept = {k: v for k, v in record.items() if k not in ("actors", "claims", "doc_stances", "text")}
    return {**kept, **parsed}


_FAST_SCHEMAS: dict[int, tuple[Schema, _FastSchema]] = {}


def _fast_schema(schema: Schema) -> _FastSchema:
    """The lookups of ``schema`` for the fast paths, made once per schema object."""
    known = _FAST_SCHEMAS.get(id(schema))
    if known is None or known[0] is not schema:
        known = _FAST_SCHEMAS[id(schema)] = (schema, _FastSchema(schema))
    return known[1]


def _ok_id(raw: object) -> str | None:
    """:func:`_region_id` (a string that is valid Unicode, or an int as one), or None."""
    if type(raw) is str:
        return raw if raw and (raw.isascii() or valid_string(raw)) else None
    return str(raw) if type(raw) is int else None


def _fast_check(record: dict, fast: _FastSchema) -> dict | None:
    """What :func:`_check_spans` gives for a record in which it would find no problem, built
    directly; None at the first thing it would report (it then runs and says what)."""
    text, doc_id = record.get("text"), record.get("doc_id")
    if type(text) is not str or not valid_string(text):
        return None
    if type(doc_id) is str:
        if not doc_id or not (doc_id.isascii() or valid_string(doc_id)):
            return None
    elif type(doc_id) is int:
        doc_id = str(doc_id)
    else:
        return None
    n = len(text)
    actors_in, claims_in, stances_in = record.get("actors"), record.get("claims"), record.get("doc_stances")
    actors: dict[str, dict] = {}
    claims: dict[str, dict] = {}
    speakers = []
    actor_labels = fast.actor
    for actor in actors_in if isinstance(actors_in, list) else ():
        if not isinstance(actor, dict):
            continue
        rid, start, end, label = actor.get("id"), actor.get("start"), actor.get("end"), actor.get("label")
        if type(rid) is not str or not rid or not rid.isascii():
            rid = _ok_id(rid)
        if (
            rid is None
            or rid in actors
            or type(label) is not str
            or label not in actor_labels
            or type(start) is not int
            or type(end) is not int
            or not 0 <= start < end <= n
        ):
            return None
        part, own = text[start:end], actor.get("text")
        if own is not None and own != part and not _same_text(own, part):
            return None
        actors[rid] = {"id": rid, "start": start, "end": end, "text": part, "label": label}
    for claim in claims_in if isinstance(claims_in, list) else ():
        if not isinstance(claim, dict):
            continue
        rid, start, end = claim.get("id"), claim.get("start"), claim.get("end")
        if type(rid) is not str or not rid or not rid.isascii():
            rid = _ok_id(rid)
        target, stance, speaker = claim.get("target"), claim.get("stance"), claim.get("speaker")
        if (
            rid is None
            or rid in claims
            or rid in actors
            or type(start) is not int
            or type(end) is not int
            or not 0 <= start < end <= n
        ):
            return None
        if (target is not None and (type(target) is not str or target not in fast.claim_target)) or (
            stance is not None and (type(stance) is not str or stance not in fast.stance)
        ):
            return None
        part, own = text[start:end], claim.get("text")
        if own is not None and own != part and not _same_text(own, part):
            return None
        if speaker is not None:
            speaker = _ok_id(speaker)
            if speaker is None:
                return None
            speakers.append(speaker)
        claims[rid] = {
            "id": rid,
            "start": start,
            "end": end,
            "text": part,
            "speaker": speaker,
            "target": target,
            "stance": stance,
        }
    for speaker in speakers:  # every speaker is an actor, and no actor is also a claim
        if speaker not in actors:
            return None
    stances: dict[str, str] = {}
    if isinstance(stances_in, dict):
        for target, stance in stances_in.items():
            if (
                type(target) is not str
                or target not in fast.doc_target
                or type(stance) is not str
                or stance not in fast.stance
            ):
                return None
        stances = dict(sorted(stances_in.items()))
    return {
        "doc_id": doc_id,
        "text": text,
        "actors": sorted(actors.values(), key=_BY_POSITION),
        "claims": sorted(claims.values(), key=_BY_POSITION),
        "doc_stances": stances,
    }


def _check_span(tag: str, span: dict, label: object, rid: str, doc: _Doc) -> None:
    """:func:`_read_span` of the ``labels`` result :func:`record_to_results` makes for ``span``."""
    schema, text = doc.schema, doc.text
    start, end = span.get("start"), span.get("end")
    own = span.get("text")
    if not (
        isinstance(label, str) and (label in schema.actor_types if tag == ACTOR_TAG else label == schema.claim_label)
    ):
        reason = f"label {short([label])} is not one {tag} label of schema {schema.version}"
    elif not (is_int(start) and is_int(end) and 0 <= start < end <= len(text)):
        reason = f"offsets [{short(start, 24)}, {short(end, 24)}) are outside the text (length {len(text)})"
    elif own is not None and own != text[start:end] and not _same_text(own, text[start:end]):
        reason = f"region text {short(own)} differs from text[{start}:{end}] = {short(text[start:end])}"
    else:
        reason = None
    _keep_span(doc, rid, tag, start, end, text, label, reason)


def _check_spans(record: dict, schema: Schema, source: str, out: Imported, task_id: object) -> dict | None:
    """The regions, claims and document stances of ``record`` checked in the order
    :func:`record_to_results` lists them and :func:`parse_annotation` reads them (``complete``
    off): actors, then each claim (span, target, stance), the speaker relations after all
    results, then the document stances sorted by target."""
    doc_id, text = record.get("doc_id"), record.get("text")
    doc = _Doc(source, task_id, None, "", schema, out)
    if not valid_string(text):
        doc.problem(None, f"data.{TEXT_NAME} is missing, not a string or not valid Unicode; annotation skipped")
        return None
    if not (doc_id is None or is_int(doc_id) or (valid_string(doc_id) and doc_id)):
        doc.problem(None, f"data.doc_id {short(doc_id)} is not a string; annotation skipped")
        return None
    doc.text = text
    actors, claims, stances = record.get("actors"), record.get("claims"), record.get("doc_stances")
    for actor in actors if isinstance(actors, list) else []:
        if isinstance(actor, dict):
            raw_id = actor.get("id")
            rid = _region_id(raw_id)
            if rid is None:
                doc.problem(raw_id, f"region id {short(raw_id)} is not a string; result skipped", "regions_skipped")
            else:
                _check_span(ACTOR_TAG, actor, actor.get("label"), rid, doc)
    for claim in claims if isinstance(claims, list) else []:
        if not isinstance(claim, dict):
            continue
        raw_id = claim.get("id")
        rid = _region_id(raw_id)
        if rid is None:
            doc.problem(raw_id, f"region id {short(raw_id)} is not a string; result skipped", "regions_skipped")
        else:
            _check_span(CLAIM_TAG, claim, schema.claim_label, rid, doc)
        for key, name in (("target", CLAIM_TARGET_TAG), ("stance", CLAIM_STANCE_TAG)):
            value = claim.get(key)
            if value is None:
                continue
            if rid is None:
                doc.problem(raw_id, f"region id {short(raw_id)} is not a string; result skipped", "regions_skipped")
                continue
            allowed = schema.claim_targets if key == "target" else schema.stance_labels
            fields = doc.choices.setdefault(rid, {})
            if not (isinstance(value, str) and value in allowed):
                doc.problem(rid, f"{name} {short(value)} is not in schema {schema.version}; dropped", "choices_skipped")
            elif key in fields:
                doc.problem(
                    rid,
                    f"a second {name} result for this region ({value!r}); the first ({fields[key]!r}) is kept",
                    "duplicate_results",
                )
            else:
                fields[key] = value
        if claim.get("speaker") is not None:
            doc.relations.append((raw_id, claim["speaker"], None))
    for target, stance in sorted(stances.items() if isinstance(stances, dict) else [], key=lambda kv: str(kv[0])):
        name = f"{target}"
        if name not in schema.targets or not (isinstance(stance, str) and stance in schema.stance_labels):
            doc.problem(
                f"doc-{target}",
                f"document stance {short(DOC_STANCE_PREFIX + name)}={short([stance])} is not in "
                f"schema {schema.version}; dropped",
                "choices_skipped",
            )
        elif name in doc.doc_stances:
            doc.problem(
                f"doc-{target}",
                f"a second document stance for {name!r} ({stance!r}); the first ({doc.doc_stances[name]!r}) is kept",
                "duplicate_results",
            )
        else:
            doc.doc_stances[name] = stance
    _join_choices(doc)
    actors_out, claims_out = _assemble(doc, _link_speakers(doc), complete=False)
    return {
        "doc_id": str(doc_id) if doc_id is not None else f"task-{_label(task_id)}",
        "text": text,
        "actors": actors_out,
        "claims": claims_out,
        "doc_stances": doc.doc_stances,
    }


def validate_record(record: Record, schema: Schema, source: str = "record") -> None:
    """Check a record (e.g. a reading pass or an extractor's output) as if Label Studio had
    exported it (see :func:`check_record`). Raises :class:`GoldError` naming the first problem."""
    if not isinstance(record, dict):
        raise GoldError(f"{shown(source)}: a record must be a JSON object")
    out = Imported()
    check_record(record, schema, source, out)
    if out.problems:
        raise GoldError(str(out.problems[0]))


def _keep_span(doc, rid, tag, start, end, text, label, reason) -> None:
    """Store a checked span region, or report it: skipped for ``reason``, or a second result of
    the same tag on one region (the first is kept). Shared by the full and the fast reader."""
    if reason is not None:
        doc.problem(rid, f"{reason}; {tag} region skipped", "regions_skipped")
        doc.skipped.add(rid)
    elif tag in doc.spans.get(rid, {}):
        first = doc.spans[rid][tag]["label"]
        doc.problem(
            rid, f"a second {tag} result for this region ({label}); the first ({first}) is kept", "duplicate_results"
        )
    else:
        doc.spans.setdefault(rid, {})[tag] = {
            "id": rid,
            "start": start,
            "end": end,
            "text": text[start:end],
            "label": label,
        }
