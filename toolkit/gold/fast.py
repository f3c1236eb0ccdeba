"""The one-pass import of large Label Studio exports, for tasks in which nothing is wrong.

Most annotations of a real export have no problem at all. :func:`_fast_task` reads such a task
with plain type checks, building each record directly; at the first thing that would be a
problem, skipped or counted (anything :func:`~toolkit.gold.parse.parse_annotation` would say),
it gives up (:class:`_NotFast`) without having changed anything, and the task is read again by
:func:`~toolkit.gold.convert._import_task`, which says what is wrong. The records, counts and
problems are the same either way (tests compare the two on mutated exports).

An annotation is read in the steps of the full reader (:func:`_fast_annotation`):
:func:`_fast_spans` reads the spans and hands on the other results, :func:`_fast_choices`
reads the claim choices and document stances, :func:`_fast_join` gives the claims their
choices and :func:`_fast_link` their speakers. A missing key or a value of the wrong type ends it (``KeyError``,
``TypeError``, ...) as surely as an explicit check, so only what Python would accept silently
is checked.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Protocol, TypeAlias, cast

from ..records import JSON, Actor, Claim, GoldRecord
from ..schema import ACTOR_TAG, CLAIM_TAG, CLAIM_TARGET_TAG, DOC_STANCE_PREFIX, TEXT_NAME, Schema
from .convert import _import_task, _pick
from .parse import _FIELD
from .read import _big_float
from .values import _INT64, Imported, _int64, _label, _same_text, check_policy

_BY_POSITION = operator.itemgetter("start", "id")

_Object: TypeAlias = dict[str, JSON]
#: ``(annotations, completed, chosen, records, labelled results)`` of a task read in one pass.
_FastTask: TypeAlias = tuple[list[_Object], list[_Object], list[_Object], list[GoldRecord], int]


class _NotFast(Exception):
    """Something in the task would be a problem, skipped or counted: the full reader reads it."""


class _Reparse(Exception):
    """orjson may have read an integer beyond 64 bits as a float: read the file with ``json``."""


class FitCounter(Protocol):
    """What :func:`import_task_chunks` tells the schema-fit check (:class:`toolkit.gold_sources.SchemaFit`)."""

    def labelled(self, n: int) -> None:
        """``n`` labelled results that fit the schema."""

    def annotation(self, annotation: object) -> None:
        """Count the labelled results of one annotation."""


class _FastSchema:
    """The schema's label sets as lookups for the fast paths (each maps a label to itself, so
    records hold the schema's own strings). A lookup of a value that is not a label, or not
    hashable, raises, and the fast path gives up."""

    def __init__(self, schema: Schema):
        self.actor: dict[object, str] = {label: label for label in schema.actor_types}
        self.claim: dict[object, str] = {schema.claim_label: schema.claim_label}
        self.claim_target: dict[object, str] = {t: t for t in schema.claim_targets}
        self.stance: dict[object, str] = {s: s for s in schema.stance_labels}
        self.doc_stance: dict[object, str] = {DOC_STANCE_PREFIX + t: t for t in schema.targets}
        self.doc_target: dict[object, str] = {t: t for t in schema.targets}
        self.n_targets = len(schema.targets)
        self.speaker: list[JSON] = [schema.speaker_relation]


_FAST_SCHEMAS: dict[int, tuple[Schema, _FastSchema]] = {}


def _fast_schema(schema: Schema) -> _FastSchema:
    """The lookups of ``schema`` for the fast paths, made once per schema object."""
    known = _FAST_SCHEMAS.get(id(schema))
    if known is None or known[0] is not schema:
        known = _FAST_SCHEMAS[id(schema)] = (schema, _FastSchema(schema))
    return known[1]


def _fast_id(raw: JSON) -> str | None:
    """:func:`~toolkit.gold.values._region_id` for values orjson read (its strings are always
    valid Unicode)."""
    if type(raw) is str:
        return raw or None
    return str(raw) if type(raw) is int else None


def _fast_spans(
    text: str, results: list[JSON], fast: _FastSchema
) -> tuple[dict[str, Actor], dict[str, Claim], list[_Object], list[_Object]]:
    """Region id -> actor and region id -> claim (fields not yet set) of the ``labels`` results;
    the ``choices`` and ``relation`` results are handed on, in order, to the steps after. One
    loop with the checks inline: sorting the results by kind first, or a call per region, would
    cost the import several percent."""
    n = len(text)
    actors: dict[str, Actor] = {}
    claims: dict[str, Claim] = {}
    choices: list[_Object] = []
    relations: list[_Object] = []
    later: dict[object, list[_Object]] = {"choices": choices, "relation": relations}
    actor_labels, claim_label = fast.actor, fast.claim
    for item in results:
        if type(item) is not dict:
            raise _NotFast
        kind = item["type"]
        if kind != "labels":
            later[kind].append(item)  # a kind that is none of the three: KeyError
            continue
        value, name, rid = item["value"], item["from_name"], item["id"]
        if type(value) is not dict:
            raise _NotFast
        if type(rid) is not str or not rid:
            rid = _fast_id(rid)
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
            raise _NotFast
        part, given = text[start:end], value.get("text")
        if given is not None and given != part and not _same_text(given, part):
            raise _NotFast
        if name == ACTOR_TAG:
            actors[rid] = {"id": rid, "start": start, "end": end, "text": part, "label": actor_labels[labels[0]]}
        elif name == CLAIM_TAG:
            claim_label[labels[0]]  # the claim label, or KeyError
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
            raise _NotFast
    return actors, claims, choices, relations


def _fast_choices(items: list[_Object], fast: _FastSchema) -> tuple[dict[str, list[str | None]], dict[str, str]]:
    """Region id -> ``[target, stance]`` and target -> document stance, of the ``choices`` results."""
    choices: dict[str, list[str | None]] = {}
    stances: dict[str, str] = {}
    stance, claim_target, doc_stance = fast.stance, fast.claim_target, fast.doc_stance
    for item in items:
        value, name = item["value"], item["from_name"]
        if type(value) is not dict:
            raise _NotFast
        chosen = value["choices"]
        if type(chosen) is not list or len(chosen) != 1 or value.get("labels"):  # the fit check would read labels
            raise _NotFast
        if name not in _FIELD:
            target = doc_stance[name]
            if target in stances:
                raise _NotFast
            stances[target] = stance[chosen[0]]
            continue
        rid = item["id"]
        if type(rid) is not str or not rid:
            rid = _fast_id(rid)
        if rid is None:
            raise _NotFast
        fields = choices.get(rid)
        if fields is None:
            fields = choices[rid] = [None, None]
        slot = 0 if name == CLAIM_TARGET_TAG else 1
        if fields[slot] is not None:
            raise _NotFast
        fields[slot] = claim_target[chosen[0]] if slot == 0 else stance[chosen[0]]
    return choices, stances


def _fast_join(
    claims: dict[str, Claim], choices: dict[str, list[str | None]], n_stances: int, fast: _FastSchema
) -> None:
    """Each claim's target and stance; every claim needs both and every target a document stance."""
    if n_stances != fast.n_targets or len(choices) != len(claims):  # (each claim needs its choices, below)
        raise _NotFast
    for rid, (target, stance) in choices.items():
        claim = claims[rid]
        if target is None or stance is None:
            raise _NotFast
        claim["target"], claim["stance"] = target, stance


def _fast_link(claims: dict[str, Claim], actors: dict[str, Actor], relations: list[_Object], fast: _FastSchema) -> None:
    """Each claim's speaker, from the relations; every claim needs exactly one."""
    for relation in relations:
        one, two = relation.get("from_id"), relation.get("to_id")
        if type(one) is not str or not one:
            one = _fast_id(one)
        if type(two) is not str or not two:
            two = _fast_id(two)
        if (relation.get("labels") or fast.speaker) != fast.speaker:
            raise _NotFast
        if one in claims and two in actors:
            claim = claims[one]
        elif two in claims and one in actors:
            claim, two = claims[two], one
        else:
            raise _NotFast
        if claim["speaker"] is not None:
            raise _NotFast
        claim["speaker"] = two
    for claim in claims.values():
        if claim["speaker"] is None:
            raise _NotFast


def _fast_annotation(
    text: str, results: list[JSON], fast: _FastSchema
) -> tuple[list[Actor], list[Claim], dict[str, str], int]:
    """``(actors, claims, doc_stances, labelled results)`` of a complete annotation without any
    problem; :class:`_NotFast` otherwise. The last is how many results the schema-fit check
    counts (all fit)."""
    try:
        actors, claims, choices, relations = _fast_spans(text, results, fast)
        by_region, stances = _fast_choices(choices, fast)
        _fast_join(claims, by_region, len(stances), fast)
        _fast_link(claims, actors, relations, fast)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        raise _NotFast from None
    claimed = sorted(claims.values(), key=_BY_POSITION)
    return sorted(actors.values(), key=_BY_POSITION), claimed, stances, len(results) - len(relations)


def _fast_provenance(value: JSON) -> tuple[bool, int | None]:
    """``(fits, value)``: an id as the dataset stores it (see :func:`~toolkit.gold.values._int64`),
    and whether that loses nothing."""
    if type(value) is int and -_INT64 <= value < _INT64:
        return True, value
    kept = _int64(value)
    return kept is not None or value is None, kept


def _fast_chosen(task: _Object, policy: str) -> tuple[list[_Object], list[_Object], list[_Object]]:
    """``(annotations, completed, chosen)`` of a task: its annotations (all objects), those not
    cancelled, and those the policy picks."""
    given = task.get("annotations")
    if given is None:
        return [], [], []
    if type(given) is not list:
        raise _NotFast
    for annotation in given:
        if type(annotation) is not dict:
            raise _NotFast
    annotations = cast("list[_Object]", given)  # every element checked to be an object just above
    completed = [a for a in annotations if a.get("was_cancelled") is not True]
    if policy == "all" or len(completed) <= 1:
        return annotations, completed, completed
    if any(type(a.get("id")) is float for a in completed):  # an id orjson read as a float sorts otherwise
        raise _NotFast
    return annotations, completed, _pick(completed)


def _fast_document(task: _Object) -> tuple[str, str, int | None]:
    """``(text, doc_id, task_id)`` of a task, as the full reader gives them."""
    data = task.get("data")
    if type(data) is not dict:
        raise _NotFast
    text, given_id = data.get(TEXT_NAME), data.get("doc_id")
    if type(text) is not str:
        raise _NotFast
    if given_id is None:
        doc_id = f"task-{_label(task.get('id'))}"
    elif type(given_id) is int:
        doc_id = str(given_id)
    elif type(given_id) is str and given_id:
        doc_id = given_id
    else:
        raise _NotFast
    fits, task_id = _fast_provenance(task.get("id"))
    if not fits:
        raise _NotFast
    return text, doc_id, task_id


def _fast_record(
    annotation: _Object, text: str, doc_id: str, task_id: int | None, fast: _FastSchema
) -> tuple[GoldRecord, int]:
    """The record of one chosen annotation, and its labelled results (see :func:`_fast_annotation`)."""
    results = annotation.get("result")
    if type(results) is not list:
        raise _NotFast
    actors, claims, stances, labelled = _fast_annotation(text, results, fast)
    fits, annotation_id = _fast_provenance(annotation.get("id"))
    fits_too, annotator = _fast_provenance(annotation.get("completed_by"))
    if not (fits and fits_too):
        raise _NotFast
    record: GoldRecord = {
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
    return record, labelled


def _fast_task(task: _Object, fast: _FastSchema, policy: str) -> _FastTask:
    """``(annotations, completed, chosen, records, labelled results)`` of a task orjson read, if
    nothing in it would be a problem (see the module docstring); else :class:`_NotFast`."""
    annotations, completed, chosen = _fast_chosen(task, policy)
    if not completed:
        return annotations, completed, [], [], 0
    text, doc_id, task_id = _fast_document(task)
    records: list[GoldRecord] = []
    labelled = 0
    for annotation in chosen:
        record, n = _fast_record(annotation, text, doc_id, task_id, fast)
        records.append(record)
        labelled += n
    return annotations, completed, chosen, records, labelled


def _fit_slow(task: _Object, fit: FitCounter) -> None:
    """Before the full reader reads ``task``: :class:`_Reparse` if orjson may have read one of its
    integers differently from ``json``, else count its annotations for the schema-fit check."""
    if _big_float(task):
        raise _Reparse
    annotations = task.get("annotations")
    for annotation in annotations if isinstance(annotations, list) else []:
        fit.annotation(annotation)


def _add_fast(task: _Object, done: _FastTask, out: Imported, fit: FitCounter) -> None:
    """The records of a task read in one pass into ``out``, with the counts
    :func:`~toolkit.gold.convert._import_task` makes, in its order; the annotations not chosen
    are counted for the schema-fit check."""
    annotations, completed, chosen, records, labelled = done
    fit.labelled(labelled)
    if len(chosen) < len(annotations):
        for annotation in annotations:
            if not any(annotation is c for c in chosen):
                if _big_float(annotation):
                    raise _Reparse
                fit.annotation(annotation)
    count = out.counts
    count["tasks"] = count.get("tasks", 0) + 1
    drafts = task.get("drafts")
    if isinstance(drafts, list) and drafts:
        out.count("drafts_not_imported", len(drafts))
    out.count("annotations_cancelled", len(annotations) - len(completed))
    if not completed:
        out.count("tasks_without_annotation")
        return
    out.count("annotations_not_chosen", len(completed) - len(chosen))
    out.records += records


def import_task_chunks(
    chunks: Iterable[list[_Object]], source: str, schema: Schema, policy: str, fit: FitCounter
) -> Imported:
    """:func:`~toolkit.gold.convert.import_tasks` for an export orjson read, in chunks of tasks
    (an iterable of lists).

    ``fit`` counts labelled results for the schema-fit check: ``fit.labelled(n)`` adds ``n``
    results that fit, ``fit.annotation(a)`` counts one annotation's results; it sees every
    annotation of every task in file order. A task with anything odd goes through
    :func:`~toolkit.gold.convert._import_task`; if it may hold an integer orjson read differently
    from ``json``, :class:`_Reparse` is raised (read the file again with
    :func:`~toolkit.gold.read.load_export`).
    """
    check_policy(policy)
    fast = _FastSchema(schema)
    out = Imported()
    for tasks in chunks:
        for task in tasks:
            try:
                done = _fast_task(task, fast, policy)
            except _NotFast:
                _fit_slow(task, fit)
                _import_task(task, source, schema, policy, out)
            else:
                _add_fast(task, done, out, fit)
    return out
